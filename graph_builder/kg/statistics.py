"""Statistics kept at build time: each source's counts, written with its quads into the statistics graph,
so that ``medkg stats``, ``sources`` and ``source-profile`` read a few numbers instead of every assertion.

A source's statistics are a pure function of its own quads (what :func:`graph_builder.kg.rdf.iter_quads`
makes of its annotation file), so a build, ``add`` and ``remove`` keep them equal to a full recount.
The vocabularies are W3C's: each source graph is described as a VoID dataset (``void:triples``) that is
also an RDF Data Cube data set, whose cells count the source's assertions per support, certainty,
polarity and relation jointly (``medkg:assertionCounts``); three more data sets of the source count them
by evidence level, by stance and by attribution alone (their marginals). A cell is a ``qb:Observation``
by the domain of ``qb:dataSet``, which is not written; a last data set counts its stated
chains per evidence level and stance (docs/data-model.md).

>>> from graph_builder.ingest.annotations import load_annotation
>>> from graph_builder.core.paths import SEED_ANNOTATION
>>> from graph_builder.kg.rdf import iter_quads
>>> quads = list(iter_quads(load_annotation(SEED_ANNOTATION)))
>>> counts = {q.predicate.value.rpartition("#")[2]: q.object.value for q in quads
...           if q.subject.value == statistics_iri("does-herpes-cause-lower-back-pain")}
>>> counts["chainCount"], counts["assertionCount"] == str(len(load_annotation(SEED_ANNOTATION).claims))
('1', True)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from graph_builder.core import namespaces as ns
from graph_builder.core.results import Term

_N = ox.NamedNode
STATISTICS_GRAPH = _N(ns.STATISTICS_GRAPH)
_TYPE = _N(ns.RDF + "type")
_INTEGER = _N(ns.XSD + "integer")
_DATA_SET = _N(ns.QB + "dataSet")
_SUBSET = _N(ns.VOID + "subset")
_SELF = _N(ns.AGENT_TYPE + "self")


def _v(local: str) -> ox.NamedNode:
    return _N(ns.MEDKG_VOCAB + local)


#: The dimensions of a cell: the property of an assertion each one counts by, and the cell's property.
DIMENSIONS = {
    "support": _v("bySupport"),
    "certainty": _v("byCertainty"),
    "polarity": _v("byPolarity"),
    "relation": _v("byRelation"),
    "evidenceLevel": _v("byEvidenceLevel"),
    "stance": _v("byStance"),
    "attribution": _v("byAttribution"),
}
#: The dimensions of the joint cube (``medkg:assertionCounts``), counted together.
JOINT = ("support", "certainty", "polarity", "relation")
#: The dimensions counted alone, each in a data set of its own (its IRI's suffix) with its structure.
MARGINALS = {
    "evidenceLevel": _v("assertionCountsByEvidenceLevel"),
    "stance": _v("assertionCountsByStance"),
    "attribution": _v("assertionCountsByAttribution"),
}
ASSERTION_COUNT = _v("assertionCount")
CHAIN_COUNT = _v("chainCount")
STATISTICS_OF = _v("statisticsOf")


def statistics_iri(source_id: str) -> str:
    """The VoID and Data Cube data set that counts one source."""
    return f"{ns.STATISTICS}/source/{source_id}"


def chain_statistics_iri(source_id: str) -> str:
    """The Data Cube data set that counts one source's stated chains."""
    return f"{statistics_iri(source_id)}/chains"


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_INTEGER)


