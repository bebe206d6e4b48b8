"""A corpus in a persistent on-disk Oxigraph store: build it, add or replace a source, remove one.

The shared graph is a pure function of the set of sources (docs/data-model.md), so replacing or
removing a source recomputes only the shared facts of the entities and propositions it touched, and
``add`` then ``remove`` of a source leaves the store as it was.

>>> import tempfile
>>> from graph_builder.ingest.annotations import load_annotation
>>> from graph_builder.core.paths import SEED_ANNOTATION
>>> store = new_store(None)
>>> add_annotations(store, [load_annotation(SEED_ANNOTATION)]).added
['does-herpes-cause-lower-back-pain']
>>> remove_source(store, "does-herpes-cause-lower-back-pain").removed
'does-herpes-cause-lower-back-pain'
"""

from __future__ import annotations

import io
import itertools
import multiprocessing
import os
import shutil
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph_builder.core import namespaces as ns
from graph_builder.core.errors import MedkgError
from graph_builder.core.model import Annotation
from graph_builder.core.vocabulary import Vocabulary, load_ontology, load_vocabulary
from graph_builder.ingest.annotations import AnnotationError, Problem, read_annotation
from graph_builder.ingest.checks import CrossFileChecks, FileSummary, read_summary, summarise
from graph_builder.kg.rdf import (
    DESCRIBES,
    ENTITY_DESCRIPTION,
    SHARED,
    TERM_FIELDS,
    describe_entity,
    describe_proposition,
    describe_term,
    iter_quads,
)

_N = ox.NamedNode


class StoreError(MedkgError, ValueError):
    """A store folder that cannot be used: locked, not an Oxigraph store, or not a medkg corpus."""


