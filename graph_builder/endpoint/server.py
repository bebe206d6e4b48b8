"""``medkg serve``: a read-only SPARQL 1.1 Protocol endpoint over a medkg store, on loopback by default.

Queries run in worker processes that open the on-disk store read-only; a query that outlives the
timeout has its worker killed and replaced, since a running pyoxigraph query cannot be interrupted.

Routes: ``/sparql`` (also ``/query``) takes ``query`` by GET, form POST or ``application/sparql-query``
POST; ``/queries`` lists the named queries as JSON; ``/queries/NAME?param=value`` runs one by name and
``/queries/NAME.rq`` shows its text. Updates (``/update``, an ``update`` field, ``application/
sparql-update``) get 403, any other write method 405. Results are negotiated from ``Accept`` (or a
``format`` parameter): SPARQL results as JSON, XML, CSV or TSV; graphs as Turtle, N-Triples, JSON-LD
or RDF/XML. At most ``max_rows`` rows or triples are sent (a cut answer carries ``X-SPARQL-MaxRows``),
and an answer over ``max_bytes`` is refused with 507. Requests from a foreign ``Origin`` get 403 unless
``cors`` allows it; connections are capped and closed when idle (see docs/endpoint.md, "Security").
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import queue
import signal
import socket
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph_builder.core.errors import MedkgError
from graph_builder.core.namespaces import PREFIXES
from graph_builder.core.results import ResultTable, format_results, from_query_result, to_triples
from graph_builder.sparql.queries import NamedQuery, iter_queries, run_query
from graph_builder.sparql.query_guard import (
    QueryError,
    QueryRefusedError,
    check_query_text,
    dataset_options,
    on_engine_stack,
)

#: Media types of SPARQL results, by the ``format`` name that also picks them; the first is the default.
RESULT_TYPES: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
#: Media types of graphs (CONSTRUCT, DESCRIBE), by ``format`` name; the first is the default.
GRAPH_TYPES: dict[str, str] = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
_RESULT_ALIASES = {"application/json": "json", "application/xml": "xml", "text/xml": "xml"}
_GRAPH_ALIASES = {"application/x-turtle": "turtle", "text/plain": "ntriples", "application/json": "jsonld"}
_FORMAT_NAMES = {
    "json": ("json", "jsonld"), "xml": ("xml", "rdfxml"), "csv": ("csv", None), "tsv": ("tsv", None),
    "turtle": (None, "turtle"), "ttl": (None, "turtle"), "n3": (None, "turtle"), "nt": (None, "ntriples"),
    "ntriples": (None, "ntriples"), "n-triples": (None, "ntriples"), "json-ld": (None, "jsonld"),
    "jsonld": (None, "jsonld"), "rdf+xml": (None, "rdfxml"), "rdfxml": (None, "rdfxml"),
}  # fmt: skip
_RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
MAX_BODY = 10 * 1024 * 1024


@dataclass(frozen=True)
class Job:
    """One query for a worker: SPARQL text or a named query, and what the client accepts."""

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


@dataclass(frozen=True)
class Reply:
    """A worker's answer, ready to send: status, media type, body, and how many rows it holds."""

    status: int
    content_type: str
    body: bytes
    rows: int = 0
    truncated: bool = False


def _text(status: int, message: str) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode("utf-8"))


# --- content negotiation ---------------------------------------------------------------------------


def negotiate(
    accept: str | None, offers: dict[str, str], aliases: dict[str, str] | None = None
) -> str | None:
    """The ``format`` name of the offer the ``Accept`` header ranks best; ``None`` if it accepts none.

    Ties go to the order of ``offers``; no header accepts the first offer.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", RESULT_TYPES)
    'xml'
    >>> negotiate("text/*", GRAPH_TYPES), negotiate("image/png", RESULT_TYPES), negotiate(None, RESULT_TYPES)
    ('turtle', None, 'json')
    """
    if not accept or not accept.strip():
        return next(iter(offers))
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        media, *options = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for option in options:
            key, _, value = option.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media.lower(), quality))
    candidates = [(media, name) for name, media in offers.items()] + list((aliases or {}).items())
    best: tuple[float, int, str] | None = None
    for order, (media, name) in enumerate(candidates):
        kind = media.split("/")[0] + "/*"
        scored = [
            (3 if r == media else 2 if r == kind else 1, q) for r, q in ranges if r in (media, kind, "*/*")
        ]
        if not scored:
            continue
        quality = max(scored)[1]
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, order, name)
    return None if best is None else best[2]


