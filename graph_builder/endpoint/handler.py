"""The request handler of ``medkg serve``: routes, request bodies and their limits, CORS, replies.

Routes: ``/sparql`` (also ``/query``), ``/queries``, ``/queries/NAME`` and ``/queries/NAME.rq``, ``/``
(the workbench page for a browser, the help text otherwise; also at ``/help``), ``/assets/NAME``,
``/prefixes.json`` and ``/terms.json``, ``/claim/ID``, ``/entity/ID``, ``/source/ID`` and their records at
``/api/KIND/ID`` (:mod:`graph_builder.endpoint.pages`), ``/graph`` and ``/graph/NAME`` (a result drawn,
:mod:`graph_builder.endpoint.views`); see :mod:`graph_builder.endpoint.server` for
what each does and docs/endpoint.md for the limits.
"""

from __future__ import annotations

import sys
import time
import urllib.parse
from dataclasses import replace
from http.server import BaseHTTPRequestHandler
from typing import Any

import pyoxigraph as ox

from graph_builder.endpoint.connections import EndpointHTTPServer
from graph_builder.endpoint.jobs import Job, Reply, text_reply
from graph_builder.endpoint.negotiation import (
    FORMAT_NAMES,
    GRAPH_ALIASES,
    GRAPH_TYPES,
    RESULT_ALIASES,
    RESULT_TYPES,
    negotiate,
    rdf_asked,
    service_description,
)
from graph_builder.endpoint.pages import (
    GRAPH_HEADERS,
    PAGE_HEADERS,
    asset_reply,
    catalogue_reply,
    help_reply,
    page_reply,
    prefixes_reply,
    record_page_reply,
    record_path,
    wants_html,
)
from graph_builder.endpoint.records import record_iri

MAX_BODY = 10 * 1024 * 1024
#: The slowest a client may read an answer or send a body, in bytes per second, on top of the idle timeout.
_MIN_RATE = 100_000
_UTF8 = {"utf-8", "utf8", "us-ascii", "ascii"}
_EXPOSED = "X-SPARQL-MaxRows, Content-Type"


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
        raise _Refusal(text_reply(400, f"{what} is not UTF-8: {found}")) from None


def _fields(encoded: str, what: str) -> list[tuple[str, str]]:
    """``application/x-www-form-urlencoded`` fields; percent-encoded bytes must be UTF-8."""
    try:
        return urllib.parse.parse_qsl(encoded, keep_blank_values=True, errors="strict", max_num_fields=1000)
    except UnicodeDecodeError as error:
        found = f"byte 0x{error.object[error.start]:02x} in {error.object[:40]!r}"
        raise _Refusal(text_reply(400, f"{what}: a percent-encoded value is not UTF-8: {found}")) from None
    except ValueError as error:  # over max_num_fields
        raise _Refusal(text_reply(400, f"{what}: {error}")) from None


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