@dataclass
class AddReport:
    """What ``add_annotations`` did."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    quads: int = 0


@dataclass(frozen=True)
class RemoveReport:
    """What ``remove_source`` did."""

    removed: str
    entities_recomputed: int
    propositions_dropped: int


def new_store(path: Path | None) -> ox.Store:
    """An empty store with the ontology loaded: in memory, or on disk at ``path``."""
    store = ox.Store() if path is None else ox.Store(str(path))
    load_ontology(store)
    return store


def _is_store(path: Path) -> bool:
    """A folder holding an Oxigraph (RocksDB) store: what ``medkg build --store`` makes."""
    return (path / "CURRENT").is_file()


def open_store(path: Path, *, read_only: bool = False) -> ox.Store:
    """Open an existing on-disk store made by ``medkg build --store``."""
    if not _is_store(path):
        raise StoreError(
            f"{path}: expected an Oxigraph store folder made by 'medkg build --store'; found no store there"
        )
    try:
        return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except OSError as err:
        raise StoreError(f"{path}: cannot open the store: {err}") from None
    except RuntimeError as err:  # RocksDB's "Corruption: ..." (a damaged file, or another program's folder)
        raise StoreError(f"{path}: the store is corrupt or not a medkg store: {err}") from None


def source_ids(store: ox.Store) -> list[str]:
    """The ids of the sources in the store, sorted."""
    prefix = ns.SOURCE_GRAPH
    return sorted(
        g.value[len(prefix) :]
        for g in store.named_graphs()
        if isinstance(g, ox.NamedNode) and g.value.startswith(prefix)
    )


def _select(store: ox.Store, sparql: str, **bind: ox.NamedNode) -> list[ox.QuerySolution]:
    result = store.query(
        ns.sparql_prefixes() + sparql,
        use_default_graph_as_union=True,
        substitutions={ox.Variable(k): v for k, v in bind.items()},
    )
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def _problems_with_store(
    store: ox.Store, summaries: Sequence[FileSummary | None], vocab: Vocabulary
) -> list[Problem]:
    """The cross-file problems of new files, among themselves and with the sources they do not replace."""
    checks = CrossFileChecks()
    replaced = {s.source_id for s in summaries if s is not None}
    entities = {e[0] for s in summaries if s is not None for e in s.entities}
    slugs = {t.iri: t.slug for t in vocab.entity_types.values()}
    for ident in sorted(entities):
        rows = _select(
            store,
            """SELECT ?entity ?g ?label ?type WHERE {
                 GRAPH ?g { ?record medkg:describes ?entity ; rdfs:label ?label ; medkg:entityType ?type . }
               } ORDER BY ?g""",
            entity=_N(ns.entity_iri(ident)),
        )
        for row in rows:
            source = str(row["g"].value).removeprefix(ns.SOURCE_GRAPH)
            if source not in replaced:  # the sources agree with each other: the first one will do
                cls = str(row["type"].value)
                checks.know_entity(
                    ident, str(row["label"].value), slugs.get(cls, cls), f"source {source} in the store"
                )
                break
    return [p for s in summaries if s is not None for p in checks.check(s)]


def _touched(
    store: ox.Store, graph: ox.NamedNode
) -> tuple[set[ox.NamedNode], set[ox.NamedNode], set[ox.NamedNode]]:
    """Entities, grounding terms and propositions a source graph refers to."""
    entities: set[ox.NamedNode] = set()
    terms: set[ox.NamedNode] = set()
    for q in store.quads_for_pattern(None, DESCRIBES, None, graph):
        target = q.object
        if isinstance(target, ox.NamedNode):
            (entities if target.value.startswith(ns.ENTITY) else terms).add(target)
    propositions = {
        q.object
        for q in store.quads_for_pattern(None, _N(ns.MEDKG_VOCAB + "proposition"), None, graph)
        if isinstance(q.object, ox.NamedNode)
    }
    for p in list(propositions):
        for pred in ("subject", "object"):
            for q in store.quads_for_pattern(p, _N(ns.MEDKG_VOCAB + pred), None, SHARED):
                if isinstance(q.object, ox.NamedNode):
                    entities.add(q.object)
    return entities, terms, propositions


def _object(store: ox.Store, subject: ox.NamedNode, predicate: ox.NamedNode, graph: ox.NamedNode) -> Any:
    """The object of the first matching quad, or None."""
    quad = next(store.quads_for_pattern(subject, predicate, None, graph), None)
    return None if quad is None else quad.object


def _recompute_shared(
    store: ox.Store,
    entities: Iterable[ox.NamedNode],
    terms: Iterable[ox.NamedNode],
    propositions: Iterable[ox.NamedNode],
) -> int:
    """Make these nodes' shared facts what the sources now in the store say; return propositions dropped.

    Each node's shared facts are removed and made again by ``rdf``'s ``describe_*`` from the records
    and assertions of the sources left: the rule a fresh build follows.
    """
    dropped = 0
    for prop in propositions:
        s, r, o = (
            _object(store, prop, _N(ns.MEDKG_VOCAB + part), SHARED)
            for part in ("subject", "relation", "object")
        )
        assertions = list(store.quads_for_pattern(None, _N(ns.MEDKG_VOCAB + "proposition"), prop, None))
        stated = any(
            q.object.value == "false"  # type: ignore[union-attr]
            for a in assertions
            for q in store.quads_for_pattern(a.subject, _N(ns.MEDKG_VOCAB + "negated"), None, None)
        )
        for q in list(store.quads_for_pattern(prop, None, None, SHARED)):
            store.remove(q)
        if isinstance(s, ox.NamedNode) and isinstance(r, ox.NamedNode) and isinstance(o, ox.NamedNode):
            store.remove(ox.Quad(s, r, o, SHARED))
            if assertions:
                store.extend(describe_proposition(prop, s, r, o, stated=stated))
        if not assertions:
            dropped += 1
    for nodes, fields, describe in (
        (entities, ENTITY_DESCRIPTION, describe_entity),
        (terms, TERM_FIELDS, describe_term),
    ):
        for node in nodes:
            for pred in fields:
                for q in list(store.quads_for_pattern(node, pred, None, SHARED)):
                    store.remove(q)
            for record in list(store.quads_for_pattern(None, DESCRIBES, node, None)):
                pairs = store.quads_for_pattern(record.subject, None, None, record.graph_name)
                store.extend(describe(node, [(q.predicate, q.object) for q in pairs]))
    return dropped


def remove_source(store: ox.Store, source_id: str) -> RemoveReport:
    """Remove a source's named graph and whatever of the shared graph only it supported."""
    graph = _N(ns.source_graph_iri(source_id))
    if not store.contains_named_graph(graph):
        known = ", ".join(source_ids(store)) or "none"
        raise StoreError(f"no source {source_id!r} in the store; sources: {known}")
    entities, terms, propositions = _touched(store, graph)
    store.remove_graph(graph)
    dropped = _recompute_shared(store, entities, terms, propositions)
    return RemoveReport(source_id, len(entities), dropped)


