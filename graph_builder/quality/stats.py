"""Counts that summarise a built graph: sources, entities, claims, and claims per level, read from the
statistics the build keeps (graph:statistics).

>>> from graph_builder.kg.build import build_example
>>> s = graph_stats(build_example())
>>> s.sources, s.chains
(1, 1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from graph_builder.core.tables import table_lines
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


def _total(store: ox.Store, prop: str) -> int:
    """A count summed over the sources' statistics."""
    rows = _select(store, f"SELECT (SUM(?n) AS ?total) WHERE {{ ?counts medkg:statisticsOf ?s ; {prop} ?n }}")
    return int(rows[0]["total"] or 0)


def _ranked(store: ox.Store, dimension: str, scheme: str) -> tuple[tuple[int, str, int], ...]:
    """Assertions per concept of a ranked scheme (support, certainty, evidence level), every concept listed."""
    return tuple(
        (int(r["rank"]), str(r["label"]), int(r["n"]))
        for r in _select(
            store,
            f"""SELECT ?rank ?label (SUM(?c) AS ?n) WHERE {{
                 ?level skos:inScheme {scheme} ; medkg:rank ?rank ; skos:prefLabel ?label .
                 OPTIONAL {{ ?cell {dimension} ?level ; medkg:assertionCount ?count }}
                 BIND(COALESCE(?count, 0) AS ?c)
               }} GROUP BY ?rank ?label ORDER BY ?rank""",
        )
    )


def _labelled(store: ox.Store, dimension: str, label: str) -> tuple[tuple[str, int], ...]:
    """Assertions per value of a dimension that some assertion has, the most frequent first."""
    return tuple(
        (str(r["label"]), int(r["n"]))
        for r in _select(
            store,
            f"""SELECT ?label (SUM(?count) AS ?n) WHERE {{
                 ?cell {dimension} ?value ; medkg:assertionCount ?count . ?value {label} ?label .
               }} GROUP BY ?label ORDER BY DESC(?n) ?label""",
        )
    )


def graph_stats(store: ox.Store) -> GraphStats:
    """Count what the graph holds: assertions and chains from the statistics kept at build time
    (:mod:`graph_builder.kg.statistics`), never by reading every assertion."""
    return GraphStats(
        triples=len(store),
        sources=_count(store, "medkg:SourceDocument"),
        entities=_count(store, "medkg:Entity"),
        propositions=_count(store, "medkg:Proposition"),
        assertions=_total(store, "medkg:assertionCount"),
        chains=_total(store, "medkg:chainCount"),
        by_evidence=_ranked(store, "medkg:byEvidenceLevel", "evidence:scheme"),
        by_relation=_labelled(store, "medkg:byRelation", "rdfs:label"),
        by_stance=_labelled(store, "medkg:byStance", "skos:prefLabel"),
        by_support=_ranked(store, "medkg:bySupport", "support:scheme"),
        by_certainty=_ranked(store, "medkg:byCertainty", "certainty:scheme"),
        by_polarity=_labelled(store, "medkg:byPolarity", "skos:prefLabel"),
    )
