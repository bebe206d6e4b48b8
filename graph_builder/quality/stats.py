"""Counts that summarise a built graph: sources, entities, claims, and claims per level, read from the
statistics the build keeps (graph:statistics).

>>> from graph_builder.kg.build import build_example
>>> s = graph_stats(build_example())
>>> s.sources, s.chains
(1, 1)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from graph_builder.core.tables import table_lines
from graph_builder.kg.statistics import counts_by, recounted_totals, stored_totals
from graph_builder.sparql.runner import run_sparql


@dataclass(frozen=True)
class GraphStats:
    """The headline numbers of a graph."""

    triples: int
    sources: int
    entities: int
    propositions: int
    assertions: int
    chains: int
    by_evidence: tuple[tuple[int, str, int], ...]
    by_relation: tuple[tuple[str, int], ...]
    by_stance: tuple[tuple[str, int], ...]
    by_support: tuple[tuple[int, str, int], ...] = ()
    by_certainty: tuple[tuple[int, str, int], ...] = ()
    by_polarity: tuple[tuple[str, int], ...] = ()

    def lines(self) -> list[str]:
        """A human summary, one fact a line; the counts per level, relation and stance as indented tables."""
        totals = ("triples", "sources", "entities", "propositions", "assertions", "chains")
        out = table_lines((name, str(getattr(self, name))) for name in totals)
        evidence = table_lines(
            ((str(rank), label, str(n)) for rank, label, n in self.by_evidence), right=(True, False, True)
        )
        for what, ranked in (("support", self.by_support), ("certainty", self.by_certainty)):
            table = table_lines(
                ((str(k), label, str(n)) for k, label, n in ranked), right=(True, False, True)
            )
            out += [f"assertions by {what} (weakest first):", *(f"  {line}" for line in table)]
        out += [
            "assertions by evidence level (format 1 reading, weakest first):",
            *(f"  {line}" for line in evidence),
        ]
        for what, counts in (
            ("polarity", self.by_polarity),
            ("relation", self.by_relation),
            ("stance (format 1 reading)", self.by_stance),
        ):
            table = table_lines(((label, str(n)) for label, n in counts), right=(False, True))
            out += [f"assertions by {what}:", *(f"  {line}" for line in table)]
        return out


def _select(store: ox.Store, sparql: str) -> list[dict[str, Any]]:
    return run_sparql(sparql, store).to_records()


def _count(store: ox.Store, cls: str) -> int:
    rows = _select(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a {cls} }}")
    return int(rows[0]["n"])


def _ranked(store: ox.Store, counts: Counter[str], scheme: str) -> tuple[tuple[int, str, int], ...]:
    """Assertions per concept of a ranked scheme (support, certainty, evidence level), every concept listed."""
    rows = _select(
        store,
        f"SELECT ?value ?rank ?label WHERE {{ ?value skos:inScheme {scheme} ; medkg:rank ?rank ; skos:prefLabel ?label }}",
    )
    out: Counter[tuple[int, str]] = Counter()
    for r in rows:
        out[(int(r["rank"]), str(r["label"]))] += counts[str(r["value"])]
    return tuple((rank, label, n) for (rank, label), n in sorted(out.items()))


def _labelled(store: ox.Store, counts: Counter[str], label: str) -> tuple[tuple[str, int], ...]:
    """Assertions per value of a dimension that some assertion has, the most frequent first."""
    if not counts:
        return ()
    values = " ".join(f"<{v}>" for v in sorted(counts))
    out: Counter[str] = Counter()
    for r in _select(
        store, f"SELECT ?value ?label WHERE {{ VALUES ?value {{ {values} }} ?value {label} ?label }}"
    ):
        out[str(r["label"])] += counts[str(r["value"])]
    return tuple(sorted(out.items(), key=lambda item: (-item[1], item[0])))


def graph_stats(store: ox.Store) -> GraphStats:
    """Count what the graph holds: assertions and chains from the store's totals, kept at build time
    (:mod:`graph_builder.kg.statistics`), never by reading every assertion (in a store built before
    totals were kept, from the sum of its sources' statistics)."""
    totals = stored_totals(store)
    counts = recounted_totals(store) if totals is None else totals
    return GraphStats(
        triples=len(store),
        sources=_count(store, "medkg:SourceDocument"),
        entities=_count(store, "medkg:Entity"),
        propositions=_count(store, "medkg:Proposition"),
        assertions=counts[("", "assertionCount")],
        chains=counts[("", "chainCount")],
        by_evidence=_ranked(store, counts_by(counts, "evidenceLevel"), "evidence:scheme"),
        by_relation=_labelled(store, counts_by(counts, "relation"), "rdfs:label"),
        by_stance=_labelled(store, counts_by(counts, "stance"), "skos:prefLabel"),
        by_support=_ranked(store, counts_by(counts, "support"), "support:scheme"),
        by_certainty=_ranked(store, counts_by(counts, "certainty"), "certainty:scheme"),
        by_polarity=_labelled(store, counts_by(counts, "polarity"), "skos:prefLabel"),
    )
