"""Chains that follow the entity hierarchy (``find_chains(..., hierarchy=True)``, ``medkg chains
--hierarchy``): a chain may start at an entity narrower than the source, end at one narrower than the
target, and go on from an entity broader than a hop's object, which it says.

Expected chains on the example corpus are worked out from the annotation files (their claims and
curated ``broader`` links), not from the graph under test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest

from graph_builder.analysis.chains import chain_link_relations, find_chains, format_chains
from graph_builder.analysis.network import to_networkx
from graph_builder.cli import main
from graph_builder.core import namespaces as ns
from graph_builder.core.model import Annotation
from graph_builder.ingest.annotations import load_annotations

WIDE, BACK_PAIN = "herpesvirus-infections", "back-pain"


def _node(i: int) -> str:
    return f"{ns.ENTITY}n{i}"


def _graph(edges: list[tuple[int, int, str]], broader: dict[int, list[int]], n: int) -> nx.MultiDiGraph:
    """Entities n0… with ``broader`` links; one affirmed claim per (subject, object, source)."""
    graph = nx.MultiDiGraph()
    for i in range(n):
        graph.add_node(_node(i), label=f"node {i}", type="disease", synonyms=[],
                       broader=[_node(b) for b in broader.get(i, [])])  # fmt: skip
    for j, (u, v, source) in enumerate(edges):
        graph.add_edge(
            _node(u), _node(v), key=f"{ns.ASSERTION}{j:06d}", claim_id=f"c{j}", relation="causes",
            relation_label="causes", causal=True, chain_link=True, remedy=False, stance="asserted",
            quote="q", negated=False, chains=[], hedges=[], evidence="uncited-assertion",
            evidence_label="uncited assertion", rank=3, strength=6, support="none-stated",
            support_label="none stated", certainty="certain", certainty_label="certain",
            source=ns.SOURCE + source, source_title=source.upper(),
        )  # fmt: skip
    return graph


def test_a_chain_goes_on_from_a_broader_entity_and_says_so() -> None:
    # n0 -> n1 (source a); n1 is narrower than n2; n2 -> n3 (source b)
    graph = _graph([(0, 1, "a"), (2, 3, "b")], {1: [2]}, 4)
    assert not find_chains(graph, "node 0", "node 3")
    [chain] = find_chains(graph, "node 0", "node 3", hierarchy=True)
    assert chain.nodes == (_node(0), _node(1), _node(2), _node(3))
    assert [h.claim_id for h in chain.hops] == ["c0", "c1"]
    assert chain.hops[0].climb == (_node(2),) and chain.through_general == (_node(2),)
    assert chain.meets_at == (_node(2),)  # no one source links n0 -> n2 -> n3
    text = format_chains(find_chains(graph, "node 0", "node 3", hierarchy=True))
    assert "goes on from a broader entity: node 2" in text and "node 1 is narrower than node 2" in text
    [row] = json.loads(format_chains(find_chains(graph, "node 0", "node 3", hierarchy=True), "json"))[
        "chains"
    ]
    assert row["through_general"] == [{"entity": _node(2), "label": "node 2"}]
    assert row["steps"][0]["then_broader"] == [{"entity": _node(2), "label": "node 2"}]


def test_a_chain_never_goes_down_the_hierarchy_in_its_middle() -> None:
    # n0 -> n2 (general); n1 is narrower than n2; n1 -> n3: a claim about the general entity says
    # nothing about the narrower one, so no chain n0 -> n3.
    graph = _graph([(0, 2, "a"), (1, 3, "a")], {1: [2]}, 4)
    assert not find_chains(graph, "node 0", "node 3", hierarchy=True)


def test_source_and_target_take_in_their_narrower_entities() -> None:
    # n1 is narrower than n0 (the source); n3 narrower than n4 (the target); n1 -> n3
    graph = _graph([(1, 3, "a")], {1: [0], 3: [4]}, 5)
    assert not find_chains(graph, "node 0", "node 4")
    [chain] = find_chains(graph, "node 0", "node 4", hierarchy=True)
    assert chain.nodes == (_node(1), _node(3), _node(4)) and chain.through_general == ()
    assert "starts at node 1, narrower than node 0" in format_chains(
        find_chains(graph, "node 0", "node 4", hierarchy=True)
    )


@pytest.fixture(scope="module")
def corpus(corpus_files: list[Path]) -> list[Annotation]:
    return load_annotations(corpus_files)


def _narrower_or_self(corpus: list[Annotation], top: str) -> set[str]:
    down: dict[str, set[str]] = {}
    for ann in corpus:
        for entity in ann.entities.values():
            for b in entity.broader:
                down.setdefault(b, set()).add(entity.id)
    found, todo = {top}, [top]
    while todo:
        for n in down.get(todo.pop(), ()):
            if n not in found:
                found.add(n)
                todo.append(n)
    return found


def test_herpes_in_the_wide_sense_reaches_back_pain_through_shingles_and_herpes_simplex(
    corpus_store: ox.Store, corpus: list[Annotation]
) -> None:
    starts, ends = _narrower_or_self(corpus, WIDE), _narrower_or_self(corpus, BACK_PAIN)
    assert {"herpes", "herpes-zoster"} <= starts and "lower-back-pain" in ends
    links = set(chain_link_relations())
    expected = {
        c.id
        for ann in corpus
        for c in ann.claims
        if c.subject in starts and c.object in ends and c.relation in links and c.polarity == "affirmed"
    }
    graph = to_networkx(corpus_store)
    assert not find_chains(graph, ns.ENTITY + WIDE, ns.ENTITY + BACK_PAIN)  # no claim is about it
    chains = find_chains(graph, ns.ENTITY + WIDE, ns.ENTITY + BACK_PAIN, hierarchy=True)
    direct = {c.hops[0].claim_id for c in chains if c.hop_count == 1}
    assert direct == expected and "shingles-causes-back-pain" in direct
    # the shingles claims of two sources, and the seed's claims about lower back pain
    assert {c.hops[0].source_id for c in chains if c.hops[0].subject == ns.ENTITY + "herpes-zoster"} == {
        "shingles-and-back-pain",
        "myth-check-herpes-and-back-pain",
    }
    assert all(c.nodes[-1] == ns.ENTITY + BACK_PAIN for c in chains)


def test_chains_hierarchy_on_the_command_line(
    corpus_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    monkeypatch.setenv("MEDKG_STORE", str(corpus_dir))
    assert main(["chains", "herpesvirus infections", "back pain", "--hierarchy"]) == 0
    out = capsys.readouterr().out
    assert "following broader entities" in out
    assert "starts at shingles, narrower than herpesvirus infections" in out
    assert "lower back pain is narrower than back pain" in out
    assert main(["chains", "herpesvirus infections", "back pain"]) == 0
    assert capsys.readouterr().out.startswith("no chains from herpesvirus infections to back pain")
