"""KGX JSON Lines of a store: entities as Biolink nodes, each assertion as one Biolink edge.

Written by hand with :mod:`json` (the ``kgx`` package downloads the Biolink model when imported, so it
cannot run offline). Every value is a CURIE from :mod:`graph_builder.core.identifiers`.

An edge is one source's claim, never a fact: it carries the Biolink reading of the assertion, derived by
the ``biolink-statements`` view (:mod:`graph_builder.kg.views`) (``negated``, ``knowledge_level``, ``agent_type``: a claim the source itself disclaims or
only hedges is a ``prediction``), the verbatim quote as ``supporting_text`` and the source as
``supporting_documents``. What Biolink has no slot for is kept under ``medkg_`` keys (KGX allows
properties outside the model): the codebook's polarity, certainty and support, and the source's
qualifiers, whose verbatim words do not fit Biolink's qualifier slots (those take controlled values).

>>> from graph_builder.kg.build import build_example
>>> edges = kgx_edges(build_example())
>>> edge = next(e for e in edges if "not supported with any medical researches" in e["supporting_text"][0])
>>> edge["predicate"], edge["negated"], edge["knowledge_level"], edge["medkg_support"]
('biolink:causes', False, 'prediction', 'support:disclaimed')
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from graph_builder.core import namespaces as ns
from graph_builder.core.identifiers import shorten
from graph_builder.core.results import from_query_result
from graph_builder.core.vocabulary import Vocabulary, load_vocabulary
from graph_builder.kg.views import view_triples

NODES_FILE = "medkg_nodes.jsonl"
EDGES_FILE = "medkg_edges.jsonl"
#: The Biolink class of every edge: an association, whose rdf:type is rdf:Statement.
ASSOCIATION = ns.BIOLINK + "Association"

_EDGES = """
SELECT DISTINCT ?assertion ?relation ?quote ?source ?url ?polarity ?certainty ?conditional ?support WHERE {
  ?assertion a medkg:Assertion ;
             medkg:quote ?quote ; medkg:source ?source ; medkg:proposition/medkg:relation ?relation ;
             medkg:polarity ?polarity ; medkg:certainty ?certainty ; medkg:support ?support .
  OPTIONAL { ?source schema:url ?url }
  # Condition cues counted once for all assertions: an EXISTS in the BIND is evaluated anew for each
  # assertion by Oxigraph, which joins with every condition cue of the store each time.
  OPTIONAL {
    SELECT ?assertion (COUNT(*) AS ?conditionCues) WHERE { ?assertion medkg:hedge/medkg:cueType hedge:condition }
    GROUP BY ?assertion
  }
  BIND(BOUND(?conditionCues) AS ?conditional)
}"""

_QUALIFIERS = """
SELECT DISTINCT ?assertion ?type ?text ?start ?value ?unit WHERE {
  ?assertion a medkg:Assertion ; medkg:qualifier ?qualifier .
  ?qualifier medkg:qualifierType ?type ; medkg:cueText ?text ; medkg:cueStart ?start .
  OPTIONAL { ?qualifier medkg:qualifierValue ?value }
  OPTIONAL { ?qualifier medkg:qualifierUnit ?unit }
}"""

_NODES = """
SELECT DISTINCT ?entity ?type ?label WHERE {
  ?entity a medkg:Entity , ?type ; rdfs:label ?label .
}"""

_NODE_VALUES = """
SELECT DISTINCT ?entity ?property ?value WHERE {
  VALUES ?property { skos:altLabel skos:definition skos:exactMatch skos:closeMatch }
  ?entity a medkg:Entity ; ?property ?value .
}"""


def _records(store: ox.Store, sparql: str) -> list[dict[str, Any]]:
    result = store.query(sparql, prefixes=ns.PREFIXES, use_default_graph_as_union=True)
    return from_query_result(result)[0].to_records()


def kgx_edges(store: ox.Store) -> list[dict[str, Any]]:
    """One KGX edge per assertion, sorted by id."""
    qualifiers: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for r in _records(store, _QUALIFIERS):
        found = {"type": shorten(r["type"]), "text": r["text"]}
        found |= {k: r[k] for k in ("value", "unit") if r[k] is not None}
        qualifiers.setdefault(r["assertion"], []).append((r["start"], found))
    reading = _biolink_reading(store)
    edges = []
    for r in _records(store, _EDGES):
        r |= reading[r["assertion"]]
        documents = [shorten(r["source"])] + ([r["url"]] if r["url"] else [])
        edge: dict[str, Any] = {
            "id": shorten(r["assertion"]),
            "category": [shorten(ASSOCIATION)],
            "subject": shorten(r["subject"]),
            "predicate": shorten(r["predicate"]),
            "object": shorten(r["object"]),
            "original_predicate": shorten(r["relation"]),
            "negated": r["negated"],
            "knowledge_level": r["kl"],
            "agent_type": r["agent"],
            "supporting_text": [r["quote"]],
            "supporting_documents": documents,
            "medkg_polarity": shorten(r["polarity"]),
            "medkg_certainty": shorten(r["certainty"]),
            "medkg_conditional": r["conditional"],
            "medkg_support": shorten(r["support"]),
        }
        if r["assertion"] in qualifiers:
            edge["medkg_qualifiers"] = [q for _, q in sorted(qualifiers[r["assertion"]], key=_by_start)]
        edges.append(edge)
    return sorted(edges, key=lambda e: str(e["id"]))


#: The Biolink reading's properties, and the key of an edge record each one fills.
_READING = {
    ns.RDF + "subject": "subject",
    ns.RDF + "predicate": "predicate",
    ns.RDF + "object": "object",
    ns.BIOLINK + "negated": "negated",
    ns.BIOLINK + "knowledge_level": "kl",
    ns.BIOLINK + "agent_type": "agent",
}


def _biolink_reading(store: ox.Store) -> dict[str, dict[str, Any]]:
    """Each assertion's Biolink reading (the ``biolink-statements`` view), keyed by assertion IRI."""
    reading: dict[str, dict[str, Any]] = {}
    for t in view_triples(store, "biolink-statements"):
        key = _READING.get(t.predicate.value)
        o, s = t.object, t.subject
        if key is not None and isinstance(o, ox.NamedNode | ox.Literal) and isinstance(s, ox.NamedNode):
            reading.setdefault(s.value, {})[key] = o.value == "true" if key == "negated" else o.value
    return reading


