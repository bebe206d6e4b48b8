"""The streaming bulk build of an on-disk corpus store: annotation files read, checked and turned into
N-Quads by worker processes, fed as one stream to Oxigraph's bulk loader, and the new store swapped in
only when every file passed.

The worker processes are forked; what they run (``_read_file``, ``_start_worker``) is defined at
module level, so that a pool can find it by name.
"""

from __future__ import annotations

import gc
import hashlib
import io
import itertools
import multiprocessing
import os
import shutil
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph_builder.core.namespaces import STATISTICS_GRAPH as _STATISTICS
from graph_builder.core.namespaces import source_graph_iri
from graph_builder.core.vocabulary import Vocabulary, load_vocabulary
from graph_builder.ingest.annotations import AnnotationError, Problem, read_annotation
from graph_builder.ingest.checks import CrossFileChecks, FileSummary, read_summary, summarise
from graph_builder.kg.rdf import iter_quads
from graph_builder.kg.statistics import Tally, tally, total_statistics
from graph_builder.store.corpus import StoreError, annotation_files, is_store, new_store


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
    counts: Tally = field(default_factory=Counter)  # its statistics, for the store's totals


@dataclass
class _Sent:
    """What one reader has sent in this build: digests of shared lines, and keys of the entity and
    term descriptions it made (``iter_quads`` leaves those out when they come again)."""

    lines: set[bytes] = field(default_factory=set)
    made: set[Any] = field(default_factory=set)


#: The vocabulary of the worker processes, set before they are forked (they inherit it).
_WORKER_VOCAB: Vocabulary | None = None
#: What one worker process has already sent (fresh in each worker of each build).
_WORKER_SENT: _Sent | None = None
#: Files this worker process has read (``_read_in_worker``), and how often it freezes what it keeps.
_WORKER_FILES = 0
_FREEZE_EVERY = 16
_OWN_GRAPHS = frozenset({ox.NamedNode(_STATISTICS)})


def _read_file(path: Path, vocab: Vocabulary | None = None, sent: _Sent | None = None) -> _FileResult:
    """Read one file into its N-Quads; what ``build_corpus_store`` runs in its worker processes.

    Quads outside the source's own graph and statistics (its entities' records, its propositions:
    the shared graphs) repeat from file to file, a quarter of all quads at 10k claims. A line in
    ``sent`` (digests of the lines this reader sent before, in this build) is left out: the store keeps
    each quad once, so its content is the same, and the loader parses a quarter less. The descriptions
    of entities and terms this reader made before are not even made (at 10k claims, one reader: 27% of
    the quads ``iter_quads`` would make).
    """
    vocab = vocab or _WORKER_VOCAB or load_vocabulary()
    sent = _WORKER_SENT if sent is None else sent
    ann, problems = read_annotation(path, vocab)
    if ann is None:
        return _FileResult(str(path), problems, read_summary(path))
    quads = list(iter_quads(ann, vocab, made=None if sent is None else sent.made))
    own_graphs = _OWN_GRAPHS | {ox.NamedNode(source_graph_iri(ann.source.id))}
    own: list[ox.Quad] = []
    shared: list[ox.Quad] = []
    for q in quads:
        (own if q.graph_name in own_graphs else shared).append(q)
    lines = []
    for line in _nquads(shared).splitlines(keepends=True):
        digest = hashlib.blake2b(line, digest_size=16).digest()
        if sent is None or digest not in sent.lines:
            lines.append(line)
            if sent is not None:
                sent.lines.add(digest)
    nquads = b"".join(lines) + _nquads(own)
    return _FileResult(str(path), problems, summarise(ann), nquads, len(lines) + len(own), tally(own))


def _read_in_worker(path: Path) -> _FileResult:
    """``_read_file`` in a worker process, whose long-lived objects are kept out of the collector's sight.

    What a reader keeps (the vocabulary, the hierarchies' tables and packages, what it sent) is
    hundreds of thousands of objects that the garbage collector walked again and again while files were
    read: a fifth of a reader's time. Every ``_FREEZE_EVERY`` files the garbage is collected and the
    survivors are frozen (``gc.freeze``: the collector no longer walks them; reference counting still
    frees each when it is dropped). Collected first, so no cycle of garbage is frozen with them.
    """
    global _WORKER_FILES
    result = _read_file(path)
    _WORKER_FILES += 1
    if _WORKER_FILES % _FREEZE_EVERY == 1:
        gc.collect()
        gc.freeze()
    return result


def _nquads(quads: list[ox.Quad]) -> bytes:
    text = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    assert text is not None  # serialize returns the bytes when given no output
    return text


def _start_worker(parent: int) -> None:
    """Set up a reading worker: at lower priority, and gone when the build that started it is.

    The bulk loader is the slow side of a build; workers, ahead anyway, take only the CPU it leaves
    (a 100k-claim build on 2 cores: 66 s -> 60 s). A build killed outright cannot stop its pool, and
    forked workers would wait for work forever: each watches for its parent to change.
    """
    global _WORKER_SENT
    _WORKER_SENT = _Sent()
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
        sent = _Sent()
        yield from (_read_file(path, vocab, sent) for path in files)
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
                    pending.append(pool.submit(_read_in_worker, path))
                while pending:
                    result = pending.popleft().result()
                    for path in itertools.islice(todo, 1):
                        pending.append(pool.submit(_read_in_worker, path))
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
        if is_store(target) or next(target.iterdir(), None) is None:
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
        self._totals: Tally = Counter()  # the sum of the statistics of the files fed
        self._checks = CrossFileChecks()
        self._finished = False

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
                    self._totals.update(result.counts)
                    return result.nquads
            if not self._finished:  # what only the whole corpus shows fails the build after the last file
                self._finished = True
                self.problems += self._checks.finish()
                if not self.problems:  # the store's totals, last: the sum of every file's statistics
                    totals = list(total_statistics(self._totals))
                    self.quads += len(totals)
                    return _nquads(totals)
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
