"""The query workers of ``medkg serve``: a job, its reply, running one on a store, and the worker pool.

Workers are processes that open the on-disk store read-only; one that outlives its timeout is killed
and replaced, since a running pyoxigraph query cannot be interrupted.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import queue
import signal
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Literal

import pyoxigraph as ox

from graph_builder.core.errors import MedkgError
from graph_builder.core.formats import format_results
from graph_builder.core.namespaces import PREFIXES
from graph_builder.core.results import ResultTable, from_query_result, to_triples
from graph_builder.endpoint.negotiation import GRAPH_TYPES, RDF_FORMATS, RESULT_TYPES
from graph_builder.endpoint.records import read_record, record_exists
from graph_builder.sparql.queries import NamedQuery
from graph_builder.sparql.query_guard import (
    MAX_DEPTH,
    QueryError,
    QueryRefusedError,
    QueryShape,
    check_query_text,
    dataset_options,
    on_query_stack,
)
from graph_builder.sparql.runner import run_query


@dataclass(frozen=True)
class Job:
    """One query for a worker: SPARQL text, a named query or a page's record, and what the client accepts."""

    sparql: str | None = None
    query: NamedQuery | None = None
    params: tuple[tuple[str, str], ...] = ()
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    results_format: str | None = "json"  # None: the client accepts no SPARQL results format
    graph_format: str | None = "turtle"  # None: the client accepts no graph format
    max_rows: int = 10_000
    base_iri: str | None = None  # resolves relative IRIs in the query: the endpoint's URL
    allow_service: tuple[str, ...] = ()  # hosts a SERVICE may call (medkg serve --allow-service)
    #: What to answer: the query's results, its result drawn as the claims graph (an HTML page), or
    #: medkg's terms for the workbench's pickers (no query needed).
    task: Literal["results", "graph", "terms"] = "results"
    record: tuple[str, str] | None = None  # a page's kind and id (graph_builder.endpoint.records)
    probe: bool = False  # for a record: only whether it is there (an empty 200, or 404)


@dataclass(frozen=True)
class Reply:
    """A worker's answer, ready to send: status, media type, body, and how many rows it holds."""

    status: int
    content_type: str
    body: bytes
    rows: int = 0
    truncated: bool = False


def text_reply(status: int, message: str) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode("utf-8"))


# --- running one job (in a worker) -----------------------------------------------------------------


def _results_reply(table: ResultTable, fmt: str | None, truncated: bool) -> Reply:
    if fmt is None:
        return text_reply(
            406, f"no accepted format; SPARQL results come as {', '.join(RESULT_TYPES.values())}"
        )
    body = format_results(table, fmt).encode("utf-8")
    return Reply(200, f"{RESULT_TYPES[fmt]}; charset=utf-8", body, len(table), truncated)


def _graph_reply(triples: Sequence[ox.Triple], fmt: str | None, truncated: bool) -> Reply:
    if fmt is None:
        return text_reply(406, f"no accepted format; graphs come as {', '.join(GRAPH_TYPES.values())}")
    rdf_format = RDF_FORMATS[fmt]
    data = ox.serialize(triples, format=rdf_format, prefixes=None if fmt == "jsonld" else PREFIXES)
    assert data is not None  # no output file given, so the bytes are returned
    return Reply(200, f"{GRAPH_TYPES[fmt]}; charset=utf-8", data, len(triples), truncated)


def _table_reply(table: ResultTable, job: Job, truncated: bool) -> Reply:
    if table.kind == "construct":
        return _graph_reply(to_triples(table), job.graph_format, truncated)
    return _results_reply(table, job.results_format, truncated)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())


class _ServiceError(Exception):
    """An allowed remote endpoint failed, or answered with something that is not SPARQL results."""


def _sparql_table(store: ox.Store, job: Job) -> tuple[ResultTable, bool]:
    assert job.sparql is not None
    shape = check_query_text(job.sparql, allow_service=job.allow_service, base_iri=job.base_iri)
    dataset = dataset_options(shape, job.default_graphs, job.named_graphs)
    try:
        result = store.query(job.sparql, prefixes=PREFIXES, base_iri=job.base_iri, **dataset)
        return from_query_result(result, max_rows=job.max_rows)
    except (RuntimeError, OSError) as error:
        if not shape.services:
            raise
        raise _ServiceError(
            f"a SERVICE request failed ({', '.join(shape.services)}): {_one_line(error)}"
        ) from None


def _named_table(store: ox.Store, job: Job) -> tuple[ResultTable, bool]:
    assert job.query is not None
    table = run_query(job.query, store, dict(job.params))
    rows = table.rows[: job.max_rows]
    return ResultTable(table.variables, rows, table.kind), len(table) > job.max_rows


def _answer(store: ox.Store, job: Job) -> Reply:
    # Imported on first use: drawing needs networkx and the viz, which add 0.2-0.5 s to every worker's
    # start (measured with -X importtime), and most servers never draw.
    from graph_builder.endpoint.views import results_page, terms_json

    if job.task == "terms":
        return Reply(200, "application/json; charset=utf-8", terms_json(store))
    table, truncated = _named_table(store, job) if job.query is not None else _sparql_table(store, job)
    if job.task == "graph":
        name = f"query {job.query.name}" if job.query is not None else "the query"
        return Reply(
            200, "text/html; charset=utf-8", results_page(store, table, name).encode("utf-8"), len(table)
        )
    return _table_reply(table, job, truncated)


