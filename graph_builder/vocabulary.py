"""The controlled terms annotation files may use, read from the ontology files themselves.

The ontology (``ontology/medkg.ttl``, ``ontology/evidence.ttl``) is the single source of truth: a
relation, entity type, evidence level, stance or hedge type exists when the ontology defines it with a
``skos:notation``.

>>> vocab = load_vocabulary()
>>> vocab.relations["causes"].iri
'https://w3id.org/medkg/vocab#causes'
>>> vocab.evidence["explicitly-unsupported"].rank
1
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from graph_builder import namespaces as ns
from graph_builder.paths import EVIDENCE_FILE, ONTOLOGY_FILE


@dataclass(frozen=True)
class Term:
    """A controlled term: its annotation slug, IRI and label."""

    slug: str
    iri: str
    label: str


@dataclass(frozen=True)
class Relation(Term):
    """A relation between entities, with the Biolink predicate used for the Biolink reading."""

    biolink: str
    causal: bool


@dataclass(frozen=True)
class EvidenceLevel(Term):
    """A level of the ordered evidence scheme; rank 1 is the weakest."""

    rank: int
    knowledge_level: str


@dataclass(frozen=True)
class Vocabulary:
    """Every controlled term, keyed by slug."""

    relations: dict[str, Relation]
    entity_types: dict[str, Term]
    evidence: dict[str, EvidenceLevel]
    stances: dict[str, Term]
    hedge_types: dict[str, Term]

    def evidence_by_rank(self) -> list[EvidenceLevel]:
        """Evidence levels from weakest to strongest."""
        return sorted(self.evidence.values(), key=lambda e: e.rank)

    def relation_by_iri(self, iri: str) -> Relation | None:
        return next((r for r in self.relations.values() if r.iri == iri), None)


def _rows(store: ox.Store, sparql: str) -> list[dict[str, str]]:
    solutions = store.query(ns.sparql_prefixes() + sparql, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    rows = []
    for sol in solutions:
        row = {}
        for name in names:
            term = sol[name]
            if term is not None:
                row[name] = term.value
        rows.append(row)
    return rows


_SCHEME_TERMS = """
SELECT ?iri ?slug ?label ?scheme WHERE {
  ?iri skos:inScheme ?scheme ; skos:notation ?slug ; skos:prefLabel ?label .
} ORDER BY ?slug
"""


def _scheme(store: ox.Store, scheme: str) -> dict[str, Term]:
    sols = store.query(
        ns.sparql_prefixes() + _SCHEME_TERMS,
        substitutions={ox.Variable("scheme"): ox.NamedNode(scheme)},
        use_default_graph_as_union=True,
    )
    assert isinstance(sols, ox.QuerySolutions)
    terms = {}
    for s in sols:
        slug = str(s["slug"].value)
        terms[slug] = Term(slug, str(s["iri"].value), str(s["label"].value))
    return terms


def vocabulary_from_store(store: ox.Store) -> Vocabulary:
    """Read the controlled terms out of a store holding the ontology and evidence scheme."""
    relations = {
        r["slug"]: Relation(r["slug"], r["iri"], r["label"], r["biolink"], r.get("causal") == "true")
        for r in _rows(
            store,
            """
            SELECT ?iri ?slug ?label ?biolink ?causal WHERE {
              ?iri a owl:ObjectProperty ; skos:notation ?slug ; rdfs:label ?label ;
                   medkg:biolinkPredicate ?biolink .
              BIND(EXISTS { ?iri rdfs:subPropertyOf+ medkg:causallyInfluences } AS ?causal)
            } ORDER BY ?slug""",
        )
    }
    entity_types = {
        r["slug"]: Term(r["slug"], r["iri"], r["label"])
        for r in _rows(
            store,
            """
            SELECT ?iri ?slug ?label WHERE {
              ?iri rdfs:subClassOf medkg:Entity ; skos:notation ?slug ; rdfs:label ?label .
            } ORDER BY ?slug""",
        )
    }
    evidence = {
        r["slug"]: EvidenceLevel(r["slug"], r["iri"], r["label"], int(r["rank"]), r["kl"])
        for r in _rows(
            store,
            """
            SELECT ?iri ?slug ?label ?rank ?kl WHERE {
              ?iri skos:inScheme evidence:scheme ; skos:notation ?slug ; skos:prefLabel ?label ;
                   medkg:rank ?rank ; medkg:knowledgeLevel ?kl .
            } ORDER BY ?rank""",
        )
    }
    return Vocabulary(
        relations=relations,
        entity_types=entity_types,
        evidence=evidence,
        stances=_scheme(store, ns.STANCE + "scheme"),
        hedge_types=_scheme(store, ns.HEDGE + "scheme"),
    )


def load_ontology_store(files: tuple[Path, ...] = (ONTOLOGY_FILE, EVIDENCE_FILE)) -> ox.Store:
    """Return an in-memory store holding the ontology files, in the ontology named graph."""
    store = ox.Store()
    graph = ox.NamedNode(ns.ONTOLOGY_GRAPH)
    for path in files:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=graph)
    return store


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    """Return the controlled vocabulary of the shipped ontology (read once per process)."""
    return vocabulary_from_store(load_ontology_store())
