"""Serialise a store to Turtle, TriG and JSON-LD, byte-identical for the same content.

Blank nodes are labelled by W3C RDF Dataset Canonicalization (RDFC-1.0) and quads are sorted before
they are written, so the same graph always gives the same bytes, whatever its blank-node labels. A file is
written atomically (a temporary file in the same folder, then a rename), and the three output files are
replaced as a set: all new, or all as they were (see :func:`write_files`).

>>> from graph_builder.kg.build import build_example
>>> to_turtle(build_example()) == to_turtle(build_example())
True
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph_builder.core import namespaces as ns
from graph_builder.core.errors import MedkgError
from graph_builder.kg.views import exported_quads

OUTPUT_FILES = ("medkg.ttl", "medkg.trig", "medkg.jsonld")


def _key(term: Any) -> tuple[int, str]:
    # Sort IRIs, then blank nodes, then literals; within each by the term's N-Triples form.
    kind = 0 if isinstance(term, ox.NamedNode) else 1 if isinstance(term, ox.BlankNode) else 2
    return (kind, str(term))


def canonical_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads with their blank nodes relabelled by W3C RDF Dataset Canonicalization (RDFC-1.0).

    Labels (``c14n0``, ``c14n1``, ...) depend only on the shape of the dataset, never on the labels or
    the order the quads came in, so isomorphic datasets give the same quads; distinct blank nodes stay
    distinct even where their content is equal. A label can change when any quad touching blank nodes
    is added, so labels are for byte-identical files, not for diffs.

    RDFC-1.0's worst case is exponential in the number of blank nodes that nothing tells apart, and
    pyoxigraph (0.5) sets no bound on that work: no limit on recursion or permutations, no timeout.
    Our blank nodes are the ontology's OWL lists, unions and restrictions: in the seed graph 20 of 47
    share their first-degree hash (eight identical ``owl:unionOf`` lists, for one) and are told apart
    by the IRI they hang under in the n-degree step, which takes milliseconds. Interchangeable blank
    nodes are another matter: blank nodes all linked to each other take 0.2 s for 7, 2.8 s for 8 and
    34 s for 9 (pyoxigraph 0.5.13), so an ontology that added such a shape would stall the build here.

    >>> ex = ox.NamedNode("http://example.org/p")
    >>> a, b = ox.BlankNode(), ox.BlankNode()
    >>> sorted(str(q.subject) for q in canonical_quads([ox.Quad(a, ex, b), ox.Quad(b, ex, ox.Literal("x"))]))
    ['_:c14n0', '_:c14n1']
    """
    # Quads without a blank node take no part in RDFC-1.0 and come out as they went in; only the few
    # with one cross into a Dataset, which makes this faster than canonicalizing the whole store.
    ground: list[ox.Quad] = []
    blank = ox.Dataset()
    for q in quads:
        if (
            isinstance(q.subject, ox.BlankNode)
            or isinstance(q.object, ox.BlankNode | ox.Triple)
            or isinstance(q.graph_name, ox.BlankNode)
        ):
            blank.add(q)
        else:
            ground.append(q)
    blank.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return ground + list(blank)


def sorted_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """Every triple of every graph (of a store, or any quads) once, in a stable order.

    The graphs are merged before blank nodes are labelled, so the labels are the RDFC-1.0 ones of the
    merged graph that a Turtle file holds (graph names take part in a dataset's labels).
    """
    merged = (ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in canonical_quads(merged)}
    return sorted(triples, key=lambda t: (_key(t.subject), _key(t.predicate), _key(t.object)))


