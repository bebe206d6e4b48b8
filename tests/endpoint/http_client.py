"""A plain HTTP client for the endpoint tests: status, headers and body, whatever the status."""

from __future__ import annotations

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
