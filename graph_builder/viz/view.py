"""What a page of the claims graph shows: a filter, an entity's neighbourhood, a query's rows, and a cap.

Each function takes the networkx projection and returns a smaller one; none of them draws.

>>> from graph_builder.kg.build import build_example
>>> from graph_builder.analysis.network import to_networkx
>>> graph = to_networkx(build_example())
>>> small = focus_subgraph(graph, "herpes", depth=1)
>>> sorted(small.nodes[n]["label"] for n in small)  # doctest: +NORMALIZE_WHITESPACE
['complications of herpes', 'herpes', 'inflammation in the nerves', 'lower back pain', 'nerve pain']
>>> strong = filter_graph(graph, min_rank=3)
>>> min(d["rank"] for _, _, d in strong.edges(data=True))
3
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Protocol, cast

import networkx as nx

from graph_builder.analysis.chains import resolve_entity, resolve_evidence
from graph_builder.analysis.network import ClaimGraph
from graph_builder.core.vocabulary import Vocabulary, load_vocabulary

#: The most entities a page draws; above it :func:`to_html` keeps the entities with the most claims.
#: Layout runs in the browser: headless Chromium settles 300 entities and 1,500 claims in about 3.5 s,
#: but 1,000 entities take minutes.
DEFAULT_MAX_NODES = 300
#: Claims drawn at most: a few entities with thousands of claims between them (hubs of a large corpus)
#: would otherwise make a page of megabytes whose physics never settles.
DEFAULT_MAX_EDGES = 1500
#: The longest entity label drawn on the canvas, in the chain list and in the caption; a tooltip shows up
#: to TOOLTIP_LABEL_MAX characters and the details panel the whole label. vis-network measures and wraps
#: a node's label on every layout step: one label of 100,000 characters kept a page from being ready for
#: 44 s in headless Chromium; cut to 80 characters, it is ready in 0.5 s (as fast as the seed page).
DISPLAY_LABEL_MAX = 80
TOOLTIP_LABEL_MAX = 400


class ResultLike(Protocol):
    """What :func:`select_results` needs of a query result (:class:`graph_builder.core.results.ResultTable`)."""

    @property
    def variables(self) -> tuple[str, ...]: ...

    def to_records(self) -> list[dict[str, Any]]: ...


def short_label(text: str, limit: int = DISPLAY_LABEL_MAX) -> str:
    """The label on one line (runs of whitespace and line breaks become one space), cut to ``limit``
    characters with an ellipsis.

    >>> short_label("lower\\n back pain"), short_label("x" * 100, limit=10)
    ('lower back pain', 'xxxxxxxxx…')
    """
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- choosing what to draw -------------------------------------------------------------------------


def with_source_counts(graph: ClaimGraph) -> dict[str, int]:
    """Sources stating each edge's proposition, counted in this graph unless an edge already says."""
    sources: dict[str, set[str]] = defaultdict(set)
    for _, _, d in graph.edges(data=True):
        sources[str(d.get("proposition"))].add(str(d.get("source")))
    counts: dict[str, int] = {}
    for _, _, k, d in graph.edges(keys=True, data=True):
        # The copies _subgraph makes also carry "sources", which EdgeData leaves out.
        attrs: Mapping[str, Any] = d
        counts[k] = int(attrs["sources"]) if "sources" in attrs else len(sources[str(d.get("proposition"))])
    return counts


def _subgraph(graph: ClaimGraph, nodes: Iterable[str], edges: Iterable[tuple[str, str, str]]) -> ClaimGraph:
    """A new graph with copies of these nodes and edges; edges record their proposition's ``sources``."""
    counts = with_source_counts(graph)
    out: ClaimGraph = nx.MultiDiGraph()
    out.graph.update(copy.deepcopy(graph.graph))
    out.add_nodes_from((n, copy.deepcopy(graph.nodes[n])) for n in sorted(nodes, key=str))
    for u, v, k in sorted(edges, key=lambda e: str(e[2])):
        out.add_edge(u, v, key=k, **{**copy.deepcopy(graph.edges[u, v, k]), "sources": counts[k]})
    return out


