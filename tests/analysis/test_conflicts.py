"""The conflict rule of the projection: pair by pair, against a reading of every pair, on the shipped corpus,
and against the named query ``conflicts`` (on the corpus and on shuffled variants of it)."""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest

from graph_builder.analysis.conflicts import (
    DISCLAIMED,
    KINDS,
    POLARITY,
    SUPPORT,
    Stand,
    conflict,
    disagreement,
)
from graph_builder.analysis.network import to_networkx
from graph_builder.core import namespaces as ns
from graph_builder.core.vocabulary import load_vocabulary
from graph_builder.sparql.runner import run_query

SUPPORTS = {slug: term.rank for slug, term in load_vocabulary().supports.items()}


def _stand(source: str, polarity: str, support: str) -> Stand:
    return Stand(source, polarity, support, SUPPORTS[support])


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (("affirmed", "none-stated"), ("affirmed", "none-stated"), None),
        (("affirmed", "none-stated"), ("negated", "none-stated"), POLARITY),
        (("affirmed", "disclaimed"), ("negated", "systematic-reviews"), POLARITY),  # polarity comes first
        (("affirmed", "disclaimed"), ("affirmed", "none-stated"), DISCLAIMED),  # ranks only 1 apart
        (("affirmed", "disclaimed"), ("affirmed", "attributed"), DISCLAIMED),
        (("affirmed", "disclaimed"), ("affirmed", "disclaimed"), None),
        (("affirmed", "none-stated"), ("affirmed", "attributed"), None),  # 1 apart
        (("affirmed", "none-stated"), ("affirmed", "case-reports"), SUPPORT),  # 2 apart
        (("negated", "none-stated"), ("negated", "case-reports"), None),  # two denials agree
        (("negated", "disclaimed"), ("negated", "none-stated"), None),
    ],
)
def test_each_kind_of_conflict(a: tuple[str, str], b: tuple[str, str], expected: str | None) -> None:
    x, y = _stand("urn:a", *a), _stand("urn:b", *b)
    assert disagreement(x, y) == disagreement(y, x) == expected
    assert conflict([x, y]) == conflict([y, x]) == ([] if expected is None else [expected])
    # The same two stands from one source are no conflict: sources conflict, not a source with itself.
    assert conflict([x, y._replace(source="urn:a")]) == []


def test_conflict_is_every_pair_of_different_sources_read_by_disagreement() -> None:
    """:func:`conflict` compares distinct stands; read literally, the rule compares every pair."""

    def every_pair(stands: list[Stand]) -> list[str]:
        kinds = {disagreement(a, b) for a, b in itertools.combinations(stands, 2) if a.source != b.source}
        return [k for k in KINDS if k in kinds]

    rng = random.Random(11)
    seen = set()
    for _ in range(3000):
        stands = [
            _stand(
                rng.choice(["urn:a", "urn:b", "urn:c"]),
                rng.choice(["affirmed", "negated"]),
                rng.choice(sorted(SUPPORTS)),
            )
            for _ in range(rng.randint(0, 6))
        ]
        assert conflict(stands) == every_pair(stands), stands
        seen.add(tuple(conflict(stands)))
    assert len(seen) == 8  # every combination of the three kinds came up


@pytest.fixture(scope="module")
def corpus_graph(corpus_store: ox.Store) -> nx.MultiDiGraph:
    return to_networkx(corpus_store)


def _stated(graph: nx.MultiDiGraph, subject: str, relation: str, object_: str) -> dict[str, Any]:
    """Each source's assertion of ``subject relation object``, by source id."""
    return {
        d["source"].removeprefix(ns.SOURCE): d
        for u, v, d in graph.edges(data=True)
        if (u, d["relation"], v) == (ns.ENTITY + subject, relation, ns.ENTITY + object_)
    }


def test_ice_against_heat_is_a_conflict(corpus_graph: nx.MultiDiGraph) -> None:
    stated = _stated(corpus_graph, "cold-compress", "alleviates", "back-pain")
    assert {s: d["polarity"] for s, d in stated.items()} == {
        "ice-first-for-a-sore-back": "affirmed",
        "heat-beats-ice-for-back-pain": "negated",
    }
    assert [d["conflict"] for d in stated.values()] == [[POLARITY], [POLARITY]]


