"""The HTTP server of ``medkg serve``: threads per connection, a cap on open connections, idle ones let go.

The settings its request handler reads (pool, limits, CORS origins) are attributes set at start.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from graph_builder.endpoint.jobs import Reply, WorkerPool
from graph_builder.sparql.queries import NamedQuery

DEFAULT_MAX_BYTES = 32 * 1024 * 1024
DEFAULT_IDLE_TIMEOUT = 15.0
DEFAULT_MAX_CONNECTIONS = 64


class EndpointHTTPServer(ThreadingHTTPServer):
    """A thread per connection, at most ``max_connections`` open; the longest-idle one makes room."""

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
    #: medkg's terms for the workbench, asked of a worker once: the store is read-only while served.
    terms: Reply | None = None

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        # Set before binding: a failed bind calls server_close, which reads them.
        self._lock = threading.Lock()
        self.terms_lock = threading.Lock()
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