def add_annotations(
    store: ox.Store, annotations: Sequence[Annotation], vocab: Vocabulary | None = None
) -> AddReport:
    """Add sources to the store, replacing any source with the same id.

    The cross-file checks run first, over the new files and the sources they do not replace.
    """
    vocab = vocab or load_vocabulary()
    problems = _problems_with_store(store, [summarise(ann) for ann in annotations], vocab)
    if problems:
        raise AnnotationError(problems)
    return _add(store, annotations, vocab)


def add_annotation_files(
    store: ox.Store, paths: Sequence[Path], vocab: Vocabulary | None = None
) -> AddReport:
    """Read annotation files (or folders of them) and add them to the store, as ``medkg add`` does.

    Each file's own problems and the cross-file ones (among the files, and with the store) are
    reported together, and nothing is added unless there are none.
    """
    vocab = vocab or load_vocabulary()
    annotations, problems, summaries = [], [], []
    for path in annotation_files(paths):
        ann, found = read_annotation(path, vocab)
        problems += found
        summaries.append(summarise(ann) if ann is not None else read_summary(path))
        if ann is not None:
            annotations.append(ann)
    problems += _problems_with_store(store, summaries, vocab)
    if problems:
        raise AnnotationError(problems)
    return _add(store, annotations, vocab)


def _add(store: ox.Store, annotations: Sequence[Annotation], vocab: Vocabulary) -> AddReport:
    report = AddReport()
    existing = set(source_ids(store))
    for ann in annotations:
        if ann.source.id in existing:
            remove_source(store, ann.source.id)
            report.replaced.append(ann.source.id)
        else:
            report.added.append(ann.source.id)
        quads = list(iter_quads(ann, vocab))
        store.extend(quads)
        report.quads += len(quads)
    return report


#: The suffixes of annotation files in a folder, in any case (``seed.YAML`` too).
ANNOTATION_SUFFIXES = (".yaml", ".yml")


class NoAnnotationFiles(MedkgError, ValueError):
    """Folders with no annotation file in them, where a build would make an empty graph."""


def iter_annotation_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Expand folders into the ``*.yaml``/``*.yml`` files under them, sorted; files pass through."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.suffix.lower() in ANNOTATION_SUFFIXES and p.is_file()
            )
        else:
            yield path


def annotation_files(paths: Sequence[Path], *, allow_empty: bool = False) -> list[Path]:
    """The files ``iter_annotation_files`` finds; none is an error unless ``allow_empty``.

    An empty folder (or one of ``.txt`` files) given by mistake would otherwise build an empty graph in
    place of the old one and report success.
    """
    files = list(iter_annotation_files(paths))
    if not files and not allow_empty:
        where = ", ".join(str(p) for p in paths) or "no paths given"
        raise NoAnnotationFiles(f"{where}: found no annotation files (*.yaml or *.yml, in any case)")
    return files


