"""Comparing sources on the example corpus: agreement, conflicts, source profiles, `medkg compare`.

Expected rows are worked out here from the annotation files themselves (loaded by the ingest layer,
not by the queries under test), so a query that drops or invents a row fails.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from graph_builder.analysis.compare import compare_sources
from graph_builder.cli import main
from graph_builder.core import namespaces as ns
from graph_builder.core.model import Annotation
from graph_builder.core.vocabulary import load_vocabulary
from graph_builder.ingest.annotations import load_annotations
from graph_builder.kg.export import to_trig
from graph_builder.sparql.parameters import Parameter, ParameterError, to_term
from graph_builder.sparql.runner import run_query

SEED = "does-herpes-cause-lower-back-pain"
MYTH = "myth-check-herpes-and-back-pain"
ICE, HEAT = "ice-first-for-a-sore-back", "heat-beats-ice-for-back-pain"


@pytest.fixture(scope="module")
def corpus(corpus_files: list[Path]) -> list[Annotation]:
    return load_annotations(corpus_files)


def _key(ann: Annotation, claim_id: str) -> tuple[str, str, str]:
    c = ann.claim(claim_id)
    return (c.subject, c.relation, c.object)


def _by_proposition(corpus: list[Annotation]) -> dict[tuple[str, str, str], list[tuple[str, Any]]]:
    out: dict[tuple[str, str, str], list[tuple[str, Any]]] = defaultdict(list)
    for ann in corpus:
        for c in ann.claims:
            out[(c.subject, c.relation, c.object)].append((ann.source.id, c))
    return out


def _slug(value: object) -> str:
    return str(value).rsplit("/", 1)[-1]


def _self_and_broader(corpus: list[Annotation]) -> dict[str, set[str]]:
    """Each entity id with every entity it is narrower than, along the files' curated ``broader:``."""
    up: dict[str, set[str]] = defaultdict(set)
    for ann in corpus:
        for e in ann.entities.values():
            up[e.id].update(e.broader)
    closed: dict[str, set[str]] = {}
    for entity in list(up):
        seen, todo = {entity}, [entity]
        while todo:
            for b in up.get(todo.pop(), ()):
                if b not in seen:
                    seen.add(b)
                    todo.append(b)
        closed[entity] = seen
    return closed


def test_agreement_lists_every_proposition_two_sources_state(
    corpus_store: ox.Store, corpus: list[Annotation]
) -> None:
    rows = run_query("agreement", corpus_store).to_records()
    found = {
        (
            _slug(r["proposition"]), r["claimId"], _slug(r["source"]), r["via"],
            _slug(r["polarity"]), _slug(r["certainty"]), _slug(r["support"]),
        )
        for r in rows
    }  # fmt: skip
    # A stated proposition collects its own claims and those about narrower subjects and objects.
    up = _self_and_broader(corpus)
    stated = _by_proposition(corpus)
    relations = load_vocabulary().relations
    expected = set()
    for key in stated:
        subject, relation, obj = key
        claims = [
            (source, c, "direct" if other == key else "narrower")
            for other, cs in stated.items()
            if other[1] == relation and subject in up[other[0]] and obj in up[other[2]]
            for source, c in cs
        ]
        if len({source for source, _, _ in claims}) >= 2:
            expected |= {
                (
                    _slug(
                        ns.proposition_iri(
                            ns.entity_iri(subject), relations[relation].iri, ns.entity_iri(obj)
                        )
                    ),
                    c.id,
                    source,
                    via,
                    c.polarity,
                    c.certainty,
                    c.support,
                )
                for source, c, via in claims
            }
    assert found == expected and len({r["proposition"] for r in rows}) >= 10
    # through the hierarchy: the ice and heat pages' claims about back pain count for the seed's
    # "cold compress alleviates pain"
    narrower = {
        (r["subjectLabel"], r["objectLabel"], _slug(r["source"])) for r in rows if r["via"] == "narrower"
    }
    assert {("cold compress", "pain", ICE), ("cold compress", "pain", HEAT)} <= narrower
    # the shingles back-pain proposition, with each source's framing
    shingles = {
        _slug(r["source"]) for r in rows if (r["subjectLabel"], r["objectLabel"]) == ("shingles", "back pain")
    }
    assert shingles == {"shingles-and-back-pain", MYTH}


