"""``medkg serve`` under hostile or careless clients: origins, idle sockets, desync, sizes, encodings."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from http_client import http, interruptible, root

from graph_builder import cli
from graph_builder.endpoint.connections import EndpointHTTPServer
from graph_builder.endpoint.handler import Handler
from graph_builder.endpoint.server import SparqlServer
from graph_builder.kg.build import build_example
from graph_builder.kg.export import to_trig

pytestmark = pytest.mark.server

ASK = "/sparql?query=ASK%7B%7D"
SD = "http://www.w3.org/ns/sparql-service-description#"


@pytest.fixture(scope="module")
def tight(store_dir: Path) -> Iterator[SparqlServer]:
    """Small limits, so that the tests reach them quickly; one CORS origin allowed."""
    limits = SparqlServer(
        store_dir, port=0, workers=2, quiet=True, idle_timeout=0.5, max_connections=4, max_bytes=2000,
        cors=["http://allowed.example"],
    )  # fmt: skip
    with limits as running:
        yield running


def connect(server: SparqlServer) -> socket.socket:
    return socket.create_connection((server.host, server.port), timeout=10)


def read_all(sock: socket.socket, wait: float = 1.5) -> bytes:
    """Everything the server sends until it closes or stays silent for ``wait`` seconds."""
    sock.settimeout(wait)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return data


# --- origins (CORS) --------------------------------------------------------------------------------


def test_no_cors_headers_unless_asked(server: SparqlServer) -> None:
    status, headers, _ = http(root(server) + ASK)
    assert status == 200 and not any(h.lower().startswith("access-control") for h in headers)


def test_foreign_origin_is_refused(server: SparqlServer) -> None:
    # A web page on another origin can POST a form here without a preflight; the browser names its origin.
    body = urllib.parse.urlencode({"query": "ASK {}"}).encode()
    status, headers, text = http(server.url, body, {"Origin": "http://evil.example"})
    assert status == 403 and b"http://evil.example" in text and b"--cors" in text
    assert "Access-Control-Allow-Origin" not in headers
    preflight = {"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}
    status, headers, _ = http(server.url, headers=preflight, method="OPTIONS")
    assert status == 403 and "Access-Control-Allow-Origin" not in headers
    # The endpoint's own origin (a page it served) is no foreigner.
    own = f"http://{server.host}:{server.port}"
    assert http(root(server) + ASK, headers={"Origin": own})[0] == 200


def test_allowed_origin_is_echoed(tight: SparqlServer) -> None:
    status, headers, _ = http(root(tight) + ASK, headers={"Origin": "http://allowed.example"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "http://allowed.example"
    assert "Origin" in headers["Vary"]
    preflight = {
        "Origin": "http://allowed.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    status, headers, _ = http(tight.url, headers=preflight, method="OPTIONS")
    assert status == 204 and headers["Access-Control-Allow-Origin"] == "http://allowed.example"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert headers["Access-Control-Allow-Headers"] == "content-type"
    assert http(root(tight) + ASK, headers={"Origin": "http://allowed.example.evil"})[0] == 403


def test_cors_star_and_the_command_line(store_dir: Path) -> None:
    args = cli.build_parser().parse_args(["serve", "--cors", "http://a.example", "--cors", "*"])
    assert args.cors == ["http://a.example", "*"]
    with SparqlServer(store_dir, port=0, workers=1, quiet=True, cors=["*"]) as running:
        status, headers, _ = http(root(running) + ASK, headers={"Origin": "http://anyone.example"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"


# --- sockets ---------------------------------------------------------------------------------------


def test_idle_connection_is_closed(tight: SparqlServer) -> None:
    sock = connect(tight)
    started = time.perf_counter()
    assert read_all(sock, wait=5) == b""  # closed by the server, with nothing said
    assert time.perf_counter() - started < 3
    sock.close()
    # A body that stops arriving half-way is given up on as well.
    sock = connect(tight)
    sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nquery=AS")
    started = time.perf_counter()
    answer = read_all(sock, wait=5)
    assert time.perf_counter() - started < 3 and (answer == b"" or answer.startswith(b"HTTP/1.1 408"))
    sock.close()


def test_idle_connections_do_not_lock_out_a_client(tight: SparqlServer) -> None:
    idle = [connect(tight) for _ in range(12)]  # three times the cap of 4
    try:
        time.sleep(0.1)
        started = time.perf_counter()
        status, _, body = http(root(tight) + ASK)
        assert status == 200 and json.loads(body)["boolean"] is True
        assert time.perf_counter() - started < 2  # not after the idle timeout: at once
    finally:
        for sock in idle:
            sock.close()


def test_busy_connections_over_the_cap_get_503(tight: SparqlServer) -> None:
    # Four connections (the cap) in the middle of sending a body are busy, not idle: none is closed.
    busy = [connect(tight) for _ in range(4)]
    try:
        for sock in busy:
            sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n")
        time.sleep(0.2)
        sock = connect(tight)
        sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = read_all(sock, wait=2)
        sock.close()
        assert answer.startswith(b"HTTP/1.1 503") and b"all 4 connections are busy" in answer
        # Their bodies never come: after the idle timeout they are let go, and clients are served again.
        time.sleep(1.0)
        assert http(root(tight) + ASK)[0] == 200
    finally:
        for sock in busy:
            sock.close()


def test_listen_backlog_takes_a_burst() -> None:
    # Nothing accepts on this socket: every connect must wait in the kernel's queue, which held 5.
    httpd = EndpointHTTPServer(("127.0.0.1", 0), Handler)
    clients = []
    try:
        for _ in range(64):
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(httpd.server_address)
            clients.append(sock)
        deadline = time.perf_counter() + 0.8
        pending = set(clients)
        while pending and time.perf_counter() < deadline:
            _, writable, _ = select.select([], list(pending), [], 0.1)
            pending -= {s for s in writable if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0}
        assert not pending, f"{len(pending)} of 64 connects not accepted into the queue"
    finally:
        for sock in clients:
            sock.close()
        httpd.server_close()


@pytest.mark.parametrize(
    "request_line",
    [
        "POST /nowhere HTTP/1.1",
        "POST /update HTTP/1.1",
        "PUT /sparql HTTP/1.1",
        "DELETE /sparql HTTP/1.1",
        "GET /queries HTTP/1.1",
        "GET / HTTP/1.1",
        "POST /queries/no-such-query HTTP/1.1",
        "OPTIONS /sparql HTTP/1.1",
    ],
)
def test_a_body_is_never_read_as_the_next_request(request_line: str, server: SparqlServer) -> None:
    smuggled = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n"
    head = f"{request_line}\r\nHost: x\r\nContent-Length: {len(smuggled)}\r\n\r\n".encode()
    last = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"  # so the server closes, at once
    sock = connect(server)
    try:
        sock.sendall(head + smuggled + last)
        answer = read_all(sock)
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 ") and b"boolean" not in answer  # the ASK was never answered
    assert answer.count(b"HTTP/1.1 ") <= 2


def test_server_header_names_no_python(server: SparqlServer) -> None:
    _, headers, _ = http(root(server) + ASK)
    assert headers["Server"] == "medkg-serve"
    sock = connect(server)
    sock.sendall(b"BREW /sparql HTTP/1.1\r\nHost: x\r\n\r\n")  # answered by http.server itself
    answer = read_all(sock)
    sock.close()
    assert b"Python" not in answer and b"\r\nServer: medkg-serve\r\n" in answer


# --- answers ---------------------------------------------------------------------------------------


def test_answer_over_the_byte_cap_is_refused(tight: SparqlServer) -> None:
    query = urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o }"})
    status, _, body = http(f"{tight.url}?{query}")
    assert status == 507
    assert b"2000 bytes" in body and b"--max-bytes" in body
    assert http(root(tight) + ASK)[0] == 200


def test_service_description(server: SparqlServer) -> None:
    status, headers, body = http(server.url, headers={"Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    graph = ox.Store()
    graph.load(body, format=ox.RdfFormat.TURTLE)
    service = ox.NamedNode(SD + "Service")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    (subject,) = [q.subject for q in graph.quads_for_pattern(None, rdf_type, service)]

    def objects(predicate: str) -> set[str]:
        quads = graph.quads_for_pattern(subject, ox.NamedNode(SD + predicate), None)
        return {q.object.value for q in quads if not isinstance(q.object, ox.Triple)}

    assert objects("endpoint") == {server.url}
    assert SD + "SPARQL11Query" in objects("supportedLanguage")
    assert SD + "UnionDefaultGraph" in objects("feature")
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in objects("resultFormat")
    status, _, _ = http(server.url, headers={"Accept": "application/n-triples"})
    assert status == 200
    # A Host header that makes no IRI is not echoed: the description names the address listened on.
    status, _, body = http(server.url, headers={"Accept": "application/n-triples", "Host": "a b>"})
    assert status == 200 and f"<{server.url}>".encode() in body and b"a b" not in body
    # No query, and no RDF asked for: a protocol error, not a help page.
    for accept in (None, "text/html,application/xhtml+xml,*/*;q=0.8"):
        status, _, body = http(server.url, headers={"Accept": accept} if accept else {})
        assert status == 400 and b"query" in body
    assert http(root(server) + "/")[0] == 200


def test_non_utf8_requests_are_refused(server: SparqlServer) -> None:
    status, _, body = http(
        server.url, b"ASK { <urn:\xff> ?p ?o }", {"Content-Type": "application/sparql-query"}
    )
    assert status == 400 and b"UTF-8" in body
    status, _, body = http(server.url + "?query=ASK%20%7B%20%3Curn%3A%FF%3E%20%3Fp%20%3Fo%20%7D")
    assert status == 400 and b"UTF-8" in body
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, body = http(server.url, b"query=ASK%20%7B%20%3Curn%3A%FF%3E%20%3Fp%20%3Fo%20%7D", form)
    assert status == 400 and b"UTF-8" in body
    utf16 = {"Content-Type": "application/sparql-query; charset=UTF-16"}
    status, _, body = http(server.url, "ASK {}".encode("utf-16"), utf16)
    assert status in (400, 415) and b"UTF-16" in body
    status, _, _ = http(
        server.url, 'ASK { ?s ?p "é" }'.encode(), {"Content-Type": "application/sparql-query; charset=utf-8"}
    )
    assert status == 200


def test_the_http_side_survives_a_dead_worker(server: SparqlServer) -> None:
    for worker in list(server.pool._workers):
        worker.process.kill()
    deadline = time.perf_counter() + 30
    statuses = []
    while time.perf_counter() < deadline:
        status, _, _ = http(root(server) + ASK)
        statuses.append(status)
        if status == 200:
            break
    assert statuses[-1] == 200 and set(statuses) <= {200, 500, 503}


# --- the command -----------------------------------------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_removes_the_temporary_store(signum: int, tmp_path: Path) -> None:
    trig = tmp_path / "medkg.trig"
    trig.write_bytes(to_trig(build_example()))
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    command = [sys.executable, "-m", "graph_builder.cli", "serve", "--graph", str(trig), "--port", "0",
               "--workers", "1", "--quiet"]  # fmt: skip
    env = {**os.environ, "TMPDIR": str(scratch)}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, preexec_fn=interruptible
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "read-only" in line, process.stderr.read() if process.stderr else line
        assert [p.name[:12] for p in scratch.iterdir()] == ["medkg-serve-"]
        process.send_signal(signum)
        assert process.wait(20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert list(scratch.iterdir()) == []


def test_ctrl_c_to_the_process_group_prints_no_traceback(tmp_path: Path) -> None:
    # A terminal's Ctrl-C signals every process of the group: the query workers as well as the server.
    trig = tmp_path / "medkg.trig"
    trig.write_bytes(to_trig(build_example()))
    command = [sys.executable, "-m", "graph_builder.cli", "serve", "--graph", str(trig), "--port", "0",
               "--workers", "2", "--quiet"]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=interruptible,
    )  # fmt: skip
    try:
        assert process.stdout is not None and process.stderr is not None
        assert "read-only" in process.stdout.readline()
        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(20) == 0
        errors = process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "Traceback" not in errors and "KeyboardInterrupt" not in errors, errors


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [("--port", "99999", "0 to 65535"), ("--host", "nosuch.invalid", "nosuch.invalid")],
)
def test_a_port_or_host_it_cannot_bind_is_one_line(
    option: str, value: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trig = tmp_path / "medkg.trig"
    trig.write_bytes(to_trig(build_example()))
    assert cli.main(["serve", "--graph", str(trig), "--workers", "1", "--quiet", option, value]) == 1
    err = capsys.readouterr().err
    assert err.startswith("medkg: ") and len(err.strip().splitlines()) == 1 and says in err, err
    assert "Traceback" not in err
