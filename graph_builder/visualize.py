"""Draw the claims graph as one self-contained, interactive HTML page that works offline.

Entities are nodes, assertions are edges (the projection of :func:`graph_builder.network.to_networkx`).
The page embeds the vis-network 9.1.2 bundle that ships inside pyvis, so it makes no network request;
pyvis's own template is not used because it links Bootstrap and vis from CDNs. All annotation text is
data: it travels as JSON and reaches the page only through ``textContent``, never as HTML.

>>> from graph_builder.build import build_example
>>> from graph_builder.network import to_networkx
>>> graph = to_networkx(build_example())
>>> page = to_html(graph, title="Seed article")
>>> page == to_html(graph, title="Seed article")  # same graph, same bytes
True
>>> "https://cdn" in page, "<script>window" in page
(False, False)
>>> small = focus_subgraph(graph, "herpes", depth=1)
>>> sorted(small.nodes[n]["label"] for n in small)  # doctest: +NORMALIZE_WHITESPACE
['complications of herpes', 'herpes', 'inflammation in the nerves', 'lower back pain', 'nerve pain']
>>> strong = filter_graph(graph, min_rank=3)
>>> min(d["rank"] for _, _, d in strong.edges(data=True))
3
"""

from __future__ import annotations

import base64
import copy
import hashlib
import html
import importlib.util
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import networkx as nx

from graph_builder.analysis import resolve_entity, resolve_evidence
from graph_builder.export import write_atomic
from graph_builder.vocabulary import Vocabulary, load_vocabulary

#: The most entities a page draws; above it :func:`to_html` keeps the entities with the most claims.
#: Layout runs in the browser: headless Chromium settles 300 entities and 1,500 claims in about 3.5 s,
#: but 1,000 entities take minutes.
DEFAULT_MAX_NODES = 300
#: Claims drawn at most: a few entities with thousands of claims between them (hubs of a large corpus)
#: would otherwise make a page of megabytes whose physics never settles.
DEFAULT_MAX_EDGES = 1500
DEFAULT_TITLE = "medkg: claims graph"

#: Edge colour by evidence rank, weakest (1) to strongest (8): matplotlib's *plasma* colour map,
#: sampled evenly from 0.75 (orange) down to 0.0 (deep indigo). Plasma is perceptually uniform and
#: readable with the common colour-vision deficiencies; stopping at 0.75 skips its pale yellow end,
#: which vanishes on white.
EVIDENCE_COLOURS: dict[int, str] = {
    1: "#f89540",
    2: "#e97158",
    3: "#d45270",
    4: "#b83289",
    5: "#9814a0",
    6: "#6f00a8",
    7: "#44039e",
    8: "#0d0887",
}

#: Edge line by stance: ``dashes`` (false or a canvas dash pattern) and an optional ``marker`` drawn at
#: the tail of the edge (a vis-network arrow type; the middle would sit under the label).
STANCE_STYLES: dict[str, dict[str, Any]] = {
    "asserted": {"dashes": False, "marker": None},
    "hedged": {"dashes": [10, 6], "marker": None},
    "conditional": {"dashes": [12, 4, 2, 4], "marker": None},
    "disclaimed": {"dashes": [2, 5], "marker": "circle"},
    "negated": {"dashes": [2, 5], "marker": "bar"},
}

#: Node colour and shape by entity type. Colours: Paul Tol's colour-blind-safe "light" scheme, made
#: for areas with dark labels on top; shapes repeat, but no two types share both.
NODE_STYLES: dict[str, tuple[str, str]] = {
    "disease": ("#EE8866", "dot"),
    "sign-or-symptom": ("#77AADD", "square"),
    "pathological-process": ("#EEDD88", "diamond"),
    "pathogen": ("#FFAABB", "triangleDown"),
    "risk-factor": ("#BBCC33", "triangle"),
    "intervention": ("#44BB99", "star"),
    "drug-class": ("#99DDFF", "hexagon"),
    "lifestyle": ("#AAAA00", "star"),
    "body-system": ("#DDDDDD", "square"),
}
_OTHER_NODE = ("#BBBBBB", "dot")
#: The glow behind the edges of a stated chain (Okabe-Ito bluish green: no evidence colour is green).
CHAIN_GLOW = "rgba(0, 158, 115, 0.9)"

#: The longest entity label drawn on the canvas, in the chain list and in the caption; a tooltip shows up
#: to TOOLTIP_LABEL_MAX characters and the details panel the whole label. vis-network measures and wraps
#: a node's label on every layout step: one label of 100,000 characters kept a page from being ready for
#: 44 s in headless Chromium; cut to 80 characters, it is ready in 0.5 s (as fast as the seed page).
DISPLAY_LABEL_MAX = 80
TOOLTIP_LABEL_MAX = 400

_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


class ResultLike(Protocol):
    """What :func:`select_results` needs of a query result (:class:`graph_builder.results.ResultTable`)."""

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


def _with_source_counts(graph: nx.MultiDiGraph) -> dict[Hashable, int]:
    """Sources stating each edge's proposition, counted in this graph unless an edge already says."""
    sources: dict[str, set[str]] = defaultdict(set)
    for _, _, d in graph.edges(data=True):
        sources[str(d.get("proposition"))].add(str(d.get("source")))
    return {
        k: int(d["sources"]) if "sources" in d else len(sources[str(d.get("proposition"))])
        for _, _, k, d in graph.edges(keys=True, data=True)
    }


