"""Draw the claims graph as one self-contained, interactive HTML page that works offline.

Entities are nodes, assertions are edges (the projection of :func:`graph_builder.analysis.network.to_networkx`).
The page's template, styles and code are files in ``graph_builder/viz/page/``, beside a vendored copy of
vis-network 9.1.2 (the bundle pyvis ships); all are inlined, so the page makes no network request.
pyvis's own template is not used because it links Bootstrap and vis from CDNs. All annotation text is
data: it travels as JSON and reaches the page only through ``textContent``, never as HTML.

>>> from graph_builder.kg.build import build_example
>>> from graph_builder.analysis.network import to_networkx
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
import importlib.resources
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import networkx as nx

from graph_builder.analysis.chains import resolve_entity, resolve_evidence
from graph_builder.core.vocabulary import Vocabulary, load_vocabulary
from graph_builder.kg.export import write_atomic

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

    >>> from graph_builder.kg.build import build_example
    >>> from graph_builder.analysis.network import to_networkx
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
    reach = nx.single_source_shortest_path_length(graph.to_undirected(as_view=True), centre, cutoff=depth)
    return _subgraph(graph, reach, graph.subgraph(reach).edges(keys=True))


def select_results(graph: nx.MultiDiGraph, table: ResultLike) -> nx.MultiDiGraph:
    """The part of the graph a query result names: its ``claim`` column, or else the entities it returns.

    With a ``claim`` column, the view holds those assertions and their entities. Without one, every
    column is searched for entity IRIs and the view holds those entities and the claims between them.

    >>> from graph_builder.kg.build import build_example
    >>> from graph_builder.analysis.network import to_networkx
    >>> from graph_builder.sparql.queries import run_query
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


def page_asset(name: str) -> str:
    """The text of one file of ``graph_builder/viz/page/``, from a checkout or an installed wheel alike.

    Read on every call (three small files per page), so an edited ``app.js`` shows in the next page.

    >>> page_asset("page.html").startswith("<!DOCTYPE html>")
    True
    """
    return (importlib.resources.files("graph_builder.viz") / "page" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """The vendored vis-network 9.1.2 script and stylesheet, without their source-map link (no map ships).

    They are vendored (see ``graph_builder/viz/page/NOTICE``) rather than read from pyvis, which offers no
    public way to get the bundle alone and keeps it at a private path.
    """
    strip = re.compile(r"^\s*(?://#|/\*#)\s*sourceMappingURL=.*$", re.MULTILINE)
    return strip.sub("", page_asset("vis-network.min.js")), strip.sub("", page_asset("vis-network.css"))


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
    app_js = page_asset("app.js")
    csp = (
        "default-src 'none'; "
        f"script-src {_csp_hash(vis_js)} {_csp_hash(app_js)}; "
        "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
    )
    values = {
        "CSP": html.escape(csp),
        "TITLE": html.escape(title),
        "VIS_CSS": vis_css,
        "APP_CSS": page_asset("app.css"),
        "DATA": _json_for_script(data),
        "VIS_JS": vis_js,
        "APP_JS": app_js,
    }
    # One pass over the template alone, so that nothing substituted is ever read again as a placeholder.
    return re.sub(r"@@([A-Z_]+)@@", lambda m: values[m.group(1)], page_asset("page.html"))


def write_html(graph: nx.MultiDiGraph, path: Path | str, **kwargs: Any) -> Path:
    """Write :func:`to_html` of the graph to ``path`` atomically and return the path."""
    target = Path(path)
    write_atomic(target, to_html(graph, **kwargs).encode("utf-8"))
    return target