def _progress(total: int, label: str) -> Any:
    """A tqdm bar on a terminal, and nothing when output is piped or logged."""
    from tqdm import tqdm

    return tqdm(total=total, desc=label, unit="file", disable=not sys.stderr.isatty(), leave=False)


@dataclass(frozen=True)
class _FileResult:
    """One annotation file read, checked and turned into N-Quads (by a worker process or in-process)."""

    path: str
    problems: list[Problem]
    summary: FileSummary | None = None  # for the cross-file checks, also of a file with problems
    nquads: bytes = b""  # empty when the file has problems
    quads: int = 0


#: The vocabulary of the worker processes, set before they are forked (they inherit it).
_WORKER_VOCAB: Vocabulary | None = None


def _read_file(path: Path, vocab: Vocabulary | None = None) -> _FileResult:
    """Read one file into its N-Quads; what ``build_corpus_store`` runs in its worker processes."""
    vocab = vocab or _WORKER_VOCAB or load_vocabulary()
    ann, problems = read_annotation(path, vocab)
    if ann is None:
        return _FileResult(str(path), problems, read_summary(path))
    quads = list(iter_quads(ann, vocab))
    nquads = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    assert nquads is not None  # serialize returns the bytes when given no output
    return _FileResult(str(path), problems, summarise(ann), nquads, len(quads))


def _start_worker(parent: int) -> None:
    """Set up a reading worker: at lower priority, and gone when the build that started it is.

    The bulk loader is the slow side of a build; workers, ahead anyway, take only the CPU it leaves
    (a 100k-claim build on 2 cores: 66 s -> 60 s). A build killed outright cannot stop its pool, and
    forked workers would wait for work forever: each watches for its parent to change.
    """
    os.nice(10)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _read_files(files: Sequence[Path], vocab: Vocabulary, workers: int) -> Generator[_FileResult, None, None]:
    """Results of ``_read_file`` in file order, from ``workers`` processes (in-process when 1).

    At most 32 files per worker are in flight (each a few hundred KiB of N-Quads): enough for the
    workers to keep reading while the store loads a batch, and memory stays bounded when the store is
    the slow side. The pool is forked before the caller opens a store: no store threads are copied.
    """
    if workers <= 1 or len(files) < 2 * workers:
        yield from (_read_file(path, vocab) for path in files)
        return
    global _WORKER_VOCAB
    _WORKER_VOCAB = vocab
    pending: deque[Future[_FileResult]] = deque()
    try:
        with ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_start_worker,
            initargs=(os.getpid(),),
        ) as pool:
            todo = iter(files)
            try:
                for path in itertools.islice(todo, 32 * workers):
                    pending.append(pool.submit(_read_file, path))
                while pending:
                    result = pending.popleft().result()
                    for path in itertools.islice(todo, 1):
                        pending.append(pool.submit(_read_file, path))
                    yield result
            finally:  # a build that stops early does not wait for the files in flight
                for future in pending:
                    future.cancel()
    finally:
        _WORKER_VOCAB = None


