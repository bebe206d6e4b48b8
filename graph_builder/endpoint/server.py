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

import os
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from graph_builder.endpoint.connections import (
    DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_CONNECTIONS,
    EndpointHTTPServer,
)
from graph_builder.endpoint.handler import Handler
from graph_builder.endpoint.jobs import WorkerPool
from graph_builder.sparql.queries import iter_queries


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
        self._httpd: EndpointHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The SPARQL endpoint's URL."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/sparql"

    def _bind(self) -> EndpointHTTPServer:
        self.pool.start()
        try:
            httpd = EndpointHTTPServer((self.host, self.port), Handler)
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
