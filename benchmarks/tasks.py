"""What the benchmarks measure: the named-query tasks, the focused projections behind ``chains`` and
``viz``, and the two baselines (raw pyoxigraph, and rdflib's in-memory Graph of the same triples).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib

from graph_builder.analysis import CHAIN_LINK_RELATIONS
from graph_builder.namespaces import sparql_prefixes
from graph_builder.queries import NamedQuery, bind_parameters, iter_queries
from graph_builder.vocabulary import load_vocabulary

#: The parameter that names an entity, for the named queries that take one.
ENTITY_PARAMETERS = {"claims-about": "entity", "causal-chains": "start", "remedies-for": "condition"}


@dataclass(frozen=True)
class QueryTask:
    """A named query with its parameters, as one benchmark task."""

    task: str
    query: str
    params: dict[str, str]


def query_tasks(hub: str, mid: str) -> list[QueryTask]:
    """Every named query with its defaults; those naming an entity also for a hub and a mid-degree one."""
    tasks = []
    for q in iter_queries():
        tasks.append(QueryTask(f"query:{q.name}", q.name, {}))
        param = ENTITY_PARAMETERS.get(q.name)
        if param is not None:
            tasks.append(QueryTask(f"query:{q.name}@hub", q.name, {param: hub}))
            tasks.append(QueryTask(f"query:{q.name}@mid", q.name, {param: mid}))
    return tasks


def _select(store: ox.Store, sparql: str, values: Mapping[str, Iterable[str]]) -> list[dict[str, str]]:
    """Rows of a query whose variables in ``values`` are bound to IRIs by inline data placed first."""
    inline = " ".join(
        f"VALUES ?{var} {{ {' '.join(str(ox.NamedNode(iri)) for iri in iris)} }}"
        for var, iris in values.items()
    )
    result = store.query(
        sparql_prefixes() + sparql.replace("WHERE {", "WHERE { " + inline, 1), use_default_graph_as_union=True
    )
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]


def chain_entities(store: ox.Store, start: str, end: str, max_hops: int = 3) -> set[str]:
    """Entities on some path of at most ``max_hops`` hops from ``start`` to ``end`` that ``find_chains``
    may take by default (non-negated causal or associated-with claims): d(start, v) + d(v, end) ≤ max_hops.

    A breadth-first search from both ends over the plain triples, one query per level; projecting just
    these entities gives ``find_chains`` the same chains as projecting the whole store.
    """
    vocab = load_vocabulary()
    relations = sorted(r.iri for r in vocab.relations.values() if r.causal or r.slug in CHAIN_LINK_RELATIONS)
    rel = " ".join(f"<{r}>" for r in relations)
    forward = (
        f"SELECT DISTINCT ?next WHERE {{ VALUES ?rel {{ {rel} }} ?node ?rel ?next . FILTER(?next != ?node) }}"
    )
    backward = (
        f"SELECT DISTINCT ?next WHERE {{ VALUES ?rel {{ {rel} }} ?next ?rel ?node . FILTER(?next != ?node) }}"
    )

    def distances(origin: str, sparql: str) -> dict[str, int]:
        dist, frontier = {origin: 0}, [origin]
        for level in range(1, max_hops):
            found = {r["next"] for r in _select(store, sparql, {"node": frontier})} - dist.keys()
            dist.update(dict.fromkeys(found, level))
            frontier = sorted(found)
            if not frontier:
                break
        return dist

    from_start, to_end = distances(start, forward), distances(end, backward)
    keep = {v for v, d in from_start.items() if d + to_end.get(v, max_hops + 1) <= max_hops}
    return keep | {start, end}


def neighbourhood(store: ox.Store, entity: str) -> set[str]:
    """The entity and every entity one claim away from it, in either direction."""
    sparql = """SELECT DISTINCT ?n WHERE {
      { ?p medkg:subject ?c ; medkg:object ?n } UNION { ?p medkg:object ?c ; medkg:subject ?n } }"""
    return {entity} | {r["n"] for r in _select(store, sparql, {"c": [entity]})}


def raw_rows(store: ox.Store, text: str, substitutions: Any) -> list[tuple[Any, ...]]:
    """The engine's limit: the query text as is, every row materialised, no medkg code around it."""
    result = store.query(text, use_default_graph_as_union=True, substitutions=substitutions)
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


def rdflib_bindings(query: NamedQuery, params: Mapping[str, str]) -> dict[str, rdflib.term.Identifier]:
    """The same typed parameter values medkg binds, as rdflib ``initBindings``."""
    return {rdflib.Variable(v.value): rdflib_term(t) for v, t in bind_parameters(query, params).items()}