def source_statistics(source_id: str, quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """The statistics quads of one source, from its quads (its named graph and the shared facts it makes)."""
    graph = _N(ns.source_graph_iri(source_id))
    facts: dict[Term, dict[str, list[Term]]] = {}
    own: set[ox.Quad] = set()
    relation_of: dict[Term, Term] = {}
    relation = _v("relation")
    for q in quads:
        if q.graph_name == graph:
            own.add(q)
        elif q.predicate == relation:
            relation_of[q.subject] = q.object
    for q in own:  # each quad once, as a store keeps it
        name = q.predicate.value.removeprefix(ns.MEDKG_VOCAB)
        facts.setdefault(q.subject, {}).setdefault(name, []).append(q.object)
    typed = {s: {str(t) for t in f.get(ns.RDF + "type", [])} for s, f in facts.items()}
    assertions = [s for s, types in typed.items() if f"<{ns.MEDKG_VOCAB}Assertion>" in types]
    cells: Counter[tuple[Term, ...]] = Counter()
    marginals: dict[str, Counter[Term]] = {name: Counter() for name in MARGINALS}
    for node in assertions:
        f = facts[node]
        agents = [k for a in f.get("attributedTo", []) for k in facts.get(a, {}).get("agentKind", [])]
        cells[(f["support"][0], f["certainty"][0], f["polarity"][0], relation_of[f["proposition"][0]])] += 1
        marginals["evidenceLevel"][f["evidenceLevel"][0]] += 1
        marginals["stance"][f["stance"][0]] += 1
        marginals["attribution"][agents[0] if agents else _SELF] += 1
    counts = _N(statistics_iri(source_id))
    g = STATISTICS_GRAPH
    yield ox.Quad(_N(ns.STATISTICS), _SUBSET, counts, g)
    yield ox.Quad(counts, _TYPE, _N(ns.VOID + "Dataset"), g)
    yield ox.Quad(counts, _TYPE, _N(ns.QB + "DataSet"), g)
    yield ox.Quad(counts, _N(ns.QB + "structure"), _v("assertionCounts"), g)
    yield ox.Quad(counts, STATISTICS_OF, _N(ns.source_iri(source_id)), g)
    yield ox.Quad(counts, _N(ns.VOID + "triples"), _integer(len(own)), g)
    yield ox.Quad(counts, ASSERTION_COUNT, _integer(len(assertions)), g)
    propositions = {facts[a]["proposition"][0] for a in assertions}
    yield ox.Quad(counts, _v("propositionCount"), _integer(len(propositions)), g)
    chains = [s for s, types in typed.items() if f"<{ns.MEDKG_VOCAB}Chain>" in types]
    yield ox.Quad(counts, CHAIN_COUNT, _integer(len(chains)), g)
    hedges = sum(len(facts[a].get("hedge", [])) for a in assertions)
    yield ox.Quad(counts, _v("hedgeCount"), _integer(hedges), g)
    for key in sorted(cells, key=lambda k: [str(t) for t in k]):
        cell = _N(f"{counts.value}#cell-{ns.content_hash(*(str(t) for t in key))}")
        yield ox.Quad(cell, _DATA_SET, counts, g)
        for prop, value in zip((DIMENSIONS[d] for d in JOINT), key, strict=True):
            yield ox.Quad(cell, prop, value, g)
        yield ox.Quad(cell, ASSERTION_COUNT, _integer(cells[key]), g)
    for name, structure in MARGINALS.items():
        prop = DIMENSIONS[name]
        marginal = _N(f"{counts.value}/{name}")
        yield ox.Quad(marginal, _N(ns.QB + "structure"), structure, g)
        yield ox.Quad(marginal, STATISTICS_OF, _N(ns.source_iri(source_id)), g)
        for value in sorted(marginals[name], key=str):
            cell = _N(f"{marginal.value}#cell-{ns.content_hash(str(value))}")
            yield ox.Quad(cell, _DATA_SET, marginal, g)
            yield ox.Quad(cell, prop, value, g)
            yield ox.Quad(cell, ASSERTION_COUNT, _integer(marginals[name][value]), g)
    # The chains, in a data set of their own (a cube's every cell has every dimension and measure):
    # per evidence level and stance, which claims-by-evidence-level and claims-by-stance read.
    chain_cells = Counter((facts[c]["evidenceLevel"][0], facts[c]["stance"][0]) for c in chains)
    # No rdf:type: the domains of qb:structure and qb:dataSet make them a qb:DataSet and qb:Observations.
    chain_set = _N(chain_statistics_iri(source_id))
    yield ox.Quad(chain_set, _N(ns.QB + "structure"), _v("chainCounts"), g)
    for key in sorted(chain_cells, key=lambda k: [str(t) for t in k]):
        cell = _N(f"{chain_set.value}#cell-{ns.content_hash(*(str(t) for t in key))}")
        yield ox.Quad(cell, _DATA_SET, chain_set, g)
        yield ox.Quad(cell, DIMENSIONS["evidenceLevel"], key[0], g)
        yield ox.Quad(cell, DIMENSIONS["stance"], key[1], g)
        yield ox.Quad(cell, CHAIN_COUNT, _integer(chain_cells[key]), g)


def stored_statistics(store: ox.Store, source_id: str) -> list[ox.Quad]:
    """One source's statistics as a store holds them."""
    counts = _N(statistics_iri(source_id))
    sets = (
        [counts]
        + [_N(f"{counts.value}/{name}") for name in MARGINALS]
        + [_N(chain_statistics_iri(source_id))]
    )
    cells = [q.subject for s in sets for q in store.quads_for_pattern(None, _DATA_SET, s, STATISTICS_GRAPH)]
    quads = [
        q for node in [*sets, *cells] for q in store.quads_for_pattern(node, None, None, STATISTICS_GRAPH)
    ]
    return quads + list(store.quads_for_pattern(_N(ns.STATISTICS), _SUBSET, sets[0], STATISTICS_GRAPH))


def remove_source_statistics(store: ox.Store, source_id: str) -> None:
    """Take one source's statistics out of a store (``remove``, and ``add`` replacing a source)."""
    for q in stored_statistics(store, source_id):
        store.remove(q)
