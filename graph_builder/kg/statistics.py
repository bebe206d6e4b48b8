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


#: A tally of counts (:func:`tally`): (data set, measure, dimension values…) → count. The data set is
#: "" for a source's statistics (or the store's totals) and one of :data:`SUBSETS` for the data sets
#: beside it; the values are IRIs, in the order of the data set's dimensions (:data:`SUBSET_DIMENSIONS`).
#: A key with no values is a measure of the data set itself (``("", "assertionCount")``).
Tally = Counter[tuple[str, ...]]
#: The dimensions of the cells of each data set, in the order of a tally's key.
SUBSET_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "": JOINT,
    **{name: (name,) for name in MARGINALS},
    "chains": ("evidenceLevel", "stance"),
}
SUBSETS = tuple(name for name in SUBSET_DIMENSIONS if name)
#: The measures a source's statistics and the store's totals both carry, summed over sources.
ADDITIVE = ("assertionCount", "chainCount", "hedgeCount")
_STRUCTURES = {
    "": "assertionCounts",
    **{n: s.value.removeprefix(ns.MEDKG_VOCAB) for n, s in MARGINALS.items()},
}
_STRUCTURES["chains"] = "chainCounts"
_MEASURES = {name: "chainCount" if name == "chains" else "assertionCount" for name in SUBSET_DIMENSIONS}


def _iri(term: Term) -> str:
    """A dimension's value in a tally: the IRI of a concept."""
    assert isinstance(term, ox.NamedNode), term
    return term.value


def _cube(base: str, counts: Tally) -> Iterator[ox.Quad]:
    """The cells of a tally as Data Cube observations of the data set ``base`` and those beside it
    (``base/evidenceLevel``, …): one rule for a source's statistics and the store's totals. A data set
    is written with its structure whether or not it has cells; a cell only for a count above zero."""
    g = STATISTICS_GRAPH
    for name, dimensions in SUBSET_DIMENSIONS.items():
        data_set = _N(f"{base}/{name}" if name else base)
        yield ox.Quad(data_set, _N(ns.QB + "structure"), _v(_STRUCTURES[name]), g)
        measure = _v(_MEASURES[name])
        cells = sorted(k for k, n in counts.items() if n > 0 and k[0] == name and len(k) > 2)
        for key in cells:
            values = key[2:]
            cell = _N(f"{data_set.value}#cell-{ns.content_hash(*(f'<{v}>' for v in values))}")
            yield ox.Quad(cell, _DATA_SET, data_set, g)
            for dimension, value in zip(dimensions, values, strict=True):
                yield ox.Quad(cell, DIMENSIONS[dimension], _N(value), g)
            yield ox.Quad(cell, measure, _integer(counts[key]), g)


#: The predicates of a source's graph that its counts read, each with the name ``source_statistics``
#: files its values under; the others are not filed (filing every quad took a third of its time). A
#: name read there and missing here changes the counts (tests/kg/test_statistics.py fails then).
_COUNTED = {
    _TYPE: ns.RDF + "type",
    **{
        _v(name): name
        for name in (
            "support",
            "certainty",
            "polarity",
            "proposition",
            "evidenceLevel",
            "stance",
            "attributedTo",
            "agentKind",
            "hedge",
        )
    },
}


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
        name = _COUNTED.get(q.predicate)
        if name is not None:
            facts.setdefault(q.subject, {}).setdefault(name, []).append(q.object)
    typed = {s: {str(t) for t in f.get(ns.RDF + "type", [])} for s, f in facts.items()}
    assertions = [s for s, types in typed.items() if f"<{ns.MEDKG_VOCAB}Assertion>" in types]
    chains = [s for s, types in typed.items() if f"<{ns.MEDKG_VOCAB}Chain>" in types]
    counts: Tally = Counter()
    for node in assertions:
        f = facts[node]
        agents = [k for a in f.get("attributedTo", []) for k in facts.get(a, {}).get("agentKind", [])]
        joint = (f["support"][0], f["certainty"][0], f["polarity"][0], relation_of[f["proposition"][0]])
        counts[("", "assertionCount", *(_iri(t) for t in joint))] += 1
        counts[("evidenceLevel", "assertionCount", _iri(f["evidenceLevel"][0]))] += 1
        counts[("stance", "assertionCount", _iri(f["stance"][0]))] += 1
        counts[("attribution", "assertionCount", _iri(agents[0] if agents else _SELF))] += 1
    # The chains, in a data set of their own (a cube's every cell has every dimension and measure):
    # per evidence level and stance, which claims-by-evidence-level and claims-by-stance read.
    for c in chains:
        counts[("chains", "chainCount", _iri(facts[c]["evidenceLevel"][0]), _iri(facts[c]["stance"][0]))] += 1
    counts[("", "assertionCount")] = len(assertions)
    counts[("", "chainCount")] = len(chains)
    counts[("", "hedgeCount")] = sum(len(facts[a].get("hedge", [])) for a in assertions)
    base = statistics_iri(source_id)
    data_set = _N(base)
    source = _N(ns.source_iri(source_id))
    g = STATISTICS_GRAPH
    yield ox.Quad(_N(ns.STATISTICS), _SUBSET, data_set, g)
    yield ox.Quad(data_set, _TYPE, _N(ns.VOID + "Dataset"), g)
    yield ox.Quad(data_set, _TYPE, _N(ns.QB + "DataSet"), g)
    yield ox.Quad(data_set, STATISTICS_OF, source, g)
    yield ox.Quad(data_set, _N(ns.VOID + "triples"), _integer(len(own)), g)
    for measure in ADDITIVE:
        yield ox.Quad(data_set, _v(measure), _integer(counts[("", measure)]), g)
    propositions = {facts[a]["proposition"][0] for a in assertions}
    yield ox.Quad(data_set, _v("propositionCount"), _integer(len(propositions)), g)
    # No rdf:type on the data sets beside it: the domains of qb:structure and qb:dataSet make them
    # qb:DataSets and their cells qb:Observations.
    for name in MARGINALS:
        yield ox.Quad(_N(f"{base}/{name}"), STATISTICS_OF, source, g)
    yield from _cube(base, counts)


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


