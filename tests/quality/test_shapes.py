"""Tests of ontology/shapes.ttl: the minimal fixture conforms, and each way of breaking it is reported
with the shape that caught it, the focus node, and a message for the curator."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import RDF, RDFS, SH, BNode, Graph, Literal, Namespace, URIRef

from graph_builder.core import identifiers
from graph_builder.core import namespaces as ns
from graph_builder.core.paths import EVIDENCE_FILE, ONTOLOGY_FILE, SHAPES_FILE
from graph_builder.kg.views import view_quads

MEDKG = Namespace(ns.MEDKG_VOCAB)
EVIDENCE = Namespace(ns.EVIDENCE)
STANCE = Namespace(ns.STANCE)
ENTITY = Namespace(ns.ENTITY)
BIOLINK = Namespace(ns.BIOLINK)
FIXTURE = Path(__file__).parent.parent / "fixtures" / "minimal.ttl"

SHAPES = Graph().parse(SHAPES_FILE)
# The builder loads the ontology and the SKOS schemes into the store it validates; so do we.
ONTOLOGY = Graph().parse(ONTOLOGY_FILE).parse(EVIDENCE_FILE)


Mutation = Callable[[Graph], None]
Focus = Callable[[Graph], URIRef]


def _data() -> Graph:
    graph = Graph()
    for triple in ONTOLOGY:
        graph.add(triple)
    return graph.parse(FIXTURE)


@dataclass(frozen=True)
class Result:
    focus: object
    path: object
    shape: object  # sh:sourceShape
    constraint: object  # sh:sourceConstraint (a SPARQL constraint), else None
    value: object  # sh:value
    message: str


def _validate(graph: Graph) -> tuple[bool, list[Result], str]:
    conforms, report, text = validate(graph, shacl_graph=SHAPES, inference="none")
    results = [
        Result(
            report.value(r, SH.focusNode),
            report.value(r, SH.resultPath),
            report.value(r, SH.sourceShape),
            report.value(r, SH.sourceConstraint),
            report.value(r, SH.value),
            str(report.value(r, SH.resultMessage) or ""),
        )
        for r in report.subjects(RDF.type, SH.ValidationResult)
    ]
    return bool(conforms), results, str(text)


def _claim(g: Graph, claim_id: str) -> URIRef:
    node = g.value(None, MEDKG.claimId, Literal(claim_id))
    assert isinstance(node, URIRef), claim_id
    return node


def _first(g: Graph) -> URIRef:
    return _claim(g, "herpes-associated-with-nerve-pain")


def _second(g: Graph) -> URIRef:
    return _claim(g, "nerve-pain-causes-lower-back-pain")


def _chain(g: Graph) -> URIRef:
    return _claim(g, "herpes-nerve-pain-lower-back-pain")


def _source(g: Graph) -> URIRef:
    node = g.value(None, RDF.type, MEDKG.SourceDocument)
    assert isinstance(node, URIRef)
    return node


def _step(g: Graph, position: int) -> URIRef:
    for step in g.objects(_chain(g), MEDKG.step):
        if g.value(step, MEDKG.position) == Literal(position):
            assert isinstance(step, URIRef)
            return step
    raise AssertionError(f"no step {position}")


def _first_step(g: Graph) -> URIRef:
    return _step(g, 1)


def _second_step(g: Graph) -> URIRef:
    return _step(g, 2)


def _proposition(g: Graph, claim: Callable[[Graph], URIRef]) -> URIRef:
    node = g.value(claim(g), MEDKG.proposition)
    assert isinstance(node, URIRef)
    return node


def _hedge(g: Graph) -> URIRef:
    node = g.value(_second(g), MEDKG.hedge)
    assert isinstance(node, URIRef)
    return node


def _agent(g: Graph) -> URIRef:
    """An agent of the fixture's source (it has none until a mutation credits a claim to one)."""
    return URIRef(_source(g) + "#agent/someone")


def _credit_an_agent_without_kind(g: Graph) -> None:
    # Not typed, as the store writes agents: the shape finds it as the object of medkg:attributedTo.
    g.add((_first(g), MEDKG.attributedTo, _agent(g)))
    g.add((_agent(g), RDFS.label, Literal("a friend")))