def _subgraph(
    graph: nx.MultiDiGraph, nodes: Iterable[Hashable], edges: Iterable[tuple[Hashable, Hashable, Hashable]]
) -> nx.MultiDiGraph:
    """A new graph with copies of these nodes and edges; edges record their proposition's ``sources``."""
    counts = _with_source_counts(graph)
    out = nx.MultiDiGraph()
    out.graph.update(copy.deepcopy(graph.graph))
    out.add_nodes_from((n, copy.deepcopy(graph.nodes[n])) for n in sorted(nodes, key=str))
    for u, v, k in sorted(edges, key=lambda e: str(e[2])):
        out.add_edge(u, v, key=k, **{**copy.deepcopy(graph.edges[u, v, k]), "sources": counts[k]})
    return out


def filter_graph(
    graph: nx.MultiDiGraph,
    *,
    min_rank: int | None = None,
    relations: Collection[str] | None = None,
    stances: Collection[str] | None = None,
    entity_types: Collection[str] | None = None,
    claims: Collection[str] | None = None,
    entities: Collection[str] | None = None,
    keep_isolates: bool = False,
) -> nx.MultiDiGraph:
    """A copy holding only the assertions that pass every given test, and the entities they join.

    ``claims`` are assertion IRIs or claim ids; ``entities`` node IRIs (only claims between two of
    them are kept); ``relations``, ``stances`` and ``entity_types`` are slugs. Entities left without a
    claim are dropped unless ``keep_isolates``. The input graph is never changed.

    >>> from graph_builder.build import build_example
    >>> from graph_builder.network import to_networkx
    >>> g = filter_graph(to_networkx(build_example()), stances={"disclaimed"})
    >>> sorted(d["claim_id"] for _, _, d in g.edges(data=True))  # doctest: +NORMALIZE_WHITESPACE
    ['herpes-causes-lower-back-pain', 'herpes-has-complication-lower-back-pain',
     'nerve-pain-causes-lower-back-pain']
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


def focus_subgraph(graph: nx.MultiDiGraph, entity: str, depth: int = 1) -> nx.MultiDiGraph:
    """The entities within ``depth`` claims of ``entity`` (either direction) and the claims among them.

    ``entity`` is an IRI, entity id, label or synonym (see :func:`graph_builder.analysis.resolve_entity`).
    The input graph is never changed.

    >>> from graph_builder.build import build_example
    >>> from graph_builder.network import to_networkx
    >>> g = focus_subgraph(to_networkx(build_example()), "https://w3id.org/medkg/entity/hsv-1", depth=1)
    >>> sorted(d["label"] for _, d in g.nodes(data=True))
    ['HSV-1', 'lower back pain']
    """
    if depth < 0:
        raise ValueError(f"depth must be 0 or more; found {depth}")
    centre = resolve_entity(graph, entity)
    reach = nx.single_source_shortest_path_length(graph.to_undirected(as_view=True), centre, cutoff=depth)
    return _subgraph(graph, reach, graph.subgraph(reach).edges(keys=True))


def select_results(graph: nx.MultiDiGraph, table: ResultLike) -> nx.MultiDiGraph:
    """The part of the graph a query result names: its ``claim`` column, or else the entities it returns.

    With a ``claim`` column, the view holds those assertions and their entities. Without one, every
    column is searched for entity IRIs and the view holds those entities and the claims between them.

    >>> from graph_builder.build import build_example
    >>> from graph_builder.network import to_networkx
    >>> from graph_builder.queries import run_query
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
    graph: nx.MultiDiGraph,
    *,
    focus: str | None = None,
    depth: int = 1,
    min_evidence: str | int | None = None,
    results: ResultLike | None = None,
    results_name: str = "a query",
    vocab: Vocabulary | None = None,
) -> tuple[nx.MultiDiGraph, str | None]:
    """Apply a query result, an evidence floor and a focus, in that order; return the view and a caption.

    The caption says what the view holds, for the page's header (``None`` for the whole graph).

    >>> from graph_builder.build import build_example
    >>> from graph_builder.network import to_networkx
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
    graph: nx.MultiDiGraph, max_nodes: int, max_edges: int = DEFAULT_MAX_EDGES
) -> tuple[nx.MultiDiGraph, str | None]:
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
        ranked = sorted(graph.nodes(data=True), key=lambda nd: (-int(nd[1].get("claims", 0)), str(nd[0])))
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


# --- page data -------------------------------------------------------------------------------------


def _border(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(int(c * 0.6) for c in (r, g, b)))


def _smooth(graph: nx.MultiDiGraph) -> dict[Hashable, dict[str, Any]]:
    """Curve parallel edges apart, alternately clockwise; a lone edge stays straight."""
    pairs: dict[tuple[str, str], list[tuple[Hashable, Hashable, Hashable]]] = defaultdict(list)
    for u, v, k in graph.edges(keys=True):
        a, b = sorted((str(u), str(v)))
        pairs[(a, b)].append((u, v, k))
    out: dict[Hashable, dict[str, Any]] = {}
    for (a, _), members in pairs.items():
        members.sort(key=lambda e: str(e[2]))
        for i, (u, _, k) in enumerate(members):
            offset = i - (len(members) - 1) / 2
            if offset == 0:
                out[k] = {"enabled": False}
                continue
            clockwise = (offset > 0) == (str(u) == a)  # an edge drawn the other way curves the other way
            out[k] = {
                "enabled": True,
                "type": "curvedCW" if clockwise else "curvedCCW",
                "roundness": round(min(0.9, 0.35 * abs(offset)), 3),
            }
    return out


def _edge_length(graph: nx.MultiDiGraph, u: Hashable, v: Hashable, data: Mapping[str, Any]) -> int:
    """Spring length: room for the label; more between busy entities, so that their edges fan out; more
    for parallel claims, whose curves need the width; more for chain steps, so that a stated chain
    opens into its own route instead of lying along a direct claim between its ends."""
    busy = max(0, int(graph.degree(u)) - 2) + max(0, int(graph.degree(v)) - 2)
    parallel = int(graph.number_of_edges(u, v)) + int(graph.number_of_edges(v, u)) - 1
    chain = 80 if data.get("chains") else 0
    return min(450, 130 + 5 * len(str(data.get("relation_label", ""))) + 12 * busy + 50 * parallel + chain)


def _vis_options(n_nodes: int) -> dict[str, Any]:
    """vis-network options: forceAtlas2 from a fixed seed; the page turns physics off once it is stable."""
    big = n_nodes > 100
    return {
        "autoResize": True,
        "layout": {"randomSeed": 5, "improvedLayout": n_nodes <= 150},
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -150,
                "centralGravity": 0.015,
                "springLength": 150,
                "springConstant": 0.05,
                "damping": 0.55,
                "avoidOverlap": 1,
            },
            "maxVelocity": 40,
            "minVelocity": 0.5,
            "stabilization": {
                "enabled": True,
                "iterations": 400 if big else 1500,
                "updateInterval": 50,
                "fit": True,
            },
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
            "multiselect": False,
            "navigationButtons": False,
            "keyboard": False,
        },
        "nodes": {
            "borderWidth": 1.5,
            "font": {
                "size": 19,
                "face": _FONT,
                "color": "#1a1a1a",
                "strokeWidth": 4,
                "strokeColor": "#ffffff",
            },
            "widthConstraint": {"maximum": 170},
        },
        "edges": {
            "arrowStrikethrough": False,
            "selectionWidth": 2,
            "hoverWidth": 1,
            "font": {
                "size": 14,
                "face": _FONT,
                "color": "#333333",
                "strokeWidth": 4,
                "strokeColor": "#ffffff",
            },
        },
    }


def _chains(graph: nx.MultiDiGraph, labels: Mapping[str, str]) -> list[dict[str, Any]]:
    """Each stated chain once: its steps in order (``None`` for a step outside this view)."""
    chains: dict[str, dict[str, Any]] = {}
    for u, v, k, d in graph.edges(keys=True, data=True):
        for c in d.get("chains", []):
            entry = chains.setdefault(
                c["chain"],
                {"chain": c["chain"], "id": c["id"], "length": c["length"], "evidence": c["evidence"],
                 "rank": c["rank"], "evidenceLabel": labels.get(c["evidence"], c["evidence"]),
                 "steps": [None] * int(c["length"]), "path": [None] * (int(c["length"]) + 1)},
            )  # fmt: skip
            position = int(c["position"])
            entry["steps"][position - 1] = str(k)
            entry["path"][position - 1] = short_label(str(graph.nodes[u]["label"]))
            entry["path"][position] = short_label(str(graph.nodes[v]["label"]))
    return [chains[c] for c in sorted(chains, key=lambda c: (chains[c]["id"], c))]


def page_data(
    graph: nx.MultiDiGraph,
    *,
    vocab: Vocabulary | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    max_edges: int = DEFAULT_MAX_EDGES,
) -> dict[str, Any]:
    """Everything the page draws, as JSON-ready data: styled nodes and edges, legend rows and chains."""
    vocab = vocab or load_vocabulary()
    total = {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
    graph, cap_note = cap_graph(graph, max_nodes, max_edges)
    sources = _with_source_counts(graph)
    smooth = _smooth(graph)
    evidence_labels = {e.slug: e.label for e in vocab.evidence_by_rank()}
    nodes: list[dict[str, Any]] = []
    for n, d in sorted(graph.nodes(data=True), key=lambda nd: str(nd[0])):
        colour, shape = NODE_STYLES.get(str(d.get("type")), _OTHER_NODE)
        claims = int(d.get("claims", 0))
        label = str(d.get("label", n))
        nodes.append({
            "id": str(n), "label": label, "shortLabel": short_label(label),
            "tipLabel": short_label(label, TOOLTIP_LABEL_MAX), "type": str(d.get("type", "")),
            "typeLabel": str(d.get("type_label", d.get("type", ""))), "synonyms": list(d.get("synonyms", [])),
            "groundings": list(d.get("groundings", [])), "claims": claims, "color": colour,
            "border": _border(colour), "shape": shape, "size": round(9 + 5 * math.sqrt(max(claims, 1)), 2),
        })  # fmt: skip
    edges: list[dict[str, Any]] = []
    for u, v, k, d in sorted(graph.edges(keys=True, data=True), key=lambda e: str(e[2])):
        rank = int(d.get("rank", 0))
        stance = str(d.get("stance", "asserted"))
        style = (
            STANCE_STYLES["negated"]
            if d.get("negated")
            else STANCE_STYLES.get(stance, STANCE_STYLES["asserted"])
        )
        edges.append({
            "id": str(k), "from": str(u), "to": str(v), "claimId": d.get("claim_id"),
            "relation": d.get("relation"), "relationLabel": d.get("relation_label", d.get("relation")),
            "causal": bool(d.get("causal")), "evidence": d.get("evidence"),
            "evidenceLabel": d.get("evidence_label", d.get("evidence")), "rank": rank, "stance": stance,
            "stanceLabel": d.get("stance_label", stance), "negated": bool(d.get("negated")),
            "quote": d.get("quote"), "start": d.get("start"), "end": d.get("end"), "source": d.get("source"),
            "sourceTitle": d.get("source_title"), "rationale": d.get("rationale"),
            "hedges": list(d.get("hedges", [])), "mechanism": d.get("mechanism"),
            "chains": sorted(d.get("chains", []), key=lambda c: (c["id"], c["position"])),
            "sources": sources[k], "color": EVIDENCE_COLOURS.get(rank, "#888888"),
            "width": round(min(9.0, 2.5 + 1.5 * (sources[k] - 1)), 2), "dashes": style["dashes"],
            "marker": style["marker"], "smooth": smooth[k],
            "length": _edge_length(graph, u, v, d),
        })  # fmt: skip
    rank_counts = Counter(e["rank"] for e in edges)
    stance_counts = Counter("negated" if e["negated"] else e["stance"] for e in edges)
    type_counts = Counter(n["type"] for n in nodes)
    relation_counts = Counter(e["relation"] for e in edges)
    relation_labels = {e["relation"]: e["relationLabel"] for e in edges}
    type_labels = {n["type"]: n["typeLabel"] for n in nodes}
    type_labels.update({t.slug: t.label for t in vocab.entity_types.values() if t.slug in type_counts})
    stance_order = [*STANCE_STYLES, *sorted(set(stance_counts) - set(STANCE_STYLES))]
    type_order = [*NODE_STYLES, *sorted(set(type_counts) - set(NODE_STYLES))]
    return {
        "total": total,
        "cap": cap_note,
        "nodes": nodes,
        "edges": edges,
        "levels": [
            {
                "rank": e.rank,
                "slug": e.slug,
                "label": e.label,
                "color": EVIDENCE_COLOURS.get(e.rank, "#888888"),
                "count": rank_counts.get(e.rank, 0),
            }
            for e in vocab.evidence_by_rank()
        ],
        "stances": [
            {
                "slug": s,
                "label": vocab.stances[s].label if s in vocab.stances else s,
                **STANCE_STYLES.get(s, STANCE_STYLES["asserted"]),
                "count": stance_counts.get(s, 0),
            }
            for s in stance_order
            if s in STANCE_STYLES or stance_counts.get(s)
        ],
        "types": [
            {
                "slug": t,
                "label": type_labels.get(t, t),
                "color": NODE_STYLES.get(t, _OTHER_NODE)[0],
                "shape": NODE_STYLES.get(t, _OTHER_NODE)[1],
                "count": type_counts[t],
            }
            for t in type_order
            if type_counts.get(t)
        ],
        "relations": [
            {"slug": r, "label": relation_labels[r], "count": relation_counts[r]}
            for r in sorted(relation_counts, key=lambda r: (str(relation_labels[r]), str(r)))
        ],
        "chains": _chains(graph, evidence_labels),
        "chainGlow": CHAIN_GLOW,
        "options": _vis_options(len(nodes)),
    }


# --- the page --------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """The vis-network 9.1.2 script and stylesheet bundled with pyvis, without their source-map link."""
    spec = importlib.util.find_spec("pyvis")  # locate, without importing pyvis (it pulls in IPython)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pyvis is not installed; it provides the vis-network bundle the page embeds")
    folder = Path(next(iter(spec.submodule_search_locations))) / "templates" / "lib" / "vis-9.1.2"
    if not folder.is_dir():
        raise RuntimeError(f"expected pyvis 0.3.x with its vis-network 9.1.2 bundle at {folder}; found none")
    js = (folder / "vis-network.min.js").read_text(encoding="utf-8")
    css = (folder / "vis-network.css").read_text(encoding="utf-8")
    strip = re.compile(r"^\s*(?://#|/\*#)\s*sourceMappingURL=.*$", re.MULTILINE)
    return strip.sub("", js), strip.sub("", css)


def _json_for_script(data: Any) -> str:
    """JSON that cannot end its <script> element: <, > and & become \\u escapes (still the same JSON)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def _csp_hash(script: str) -> str:
    return (
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"
    )