# --- The store's totals ---------------------------------------------------------------------------
# <https://w3id.org/medkg/statistics> is also a qb:DataSet of the same structure as a source's: its
# cells, and those of the data sets beside it (…/statistics/evidenceLevel, /stance, /attribution,
# /chains), count every source's assertions and chains together, so that ``medkg stats`` and the
# aggregate queries read a few cells however many sources there are. Every path that writes a store
# keeps them: a build writes the sum of its sources' tallies, ``add`` adds those of the sources it
# adds and ``remove`` takes away those of the sources it removes (docs/data-model.md, Statistics).

_TOTALS = _N(ns.STATISTICS)
_SOURCE_STATISTICS = f"{ns.STATISTICS}/source/"


def _split(iri: str, base: str | None) -> tuple[str, str] | None:
    """(base, data set name) of a data set IRI: a source's (``base`` None) or the totals' (``base``)."""
    if "#" in iri:  # a cell
        return None
    if base is None:
        if not iri.startswith(_SOURCE_STATISTICS):
            return None
        source_id, _, name = iri[len(_SOURCE_STATISTICS) :].partition("/")
        base = _SOURCE_STATISTICS + source_id
    elif iri == base or iri.startswith(base + "/"):
        name = iri[len(base) + 1 :]
    else:
        return None
    return (base, name) if name in SUBSET_DIMENSIONS else None


def _read(quads: Iterable[ox.Quad], base: str | None) -> tuple[Tally, list[str]]:
    """The counts of statistics quads as a tally, and what in them is not a well-formed count.

    ``base`` None reads every source's statistics (their sum); else the data sets at ``base``."""
    cells: dict[Term, dict[ox.NamedNode, list[Term]]] = {}
    sets: dict[Term, str] = {}
    for q in quads:
        if q.graph_name != STATISTICS_GRAPH:
            continue
        cells.setdefault(q.subject, {}).setdefault(q.predicate, []).append(q.object)
        if q.predicate == _DATA_SET and isinstance(q.object, ox.NamedNode):
            split = _split(q.object.value, base)
            if split is not None:
                sets[q.subject] = split[1]
    counts: Tally = Counter()
    wrong: list[str] = []

    def integer(node: Term, prop: ox.NamedNode) -> int | None:
        values = cells[node].get(prop, [])
        if len(values) != 1 or not isinstance(values[0], ox.Literal) or not values[0].value.isdigit():
            wrong.append(f"{node}: expected one {prop.value.removeprefix(ns.MEDKG_VOCAB)}, found {values}")
            return None
        return int(values[0].value)

    for node in cells:
        if isinstance(node, ox.NamedNode) and (split := _split(node.value, base)) and not split[1]:
            for measure in ADDITIVE:
                n = integer(node, _v(measure))
                counts[("", measure)] += n or 0
    for cell, name in sets.items():
        values = []
        for dimension in SUBSET_DIMENSIONS[name]:
            found = cells[cell].get(DIMENSIONS[dimension], [])
            if len(found) != 1 or not isinstance(found[0], ox.NamedNode):
                wrong.append(f"{cell}: expected one {dimension}, found {found}")
                break
            values.append(found[0].value)
        else:
            n = integer(cell, _v(_MEASURES[name]))
            if n is not None:
                counts[(name, _MEASURES[name], *values)] += n
    return counts, wrong


