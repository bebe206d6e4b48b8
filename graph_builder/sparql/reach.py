"""The named query ``causal-chains`` as a bounded breadth-first search: what a start entity is said to
lead to, one level of claim links at a time, stopping at a number of rows.

``queries/causal-chains.rq`` follows ``claimed:causallyInfluences*`` from the start, a property path
that pyoxigraph expands over every claimed causal link it reaches before the first row comes out
(minutes from a hub entity at 100k–1M claims). Here each level is one query with the frontier bound
as inline data (:mod:`graph_builder.sparql.inline`), and the search stops once the rows would pass
``limit``, saying how many claim links it did not follow. Under the limit the rows are the named
query's, in its order (``tests/sparql/test_reach.py``); :func:`graph_builder.sparql.runner.run_query`
answers the shipped query this way. A remote endpoint or the static site runs the SPARQL text.

Like the named query, it follows the claim links of ``graph:claimed`` (written when some source affirms
a causal proposition): what sources claim, never read as fact. It does not follow the entity
hierarchy (``skos:broader``); neither does the query.

>>> from graph_builder.kg.build import build_example
>>> from graph_builder.core.namespaces import ENTITY
>>> reach = causal_reach(build_example(), ENTITY + "herpes")
>>> reach.truncated, reach.not_followed, ENTITY + "lower-back-pain" in {r.entity for r in reach.rows}
(False, 0, True)
>>> small = causal_reach(build_example(), ENTITY + "herpes", limit=1)
>>> len(small.rows), small.truncated, small.not_followed > 0
(1, True, True)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from graph_builder.core.namespaces import XSD
from graph_builder.core.results import ResultTable, Term
from graph_builder.sparql.inline import Select, select

#: Rows :func:`causal_reach` gives at most, unless told otherwise (the named query's route).
DEFAULT_LIMIT = 1000

#: The columns of ``queries/causal-chains.rq``, in its order.
COLUMNS = (
    "start", "startEntity", "startLabel", "from", "fromLabel", "relation", "relationLabel", "entity",
    "entityLabel", "notFollowed",
)  # fmt: skip

_START = Select("SELECT ?startLabel", "  ?start a medkg:Entity ; rdfs:label ?startLabel .")

# The claim links out of the entities bound to ?from: the path of the named query, one hop.
_LINKS = Select("SELECT DISTINCT ?from ?entity", "  ?from claimed:causallyInfluences ?entity .")
_LINK_COUNTS = Select(
    "SELECT ?from (COUNT(DISTINCT ?entity) AS ?links)",
    "  ?from claimed:causallyInfluences ?entity .",
    " GROUP BY ?from",
)

# One row per causal edge out of ?from: the named query's pattern after its path, the same triples.
_STEPS = Select(
    "SELECT DISTINCT ?from ?fromLabel ?relation ?relationLabel ?entity ?entityLabel",
    """  ?from claimed:causallyInfluences ?entity .
  ?proposition medkg:subject ?from ;
               medkg:object ?entity ;
               medkg:relation ?relation .
  ?relation rdfs:subPropertyOf+ medkg:causallyInfluences .
  FILTER EXISTS { ?assertion medkg:proposition ?proposition ; medkg:negated false }
  ?from rdfs:label ?fromLabel .
  ?relation rdfs:label ?relationLabel .
  ?entity rdfs:label ?entityLabel .""",
)


@dataclass(frozen=True)
class Step:
    """One row of ``causal-chains`` after its start columns: a causal edge inside the reached part."""

    source: ox.NamedNode
    source_label: ox.Literal
    relation: ox.NamedNode
    relation_label: ox.Literal
    target: ox.NamedNode
    target_label: ox.Literal

    @property
    def entity(self) -> str:
        """The IRI of the entity the edge leads to."""
        return self.target.value

    def order(self) -> tuple[str, ...]:
        """The named query's ORDER BY after its start columns: labels, then IRIs."""
        return (
            self.source_label.value, self.source.value, self.relation_label.value, self.relation.value,
            self.target_label.value, self.target.value,
        )  # fmt: skip


@dataclass(frozen=True)
class Reach:
    """What :func:`causal_reach` found from ``start`` (an IRI).

    ``rows`` are the causal edges it followed, in the named query's order; ``reached`` counts the
    entities they reach, the start included; ``truncated`` says the search stopped at ``limit`` rows,
    and ``not_followed`` how many claim links at the edge of what it read it did not follow: those out
    of the last level's entities whose rows did not fit, and every link out of an entity it reached but
    did not go on from. Links farther out are not counted, so the part not shown is at least that big.
    """

    start: str
    start_labels: tuple[ox.Literal, ...]
    rows: tuple[Step, ...]
    reached: int
    not_followed: int
    truncated: bool
    limit: int