def test_the_seeds_disclaimed_claim_the_myth_check_negates_is_a_conflict(
    corpus_graph: nx.MultiDiGraph,
) -> None:
    stated = _stated(corpus_graph, "herpes", "causes", "lower-back-pain")
    assert {s: (d["polarity"], d["support"]) for s, d in stated.items()} == {
        "does-herpes-cause-lower-back-pain": ("affirmed", "disclaimed"),
        "myth-check-herpes-and-back-pain": ("negated", "none-stated"),
    }
    assert all(d["conflict"] == [POLARITY] for d in stated.values())


def test_sources_that_differ_only_in_certainty_or_by_one_support_rank_agree(
    corpus_graph: nx.MultiDiGraph,
) -> None:
    # Heat therapy: certain on one page, possible on the other. Stretching: attributed (rank 3) on one,
    # none stated (rank 2) on the other.
    heat = _stated(corpus_graph, "heat-therapy", "alleviates", "back-pain")
    assert {d["certainty"] for d in heat.values()} == {"certain", "possible"}
    stretching = _stated(corpus_graph, "stretching", "alleviates", "back-pain")
    assert {d["support"] for d in stretching.values()} == {"attributed", "none-stated"}
    assert all(d["conflict"] == [] for d in [*heat.values(), *stretching.values()])


def _marked(graph: nx.MultiDiGraph) -> set[tuple[str, str]]:
    return {(d["proposition"], kind) for _, _, d in graph.edges(data=True) for kind in d["conflict"]}


def _queried(store: ox.Store) -> set[tuple[str, str]]:
    return {(str(r["proposition"]), str(r["kind"])) for r in run_query("conflicts", store).to_records()}


def test_the_projection_marks_what_the_conflicts_query_returns(
    corpus_store: ox.Store, corpus_graph: nx.MultiDiGraph
) -> None:
    marked = _marked(corpus_graph)
    assert marked == _queried(corpus_store)
    assert len({p for p, _ in marked}) >= 2
    # Every assertion of a proposition in conflict carries the mark, not only the pair that found it.
    kinds = {p: d["conflict"] for _, _, d in corpus_graph.edges(data=True) for p in [d["proposition"]]}
    assert all(d["conflict"] == kinds[d["proposition"]] for _, _, d in corpus_graph.edges(data=True))


def test_the_projection_and_the_query_agree_on_shuffled_corpora(corpus_store: ox.Store) -> None:
    """Polarity, support and source of every assertion of a shared proposition drawn at random: the
    projection's marks equal the query's rows, one source's own assertions included."""
    medkg = ns.MEDKG_VOCAB
    props: dict[ox.Term, list[ox.Term]] = defaultdict(list)
    for q in corpus_store.quads_for_pattern(None, ox.NamedNode(medkg + "proposition"), None, None):
        props[q.object].append(q.subject)
    shared = sorted((a for group in props.values() if len(group) > 1 for a in group), key=str)
    sources = [
        ox.NamedNode(ns.SOURCE + s) for s in ("ice-first-for-a-sore-back", "heat-beats-ice-for-back-pain")
    ]
    rng = random.Random(5)
    seen = set()
    for _ in range(12):
        store = ox.Store()
        store.bulk_extend(corpus_store.quads_for_pattern(None, None, None, None))
        for assertion in shared:
            for name, values in (
                ("polarity", [ox.NamedNode(ns.POLARITY + p) for p in ("affirmed", "negated")]),
                ("support", [ox.NamedNode(ns.SUPPORT + s) for s in sorted(SUPPORTS)]),
                ("source", sources),
            ):
                [old] = store.quads_for_pattern(assertion, ox.NamedNode(medkg + name), None, None)
                store.remove(old)
                store.add(ox.Quad(assertion, old.predicate, rng.choice(values), old.graph_name))
        marked = _marked(to_networkx(store))
        assert marked == _queried(store)
        seen |= {kind for _, kind in marked}
    assert seen == set(KINDS)