def tally(quads: Iterable[ox.Quad]) -> Tally:
    """The counts of the sources' statistics among ``quads`` (one source's quads, as ``iter_quads``
    makes them, or a store's statistics graph: the sum over its sources), as a tally to add up.

    >>> from graph_builder.ingest.annotations import load_annotation
    >>> from graph_builder.core.paths import SEED_ANNOTATION
    >>> from graph_builder.kg.rdf import iter_quads
    >>> seed = load_annotation(SEED_ANNOTATION)
    >>> counts = tally(iter_quads(seed))
    >>> counts[("", "assertionCount")] == len(seed.claims), counts[("", "chainCount")]
    (True, 1)
    """
    return _read(quads, None)[0]


def total_statistics(counts: Tally) -> Iterator[ox.Quad]:
    """The quads of the store's totals: ``counts`` (a sum of tallies) as the data set
    ``<https://w3id.org/medkg/statistics>`` and those beside it; none when nothing is counted (a store
    with no source has no totals, as a new one: ``add`` then ``remove`` leaves a store as it was)."""
    if not any(n > 0 for n in counts.values()):
        return
    g = STATISTICS_GRAPH
    yield ox.Quad(_TOTALS, _TYPE, _N(ns.QB + "DataSet"), g)
    for measure in ADDITIVE:
        yield ox.Quad(_TOTALS, _v(measure), _integer(counts[("", measure)]), g)
    yield from _cube(ns.STATISTICS, counts)


def total_quads(store: ox.Store) -> list[ox.Quad]:
    """The quads of the store's totals, as it holds them (none in a store built before they were kept)."""
    sets = [_TOTALS, *(_N(f"{ns.STATISTICS}/{name}") for name in SUBSETS)]
    cells = [q.subject for s in sets for q in store.quads_for_pattern(None, _DATA_SET, s, STATISTICS_GRAPH)]
    return [
        q
        for node in [*sets, *cells]
        for q in store.quads_for_pattern(node, None, None, STATISTICS_GRAPH)
        if q.predicate != _SUBSET  # the totals' void:subset links are each source's statistics
    ]


def stored_totals(store: ox.Store) -> Tally | None:
    """The store's totals, or None when it has none (built before they were kept) or they do not hold
    together: a count that is not one integer, a cell without its dimensions, or a data set whose
    cells do not add up to the totals' assertion (or chain) count. What ``add`` and ``remove`` then
    do is sum them again from the sources' statistics (a total that was changed consistently is
    found by the check ``qa/statistics-totals-differ``)."""
    quads = total_quads(store)
    counts, wrong = _read(quads, ns.STATISTICS)
    if wrong or not any(q.subject == _TOTALS and q.predicate == ASSERTION_COUNT for q in quads):
        return None
    for name in SUBSET_DIMENSIONS:
        measure = _MEASURES[name]
        cells = sum(n for k, n in counts.items() if k[0] == name and len(k) > 2)
        if cells != counts[("", measure)]:
            return None
    return counts


def replace_totals(store: ox.Store, counts: Tally) -> None:
    """Make the store's totals ``counts``: its totals' quads removed, and those of ``counts`` written."""
    for q in total_quads(store):
        store.remove(q)
    store.extend(total_statistics(counts))


def recounted_totals(store: ox.Store) -> Tally:
    """The totals as the sum of the sources' statistics: a store built before totals were kept, or one
    whose totals do not hold together. Reads every source's statistics."""
    return tally(store.quads_for_pattern(None, None, None, STATISTICS_GRAPH))


def counts_by(counts: Tally, dimension: str) -> Counter[str]:
    """Assertions per value of one dimension (an IRI), from a tally: the data set that counts it alone,
    else the joint cube summed over the other dimensions."""
    if dimension in MARGINALS:
        return Counter({k[2]: n for k, n in counts.items() if k[0] == dimension and len(k) == 3 and n > 0})
    at = 2 + JOINT.index(dimension)
    out: Counter[str] = Counter()
    for key, n in counts.items():
        if key[0] == "" and len(key) > 2 and n > 0:
            out[key[at]] += n
    return out
