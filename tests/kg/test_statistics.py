"""Statistics kept at build time (issue 14): after a build, a bulk build, ``add`` and ``remove`` they equal a
full recount, made by the aggregates over every assertion that ``stats``, ``sources`` and
``source-profile`` ran before (kept as the recount in tests/fixtures/recount/ and below)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from graph_builder.core import namespaces as ns
from graph_builder.core.paths import ANNOTATIONS_DIR, QUERIES_DIR
from graph_builder.ingest.annotations import load_annotations
from graph_builder.kg.build import build_store
from graph_builder.kg.statistics import (
    STATISTICS_GRAPH,
    Tally,
    statistics_iri,
    stored_totals,
    total_quads,
)
from graph_builder.quality.stats import GraphStats, graph_stats
from graph_builder.quality.validate import totals_violations
from graph_builder.sparql.runner import run_sparql
from graph_builder.store.bulk import build_corpus_store
from graph_builder.store.corpus import add_annotations, new_store, open_store, remove_source

FILES = sorted(ANNOTATIONS_DIR.glob("*.yaml"))
ANNOTATIONS = load_annotations(FILES)
RECOUNT = Path(__file__).parent.parent / "fixtures" / "recount"


def _rows(store: ox.Store, sparql: str) -> list[dict[str, Any]]:
    return run_sparql(sparql, store).to_records()


def _per_level(store: ox.Store, prop: str, scheme: str) -> tuple[tuple[int, str, int], ...]:
    sparql = f"""SELECT ?rank ?label (COUNT(?a) AS ?n) WHERE {{
        ?level skos:inScheme {scheme} ; medkg:rank ?rank ; skos:prefLabel ?label .
        OPTIONAL {{ ?a {prop} ?level ; a medkg:Assertion }}
      }} GROUP BY ?rank ?label ORDER BY ?rank"""
    return tuple((int(r["rank"]), str(r["label"]), int(r["n"])) for r in _rows(store, sparql))


def _per_value(store: ox.Store, path: str, label: str) -> tuple[tuple[str, int], ...]:
    sparql = f"""SELECT ?label (COUNT(?a) AS ?n) WHERE {{
        ?a a medkg:Assertion ; {path} ?v . ?v {label} ?label .
      }} GROUP BY ?label ORDER BY DESC(?n) ?label"""
    return tuple((str(r["label"]), int(r["n"])) for r in _rows(store, sparql))


def _instances(store: ox.Store, cls: str) -> int:
    return int(_rows(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a {cls} }}")[0]["n"])


def recount(store: ox.Store) -> GraphStats:
    """``medkg stats`` as it was computed before statistics were kept: every assertion read."""
    return GraphStats(
        triples=len(store),
        sources=_instances(store, "medkg:SourceDocument"),
        entities=_instances(store, "medkg:Entity"),
        propositions=_instances(store, "medkg:Proposition"),
        assertions=_instances(store, "medkg:Assertion"),
        chains=_instances(store, "medkg:Chain"),
        by_evidence=_per_level(store, "medkg:evidenceLevel", "evidence:scheme"),
        by_relation=_per_value(store, "medkg:proposition/medkg:relation", "rdfs:label"),
        by_stance=_per_value(store, "medkg:stance", "skos:prefLabel"),
        by_support=_per_level(store, "medkg:support", "support:scheme"),
        by_certainty=_per_level(store, "medkg:certainty", "certainty:scheme"),
        by_polarity=_per_value(store, "medkg:polarity", "skos:prefLabel"),
    )


def _counted(store: ox.Store, key: str, sparql: str) -> Tally:
    """Counts grouped by the selected IRIs (all but ?n, in order), under the tally key ``key``."""
    result = store.query(ns.sparql_prefixes() + sparql, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables if v.value != "n"]
    measure = "chainCount" if key == "chains" else "assertionCount"
    return Counter({(key, measure, *(row[v].value for v in names)): int(row["n"].value) for row in result})


def recount_totals(store: ox.Store) -> Tally:
    """The store's totals counted from every assertion and chain, as a tally (what the totals hold)."""
    counts = _counted(
        store,
        "",
        """SELECT ?s ?c ?p ?r (COUNT(?a) AS ?n) WHERE { ?a a medkg:Assertion ; medkg:support ?s ;
             medkg:certainty ?c ; medkg:polarity ?p ; medkg:proposition/medkg:relation ?r } GROUP BY ?s ?c ?p ?r""",
    )
    for key, prop in (("evidenceLevel", "medkg:evidenceLevel"), ("stance", "medkg:stance")):
        sparql = f"SELECT ?v (COUNT(?a) AS ?n) WHERE {{ ?a a medkg:Assertion ; {prop} ?v }} GROUP BY ?v"
        counts += _counted(store, key, sparql)
    counts += _counted(
        store,
        "attribution",
        """SELECT ?v (COUNT(?a) AS ?n) WHERE { ?a a medkg:Assertion .
             OPTIONAL { ?a medkg:attributedTo/medkg:agentKind ?kind } BIND(COALESCE(?kind, agenttype:self) AS ?v)
           } GROUP BY ?v""",
    )
    counts += _counted(
        store,
        "chains",
        "SELECT ?e ?s (COUNT(?c) AS ?n) WHERE { ?c a medkg:Chain ; medkg:evidenceLevel ?e ; medkg:stance ?s } GROUP BY ?e ?s",
    )
    counts[("", "assertionCount")] = _instances(store, "medkg:Assertion")
    counts[("", "chainCount")] = _instances(store, "medkg:Chain")
    hedges = "SELECT (COUNT(?h) AS ?n) WHERE { ?a a medkg:Assertion ; medkg:hedge ?h }"
    counts[("", "hedgeCount")] = int(_rows(store, hedges)[0]["n"])
    return counts