def test_conflicts_follow_the_codebook_rule(corpus_store: ox.Store, corpus: list[Annotation]) -> None:
    vocab = load_vocabulary()
    rank = {s: t.rank for s, t in vocab.supports.items()}
    expected = set()
    for claims in _by_proposition(corpus).values():
        for sa, a in claims:
            for sb, b in claims:
                if sa == sb:
                    continue
                if a.polarity == "affirmed" and b.polarity == "negated":
                    kind = "polarity"
                elif a.polarity == b.polarity == "affirmed" and a.support != "disclaimed" == b.support:
                    kind = "disclaimed"
                elif (
                    a.polarity == b.polarity == "affirmed"
                    and "disclaimed" not in (a.support, b.support)
                    and rank[a.support] - rank[b.support] >= 2
                ):
                    kind = "support"
                else:
                    continue
                expected.add((a.id, b.id, kind))
    rows = run_query("conflicts", corpus_store).to_records()
    assert {(r["claimA"], r["claimB"], r["kind"]) for r in rows} == expected
    # the acceptance pairs: ice against heat, and the myth check against the seed
    pairs = {(_slug(r["sourceA"]), _slug(r["sourceB"]), r["objectLabel"]) for r in rows}
    assert (ICE, HEAT, "back pain") in pairs and (SEED, MYTH, "lower back pain") in pairs


def test_source_profile_counts_add_up_to_each_sources_claims(
    corpus_store: ox.Store, corpus: list[Annotation]
) -> None:
    rows = run_query("source-profile", corpus_store).to_records()
    for ann in corpus:
        mine = [r for r in rows if _slug(r["source"]) == ann.source.id]
        for dimension, attr in (("support", "support"), ("certainty", "certainty"), ("polarity", "polarity")):
            got = {_slug(r["value"]): r["claims"] for r in mine if r["dimension"] == dimension}
            assert got == dict(Counter(getattr(c, attr) for c in ann.claims)), (ann.source.id, dimension)
        agents = {_slug(r["value"]): r["claims"] for r in mine if r["dimension"] == "attribution"}
        kinds = Counter(ann.agents[c.attributed_to].type if c.attributed_to else "self" for c in ann.claims)
        assert agents == dict(kinds)
        assert {r["total"] for r in mine} == {len(ann.claims)}


def test_source_profile_for_one_source_is_that_sources_rows_of_the_whole_profile(
    corpus_store: ox.Store, corpus: list[Annotation]
) -> None:
    # Its optional parameter: given, one source's rows (what its page shows); left out or empty, all.
    every = run_query("source-profile", corpus_store).to_records()
    assert run_query("source-profile", corpus_store, {"source": " "}).to_records() == every
    for ann in corpus:
        one = run_query("source-profile", corpus_store, {"source": ann.source.id}).to_records()
        assert one and one == [r for r in every if _slug(r["source"]) == ann.source.id]


def test_source_claims_lists_each_claim_with_the_agent_it_is_credited_to(
    corpus_store: ox.Store, corpus: list[Annotation]
) -> None:
    # The agent's OPTIONAL comes last in the query (placed earlier, one source of 10k claims took over a
    # minute): the rows must still carry it.
    credited = 0
    for ann in corpus:
        rows = run_query("source-claims", corpus_store, {"source": ann.source.id}).to_records()
        got = {r["claimId"]: r["agentName"] for r in rows}
        expected = {c.id: ann.agents[c.attributed_to].name if c.attributed_to else None for c in ann.claims}
        assert got == expected, ann.source.id
        credited += sum(name is not None for name in got.values())
    assert credited > 0  # the corpus credits some claims to agents