def to_html(
    graph: nx.MultiDiGraph,
    *,
    title: str = DEFAULT_TITLE,
    caption: str | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    max_edges: int = DEFAULT_MAX_EDGES,
    vocab: Vocabulary | None = None,
) -> str:
    """One self-contained HTML page drawing the graph: legend, filters, chains and a detail panel.

    The page loads nothing: vis-network, styles and data are inline, and its Content-Security-Policy
    allows only its own two scripts and no fetches at all. ``caption`` says what the view holds. Above
    ``max_nodes`` entities the page draws those with the most claims, above ``max_edges`` claims each
    connection's best-evidenced ones, and says what it left out. Same graph and arguments, same bytes.
    """
    for name, value in (("max_nodes", max_nodes), ("max_edges", max_edges)):
        if value < 1:
            raise ValueError(f"{name} must be at least 1; found {value}")
    data = page_data(graph, vocab=vocab, max_nodes=max_nodes, max_edges=max_edges)
    data["title"] = title
    data["caption"] = caption
    vis_js, vis_css = vis_assets()
    csp = (
        "default-src 'none'; "
        f"script-src {_csp_hash(vis_js)} {_csp_hash(_APP_JS)}; "
        "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
    )
    values = {
        "CSP": html.escape(csp),
        "TITLE": html.escape(title),
        "VIS_CSS": vis_css,
        "APP_CSS": _APP_CSS,
        "DATA": _json_for_script(data),
        "VIS_JS": vis_js,
        "APP_JS": _APP_JS,
    }
    # One pass, so that nothing substituted is ever read again as a placeholder.
    return re.sub(r"@@([A-Z_]+)@@", lambda m: values[m.group(1)], _PAGE)


