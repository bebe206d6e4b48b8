"""The named query ``causal-chains`` as a bounded breadth-first search: what a start entity is said to
lead to, one level of claim links at a time, stopping at a number of rows.

``queries/causal-chains.rq`` follows ``claimed:causallyInfluences*`` from the start, a property path
that pyoxigraph expands over every claimed causal link it reaches before the first row comes out
(minutes from a hub entity at 100k–1M claims). Here the search goes a level at a time: the claim
links of an entity are read from the store's index, its rows by one query with the entity bound
(:func:`graph_builder.sparql.inline.select_bound`; pyoxigraph joins a VALUES block of a whole level
only after evaluating the pattern over the store), and it stops once the rows would pass ``limit``,
saying how many claim links it did not follow. Under the limit the rows are the named
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

from dataclasses import dataclass

import pyoxigraph as ox

from graph_builder.core.namespaces import CLAIMED, XSD
from graph_builder.core.results import ResultTable, Term
from graph_builder.sparql.inline import Select, select, select_bound

#: Rows :func:`causal_reach` gives at most, unless told otherwise (the named query's route).
DEFAULT_LIMIT = 1000

#: The columns of ``queries/causal-chains.rq``, in its order.
COLUMNS = (
    "start", "startEntity", "startLabel", "from", "fromLabel", "relation", "relationLabel", "entity",
    "entityLabel", "notFollowed",
)  # fmt: skip

_START = Select("SELECT ?start ?startLabel", "  ?start a medkg:Entity ; rdfs:label ?startLabel .")

#: The claim link the named query's path follows.
_LINK = ox.NamedNode(CLAIMED + "causallyInfluences")

# One row per causal edge out of ?from (bound by substitution), read from the claim links of ?from: the
# claim link of a relation (its medkg:claimedForm, graph:claimed) is written between two entities exactly
# when some source affirms a proposition of that relation between them (graph_builder.kg.rdf.
# describe_proposition), which is what the named query asks of the propositions and their assertions
# (and the link of the causal group beside it). Reading the propositions and every assertion of each
# took 11.7 s for the 14,192 edges out of the hub at 1M claims (2.2 s at 100k), 2.5 s (0.33 s) this way;
# the rows are the same (tests/sparql/test_reach.py).
_STEPS = Select(
    "SELECT DISTINCT ?from ?fromLabel ?relation ?relationLabel ?entity ?entityLabel",
    """  ?from ?link ?entity .
  ?relation medkg:claimedForm ?link .
  ?relation rdfs:subPropertyOf+ medkg:causallyInfluences .
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
        r[1] for r in select_bound(store, _START, {"start": start}).rows if isinstance(r[1], ox.Literal)
    )
    if not labels:
        return Reach(start, (), (), 0, 0, False, limit)
    seen = {start}
    # The label an entity's rows sort under (the least, should it have more): the frontier's order.
    names: dict[str, str] = {start: min(label.value for label in labels)}
    frontier = [start]
    rows: list[Step] = []
    while frontier:
        links = {entity: _links(store, entity) for entity in frontier}
        frontier.sort(key=lambda e: (e not in names, names.get(e, ""), e))
        reached: set[str] = set()  # entities this level's links lead to
        for position, entity in enumerate(frontier):
            # Every row follows a link: an entity without one has none.
            steps = sorted(_steps(store, entity), key=Step.order) if links[entity] else []
            if len(rows) + len(steps) > limit:
                kept = steps[: limit - len(rows)]
                rows += kept
                followed = {s.entity for s in kept}
                # Not followed: this entity's links without a row kept, every link out of the rest of
                # the level, and every link out of the entities reached but not gone on from.
                left = (reached | followed) - seen
                not_followed = (
                    len(links[entity] - followed)
                    + sum(len(links[e]) for e in frontier[position + 1 :])
                    + _links_out(store, left)
                )
                found = tuple(sorted(rows, key=Step.order))
                return Reach(start, labels, found, len(seen | left), not_followed, True, limit)
            rows += steps
            reached |= links[entity]
            for step in steps:
                label = step.target_label.value
                names[step.entity] = min(names.get(step.entity, label), label)
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


def _links(store: ox.Store, entity: str) -> set[str]:
    """The entities ``entity`` has a claim link to (``claimed:causallyInfluences``, in any graph, as in
    the union the named query reads): one look-up in the store's index."""
    return {
        q.object.value
        for q in store.quads_for_pattern(ox.NamedNode(entity), _LINK, None)
        if isinstance(q.object, ox.NamedNode)
    }


#: The claim links out of each of a set of entities (bound by inline data), counted as :func:`_links` does.
_LINKS_OUT = Select(
    "SELECT ?entity (COUNT(DISTINCT ?next) AS ?links)",
    "  ?entity claimed:causallyInfluences ?next .",
    " GROUP BY ?entity",
)


def _links_out(store: ox.Store, entities: set[str]) -> int:
    """How many claim links go out of these entities together: one query (a chunk of entities at a time)
    instead of a look-up each (the 1,000 entities the hub's rows reach at 1M claims: 1.07 s in look-ups,
    0.10 s so)."""
    if not entities:
        return 0
    table = select(store, _LINKS_OUT, {"entity": sorted(entities)})
    return sum(int(str(n)) for n in table.column("links"))


def _steps(store: ox.Store, entity: str) -> list[Step]:
    steps = []
    for r in select_bound(store, _STEPS, {"from": entity}).rows:
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
