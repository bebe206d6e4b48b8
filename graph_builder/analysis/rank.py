"""Which entities the claims centre on: rankings by a measure over
:func:`graph_builder.analysis.network.to_networkx`.

>>> from graph_builder.kg.build import build_example
>>> from graph_builder.analysis.network import to_networkx
>>> g = to_networkx(build_example())
>>> [(row.label, row.value) for row in rank_entities(g, "causes", top=1)]
[('herpes', 4)]
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

import networkx as nx

from graph_builder.analysis.network import ClaimGraph
from graph_builder.core.names import normalize as _norm
from graph_builder.core.tables import table_lines

#: The measures of :func:`rank_entities`, each with what it counts.
MEASURES: dict[str, str] = {
    "claims": "assertions the entity takes part in, as subject or object",
    "caused": "assertions that something causes it (causal relations into the entity, not negated)",
    "causes": "assertions that it causes something (causal relations out of the entity, not negated)",
    "remedied": "assertions that something is a remedy for it (relations under medkg:ameliorates, not negated)",
    "pagerank": "PageRank over entities; parallel assertions collapse into one edge weighted by their number",
}


@dataclass(frozen=True)
class RankRow:
    """One entity's place in a ranking; ``position`` is shared by ties (1, 2, 2, 4)."""

    measure: str
    position: int
    entity: str
    label: str
    type: str
    value: int | float

    def to_dict(self) -> dict[str, Any]:
        value = round(self.value, 6) if isinstance(self.value, float) else self.value
        return {
            "measure": self.measure,
            "position": self.position,
            "entity": self.entity,
            "label": self.label,
            "type": self.type,
            "value": value,
        }


# --- entities ----------------------------------------------------------------------------------------


def _scores(graph: ClaimGraph, measure: str) -> dict[str, int | float]:
    if measure == "pagerank":
        # Each assertion weighs 1 and networkx sums the parallel edges of a multigraph: the one weighted
        # edge per pair that MEASURES promises.
        # networkx's stubs type algorithms for graphs with dict[str, Any] data only; pagerank reads none here.
        return dict(nx.pagerank(cast("nx.MultiDiGraph[str]", graph), weight=None))
    counts: dict[str, int | float] = dict.fromkeys(graph, 0)
    for u, v, d in graph.edges(data=True):
        affirmed = not d.get("negated")
        if measure == "claims":
            for node in {u, v}:
                counts[node] += 1
        elif measure == "caused" and affirmed and d["causal"]:
            counts[v] += 1
        elif measure == "causes" and affirmed and d["causal"]:
            counts[u] += 1
        elif measure == "remedied" and affirmed and d["remedy"]:
            counts[v] += 1
    return {node: c for node, c in counts.items() if c}


def rank_entities(graph: ClaimGraph, measure: str, *, top: int | None = None) -> list[RankRow]:
    """Rank entities by a measure of :data:`MEASURES`, highest first; counts of zero are left out.

    Ties keep one position and are ordered by label, then IRI, so rankings are deterministic.
    """
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; expected one of {', '.join(MEASURES)}")
    scores = _scores(graph, measure)

    def tie(value: int | float) -> float:
        return round(float(value), 12)  # pagerank floats: equal up to rounding noise are tied

    order = sorted(scores, key=lambda e: (-tie(scores[e]), _norm(str(graph.nodes[e].get("label", e))), e))
    rows: list[RankRow] = []
    for i, entity in enumerate(order[:top] if top is not None else order):
        previous = rows[-1] if rows else None
        tied = previous is not None and tie(previous.value) == tie(scores[entity])
        position = previous.position if tied and previous is not None else i + 1
        node = graph.nodes[entity]
        rows.append(
            RankRow(
                measure, position, entity, node.get("label", entity), node.get("type", ""), scores[entity]
            )
        )
    return rows


def format_ranking(rows: list[RankRow], measure: str, fmt: str = "table") -> str:
    """A ranking as a text table headed by its measure (``table``) or a JSON list of rows (``json``)."""
    if fmt == "json":
        return json.dumps([r.to_dict() for r in rows], indent=2, ensure_ascii=False) + "\n"
    if fmt != "table":
        raise ValueError(f"format: expected table or json; found {fmt!r}")
    header = f"entities by {measure}: {MEASURES[measure]}"
    if not rows:
        return f"{header}\n(no entity scores above zero)\n"
    cells = [
        (str(r.position), r.label, r.type, f"{r.value:.4f}" if isinstance(r.value, float) else str(r.value))
        for r in rows
    ]
    table = table_lines(cells, ("#", "entity", "type", measure), right=(True, False, False, True))
    return "\n".join([header, "", *table]) + "\n"