def write_html(graph: nx.MultiDiGraph, path: Path | str, **kwargs: Any) -> Path:
    """Write :func:`to_html` of the graph to ``path`` atomically and return the path."""
    target = Path(path)
    write_atomic(target, to_html(graph, **kwargs).encode("utf-8"))
    return target


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="@@CSP@@">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="medkg">
<title>@@TITLE@@</title>
<style>@@VIS_CSS@@</style>
<style>@@APP_CSS@@</style>
</head>
<body>
<header id="top">
  <h1>@@TITLE@@</h1>
  <p id="caption" hidden></p>
  <p id="status" aria-live="polite">Laying out the graph&hellip;</p>
  <p id="cap-note" class="warn" hidden></p>
</header>
<main id="layout">
  <aside id="controls" aria-label="Legend and filters">
    <section><h2>Evidence level <small>edge colour, weakest first</small></h2>
      <div id="f-evidence"></div></section>
    <section><h2>Stance <small>edge line</small></h2><div id="f-stance"></div></section>
    <section><h2>Stated chains <small>one claim in several steps</small></h2><ol id="chains"></ol></section>
    <section><h2>Entity type <small>node colour and shape</small></h2><div id="f-type"></div></section>
    <section><h2>Relation <small>edge label</small></h2><div id="f-relation"></div></section>
    <section><h2>Also</h2><div id="f-more"></div><ul id="key-more"></ul>
      <button type="button" id="reset">Show everything</button></section>
  </aside>
  <div id="graph" role="img" aria-label="Network of entities and the claims between them"></div>
  <aside id="details" aria-live="polite" aria-label="Details"></aside>