def _run_record(store: ox.Store, job: Job) -> Reply:
    assert job.record is not None
    missing = text_reply(404, f"no such {job.record[0]}")  # the id is the client's: not repeated
    if job.probe:
        return Reply(200, "text/plain; charset=utf-8", b"") if record_exists(store, *job.record) else missing
    record = read_record(store, *job.record)
    if record is None:
        return missing
    body = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Reply(200, "application/json; charset=utf-8", body)


def execute(store: ox.Store, job: Job) -> Reply:
    """Run one job on a store and serialise the answer; errors become 4xx or 500 replies.

    >>> from graph_builder.kg.build import build_example
    >>> reply = execute(build_example(), Job(sparql="ASK { entity:herpes claimed:causes ?x }"))
    >>> reply.status, reply.body
    (200, b'{"head": {}, "boolean": true}')
    """
    try:
        if job.record is not None:
            return _run_record(store, job)
        return _answer(store, job)
    except _ServiceError as error:
        return text_reply(502, str(error))
    except QueryRefusedError as error:  # says what was refused and how to allow it
        return text_reply(400, str(error))
    except (QueryError, SyntaxError, ValueError, RuntimeError) as error:
        return text_reply(400, f"bad query: {_one_line(error)}")
    except OSError as error:
        return text_reply(500, f"the store failed: {_one_line(error)}")


# --- the worker pool -------------------------------------------------------------------------------


def _worker_main(conn: Connection, store_path: str) -> None:
    """A worker process: open the store read-only, then answer jobs until the pipe closes."""
    # A terminal's Ctrl-C reaches the whole process group; the server stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        store = ox.Store.read_only(store_path)
    except OSError as error:
        conn.send(("error", f"{store_path}: cannot open the store read-only: {error}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        # Deep recursion in the engine must not kill us: a deep query runs on an engine thread.
        conn.send(on_query_stack(_shape(job), execute, store, job))


def _shape(job: Job) -> QueryShape:
    """The shape of a job's query; medkg's own (a page's record, the terms) are shallow. A query that
    is refused gets a shape past every limit: its refusal is answered from the engine thread."""
    text = job.sparql if job.sparql is not None else job.query.sparql if job.query is not None else None
    if text is None:
        return QueryShape()
    try:
        return check_query_text(text, allow_service=job.allow_service, base_iri=job.base_iri)
    except QueryRefusedError:
        return QueryShape(depth=MAX_DEPTH + 1)


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class PoolError(MedkgError, RuntimeError):
    """The worker processes could not start: the store cannot be opened."""


@dataclass(eq=False)
class WorkerPool:
    """Worker processes over one on-disk store; a job that outlives its timeout kills its worker."""

    store_path: Path
    size: int = 2
    _idle: queue.Queue[_Worker] = field(default_factory=queue.Queue, init=False)
    _workers: set[_Worker] = field(default_factory=set, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _closed: bool = field(default=False, init=False)

    def _launch(self) -> _Worker:
        context = multiprocessing.get_context("spawn")  # fork is unsafe in a threaded server
        parent, child = context.Pipe()
        process = context.Process(target=_worker_main, args=(child, str(self.store_path)), daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    def _ready(self, worker: _Worker) -> None:
        if not worker.conn.poll(120):
            worker.kill()
            raise PoolError(f"{self.store_path}: a query worker did not start within 120 s")
        try:
            status, detail = worker.conn.recv()
        except EOFError:
            status, detail = "error", f"the worker exited with code {worker.process.exitcode}"
        if status != "ready":
            worker.kill()
            raise PoolError(str(detail))
        with self._lock:
            if self._closed:
                worker.kill()
                return
            self._workers.add(worker)
        self._idle.put(worker)

    def start(self) -> None:
        """Start every worker and wait until each has opened the store."""
        launched = [self._launch() for _ in range(self.size)]
        try:
            for worker in launched:
                self._ready(worker)
        except PoolError:
            for worker in launched:
                worker.kill()
            raise

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._workers.discard(worker)
            closed = self._closed
        worker.kill()
        if closed:
            return
        try:
            self._ready(self._launch())
        except PoolError as error:  # pragma: no cover - the store vanished while serving
            if not self._closed:  # a replacement cut short by shutting down is no news
                print(f"medkg serve: cannot replace a query worker: {error}", file=sys.stderr)

    def run(self, job: Job, timeout: float) -> Reply:
        """Run a job on an idle worker; after ``timeout`` seconds the worker is killed and replaced."""
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            return text_reply(
                503, f"all {self.size} query workers stayed busy for {timeout:g} s; try again later"
            )
        try:
            worker.conn.send(job)
            if worker.conn.poll(timeout):
                reply: Reply = worker.conn.recv()
                self._idle.put(worker)
                return reply
        except (EOFError, OSError) as error:
            threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
            return text_reply(500, f"the query worker died: {error}")
        threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
        return text_reply(
            503,
            f"query cancelled: it ran longer than the per-query timeout of {timeout:g} s "
            "(medkg serve --timeout)",
        )

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
        for worker in workers:
            worker.kill()
