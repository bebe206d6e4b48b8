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
from typing import Any

import pyoxigraph as ox

from graph_builder.core import codebook
from graph_builder.core import namespaces as ns
from graph_builder.core.paths import EVIDENCE_FILE, ONTOLOGY_FILE
from graph_builder.core.results import from_query_result


@dataclass(frozen=True)
class Term:
    """A controlled term: its annotation slug, IRI and label."""

    slug: str
    iri: str
    label: str


#: The relation groups: super-properties in ``ontology/medkg.ttl`` whose sub-properties are the group.
#: Which relations belong to a group is said there only; the builder writes a group's triple next to
#: every plain triple of its relations, and queries name the group.
CAUSAL = ns.MEDKG_VOCAB + "causallyInfluences"
REMEDY = ns.MEDKG_VOCAB + "ameliorates"
CHAIN_LINK = ns.MEDKG_VOCAB + "chainsTo"
GROUPS = (CAUSAL, REMEDY, CHAIN_LINK)


@dataclass(frozen=True)
class Relation(Term):
    """A relation between entities, with the Biolink predicate used for the Biolink reading.

    ``groups`` holds the IRIs of every relation group (:data:`GROUPS`) it is a sub-property of,
    directly or not.
    """

    biolink: str
    groups: frozenset[str] = frozenset()

    @property
    def causal(self) -> bool:
        """A causal relation (a sub-property of ``medkg:causallyInfluences``)."""
        return CAUSAL in self.groups

    @property
    def remedy(self) -> bool:
        """A relation that presents the subject as a remedy (``medkg:ameliorates``)."""
        return REMEDY in self.groups

    @property
    def chain_link(self) -> bool:
        """A relation a chain may pass through (``medkg:chainsTo``)."""
        return CHAIN_LINK in self.groups


@dataclass(frozen=True)
class EntityType(Term):
    """A type of entity, with the Biolink class that stands for it when entities are exported (KGX)."""

    biolink: str


@dataclass(frozen=True)
class Ranked(Term):
    """A term of an ordered scheme (certainty, support); rank 1 is the weakest."""

    rank: int


@dataclass(frozen=True)
class EvidenceLevel(Term):
    """A level of the ordered evidence scheme; rank 1 is the weakest."""

    rank: int
    knowledge_level: str


@dataclass(frozen=True)
class Vocabulary:
    """Every controlled term, keyed by slug."""

    relations: dict[str, Relation]
    entity_types: dict[str, EntityType]
    evidence: dict[str, EvidenceLevel]
    stances: dict[str, Term]
    hedge_types: dict[str, Term]
    polarities: dict[str, Term]
    certainties: dict[str, Ranked]
    supports: dict[str, Ranked]
    agent_types: dict[str, Term]
    qualifier_types: dict[str, Term]
    #: The claim-link property (``claimed:``) of each relation and relation group, by their IRIs.
    claimed_forms: dict[str, str]

    def claim_links(self, relation: Relation) -> list[str]:
        """The claim-link properties written when a source affirms a proposition of ``relation``:
        its own and those of its groups."""
        return sorted(self.claimed_forms[iri] for iri in (relation.iri, *relation.groups))

    def evidence_by_rank(self) -> list[EvidenceLevel]:
        """Evidence levels from weakest to strongest."""
        return sorted(self.evidence.values(), key=lambda e: e.rank)

    def strength(self, support: str, certainty: str) -> int:
        """The strength of a claim of this support and certainty (slugs): :func:`codebook.strength
        <graph_builder.core.codebook.strength>` with the ontology's ranks."""
        levels = len(self.certainties)
        return codebook.strength(self.supports[support].rank, self.certainties[certainty].rank, levels)


def _rows(store: ox.Store, sparql: str) -> list[dict[str, Any]]:
    # The engine directly, not the named-query machinery above this module: ingest needs the vocabulary.
    result = store.query(sparql, prefixes=ns.PREFIXES, use_default_graph_as_union=True)
    return from_query_result(result)[0].to_records()


_SCHEME_TERMS = """
SELECT ?scheme ?iri ?slug ?label ?rank WHERE {
  ?iri skos:inScheme ?scheme ; skos:notation ?slug ; skos:prefLabel ?label .
  OPTIONAL { ?iri medkg:rank ?rank }
} ORDER BY ?scheme ?slug
"""


_RELATION_GROUPS = f"""
SELECT DISTINCT ?relation ?group WHERE {{
  VALUES ?group {{ {" ".join(f"<{g}>" for g in GROUPS)} }}
  ?relation rdfs:subPropertyOf+ ?group .
}}"""


def _scheme(rows: list[dict[str, Any]], scheme: str) -> dict[str, Term]:
    return {
        str(r["slug"]): Term(str(r["slug"]), str(r["iri"]), str(r["label"]))
        for r in rows
        if r["scheme"] == scheme
    }


def _ranked(rows: list[dict[str, Any]], scheme: str) -> dict[str, Ranked]:
    found = [r for r in rows if r["scheme"] == scheme]
    found.sort(key=lambda r: int(r["rank"]))
    return {
        str(r["slug"]): Ranked(str(r["slug"]), str(r["iri"]), str(r["label"]), int(r["rank"])) for r in found
    }