</main>
<script type="application/json" id="medkg-data">@@DATA@@</script>
<script>@@VIS_JS@@</script>
<script>@@APP_JS@@</script>
</body>
</html>
"""

_APP_CSS = """
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Arial,
  sans-serif; color: #1a1a1a; background: #fff; }
body { display: flex; flex-direction: column; }
header { padding: 6px 14px; border-bottom: 1px solid #ddd; display: flex; flex-wrap: wrap; gap: 4px 18px;
  align-items: baseline; }
header h1 { font-size: 17px; margin: 0; }
header p { margin: 0; color: #444; }
.warn { color: #7a3b00; background: #fff3e0; border: 1px solid #f0c090; padding: 2px 8px; border-radius: 4px;
  flex-basis: 100%; }
#layout { flex: 1; display: flex; min-height: 0; }
#controls { width: 255px; overflow-y: auto; padding: 6px 12px; border-right: 1px solid #ddd; }
#details { width: 300px; overflow-y: auto; padding: 8px 14px; border-left: 1px solid #ddd;
  background: #fafafa; }
#graph { flex: 1; min-width: 0; position: relative; }
h2 { font-size: 13px; margin: 10px 0 4px; }
h2 small { font-weight: normal; color: #666; }
label.row { display: flex; align-items: center; gap: 6px; padding: 1px 0; cursor: pointer; }
label.row.empty { color: #999; }
label.row .count { margin-left: auto; color: #666; font-variant-numeric: tabular-nums; }
.swatch { display: inline-block; width: 26px; height: 6px; border-radius: 3px; flex: none; }
svg.key { flex: none; }
#chains { margin: 0; padding-left: 18px; }
#chains li { margin: 3px 0; }
#chains button.link { display: block; }
#chains li.none { list-style: none; margin-left: -18px; }
button.link { background: none; border: none; padding: 0; color: #0b57d0; cursor: pointer; text-align: left;
  font: inherit; text-decoration: underline; }
#key-more { margin: 4px 0 8px; padding-left: 16px; color: #444; }
#reset { margin-top: 4px; }
#details h2 { font-size: 15px; margin: 4px 0 8px; }
#details dl { margin: 0; }
#details dt { font-weight: 600; margin-top: 8px; color: #333; }
#details dd { margin: 2px 0 0; overflow-wrap: anywhere; }
#details blockquote { margin: 4px 0; padding: 6px 10px; border-left: 4px solid #bbb; background: #fff;
  white-space: pre-wrap; }
#details ul, #details ol { margin: 2px 0; padding-left: 18px; }
.chain-badge { display: inline-block; padding: 0 6px; border-radius: 8px; background: rgba(0, 158, 115, 0.18);
  border: 1px solid rgba(0, 158, 115, 0.7); }
.muted { color: #666; }
div.vis-tooltip { max-width: 360px; white-space: normal; font: 12px/1.4 system-ui, sans-serif;
  padding: 6px 8px; background: #fff; border: 1px solid #aaa; box-shadow: 0 2px 6px rgba(0, 0, 0, 0.2); }
div.vis-tooltip .tip-title { font-weight: 600; }
div.vis-tooltip .tip-quote { font-style: italic; margin-top: 3px; }
"""

_APP_JS = r"""
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("medkg-data").textContent);
  var SVG = "http://www.w3.org/2000/svg";
  var nodeInfo = {}, edgeInfo = {}, levelByRank = {}, levelBySlug = {};
  DATA.nodes.forEach(function (n) { nodeInfo[n.id] = n; });
  DATA.edges.forEach(function (e) { edgeInfo[e.id] = e; });
  DATA.levels.forEach(function (l) { levelByRank[l.rank] = l; levelBySlug[l.slug] = l; });

  // Every piece of annotation text reaches the page through textContent: it is never parsed as HTML.
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function svg(tag, attrs, parent) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  // The canvas, tooltips and lists show labels cut short (shortLabel); the details panel shows them whole.
  function labelOf(id) { return nodeInfo[id] ? nodeInfo[id].label : id; }
  function shortLabelOf(id) { return nodeInfo[id] ? nodeInfo[id].shortLabel : id; }
  function chainText(c) { return "chain step " + c.position + "/" + c.length; }
  function claimText(e, whole) {
    var name = whole ? labelOf : shortLabelOf;
    return name(e.from) + " → " + e.relationLabel + " → " + name(e.to);
  }
  function pathText(c) { return c.path.map(function (p) { return p === null ? "…" : p; }).join(" → "); }

  function nodeTooltip(n) {
    var box = el("div");
    box.appendChild(el("div", "tip-title", n.tipLabel));
    box.appendChild(el("div", null, "type: " + n.typeLabel));
    if (n.synonyms.length) { box.appendChild(el("div", null, "synonyms: " + n.synonyms.join(", "))); }
    n.groundings.forEach(function (g) {
      box.appendChild(el("div", null, g.curie + " " + g.label + " (" + g.match + " match)"));
    });
    if (!n.groundings.length) { box.appendChild(el("div", "muted", "no grounding")); }
    var claims = n.claims + " claim" + (n.claims === 1 ? "" : "s");
    box.appendChild(el("div", "muted", claims + " · click for details"));
    return box;
  }
  function edgeTooltip(e) {
    var box = el("div");
    box.appendChild(el("div", "tip-title", claimText(e)));
    box.appendChild(el("div", null, "evidence: " + e.evidenceLabel + " · stance: " + e.stanceLabel));
    e.chains.forEach(function (c) { box.appendChild(el("div", null, chainText(c) + " of " + c.id)); });
    box.appendChild(el("div", "tip-quote", "“" + e.quote + "”"));
    box.appendChild(el("div", "muted", "click for details"));
    return box;
  }
  function visNode(n) {
    var colour = {background: n.color, border: n.border};
    return {id: n.id, label: n.shortLabel, shape: n.shape, size: n.size, title: nodeTooltip(n),
      color: {background: n.color, border: n.border, highlight: colour, hover: colour}};
  }
  function visEdge(e) {
    var arrows = {to: {enabled: true, scaleFactor: 0.7}};
    if (e.marker) { arrows.from = {enabled: true, type: e.marker, scaleFactor: 0.9}; }
    var label = e.relationLabel;
    if (e.chains.length) {
      var steps = e.chains.map(function (c) { return "chain " + c.position + "/" + c.length; });
      label += " (" + steps.join(", ") + ")";
    }
    return {id: e.id, from: e.from, to: e.to, label: label, width: e.width, dashes: e.dashes,
      length: e.length, arrows: arrows, smooth: e.smooth, title: edgeTooltip(e),
      color: {color: e.color, highlight: e.color, hover: e.color, inherit: false, opacity: 1},
      shadow: {enabled: e.chains.length > 0, color: DATA.chainGlow, size: 22, x: 0, y: 0}};
  }

  var nodes = new vis.DataSet(DATA.nodes.map(visNode));
  var edges = new vis.DataSet(DATA.edges.map(visEdge));
  var network = new vis.Network(document.getElementById("graph"), {nodes: nodes, edges: edges}, DATA.options);
  var status = document.getElementById("status");
  var details = document.getElementById("details");
  var api = {network: network, nodes: nodes, edges: edges, data: DATA, ready: false};
  window.medkg = api;

  // --- header
  if (DATA.caption) {
    var caption = document.getElementById("caption");
    caption.textContent = "Showing " + DATA.caption + ".";
    caption.hidden = false;
  }
  if (DATA.cap) {
    var capNote = document.getElementById("cap-note");
    capNote.textContent = DATA.cap;
    capNote.hidden = false;
  }

  // --- legend and filters
  var filters = {evidence: {}, stance: {}, type: {}, relation: {}};
  var hideIsolated = false;
  function lineKey(dashes, marker, colour) {
    var box = svg("svg", {"class": "key", width: 40, height: 12, viewBox: "0 0 40 12"});
    var line = svg("line", {x1: 4, y1: 6, x2: 33, y2: 6, stroke: colour, "stroke-width": 2.5}, box);
    if (dashes) { line.setAttribute("stroke-dasharray", dashes.join(" ")); }
    svg("path", {d: "M33 2 L39 6 L33 10 Z", fill: colour}, box);
    if (marker === "circle") { svg("circle", {cx: 4.5, cy: 6, r: 3.5, fill: colour}, box); }
    if (marker === "bar") {
      svg("line", {x1: 3, y1: 0, x2: 3, y2: 12, stroke: colour, "stroke-width": 2.5}, box);
    }
    return box;
  }
  function shapeKey(shape, colour) {
    var box = svg("svg", {"class": "key", width: 18, height: 18, viewBox: "-9 -9 18 18"});
    var style = {fill: colour, stroke: "#555", "stroke-width": 1};
    var points = {
      diamond: "0,-8 8,0 0,8 -8,0", triangle: "0,-8 7.5,6 -7.5,6", triangleDown: "0,8 7.5,-6 -7.5,-6",
      hexagon: "7.5,0 3.75,6.5 -3.75,6.5 -7.5,0 -3.75,-6.5 3.75,-6.5",
      star: "0,-8.5 2.2,-2.8 8.1,-2.6 3.5,1.1 5,6.9 0,3.6 -5,6.9 -3.5,1.1 -8.1,-2.6 -2.2,-2.8"
    };
    if (shape === "square") {
      svg("rect", Object.assign({x: -6.5, y: -6.5, width: 13, height: 13}, style), box);
    }
    else if (points[shape]) { svg("polygon", Object.assign({points: points[shape]}, style), box); }
    else { svg("circle", Object.assign({r: 7}, style), box); }
    return box;
  }
  function addRow(container, kind, value, key, text, count) {
    var row = el("label", "row" + (count ? "" : " empty"));
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.value = String(value);
    box.dataset.kind = kind;
    box.addEventListener("change", function () { filters[kind][value] = box.checked; applyFilters(); });
    filters[kind][value] = true;
    row.appendChild(box);
    if (key) { row.appendChild(key); }
    row.appendChild(el("span", null, text));
    row.appendChild(el("span", "count", count));
    container.appendChild(row);
  }
  var fEvidence = document.getElementById("f-evidence");
  DATA.levels.forEach(function (l) {
    var sw = el("span", "swatch");
    sw.style.background = l.color;
    addRow(fEvidence, "evidence", l.rank, sw, l.rank + " · " + l.label, l.count);
  });
  var fStance = document.getElementById("f-stance");
  DATA.stances.forEach(function (s) {
    var marker = {circle: ", dot at tail", bar: ", bar at tail"}[s.marker] || "";
    var text = s.label + marker;
    addRow(fStance, "stance", s.slug, lineKey(s.dashes, s.marker, "#444"), text, s.count);
  });
  var fType = document.getElementById("f-type");
  DATA.types.forEach(function (t) {
    addRow(fType, "type", t.slug, shapeKey(t.shape, t.color), t.label, t.count);
  });
  var fRelation = document.getElementById("f-relation");
  DATA.relations.forEach(function (r) { addRow(fRelation, "relation", r.slug, null, r.label, r.count); });
  var more = document.getElementById("f-more");
  var isoRow = el("label", "row");
  var isoBox = el("input");
  isoBox.type = "checkbox";
  isoBox.id = "hide-isolated";
  isoBox.addEventListener("change", function () { hideIsolated = isoBox.checked; applyFilters(); });
  isoRow.appendChild(isoBox);
  isoRow.appendChild(el("span", null, "hide entities with no claim shown"));
  more.appendChild(isoRow);
  var keyMore = document.getElementById("key-more");
  keyMore.appendChild(el("li", null, "edge width: number of sources stating the claim"));
  keyMore.appendChild(el("li", null, "node size: number of claims about the entity"));
  var glowItem = el("li", null, "");
  var glow = el("span", "chain-badge", "green glow");
  glowItem.appendChild(glow);
  glowItem.appendChild(document.createTextNode(" : a step of a stated chain"));
  keyMore.appendChild(glowItem);

  function visibleEdgeIds() { return edges.getIds({filter: function (e) { return !e.hidden; }}); }
  function visibleNodeIds() { return nodes.getIds({filter: function (n) { return !n.hidden; }}); }
  function applyFilters() {
    var nodeOn = {}, used = {};
    DATA.nodes.forEach(function (n) { nodeOn[n.id] = filters.type[n.type] !== false; });
    var edgeUpdates = DATA.edges.map(function (e) {
      var stance = e.negated ? "negated" : e.stance;
      var on = filters.evidence[e.rank] !== false && filters.stance[stance] !== false &&
        filters.relation[e.relation] !== false && nodeOn[e.from] && nodeOn[e.to];
      if (on) { used[e.from] = true; used[e.to] = true; }
      return {id: e.id, hidden: !on};
    });
    var nodeUpdates = DATA.nodes.map(function (n) {
      return {id: n.id, hidden: !nodeOn[n.id] || (hideIsolated && !used[n.id])};
    });
    nodes.update(nodeUpdates);
    edges.update(edgeUpdates);
    updateStatus();
  }
  function updateStatus() {
    var text = "Showing " + visibleEdgeIds().length + " of " + DATA.edges.length + " claims and " +
      visibleNodeIds().length + " of " + DATA.nodes.length + " entities";
    if (DATA.total.nodes > DATA.nodes.length) { text += " (graph: " + DATA.total.nodes + " entities)"; }
    status.textContent = text + (api.ready ? "." : "; laying out…");
  }
  document.getElementById("reset").addEventListener("click", function () {
    document.querySelectorAll("#controls input[type=checkbox]").forEach(function (box) {
      box.checked = box.id !== "hide-isolated";
      if (box.dataset.kind) { filters[box.dataset.kind][box.value] = true; }
    });
    hideIsolated = false;
    applyFilters();
    network.unselectAll();
    fitAll();
    showHelp();
  });

  // --- details
  function field(dl, name, value) {
    dl.appendChild(el("dt", null, name));
    var dd = el("dd");
    if (value instanceof Node) { dd.appendChild(value); } else { dd.textContent = String(value); }
    dl.appendChild(dd);
    return dd;
  }
  function linkButton(text, onClick) {
    var b = el("button", "link", text);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }
  function showHelp() {
    clear(details);
    details.appendChild(el("h2", null, "Details"));
    details.appendChild(el("p", "muted", "Click a claim (an arrow) to read its quote, evidence and stance; " +
      "click an entity for its groundings and claims. Hover for a summary. Drag to pan, scroll to zoom."));
  }
  function showEdge(id) {
    var e = edgeInfo[id];
    if (!e) { return; }
    clear(details);
    details.dataset.edge = id;
    details.dataset.node = "";
    details.appendChild(el("h2", null, claimText(e, true)));
    var dl = el("dl");
    field(dl, "Relation", e.relationLabel + (e.causal ? " (causal)" : ""));
    var level = el("span");
    var sw = el("span", "swatch");
    sw.style.background = e.color;
    level.appendChild(sw);
    level.appendChild(document.createTextNode(" " + e.evidenceLabel + " (rank " + e.rank + " of " +
      DATA.levels.length + ")"));
    field(dl, "Evidence level", level).className = "evidence";
    field(dl, "Why this level", e.rationale || "—");
    field(dl, "Stance", e.stanceLabel + (e.negated ? " · the source denies it" : ""));
    if (e.hedges.length) {
      var ul = el("ul");
      e.hedges.forEach(function (h) { ul.appendChild(el("li", null, "“" + h.text + "” (" + h.type + ")")); });
      field(dl, "Hedge cues", ul);
    } else {
      field(dl, "Hedge cues", "none");
    }
    field(dl, "Quote", el("blockquote", "quote", e.quote)).className = "quote";
    if (e.mechanism) { field(dl, "Mechanism", e.mechanism); }
    field(dl, "Source", e.sourceTitle || e.source).className = "source";
    field(dl, "Stated by", e.sources + " source" + (e.sources === 1 ? "" : "s"));
    if (e.chains.length) {
      var list = el("ul");
      e.chains.forEach(function (c) {
        var li = el("li");
        li.appendChild(el("span", "chain-badge", chainText(c)));
        li.appendChild(document.createTextNode(" of "));
        li.appendChild(linkButton(c.id, function () { showChain(c.chain); }));
        var level = levelBySlug[c.evidence] || {label: c.evidence};
        li.appendChild(document.createTextNode(" (" + level.label + ")"));
        list.appendChild(li);
      });
      field(dl, "Stated chain", list);
    }
    field(dl, "Offsets", "characters " + e.start + "–" + e.end + " of the source text");
    field(dl, "Claim id", e.claimId);
    field(dl, "Assertion", e.id);
    details.appendChild(dl);
  }
  function showNode(id) {
    var n = nodeInfo[id];
    if (!n) { return; }
    clear(details);
    details.dataset.node = id;
    details.dataset.edge = "";
    details.appendChild(el("h2", null, n.label));
    var dl = el("dl");
    field(dl, "Type", n.typeLabel);
    field(dl, "Synonyms", n.synonyms.length ? n.synonyms.join(", ") : "none");
    var gl = el("ul");
    n.groundings.forEach(function (g) {
      gl.appendChild(el("li", null, g.curie + " — " + g.label + " (" + g.match + ")"));
    });
    field(dl, "Groundings", n.groundings.length ? gl : "none");
    var cl = el("ul");
    DATA.edges.forEach(function (e) {
      if (e.from !== id && e.to !== id) { return; }
      var li = el("li");
      li.appendChild(linkButton(claimText(e), function () {
        network.selectEdges([e.id]);
        showEdge(e.id);
      }));
      li.appendChild(el("span", "muted", " (" + e.evidenceLabel + ")"));
      cl.appendChild(li);
    });
    field(dl, "Claims", cl);
    field(dl, "IRI", n.id);
    details.appendChild(dl);
  }
  var chainById = {};
  DATA.chains.forEach(function (c) { chainById[c.chain] = c; });
  function showChain(chainIri) {
    var c = chainById[chainIri];
    if (!c) { return; }
    network.selectEdges(c.steps.filter(function (s) { return s !== null; }));
    clear(details);
    details.dataset.chain = chainIri;
    details.appendChild(el("h2", null, "Stated chain: " + c.id));
    var dl = el("dl");
    field(dl, "Path", pathText(c));
    field(dl, "Evidence level of the chain", c.evidenceLabel + " (rank " + c.rank + ")");
    var ol = el("ol");
    c.steps.forEach(function (stepId) {
      var li = el("li");
      var e = edgeInfo[stepId];
      if (!e) { li.appendChild(el("span", "muted", "not in this view")); ol.appendChild(li); return; }
      li.appendChild(linkButton(claimText(e), function () {
        network.selectEdges([e.id]);
        showEdge(e.id);
      }));
      li.appendChild(el("blockquote", "quote", e.quote));
      ol.appendChild(li);
    });
    field(dl, "Steps", ol);
    field(dl, "Chain", c.chain);
    details.appendChild(dl);
  }
  var chainList = document.getElementById("chains");
  DATA.chains.forEach(function (c) {
    var li = el("li");
    li.appendChild(linkButton(pathText(c), function () { showChain(c.chain); }));
    li.appendChild(el("div", "muted", c.length + " steps · " + c.evidenceLabel));
    chainList.appendChild(li);
  });
  if (!DATA.chains.length) { chainList.appendChild(el("li", "muted none", "none in this view")); }

  network.on("click", function (params) {
    if (params.nodes && params.nodes.length) { showNode(params.nodes[0]); }
    else if (params.edges && params.edges.length) { showEdge(params.edges[0]); }
    else { showHelp(); }
  });
  function fitAll() {
    // fit() frames the nodes, not their labels: step back a little so no label is cut at the border.
    network.fit();
    network.moveTo({scale: network.getScale() * 0.9});
  }
  network.once("stabilizationIterationsDone", function () {
    // Stop the simulation: a settled layout that keeps drifting is harder to read.
    network.setOptions({physics: {enabled: false}});
    fitAll();
    api.ready = true;
    document.body.dataset.ready = "true";
    updateStatus();
  });

  api.visibleEdgeIds = visibleEdgeIds;
  api.visibleNodeIds = visibleNodeIds;
  api.showEdge = showEdge;
  api.showNode = showNode;
  api.showChain = showChain;
  api.edgeIdForClaim = function (claimId) {
    var match = DATA.edges.filter(function (e) { return e.claimId === claimId; });
    return match.length ? match[0].id : null;
  };
  showHelp();
  updateStatus();
})();
"""
