"""The networkx projection: attributes as declared, focused projections equal to the whole one."""

from __future__ import annotations

import itertools
import types
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints, is_typeddict

import networkx as nx
import pyoxigraph as ox
import pytest

from graph_builder.analysis import network
from graph_builder.analysis.chains import find_chains
from graph_builder.analysis.network import (
    EdgeData,
    NameData,
    NodeData,
    chain_projection,
    entities_between,
    entities_near,
    entity_names,
    to_networkx,
)
from graph_builder.core import namespaces as ns
from graph_builder.core.vocabulary import load_vocabulary, vocabulary_from_store
from graph_builder.sparql import inline
from graph_builder.sparql.queries import QueryError
from graph_builder.sparql.runner import run_sparql

CHAIN_RELATIONS = sorted(r.iri for r in load_vocabulary().relations.values() if r.chain_link)


def _conforms(value: Any, hint: Any) -> bool:
    """Whether a value has the declared type (the few kinds the projection's TypedDicts use)."""
    origin = get_origin(hint)
    if is_typeddict(hint):
        hints = get_type_hints(hint)
        return (
            isinstance(value, dict)
            and set(value) == set(hints)
            and all(_conforms(value[k], h) for k, h in hints.items())
        )
    if origin is list:
        return isinstance(value, list) and all(_conforms(v, get_args(hint)[0]) for v in value)
    if origin is Literal:
        return value in get_args(hint)
    if origin in (Union, types.UnionType):
        return any(_conforms(value, h) for h in get_args(hint))
    if hint is type(None):
        return value is None
    if hint is int:  # a bool is an int to isinstance, not to a reader of "rank" or "start"
        return isinstance(value, int) and not isinstance(value, bool)
    assert hint in (str, bool), f"no check for {hint}"
    return isinstance(value, hint)


def _data(graph: nx.MultiDiGraph[str]) -> tuple[dict[str, Any], dict[tuple[str, str, str], Any]]:
    return dict(graph.nodes(data=True)), {(u, v, k): d for u, v, k, d in graph.edges(keys=True, data=True)}


def test_attributes_are_what_the_typeddicts_declare(seed_store: ox.Store) -> None:
    graph = to_networkx(seed_store)
    nodes, edges = _data(graph)
    assert nodes and edges
    assert [n for n, d in nodes.items() if not _conforms(d, NodeData)] == []
    assert [k for k, d in edges.items() if not _conforms(d, EdgeData)] == []
    # The optional parts are exercised too: hedges, chains, groundings and a mechanism exist in the seed.
    assert any(d["hedges"] for d in edges.values()) and any(d["chains"] for d in edges.values())
    assert any(d["groundings"] for d in nodes.values()) and any(d["mechanism"] for d in edges.values())
    names = dict(entity_names(seed_store).nodes(data=True))
    assert names.keys() == nodes.keys()
    assert all(_conforms(d, NameData) for d in names.values())


def test_focused_projection_is_the_whole_projection_restricted(seed_store: ox.Store) -> None:
    whole = to_networkx(seed_store)
    for centre in whole.nodes:
        near = entities_near(seed_store, centre, 1)
        assert near == {centre} | set(whole.successors(centre)) | set(whole.predecessors(centre))
        # Node data equal too: an entity's claims are counted in the whole store, not in the view.
        assert _data(to_networkx(seed_store, entities=near)) == _data(whole.subgraph(near)), centre


