"""Statistics kept at build time (issue 14): after a build, a bulk build, ``add`` and ``remove`` they equal a
full recount, made by the aggregates over every assertion that ``stats``, ``sources`` and
``source-profile`` ran before (kept as the recount in tests/fixtures/recount/ and below)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from graph_builder.core import namespaces as ns
from graph_builder.core.paths import ANNOTATIONS_DIR, QUERIES_DIR
from graph_builder.ingest.annotations import load_annotations
from graph_builder.kg.build import build_store
from graph_builder.kg.statistics import STATISTICS_GRAPH, statistics_iri
from graph_builder.quality.stats import GraphStats, graph_stats
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


def assert_statistics_equal_a_recount(store: ox.Store) -> None:
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


def test_the_bulk_build_keeps_the_same_statistics(tmp_path: Path) -> None:
    build_corpus_store(FILES, tmp_path / "store", workers=1)
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
