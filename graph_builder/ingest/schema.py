"""The JSON Schema of annotation files, generated from the ontology's controlled terms.

The committed copy ``ontology/annotation.schema.json`` is for editors; a test keeps it equal to
:func:`annotation_schema` (regenerate it with ``make schema``).

>>> from graph_builder.core.vocabulary import load_vocabulary
>>> schema = annotation_schema(load_vocabulary())
>>> "causes" in schema["$defs"]["relation"]["enum"]
True
"""

from __future__ import annotations

import json
from typing import Any

from graph_builder.core.model import MATCHES, VOCABULARIES
from graph_builder.core.vocabulary import Vocabulary

SLUG = r"^[a-z0-9][a-z0-9-]*$"
SCHEMA_ID = "https://w3id.org/medkg/annotation.schema.json"
#: The annotation format version this medkg reads (docs/annotation-format.md, "Versions").
FORMAT_VERSION = 2

#: Biolink AgentTypeEnum values (Biolink Model 4.4.4).
AGENT_TYPES = (
    "manual_agent",
    "automated_agent",
    "data_analysis_pipeline",
    "computational_model",
    "text_mining_agent",
    "image_processing_agent",
    "manual_validation_of_automated_agent",
    "not_provided",
)


def _text(description: str) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "description": description}


def annotation_schema(vocab: Vocabulary) -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of an annotation file for this vocabulary."""
    slug = {"type": "string", "pattern": SLUG}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "medkg annotation file",
        "description": "The claims one source document makes, curated for medkg (docs/annotation-format.md).",
        "type": "object",
        "required": ["medkg", "source", "entities", "claims"],
        "additionalProperties": False,
        "properties": {
            "medkg": {"const": FORMAT_VERSION, "description": "Format version."},
            "source": {
                "type": "object",
                "required": ["id", "title", "text", "description"],
                "additionalProperties": False,
                "properties": {
                    "id": {**slug, "description": "Source id, unique in a corpus."},
                    "title": _text("Title of the document."),
                    "text": _text("Path of the UTF-8 source text, relative to the annotation file."),
                    "description": _text("Where the text came from and how it was captured."),
                    "kind": {"enum": ["web-page", "article", "leaflet", "other"], "default": "web-page"},
                    "url": {"type": "string", "format": "uri"},
                },
            },
            "curation": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "agent": {"enum": list(AGENT_TYPES), "default": "manual_agent"},
                    "curator": {"type": "string"},
                },
            },
            "entities": {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"pattern": SLUG},
                "additionalProperties": {"$ref": "#/$defs/entity"},
            },
            "agents": {
                "type": "object",
                "description": "Who the source credits claims to, as it names them (docs/codebook.md).",
                "propertyNames": {"pattern": SLUG},
                "additionalProperties": {"$ref": "#/$defs/agent"},
            },
            "claims": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/claim"}},
            "chains": {"type": "array", "items": {"$ref": "#/$defs/chain"}},
        },
        "$defs": {
            "relation": {"enum": sorted(vocab.relations)},
            "entityType": {"enum": sorted(vocab.entity_types)},
            "support": {"enum": list(vocab.supports)},
            "polarity": {"enum": sorted(vocab.polarities)},
            "hedgeType": {"enum": sorted(vocab.hedge_types)},
            "agentType": {"enum": sorted(vocab.agent_types)},
            "qualifierType": {"enum": sorted(vocab.qualifier_types)},
            "agent": {
                "type": "object",
                "required": ["name", "type"],
                "additionalProperties": False,
                "properties": {
                    "name": _text("The agent's name as the source writes it."),
                    "type": {"$ref": "#/$defs/agentType"},
                },
            },
            "qualifier": {
                "type": "object",
                "required": ["type", "text"],
                "additionalProperties": False,
                "properties": {
                    "type": {"$ref": "#/$defs/qualifierType"},
                    "text": _text("The qualifying words, verbatim."),
                    "value": {"type": ["number", "string"], "description": "A number the text states."},
                    "unit": _text("The unit of the value, e.g. percent."),
                },
            },
            "entity": {
                "type": "object",
                "required": ["label", "type"],
                "additionalProperties": False,
                "properties": {
                    "label": _text("Preferred label."),
                    "type": {"$ref": "#/$defs/entityType"},
                    "synonyms": {"type": "array", "items": {"type": "string", "minLength": 1}},
                    "definition": {"type": "string"},
                    "groundings": {"type": "array", "items": {"$ref": "#/$defs/grounding"}},
                    "broader": {
                        "type": "array",
                        "items": slug,
                        "description": "Ids of entities of the corpus this entity is narrower than.",
                    },
                },
            },
            "grounding": {
                "type": "object",
                "required": ["vocabulary", "id", "label"],
                "additionalProperties": False,
                "properties": {
                    "vocabulary": {"enum": sorted(VOCABULARIES)},
                    "id": _text(
                        "Identifier as the vocabulary writes it: D017116, M54.50, HP:0003419, DOID:8566."
                    ),
                    "label": _text("The term's label in that vocabulary."),
                    "match": {
                        "enum": list(MATCHES),
                        "default": "exact",
                        "description": "How the entity relates to the term: narrower or broader means "
                        "the entity is narrower or broader than the term.",
                    },
                },
            },
            "hedge": {
                "type": "object",
                "required": ["text", "type"],
                "additionalProperties": False,
                "properties": {"text": _text("The cue, verbatim."), "type": {"$ref": "#/$defs/hedgeType"}},
            },
            "claim": {
                "type": "object",
                "required": ["id", "subject", "relation", "object", "quote", "support", "rationale"],
                "additionalProperties": False,
                "properties": {
                    "id": slug,
                    "subject": slug,
                    "relation": {"$ref": "#/$defs/relation"},
                    "object": slug,
                    "quote": _text("Verbatim quote from the source text."),
                    "occurrence": {"type": "integer", "minimum": 1},
                    "hedges": {"type": "array", "items": {"$ref": "#/$defs/hedge"}},
                    "polarity": {"$ref": "#/$defs/polarity", "default": "affirmed"},
                    "support": {"$ref": "#/$defs/support"},
                    "attributed_to": {**slug, "description": "An agent id of the file's 'agents'."},
                    "qualifiers": {"type": "array", "items": {"$ref": "#/$defs/qualifier"}},
                    "rationale": _text("One line on why this support level and certainty."),
                    "mechanism": _text("How the source says it works, verbatim."),
                },
            },
            "chain": {
                "type": "object",
                "required": ["id", "steps", "support", "rationale"],
                "additionalProperties": False,
                "properties": {
                    "id": slug,
                    "steps": {"type": "array", "minItems": 2, "items": slug},
                    "support": {"$ref": "#/$defs/support"},
                    "rationale": _text("One line on why this support level."),
                    "quote": _text("The passage that states the chain, verbatim."),
                },
            },
        },
    }


def schema_json(vocab: Vocabulary) -> str:
    """The schema as the text of the committed file."""
    return json.dumps(annotation_schema(vocab), indent=2, ensure_ascii=False) + "\n"