def build_corpus_store(
    paths: Sequence[Path],
    target: Path,
    *,
    vocab: Vocabulary | None = None,
    workers: int | None = None,
    allow_empty: bool = False,
) -> tuple[int, int]:
    """Build an on-disk store at ``target`` from annotation files, streaming them into one bulk load.

    Files are read, checked and turned into N-Quads by ``workers`` processes (default: one per CPU)
    while Oxigraph's bulk loader in this process pulls their text as one stream: it parses the next
    batch while its loader thread writes the last one. The store is built in a sibling folder and
    swapped in by rename only when every file passed its checks (problems of all files are reported
    together), so a failed or interrupted build leaves the previous store as it was and removes its
    half-built folder (a build killed outright leaves it, and the next build removes it first). Returns
    (files, quads). The store's content does not depend on ``workers``.

    Raises NoAnnotationFiles when the paths hold no annotation file (unless ``allow_empty``), and
    StoreError when ``target`` is a file, or a folder that is neither empty nor a store: what is there
    would be replaced.
    """
    vocab = vocab or load_vocabulary()
    files = annotation_files(paths, allow_empty=allow_empty)
    workers = (os.cpu_count() or 1) if workers is None else workers
    target = target.resolve()
    _check_target(target)
    building = target.with_name(f".{target.name}.building")
    if building.exists():
        shutil.rmtree(building)  # the leftovers of a killed build
    target.parent.mkdir(parents=True, exist_ok=True)
    results = _read_files(files, vocab, workers)
    store: ox.Store | None = None
    try:
        first = next(results, None)  # forks the workers before the store starts its threads
        store = new_store(building)
        with _progress(len(files), "building") as bar:
            feed = _Feed(itertools.chain([first] if first else [], results), on_file=bar.update)
            # lenient: the text is Oxigraph's own serialisation of checked terms; not re-validating IRIs
            # and literals makes loading a tenth faster.
            store.bulk_load(io.BufferedReader(feed, 2**20), format=ox.RdfFormat.N_QUADS, lenient=True)
        if feed.failure is not None:
            raise feed.failure
        if feed.problems:
            raise AnnotationError(feed.problems)
        # The loader writes each batch of a million quads as files overlapping the others; compacting
        # them here (8 s at 100k claims) keeps that work out of the first queries on the new store.
        store.optimize()
        store.flush()
        store = None  # closed: its folder can move
        _swap_in(building, target)
    finally:
        # Whatever stopped the build (a bad file, a full disk, Ctrl-C), the store is closed, the
        # workers stopped, and the half-built folder removed; the previous store was never touched.
        store = None
        results.close()
        shutil.rmtree(building, ignore_errors=True)
    return len(files), feed.quads


def _check_target(target: Path) -> None:
    """Refuse to build over anything but nothing, an empty folder, or a store: it would be deleted."""
    if target.is_dir():
        if _is_store(target) or next(target.iterdir(), None) is None:
            return
        raise StoreError(
            f"{target}: expected a new or empty folder, or a store made by 'medkg build --store'; "
            "found a folder of other files (left as it was)"
        )
    if target.exists() or target.is_symlink():
        raise StoreError(f"{target}: expected a folder for the store; found a file (left as it was)")


class _Feed(io.RawIOBase):
    """The N-Quads of checked files as one readable stream, for ``Store.bulk_load``.

    Every file is checked against the ones before it (``CrossFileChecks``); after the first problem
    the remaining files are still read, for their problems, but no more text is fed. An exception
    while reading (a worker that died) ends the stream and is kept in ``failure``, for the caller to
    raise once the loader has returned.
    """

    def __init__(self, results: Iterator[_FileResult], on_file: Callable[[int], Any]) -> None:
        super().__init__()
        self._results = results
        self._on_file = on_file  # called with 1 as each file is taken: a progress bar's update
        self._chunk = memoryview(b"")
        self.problems: list[Problem] = []
        self.failure: BaseException | None = None
        self.quads = 0
        self._checks = CrossFileChecks()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._chunk:
            text = self._next_text()
            if text is None:
                return 0
            self._chunk = memoryview(text)
        n = min(len(buffer), len(self._chunk))
        buffer[:n] = self._chunk[:n]
        self._chunk = self._chunk[n:]
        return n

    def _next_text(self) -> bytes | None:
        """The N-Quads of the next file that passed, or None at the end (or after a failure)."""
        if self.failure is not None:
            return None
        try:
            for result in self._results:
                self._on_file(1)
                self.problems += result.problems
                if result.summary is not None:
                    self.problems += self._checks.check(result.summary)
                if not self.problems:
                    self.quads += result.quads
                    return result.nquads
        except BaseException as err:  # re-raised by build_corpus_store once the loader returns
            self.failure = err
        return None


def _swap_in(building: Path, target: Path) -> None:
    """Replace target with the freshly built folder; at every moment one complete store exists."""
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(building, target)
    if old.exists():
        shutil.rmtree(old)