def sorted_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Every quad (of a store, or any quads), grouped by graph, in a stable order."""
    return sorted(
        canonical_quads(quads),
        key=lambda q: (str(q.graph_name), _key(q.subject), _key(q.predicate), _key(q.object)),
    )


def _serialize(items: Iterable[ox.Triple] | Iterable[ox.Quad], fmt: ox.RdfFormat) -> bytes:
    data = ox.serialize(items, format=fmt, prefixes=None if fmt == ox.RdfFormat.JSON_LD else ns.PREFIXES)
    assert data is not None  # no output file given, so the bytes are returned
    return data


def to_turtle(quads: Iterable[ox.Quad]) -> bytes:
    """All graphs (of a store, or any quads) merged into one Turtle document."""
    return _serialize(sorted_triples(quads), ox.RdfFormat.TURTLE)


def to_trig(quads: Iterable[ox.Quad]) -> bytes:
    """All named graphs (of a store, or any quads) as TriG."""
    return _serialize(sorted_quads(quads), ox.RdfFormat.TRIG)


def to_nquads(quads: Iterable[ox.Quad]) -> bytes:
    """All named graphs (of a store, or any quads) as N-Quads, one quad a line."""
    return _serialize(sorted_quads(quads), ox.RdfFormat.N_QUADS)


def _canonical(value: Any) -> Any:
    """Sort JSON-LD arrays of nodes and values so the document does not depend on store order."""
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_canonical(v) for v in value]
        # Nodes by their @id first (a graph object's serialisation starts with its @graph).
        return sorted(
            items,
            key=lambda v: (
                str(v.get("@id", "")) if isinstance(v, dict) else "",
                json.dumps(v, sort_keys=True, ensure_ascii=False),
            ),
        )
    return value


def to_jsonld(quads: Iterable[ox.Quad]) -> bytes:
    """All named graphs (of a store, or any quads) as expanded JSON-LD: one object per graph, each
    with its ``@graph``."""
    raw = _serialize(sorted_quads(quads), ox.RdfFormat.JSON_LD)
    doc = _canonical(json.loads(raw))
    return (json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def render_outputs(store: ox.Store) -> dict[str, bytes]:
    """The bytes of every output file, keyed by file name: the store's quads and its derived views
    (Web Annotation selectors, the Biolink reading: :mod:`graph_builder.kg.views`)."""
    # Reading the store is most of the cost of canonicalizing it, so it is read once; the renderers'
    # own canonicalization of quads that are canonical already changes nothing and costs little.
    quads = canonical_quads(exported_quads(store))
    renderers = (to_turtle, to_trig, to_jsonld)
    return {name: render(quads) for name, render in zip(OUTPUT_FILES, renderers, strict=True)}


class WriteError(MedkgError, OSError):
    """An output could not be written. ``filename`` is the file or folder the user named, never a
    temporary; ``errno`` and ``strerror`` are the operating system's (ENOSPC, EROFS, EACCES, ...)."""


def _write_error(err: OSError, path: Path) -> WriteError:
    code = err.errno if err.errno is not None else errno.EIO
    return WriteError(code, err.strerror or str(err), str(path))


def _check_folder(folder: Path) -> None:
    """Make the folder (and its parents); a file in its place is ENOTDIR, named, not a bare EEXIST."""
    for place in (folder, *folder.parents):
        if place.exists() and not place.is_dir():
            raise WriteError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(place))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _write_error(err, folder) from err


def _write_synced(fd: int, data: bytes) -> None:
    """Write data to a new file's descriptor and fsync it: on return the bytes are on disk (a full disk
    can show only at fsync), and the descriptor is closed."""
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        os.fchmod(fh.fileno(), 0o644)
        fh.flush()
        os.fsync(fh.fileno())


def _sync_folder(folder: Path) -> None:
    """fsync a folder, so that renames in it survive a crash (not every file system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to path through a temporary file and a rename: readers never see half a file.

    Any failure leaves the old file (if any) and no temporary, and raises :class:`WriteError` naming
    ``path``.
    """
    _check_folder(path.parent)
    if path.is_dir():
        raise WriteError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        _write_synced(fd, data)
        os.replace(tmp, path)
    except BaseException as failure:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(failure, OSError):
            raise _write_error(failure, path) from failure
        raise


def _back_up(target: Path, backup: Path) -> Path | None:
    """Keep the current target as backup and return it (``None`` if there is no target yet).

    A hard link leaves the target in place; where the file system has none (FAT, some network file
    systems), the target is moved aside instead, and is missing until the new file is renamed in.
    """
    try:
        os.link(target, backup)
        return backup
    except FileNotFoundError:
        return None
    except OSError:
        pass  # no hard links on this file system
    try:
        os.replace(target, backup)
    except FileNotFoundError:
        return None
    return backup


