"""What the benchmarks measure: the named-query tasks, the focused projections behind ``chains`` and
``viz``, and the two baselines (raw pyoxigraph, and rdflib's in-memory Graph of the same triples).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib

from benchmarks.corpus import plan_articles
from graph_builder.analysis.network import entities_between, entities_near
from graph_builder.core.names import ENTITY_NAMES_SPARQL, EntityName, entity_names, resolve_name
from graph_builder.core.vocabulary import load_vocabulary
from graph_builder.sparql.queries import NamedQuery, iter_queries
from graph_builder.sparql.runner import bind_parameters

#: The parameter that names an entity, for the named queries that take one.
ENTITY_PARAMETERS = {
    "claims-about": "entity",
    "causal-chains": "start",
    "chain-steps": "entity",
    "remedies-for": "condition",
}


@dataclass(frozen=True)
class QueryTask:
    """A named query with its parameters, as one benchmark task."""

    task: str
    query: str
    params: dict[str, str]


#: The parameter that names a source, for the named queries that take one.
SOURCE_PARAMETERS = {"source-claims": "source", "source-profile": "source"}


def query_tasks(hub: str, mid: str, source: str) -> list[QueryTask]:
    """Every named query with its defaults; those naming an entity also for a hub and a mid-degree one,
    those naming a source also for ``source`` (``@mid``: see :func:`middle_source`)."""
    tasks = []
    for q in iter_queries():
        tasks.append(QueryTask(f"query:{q.name}", q.name, {}))
        param = ENTITY_PARAMETERS.get(q.name)
        if param is not None:
            tasks.append(QueryTask(f"query:{q.name}@hub", q.name, {param: hub}))
            tasks.append(QueryTask(f"query:{q.name}@mid", q.name, {param: mid}))
        param = SOURCE_PARAMETERS.get(q.name)
        if param is not None:
            tasks.append(QueryTask(f"query:{q.name}@mid", q.name, {param: source}))
    return tasks


def middle_source(n_claims: int, seed: int) -> str:
    """The id of the corpus's middle article, the source the one-source tasks name (every article
    holds 20–40 claims, so any one is typical)."""
    plans = plan_articles(n_claims, seed)
    return plans[len(plans) // 2].source_id


def chain_relations() -> list[str]:
    """The relations ``find_chains`` follows by default (causal ones and the chain links), as IRIs."""
    vocab = load_vocabulary()
    return sorted(r.iri for r in vocab.relations.values() if r.chain_link)


def chain_entities(store: ox.Store, start: str, end: str, max_hops: int = 3) -> set[str]:
    """The entities ``medkg chains`` projects for a chain search with default options (of the claims
    between them it reads only those a chain can use: ``chain_projection``)."""
    return entities_between(store, start, end, max_hops, chain_relations())


def neighbourhood(store: ox.Store, entity: str) -> set[str]:
    """What ``medkg viz --focus ENTITY --depth 1`` projects."""
    return entities_near(store, entity, 1)


def raw_rows(store: ox.Store, text: str, substitutions: Any) -> list[tuple[Any, ...]]:
    """The engine's limit: the query text as is, every row materialised, no medkg code around it."""
    result = store.query(text, use_default_graph_as_union=True, substitutions=substitutions)
    if isinstance(result, ox.QueryTriples):  # a derived view (CONSTRUCT): its triples are its rows
        return [(t.subject, t.predicate, t.object) for t in result]
    assert isinstance(result, ox.QuerySolutions)
    return [tuple(s) for s in result]


def rdflib_rows(graph: rdflib.Graph, text: str, bindings: Mapping[str, rdflib.term.Identifier]) -> list[Any]:
    """rdflib's rows for the same text and parameters (it evaluates lazily: listing the rows is the work)."""
    return list(graph.query(text, initBindings=bindings))


def write_triples(store: ox.Store, path: Path) -> None:
    """Write the triples of every graph as N-Triples: one rdflib Graph then holds their union, the
    default graph medkg's queries see."""
    graphs: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [ox.DefaultGraph(), *store.named_graphs()]
    with path.open("wb") as out:
        for graph in graphs:
            out.write(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b"")


def rdflib_term(term: Any) -> rdflib.term.Identifier:
    """The rdflib term of a pyoxigraph named node or literal."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def rdflib_entity_names(graph: rdflib.Graph) -> list[EntityName]:
    """The entities of an rdflib graph with their names, read with the query medkg reads a store with."""
    rows = graph.query(ENTITY_NAMES_SPARQL)
    return entity_names((str(e), str(label), None if s is None else str(s)) for e, label, s in rows)  # type: ignore[misc]


def rdflib_bindings(
    query: NamedQuery, params: Mapping[str, str], graph: rdflib.Graph
) -> dict[str, rdflib.term.Identifier]:
    """The same typed parameter values medkg binds, as rdflib ``initBindings``; names of entities
    are resolved in ``graph``, by the rule medkg resolves them with in its store."""
    names = functools.cache(lambda: rdflib_entity_names(graph))
    bound = bind_parameters(query, params, resolve=lambda text: resolve_name(text, names()))
    return {rdflib.Variable(v.value): rdflib_term(t) for v, t in bound.items()}