def causal_reach(store: ox.Store, start: str, limit: int = DEFAULT_LIMIT) -> Reach:
    """Follow the claimed causal links from ``start`` (an entity IRI) level by level, at most ``limit``
    rows of ``causal-chains``.

    A level reads the rows of its entities in the named query's order (labels, then IRIs) until they
    pass ``limit``; then the first rows up to ``limit`` are kept and the search stops, counting the
    links it did not follow (:class:`Reach`). A start that is no entity with a label has no rows, as
    in the named query.
    """
    if limit < 1:
        raise ValueError(f"limit: expected at least 1; found {limit}")
    labels = tuple(
        r[0] for r in select(store, _START, {"start": [start]}).rows if isinstance(r[0], ox.Literal)
    )
    if not labels:
        return Reach(start, (), (), 0, 0, False, limit)
    seen = {start}
    # The label an entity's rows sort under (the least, should it have more): the frontier's order.
    names: dict[str, str] = {start: min(label.value for label in labels)}
    frontier = [start]
    rows: list[Step] = []
    while frontier:
        counts = _link_counts(store, frontier)
        frontier.sort(key=lambda e: (e not in names, names.get(e, ""), e))
        reached: set[str] = set()  # entities this level's links lead to
        done = 0
        while done < len(frontier):
            # The next entities whose links fit in the rows left, and one more: with a row for each link
            # (a link without one is possible only in an inconsistent graph), they pass the limit.
            room, end = limit - len(rows), done
            while end < len(frontier) and room >= 0:
                room -= counts.get(frontier[end], 0)
                end += 1
            part = frontier[done:end]
            links = _links(store, part)
            level = sorted(_steps(store, part), key=Step.order)
            if len(rows) + len(level) > limit:
                kept = level[: limit - len(rows)]
                rows += kept
                followed = {(s.source.value, s.entity) for s in kept}
                new = {e for _, e in followed} - seen
                # Not followed: this part's links without a row kept, and every link out of the rest of
                # the level and of the entities reached but not gone on from.
                rest = frontier[end:]
                later = _link_counts(store, sorted((reached | new) - seen))
                not_followed = (
                    len(links - followed) + sum(counts.get(e, 0) for e in rest) + sum(later.values())
                )
                return Reach(
                    start, labels, tuple(sorted(rows, key=Step.order)), len(seen | reached | new),
                    not_followed, True, limit,
                )  # fmt: skip
            rows += level
            reached |= {e for _, e in links}
            for step in level:
                label = step.target_label.value
                names[step.entity] = min(names.get(step.entity, label), label)
            done = end
        frontier = sorted(reached - seen)
        seen |= reached
    return Reach(start, labels, tuple(sorted(rows, key=Step.order)), len(seen), 0, False, limit)


def causal_chains_table(store: ox.Store, start: str, limit: int | None = None) -> ResultTable:
    """The rows of ``causal-chains`` from ``start`` (an entity IRI), by :func:`causal_reach`: its
    columns, ``notFollowed`` on every row (0 unless the search stopped at ``limit``, by default
    :data:`DEFAULT_LIMIT`).

    >>> from graph_builder.kg.build import build_example
    >>> from graph_builder.core.namespaces import ENTITY
    >>> table = causal_chains_table(build_example(), ENTITY + "herpes")
    >>> table.variables == COLUMNS, sorted(set(table.column("notFollowed")))
    (True, [0])
    """
    reach = causal_reach(store, start, DEFAULT_LIMIT if limit is None else limit)
    iri = ox.NamedNode(reach.start)
    not_followed = ox.Literal(str(reach.not_followed), datatype=ox.NamedNode(XSD + "integer"))
    rows: list[tuple[Term | None, ...]] = [
        (
            iri,
            iri,
            label,
            step.source,
            step.source_label,
            step.relation,
            step.relation_label,
            step.target,
            step.target_label,
            not_followed,
        )
        for label in sorted(reach.start_labels, key=lambda label: label.value)
        for step in reach.rows
    ]
    return ResultTable(COLUMNS, tuple(rows))


def _links(store: ox.Store, entities: Sequence[str]) -> set[tuple[str, str]]:
    rows = select(store, _LINKS, {"from": entities}).rows
    return {
        (a.value, b.value) for a, b in rows if isinstance(a, ox.NamedNode) and isinstance(b, ox.NamedNode)
    }


def _link_counts(store: ox.Store, entities: Iterable[str]) -> dict[str, int]:
    listed = list(entities)
    if not listed:
        return {}
    counts: dict[str, int] = defaultdict(int)
    for r in select(store, _LINK_COUNTS, {"from": listed}).rows:
        if isinstance(r[0], ox.NamedNode) and isinstance(r[1], ox.Literal):
            counts[r[0].value] += int(r[1].value)
    return counts


def _steps(store: ox.Store, entities: Sequence[str]) -> list[Step]:
    steps = []
    for r in select(store, _STEPS, {"from": entities}).rows:
        source, source_label, relation, relation_label, target, target_label = r
        if (
            isinstance(source, ox.NamedNode)
            and isinstance(relation, ox.NamedNode)
            and isinstance(target, ox.NamedNode)
            and isinstance(source_label, ox.Literal)
            and isinstance(relation_label, ox.Literal)
            and isinstance(target_label, ox.Literal)
        ):
            steps.append(Step(source, source_label, relation, relation_label, target, target_label))
    return steps