# --- running one job (in a worker) -----------------------------------------------------------------


def _results_reply(table: ResultTable, fmt: str | None, truncated: bool) -> Reply:
    if fmt is None:
        return _text(406, f"no accepted format; SPARQL results come as {', '.join(RESULT_TYPES.values())}")
    body = format_results(table, fmt).encode("utf-8")
    return Reply(200, f"{RESULT_TYPES[fmt]}; charset=utf-8", body, len(table), truncated)


def _graph_reply(triples: Sequence[ox.Triple], fmt: str | None, truncated: bool) -> Reply:
    if fmt is None:
        return _text(406, f"no accepted format; graphs come as {', '.join(GRAPH_TYPES.values())}")
    rdf_format = _RDF_FORMATS[fmt]
    data = ox.serialize(triples, format=rdf_format, prefixes=None if fmt == "jsonld" else PREFIXES)
    assert data is not None  # no output file given, so the bytes are returned
    return Reply(200, f"{GRAPH_TYPES[fmt]}; charset=utf-8", data, len(triples), truncated)


def _table_reply(table: ResultTable, job: Job, truncated: bool) -> Reply:
    if table.kind == "construct":
        return _graph_reply(to_triples(table), job.graph_format, truncated)
    return _results_reply(table, job.results_format, truncated)


def _request_base(host: str | None, address: tuple[Any, ...], path: str) -> str:
    """The URL a request was sent to, the base of relative IRIs in its query (W3C protocol tests)."""
    bound = f"[{address[0]}]" if ":" in str(address[0]) else str(address[0])
    for authority in (host, f"{bound}:{address[1]}"):
        url = f"http://{authority}{path.partition('?')[0]}"
        try:  # the Host header is the client's: use it only when it makes a valid IRI of one authority
            if authority and "/" not in authority and urllib.parse.urlsplit(url).netloc == authority:
                return ox.NamedNode(url).value
        except ValueError:
            continue
    return f"http://{bound}:{address[1]}/sparql"


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())


def _run_sparql(store: ox.Store, job: Job) -> Reply:
    assert job.sparql is not None
    shape = check_query_text(job.sparql, allow_service=job.allow_service, base_iri=job.base_iri)
    dataset = dataset_options(shape, job.default_graphs, job.named_graphs)
    try:
        result = store.query(job.sparql, prefixes=PREFIXES, base_iri=job.base_iri, **dataset)
        table, truncated = from_query_result(result, max_rows=job.max_rows)
    except (RuntimeError, OSError) as error:
        if not shape.services:
            raise
        # An allowed remote endpoint failed or answered with something that is not SPARQL results.
        return _text(502, f"a SERVICE request failed ({', '.join(shape.services)}): {_one_line(error)}")
    return _table_reply(table, job, truncated)


def _run_named(store: ox.Store, job: Job) -> Reply:
    assert job.query is not None
    table = run_query(job.query, store, dict(job.params))
    rows = table.rows[: job.max_rows]
    return _table_reply(ResultTable(table.variables, rows, table.kind), job, len(table) > job.max_rows)


