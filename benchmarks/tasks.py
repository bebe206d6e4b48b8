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

from benchmarks.corpus import ArticlePlan, CorpusInfo, annotation_path, plan_articles
from benchmarks.vocabulary import ROLES, build_vocabulary, vocabulary_size
from graph_builder.analysis.network import entities_between, entities_near
from graph_builder.core import namespaces as ns
from graph_builder.core.names import ENTITY_NAMES_SPARQL, EntityName, entity_names, resolve_name
from graph_builder.core.vocabulary import load_vocabulary
from graph_builder.ingest.annotations import load_annotation
from graph_builder.kg.rdf import assertion_of
from graph_builder.sparql.queries import NamedQuery, iter_queries
from graph_builder.sparql.runner import bind_parameters

#: The generator's role (``benchmarks.vocabulary.ROLES``) of the entity a named query's entity parameter
#: names: ``causal-chains`` follows causal claims out of its start, so the start must be an entity the
#: generator makes a cause; every other entity parameter names a condition (the corpus's hub and mid).
ENTITY_ROLES = {"causal-chains": "cause"}


@dataclass(frozen=True)
class QueryTask:
    """A named query with its parameters, as one benchmark task."""

    task: str
    query: str
    params: dict[str, str]


@dataclass(frozen=True)
class Subjects:
    """What the query tasks name, every one of them taken from the corpus (see :func:`corpus_subjects`):
    entities by role (``hub`` and ``mid``: ``{"condition": (hub, mid), "cause": (hub, mid)}``), a source
    id and a claim's IRI."""

    entities: dict[str, tuple[str, str]]
    source: str
    claim: str


#: Stand-ins, for the tasks' names (they do not depend on the corpus).
NAMES_ONLY = Subjects({"condition": ("hub", "mid"), "cause": ("hub", "mid")}, "source", "claim")


def query_tasks(subjects: Subjects = NAMES_ONLY) -> list[QueryTask]:
    """Every named query as tasks, its parameters named from the corpus (seed-article defaults would
    name nothing there): an entity parameter gives ``@hub`` and ``@mid`` tasks beside the one with the
    default (the synthetic vocabulary has the seed's entity labels); a source parameter an ``@mid`` task
    (the middle source), and no task with the default unless the parameter is optional; a claim
    parameter a claim of the middle source."""
    tasks = []
    for q in iter_queries():
        base: dict[str, str] = {}
        variants: list[tuple[str, dict[str, str]]] = []
        for p in q.parameters:
            if p.type == "entity":
                hub, mid = subjects.entities[ENTITY_ROLES.get(q.name, "condition")]
                variants += [("@hub", {p.name: hub}), ("@mid", {p.name: mid})]
            elif p.type == "source":
                variants.append(("@mid", {p.name: subjects.source}))
                if not p.optional:  # its default is the seed article: the @mid task is the one
                    break
            elif p.type == "iri" and p.name == "claim":
                base[p.name] = subjects.claim
            elif p.type in ("iri", "string") and p.default is not None:
                raise ValueError(f"{q.name}: no corpus value for its parameter {p.name!r} ({p.type})")
        else:
            tasks.append(QueryTask(f"query:{q.name}", q.name, base))
        tasks += [QueryTask(f"query:{q.name}{suffix}", q.name, params) for suffix, params in variants]
    return tasks


def middle_article(n_claims: int, seed: int) -> ArticlePlan:
    """The corpus's middle article, the source the one-source tasks name (every article holds 20–40
    claims, so any one is typical)."""
    plans = plan_articles(n_claims, seed)
    return plans[len(plans) // 2]


def corpus_subjects(info: CorpusInfo) -> Subjects:
    """What the tasks name in this corpus, deterministically: the hub and mid conditions of its manifest
    (and as causes, those of them the generator makes causes, else the entity it draws most often as a
    cause and the start of the stated chain chosen as about as popular as mid), the middle source, and
    that source's first claim with a cue (``claim-cues`` then lists something)."""
    cause_types = ROLES["cause"]
    cause_hub, cause_mid = info.hub.label, info.mid.label
    if info.hub.type not in cause_types:
        vocabulary = build_vocabulary(vocabulary_size(info.n_claims), info.seed)
        cause_hub = next(e.label for e in vocabulary if e.type in cause_types)  # most popular first
    if info.mid.type not in cause_types:
        cause_mid = info.chain_start.label
    middle = middle_article(info.n_claims, info.seed)
    annotation = load_annotation(annotation_path(Path(info.path), middle))
    claim = next(c for c in annotation.claims if c.hedges)
    iri = assertion_of(claim, middle.source_id, load_vocabulary())
    return Subjects(
        {"condition": (info.hub.label, info.mid.label), "cause": (cause_hub, cause_mid)},
        middle.source_id,
        "assertion:" + iri.removeprefix(ns.ASSERTION),
    )


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
