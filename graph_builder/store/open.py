"""Open a built graph for querying: a graph file, or the seed example when none is given.

>>> store = open_graph(None)  # no out/medkg.trig here: the seed example, built in memory
>>> len(store) > 0
True
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pyoxigraph as ox

from graph_builder.core.errors import MedkgError
from graph_builder.core.paths import DEFAULT_OUT_DIR

FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}

DEFAULT_GRAPH_FILE = DEFAULT_OUT_DIR / "medkg.trig"


class GraphFileError(MedkgError, ValueError):
    """A graph file that cannot be read: missing, of an unknown kind, or not valid RDF."""


def format_for(path: Path) -> ox.RdfFormat:
    """The RDF format of a file, from its extension."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise GraphFileError(
            f"{path}: expected a graph file ending in one of {known}; found {path.suffix or 'no extension'!r}"
        ) from None


def load_graph(path: Path) -> ox.Store:
    """Read a graph file (Turtle, TriG, N-Quads, N-Triples, JSON-LD, RDF/XML) into a new store.

    A folder is taken as an on-disk store made by ``medkg build --store`` and opened read-only.
    """
    if path.is_dir():
        from graph_builder.store.corpus import open_store

        return open_store(path, read_only=True)
    fmt = format_for(path)
    if not path.is_file():
        raise GraphFileError(f"{path}: expected a graph file; found no such file")
    store = ox.Store()
    try:
        store.bulk_load(path=str(path), format=fmt)
    except SyntaxError as err:
        raise GraphFileError(f"{path}: expected valid {fmt.name}; found a syntax error: {err}") from None
    except OSError as err:  # pyoxigraph's I/O errors name no file: "Permission denied (os error 13)"
        raise GraphFileError(f"{path}: cannot read the graph file: {err}") from None
    return store


def open_graph(path: Path | None) -> ox.Store:
    """Open the graph to work on.

    In order: ``path`` if given (a file or an on-disk store folder), ``$MEDKG_STORE`` or
    ``$MEDKG_GRAPH``, ``out/medkg.trig`` if it exists, and else the seed
    example built in memory (say so on stderr, so nobody mistakes it for their own corpus).
    """
    if path is not None:
        return load_graph(path)
    env = os.environ.get("MEDKG_STORE") or os.environ.get("MEDKG_GRAPH")
    if env:
        return load_graph(Path(env))
    if DEFAULT_GRAPH_FILE.is_file():
        return load_graph(DEFAULT_GRAPH_FILE)
    from graph_builder.kg.build import build_example

    print(
        "medkg: no graph given and no out/medkg.trig; using the seed example built in memory", file=sys.stderr
    )
    return build_example()
