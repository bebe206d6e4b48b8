"""The page's data about sources, without a browser: the source legend and its colours, each edge's
polarity, certainty, support and strength, and the mark of a conflict.

What the page does with them in a browser is tested in ``test_browser.py``.
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest

from graph_builder.analysis.conflicts import KINDS, POLARITY
from graph_builder.analysis.network import entities_near, to_networkx
from graph_builder.core import namespaces as ns
from graph_builder.viz.drawing import CONFLICT_REASONS, CONFLICT_STYLE, SOURCE_COLOURS, source_colours
from graph_builder.viz.view import focus_subgraph
from graph_builder.viz.visualize import to_html

COLD_COMPRESS = "cold-compress-alleviates-back-pain"


@pytest.fixture(scope="module")
def corpus_graph(corpus_store: ox.Store) -> nx.MultiDiGraph:
    """The example corpus as the networkx projection. Do not modify it: copy it first."""
    return to_networkx(corpus_store)


def page_data(page: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="medkg-data">(.*?)</script>', page, re.DOTALL)
    assert match, "the page has no medkg-data script"
    data = json.loads(match.group(1))
    assert isinstance(data, dict)
    return data


def test_the_legend_lists_every_source_in_order_with_its_colour(corpus_graph: nx.MultiDiGraph) -> None:
    data = page_data(to_html(corpus_graph))
    sources = {d["source"]: d["source_title"] for _, _, d in corpus_graph.edges(data=True)}
    assert len(sources) == 7
    legend = data["sources"]
    assert [s["iri"] for s in legend] == sorted(sources)
    assert [s["title"] for s in legend] == [sources[s] for s in sorted(sources)]
    assert [s["color"] for s in legend] == list(SOURCE_COLOURS[:7])
    assert {s["iri"]: s["count"] for s in legend} == Counter(
        d["source"] for _, _, d in corpus_graph.edges(data=True)
    )
    assert all(e["sourceColor"] == source_colours(sources)[e["source"]] for e in data["edges"])


def test_a_source_keeps_its_colour_in_a_view_of_fewer_sources(
    corpus_store: ox.Store, corpus_graph: nx.MultiDiGraph
) -> None:
    whole = {s["iri"]: s["color"] for s in page_data(to_html(corpus_graph))["sources"]}
    heat = ns.ENTITY + "heat-therapy"
    for view in (
        focus_subgraph(corpus_graph, heat, depth=1),  # a view of the whole projection
        to_networkx(corpus_store, entities=entities_near(corpus_store, heat, 1)),  # a focused projection
    ):
        shown = {s["iri"]: s["color"] for s in page_data(to_html(view))["sources"]}
        assert 0 < len(shown) < len(whole)
        assert shown == {s: whole[s] for s in shown}
        # the first source of the view is not the first of the store, so the colour is the store's
        assert next(iter(shown.values())) != SOURCE_COLOURS[0]


def test_source_colours_are_colour_blind_safe_distinct_and_repeat_past_the_palette() -> None:
    assert len(set(SOURCE_COLOURS)) == len(SOURCE_COLOURS) == 9
    many = source_colours(f"urn:source:{i:02d}" for i in range(11))
    assert list(many.values()) == [*SOURCE_COLOURS, *SOURCE_COLOURS[:2]]
    assert source_colours(["urn:b", "urn:a", "urn:b"]) == {
        "urn:a": SOURCE_COLOURS[0],
        "urn:b": SOURCE_COLOURS[1],
    }


def test_edges_carry_the_claim_model_of_each_assertion(corpus_graph: nx.MultiDiGraph) -> None:
    data = page_data(to_html(corpus_graph))
    by_claim = {(e["source"].removeprefix(ns.SOURCE), e["claimId"]): e for e in data["edges"]}
    seed = by_claim["does-herpes-cause-lower-back-pain", "herpes-causes-lower-back-pain"]
    assert (seed["polarity"], seed["certainty"], seed["support"], seed["supportRank"], seed["strength"]) == (
        "affirmed", "possible", "disclaimed", 1, 1,
    )  # fmt: skip
    assert seed["supportLabel"] == "disclaimed" and seed["agent"] is None
    stretching = by_claim["heat-beats-ice-for-back-pain", "stretching-alleviates-back-pain"]
    assert (stretching["agent"], stretching["support"]) == ("some physical therapists", "attributed")


def test_conflicting_edges_are_marked_and_counted(corpus_graph: nx.MultiDiGraph) -> None:
    data = page_data(to_html(corpus_graph))
    marked = [e for e in data["edges"] if e["conflict"]]
    expected = [d for _, _, d in corpus_graph.edges(data=True) if d["conflict"]]
    assert data["conflict"]["count"] == len(marked) == len(expected) > 0
    assert {e["claimId"] for e in marked} >= {
        COLD_COMPRESS,
        "cold-compress-does-not-alleviate-back-pain",
        "herpes-causes-lower-back-pain",
        "herpes-does-not-cause-lower-back-pain",
    }
    cold = next(e for e in data["edges"] if e["claimId"] == COLD_COMPRESS)
    assert cold["conflict"] == [POLARITY]
    assert data["conflict"]["reasons"] == CONFLICT_REASONS
    assert tuple(CONFLICT_REASONS) == KINDS
    assert {k: data["conflict"][k] for k in CONFLICT_STYLE} == CONFLICT_STYLE
    # Both sides of a conflict are in the page under one proposition, so the panel can list them.
    sides = [e for e in data["edges"] if e["proposition"] == cold["proposition"]]
    assert {e["polarity"] for e in sides} == {"affirmed", "negated"} and len(
        {e["source"] for e in sides}
    ) == 2


def test_the_seed_alone_has_one_source_and_no_conflict(seed_store: ox.Store) -> None:
    data = page_data(to_html(to_networkx(seed_store)))
    assert [s["title"] for s in data["sources"]] == ["Does Herpes Cause Lower Back Pain?"]
    assert data["conflict"]["count"] == 0 and not any(e["conflict"] for e in data["edges"])


def test_a_graph_made_elsewhere_takes_its_sources_from_its_edges(corpus_graph: nx.MultiDiGraph) -> None:
    graph = copy.deepcopy(corpus_graph)
    graph.graph.clear()
    data = page_data(to_html(graph))
    assert [s["title"] for s in data["sources"]] == [
        s["title"] for s in page_data(to_html(corpus_graph))["sources"]
    ]