def assert_statistics_equal_a_recount(store: ox.Store) -> None:
    assert (stored_totals(store) or Counter()) == recount_totals(store)  # a store of no claims has none
    assert dataclasses.astuple(graph_stats(store)) == dataclasses.astuple(recount(store))
    for name in ("sources", "source-profile"):
        kept = run_sparql((QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8"), store)
        counted = run_sparql((RECOUNT / f"{name}.rq").read_text(encoding="utf-8"), store)
        assert (kept.variables, kept.rows) == (counted.variables, counted.rows), name


def _statistics(store: ox.Store) -> set[ox.Quad]:
    return set(store.quads_for_pattern(None, None, None, STATISTICS_GRAPH))


def test_the_recount_sees_a_wrong_count() -> None:
    store = build_store(ANNOTATIONS)
    assert_statistics_equal_a_recount(store)
    counts = ox.NamedNode(statistics_iri(ANNOTATIONS[0].source.id))
    chains = ox.NamedNode(ns.MEDKG_VOCAB + "chainCount")
    for q in list(store.quads_for_pattern(counts, chains, None, STATISTICS_GRAPH)):
        store.remove(q)
    seven = ox.Literal("7", datatype=ox.NamedNode(ns.XSD + "integer"))
    store.add(ox.Quad(counts, chains, seven, STATISTICS_GRAPH))
    with pytest.raises(AssertionError):
        assert_statistics_equal_a_recount(store)


def test_statistics_equal_a_recount_after_add_and_remove() -> None:
    store = new_store(None)
    add_annotations(store, ANNOTATIONS[:3])
    assert_statistics_equal_a_recount(store)
    add_annotations(store, ANNOTATIONS[3:])
    assert_statistics_equal_a_recount(store)
    assert _statistics(store) == _statistics(build_store(ANNOTATIONS))
    add_annotations(store, ANNOTATIONS[:1])  # replaced by itself
    assert _statistics(store) == _statistics(build_store(ANNOTATIONS))
    removed = []
    for ann in ANNOTATIONS:
        try:
            remove_source(store, ann.source.id)
        except ValueError:  # another source needs an entity only this one defines
            continue
        removed.append(ann.source.id)
        assert_statistics_equal_a_recount(store)
    assert removed
    kept = [a for a in ANNOTATIONS if a.source.id not in removed]
    assert _statistics(store) == _statistics(build_store(kept))


@pytest.mark.parametrize("workers", [1, 2])
def test_the_bulk_build_keeps_the_same_statistics(tmp_path: Path, workers: int) -> None:
    build_corpus_store(FILES, tmp_path / "store", workers=workers)
    store = open_store(tmp_path / "store", read_only=True)
    assert _statistics(store) == _statistics(build_store(ANNOTATIONS))
    assert_statistics_equal_a_recount(store)


def test_the_cube_is_a_joint_cube_and_three_marginals() -> None:
    """The shape docs/data-model.md gives: joint cells over support, certainty, polarity and relation;
    evidence level, stance and attribution counted alone, each summing to the source's assertions; no
    rdf:type on a cell (qb:dataSet's domain says it is a qb:Observation)."""
    store = build_store(ANNOTATIONS)
    stats = _statistics(store)
    assert not [q for q in stats if q.object == ox.NamedNode(ns.QB + "Observation")]
    v = ns.MEDKG_VOCAB
    joint = {v + p for p in ("bySupport", "byCertainty", "byPolarity", "byRelation")}
    for ann in ANNOTATIONS:
        counts = statistics_iri(ann.source.id)
        sets = {counts: joint} | {
            f"{counts}/{name}": {v + "by" + name[0].upper() + name[1:]}
            for name in ("evidenceLevel", "stance", "attribution")
        }
        for data_set, dims in sets.items():
            in_set = ox.NamedNode(ns.QB + "dataSet")
            cells = {q.subject for q in stats if q.predicate == in_set and q.object == ox.NamedNode(data_set)}
            assert cells, data_set
            total = 0
            for cell in cells:
                props = {q.predicate.value: q.object for q in stats if q.subject == cell}
                assert set(props) == dims | {ns.QB + "dataSet", v + "assertionCount"}, data_set
                total += int(props[v + "assertionCount"].value)
            assert total == len(ann.claims), data_set


def _totals_cells(store: ox.Store, name: str) -> list[ox.NamedNode]:
    data_set = ox.NamedNode(f"{ns.STATISTICS}/{name}")
    in_set = ox.NamedNode(ns.QB + "dataSet")
    cells = [q.subject for q in store.quads_for_pattern(None, in_set, data_set, STATISTICS_GRAPH)]
    return sorted((c for c in cells if isinstance(c, ox.NamedNode)), key=str)


def _add_to_count(store: ox.Store, cell: ox.NamedNode, delta: int) -> None:
    count = ox.NamedNode(ns.MEDKG_VOCAB + "assertionCount")
    (quad,) = store.quads_for_pattern(cell, count, None, STATISTICS_GRAPH)
    store.remove(quad)
    n = ox.Literal(str(int(quad.object.value) + delta), datatype=ox.NamedNode(ns.XSD + "integer"))  # type: ignore[union-attr]
    store.add(ox.Quad(cell, count, n, STATISTICS_GRAPH))


def test_every_build_path_writes_the_totals() -> None:
    """The store's totals are there after a build and add (the recount helper counts assertions)."""
    store = build_store(ANNOTATIONS)
    totals = stored_totals(store)
    assert totals is not None and totals == recount_totals(store)
    assert totals[("", "assertionCount")] == sum(len(a.claims) for a in ANNOTATIONS)
    assert _totals_cells(store, "evidenceLevel") and _totals_cells(store, "chains")


def test_totals_that_do_not_add_up_are_summed_again_by_the_next_add() -> None:
    """One count of the totals changed, so that its data set no longer adds up to the total number of
    assertions: the totals are not read, and ``add`` sums them again from the sources' statistics."""
    store = new_store(None)
    add_annotations(store, ANNOTATIONS[:-1])
    _add_to_count(store, _totals_cells(store, "evidenceLevel")[0], 5)
    assert stored_totals(store) is None
    add_annotations(store, ANNOTATIONS[-1:])
    assert_statistics_equal_a_recount(store)


def test_a_store_built_before_totals_were_kept_gets_them_on_remove() -> None:
    """Without totals ``medkg stats`` sums the sources' statistics; the first ``remove`` writes them."""
    store = build_store(ANNOTATIONS)
    for q in total_quads(store):
        store.remove(q)
    assert stored_totals(store) is None
    assert not _totals_cells(store, "stance")
    assert dataclasses.astuple(graph_stats(store)) == dataclasses.astuple(recount(store))
    for ann in reversed(ANNOTATIONS):
        try:
            remove_source(store, ann.source.id)
        except ValueError:  # another source needs an entity only this one defines
            continue
        break
    assert_statistics_equal_a_recount(store)


def test_validate_finds_totals_changed_so_that_they_still_add_up() -> None:
    """One assertion moved from one evidence level's cell of the totals to another's: the totals still
    add up, ``add`` and ``remove`` would carry the error on, and the check against the sources'
    statistics names both cells."""
    store = build_store(ANNOTATIONS)
    assert totals_violations(store) == []
    first, second = _totals_cells(store, "evidenceLevel")[:2]
    _add_to_count(store, first, -1)
    _add_to_count(store, second, 1)
    assert stored_totals(store) is not None
    found = totals_violations(store)
    assert len(found) == 2 and {v.focus for v in found} == {"https://w3id.org/medkg/statistics/evidenceLevel"}
    assert sorted(v.value for v in found) == sorted(
        str(recount_totals(store)[k] + d) for k, d in zip(_keys(store, first, second), (-1, 1), strict=True)
    )


def _keys(store: ox.Store, *cells: ox.NamedNode) -> list[tuple[str, ...]]:
    level = ox.NamedNode(ns.MEDKG_VOCAB + "byEvidenceLevel")
    return [
        ("evidenceLevel", "assertionCount", next(store.quads_for_pattern(c, level, None)).object.value)  # type: ignore[union-attr]
        for c in cells
    ]
