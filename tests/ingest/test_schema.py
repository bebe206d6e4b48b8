"""The JSON Schema for editors stays in step with the ontology, and the seed file satisfies it."""

from __future__ import annotations

import json

import jsonschema
import yaml

from graph_builder.core.paths import ANNOTATION_SCHEMA_FILE, ANNOTATIONS_DIR
from graph_builder.core.vocabulary import load_vocabulary
from graph_builder.ingest.schema import annotation_schema, schema_json


def test_committed_schema_equals_generated() -> None:
    assert ANNOTATION_SCHEMA_FILE.read_text(encoding="utf-8") == schema_json(load_vocabulary()), (
        "run: make schema"
    )


def test_every_annotation_file_matches_the_schema() -> None:
    schema = json.loads(ANNOTATION_SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    files = sorted(ANNOTATIONS_DIR.glob("*.yaml"))
    assert files
    for path in files:
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)


def test_schema_enums_come_from_the_ontology() -> None:
    vocab = load_vocabulary()
    defs = annotation_schema(vocab)["$defs"]
    assert defs["relation"]["enum"] == sorted(vocab.relations)
    # support levels in rank order, weakest first, as the ontology ranks them
    assert defs["support"]["enum"] == [t.slug for t in sorted(vocab.supports.values(), key=lambda t: t.rank)]
    assert defs["support"]["enum"][0] == "disclaimed" and len(defs["support"]["enum"]) == 7
    assert defs["polarity"]["enum"] == sorted(vocab.polarities) == ["affirmed", "negated"]
