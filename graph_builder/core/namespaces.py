"""IRI bases and prefixes of medkg, declared once.

>>> MEDKG_VOCAB
'https://w3id.org/medkg/vocab#'
>>> entity_iri("lower-back-pain")
'https://w3id.org/medkg/entity/lower-back-pain'
"""

from __future__ import annotations

import hashlib

BASE = "https://w3id.org/medkg/"
MEDKG_VOCAB = BASE + "vocab#"
EVIDENCE = BASE + "evidence/"
STANCE = BASE + "stance/"
HEDGE = BASE + "hedge/"
POLARITY = BASE + "polarity/"
CERTAINTY = BASE + "certainty/"
SUPPORT = BASE + "support/"
AGENT_TYPE = BASE + "agenttype/"
QUALIFIER = BASE + "qualifier/"
ENTITY = BASE + "entity/"
PROPOSITION = BASE + "proposition/"
ASSERTION = BASE + "assertion/"
CHAIN = BASE + "chain/"
SOURCE = BASE + "source/"
GRAPH = BASE + "graph/"
#: Claim links between entities (ontology/medkg.ttl, "Claim links"): what some source claims, never a fact.
CLAIMED = BASE + "claimed#"
#: What the store holds, counted at build time (docs/data-model.md, "Statistics").
STATISTICS = BASE + "statistics"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "http://schema.org/"
OA = "http://www.w3.org/ns/oa#"
SH = "http://www.w3.org/ns/shacl#"
SEPIO = "http://purl.obolibrary.org/obo/SEPIO_"
ECO = "http://purl.obolibrary.org/obo/ECO_"
BIOLINK = "https://w3id.org/biolink/vocab/"
VOID = "http://rdfs.org/ns/void#"
QB = "http://purl.org/linked-data/cube#"

ONTOLOGY_GRAPH = GRAPH + "ontology"
SHARED_GRAPH = GRAPH + "shared"
CLAIMED_GRAPH = GRAPH + "claimed"
STATISTICS_GRAPH = GRAPH + "statistics"
#: The graphs every medkg store has besides one graph per source.
CORE_GRAPHS = (ONTOLOGY_GRAPH, SHARED_GRAPH, CLAIMED_GRAPH, STATISTICS_GRAPH)
SOURCE_GRAPH = GRAPH + "source/"

#: Prefixes written into every serialisation and prepended to every named query.
PREFIXES: dict[str, str] = {
    "medkg": MEDKG_VOCAB,
    "evidence": EVIDENCE,
    "stance": STANCE,
    "hedge": HEDGE,
    "polarity": POLARITY,
    "certainty": CERTAINTY,
    "support": SUPPORT,
    "agenttype": AGENT_TYPE,
    "qualifier": QUALIFIER,
    "entity": ENTITY,
    "proposition": PROPOSITION,
    "assertion": ASSERTION,
    "chain": CHAIN,
    "source": SOURCE,
    "graph": GRAPH,
    "claimed": CLAIMED,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "schema": SCHEMA,
    "oa": OA,
    "sepio": SEPIO,
    "eco": ECO,
    "biolink": BIOLINK,
    "void": VOID,
    "qb": QB,
}


def sparql_prefixes() -> str:
    """Return the ``PREFIX`` lines for every prefix in :data:`PREFIXES`.

    >>> sparql_prefixes().splitlines()[0]
    'PREFIX medkg: <https://w3id.org/medkg/vocab#>'
    """
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def content_hash(*parts: str | int) -> str:
    """Return the 16-hex-digit identity of content: sha256 of the parts joined by one space.

    >>> content_hash("a", 1)
    '042a5f2e7634c4c8'
    """
    joined = " ".join(str(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


def entity_iri(entity_id: str) -> str:
    return ENTITY + entity_id


def source_iri(source_id: str) -> str:
    return SOURCE + source_id


def source_graph_iri(source_id: str) -> str:
    return SOURCE_GRAPH + source_id


def proposition_iri(subject: str, relation: str, obj: str) -> str:
    """Proposition identity: a hash of subject, relation and object IRIs."""
    return PROPOSITION + content_hash(subject, relation, obj)


def assertion_iri(proposition: str, source: str, start: int, end: int) -> str:
    """Assertion identity: a hash of the proposition, the source and the quote's offsets."""
    return ASSERTION + content_hash(proposition, source, start, end)


def chain_iri(source: str, steps: list[str]) -> str:
    """Chain identity: a hash of the source and its step assertions in order."""
    return CHAIN + content_hash(source, *steps)