def _by_start(item: tuple[int, dict[str, str]]) -> tuple[int, str]:
    return item[0], item[1]["text"]


def kgx_nodes(store: ox.Store, vocab: Vocabulary | None = None) -> list[dict[str, Any]]:
    """One KGX node per entity, with the Biolink category of its entity type, sorted by id."""
    vocab = vocab or load_vocabulary()
    categories = {t.iri: shorten(t.biolink) for t in vocab.entity_types.values()}
    nodes: dict[str, dict[str, set[str]]] = {}
    for r in _records(store, _NODES):
        if r["type"] in categories:
            node = nodes.setdefault(r["entity"], {"category": set(), "name": set()})
            node["category"].add(categories[r["type"]])
            node["name"].add(r["label"])
    keys = {"altLabel": "synonym", "definition": "description", "exactMatch": "xref"}
    keys["closeMatch"] = "medkg_close_match"  # not the same thing, so not a Biolink xref
    for r in _records(store, _NODE_VALUES):
        if r["entity"] in nodes:
            key = keys[r["property"].rpartition("#")[2]]
            text = key in ("synonym", "description")
            nodes[r["entity"]].setdefault(key, set()).add(r["value"] if text else shorten(r["value"]))
    return sorted((_node(iri, values) for iri, values in nodes.items()), key=lambda n: str(n["id"]))


def _node(iri: str, values: dict[str, set[str]]) -> dict[str, Any]:
    """A node's values as KGX wants them: lists sorted; one name and description (where sources that
    describe an entity differ, the first in code-point order, so that the output is stable)."""
    node: dict[str, Any] = {"id": shorten(iri)}
    for key, found in values.items():
        node[key] = min(found) if key in ("name", "description") else sorted(found)
    return node


def to_jsonl(records: Iterable[dict[str, Any]]) -> bytes:
    """JSON Lines, keys sorted: the same records always give the same bytes."""
    lines = (json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n" for r in records)
    return "".join(lines).encode("utf-8")


def to_kgx(store: ox.Store) -> dict[str, bytes]:
    """The bytes of the KGX node and edge files, keyed by file name."""
    return {NODES_FILE: to_jsonl(kgx_nodes(store)), EDGES_FILE: to_jsonl(kgx_edges(store))}