def filter_graph(
    graph: ClaimGraph,
    *,
    min_rank: int | None = None,
    relations: Collection[str] | None = None,
    stances: Collection[str] | None = None,
    entity_types: Collection[str] | None = None,
    claims: Collection[str] | None = None,
    entities: Collection[str] | None = None,
    keep_isolates: bool = False,
) -> ClaimGraph:
    """A copy holding only the assertions that pass every given test, and the entities they join.

    ``claims`` are assertion IRIs or claim ids; ``entities`` node IRIs (only claims between two of
    them are kept); ``relations``, ``stances`` and ``entity_types`` are slugs. Entities left without a
    claim are dropped unless ``keep_isolates``. The input graph is never changed.

    >>> from graph_builder.kg.build import build_example
    >>> from graph_builder.analysis.network import to_networkx
    >>> g = filter_graph(to_networkx(build_example()), stances={"disclaimed"})
    >>> sorted(d["claim_id"] for _, _, d in g.edges(data=True))  # doctest: +NORMALIZE_WHITESPACE
    ['herpes-causes-lower-back-pain', 'herpes-has-complication-lower-back-pain',
     'lower-back-pain-symptom-of-herpes', 'nerve-pain-causes-lower-back-pain']
    """
    claim_set = set(claims) if claims is not None else None
    entity_set = set(entities) if entities is not None else None
    nodes = [
        n
        for n, d in graph.nodes(data=True)
        if (entity_types is None or d.get("type") in entity_types) and (entity_set is None or n in entity_set)
    ]
    allowed = set(nodes)
    edges = [
        (u, v, k)
        for u, v, k, d in graph.edges(keys=True, data=True)
        if u in allowed
        and v in allowed
        and (min_rank is None or int(d.get("rank", 0)) >= min_rank)
        and (relations is None or d.get("relation") in relations)
        and (stances is None or d.get("stance") in stances)
        and (claim_set is None or k in claim_set or d.get("claim_id") in claim_set)
    ]
    if not keep_isolates:
        touched = {n for u, v, _ in edges for n in (u, v)}
        nodes = [n for n in nodes if n in touched]
    return _subgraph(graph, nodes, edges)


def focus_subgraph(graph: ClaimGraph, entity: str, depth: int = 1) -> ClaimGraph:
    """The entities within ``depth`` claims of ``entity`` (either direction) and the claims among them.

    ``entity`` is an IRI, entity id, label or synonym (see :func:`graph_builder.analysis.chains.resolve_entity`).
    The input graph is never changed.

    >>> from graph_builder.kg.build import build_example
    >>> from graph_builder.analysis.network import to_networkx
    >>> g = focus_subgraph(to_networkx(build_example()), "https://w3id.org/medkg/entity/hsv-1", depth=1)
    >>> sorted(d["label"] for _, d in g.nodes(data=True))
    ['HSV-1', 'lower back pain']
    """
    if depth < 0:
        raise ValueError(f"depth must be 0 or more; found {depth}")
    centre = resolve_entity(graph, entity)
    # networkx's stubs type algorithms for graphs with dict[str, Any] data only; they read no data here.
    undirected = cast("nx.MultiGraph[str]", graph.to_undirected(as_view=True))
    reach = nx.single_source_shortest_path_length(undirected, centre, cutoff=depth)
    return _subgraph(graph, reach, graph.subgraph(reach).edges(keys=True))


def select_results(graph: ClaimGraph, table: ResultLike) -> ClaimGraph:
    """The part of the graph a query result names: its ``claim`` column, or else the entities it returns.

    With a ``claim`` column, the view holds those assertions and their entities. Without one, every
    column is searched for entity IRIs and the view holds those entities and the claims between them.

    >>> from graph_builder.kg.build import build_example
    >>> from graph_builder.analysis.network import to_networkx
    >>> from graph_builder.sparql.runner import run_query
    >>> store = build_example()
    >>> g = select_results(to_networkx(store), run_query("unsupported-claims", store, {"maxRank": "1"}))
    >>> sorted({d["rank"] for _, _, d in g.edges(data=True)})
    [1]
    """
    records = table.to_records()
    if "claim" in table.variables:
        return filter_graph(graph, claims={str(r["claim"]) for r in records if r.get("claim") is not None})
    found = {str(v) for r in records for v in r.values() if isinstance(v, str) and v in graph}
    if not found:
        raise ValueError(
            f"the query result has no claim column and names no entity of the graph; "
            f"its columns are: {', '.join(table.variables) or '(none)'}"
        )
    return filter_graph(graph, entities=found, keep_isolates=True)