def execute(store: ox.Store, job: Job) -> Reply:
    """Run one job on a store and serialise the answer; errors become 4xx or 500 replies.

    >>> from graph_builder.kg.build import build_example
    >>> reply = execute(build_example(), Job(sparql="ASK { entity:herpes medkg:causes ?x }"))
    >>> reply.status, reply.body
    (200, b'{"head": {}, "boolean": true}')
    """
    try:
        return _run_named(store, job) if job.query is not None else _run_sparql(store, job)
    except QueryRefusedError as error:  # says what was refused and how to allow it
        return _text(400, str(error))
    except (QueryError, SyntaxError, ValueError, RuntimeError) as error:
        return _text(400, f"bad query: {_one_line(error)}")
    except OSError as error:
        return _text(500, f"the store failed: {_one_line(error)}")


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
        conn.send(on_engine_stack(execute, store, job))  # deep recursion in the engine must not kill us


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
            return _text(503, f"all {self.size} query workers stayed busy for {timeout:g} s; try again later")
        try:
            worker.conn.send(job)
            if worker.conn.poll(timeout):
                reply: Reply = worker.conn.recv()
                self._idle.put(worker)
                return reply
        except (EOFError, OSError) as error:
            threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
            return _text(500, f"the query worker died: {error}")
        threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
        return _text(
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


# --- HTTP ------------------------------------------------------------------------------------------

DEFAULT_MAX_BYTES = 32 * 1024 * 1024
DEFAULT_IDLE_TIMEOUT = 15.0
DEFAULT_MAX_CONNECTIONS = 64
#: The slowest a client may read an answer or send a body, in bytes per second, on top of the idle timeout.
_MIN_RATE = 100_000
_UTF8 = {"utf-8", "utf8", "us-ascii", "ascii"}
_EXPOSED = "X-SPARQL-MaxRows, Content-Type"
_SD = "http://www.w3.org/ns/sparql-service-description#"
#: W3C format IRIs (https://www.w3.org/ns/formats/) of what the endpoint writes, by ``format`` name.
_FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML", "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV", "turtle": "Turtle", "ntriples": "N-Triples", "jsonld": "JSON-LD",
    "rdfxml": "RDF_XML",
}  # fmt: skip
_HELP = """medkg SPARQL endpoint (read-only)

  GET  /sparql?query=...              SPARQL 1.1 Protocol; also POST form or application/sparql-query
  GET  /sparql  (Accept: text/turtle) the SPARQL 1.1 service description
  GET  /queries                       the named queries, as JSON
  GET  /queries/NAME?param=value      run a named query by name
  GET  /queries/NAME.rq               the text of a named query

Results: JSON, XML, CSV, TSV; graphs: Turtle, N-Triples, JSON-LD, RDF/XML (Accept or ?format=).
The medkg prefixes (medkg:, entity:, ...) are predeclared; the default graph is the union of all graphs.
"""


class _Refusal(Exception):
    """A request answered with ``reply`` before anything runs; ``close`` ends the connection too."""

    def __init__(self, reply: Reply, close: bool = False) -> None:
        super().__init__(reply.status)
        self.reply, self.close = reply, close


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        found = f"byte 0x{data[error.start]:02x} at offset {error.start}"
        raise _Refusal(_text(400, f"{what} is not UTF-8: {found}")) from None


def _fields(encoded: str, what: str) -> list[tuple[str, str]]:
    """``application/x-www-form-urlencoded`` fields; percent-encoded bytes must be UTF-8."""
    try:
        return urllib.parse.parse_qsl(encoded, keep_blank_values=True, errors="strict", max_num_fields=1000)
    except UnicodeDecodeError as error:
        found = f"byte 0x{error.object[error.start]:02x} in {error.object[:40]!r}"
        raise _Refusal(_text(400, f"{what}: a percent-encoded value is not UTF-8: {found}")) from None
    except ValueError as error:  # over max_num_fields
        raise _Refusal(_text(400, f"{what}: {error}")) from None


def _rdf_asked(accept: str | None) -> str | None:
    """The graph format an ``Accept`` header names explicitly; wildcards (a browser's ``*/*``) do not count."""
    named = {media: name for name, media in GRAPH_TYPES.items()} | {"application/x-turtle": "turtle"}
    ranges = [part for part in (accept or "").split(",") if part.split(";")[0].strip().lower() in named]
    return negotiate(",".join(ranges), GRAPH_TYPES, _GRAPH_ALIASES) if ranges else None