def vocabulary_from_store(store: ox.Store) -> Vocabulary:
    """Read the controlled terms out of a store holding the ontology and evidence scheme."""
    groups: dict[str, set[str]] = {}
    for r in _rows(store, _RELATION_GROUPS):
        groups.setdefault(r["relation"], set()).add(r["group"])
    relations = {
        r["slug"]: Relation(
            r["slug"], r["iri"], r["label"], r["biolink"], frozenset(groups.get(r["iri"], ()))
        )
        for r in _rows(
            store,
            """
            SELECT ?iri ?slug ?label ?biolink WHERE {
              ?iri a owl:ObjectProperty ; skos:notation ?slug ; rdfs:label ?label ;
                   medkg:biolinkPredicate ?biolink .
            } ORDER BY ?slug""",
        )
    }
    entity_types = {
        # A graph built before the ontology mapped entity types to Biolink still opens: Biolink's root.
        r["slug"]: EntityType(r["slug"], r["iri"], r["label"], r.get("biolink") or ns.BIOLINK + "NamedThing")
        for r in _rows(
            store,
            """
            SELECT ?iri ?slug ?label ?biolink WHERE {
              ?iri rdfs:subClassOf medkg:Entity ; skos:notation ?slug ; rdfs:label ?label .
              OPTIONAL { ?iri medkg:biolinkCategory ?biolink }
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
    schemes = _rows(store, _SCHEME_TERMS)
    claimed_forms = {
        r["property"]: r["claimed"]
        for r in _rows(store, "SELECT ?property ?claimed WHERE { ?property medkg:claimedForm ?claimed }")
    }
    return Vocabulary(
        claimed_forms=claimed_forms,
        relations=relations,
        entity_types=entity_types,
        evidence=evidence,
        stances=_scheme(schemes, ns.STANCE + "scheme"),
        hedge_types=_scheme(schemes, ns.HEDGE + "scheme"),
        polarities=_scheme(schemes, ns.POLARITY + "scheme"),
        certainties=_ranked(schemes, ns.CERTAINTY + "scheme"),
        supports=_ranked(schemes, ns.SUPPORT + "scheme"),
        agent_types=_scheme(schemes, ns.AGENT_TYPE + "scheme"),
        qualifier_types=_scheme(schemes, ns.QUALIFIER + "scheme"),
    )


def load_ontology(store: ox.Store) -> None:
    """Load the shipped ontology and evidence scheme into the store's ontology graph."""
    graph = ox.NamedNode(ns.ONTOLOGY_GRAPH)
    for path in (ONTOLOGY_FILE, EVIDENCE_FILE):
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=graph)


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    """Return the controlled vocabulary of the shipped ontology (read once per process)."""
    store = ox.Store()
    load_ontology(store)
    return vocabulary_from_store(store)


# --- The strength table ---------------------------------------------------------------------------
# A claim's strength is not stored (issue 14): a query joins its support and certainty with this table,
# which ``ontology/evidence.ttl`` ends with. The table is generated from :meth:`Vocabulary.strength`,
# so the codebook's rule stays the one rule; ``tests/core/test_strength_table.py`` checks the file holds
# what :func:`strength_table_turtle` writes. After a change to the rule or the ranks, ``make schema``
# rewrites it (:func:`write_strength_table`).

#: The first line of the generated table in ``ontology/evidence.ttl``; the table runs to the file's end.
STRENGTH_TABLE_START = (
    "# Strength table: GENERATED by `make schema` (core.vocabulary.write_strength_table), do not edit."
)


def strength_table_turtle(vocab: Vocabulary) -> str:
    """The strength table as Turtle (the prefixes of ``ontology/evidence.ttl``): one cell per support
    level and certainty, with ``medkg:strengthSupport``, ``medkg:strengthCertainty`` and
    ``medkg:strengthValue``, in the order of the ranks."""
    lines = [
        STRENGTH_TABLE_START,
        "# One cell per support level and certainty: the strength of a claim that has both (docs/codebook.md,",
        "# Strength). Queries derive a claim's medkg:strength by joining its medkg:support and medkg:certainty",
        "# with a cell's medkg:strengthSupport and medkg:strengthCertainty.",
    ]
    for support in vocab.supports.values():
        for certainty in vocab.certainties.values():
            value = vocab.strength(support.slug, certainty.slug)
            label = f"strength of support {support.label}, certainty {certainty.label}"
            definition = (
                f"A claim with support {support.slug} (rank {support.rank}) and certainty {certainty.slug}"
                f" (rank {certainty.rank}) has strength {value}."
            )
            lines += [
                "",
                f"medkg:strength-{support.slug}-{certainty.slug}",
                f'    rdfs:label "{label}" ;',
                f'    skos:prefLabel "{label}" ;',
                f'    skos:definition "{definition}" ;',
                f"    medkg:strengthSupport support:{support.slug} ;",
                f"    medkg:strengthCertainty certainty:{certainty.slug} ;",
                f"    medkg:strengthValue {value} .",
            ]
    return "\n".join(lines) + "\n"


def write_strength_table(path: Path = EVIDENCE_FILE) -> bool:
    """Write the strength table at the end of ``path`` (in place of the one there); whether it changed."""
    text = path.read_text(encoding="utf-8")
    head = text.split(STRENGTH_TABLE_START, 1)[0].rstrip("\n")
    new = f"{head}\n\n{strength_table_turtle(load_vocabulary())}"
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True
