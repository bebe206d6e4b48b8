"""SELECT queries written in code that start from a set of IRIs: the IRIs are inline data (a ``VALUES``
block opening the group), and a long list is sent a chunk at a time. The networkx projection
(:mod:`graph_builder.analysis.network`) and the causal reach (:mod:`graph_builder.sparql.reach`) read a
large store this way, one set of entities at a time, instead of scanning it.

>>> from graph_builder.kg.build import build_example
>>> q = Select("SELECT ?label", "  ?entity rdfs:label ?label .")
>>> select(build_example(), q, {"entity": ["https://w3id.org/medkg/entity/herpes"]}).column("label")
['herpes']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from graph_builder.core.namespaces import PREFIXES
from graph_builder.core.results import ResultTable, Term, from_query_result
from graph_builder.sparql.query_guard import (
    CLI_BASE_IRI,
    QueryShape,
    check_query_text,
    dataset_options,
    on_query_stack,
)

#: The most IRIs of one variable inlined in one query: a hub's neighbourhood holds tens of thousands,
#: and the query guard refuses a text over MAX_QUERY_BYTES (a few thousand IRIs of ~60 bytes fit).
VALUES_CHUNK = 2000


@dataclass(frozen=True)
class Select:
    """A SELECT query in parts, so that inline data can open its group pattern without editing its text."""

    head: str
    where: str
    tail: str = ""

    def sparql(self, values: Mapping[str, Iterable[str]] | None = None) -> str:
        # Inline data first, so that the engine starts from those IRIs instead of scanning the store.
        inline = "".join(values_block(var, iris) for var, iris in (values or {}).items())
        return f"{self.head} WHERE {{\n{inline}{self.where}\n}}{self.tail}"


def values_block(var: str, iris: Iterable[str]) -> str:
    """A VALUES block written from terms, which check the variable name and each IRI.

    >>> values_block("entity", ["urn:a", "urn:b"])
    '  VALUES ?entity { <urn:a> <urn:b> }\\n'
    """
    return f"  VALUES {ox.Variable(var)} {{ {' '.join(str(ox.NamedNode(iri)) for iri in iris)} }}\n"


def in_filter(var: str, iris: Iterable[str]) -> str:
    r"""A FILTER keeping the rows whose variable is one of these IRIs, written from terms.

    For a short list beside inline data: pyoxigraph starts from the smallest VALUES block, so a second,
    shorter list (the relations of a search beside its frontier) would become the start, and every
    triple of those relations would be read before the frontier is joined.

    >>> in_filter("link", ["urn:a", "urn:b"])
    '  FILTER(?link IN (<urn:a>, <urn:b>))\n'
    """
    return f"  FILTER({ox.Variable(var)} IN ({', '.join(str(ox.NamedNode(iri)) for iri in iris)}))\n"


def select(store: ox.Store, query: Select, values: Mapping[str, Iterable[str]] | None = None) -> ResultTable:
    """Run a query over the union of all graphs; ``values`` binds variables to IRIs (the rows are those
    of each combination).

    The longest list of IRIs is sent :data:`VALUES_CHUNK` at a time: every row binds the variable to
    one of them, so the rows of the chunks together are the rows of the whole list (a DISTINCT that
    does not project it may repeat a row across chunks; the callers collect sets).
    """
    lists = {var: list(iris) for var, iris in (values or {}).items()}
    longest = max(lists, key=lambda var: len(lists[var]), default=None)
    if longest is None or len(lists[longest]) <= VALUES_CHUNK:
        return _run(store, query.sparql(lists))
    iris = lists[longest]
    variables: tuple[str, ...] = ()
    rows: list[tuple[Term | None, ...]] = []
    for start in range(0, len(iris), VALUES_CHUNK):
        table = _run(store, query.sparql({**lists, longest: iris[start : start + VALUES_CHUNK]}))
        variables = table.variables
        rows += table.rows
    return ResultTable(variables, tuple(rows))


def select_bound(store: ox.Store, query: Select, bindings: Mapping[str, str]) -> ResultTable:
    """Run a query with variables bound to one IRI each, by substitution (the variables must be columns).

    pyoxigraph binds a substituted variable before it plans the query, so a pattern that starts from
    it is read from the index; a VALUES block is joined after the rest of the group is evaluated, and
    a group with several joins is then evaluated over the whole store (a hub's causal edges at 10k
    claims: 3.8 s with VALUES, 0.36 s bound; growing with the store).
    """
    substitutions = {ox.Variable(var): ox.NamedNode(iri) for var, iri in bindings.items()}
    return _run(store, query.sparql(), substitutions)


def _run(
    store: ox.Store, text: str, substitutions: Mapping[ox.Variable, ox.NamedNode] | None = None
) -> ResultTable:
    shape = check_query_text(text, base_iri=CLI_BASE_IRI)
    return on_query_stack(shape, _evaluate, store, text, shape, substitutions)


def _evaluate(
    store: ox.Store, text: str, shape: QueryShape, substitutions: Mapping[ox.Variable, ox.NamedNode] | None
) -> ResultTable:
    # The rows are read on the thread that ran the query: pyoxigraph drops results only there.
    result = store.query(
        text,
        prefixes=PREFIXES,
        base_iri=CLI_BASE_IRI,
        substitutions=dict(substitutions) if substitutions else None,
        **dataset_options(shape),
    )
    return from_query_result(result)[0]