def _set(g: Graph, node: URIRef, prop: URIRef, value: object) -> None:
    g.remove((node, prop, None))
    g.add((node, prop, value))  # type: ignore[arg-type]


def _drop(g: Graph, node: URIRef, prop: URIRef) -> None:
    g.remove((node, prop, None))


def _drop_one_step(g: Graph) -> None:
    step = _step(g, 2)
    g.remove((None, None, step))
    g.remove((step, None, None))


def _add_views(g: Graph) -> None:
    """Add the derived views (selectors, the Biolink reading) as ``medkg export`` writes them."""
    store = ox.Store()
    store.load(g.serialize(format="nt").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    for q in view_quads(store):
        g.add(tuple(URIRef(t.value) if isinstance(t, ox.NamedNode) else _rdflib_literal(t) for t in q.triple))  # type: ignore[arg-type]


def _rdflib_literal(term: ox.Literal) -> Literal:
    datatype = None if term.datatype.value == ns.XSD + "string" else URIRef(term.datatype.value)
    return Literal(term.value, datatype=datatype)


def _with_views(mutate: Mutation) -> Mutation:
    return lambda g: (_add_views(g), mutate(g))[1]


def _swap_steps(g: Graph) -> None:
    first, second = _step(g, 1), _step(g, 2)
    _set(g, first, MEDKG.position, Literal(2))
    _set(g, second, MEDKG.position, Literal(1))


# --- the valid fixture ----------------------------------------------------------------------------


def test_minimal_fixture_conforms() -> None:
    conforms, results, text = _validate(_data())
    assert conforms, text
    assert results == []


def test_minimal_fixture_with_its_derived_views_conforms() -> None:
    graph = _data()
    _add_views(graph)
    assert (_first(graph), RDF.type, RDF.Statement) in graph
    assert (None, URIRef(ns.OA + "exact"), Literal("Herpes is associated with nerve pain")) in graph
    conforms, results, text = _validate(graph)
    assert conforms and results == [], text


def test_shapes_need_the_ontology_in_the_data_graph() -> None:
    """Without evidence.ttl no evidence level is in evidence:scheme: the dependency is real."""
    conforms, results, _ = _validate(Graph().parse(ONTOLOGY_FILE).parse(FIXTURE))
    assert not conforms
    assert any(r.shape == MEDKG["AssertionShape-evidenceLevel"] for r in results)


# --- broken variants ------------------------------------------------------------------------------


def _setting(focus: Focus, prop: URIRef, value: object) -> Mutation:
    return lambda g: _set(g, focus(g), prop, value)


def _dropping(focus: Focus, prop: URIRef) -> Mutation:
    return lambda g: _drop(g, focus(g), prop)


def _typing(focus: Focus, cls: URIRef, *, remove: bool = False) -> Mutation:
    return lambda g: (g.remove if remove else g.add)((focus(g), RDF.type, cls))


def _herpes(g: Graph) -> URIRef:
    return ENTITY.herpes


def _herpes_grounding(g: Graph) -> URIRef:
    return URIRef(identifiers.expand("mesh:D006561"))


def _herpes_record(g: Graph) -> URIRef:
    return URIRef(_source(g) + "#entity/herpes")


def _herpes_term_record(g: Graph) -> URIRef:
    return URIRef(_source(g) + "#term/mesh:D006561")


def _first_proposition(g: Graph) -> URIRef:
    return _proposition(g, _first)


def _second_proposition_too(g: Graph) -> None:
    g.add((_first(g), MEDKG.proposition, _proposition(g, _second)))


CLAIMED = Namespace(ns.CLAIMED)


def _without_claim_link(g: Graph) -> None:
    g.remove((ENTITY.herpes, CLAIMED.associatedWith, ENTITY["nerve-pain"]))


def _with_orphan_claim_link(g: Graph) -> None:
    g.add((ENTITY.herpes, CLAIMED.treats, ENTITY["lower-back-pain"]))


def _with_a_fact(g: Graph) -> None:
    g.add((ENTITY.herpes, MEDKG.associatedWith, ENTITY["nerve-pain"]))


# What a broken variant must produce: a result from `check` (a shape or SPARQL constraint, named by
# its local name) on the focus node, and, where given, with that sh:value. Checks that cross from a
# claim to its source text or proposition report the source as focus and the claim as sh:value.
@dataclass(frozen=True)
class Expected:
    check: str
    focus: Focus
    value: Focus | None = None


BROKEN: dict[str, tuple[Mutation, Expected]] = {
    # assertions
    "assertion-without-quote": (_dropping(_first, MEDKG.quote), Expected("AssertionShape-quote", _first)),
    "empty-quote": (_setting(_first, MEDKG.quote, Literal("")), Expected("AssertionShape-quote", _first)),
    "assertion-without-source": (_dropping(_first, MEDKG.source), Expected("AssertionShape-source", _first)),
    "two-propositions": (_second_proposition_too, Expected("AssertionShape-proposition", _first)),
    "quote-start-not-integer": (
        _setting(_first, MEDKG.quoteStart, Literal("0")),
        Expected("AssertionShape-quoteStart", _first),
    ),
    "negative-quote-start": (
        _setting(_first, MEDKG.quoteStart, Literal(-1)),
        Expected("AssertionShape-quoteStart", _first),
    ),
    "start-not-before-end": (
        _setting(_first, MEDKG.quoteStart, Literal(36)),
        Expected("AssertionShape-quoteStart", _first),
    ),
    "evidence-level-not-in-scheme": (
        _setting(_first, MEDKG.evidenceLevel, STANCE.asserted),
        Expected("AssertionShape-evidenceLevel", _first),
    ),
    "stance-not-in-scheme": (
        _setting(_first, MEDKG.stance, EVIDENCE.speculative),
        Expected("AssertionShape-stance", _first),
    ),
    "no-evidence-rationale": (
        _dropping(_first, MEDKG.evidenceRationale),
        Expected("AssertionShape-evidenceRationale", _first),
    ),
    "negated-not-boolean": (
        _setting(_first, MEDKG.negated, Literal("false")),
        Expected("AssertionShape-negated", _first),
    ),
    "unknown-agent-type": (
        _setting(_source, MEDKG.agentType, Literal("curator")),
        Expected("SourceDocumentShape-agentType", _source),
    ),
    "no-claim-id": (_dropping(_first, MEDKG.claimId), Expected("AssertionShape-claimId", _first)),
    "selector-prefix-too-long": (
        _with_views(
            lambda g: _set(
                g, URIRef(_first(g) + "#quote-selector"), URIRef(ns.OA + "prefix"), Literal("x" * 33)
            )
        ),
        Expected("TextQuoteSelectorShape-prefix", lambda g: URIRef(_first(g) + "#quote-selector")),
    ),
    # quotes and cues against the source text
    "end-beyond-text-length": (
        _setting(_second, MEDKG.quoteStart, Literal(150)),  # the end is derived: 150 + 45 code points
        Expected("SourceClaimsShape-quoteEnd", _source, _second),
    ),
    "chain-quote-beyond-text": (
        _setting(_chain, MEDKG.quoteStart, Literal(100)),  # the end is derived: 100 + 79 code points
        Expected("SourceClaimsShape-quoteEnd", _source, _chain),
    ),
    "quote-not-at-offsets": (
        _setting(_second, MEDKG.quoteStart, Literal(37)),
        Expected("SourceClaimsShape-quoteText", _source, _second),
    ),
    "hedge-cue-not-at-offsets": (
        _setting(_hedge, MEDKG.cueStart, Literal(48)),
        Expected("SourceClaimsShape-cueText", _source, _hedge),
    ),
    # the Biolink reading
    "biolink-predicate-disagrees": (
        _setting(_first, RDF.predicate, BIOLINK.causes),
        Expected("SourceClaimsShape-biolinkReading", _source, _first),
    ),
    "biolink-negated-disagrees": (
        _with_views(_setting(_first, BIOLINK.negated, Literal(True))),
        Expected("BiolinkReadingShape-negated", _first),
    ),
    "statement-without-subject": (
        _with_views(_dropping(_first, RDF.subject)),
        Expected("BiolinkReadingShape-subject", _first),
    ),
    # hedge cues (not typed in the store: found as objects of medkg:hedge)
    "hedge-cue-without-type": (_dropping(_hedge, MEDKG.cueType), Expected("HedgeCueShape-cueType", _hedge)),
    # agents (not typed in the store: found as objects of medkg:attributedTo)
    "agent-without-kind": (_credit_an_agent_without_kind, Expected("AgentShape-agentKind", _agent)),
    # propositions and plain triples
    "proposition-without-subject": (
        _dropping(_first_proposition, MEDKG.subject),
        Expected("PropositionShape-subject", _first_proposition),
    ),
    "relation-not-a-relation": (
        _setting(_first_proposition, MEDKG.relation, RDFS.seeAlso),
        Expected("PropositionShape-relation", _first_proposition),
    ),
    "claim-link-missing": (
        _without_claim_link,
        Expected("SourceClaimsShape-claimLink", _source, _first_proposition),
    ),
    "orphan-claim-link": (
        _with_orphan_claim_link,
        Expected("RelationUseShape-unaffirmed", lambda g: MEDKG.treats, _herpes),
    ),
    "relation-stated-as-fact": (
        _with_a_fact,
        Expected("RelationUseShape-fact", lambda g: MEDKG.associatedWith, _herpes),
    ),
    # entities and groundings
    "entity-without-label": (_dropping(_herpes, RDFS.label), Expected("EntityShape-label", _herpes)),
    "entity-with-two-types": (_typing(_herpes, MEDKG.Pathogen), Expected("EntityShape-type", _herpes)),
    "entity-without-type": (
        _typing(_herpes, MEDKG.Disease, remove=True),
        Expected("EntityShape-type", _herpes),
    ),
    "grounding-from-unknown-vocabulary": (
        _setting(_herpes_grounding, MEDKG.vocabulary, Literal("umls")),
        Expected("GroundingShape-vocabulary", _herpes_grounding),
    ),
    "record-of-nothing": (
        _setting(_herpes_record, MEDKG.describes, URIRef(ns.ENTITY + "undefined")),
        Expected("RecordShape-describes", _herpes_record),
    ),
    "term-record-of-no-term": (
        _setting(_herpes_term_record, MEDKG.describes, URIRef("http://id.nlm.nih.gov/mesh/D000000")),
        Expected("RecordShape-describes", _herpes_term_record),
    ),
    # source documents
    "source-without-title": (
        _dropping(_source, URIRef(ns.DCTERMS + "title")),
        Expected("SourceDocumentShape-title", _source),
    ),
    "text-length-wrong": (
        _setting(_source, MEDKG.textLength, Literal(165)),
        Expected("SourceDocumentShape-lengthMatchesText", _source),
    ),
    "source-without-text": (_dropping(_source, MEDKG.text), Expected("SourceDocumentShape-text", _source)),
    # chains
    "one-step-chain": (_drop_one_step, Expected("ChainShape-step", _chain)),
    "duplicate-positions": (
        _setting(_second_step, MEDKG.position, Literal(1)),
        Expected("ChainShape-distinctPositions", _chain),
    ),
    "gap-in-positions": (
        _setting(_second_step, MEDKG.position, Literal(3)),
        Expected("ChainShape-contiguousPositions", _chain),
    ),
    "position-zero": (
        _setting(_first_step, MEDKG.position, Literal(0)),
        Expected("ChainStepShape-position", _first_step),
    ),
    "steps-not-joined": (_swap_steps, Expected("ChainShape-joined", _chain)),
    "chain-start-wrong": (
        _setting(_chain, MEDKG.chainStart, ENTITY["nerve-pain"]),
        Expected("ChainShape-ends", _chain),
    ),
    "step-without-assertion": (
        _dropping(_second_step, MEDKG.assertion),
        Expected("ChainStepShape-assertion", _second_step),
    ),
    "chain-without-evidence-level": (
        _dropping(_chain, MEDKG.evidenceLevel),
        Expected("ChainShape-evidenceLevel", _chain),
    ),
}


@dataclass(frozen=True)
class Broken:
    """A broken variant of the fixture and its validation. Do not modify the graph: tests share it."""

    graph: Graph
    focus: URIRef
    value: URIRef | None
    conforms: bool
    results: list[Result]
    text: str


@functools.cache
def _broken(name: str) -> Broken:
    """Break the fixture as BROKEN[name] says and validate it, once per session."""
    mutate, expected = BROKEN[name]
    graph = _data()
    focus = expected.focus(graph)  # before mutating: the mutation may remove what finds the node
    value = expected.value(graph) if expected.value else None
    mutate(graph)
    return Broken(graph, focus, value, *_validate(graph))


@pytest.mark.parametrize("name", BROKEN)
def test_broken_fixture_is_reported(name: str) -> None:
    broken, expected = _broken(name), BROKEN[name][1]
    assert not broken.conforms
    check = MEDKG[expected.check]
    caught = [r for r in broken.results if check in (r.shape, r.constraint) and r.focus == broken.focus]
    assert caught, f"expected {expected.check} on {broken.focus}, got:\n{broken.text}"
    if broken.value is not None:
        assert broken.value in [r.value for r in caught], (
            f"expected sh:value {broken.value}, got:\n{broken.text}"
        )
    assert all(r.message and "{" not in r.message for r in caught), "a message for the curator, filled in"


def test_missing_quote_report_names_shape_and_focus_node() -> None:
    broken = _broken("assertion-without-quote")
    assertion = broken.focus
    assert not broken.conforms
    assert [(r.focus, r.path, r.shape) for r in broken.results] == [
        (assertion, MEDKG.quote, MEDKG["AssertionShape-quote"])
    ]
    assert (MEDKG["AssertionShape"], SH.property, MEDKG["AssertionShape-quote"]) in SHAPES
    assert str(assertion).rsplit("/", 1)[1] in broken.text and "AssertionShape-quote" in broken.text
    assert "verbatim quote" in broken.results[0].message


def test_offsets_beyond_text_length_fail() -> None:
    broken = _broken("end-beyond-text-length")
    assertion = _second(broken.graph)
    assert not broken.conforms
    [beyond] = [r for r in broken.results if r.constraint == MEDKG["SourceClaimsShape-quoteEnd"]]
    assert (beyond.focus, beyond.value) == (_source(broken.graph), assertion)
    assert "nerve-pain-causes-lower-back-pain" in beyond.message
    assert "195" in beyond.message and "166" in beyond.message  # the derived end, 150 + 45


def test_one_step_chain_fails() -> None:
    broken = _broken("one-step-chain")
    chain = _chain(broken.graph)
    assert any(
        r.focus == chain and r.shape == MEDKG["ChainShape-step"] and r.path == MEDKG.step
        for r in broken.results
    )


# --- the shapes file itself -----------------------------------------------------------------------


def test_every_shape_has_an_iri_and_every_check_a_message() -> None:
    shapes = set(SHAPES.subjects(RDF.type, SH.NodeShape)) | set(SHAPES.subjects(RDF.type, SH.PropertyShape))
    referenced = set(SHAPES.objects(None, SH.property)) | set(SHAPES.objects(None, SH.node))
    referenced |= set(SHAPES.objects(None, SH.qualifiedValueShape))
    assert referenced <= shapes, "every referenced shape is declared with its type"
    assert not any(isinstance(s, BNode) for s in shapes | referenced), "a report should name its shape"
    checks = set(SHAPES.objects(None, SH.sparql)) | set(SHAPES.subjects(RDF.type, SH.PropertyShape))
    for check in checks:
        assert not isinstance(check, BNode)
        assert SHAPES.value(check, SH.message), f"{check} needs an sh:message"
    for shape in SHAPES.subjects(RDF.type, SH.NodeShape):
        assert str(shape).startswith(ns.MEDKG_VOCAB) and SHAPES.value(shape, RDFS.label), shape