def service_description(endpoint: str, fmt: str) -> bytes:
    """A SPARQL 1.1 Service Description of the endpoint at ``endpoint``, in graph format ``fmt``.

    >>> b"sd:UnionDefaultGraph" in service_description("http://127.0.0.1:7878/sparql", "turtle")
    True
    """
    service, dataset, default = ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
    a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(_SD + name)

    triples = [
        ox.Triple(service, a, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, a, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, a, sd("Graph")),
        ox.Triple(
            service,
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"),
            ox.Literal(
                "medkg: a read-only SPARQL 1.1 endpoint; the default graph is the union of all graphs"
            ),
        ),
    ]
    triples += [
        ox.Triple(service, sd("resultFormat"), ox.NamedNode(f"http://www.w3.org/ns/formats/{name}"))
        for name in _FORMAT_IRIS.values()
    ]
    prefixes = None if fmt == "jsonld" else {"sd": _SD, "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}
    data = ox.serialize(triples, format=_RDF_FORMATS[fmt], prefixes=prefixes)
    assert data is not None
    return data


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # The kernel's queue of connections not yet accepted. With the default of 5, a burst of new
    # connections had 3-4 % of them wait a second for a SYN retry (and about 1 in 1,000 reset).
    request_queue_size = 128
    queries: dict[str, NamedQuery]  # read once at start: restart the server to serve edited queries
    pool: WorkerPool
    timeout_s: float
    max_rows: int
    quiet: bool
    max_bytes: int = DEFAULT_MAX_BYTES
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    cors: frozenset[str] = frozenset()
    allow_service: tuple[str, ...] = ()

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        # Set before binding: a failed bind calls server_close, which reads them.
        self._lock = threading.Lock()
        # Each open connection, with the time it started waiting for a request (None while it is busy).
        self._open: dict[socket.socket, float | None] = {}
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        # Runs in the accept loop: a connection over the cap never gets a thread. The longest-idle
        # connection makes room, so idle sockets cannot lock clients out; with none idle, 503.
        with self._lock:
            victim: socket.socket | None = None
            if len(self._open) >= self.max_connections:
                idle = [(since, sock) for sock, since in self._open.items() if since is not None]
                if idle:
                    victim = min(idle, key=lambda pair: pair[0])[1]
                    del self._open[victim]
            admitted = len(self._open) < self.max_connections
            if admitted:
                self._open[request] = time.monotonic()
        if victim is not None:
            with contextlib.suppress(OSError):
                victim.shutdown(socket.SHUT_RDWR)  # its thread sees the end of the stream and leaves
        if admitted:
            super().process_request(request, client_address)
            return
        body = f"all {self.max_connections} connections are busy (medkg serve --max-connections); try again\n"
        head = (
            "HTTP/1.1 503 Service Unavailable\r\nServer: medkg-serve\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
        )
        with contextlib.suppress(OSError):
            request.settimeout(0)  # never block the accept loop on a client
            request.send((head + body).encode())
        self.shutdown_request(request)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._lock:
                self._open.pop(request, None)

    def server_close(self) -> None:
        super().server_close()
        with self._lock:
            open_now, self._open = list(self._open), {}
        for connection in open_now:  # their threads see the end of the stream and leave
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def mark(self, connection: socket.socket, idle: bool) -> None:
        """Record whether a connection waits for a request (and may be closed to make room)."""
        with self._lock:
            if connection in self._open:
                self._open[connection] = time.monotonic() if idle else None


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "medkg-serve"
    _cors: dict[str, str]  # the CORS headers of the request being answered
    _payload: bytes  # its body

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.idle_timeout)  # for every read and write
        self._cors, self._payload = {}, b""

    def version_string(self) -> str:
        return self.server_version  # not the Python version, which only helps an attacker

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.quiet:
            super().log_message(format, *args)

    def log_error(self, format: str, *args: Any) -> None:
        if format.startswith("Request timed out") and not self.raw_requestline:
            return  # a kept-alive connection with no next request, closed after the idle timeout: routine
        super().log_error(format, *args)

    def handle_one_request(self) -> None:
        self.server.mark(self.connection, idle=True)
        self.raw_requestline = b""  # tells log_error whether a request had begun
        super().handle_one_request()

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        self.server.mark(self.connection, idle=False)  # the request's head is in: not idle any more
        return parsed

    def _send(self, reply: Reply, extra: dict[str, str] | None = None, close: bool = False) -> None:
        self.send_response(reply.status)
        headers = {**self._cors, "Content-Type": reply.content_type, "Content-Length": str(len(reply.body))}
        if reply.truncated:
            headers["X-SPARQL-MaxRows"] = str(self.server.max_rows)
        if close:
            headers["Connection"] = "close"  # send_header also sets close_connection
        for key, value in {**headers, **(extra or {})}.items():
            self.send_header(key, value)
        try:
            self.end_headers()
            if self.command != "HEAD":
                # A slow reader gets time in proportion to the answer, not a fixed idle timeout.
                self.connection.settimeout(self.server.idle_timeout + len(reply.body) / _MIN_RATE)
                self.wfile.write(reply.body)
                self.connection.settimeout(self.server.idle_timeout)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True

    def _read_body(self) -> bytes:
        """The request's body, read whatever the route, so that it is never taken for the next request."""
        if self.headers.get("Transfer-Encoding"):
            raise _Refusal(
                _text(411, "chunked request bodies are not supported: send a Content-Length"), True
            )
        length = self.headers.get("Content-Length")
        if length is None:
            if self.command == "POST":
                raise _Refusal(_text(411, "a POST needs a Content-Length"))
            return b""
        if not length.strip().isdigit():
            raise _Refusal(_text(400, f"Content-Length must be a number of bytes; found {length!r}"), True)
        size = int(length)
        if size > MAX_BODY:
            raise _Refusal(_text(413, f"request body over {MAX_BODY} bytes"), True)
        deadline = time.monotonic() + self.server.idle_timeout + size / _MIN_RATE
        chunks: list[bytes] = []
        try:
            while size > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                self.connection.settimeout(left)
                chunk = self.rfile.read1(min(size, 65536))
                if not chunk:
                    raise _Refusal(_text(400, "the request body ended before its Content-Length"), True)
                chunks.append(chunk)
                size -= len(chunk)
        except TimeoutError:
            raise _Refusal(_text(408, "the request body did not arrive in time"), True) from None
        finally:
            self.connection.settimeout(self.server.idle_timeout)
        return b"".join(chunks)

    def _origin(self) -> dict[str, str]:
        """The CORS headers for this request's ``Origin``; a foreign origin not allowed is refused.

        Browsers name the origin of a page on every cross-origin POST, even a plain form's, and on
        cross-origin fetches: refusing those keeps other web pages from driving the endpoint.
        """
        allowed = self.server.cors
        vary = {"Vary": "Origin"} if allowed and "*" not in allowed else {}
        origin = self.headers.get("Origin")
        if origin is None:
            return vary
        if "*" in allowed:
            return {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": _EXPOSED}
        if origin in allowed:
            return {**vary, "Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": _EXPOSED}
        host = (self.headers.get("Host") or "").lower()
        if host and urllib.parse.urlsplit(origin.lower()).netloc == host:
            return vary  # the endpoint's own origin (any scheme: a TLS proxy may sit in front)
        raise _Refusal(
            _text(403, f"requests from origin {origin} are refused; medkg serve --cors {origin} allows them")
        )

    def _handle(self) -> None:
        self._cors, self._payload = {}, b""
        try:
            self._payload = self._read_body()
            self._cors = self._origin()
            if self.command == "OPTIONS":
                self._preflight()
            elif self.command in ("GET", "HEAD", "POST"):
                self._route("POST" if self.command == "POST" else "GET")
            else:
                self._send(_text(405, "medkg serve is read-only: only GET, POST (queries) and OPTIONS are allowed"),
                           {"Allow": "GET, POST, OPTIONS"})  # fmt: skip
        except _Refusal as refusal:
            self._send(refusal.reply, close=refusal.close)

    do_GET = do_HEAD = do_POST = do_OPTIONS = do_PUT = do_DELETE = do_PATCH = _handle

    def _preflight(self) -> None:
        # A browser asks before a cross-origin POST of a query; _origin has refused foreign origins.
        extra = {"Allow": "GET, POST, OPTIONS"}
        if "Access-Control-Allow-Origin" in self._cors:
            requested = self.headers.get("Access-Control-Request-Headers", "Content-Type, Accept")
            extra.update({
                "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Allow-Headers": requested,
                "Access-Control-Max-Age": "86400",
            })  # fmt: skip
        self._send(Reply(204, "text/plain", b""), extra)

    def _route(self, method: str) -> None:
        path, _, query_string = self.path.partition("?")
        args = _fields(query_string, "the query string")
        if path in ("/update", "/store"):
            self._send(_text(403, "medkg serve is read-only: SPARQL Update and graph writes are refused"))
        elif path.rstrip("/") in ("/sparql", "/query"):
            self._sparql(method, args)
        elif path.rstrip("/") == "/queries":
            self._catalog()
        elif path.startswith("/queries/"):
            self._named(method, urllib.parse.unquote(path[len("/queries/") :]), args)
        elif path == "/" and method == "GET":
            self._send(_text(200, _HELP))
        else:
            self._send(_text(404, f"no such path {path}; see / for the routes"))

    def _body(self) -> bytes:
        """The body of a POST, checked to be UTF-8 text."""
        charset = self.headers.get_param("charset", header="Content-Type")
        if isinstance(charset, str) and charset.lower() not in _UTF8:
            raise _Refusal(_text(415, f"expected a UTF-8 request body; found charset {charset}"))
        return self._payload

    def _formats(self, args: list[tuple[str, str]]) -> tuple[str | None, str | None]:
        accept = self.headers.get("Accept")
        results = negotiate(accept, RESULT_TYPES, _RESULT_ALIASES)
        graph = negotiate(accept, GRAPH_TYPES, _GRAPH_ALIASES)
        for key, value in args:
            if key in ("format", "output") and value.lower() in _FORMAT_NAMES:
                by_name = _FORMAT_NAMES[value.lower()]
                results = by_name[0] or results
                graph = by_name[1] or graph
                break
        return results, graph

    def _run(self, job: Job) -> None:
        started = time.perf_counter()
        reply = self.server.pool.run(job, self.server.timeout_s)
        if not self.server.quiet and reply.status == 503:
            print(
                f"medkg serve: {reply.body.decode().strip()} ({time.perf_counter() - started:.1f} s)",
                file=sys.stderr,
            )
        if reply.status == 200 and len(reply.body) > self.server.max_bytes:
            # Checked here, once the worker has written it: rows can be any size, so only bytes tell.
            reply = _text(507, f"the answer is {len(reply.body)} bytes, over the limit of "
                          f"{self.server.max_bytes} bytes (medkg serve --max-bytes); ask for fewer rows "
                          "or columns, or a LIMIT")  # fmt: skip
        self._send(reply)

    def _sparql(self, method: str, args: list[tuple[str, str]]) -> None:
        text: str | None = None
        if method == "POST":
            body = self._body()
            media = self.headers.get_content_type()
            if media == "application/sparql-update":
                self._send(_text(403, "medkg serve is read-only: SPARQL Update is refused"))
                return
            if media == "application/sparql-query":
                text = _utf8(body, "the query (request body)")
            elif media == "application/x-www-form-urlencoded":
                args = args + _fields(_utf8(body, "the form (request body)"), "the form (request body)")
            else:
                expected = "application/x-www-form-urlencoded or application/sparql-query"
                self._send(_text(415, f"expected {expected}; found {media}"))
                return
        if any(key == "update" for key, _ in args):
            self._send(_text(403, "medkg serve is read-only: SPARQL Update is refused"))
            return
        queries = [value for key, value in args if key == "query"]
        if text is None and not queries:
            self._no_query(method, args)
            return
        if len(queries) > 1 or (text is not None and queries):
            self._send(_text(400, "expected exactly one query"))
            return
        results, graph = self._formats(args)
        self._run(Job(
            sparql=text if text is not None else queries[0],
            default_graphs=tuple(v for k, v in args if k == "default-graph-uri"),
            named_graphs=tuple(v for k, v in args if k == "named-graph-uri"),
            results_format=results, graph_format=graph, max_rows=self.server.max_rows,
            base_iri=_request_base(self.headers.get("Host"), self.server.server_address, self.path),
            allow_service=self.server.allow_service,
        ))  # fmt: skip

    def _no_query(self, method: str, args: list[tuple[str, str]]) -> None:
        # The protocol: a request without a query is an error, unless it asks for the service description.
        fmt = _rdf_asked(self.headers.get("Accept")) if method == "GET" and not args else None
        if fmt is None:
            hint = "; GET it with Accept: text/turtle for the service description" if not args else ""
            self._send(_text(400, f"expected a query parameter (query=...){hint}; see / for the routes"))
            return
        endpoint = _request_base(self.headers.get("Host"), self.server.server_address, self.path)
        self._send(Reply(200, f"{GRAPH_TYPES[fmt]}; charset=utf-8", service_description(endpoint, fmt)))

    def _catalog(self) -> None:
        catalog = [
            {
                "name": q.name,
                "summary": q.summary,
                "description": q.description,
                "tags": list(q.tags),
                "kind": q.kind,
                "parameters": [vars(p) for p in q.parameters],
                "url": f"/queries/{q.name}",
                "sparql": f"/queries/{q.name}.rq",
            }
            for q in self.server.queries.values()
        ]
        body = json.dumps({"queries": catalog}, ensure_ascii=False, indent=2).encode("utf-8")
        self._send(Reply(200, "application/json; charset=utf-8", body, len(catalog)))

    def _named(self, method: str, name: str, args: list[tuple[str, str]]) -> None:
        if method == "POST":
            form = _utf8(self._body(), "the form (request body)")
            args = args + _fields(form, "the form (request body)")
        show_text = name.endswith(".rq")
        name = name.removesuffix(".rq")
        # Only shipped names: get_query would also read any .rq path it is given.
        query = self.server.queries.get(name)
        if query is None:
            self._send(_text(404, f"no query named {name!r}; see /queries"))
            return
        if show_text:
            assert query.path is not None
            self._send(Reply(200, "application/sparql-query; charset=utf-8", query.path.read_bytes()))
            return
        params = tuple((k, v) for k, v in args if k not in ("format", "output"))
        results, graph = self._formats(args)
        self._run(Job(query=query, params=params, results_format=results, graph_format=graph,
                      max_rows=self.server.max_rows))  # fmt: skip


# --- the server ------------------------------------------------------------------------------------


def default_workers() -> int:
    """Two workers at least (so one runaway query never blocks the rest), at most eight."""
    return max(2, min(8, os.cpu_count() or 1))


class SparqlServer:
    """The endpoint: an HTTP server thread in front of a :class:`WorkerPool`.

    Use as a context manager, or call :meth:`start` and :meth:`close`; ``port=0`` picks a free port.
    """

    def __init__(
        self,
        store_path: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 7878,
        timeout: float = 30.0,
        max_rows: int = 10_000,
        workers: int | None = None,
        quiet: bool = False,
        cors: Iterable[str] = (),
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        max_bytes: int = DEFAULT_MAX_BYTES,
        allow_service: Iterable[str] = (),
    ) -> None:
        if not 0 <= port <= 65535:
            raise ValueError(f"expected a port from 0 to 65535; found {port}")
        if timeout <= 0 or max_rows <= 0:
            raise ValueError(f"timeout and max-rows must be positive; found {timeout} and {max_rows}")
        if idle_timeout <= 0 or max_connections <= 0 or max_bytes <= 0:
            raise ValueError(
                "idle-timeout, max-connections and max-bytes must be positive; "
                f"found {idle_timeout}, {max_connections} and {max_bytes}"
            )
        self.pool = WorkerPool(store_path, workers or default_workers())
        self.host, self.port = host, port
        self.timeout, self.max_rows, self.quiet = timeout, max_rows, quiet
        self.cors = frozenset(origin.rstrip("/") for origin in cors)  # browsers send no trailing slash
        self.idle_timeout, self.max_connections, self.max_bytes = idle_timeout, max_connections, max_bytes
        self.allow_service = tuple(host.strip().lower() for host in allow_service)  # SERVICE may call these
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The SPARQL endpoint's URL."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/sparql"

    def _bind(self) -> _HTTPServer:
        self.pool.start()
        try:
            httpd = _HTTPServer((self.host, self.port), _Handler)
        except OSError as error:
            self.pool.close()
            # Name the address: a bind or name-lookup error alone does not say which it tried.
            raise OSError(error.errno, error.strerror or str(error), f"{self.host}:{self.port}") from error
        httpd.queries = {q.name: q for q in iter_queries(include_qa=True)}
        httpd.pool, httpd.timeout_s, httpd.max_rows, httpd.quiet = (
            self.pool,
            self.timeout,
            self.max_rows,
            self.quiet,
        )
        httpd.cors, httpd.idle_timeout = self.cors, self.idle_timeout
        httpd.max_connections, httpd.max_bytes = self.max_connections, self.max_bytes
        httpd.allow_service = self.allow_service
        self.port = httpd.server_address[1]
        self._httpd = httpd
        return httpd

    def start(self) -> SparqlServer:
        """Start the workers and serve from a background thread."""
        httpd = self._bind()
        self._thread = threading.Thread(target=httpd.serve_forever, name="medkg-serve", daemon=True)
        self._thread.start()
        return self

    def describe(self) -> str:
        """One line for people: where the endpoint is and what its limits are."""
        line = (
            f"SPARQL endpoint at {self.url} (read-only; timeout {self.timeout:g} s; "
            f"at most {self.max_rows} rows; {self.pool.size} workers)"
        )
        if self.cors:
            line += f"; CORS for {', '.join(sorted(self.cors))}"
        if self.host not in ("127.0.0.1", "localhost", "::1"):
            line += f"; warning: open beyond this machine on {self.host}, with no authentication"
        return line

    def wait(self) -> None:
        """Block until the server stops; Ctrl-C (KeyboardInterrupt) reaches the caller."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(0.5)

    def close(self) -> None:
        """Stop serving and stop the workers."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        self.pool.close()

    def __enter__(self) -> SparqlServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


def prepare_store(
    store: Path | None, graph: Path | None
) -> tuple[Path, tempfile.TemporaryDirectory[str] | None]:
    """The on-disk store to serve, and the temporary folder to remove afterwards (if one was made).

    A store folder is served as it is; a graph file (or, with neither, the graph ``medkg query run``
    would use) is loaded into a temporary on-disk store, since worker processes open it read-only.
    """
    from graph_builder.store.corpus import open_store
    from graph_builder.store.open import open_graph

    folder = store if store is not None else graph if graph is not None and graph.is_dir() else None
    if folder is not None:
        open_store(folder, read_only=True)  # fails here, saying why, if the folder is no medkg store
        return folder, None
    source = open_graph(graph)
    temporary = tempfile.TemporaryDirectory(prefix="medkg-serve-")
    target = Path(temporary.name) / "store"
    disk = ox.Store(str(target))
    disk.bulk_extend(source)
    disk.flush()
    del disk  # release the write lock before the workers open the store read-only
    return target, temporary
