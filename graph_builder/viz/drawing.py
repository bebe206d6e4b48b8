"""What the page of the claims graph draws, as JSON-ready data: styled nodes and edges, legend and chains.

Colours, shapes and dashes by entity type, evidence rank, stance and source, the mark of a conflict,
and vis-network's layout options.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from graph_builder.analysis.conflicts import DISCLAIMED, POLARITY, SUPPORT
from graph_builder.analysis.network import ClaimGraph, EdgeData
from graph_builder.core.vocabulary import Vocabulary, load_vocabulary
from graph_builder.viz.view import (
    DEFAULT_MAX_EDGES,
    DEFAULT_MAX_NODES,
    TOOLTIP_LABEL_MAX,
    cap_graph,
    short_label,
    with_source_counts,
)

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
#: Source colours: Paul Tol's colour-blind-safe "muted" qualitative scheme, given to the sources in
#: IRI order (:func:`source_colours`); past nine sources the colours repeat, and the legend names each.
SOURCE_COLOURS: tuple[str, ...] = (
    "#CC6677", "#332288", "#DDCC77", "#117733", "#88CCEE", "#882255", "#44AA99", "#999933", "#AA4499",
)  # fmt: skip
#: The mark of an edge whose proposition's assertions conflict: a dashed grey band behind the line
#: (vis-network's edge ``background``), which no evidence or source colour is, and a word in its label.
CONFLICT_STYLE: dict[str, Any] = {"color": "rgba(60, 60, 60, 0.45)", "size": 13, "dashes": [4, 4]}
#: What each kind of conflict (``queries/conflicts.rq``) means, for the detail panel.
CONFLICT_REASONS: dict[str, str] = {
    POLARITY: "one source affirms it, another negates it",
    DISCLAIMED: "both affirm it, but one disclaims it (says research does not support it)",
    SUPPORT: "both affirm it, with support levels two or more ranks apart",
}
#: The glow behind the edges of a stated chain (Okabe-Ito bluish green: no evidence colour is green).
CHAIN_GLOW = "rgba(0, 158, 115, 0.9)"
#: The colour of a proposition drawn as one arrow whose assertions have different colours (levels or sources).
MIXED_COLOUR = "#6b6b6b"
_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

# --- page data -------------------------------------------------------------------------------------


def source_colours(sources: Iterable[str]) -> dict[str, str]:
    """A colour for each source (IRI) from :data:`SOURCE_COLOURS`, given in sorted order.

    >>> source_colours(["urn:b", "urn:a"])
    {'urn:a': '#CC6677', 'urn:b': '#332288'}
    """
    return {s: SOURCE_COLOURS[i % len(SOURCE_COLOURS)] for i, s in enumerate(sorted(set(sources)))}


def _border(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(int(c * 0.6) for c in (r, g, b)))


def _smooth(graph: ClaimGraph) -> dict[str, dict[str, Any]]:
    """Curve parallel edges apart, alternately clockwise; a lone edge stays straight."""
    pairs: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)
    for u, v, k in graph.edges(keys=True):
        a, b = sorted((str(u), str(v)))
        pairs[(a, b)].append((u, v, k))
    out: dict[str, dict[str, Any]] = {}
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


def _edge_length(graph: ClaimGraph, u: str, v: str, data: EdgeData) -> int:
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


def _chains(graph: ClaimGraph, labels: Mapping[str, str]) -> list[dict[str, Any]]:
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
    graph: ClaimGraph,
    *,
    vocab: Vocabulary | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    max_edges: int = DEFAULT_MAX_EDGES,
) -> dict[str, Any]:
    """Everything the page draws, as JSON-ready data: styled nodes and edges, legend rows and chains."""
    vocab = vocab or load_vocabulary()
    total = {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
    graph, cap_note = cap_graph(graph, max_nodes, max_edges)
    sources = with_source_counts(graph)
    # Titles and colours of every source of the store the view came from, so that a source keeps its
    # colour in every view; a graph made elsewhere has only its edges' sources.
    titles: dict[str, str] = {
        str(d.get("source")): str(d.get("source_title")) for *_, d in graph.edges(data=True)
    }
    titles.update(graph.graph.get("sources", {}))
    colours = source_colours(titles)
    smooth = _smooth(graph)
    evidence_labels = {e.slug: e.label for e in vocab.evidence_by_rank()}
    nodes: list[dict[str, Any]] = []
    for n, node in sorted(graph.nodes.items(), key=lambda nd: str(nd[0])):
        colour, shape = NODE_STYLES.get(str(node.get("type")), _OTHER_NODE)
        claims = int(node.get("claims", 0))
        label = str(node.get("label", n))
        nodes.append({
            "id": str(n), "label": label, "shortLabel": short_label(label),
            "tipLabel": short_label(label, TOOLTIP_LABEL_MAX), "type": str(node.get("type", "")),
            "typeLabel": str(node.get("type_label", node.get("type", ""))), "synonyms": list(node.get("synonyms", [])),
            "groundings": list(node.get("groundings", [])), "claims": claims, "color": colour,
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
            "sourceTitle": d.get("source_title"), "sourceColor": colours[str(d.get("source"))],
            "rationale": d.get("rationale"), "polarity": d.get("polarity"), "polarityLabel": d.get("polarity_label"),
            "certainty": d.get("certainty"), "certaintyLabel": d.get("certainty_label"),
            "support": d.get("support"), "supportLabel": d.get("support_label"),
            "supportRank": d.get("support_rank"), "strength": d.get("strength"), "agent": d.get("agent"),
            "proposition": d.get("proposition"), "conflict": list(d.get("conflict", [])),
            "hedges": list(d.get("hedges", [])), "mechanism": d.get("mechanism"),
            "chains": sorted(d.get("chains", []), key=lambda c: (c["id"], c["position"])),
            "sources": sources[k], "color": EVIDENCE_COLOURS.get(rank, "#888888"),
            "width": round(min(9.0, 2.5 + 1.5 * (sources[k] - 1)), 2), "dashes": style["dashes"],
            "marker": style["marker"], "smooth": smooth[k],
            "length": _edge_length(graph, u, v, d),
        })  # fmt: skip
    rank_counts = Counter(e["rank"] for e in edges)
    source_counts = Counter(str(e["source"]) for e in edges)
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
        "sources": [
            {"iri": s, "title": titles[s], "color": colours[s], "count": source_counts[s]}
            for s in sorted(source_counts)
        ],
        "conflict": {
            "count": sum(1 for e in edges if e["conflict"]),
            "reasons": CONFLICT_REASONS,
            **CONFLICT_STYLE,
        },
        "chains": _chains(graph, evidence_labels),
        "chainGlow": CHAIN_GLOW,
        "mixedColor": MIXED_COLOUR,
        "options": _vis_options(len(nodes)),
    }
