"""Counts that summarise a built graph: sources, entities, claims, and claims per level.

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


def _ranked(store: ox.Store, prop: str, scheme: str) -> tuple[tuple[int, str, int], ...]:
    """Assertions per concept of a ranked scheme (support, certainty), every concept listed."""
    return tuple(
        (int(r["rank"]), str(r["label"]), int(r["n"]))
        for r in _select(
            store,
            f"""SELECT ?rank ?label (COUNT(?a) AS ?n) WHERE {{
                 ?level skos:inScheme {scheme} ; medkg:rank ?rank ; skos:prefLabel ?label .
                 OPTIONAL {{ ?a {prop} ?level ; a medkg:Assertion }}
               }} GROUP BY ?rank ?label ORDER BY ?rank""",
        )
    )


def graph_stats(store: ox.Store) -> GraphStats:
    """Count what the graph holds."""
    by_evidence = tuple(
        (int(r["rank"]), str(r["label"]), int(r["n"]))
        for r in _select(
            store,
            """SELECT ?rank ?label (COUNT(?a) AS ?n) WHERE {
                 ?level skos:inScheme evidence:scheme ; medkg:rank ?rank ; skos:prefLabel ?label .
                 OPTIONAL { ?a medkg:evidenceLevel ?level ; a medkg:Assertion }
               } GROUP BY ?rank ?label ORDER BY ?rank""",
        )
    )
    by_relation = tuple(
        (str(r["label"]), int(r["n"]))
        for r in _select(
            store,
            """SELECT ?label (COUNT(?a) AS ?n) WHERE {
                 ?a a medkg:Assertion ; medkg:proposition/medkg:relation ?rel . ?rel rdfs:label ?label .
               } GROUP BY ?label ORDER BY DESC(?n) ?label""",
        )
    )
    by_stance = tuple(
        (str(r["label"]), int(r["n"]))
        for r in _select(
            store,
            """SELECT ?label (COUNT(?a) AS ?n) WHERE {
                 ?a a medkg:Assertion ; medkg:stance ?s . ?s skos:prefLabel ?label .
               } GROUP BY ?label ORDER BY DESC(?n) ?label""",
        )
    )
    return GraphStats(
        triples=len(store),
        sources=_count(store, "medkg:SourceDocument"),
        entities=_count(store, "medkg:Entity"),
        propositions=_count(store, "medkg:Proposition"),
        assertions=_count(store, "medkg:Assertion"),
        chains=_count(store, "medkg:Chain"),
        by_evidence=by_evidence,
        by_relation=by_relation,
        by_stance=by_stance,
        by_support=_ranked(store, "medkg:support", "support:scheme"),
        by_certainty=_ranked(store, "medkg:certainty", "certainty:scheme"),
        by_polarity=tuple(
            (str(r["label"]), int(r["n"]))
            for r in _select(
                store,
                """SELECT ?label (COUNT(?a) AS ?n) WHERE {
                     ?a a medkg:Assertion ; medkg:polarity ?p . ?p skos:prefLabel ?label .
                   } GROUP BY ?label ORDER BY DESC(?n) ?label""",
            )
        ),
    )
