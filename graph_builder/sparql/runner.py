"""Binding a named query's parameters (:func:`bind_parameters`) and running named queries and SPARQL
text over a local store: checked by
:func:`graph_builder.sparql.query_guard.check_query_text`, parameters bound as typed terms, over the
union of all graphs unless the query names its dataset.

>>> from graph_builder.kg.build import build_example
>>> table = run_query("unsupported-claims", build_example(), {"maxRank": "1"})
>>> sorted(set(table.column("evidenceRank")))
[1]
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox

from graph_builder.core import paths
from graph_builder.core.namespaces import PREFIXES
from graph_builder.core.results import ResultTable, Term, from_query_result
from graph_builder.sparql.parameters import Parameter, ParameterError, Resolver, resolve_in_store, to_term
from graph_builder.sparql.queries import NamedQuery, QueryError, get_query, parameter_names, parse_query
from graph_builder.sparql.query_guard import (
    CLI_BASE_IRI,
    QueryShape,
    check_query_text,
    dataset_options,
    on_query_stack,
)
from graph_builder.sparql.reach import causal_chains_table

#: The shipped query :mod:`graph_builder.sparql.reach` answers by a bounded search, and its start.
_REACH_QUERY = (paths.QUERIES_DIR / "causal-chains.rq").resolve()
_REACH_START = ox.Variable("start")


def bind_parameters(
    query: NamedQuery,
    params: Mapping[str, str | int] | None = None,
    store: ox.Store | None = None,
    *,
    resolve: Resolver | None = None,
) -> dict[ox.Variable, Term]:
    """Typed RDF terms for every declared parameter: given values, else defaults; an optional parameter
    given no value (or an empty one) is left out, unbound.

    An ``entity`` parameter is resolved to an IRI in ``store`` (or by ``resolve``, e.g. against a
    remote endpoint), after every other parameter is checked. Raises :class:`ParameterError` for a
    name the query does not declare, a required parameter without a value, a value that does not
    fit the declared type, or a name that is no entity or more than one.

    >>> q = get_query("unsupported-claims")
    >>> bind_parameters(q, {})
    {<Variable value=maxRank>: <Literal value=2 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>}
    >>> bind_parameters(q, {"rank": "1"})
    Traceback (most recent call last):
    ...
    graph_builder.sparql.parameters.ParameterError: query 'unsupported-claims' has no parameter 'rank'; its parameters are: maxRank
    """
    params = params or {}
    unknown = sorted(set(params) - {p.name for p in query.parameters})
    if unknown:
        raise ParameterError(
            f"query {query.name!r} has no parameter {', '.join(map(repr, unknown))}; "
            f"its parameters are: {parameter_names(query.parameters)}"
        )
    if resolve is None and store is not None:
        resolve = functools.partial(resolve_in_store, store)
    values: dict[Parameter, str | int] = {}
    for param in query.parameters:
        value = params.get(param.name, param.default)
        if param.optional and (value is None or not str(value).strip()):
            continue  # left unbound: the query answers for every value
        if value is None:
            raise ParameterError(
                f"query {query.name!r} needs a value for parameter {param.name!r} ({param.type}): "
                f"{param.description}"
            )
        values[param] = value
    terms: dict[Parameter, Term] = {}
    # Names last: a wrong value elsewhere then costs no look-up in a store (or a round trip).
    for param in sorted(values, key=lambda p: p.type == "entity"):
        try:
            terms[param] = to_term(param, values[param], resolve)
        except ParameterError as error:
            raise ParameterError(f"query {query.name!r}: {error}") from None
    return {ox.Variable(param.name): terms[param] for param in query.parameters if param in terms}


def _execute(
    query: NamedQuery,
    store: ox.Store,
    substitutions: dict[ox.Variable, Term],
    allow_service: Sequence[str] = (),
) -> ResultTable:
    shape = check_query_text(query.sparql, allow_service=allow_service, base_iri=CLI_BASE_IRI)
    return on_query_stack(shape, _evaluate, query, store, substitutions, shape)


def _evaluate(
    query: NamedQuery, store: ox.Store, substitutions: dict[ox.Variable, Term], shape: QueryShape
) -> ResultTable:
    where = query.path or query.name
    try:
        result = store.query(
            query.sparql,
            prefixes=PREFIXES,  # the same as prepending sparql_prefixes(), but keeps error positions
            base_iri=CLI_BASE_IRI,
            substitutions=substitutions or None,
            **dataset_options(shape),
        )
        return from_query_result(result)[0]
    except SyntaxError as error:
        raise QueryError(f"{where}: not valid SPARQL: {error}") from error
    except RuntimeError as error:  # also an allowed SERVICE that answers with something not SPARQL
        hint = ""
        if "projection" in str(error):
            # pyoxigraph substitutes a parameter only when the query returns it as a column.
            hint = "; a parameter must also be listed in the SELECT clause"
        raise QueryError(f"{where}: {' '.join(str(error).split())}{hint}") from error
    except OSError as error:  # an allowed SERVICE that cannot be reached
        raise QueryError(f"{where}: {' '.join(str(error).split())}") from error


def run_query(
    query: str | Path | NamedQuery,
    store: ox.Store,
    params: Mapping[str, str | int] | None = None,
    *,
    allow_service: Sequence[str] = (),
    resolve: Resolver | None = None,
) -> ResultTable:
    """Run a named query (a :class:`NamedQuery`, a name, or a ``.rq`` path) over the union of all graphs.

    A query with ``FROM`` / ``FROM NAMED`` reads the graphs it names instead. The query must pass
    :func:`check_query_text` (``SERVICE`` only to the hosts of ``allow_service``); relative IRIs
    resolve against :data:`CLI_BASE_IRI`. ``entity`` parameters are resolved by ``resolve``, by
    default against the entity names of ``store`` (see :func:`bind_parameters`).

    The shipped ``causal-chains`` is answered by :func:`graph_builder.sparql.reach.causal_chains_table`:
    its rows, found level by level and cut at a limit (``notFollowed`` then says how many claim links
    were not followed) instead of its property path, which reads everything a hub entity reaches.

    >>> from graph_builder.kg.build import build_example
    >>> table = run_query("claims-about", build_example(), {"entity": "Lower Back Pain"})
    >>> set(table.column("matchLabel"))
    {'lower back pain'}
    """
    named = query if isinstance(query, NamedQuery) else get_query(query)
    substitutions = bind_parameters(named, params, store, resolve=resolve)
    start = substitutions.get(_REACH_START)
    if (
        isinstance(start, ox.NamedNode)
        and named.path is not None
        and named.path.name == _REACH_QUERY.name  # resolving every query's path cost ~20 µs a run
        and named.path.resolve() == _REACH_QUERY
    ):
        # causal-chains' property path reads every link it reaches (minutes from a hub at 100k claims):
        # the same rows by a search that stops at a limit and says how much it did not follow.
        return causal_chains_table(store, start.value)
    return _execute(named, store, substitutions, allow_service)


def run_sparql(
    text: str,
    store: ox.Store,
    params: Mapping[str, str | int] | None = None,
    *,
    allow_service: Sequence[str] = (),
) -> ResultTable:
    """Run SPARQL text over the union of all graphs; the medkg prefixes are predeclared.

    ``params`` must be declared in the text's own ``#+`` header, as in a query file.

    >>> from graph_builder.kg.build import build_example
    >>> run_sparql("ASK { entity:herpes claimed:causes entity:lower-back-pain }", build_example()).boolean
    True
    """
    return run_query(parse_query(text, name="<sparql>"), store, params, allow_service=allow_service)