def test_entities_between_are_those_on_short_enough_paths(
    seed_store: ox.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checked against networkx's breadth-first search over the projection's claims that are not negated."""
    # 3,168 searches on one unchanged store: its vocabulary read once (six queries a search before, 40 % of
    # the test's time); what is checked is the distances.
    vocabulary = vocabulary_from_store(seed_store)
    monkeypatch.setattr(network, "vocabulary_from_store", lambda store: vocabulary)
    whole = to_networkx(seed_store)
    # Every relation but one whose claims lie on some of the paths, so that the filter has work to do.
    relations = {d["relation_iri"] for _, _, d in whole.edges(data=True)} - {
        "https://w3id.org/medkg/vocab#symptomOf"
    }
    hops = nx.DiGraph(
        (u, v) for u, v, d in whole.edges(data=True) if d["relation_iri"] in relations and not d["negated"]
    )
    assert hops.number_of_edges() > 1
    checked = 0
    for (start, end), max_hops in itertools.product(itertools.permutations(hops.nodes, 2), (1, 2, 3)):
        from_start = nx.single_source_shortest_path_length(hops, start, cutoff=max_hops)
        to_end = nx.single_source_shortest_path_length(hops.reverse(), end, cutoff=max_hops)
        expected = {v for v, d in from_start.items() if d + to_end.get(v, max_hops + 1) <= max_hops}
        found = entities_between(seed_store, start, end, max_hops, relations)
        assert found == expected | {start, end}, (start, end, max_hops)
        checked += len(expected) > 2
    assert checked  # some pair has an entity between its ends


def test_a_chain_search_inlines_only_its_frontier(
    corpus_store: ox.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14: the relations a search follows were a VALUES block beside its frontier. pyoxigraph starts
    from the shorter block, so from a hub (a frontier longer than the relations) every claim link of those
    relations in the store was read before the frontier was joined. They are a FILTER now, the frontier
    the only inline data; the distances are those networkx finds (the tests above)."""
    inlined: list[list[str]] = []
    rows = network._rows

    def recording(store: ox.Store, query: Any, values: Any = None) -> list[dict[str, Any]]:
        if "?link" in query.where:
            inlined.append(sorted(values or {}))
        return rows(store, query, values)

    monkeypatch.setattr(network, "_rows", recording)
    whole = to_networkx(corpus_store)
    hub = max(whole.nodes, key=whole.degree)
    for end in sorted(whole.nodes)[:5]:
        entities_between(corpus_store, hub, end, 3, CHAIN_RELATIONS)
    assert inlined and all(keys == ["node"] for keys in inlined)


def test_a_hub_neighbourhood_is_read_in_chunks_with_the_same_result(
    corpus_store: ox.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: from a hub of the 100k benchmark corpus, ``medkg chains`` inlined ~18,000 IRIs in one
    query, which the query guard refused (1056 KiB of text). Long lists go a chunk at a time."""
    whole = to_networkx(corpus_store)
    hub = max(whole.nodes, key=whole.degree)
    near = entities_near(corpus_store, hub, 2)
    far = max(whole.nodes, key=lambda n: (n not in near, n))
    between = {h: entities_between(corpus_store, hub, far, h, CHAIN_RELATIONS) for h in (2, 3)}
    projected = _data(to_networkx(corpus_store, entities=near))
    monkeypatch.setattr(inline, "VALUES_CHUNK", 2)
    assert entities_near(corpus_store, hub, 2) == near and len(near) > 2
    assert {h: entities_between(corpus_store, hub, far, h, CHAIN_RELATIONS) for h in (2, 3)} == between
    assert _data(to_networkx(corpus_store, entities=near)) == projected
    with pytest.raises(QueryError, match="KiB of query text"):  # what one query of every IRI meets
        run_sparql(
            network._NEIGHBOURS.sparql({"node": [f"{ns.ENTITY}e{i:06d}" for i in range(20_000)]}),
            corpus_store,
        )


def _assertion_rows_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list to which each query of the claims between entities (``_ASSERTIONS``) appends its row count."""
    read: list[int] = []
    rows = network._rows

    def counting(store: ox.Store, query: Any, values: Any = None) -> list[dict[str, Any]]:
        found = rows(store, query, values)
        if query is network._ASSERTIONS:
            read.append(len(found))
        return found

    monkeypatch.setattr(network, "_rows", counting)
    return read


def test_a_chain_search_from_a_hub_reads_only_the_claims_between_its_entities(
    corpus_store: ox.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (issue 14): the focused projection read every claim of each entity whose subject it
    was (34,000 rows for 20,800 claims from a hub at 100k claims), then dropped those leaving the set."""
    whole = to_networkx(corpus_store)
    hub = max(whole.nodes, key=whole.degree)
    read = _assertion_rows_read(monkeypatch)
    checked = 0
    for start, end in itertools.chain.from_iterable(((hub, e), (e, hub)) for e in sorted(whole.nodes)):
        between = entities_between(corpus_store, start, end, 3, CHAIN_RELATIONS)
        if len(between) < 3:
            continue
        read.clear()
        focused = to_networkx(corpus_store, entities=between)
        assert _data(focused) == _data(whole.subgraph(between)), (start, end)
        assert read == [focused.number_of_edges()], (start, end)
        # Some entity of the set is the subject of claims leaving it, which the projection must not read.
        checked += any(v not in between for _, v in whole.out_edges(between))
    assert checked


def test_an_iri_cannot_change_the_query(seed_store: ox.Store) -> None:
    """IRIs become terms, which refuse what is not an IRI, rather than text pasted into the query."""
    with pytest.raises(ValueError, match="Invalid IRI"):
        to_networkx(seed_store, entities=["https://w3id.org/medkg/entity/herpes> } ?s ?p ?o {"])


def test_the_corpus_projection_carries_each_assertions_claim_model(corpus_store: ox.Store) -> None:
    nodes, edges = _data(to_networkx(corpus_store))
    assert [n for n, d in nodes.items() if not _conforms(d, NodeData)] == []
    assert [k for k, d in edges.items() if not _conforms(d, EdgeData)] == []
    # Attributed claims name their agent; polarity, certainty and support take more than one value.
    assert any(d["agent"] for d in edges.values()) and any(d["agent"] is None for d in edges.values())
    for field in ("polarity", "certainty", "support"):
        assert len({d[field] for d in edges.values()}) > 1, field
    assert any(d["conflict"] for d in edges.values())


def test_the_projection_lists_every_source_of_the_store(corpus_store: ox.Store) -> None:
    sources = to_networkx(corpus_store).graph["sources"]
    titles = {d["source"]: d["source_title"] for _, _, d in to_networkx(corpus_store).edges(data=True)}
    assert list(sources) == sorted(titles) and sources == titles
    # A focused projection still knows them all, so that each keeps its place (and colour) in a view.
    few = to_networkx(
        corpus_store, entities=entities_near(corpus_store, "https://w3id.org/medkg/entity/hsv-1", 1)
    )
    assert few.graph["sources"] == sources
    assert len({d["source"] for _, _, d in few.edges(data=True)}) < len(sources)


def test_a_focused_projection_marks_conflicts_as_the_whole_does(corpus_store: ox.Store) -> None:
    whole = to_networkx(corpus_store)
    for centre in ("herpes", "cold-compress", "lower-back-pain"):
        near = entities_near(corpus_store, "https://w3id.org/medkg/entity/" + centre, 1)
        focused = to_networkx(corpus_store, entities=near)
        assert any(d["conflict"] for _, _, d in focused.edges(data=True)), centre
        assert _data(focused) == _data(whole.subgraph(near)), centre


def _usable_distances(
    whole: nx.MultiDiGraph[str], start: str, end: str, max_hops: int
) -> tuple[dict[str, int], dict[str, int]]:
    """Hops from start and to end along the claims a default chain search follows, by networkx."""
    hops = nx.DiGraph(
        (u, v) for u, v, d in whole.edges(data=True) if d["chain_link"] and not d["negated"] and u != v
    )
    hops.add_nodes_from((start, end))
    return (
        dict(nx.single_source_shortest_path_length(hops, start, cutoff=max_hops)),
        dict(nx.single_source_shortest_path_length(hops.reverse(), end, cutoff=max_hops)),
    )


def test_a_chain_projection_holds_only_the_claims_a_short_enough_chain_can_use(
    corpus_store: ox.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14: from a hub, the projection of the entities between two ends read every claim between
    two of them, most leading away from the target. Only claims u → v with d(start, u) + 1 + d(v, end)
    ≤ max_hops are read now, and the chains found are those of the whole projection."""
    whole = to_networkx(corpus_store)
    hub = max(whole.nodes, key=whole.degree)
    read = _assertion_rows_read(monkeypatch)

    def expected(start: str, end: str, max_hops: int) -> tuple[set[str], set[tuple[str, str, str]]]:
        from_start, to_end = _usable_distances(whole, start, end, max_hops)
        between = {v for v, d in from_start.items() if d + to_end.get(v, max_hops + 1) <= max_hops}
        between |= {start, end}
        edges = {
            (u, v, k)
            for u, v, k in whole.subgraph(between).edges(keys=True)
            if from_start.get(u, max_hops + 1) + 1 + to_end.get(v, max_hops + 1) <= max_hops
        }
        return between, edges

    # The hub's searches, and those (by networkx) where a claim between two entities of the set can lie
    # on no chain: the claims the projection of the entities alone read in vain.
    searches = [((hub, e), h) for e in sorted(whole.nodes) if e != hub for h in (2, 3)]
    searches += [((e, hub), h) for e in sorted(whole.nodes) if e != hub for h in (2, 3)]
    pruned = [
        ((s, t), h)
        for (s, t), h in itertools.product(itertools.permutations(sorted(whole.nodes), 2), (2, 3))
        for between, edges in [expected(s, t, h)]
        if len(between) > 2 and len(edges) < whole.subgraph(between).number_of_edges()
    ]
    assert pruned
    for (start, end), max_hops in searches + pruned[:20]:
        between, edges = expected(start, end, max_hops)
        if len(between) < 3:
            continue
        assert entities_between(corpus_store, start, end, max_hops, CHAIN_RELATIONS) == between
        read.clear()
        projected = chain_projection(corpus_store, start, end, max_hops, CHAIN_RELATIONS)
        assert set(projected.edges(keys=True)) == edges, (start, end, max_hops)
        assert sum(read) == len(edges), (start, end, max_hops)
        assert _data(projected)[0] == _data(whole.subgraph(between))[0]
        chains = find_chains(projected, start, end, max_hops=max_hops, limit=10**6)
        assert [c.to_dict() for c in chains] == [
            c.to_dict() for c in find_chains(whole, start, end, max_hops=max_hops, limit=10**6)
        ], (start, end, max_hops)
