"""The one place that knows where medkg's data files live.

In a checkout they sit beside the package (``ontology/``, ``queries/``, ``data/``); in an installed
wheel they are shipped inside it under ``graph_builder/_data/``.

>>> (ONTOLOGY_DIR / "medkg.ttl").is_file()
True
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # graph_builder/, this file is in graph_builder/core/


def _data_root() -> Path:
    shipped = _PACKAGE / "_data"
    if (shipped / "ontology").is_dir():
        return shipped
    return _PACKAGE.parent


DATA_ROOT = _data_root()
ONTOLOGY_DIR = DATA_ROOT / "ontology"
QUERIES_DIR = DATA_ROOT / "queries"
QA_QUERIES_DIR = QUERIES_DIR / "qa"
EXAMPLES_DIR = DATA_ROOT / "data"
ARTICLES_DIR = EXAMPLES_DIR / "articles"
ANNOTATIONS_DIR = EXAMPLES_DIR / "annotations"

ONTOLOGY_FILE = ONTOLOGY_DIR / "medkg.ttl"
EVIDENCE_FILE = ONTOLOGY_DIR / "evidence.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
ANNOTATION_SCHEMA_FILE = ONTOLOGY_DIR / "annotation.schema.json"
#: Bioregistry's records of the prefixes medkg writes; part of the package itself, in a checkout and a wheel.
PREFIX_MAP_FILE = _PACKAGE / "core" / "prefixes.json"
#: medkg's curated lay synonyms of vocabulary terms (``medkg lookup``); part of the package too.
LAY_SYNONYMS_FILE = _PACKAGE / "lookup" / "lay-synonyms.tsv"
#: The relation cues of ``medkg extract``: relation, reading, pattern (a data file, not code).
RELATION_CUES_FILE = _PACKAGE / "extract" / "relation-cues.tsv"

SEED_SOURCE_ID = "does-herpes-cause-lower-back-pain"
SEED_ANNOTATION = ANNOTATIONS_DIR / f"{SEED_SOURCE_ID}.yaml"
#: What ``medkg build`` and ``medkg groundings`` read when given no files: the seed and the example
#: corpus written for medkg beside it (data/annotations/), so that sources can be compared.
EXAMPLE_CORPUS = ANNOTATIONS_DIR

DEFAULT_OUT_DIR = Path("out")
