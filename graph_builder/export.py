"""Serialise a store to Turtle, TriG and JSON-LD, byte-identical for the same content.

Quads are sorted before they are written, so the same graph always gives the same bytes, and files are
written atomically (a temporary file in the same folder, then a rename).

>>> from graph_builder.build import build_example
>>> to_turtle(build_example()) == to_turtle(build_example())
True
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph_builder import namespaces as ns

OUTPUT_FILES = ("medkg.ttl", "medkg.trig", "medkg.jsonld")


def _key(term: Any) -> tuple[int, str]:
    # Sort IRIs, then blank nodes, then literals; within each by the term's N-Triples form.
    kind = 0 if isinstance(term, ox.NamedNode) else 1 if isinstance(term, ox.BlankNode) else 2
    return (kind, str(term))


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]


def canonical_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Relabel blank nodes by their content and where they hang, so labels do not depend on load order.

    The ontology's blank nodes (OWL lists and restrictions) form trees under IRIs; a blank node's label
    is a hash of its parent, the linking predicate and, recursively, its own outgoing triples.
    """
    quads = list(quads)
    out: dict[ox.BlankNode, list[tuple[str, Any]]] = defaultdict(list)
    parents: dict[ox.BlankNode, list[tuple[Any, str]]] = defaultdict(list)
    for q in quads:
        if isinstance(q.subject, ox.BlankNode):
            out[q.subject].append((str(q.predicate), q.object))
        if isinstance(q.object, ox.BlankNode):
            parents[q.object].append((q.subject, str(q.predicate)))
    if not out and not parents:
        return quads
    content: dict[ox.BlankNode, str] = {}

    def content_of(b: ox.BlankNode, seen: frozenset[ox.BlankNode] = frozenset()) -> str:
        if b in content:
            return content[b]
        if b in seen:
            return "cycle"
        parts = sorted(
            p + " " + (content_of(o, seen | {b}) if isinstance(o, ox.BlankNode) else str(o))
            for p, o in out[b]
        )
        content[b] = _digest(*parts)
        return content[b]

    labels: dict[ox.BlankNode, str] = {}

    def label_of(b: ox.BlankNode, seen: frozenset[ox.BlankNode] = frozenset()) -> str:
        if b in labels:
            return labels[b]
        anchors = sorted(
            (label_of(s, seen | {b}) if isinstance(s, ox.BlankNode) and s not in seen else str(s)) + " " + p
            for s, p in parents[b]
        )
        labels[b] = "c" + _digest(anchors[0] if anchors else "", content_of(b))
        return labels[b]

    def relabel(t: Any) -> Any:
        return ox.BlankNode(label_of(t)) if isinstance(t, ox.BlankNode) else t

    return [ox.Quad(relabel(q.subject), q.predicate, relabel(q.object), q.graph_name) for q in quads]


def sorted_triples(store: ox.Store) -> list[ox.Triple]:
    """Every triple of every graph once, in a stable order."""
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in canonical_quads(store)}
    return sorted(triples, key=lambda t: (_key(t.subject), _key(t.predicate), _key(t.object)))


def sorted_quads(store: ox.Store) -> list[ox.Quad]:
    """Every quad, grouped by graph, in a stable order."""
    return sorted(
        canonical_quads(store),
        key=lambda q: (str(q.graph_name), _key(q.subject), _key(q.predicate), _key(q.object)),
    )


def _serialize(items: Iterable[ox.Triple] | Iterable[ox.Quad], fmt: ox.RdfFormat) -> bytes:
    data = ox.serialize(items, format=fmt, prefixes=None if fmt == ox.RdfFormat.JSON_LD else ns.PREFIXES)
    assert data is not None  # no output file given, so the bytes are returned
    return data


def to_turtle(store: ox.Store) -> bytes:
    """All graphs merged into one Turtle document."""
    return _serialize(sorted_triples(store), ox.RdfFormat.TURTLE)


def to_trig(store: ox.Store) -> bytes:
    """All named graphs as TriG."""
    return _serialize(sorted_quads(store), ox.RdfFormat.TRIG)


def _canonical(value: Any) -> Any:
    """Sort JSON-LD arrays of nodes and values so the document does not depend on store order."""
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def to_jsonld(store: ox.Store) -> bytes:
    """All named graphs as expanded JSON-LD (one object per graph, each with its ``@graph``)."""
    raw = _serialize(sorted_quads(store), ox.RdfFormat.JSON_LD)
    doc = _canonical(json.loads(raw))
    return (json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def render_outputs(store: ox.Store) -> dict[str, bytes]:
    """The bytes of every output file, keyed by file name."""
    return {"medkg.ttl": to_turtle(store), "medkg.trig": to_trig(store), "medkg.jsonld": to_jsonld(store)}


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to path through a temporary file and a rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            os.fchmod(fh.fileno(), 0o644)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_files(out_dir: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write several files atomically; all are rendered before the first is replaced."""
    written = []
    for name, data in files.items():
        target = out_dir / name
        write_atomic(target, data)
        written.append(target)
    return written


def write_outputs(store: ox.Store, out_dir: Path) -> list[Path]:
    """Write medkg.ttl, medkg.trig and medkg.jsonld into out_dir."""
    return write_files(out_dir, render_outputs(store))


def iter_graph_names(store: ox.Store) -> Iterable[str]:
    return sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