def write_files(out_dir: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Replace several files in out_dir as a set: afterwards all are new, or all are as they were.

    How: (1) every file is written into a staging folder inside ``out_dir`` (the same file system as the
    targets, even when ``out_dir`` is a mount point) and fsynced; a full disk, a quota or a read-only
    folder fails here, before any target is touched. (2) Each existing target is hard-linked into the
    staging folder as a backup (a link takes no data blocks), then the new file is renamed over it, so a
    target is never missing (see :func:`_back_up` for file systems without hard links). (3) If a rename fails, the targets already replaced are renamed back from
    their backups. (4) The folder is fsynced and the staging folder removed, on success and on failure.
    Other files in ``out_dir`` (a page, notebooks) are never touched.

    Renames are atomic one by one, not together: a reader between two of them, or a power cut between
    them, can see new and old files side by side. A run killed before step (4) can leave a
    ``.medkg-write-*`` folder behind, which is safe to delete.

    Raises :class:`WriteError` naming the file that failed (or ``out_dir`` if the staging folder could
    not be made).
    """
    _check_folder(out_dir)
    targets = [out_dir / name for name in files]
    for target in targets:
        if target.is_dir():
            raise WriteError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
    try:
        staging = Path(tempfile.mkdtemp(prefix=".medkg-write-", suffix=".tmp", dir=out_dir))
    except OSError as err:
        raise _write_error(err, out_dir) from err
    replaced: list[tuple[Path, Path | None]] = []  # (target, its backup or None if it was new)
    current = out_dir
    try:
        for target, data in zip(targets, files.values(), strict=True):
            current = target
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
            _write_synced(os.open(staging / target.name, flags, 0o644), data)
        for target in targets:
            current = target
            # Recorded before the rename, so that a failed rename is undone like the others.
            replaced.append((target, _back_up(target, staging / f"{target.name}.old")))
            os.replace(staging / target.name, target)
    except BaseException as failure:
        for target, kept in reversed(replaced):
            # Put back what was there; a target that did not exist before goes away again.
            try:
                if kept is None:
                    target.unlink(missing_ok=True)
                else:
                    os.replace(kept, target)
            except OSError:  # pragma: no cover - a second failure while undoing the first
                pass
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(failure, OSError):
            raise _write_error(failure, current) from failure
        raise
    _sync_folder(out_dir)
    shutil.rmtree(staging, ignore_errors=True)
    return targets


def write_tree(folder: Path, files: Mapping[str, bytes], *, replaces: Callable[[Path], bool]) -> list[Path]:
    """Write a folder of files (names may hold ``/``) as a whole: afterwards it holds exactly ``files``,
    or is as it was.

    The files go into a staging folder beside ``folder`` and are fsynced; then an existing ``folder``
    is renamed aside, the staging folder renamed into its place, and the old one removed. An existing
    ``folder`` is replaced only if it is empty or ``replaces(folder)`` says it is an earlier tree of the
    same kind: anything else raises :class:`WriteError` (EEXIST), so nobody's other files are deleted.
    """
    folder = Path(os.path.abspath(folder))
    if folder.exists() and not (folder.is_dir() and (not any(folder.iterdir()) or replaces(folder))):
        raise WriteError(errno.EEXIST, "exists and is not an earlier output of this command; give a new or empty folder",
                         str(folder))  # fmt: skip
    _check_folder(folder.parent)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    except OSError as err:
        raise _write_error(err, folder.parent) from err
    aside = staging.with_name(staging.name + ".old")
    current = staging
    try:
        for name, data in sorted(files.items()):
            current = folder.joinpath(*name.split("/"))  # an error names the file asked for, not the staging
            staged = staging.joinpath(*name.split("/"))
            staged.parent.mkdir(parents=True, exist_ok=True)
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
            _write_synced(os.open(staged, flags, 0o644), data)
        os.chmod(staging, 0o755)  # mkdtemp's folder is private; a web server must read the tree
        current = folder
        if folder.exists():
            os.replace(folder, aside)
        try:
            os.replace(staging, folder)
        except BaseException:
            if aside.exists():
                os.replace(aside, folder)
            raise
    except BaseException as failure:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(failure, OSError):
            raise _write_error(failure, current) from failure
        raise
    _sync_folder(folder.parent)
    shutil.rmtree(aside, ignore_errors=True)
    return [folder.joinpath(*name.split("/")) for name in sorted(files)]


def write_outputs(store: ox.Store, out_dir: Path) -> list[Path]:
    """Write medkg.ttl, medkg.trig and medkg.jsonld into out_dir."""
    return write_files(out_dir, render_outputs(store))
