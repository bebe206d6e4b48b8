"""What a user sees when an endpoint refuses a named query: one line, never the server's whole answer.

A stand-in endpoint on loopback answers the union check, then refuses every query the way Virtuoso 7.2
does: HTTP 500 with the error on the first line and the whole query text after it.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from graph_builder import cli

TRANSITIVE = (
    "Virtuoso 42000 Error TN...: Exceeded 1000000000 bytes in transitive temp memory.  use t_distinct, "
    "t_max or more T_MAX_memory options to limit the search or increase the pool"
)
TIMEOUT = "Virtuoso S1T00 Error SR171: Transaction timed out"


class _Refusing(ThreadingHTTPServer):
    daemon_threads = True
    error: str = TIMEOUT


class _Handler(BaseHTTPRequestHandler):
    server: _Refusing

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        query = form["query"][0]
        if query.startswith("ASK"):  # the union check: the default graph holds medkg's sources
            status, media, body = 200, "application/sparql-results+json", json.dumps({"boolean": True})
        else:
            status, media = 500, "text/plain"
            body = f"{self.server.error}\n\nSPARQL query:\n{query}"
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def refusing() -> Iterator[_Refusing]:
    import threading

    httpd = _Refusing(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


def run(refusing: _Refusing, name: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    url = f"http://127.0.0.1:{refusing.server_address[1]}/sparql"
    assert cli.main(["query", "run", name, "--endpoint", url]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err.splitlines()


def test_a_refused_query_is_one_line_without_the_query_text(
    refusing: _Refusing, capsys: pytest.CaptureFixture[str]
) -> None:
    err = run(refusing, "sources", capsys)
    assert len(err) == 1, err
    assert err[0].endswith(f"HTTP 500 Internal Server Error: {TIMEOUT}"), err


def test_virtuoso_transitive_memory_names_the_query_and_suggests_a_local_store(
    refusing: _Refusing, capsys: pytest.CaptureFixture[str]
) -> None:
    refusing.error = TRANSITIVE
    err = run(refusing, "agreement", capsys)
    assert len(err) == 1, err
    url = f"http://127.0.0.1:{refusing.server_address[1]}/sparql"
    assert err[0] == (
        f"medkg: query 'agreement': Virtuoso at {url} ran out of its transitive temp memory following a "
        "property path; run the query on a local store with --graph instead of --endpoint"
    )
