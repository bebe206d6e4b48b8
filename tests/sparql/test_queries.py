"""Tests of the named queries: every .rq file has a complete header, parses and runs; the seed graph
gives the expected answers; every qa query is silent on the seed and speaks up when its check breaks."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph_builder.core import namespaces as ns
from graph_builder.core.formats import format_results
from graph_builder.core.paths import ARTICLES_DIR, QA_QUERIES_DIR, QUERIES_DIR, SEED_SOURCE_ID
from graph_builder.core.results import Value
from graph_builder.sparql.parameters import PARAMETER_TYPES, Parameter, ParameterError, to_term
from graph_builder.sparql.queries import (
    NamedQuery,
    QueryError,
    QueryHeaderError,
    QueryNotFoundError,
    get_query,
    iter_queries,
    load_query,
    parse_header,
    parse_query,
    query_names,
)
from graph_builder.sparql.runner import bind_parameters, run_query, run_sparql

NAMED_FILES = sorted(QUERIES_DIR.glob("*.rq"))
QA_FILES = sorted(QA_QUERIES_DIR.glob("*.rq"))
ALL_FILES = NAMED_FILES + QA_FILES
REQUIRED_QUERIES = {
    "all-claims",
    "claims-by-evidence-level",
    "unsupported-claims",
    "claims-about",
    "causal-chains",
    "chain-steps",
    "remedies-for",
    "hedges",
    "sources",
    "entity-groundings",
    "propositions-by-source-count",
    "claims-by-stance",
    "relations",
    "related-claims",
}
INJECTION = 'x" } ; DROP ALL #'
ARTICLE = (ARTICLES_DIR / f"{SEED_SOURCE_ID}.txt").read_text(encoding="utf-8")

_N = ox.NamedNode


def _v(local: str) -> ox.NamedNode:
    return _N(ns.MEDKG_VOCAB + local)


def _id(path: Path) -> str:
    return f"qa/{path.stem}" if path.parent == QA_QUERIES_DIR else path.stem


@pytest.fixture(scope="module")
def all_claims(seed_store: ox.Store) -> list[dict[str, Value]]:
    return run_query("all-claims", seed_store).to_records()


# --- every file -----------------------------------------------------------------------------------


def test_the_required_queries_exist() -> None:
    names = {path.stem for path in NAMED_FILES}
    assert names >= REQUIRED_QUERIES, REQUIRED_QUERIES - names
    assert len(QA_FILES) >= 9


@pytest.mark.parametrize("path", ALL_FILES, ids=_id)
def test_header_is_complete(path: Path) -> None:
    header = parse_header(path.read_text(encoding="utf-8"))
    for key in ("summary", "description", "tags"):
        assert header.get(key), f"{path.name}: #+ {key} is missing or empty"
    query = load_query(path)
    assert query.name == _id(path)
    assert query.tags and all(query.tags)
    for param in header.get("params") or []:  # each runs as it is: a default, or optional
        assert set(param) >= {"name", "type", "description"}, f"{path.name}: {param}"
        assert "default" in param or param.get("optional") is True, f"{path.name}: {param}"
    for param in query.parameters:
        assert param.type in PARAMETER_TYPES
        assert (param.default is not None or param.optional) and param.description


@pytest.mark.parametrize("path", ALL_FILES, ids=_id)
def test_body_leaves_common_prefixes_to_the_runner_and_orders_rows(path: Path) -> None:
    query = load_query(path)
    for prefix in ns.PREFIXES:
        assert f"PREFIX {prefix}:" not in query.sparql, f"{path.name} redeclares {prefix}:"
    if query.kind == "construct":  # a derived view (graph_builder/kg/views.py): a graph has no row order
        assert "views" in query.tags, f"{path.name}: a CONSTRUCT is a derived view, tagged views"
        return
    assert query.kind == "select"
    assert "ORDER BY" in query.sparql, f"{path.name} has no ORDER BY"


@pytest.mark.parametrize("path", ALL_FILES, ids=_id)
def test_query_prepares_and_runs_on_an_empty_store(path: Path) -> None:
    # pyoxigraph parses the text and checks that substituted parameters are projected. A name
    # resolves only to an entity of the store: the store holds one per entity parameter, no more.
    query = load_query(path)
    store = ox.Store()
    for param in query.parameters:
        if param.type == "entity" and param.default is not None:
            entity = _N(ns.ENTITY + param.name)
            store.add(ox.Quad(entity, _N(ns.RDF + "type"), _N(ns.MEDKG_VOCAB + "Entity")))
            store.add(ox.Quad(entity, _N(ns.RDFS + "label"), ox.Literal(param.default)))
    table = run_query(query, store)
    assert table.variables
    assert table.rows == () or not load_query(path).is_qa


# --- the seed graph -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", NAMED_FILES, ids=_id)
def test_named_query_answers_on_the_example_corpus(corpus_store: ox.Store, path: Path) -> None:
    # The corpus, not the seed alone: comparing sources (agreement, conflicts) needs two of them.
    table = run_query(path, corpus_store)
    assert len(table) >= 1
    assert run_query(path, corpus_store) == table, "rows must come in a deterministic order"


@pytest.mark.parametrize("path", QA_FILES, ids=_id)
def test_qa_query_is_silent_on_the_seed(seed_store: ox.Store, path: Path) -> None:
    table = run_query(path, seed_store)
    assert len(table) == 0, format_results(table, "table")


def test_all_claims_has_one_row_per_assertion(
    seed_store: ox.Store, all_claims: list[dict[str, Value]]
) -> None:
    assertions = {
        str(q.subject) for q in seed_store.quads_for_pattern(None, _N(ns.RDF + "type"), _v("Assertion"))
    }
    assert len(all_claims) == len(assertions)
    assert {f"<{row['claim']}>" for row in all_claims} == assertions
    columns = set(all_claims[0])
    assert columns >= {
        "claim", "subject", "subjectLabel", "relation", "relationLabel", "object", "objectLabel",
        "evidence", "evidenceLabel", "evidenceRank", "stance", "quote", "source",
    }  # fmt: skip


def test_every_quote_is_the_article_text_at_its_offsets(all_claims: list[dict[str, Value]]) -> None:
    for row in all_claims:
        start, end = row["start"], row["end"]
        assert isinstance(start, int) and isinstance(end, int)
        assert ARTICLE[start:end] == row["quote"], row["claimId"]


def test_herpes_causes_lower_back_pain_is_explicitly_unsupported(all_claims: list[dict[str, Value]]) -> None:
    rows = [r for r in all_claims if r["subjectLabel"] == "herpes" and r["objectLabel"] == "lower back pain"]
    assert rows
    assert {(r["evidence"], r["evidenceRank"]) for r in rows} == {(ns.EVIDENCE + "explicitly-unsupported", 1)}
    (causes,) = [r for r in rows if r["relation"] == ns.MEDKG_VOCAB + "causes"]
    assert "not supported with any medical researches" in str(causes["quote"])


def test_chain_herpes_nerve_pain_lower_back_pain(seed_store: ox.Store) -> None:
    rows = run_query("chain-steps", seed_store).to_records()
    chains = {
        r["chain"]
        for r in rows
        if r["chainStartLabel"] == "herpes" and r["chainEndLabel"] == "lower back pain"
    }
    assert len(chains) == 1
    steps = [r for r in rows if r["chain"] in chains]
    assert [r["position"] for r in steps] == [1, 2]
    assert [(r["subjectLabel"], r["objectLabel"]) for r in steps] == [
        ("herpes", "nerve pain"),
        ("nerve pain", "lower back pain"),
    ]
    assert {r["chainEvidence"] for r in steps} == {ns.EVIDENCE + "explicitly-unsupported"}
    assert {r["chainEvidenceRank"] for r in steps} == {1}
    assert all(isinstance(r["evidenceRank"], int) for r in steps)


def test_claims_by_evidence_level_lists_every_level_in_rank_order(
    seed_store: ox.Store, all_claims: list[dict[str, Value]]
) -> None:
    rows = run_query("claims-by-evidence-level", seed_store).to_records()
    assert [r["evidenceRank"] for r in rows] == list(range(1, 9))
    assert any(r["assertions"] == 0 for r in rows)
    assert sum(int(str(r["assertions"])) for r in rows) == len(all_claims)


def test_claims_by_stance_counts_every_assertion(
    seed_store: ox.Store, all_claims: list[dict[str, Value]]
) -> None:
    rows = run_query("claims-by-stance", seed_store).to_records()
    assert {str(r["stance"]).removeprefix(ns.STANCE) for r in rows} == {
        "asserted", "hedged", "conditional", "disclaimed", "negated",
    }  # fmt: skip
    assert sum(int(str(r["assertions"])) for r in rows) == len(all_claims)


@pytest.mark.parametrize("max_rank", ["1", "2", "8"])
def test_unsupported_claims_respects_max_rank(seed_store: ox.Store, max_rank: str) -> None:
    table = run_query("unsupported-claims", seed_store, {"maxRank": max_rank})
    ranks = table.column("evidenceRank")
    assert ranks and all(isinstance(r, int) and r <= int(max_rank) for r in ranks)
    assert all(table.column("rationale")) and all(table.column("quote"))


@pytest.mark.parametrize(
    "name",
    ["lower back pain", "Lower Back Pain", "low back pain", "lower-back-pain", ns.ENTITY + "lower-back-pain"],
)
def test_claims_about_finds_an_entity_by_label_synonym_id_or_iri(seed_store: ox.Store, name: str) -> None:
    records = run_query("claims-about", seed_store, {"entity": name}).to_records()
    assert {r["match"] for r in records} == {ns.ENTITY + "lower-back-pain"}
    assert {r["role"] for r in records} == {"subject", "object"}
    expected = run_query("claims-about", seed_store, {"entity": "lower back pain"}).column("claim")
    assert [r["claim"] for r in records] == expected


def test_claims_about_back_pain_include_the_claims_about_lower_back_pain(seed_store: ox.Store) -> None:
    back = run_query("claims-about", seed_store, {"entity": "back-pain"}).to_records()
    lower = run_query("claims-about", seed_store, {"entity": "lower-back-pain"}).to_records()
    assert lower and {r["claim"] for r in lower} < {r["claim"] for r in back}
    through = {r["claim"]: (r["about"], r["via"]) for r in back}
    assert {through[r["claim"]] for r in lower} == {(ns.ENTITY + "lower-back-pain", "narrower")}
    itself = {r["claim"] for r in back} - {r["claim"] for r in lower}
    assert itself and {through[c] for c in itself} == {(ns.ENTITY + "back-pain", "self")}
    assert {r["match"] for r in back} == {ns.ENTITY + "back-pain"}


def test_claims_about_do_not_climb_to_broader_entities(seed_store: ox.Store) -> None:
    records = run_query("claims-about", seed_store, {"entity": "lower-back-pain"}).to_records()
    assert {(r["about"], r["via"]) for r in records} == {(ns.ENTITY + "lower-back-pain", "self")}


def test_related_claims_go_both_ways_and_say_which(seed_store: ox.Store) -> None:
    records = run_query("related-claims", seed_store, {"entity": "back pain"}).to_records()
    via = {(r["related"].removeprefix(ns.ENTITY), r["via"]) for r in records}
    assert via == {("back-pain", "self"), ("lower-back-pain", "narrower"), ("pain", "broader")}
    about = run_query("claims-about", seed_store, {"entity": "back pain"}).to_records()
    assert {r["claim"] for r in records if r["via"] != "broader"} == {r["claim"] for r in about}
    broader = {r["claim"] for r in records if r["via"] == "broader"}
    pain = run_query("claims-about", seed_store, {"entity": "pain"}).to_records()
    assert broader == {r["claim"] for r in pain if r["via"] == "self"}


@pytest.mark.parametrize("start", ["herpes", "HERPES", "herpes simplex", ns.ENTITY + "herpes"])
def test_causal_chains_reach_lower_back_pain_from_herpes(seed_store: ox.Store, start: str) -> None:
    records = run_query("causal-chains", seed_store, {"start": start}).to_records()
    assert {r["startEntity"] for r in records} == {ns.ENTITY + "herpes"}
    assert ns.ENTITY + "lower-back-pain" in {r["entity"] for r in records}
    causal = {ns.MEDKG_VOCAB + r for r in ("causes", "contributesTo", "hasComplication", "triggers")}
    causal |= {ns.MEDKG_VOCAB + r for r in ("predisposesTo", "exacerbates")}
    assert {r["relation"] for r in records} <= causal


def test_remedies_for_back_pain(seed_store: ox.Store) -> None:
    records = run_query("remedies-for", seed_store, {"condition": "back pain"}).to_records()
    assert "stretching" in {r["interventionLabel"] for r in records}
    assert {str(r["relation"]).removeprefix(ns.MEDKG_VOCAB) for r in records} <= {
        "treats", "alleviates", "prevents", "reducesRiskOf",
    }  # fmt: skip


# --- qa queries catch what they check -------------------------------------------------------------

Mutation = Callable[[ox.Store], None]


def _copy(store: ox.Store) -> ox.Store:
    copy = ox.Store()
    copy.extend(store.quads_for_pattern(None, None, None, None))
    return copy


def _assertion(store: ox.Store, claim_id: str) -> ox.NamedNode:
    (quad,) = store.quads_for_pattern(None, _v("claimId"), ox.Literal(claim_id))
    assert isinstance(quad.subject, ox.NamedNode)
    return quad.subject


def _one(store: ox.Store, subject: ox.NamedNode, predicate: ox.NamedNode) -> ox.Quad:
    (quad,) = store.quads_for_pattern(subject, predicate, None)
    return quad


def _remove(store: ox.Store, subject: ox.NamedNode, predicate: ox.NamedNode) -> None:
    store.remove(_one(store, subject, predicate))


def _replace(
    store: ox.Store, subject: ox.NamedNode, predicate: ox.NamedNode, value: ox.NamedNode | ox.Literal
) -> None:
    quad = _one(store, subject, predicate)
    store.remove(quad)
    store.add(ox.Quad(subject, predicate, value, quad.graph_name))


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_N(ns.XSD + "integer"))


CLAIM = "herpes-causes-lower-back-pain"


def _break_quote(store: ox.Store) -> None:
    _remove(store, _assertion(store, CLAIM), _v("quote"))


def _alter_quote(store: ox.Store) -> None:
    a = _assertion(store, CLAIM)
    quote = _one(store, a, _v("quote")).object
    assert isinstance(quote, ox.Literal)
    _replace(store, a, _v("quote"), ox.Literal(quote.value.replace("possibly", "certainly")))


def _offset_past_the_end(store: ox.Store) -> None:
    # The end is derived (the start plus the quote's length): a start near the end puts it past the text.
    _replace(store, _assertion(store, CLAIM), _v("quoteStart"), _integer(len(ARTICLE) - 1))


def _unlabel_entity(store: ox.Store) -> None:
    _remove(store, _N(ns.ENTITY + "nerve-pain"), _N(ns.RDFS + "label"))


def _orphan_proposition(store: ox.Store) -> None:
    _remove(store, _assertion(store, "herpes-causes-nerve-inflammation"), _v("proposition"))


def _unjoin_chain(store: ox.Store) -> None:
    (chain_quad,) = store.quads_for_pattern(None, _N(ns.RDF + "type"), _v("Chain"))
    assert isinstance(chain_quad.subject, ox.NamedNode)
    step = _N(chain_quad.subject.value + "#step-2")
    _replace(store, step, _v("assertion"), _assertion(store, "cancer-causes-back-pain"))


def _unknown_evidence(store: ox.Store) -> None:
    _replace(store, _assertion(store, CLAIM), _v("evidenceLevel"), _N(ns.EVIDENCE + "hearsay"))


def _drop_claim_link(store: ox.Store) -> None:
    herpes, lbp = _N(ns.ENTITY + "herpes"), _N(ns.ENTITY + "lower-back-pain")
    (quad,) = store.quads_for_pattern(herpes, _N(ns.CLAIMED + "causes"), lbp)
    store.remove(quad)


def _negate_without_a_cue(store: ox.Store) -> None:
    # The case: denied in one field, not in the cues.
    _replace(store, _assertion(store, CLAIM), _v("polarity"), _N(ns.POLARITY + "negated"))


def _state_a_fact(store: ox.Store) -> None:
    herpes, lbp = _N(ns.ENTITY + "herpes"), _N(ns.ENTITY + "lower-back-pain")
    store.add(ox.Quad(herpes, _v("causes"), lbp, _N(ns.SHARED_GRAPH)))


def _hedge_past_the_end(store: ox.Store) -> None:
    quad = next(store.quads_for_pattern(_assertion(store, CLAIM), _v("hedge"), None))
    assert isinstance(quad.object, ox.NamedNode)
    # The end is derived (the start plus the cue's length): a start near the end puts it past the text.
    _replace(store, quad.object, _v("cueStart"), _integer(len(ARTICLE) - 1))


def _negate_sole_assertion(store: ox.Store) -> None:
    node = _assertion(store, "herpes-causes-nerve-inflammation")
    _replace(store, node, _v("polarity"), _N(ns.POLARITY + "negated"))


def _close_a_broader_cycle(store: ox.Store) -> None:
    pain, lower = _N(ns.entity_iri("pain")), _N(ns.entity_iri("lower-back-pain"))
    store.add(ox.Quad(pain, _N(ns.SKOS + "broader"), lower, _N(ns.SHARED_GRAPH)))


BREAKAGES: dict[str, Mutation] = {
    "qa/assertions-without-quote": _break_quote,
    "qa/quote-not-verbatim": _alter_quote,
    "qa/offsets-outside-text": _offset_past_the_end,
    "qa/dangling-entities": _unlabel_entity,
    "qa/propositions-without-assertion": _orphan_proposition,
    "qa/chain-steps-not-joined": _unjoin_chain,
    "qa/evidence-level-not-in-scheme": _unknown_evidence,
    "qa/missing-claim-link": _drop_claim_link,
    "qa/relation-stated-as-fact": _state_a_fact,
    "qa/cues-disagree": _negate_without_a_cue,
    "qa/hedge-cues-outside-text": _hedge_past_the_end,
    "qa/unaffirmed-claim-link": _negate_sole_assertion,
    "qa/broader-links": _close_a_broader_cycle,
}


def test_every_qa_query_has_a_breakage() -> None:
    assert set(BREAKAGES) == {_id(path) for path in QA_FILES}


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_qa_query_reports_a_broken_graph(seed_store: ox.Store, name: str) -> None:
    broken = _copy(seed_store)
    BREAKAGES[name](broken)
    assert len(run_query(name, broken)) >= 1


# --- parameters -----------------------------------------------------------------------------------


def test_parameter_injection_is_only_a_string() -> None:
    # Bound as one literal, the attack text matches the node labelled with exactly that text; spliced
    # into the query, it would end the pattern early and fail to parse, or match something else.
    store = ox.Store()
    label = _N(ns.RDFS + "label")
    store.add(ox.Quad(_N("urn:x:evil"), label, ox.Literal(INJECTION)))
    store.add(ox.Quad(_N("urn:x:plain"), label, ox.Literal("x")))
    text = (
        "#+ params:\n#+   - {name: name, type: string, default: herpes, description: a label}\n"
        "SELECT ?e ?name WHERE { ?e rdfs:label ?name }"
    )
    assert run_sparql(text, store, {"name": INJECTION}).column("e") == ["urn:x:evil"]
    assert run_sparql(text, store, {"name": "x"}).column("e") == ["urn:x:plain"]


def test_iri_parameters_reject_what_is_not_an_iri() -> None:
    query = parse_query(
        "#+ params:\n#+   - {name: e, type: iri, default: 'entity:herpes', description: an entity}\n"
        "SELECT ?e ?label WHERE { ?e rdfs:label ?label } ORDER BY ?label",
        name="inline",
    )
    assert bind_parameters(query) == {ox.Variable("e"): _N(ns.ENTITY + "herpes")}
    with pytest.raises(ParameterError, match="absolute IRI"):
        bind_parameters(query, {"e": INJECTION})
    with pytest.raises(ParameterError, match="absolute IRI"):
        bind_parameters(query, {"e": "herpes"})


def test_iri_parameter_runs(seed_store: ox.Store) -> None:
    text = (
        "#+ params:\n#+   - {name: e, type: iri, default: 'entity:herpes', description: an entity}\n"
        "SELECT ?e ?label WHERE { ?e rdfs:label ?label } ORDER BY ?label"
    )
    assert run_sparql(text, seed_store).column("label") == ["herpes"]
    assert run_sparql(text, seed_store, {"e": f"<{ns.ENTITY}nerve-pain>"}).column("label") == ["nerve pain"]


def test_unknown_parameter_is_a_clear_error(seed_store: ox.Store) -> None:
    with pytest.raises(ParameterError, match=r"no parameter 'maxrank'.*parameters are: maxRank"):
        run_query("unsupported-claims", seed_store, {"maxrank": "2"})


@pytest.mark.parametrize("value", ["two", "2.5", "", "1; DROP ALL"])
def test_bad_integer_is_a_clear_error(seed_store: ox.Store, value: str) -> None:
    with pytest.raises(ParameterError, match=r"'maxRank' must be an integer"):
        run_query("unsupported-claims", seed_store, {"maxRank": value})


def test_integer_parameter_is_typed() -> None:
    param = Parameter("n", "integer", "2", "a number")
    assert to_term(param, "+7") == ox.Literal("7", datatype=_N(ns.XSD + "integer"))
    assert to_term(param, 3) == ox.Literal("3", datatype=_N(ns.XSD + "integer"))


def test_required_parameter_without_value() -> None:
    query = parse_query(
        "#+ params:\n#+   - {name: e, type: string, description: an entity}\nSELECT ?e WHERE {} ORDER BY ?e",
        "inline",
    )
    with pytest.raises(ParameterError, match="needs a value for parameter 'e'"):
        bind_parameters(query, {})


# --- finding queries and headers ------------------------------------------------------------------


def test_get_query_by_name_qa_name_and_path() -> None:
    assert get_query("all-claims").path == QUERIES_DIR / "all-claims.rq"
    assert get_query("qa/quote-not-verbatim").is_qa
    assert get_query(str(QA_QUERIES_DIR / "quote-not-verbatim.rq")).name == "qa/quote-not-verbatim"
    assert get_query(QUERIES_DIR / "hedges.rq").name == "hedges"


@pytest.mark.parametrize("name", ["no-such-query", "../pyproject", "qa/all-claims", "missing.rq"])
def test_unknown_query_is_a_clear_error(name: str) -> None:
    with pytest.raises(QueryNotFoundError, match="no query"):
        get_query(name)


def test_unknown_query_lists_the_names() -> None:
    with pytest.raises(QueryNotFoundError) as error:
        get_query("all-claim")
    assert "all-claims" in str(error.value) and "qa/dangling-entities" in str(error.value)


def test_iter_queries_and_names_agree() -> None:
    assert [q.name for q in iter_queries()] == query_names(include_qa=False)
    assert [q.name for q in iter_queries(include_qa=True)] == query_names()
    assert all(isinstance(q, NamedQuery) for q in iter_queries())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("#+ summary: [unclosed\nSELECT * {}", "not valid YAML"),
        ("#+ - a list\nSELECT * {}", "must be a YAML mapping"),
        ("#+ tags: nope\nSELECT * {}", "tags: expected a list"),
        ("#+ params:\n#+   - {name: x, type: float, description: d}\nSELECT ?x {}", "type: expected one of"),
        (
            "#+ params:\n#+   - {name: y, type: string, description: d}\nSELECT ?x {}",
            r"never uses the variable \?y",
        ),
        (
            "#+ params:\n#+   - {name: x, type: integer, default: lots, description: d}\nSELECT ?x {}",
            "default",
        ),
        ("#+ summary: s\nINSERT DATA {}", "cannot tell the query form"),
        (
            "#+ params:\n#+   - {name: x, type: integer, optional: yes please, description: d}\nSELECT ?x {}",
            "optional: expected true or false",
        ),
        (
            "#+ params:\n#+   - {name: x, type: integer, optional: true, default: 1, description: d}\nSELECT ?x {}",
            "an optional parameter has no default",
        ),
    ],
)
def test_bad_headers_are_clear_errors(text: str, message: str) -> None:
    with pytest.raises(QueryHeaderError, match=message):
        parse_query(text, "inline")


def test_load_query_names_the_file_with_an_incomplete_header(tmp_path: Path) -> None:
    path = tmp_path / "bare.rq"
    path.write_text("#+ summary: only a summary\nSELECT * WHERE {} ORDER BY ?x\n", encoding="utf-8")
    with pytest.raises(QueryHeaderError, match=r"bare\.rq: the #\+ header needs description, tags"):
        load_query(path)


# --- running and output ---------------------------------------------------------------------------


def test_run_sparql_ask(seed_store: ox.Store) -> None:
    table = run_sparql("ASK { entity:herpes claimed:causes entity:lower-back-pain }", seed_store)
    assert table.kind == "ask" and table.variables == ("ask",) and table.boolean is True
    assert json.loads(format_results(table, "json")) == {"head": {}, "boolean": True}


def test_run_sparql_construct(seed_store: ox.Store) -> None:
    table = run_sparql("CONSTRUCT WHERE { entity:herpes rdfs:label ?label }", seed_store)
    assert table.kind == "construct"
    assert table.to_records() == [
        {"subject": ns.ENTITY + "herpes", "predicate": ns.RDFS + "label", "object": "herpes"}
    ]


def test_w3c_json_output(seed_store: ox.Store) -> None:
    table = run_query("all-claims", seed_store)
    data = json.loads(format_results(table, "json"))
    assert data["head"]["vars"] == list(table.variables)
    assert len(data["results"]["bindings"]) == len(table)
    first = data["results"]["bindings"][0]
    assert first["claim"]["type"] == "uri"
    assert first["evidenceRank"]["type"] == "literal"
    assert first["evidenceRank"]["datatype"] == ns.XSD + "integer"
    assert "datatype" not in first["quote"]  # a plain string literal
    parsed = ox.parse_query_results(format_results(table, "json"), ox.QueryResultsFormat.JSON)
    assert isinstance(parsed, ox.QuerySolutions)
    assert [tuple(s) for s in parsed] == list(table.rows)


def test_csv_round_trips(seed_store: ox.Store) -> None:
    table = run_query("all-claims", seed_store)
    text = format_results(table, "csv")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == table.variables
    assert len(rows) == len(table) + 1
    quote = table.variables.index("quote")
    assert [r[quote] for r in rows[1:]] == table.column("quote")


def test_a_parameter_missing_from_the_select_clause_is_a_clear_error(seed_store: ox.Store) -> None:
    text = (
        "#+ params:\n#+   - {name: e, type: string, default: x, description: d}\n"
        "SELECT ?s WHERE { ?s rdfs:label ?e }"
    )
    with pytest.raises(QueryError, match="must also be listed in the SELECT clause"):
        run_sparql(text, seed_store)


def test_related_claims_carry_each_claims_polarity_certainty_and_support(seed_store: ox.Store) -> None:
    records = run_query("related-claims", seed_store, {"entity": "lower back pain"}).to_records()
    by_claim = {r["claimId"]: r for r in records}
    herpes = by_claim["herpes-causes-lower-back-pain"]  # "can possibly", and the page disclaims it
    assert herpes["via"] == "self" and herpes["polarity"].endswith("affirmed")
    assert herpes["certainty"].endswith("possible") and herpes["support"].endswith("disclaimed")
    assert herpes["strength"] == 1
    assert by_claim["stretching-alleviates-back-pain"]["via"] == "broader"


def test_a_query_file_is_parsed_once_and_again_after_an_edit(tmp_path: Path) -> None:
    """Named queries are read at every run: the parsed header is kept per file text, never stale."""
    path = tmp_path / "counting.rq"
    body = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n"
    header = "#+ description: counts triples\n#+ tags:\n#+   - test\n"
    path.write_text("#+ summary: first\n" + header + body, encoding="utf-8")
    first = load_query(path)
    assert load_query(path) is first  # the same text: the header is not parsed again
    path.write_text("#+ summary: second\n" + header + body, encoding="utf-8")
    edited = load_query(path)
    assert edited.summary == "second" and edited is not first


def test_an_optional_parameter_left_out_stays_unbound_and_a_required_one_does_not() -> None:
    text = (
        "#+ summary: s\n#+ description: d\n#+ tags: [t]\n#+ params:\n"
        "#+   - {name: n, type: integer, optional: true, description: d}\n"
        "#+   - {name: m, type: integer, description: d}\n"
        "SELECT ?n ?m WHERE { VALUES ?n { 1 2 } }"
    )
    query = parse_query(text, "inline")
    assert [p.optional for p in query.parameters] == [True, False]
    assert bind_parameters(query, {"m": 5}) == {ox.Variable("m"): ox.Literal(5)}
    assert bind_parameters(query, {"m": 5, "n": ""}) == {ox.Variable("m"): ox.Literal(5)}
    assert bind_parameters(query, {"m": 5, "n": 2})[ox.Variable("n")] == ox.Literal(2)
    with pytest.raises(ParameterError, match="needs a value for parameter 'm'"):
        bind_parameters(query, {"n": 2})


def test_a_query_file_is_read_again_only_when_it_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A named query is looked up at every run: an unchanged file is not read again (its read cost a
    tenth of a query over the statistics), an edited one is."""
    path = tmp_path / "mine.rq"
    header = "#+ summary: s\n#+ description: d\n#+ tags: [t]\n"
    path.write_text(header + "SELECT ?n { VALUES ?n { 1 } }\n", encoding="utf-8")
    reads: list[Path] = []
    read_text = Path.read_text

    def counted(self: Path, *args: object, **kwargs: object) -> str:
        reads.append(self)
        return read_text(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", counted)
    first = load_query(path)
    assert load_query(path) is first and reads == [path]  # unchanged: not read again
    path.write_text(header + "SELECT ?n { VALUES ?n { 2 } }\n", encoding="utf-8")  # the same length
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))  # its time moves on, as an edit's does
    assert "2" in load_query(path).sparql and reads == [path, path]
