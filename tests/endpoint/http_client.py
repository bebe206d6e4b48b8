"""A plain HTTP client for the endpoint tests: status, headers and body, whatever the status."""

from __future__ import annotations

import signal
import urllib.error
import urllib.request

from graph_builder.endpoint.server import SparqlServer


def root(server: SparqlServer) -> str:
    """The server's base URL, without ``/sparql``."""
    return server.url.removesuffix("/sparql")


def http(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def interruptible() -> None:
    """``preexec_fn`` for a served process that a test stops with Ctrl-C (SIGINT).

    A shell starts background jobs with SIGINT ignored, and a process that starts with it ignored keeps
    it so (Python then installs no KeyboardInterrupt handler): a test run started with ``&`` would
    see the server ignore Ctrl-C. A terminal's foreground process has the default action; restore it.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
