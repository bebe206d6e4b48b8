"""claims-by-evidence-level and claims-by-stance read the statistics kept at build time: their rows equal
those of the old queries that counted every assertion and chain (tests/fixtures/recount/), on the seed,
on the example corpus, and after sources are added and removed."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from graph_builder.core.paths import ANNOTATIONS_DIR, QUERIES_DIR
from graph_builder.ingest.annotations import load_annotations
from graph_builder.kg.statistics import STATISTICS_GRAPH
from graph_builder.sparql.runner import run_sparql
from graph_builder.store.corpus import add_annotations, new_store, remove_source

RECOUNT = Path(__file__).parent.parent / "fixtures" / "recount"
AGGREGATES = ("claims-by-evidence-level", "claims-by-stance")


def assert_aggregates_equal_a_recount(store: ox.Store) -> None:
    for name in AGGREGATES:
        kept = run_sparql((QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8"), store)
        counted = run_sparql((RECOUNT / f"{name}.rq").read_text(encoding="utf-8"), store)
        assert (kept.variables, kept.rows) == (counted.variables, counted.rows), name


def test_the_aggregates_equal_a_recount_on_the_seed(seed_store: ox.Store) -> None:
    assert_aggregates_equal_a_recount(seed_store)


def test_the_aggregates_equal_a_recount_on_the_example_corpus(corpus_store: ox.Store) -> None:
    assert_aggregates_equal_a_recount(corpus_store)
    rows = run_sparql((QUERIES_DIR / "claims-by-evidence-level.rq").read_text(encoding="utf-8"), corpus_store)
    assert sum(int(str(c)) for c in rows.column("chains")) >= 2  # chains are counted, not only assertions


def test_the_aggregates_equal_a_recount_after_add_and_remove() -> None:
    annotations = load_annotations(sorted(ANNOTATIONS_DIR.glob("*.yaml")))
    store = new_store(None)
    add_annotations(store, annotations[:3])
    assert_aggregates_equal_a_recount(store)
    add_annotations(store, annotations[3:])
    assert_aggregates_equal_a_recount(store)
    removed = 0
    for ann in annotations:
        try:
            remove_source(store, ann.source.id)
        except ValueError:  # another source needs an entity only this one defines
            continue
        removed += 1
        assert_aggregates_equal_a_recount(store)
    assert removed


@pytest.mark.parametrize("name", AGGREGATES)
def test_the_aggregates_read_the_statistics_not_the_assertions(corpus_store: ox.Store, name: str) -> None:
    """Without the statistics graph every count is zero: the query never counts an assertion itself."""
    store = ox.Store()
    store.extend(q for q in corpus_store if q.graph_name != STATISTICS_GRAPH)
    rows = run_sparql((QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8"), store)
    assert rows.rows and {(r["assertions"], r["chains"]) for r in rows.to_records()} == {(0, 0)}
