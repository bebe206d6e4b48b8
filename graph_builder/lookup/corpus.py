"""The entities a built graph already has, as ``medkg lookup`` shows them: id, label, type, synonyms,
groundings, broader entities and the sources whose claims use each; and one as an annotation-file block.

Read with fixed SPARQL text (nothing a user typed goes into a query): the whole list of entities,
which :mod:`graph_builder.lookup.search` then matches in Python.

>>> from graph_builder.kg.build import build_example
>>> lbp = {e.id: e for e in corpus_entities(build_example())}["lower-back-pain"]
>>> lbp.label, lbp.type, lbp.sources
('lower back pain', 'sign-or-symptom', ('does-herpes-cause-lower-back-pain',))
>>> print(entity_yaml(lbp))  # doctest: +NORMALIZE_WHITESPACE
  lower-back-pain:
    label: lower back pain
    type: sign-or-symptom
    synonyms: [low back pain, lumbago]
    groundings:
      - {vocabulary: mesh, id: D017116, label: Low Back Pain}
      - {vocabulary: icd10cm, id: M54.50, label: 'Low back pain, unspecified'}
      - {vocabulary: hpo, id: 'HP:0003419', label: Low back pain}
    broader: [back-pain]
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
import yaml

from graph_builder.core import namespaces as ns
from graph_builder.core.model import MATCHES, VOCABULARIES, Entity, Grounding
from graph_builder.sparql.runner import run_sparql

_ENTITIES = """SELECT ?entity ?label ?type WHERE {
  ?entity a medkg:Entity ; rdfs:label ?label ; a ?class .
  ?class rdfs:subClassOf medkg:Entity ; skos:notation ?type .
}"""
_SYNONYMS = "SELECT ?entity ?synonym WHERE { ?entity a medkg:Entity ; skos:altLabel ?synonym . }"
_DEFINITIONS = "SELECT ?entity ?definition WHERE { ?entity a medkg:Entity ; skos:definition ?definition . }"
_BROADER = """SELECT ?entity ?broader WHERE {
  ?entity a medkg:Entity ; skos:broader ?broader . ?broader a medkg:Entity .
}"""
_GROUNDINGS = """SELECT ?entity ?match ?vocabulary ?curie ?label WHERE {
  VALUES ?match { skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch }
  ?entity a medkg:Entity ; ?match ?term .
  ?term medkg:curie ?curie ; medkg:vocabulary ?vocabulary ; rdfs:label ?label .
}"""
# The sources whose claims have the entity as subject or object.
_SOURCES = """SELECT DISTINCT ?entity ?source WHERE {
  { ?proposition medkg:subject ?entity } UNION { ?proposition medkg:object ?entity }
  ?assertion medkg:proposition ?proposition ; medkg:source ?source .
}"""

#: The ``match`` value of an annotation file for each SKOS mapping property.
_MATCH_OF = {ns.SKOS + prop: match for match, prop in MATCHES.items()}


@dataclass(frozen=True)
class CorpusEntity(Entity):
    """An entity of the graph, with what an annotation file says of it and the sources that use it."""

    sources: tuple[str, ...] = ()


def _id(curie: str, vocabulary: str) -> str:
    """The id an annotation file writes: ``HP:0003419`` and ``DOID:8566`` keep their prefix, MeSH and
    ICD-10-CM ids do not (``mesh:D017116`` → ``D017116``)."""
    spec = VOCABULARIES[vocabulary]
    return curie if spec.matches(curie) else curie.partition(":")[2]


def _records(store: ox.Store, text: str) -> list[dict[str, Any]]:
    return run_sparql(text, store).to_records()


def corpus_entities(store: ox.Store) -> list[CorpusEntity]:
    """Every entity of the graph, sorted by id."""
    local = len(ns.ENTITY)
    rows = sorted(_records(store, _ENTITIES), key=lambda r: (r["entity"], r["type"]))
    first = {r["entity"]: r for r in reversed(rows)}  # the first type when a graph has two (it should not)
    many: dict[str, defaultdict[str, set[Any]]] = {
        name: defaultdict(set) for name in ("synonyms", "definition", "broader", "groundings", "sources")
    }
    for r in _records(store, _SYNONYMS):
        many["synonyms"][r["entity"]].add(r["synonym"])
    for r in _records(store, _DEFINITIONS):
        many["definition"][r["entity"]].add(r["definition"])
    for r in _records(store, _BROADER):
        many["broader"][r["entity"]].add(r["broader"][local:])
    for r in _records(store, _GROUNDINGS):
        if r["vocabulary"] in VOCABULARIES:
            g = Grounding(
                r["vocabulary"], _id(r["curie"], r["vocabulary"]), r["label"], _MATCH_OF[r["match"]]
            )
            many["groundings"][r["entity"]].add(g)
    for r in _records(store, _SOURCES):
        many["sources"][r["entity"]].add(r["source"].removeprefix(ns.SOURCE))
    order = {v: i for i, v in enumerate(VOCABULARIES)}
    return [
        CorpusEntity(
            id=iri[local:],
            label=r["label"],
            type=r["type"],
            synonyms=tuple(sorted(many["synonyms"][iri])),
            definition=min(many["definition"][iri], default=None),
            groundings=tuple(sorted(many["groundings"][iri], key=lambda g: (order[g.vocabulary], g.id))),
            broader=tuple(sorted(many["broader"][iri])),
            sources=tuple(sorted(many["sources"][iri])),
        )
        for iri, r in sorted(first.items())
    ]


class _FlowList(list[Any]):
    """A list YAML writes on one line, as annotation files write synonyms and groundings."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # list items indented under their key, as the annotation files write them
        return super().increase_indent(flow, False)


_Dumper.add_representer(
    _FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
)
_Dumper.add_representer(
    dict, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=False)
)


class _FlowDict(dict[str, str]):
    """A mapping YAML writes on one line, as annotation files write each grounding."""


_Dumper.add_representer(
    _FlowDict, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=True)
)


def entity_yaml(entity: CorpusEntity) -> str:
    """The entity as a block of an annotation file's ``entities:`` mapping, indented to paste under it."""
    body: dict[str, Any] = {"label": entity.label, "type": entity.type}
    if entity.synonyms:
        body["synonyms"] = _FlowList(entity.synonyms)
    if entity.definition:
        body["definition"] = entity.definition
    if entity.groundings:
        body["groundings"] = [
            _FlowDict({"vocabulary": g.vocabulary, "id": g.id, "label": g.label}
                      | ({} if g.match == "exact" else {"match": g.match}))
            for g in entity.groundings
        ]  # fmt: skip
    if entity.broader:
        body["broader"] = _FlowList(entity.broader)
    text = yaml.dump({entity.id: body}, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)
    return "".join("  " + line if line.strip() else line for line in text.splitlines(keepends=True)).rstrip(
        "\n"
    )