def select_view(
    graph: ClaimGraph,
    *,
    focus: str | None = None,
    depth: int = 1,
    min_evidence: str | int | None = None,
    results: ResultLike | None = None,
    results_name: str = "a query",
    vocab: Vocabulary | None = None,
) -> tuple[ClaimGraph, str | None]:
    """Apply a query result, an evidence floor and a focus, in that order; return the view and a caption.

    The caption says what the view holds, for the page's header (``None`` for the whole graph).

    >>> from graph_builder.kg.build import build_example
    >>> from graph_builder.analysis.network import to_networkx
    >>> view, caption = select_view(to_networkx(build_example()), focus="HSV-1", min_evidence=1)
    >>> view.number_of_nodes(), caption
    (2, 'within 1 claim of HSV-1; evidence at least explicitly unsupported (rank 1)')
    """
    parts = []
    if results is not None:
        graph = select_results(graph, results)
        parts.append(f"the claims or entities {results_name} returned")
    if min_evidence is not None:
        vocab = vocab or load_vocabulary()
        rank = resolve_evidence(min_evidence)
        graph = filter_graph(graph, min_rank=rank, keep_isolates=focus is not None)
        label = next(e.label for e in vocab.evidence_by_rank() if e.rank == rank)
        parts.append(f"evidence at least {label} (rank {rank})")
    if focus is not None:
        centre = resolve_entity(graph, focus)
        graph = focus_subgraph(graph, centre, depth)
        name = short_label(str(graph.nodes[centre]["label"]))
        parts.insert(0, f"within {depth} claim{'s' if depth != 1 else ''} of {name}")
    return graph, ("; ".join(parts) or None)


def cap_graph(
    graph: ClaimGraph, max_nodes: int, max_edges: int = DEFAULT_MAX_EDGES
) -> tuple[ClaimGraph, str | None]:
    """Keep the ``max_nodes`` entities with the most claims, then at most ``max_edges`` claims.

    Claims are cut connection by connection (subject, relation, object): every connection keeps its
    best-evidenced claim before any keeps a second, so nothing that is connected disappears while a
    connection has spares. The note says what was cut (else ``None``).

    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edges_from(("a", "b", f"c{i}", {"relation": "causes", "rank": i}) for i in range(5))
    >>> _ = g.add_edges_from([("b", "c", "d", {"relation": "causes", "rank": 0})])
    >>> capped, note = cap_graph(g, max_nodes=10, max_edges=3)
    >>> sorted(capped.edges(keys=True))
    [('a', 'b', 'c3'), ('a', 'b', 'c4'), ('b', 'c', 'd')]
    """
    n, m = graph.number_of_nodes(), graph.number_of_edges()
    if n <= max_nodes and m <= max_edges:
        return graph, None
    keep = set(graph)
    if n > max_nodes:
        ranked = sorted(graph.nodes.items(), key=lambda nd: (-int(nd[1].get("claims", 0)), str(nd[0])))
        keep = {node for node, _ in ranked[:max_nodes]}
    edges = list(graph.subgraph(keep).edges(keys=True, data=True))
    if len(edges) > max_edges:
        # Order claims within each connection, best evidence first; then take first claims first.
        edges.sort(
            key=lambda e: (
                str(e[0]),
                str(e[1]),
                str(e[3].get("relation")),
                -int(e[3].get("rank", 0)),
                str(e[2]),
            )
        )
        place: dict[tuple[str, str, str], int] = defaultdict(int)
        order = []
        for u, v, k, d in edges:
            connection = (str(u), str(v), str(d.get("relation")))
            order.append((place[connection], u, v, k))
            place[connection] += 1
        order.sort(key=lambda e: (e[0], str(e[3])))
        chosen = [(u, v, k) for _, u, v, k in order[:max_edges]]
    else:
        chosen = [(u, v, k) for u, v, k, _ in edges]
    capped = _subgraph(graph, keep, chosen)
    cut = []
    if n > max_nodes:
        cut.append(f"the {max_nodes:,} entities with the most claims out of {n:,}")
    cut.append(f"{capped.number_of_edges():,} of {m:,} claims")
    how = " (each connection's best-evidenced claims first)" if len(edges) > max_edges else ""
    note = (
        f"Too large to draw: showing {' and '.join(cut)}{how}. Narrow the view with "
        f"`medkg viz --focus ENTITY --depth 2`, `--min-evidence LEVEL` or `--query NAME`."
    )
    return capped, note