class Handler(BaseHTTPRequestHandler):
    """One connection's requests: read and check the body and ``Origin``, route, run, send the reply."""

    server: EndpointHTTPServer
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
                text_reply(411, "chunked request bodies are not supported: send a Content-Length"), True
            )
        length = self.headers.get("Content-Length")
        if length is None:
            if self.command == "POST":
                raise _Refusal(text_reply(411, "a POST needs a Content-Length"))
            return b""
        if not length.strip().isdigit():
            raise _Refusal(
                text_reply(400, f"Content-Length must be a number of bytes; found {length!r}"), True
            )
        size = int(length)
        if size > MAX_BODY:
            raise _Refusal(text_reply(413, f"request body over {MAX_BODY} bytes"), True)
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
                    raise _Refusal(text_reply(400, "the request body ended before its Content-Length"), True)
                chunks.append(chunk)
                size -= len(chunk)
        except TimeoutError:
            raise _Refusal(text_reply(408, "the request body did not arrive in time"), True) from None
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
            text_reply(
                403, f"requests from origin {origin} are refused; medkg serve --cors {origin} allows them"
            )
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
                self._send(text_reply(405, "medkg serve is read-only: only GET, POST (queries) and OPTIONS are allowed"),
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
            self._send(
                text_reply(403, "medkg serve is read-only: SPARQL Update and graph writes are refused")
            )
        elif path.rstrip("/") in ("/sparql", "/query"):
            self._sparql(method, args)
        elif path.rstrip("/") == "/queries":
            self._send(catalogue_reply(self.server.queries.values()))
        elif path.startswith("/queries/"):
            self._named(method, urllib.parse.unquote(path[len("/queries/") :]), args)
        elif path == "/" and method == "GET" and wants_html(self.headers.get("Accept")):
            self._send(page_reply(), PAGE_HEADERS)
        elif path in ("/", "/help") and method == "GET":
            self._send(help_reply())
        elif path.startswith("/assets/") and method == "GET" and (asset := asset_reply(path[8:])):
            self._send(asset, PAGE_HEADERS)
        elif path == "/prefixes.json" and method == "GET":
            self._send(prefixes_reply())
        elif path == "/terms.json" and method == "GET":
            self._terms()
        elif path.rstrip("/") == "/graph" or path.startswith("/graph/"):
            self._graph(method, urllib.parse.unquote(path[len("/graph/") :]), args)
        elif method == "GET" and (record := record_path(path)):
            self._record(*record)
        else:
            self._send(text_reply(404, f"no such path {path}; see / for the routes"))

    def _record(self, page: bool, kind: str, ident: str) -> None:
        job = Job(record=(kind, ident))
        if record_iri(kind, ident) is None:  # malformed: no query runs, and the id is not repeated
            reply = text_reply(404, f"no such {kind}")
        elif not page:
            self._run(job)
            return
        else:  # a page for a record that is not there is a 404 too
            reply = self.server.pool.run(replace(job, probe=True), self.server.timeout_s)
        if page and reply.status in (200, 404):
            reply = record_page_reply(kind if reply.status == 200 else None)
        self._send(reply, PAGE_HEADERS if page else None)

    def _body(self) -> bytes:
        """The body of a POST, checked to be UTF-8 text."""
        charset = self.headers.get_param("charset", header="Content-Type")
        if isinstance(charset, str) and charset.lower() not in _UTF8:
            raise _Refusal(text_reply(415, f"expected a UTF-8 request body; found charset {charset}"))
        return self._payload

    def _formats(self, args: list[tuple[str, str]]) -> tuple[str | None, str | None]:
        accept = self.headers.get("Accept")
        results = negotiate(accept, RESULT_TYPES, RESULT_ALIASES)
        graph = negotiate(accept, GRAPH_TYPES, GRAPH_ALIASES)
        for key, value in args:
            if key in ("format", "output") and value.lower() in FORMAT_NAMES:
                by_name = FORMAT_NAMES[value.lower()]
                results = by_name[0] or results
                graph = by_name[1] or graph
                break
        return results, graph

    def _run(self, job: Job, extra: dict[str, str] | None = None) -> None:
        started = time.perf_counter()
        reply = self.server.pool.run(job, self.server.timeout_s)
        if not self.server.quiet and reply.status == 503:
            print(
                f"medkg serve: {reply.body.decode().strip()} ({time.perf_counter() - started:.1f} s)",
                file=sys.stderr,
            )
        if reply.status == 200 and len(reply.body) > self.server.max_bytes:
            # Checked here, once the worker has written it: rows can be any size, so only bytes tell.
            reply = text_reply(507, f"the answer is {len(reply.body)} bytes, over the limit of "
                          f"{self.server.max_bytes} bytes (medkg serve --max-bytes); ask for fewer rows "
                          "or columns, or a LIMIT")  # fmt: skip
        self._send(reply, extra if reply.status == 200 else None)

    def _sparql(self, method: str, args: list[tuple[str, str]]) -> None:
        text: str | None = None
        if method == "POST":
            body = self._body()
            media = self.headers.get_content_type()
            if media == "application/sparql-update":
                self._send(text_reply(403, "medkg serve is read-only: SPARQL Update is refused"))
                return
            if media == "application/sparql-query":
                text = _utf8(body, "the query (request body)")
            elif media == "application/x-www-form-urlencoded":
                args = args + _fields(_utf8(body, "the form (request body)"), "the form (request body)")
            else:
                expected = "application/x-www-form-urlencoded or application/sparql-query"
                self._send(text_reply(415, f"expected {expected}; found {media}"))
                return
        if any(key == "update" for key, _ in args):
            self._send(text_reply(403, "medkg serve is read-only: SPARQL Update is refused"))
            return
        queries = [value for key, value in args if key == "query"]
        if text is None and not queries:
            self._no_query(method, args)
            return
        if len(queries) > 1 or (text is not None and queries):
            self._send(text_reply(400, "expected exactly one query"))
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
        fmt = rdf_asked(self.headers.get("Accept")) if method == "GET" and not args else None
        if fmt is None:
            hint = "; GET it with Accept: text/turtle for the service description" if not args else ""
            self._send(text_reply(400, f"expected a query parameter (query=...){hint}; see / for the routes"))
            return
        endpoint = _request_base(self.headers.get("Host"), self.server.server_address, self.path)
        self._send(Reply(200, f"{GRAPH_TYPES[fmt]}; charset=utf-8", service_description(endpoint, fmt)))

    def _named(self, method: str, name: str, args: list[tuple[str, str]]) -> None:
        if method == "POST":
            form = _utf8(self._body(), "the form (request body)")
            args = args + _fields(form, "the form (request body)")
        show_text = name.endswith(".rq")
        name = name.removesuffix(".rq")
        # Only shipped names: get_query would also read any .rq path it is given.
        query = self.server.queries.get(name)
        if query is None:
            self._send(text_reply(404, f"no query named {name!r}; see /queries"))
            return
        if show_text:
            assert query.path is not None
            self._send(Reply(200, "application/sparql-query; charset=utf-8", query.path.read_bytes()))
            return
        params = tuple((k, v) for k, v in args if k not in ("format", "output"))
        results, graph = self._formats(args)
        self._run(Job(query=query, params=params, results_format=results, graph_format=graph,
                      max_rows=self.server.max_rows))  # fmt: skip

    def _terms(self) -> None:
        with self.server.terms_lock:
            if self.server.terms is None:
                reply = self.server.pool.run(Job(task="terms"), self.server.timeout_s)
                if reply.status != 200:
                    self._send(reply)
                    return
                self.server.terms = reply
        self._send(self.server.terms)

    def _graph(self, method: str, name: str, args: list[tuple[str, str]]) -> None:
        if method == "POST":
            args = args + _fields(_utf8(self._body(), "the form (request body)"), "the form (request body)")
        if name:
            query = self.server.queries.get(name)
            if query is None:
                self._send(text_reply(404, f"no query named {name!r}; see /queries"))
                return
            job = Job(query=query, params=tuple(args), task="graph", max_rows=self.server.max_rows)
        else:
            texts = [value for key, value in args if key == "query"]
            if len(texts) != 1:
                self._send(text_reply(400, "expected exactly one query parameter (query=...)"))
                return
            base = _request_base(self.headers.get("Host"), self.server.server_address, self.path)
            job = Job(sparql=texts[0], task="graph", max_rows=self.server.max_rows, base_iri=base,
                      allow_service=self.server.allow_service)  # fmt: skip
        self._run(job, GRAPH_HEADERS)
