"""Build the knowledge graph: annotations and ontology into one pyoxigraph store.

>>> store = build_example()
>>> len(store) > 500
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

from graph_builder.core.model import Annotation
from graph_builder.core.paths import SEED_ANNOTATION
from graph_builder.core.vocabulary import Vocabulary, load_ontology, load_vocabulary
from graph_builder.ingest.annotations import load_annotations
from graph_builder.kg.rdf import iter_corpus_quads


def build_store(
    annotations: Iterable[Annotation], vocab: Vocabulary | None = None, store: ox.Store | None = None
) -> ox.Store:
    """Return a store holding the ontology and the graph of these annotations.

    Each source gets its own named graph; entities and propositions sit in the shared graph.
    """
    store = ox.Store() if store is None else store
    load_ontology(store)
    store.extend(iter_corpus_quads(annotations, vocab or load_vocabulary()))
    return store


def build_from_files(paths: Sequence[Path], vocab: Vocabulary | None = None) -> ox.Store:
    """Read, check and build annotation files; raises AnnotationError listing every problem."""
    vocab = vocab or load_vocabulary()
    return build_store(load_annotations(paths, vocab), vocab)


def build_example() -> ox.Store:
    """Build the seed article's graph (the example shared by tests, notebooks and the demo)."""
    return build_from_files([SEED_ANNOTATION])