def test_source_claims_are_the_sources_claims_with_the_conditional_once_stored(
    corpus_store: ox.Store, corpus: list[Annotation]
) -> None:
    """Each source's rows are its own claims, every one, each once; ``conditional`` (derived from the
    condition cues, one cue at a time) is what the store held before it was derived: the fixture."""
    fixture = Path(__file__).parents[1] / "fixtures" / "derived-views" / "conditional.nq"
    stored = {
        q.subject.value: q.object.value == "true"
        for q in ox.parse(path=str(fixture), format=ox.RdfFormat.N_QUADS)
    }
    assert set(stored.values()) == {True, False}
    seen = 0
    for ann in corpus:
        rows = run_query("source-claims", corpus_store, {"source": ann.source.id}).to_records()
        assert sorted(r["claimId"] for r in rows) == sorted(c.id for c in ann.claims), ann.source.id
        assert {r["source"] for r in rows} == {ns.source_iri(ann.source.id)}
        assert {r["claim"]: r["conditional"] for r in rows} == {r["claim"]: stored[r["claim"]] for r in rows}
        seen += len(rows)
    assert seen == len(stored)


def test_source_parameter_takes_an_id_a_curie_or_an_iri() -> None:
    param = Parameter("source", "source", None, "a source")
    iri = ox.NamedNode(ns.source_iri(ICE))
    for name in (ICE, f"source:{ICE}", ns.source_iri(ICE), f"<{ns.source_iri(ICE)}>"):
        assert to_term(param, name) == iri
    for bad in ("Ice First", "entity:herpes", "https://example.org/x", ""):
        with pytest.raises(ParameterError, match="names a source"):
            to_term(param, bad)


def test_compare_sorts_propositions_into_both_only_and_conflicts(
    corpus_store: ox.Store, corpus: list[Annotation]
) -> None:
    anns = {a.source.id: a for a in corpus}
    report = compare_sources(corpus_store, SEED, f"source:{MYTH}")
    keys_a = {(c.subject, c.relation, c.object) for c in anns[SEED].claims}
    keys_b = {(c.subject, c.relation, c.object) for c in anns[MYTH].claims}
    labels = {e.id: e.label for a in corpus for e in a.entities.values()}
    vocab = load_vocabulary()

    def text(k: tuple[str, str, str]) -> str:
        return f"{labels[k[0]]} —{vocab.relations[k[1]].label}→ {labels[k[2]]}"

    assert sorted(p.text for p in report.both) == sorted(text(k) for k in keys_a & keys_b)
    assert len(report.only_a) == len(keys_a - keys_b) and len(report.only_b) == len(keys_b - keys_a)
    assert {(c.claim_a, c.claim_b, c.kind) for c in report.conflicts} >= {
        ("herpes-causes-lower-back-pain", "herpes-does-not-cause-lower-back-pain", "polarity")
    }
    with pytest.raises(ValueError, match="two different sources"):
        compare_sources(corpus_store, SEED, f"source:{SEED}")
    with pytest.raises(ValueError, match="no source 'nowhere'"):
        compare_sources(corpus_store, SEED, "nowhere")


def test_medkg_compare_prints_three_sections(
    corpus_store: ox.Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = tmp_path / "corpus.trig"
    graph.write_bytes(to_trig(corpus_store))
    assert main(["compare", ICE, HEAT, "--graph", str(graph)]) == 0
    out = capsys.readouterr().out
    sections = [line for line in out.splitlines() if line and not line.startswith((" ", "A =", "B ="))]
    assert [s.split(" (")[0] for s in sections] == [
        "What both say",
        "What only one says",
        "Where they conflict",
    ]
    assert "cold compress —alleviates→ back pain: polarity" in out
    assert main(["compare", ICE, HEAT, "--graph", str(graph), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {c["kind"] for c in data["conflicts"]} == {"polarity"}
    assert main(["compare", ICE, "nowhere", "--graph", str(graph)]) == 1
    assert capsys.readouterr().err.strip() == "medkg: no source 'nowhere' in the graph"
