"""Query safety: SERVICE (server-side request forgery), over-deep or over-long queries (engine crashes),
FROM / protocol datasets, and relative IRIs; the same rules on the endpoint and in ``medkg query run``."""

from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from graph_builder.core import namespaces as ns
from graph_builder.endpoint.server import SparqlServer
from graph_builder.kg.build import build_example
from graph_builder.sparql import query_guard
from graph_builder.sparql.queries import get_query, query_names
from graph_builder.sparql.query_guard import (
    CLI_BASE_IRI,
    INLINE_DEPTH,
    MAX_NESTING,
    MAX_QUERY_BYTES,
    QueryRefusedError,
    QueryShape,
    check_query_text,
    on_engine_stack,
    on_query_stack,
)
from graph_builder.sparql.runner import run_sparql

REMOTE_BINDINGS = [{"x": {"type": "literal", "value": "remote"}}]
REMOTE_ROW = {"head": {"vars": ["x"]}, "results": {"bindings": REMOTE_BINDINGS}}


# --- a stand-in for a remote endpoint: it counts every request it gets ------------------------------


class _Remote(ThreadingHTTPServer):
    daemon_threads = True
    hits: list[str]


class _RemoteHandler(BaseHTTPRequestHandler):
    server: _Remote

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        self.server.hits.append(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.path.startswith("/html"):
            body, media = b"<html>not SPARQL</html>", "text/html"
        else:
            body, media = json.dumps(REMOTE_ROW).encode(), "application/sparql-results+json"
        self.send_response(200)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer


@pytest.fixture(scope="module")
def remote() -> Iterator[_Remote]:
    httpd = _Remote(("127.0.0.1", 0), _RemoteHandler)
    httpd.hits = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def remote_url(remote: _Remote, path: str = "/sparql") -> str:
    return f"http://127.0.0.1:{remote.server_address[1]}{path}"


@pytest.fixture(scope="module")
def federating(store_dir: Path) -> Iterator[SparqlServer]:
    """A server that may send SERVICE requests to 127.0.0.1 only."""
    with SparqlServer(
        store_dir, port=0, timeout=20, workers=1, quiet=True, allow_service=("127.0.0.1",)
    ) as running:
        yield running


def ask(
    server: SparqlServer, query: str, extra: list[tuple[str, str]] | None = None, accept: str | None = None
) -> tuple[int, bytes]:
    data = urllib.parse.urlencode([("query", query), *(extra or [])]).encode()
    request = urllib.request.Request(server.url, data=data, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def count(body: bytes) -> int:
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def medkg(*args: str) -> subprocess.CompletedProcess[str]:
    """``medkg ARGS`` in a child process: a crash of the engine must not take the test run with it."""
    command = [sys.executable, "-m", "graph_builder.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


# --- 1. SERVICE ------------------------------------------------------------------------------------

SSRF_FORMS = [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?x ?y ?z }} }}",
    "select * where {{ service <{url}> {{ ?x ?y ?z }} }}",
    "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?x ?y ?z }} }}",
    "PREFIX far: <{url}> SELECT * WHERE {{ SERVICE far: {{ ?x ?y ?z }} }}",
    "BASE <{url}> SELECT * WHERE {{ SERVICE <x> {{ ?x ?y ?z }} }}",
    "SELECT * WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?x ?y ?z }} }}",
    "PREFIX ex: <urn:x#> SELECT * WHERE {{ ?s ex:a\\' ?o . SERVICE <{url}> {{ ?x ?y ?z }} # '\n}}",
    "SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?x ?y ?z }} }} }} }}",
]


@pytest.mark.server
@pytest.mark.parametrize("form", SSRF_FORMS)
def test_endpoint_refuses_service_and_sends_nothing(form: str, server: SparqlServer, remote: _Remote) -> None:
    before = len(remote.hits)
    status, body = ask(server, form.format(url=remote_url(remote)))
    assert (status, len(remote.hits) - before) == (400, 0), body
    assert body.decode().count("\n") == 1 and "SERVICE is refused" in body.decode()
    assert "--allow-service" in body.decode()


# For a tokenizer that always reads <'a> as an IRI, the SERVICE below would sit inside strings;
# Oxigraph reads 1 < 'a>' as a comparison, so the SERVICE is live (checked: it connects).
CONFUSING_FORMS = [
    "SELECT * WHERE {{ FILTER(1<'a>' || 'b' = 'c') SERVICE <{url}> {{ ?x ?y ?z }} # '\n}}",
    "SELECT (EXISTS {{}} AS ?e) (1<'a>' || 'b' = 'c' AS ?x) WHERE {{ SERVICE <{url}> {{ }} # '\n}}",
    "SELECT * WHERE {{ }} GROUP BY ?s HAVING (COUNT(*)<'#>' = 1) ORDER BY ?s\n"
    "VALUES ?s {{ }} # SERVICE <{url}> {{ }}",
]


@pytest.mark.server
@pytest.mark.parametrize("form", CONFUSING_FORMS)
def test_strings_hidden_in_comparisons_cannot_smuggle_service(
    form: str, server: SparqlServer, remote: _Remote
) -> None:
    before = len(remote.hits)
    status, body = ask(server, form.format(url=remote_url(remote)))
    assert (status, len(remote.hits) - before) == (400, 0), body
    with pytest.raises(QueryRefusedError, match="after an operand"):
        check_query_text(form.format(url=remote_url(remote)), allow_service=("example.org",))


def test_comparisons_and_iris_are_told_apart() -> None:
    """< compares after an operand inside an expression, and starts an IRI everywhere else."""
    check_query_text(
        "SELECT (EXISTS { ?s <urn:p> (1 <urn:x#y>) } AS ?e) (1 < <urn:x> AS ?f) WHERE {"
        " ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o FILTER(?o<3 && ?o>=<urn:z>) }"
        " GROUP BY ?s HAVING (COUNT(*)<3) ORDER BY DESC(?s) VALUES (?s) { (<urn:it's#a>) }"
    )


@pytest.mark.server
def test_endpoint_refusal_does_not_scan_ports(server: SparqlServer) -> None:
    """A closed port and an open one get the same answer, before any connection is tried."""
    status, body = ask(server, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }")
    assert status == 400 and b"Connection refused" not in body and b"SERVICE is refused" in body


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { BIND("SERVICE <http://127.0.0.1:9/>" AS ?x) }',
        "SELECT * WHERE { BIND('''SERVICE\n<http://127.0.0.1:9/>''' AS ?x) }",
        "# SERVICE <http://127.0.0.1:9/> { }\nSELECT * WHERE { ?service ?p ?o } LIMIT 1",
        "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
        "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:SERVICE ?o }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }",
    ],
)
def test_service_in_literals_comments_and_names_is_not_refused(query: str, seed_store: ox.Store) -> None:
    check_query_text(query)
    run_sparql(query, seed_store)  # runs, and fetches nothing: there is no SERVICE


def test_cli_refuses_service(remote: _Remote, store_dir: Path) -> None:
    before = len(remote.hits)
    result = medkg("query", "run", "--graph", str(store_dir), "--sparql",
                   f"SELECT * WHERE {{ SERVICE <{remote_url(remote)}> {{ ?x ?y ?z }} }}")  # fmt: skip
    assert result.returncode == 1 and len(remote.hits) == before
    assert result.stderr.startswith("medkg: SERVICE is refused") and result.stderr.count("\n") == 1


def test_cli_allow_service(remote: _Remote, store_dir: Path) -> None:
    query = f"SELECT ?x WHERE {{ SERVICE <{remote_url(remote)}> {{ ?x ?y ?z }} }}"
    base = ["query", "run", "--graph", str(store_dir), "--format", "json", "--sparql"]
    result = medkg(*base, query, "--allow-service", "127.0.0.1")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["results"]["bindings"] == REMOTE_BINDINGS
    result = medkg(*base, query, "--allow-service", "example.org")
    assert result.returncode == 1 and "127.0.0.1" in result.stderr and result.stderr.count("\n") == 1
    html = query.replace("/sparql", "/html")
    result = medkg(*base, html, "--allow-service", "127.0.0.1")
    assert result.returncode == 1 and result.stderr.startswith("medkg: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


@pytest.mark.server
def test_endpoint_allow_service(federating: SparqlServer, remote: _Remote) -> None:
    status, body = ask(federating, f"SELECT ?x WHERE {{ SERVICE <{remote_url(remote)}> {{ ?x ?y ?z }} }}")
    assert status == 200 and json.loads(body)["results"]["bindings"] == REMOTE_BINDINGS
    status, body = ask(federating, "SELECT * WHERE { SERVICE <http://localhost:9/x> { ?s ?p ?o } }")
    assert status == 400 and b"localhost" in body and b"127.0.0.1" in body
    status, body = ask(federating, "SELECT * WHERE { BIND(<http://127.0.0.1:9/> AS ?e) SERVICE ?e { } }")
    assert status == 400 and b"variable" in body
    # A non-SPARQL answer from an allowed service is the remote's fault: 502, one line, worker alive.
    status, body = ask(
        federating, f"SELECT * WHERE {{ SERVICE <{remote_url(remote, '/html')}> {{ ?s ?p ?o }} }}"
    )
    assert status == 502 and body.decode().count("\n") == 1, body
    assert ask(federating, "ASK {}") == (200, b'{"head": {}, "boolean": true}')


def test_check_service_hosts() -> None:
    allowed = ("Example.ORG",)
    check_query_text("SELECT * { SERVICE <http://example.org:8080/sparql> {} }", allow_service=allowed)
    for refused in (
        "SELECT * { SERVICE <http://evil.example/sparql> {} }",
        "SELECT * { SERVICE <http://example.org.evil.example/> {} }",
        "SELECT * { SERVICE <http://user@evil.example/> {} }",
        "SELECT * { SERVICE <file:///etc/passwd> {} }",
        "SELECT * { SERVICE ?e {} }",
        "SELECT * { SERVICE undeclared:x {} }",
    ):
        with pytest.raises(QueryRefusedError):
            check_query_text(refused, allow_service=allowed)


# --- 2. nesting and size ---------------------------------------------------------------------------

DEEP = "SELECT * WHERE " + "{" * 3000 + "}" * 3000


@pytest.mark.server
def test_endpoint_refuses_deep_nesting_and_keeps_serving(server: SparqlServer) -> None:
    for _ in range(3):  # one more than the workers: a crash would leave none
        status, body = ask(server, DEEP)
        assert status == 400 and b"nested" in body and body.decode().count("\n") == 1
    assert ask(server, "ASK {}") == (200, b'{"head": {}, "boolean": true}')


def test_cli_refuses_deep_nesting(store_dir: Path) -> None:
    result = medkg("query", "run", "--graph", str(store_dir), "--sparql", DEEP)
    assert result.returncode == 1, result.returncode
    assert (
        result.stderr.startswith("medkg: ") and "nested" in result.stderr and result.stderr.count("\n") == 1
    )


@pytest.mark.parametrize(
    ("query", "word"),
    [
        ("SELECT * WHERE { FILTER(" + "(" * 500 + "1" + ")" * 500 + ") }", "nested"),
        ("SELECT * WHERE { ?s ?p " + "[ ?p " * 100 + "1" + " ]" * 100 + " }", "nested"),
        ("SELECT * WHERE { FILTER(" + "!" * 20000 + "true) }", "nested"),
        # Long flat chains crash Oxigraph too (7,000 terms of + or 2,600 MINUS measured).
        ("SELECT * WHERE { BIND(1" + "+1" * 7000 + " AS ?x) }", "operators"),
        ("SELECT * WHERE { " + "MINUS {} " * 3000 + "}", "operators"),
        ("SELECT * WHERE { " + "{} " * 3000 + "}", "operators"),
        ("SELECT * WHERE { ?s ?p ?o } #" + "x" * MAX_QUERY_BYTES, "KiB"),
    ],
)
def test_over_deep_or_long_queries_are_refused(query: str, word: str) -> None:
    with pytest.raises(QueryRefusedError, match=word) as refused:
        check_query_text(query)
    assert "\n" not in str(refused.value)


SHAPES: list[Callable[[int], str]] = [
    lambda n: "SELECT * WHERE " + "{" * n + "}" * n,
    lambda n: "SELECT * WHERE { FILTER(" + "(" * n + "1" + ")" * n + ") }",
    lambda n: "SELECT * WHERE { FILTER(" + "!" * n + "true) }",
    lambda n: "SELECT * WHERE { " + "MINUS { } " * n + "}",
    lambda n: "SELECT * WHERE { " + "".join(f"BIND({i} AS ?v{i}) " for i in range(n)) + "}",
    lambda n: "SELECT * WHERE { {} " + "UNION {} " * n + "}",
    lambda n: "SELECT * WHERE { BIND(1" + " + 1" * n + " AS ?x) }",
    lambda n: "SELECT * WHERE { FILTER(false" + " || false" * n + ") }",
    lambda n: "SELECT * WHERE " + "{ OPTIONAL " * 60 + "{ " + "MINUS { } " * n + "}" * 61,
]


def largest_accepted(shape: Callable[[int], str]) -> int:
    low, high = 0, 100_000
    while high - low > 1:
        middle = (low + high) // 2
        try:
            check_query_text(shape(middle))
            low = middle
        except QueryRefusedError:
            high = middle
    return low


def test_the_limits_leave_a_wide_margin() -> None:
    """Twice the largest accepted query of each shape still runs in Oxigraph (in a child process)."""
    sizes = [largest_accepted(shape) for shape in SHAPES]
    assert all(size > 0 for size in sizes)
    assert sizes[0] == MAX_NESTING
    doubled = [shape(2 * size) for shape, size in zip(SHAPES, sizes, strict=True)]
    program = (
        "import pyoxigraph, sys\nfor q in sys.stdin.read().split('\\0'): list(pyoxigraph.Store().query(q))"
    )
    result = subprocess.run([sys.executable, "-c", program], input="\0".join(doubled), text=True, timeout=120)
    assert result.returncode == 0


@pytest.mark.parametrize("name", query_names(include_qa=True))
def test_every_shipped_query_passes_the_check(name: str) -> None:
    check_query_text(get_query(name).sparql)


# --- 3. FROM and the protocol's dataset ------------------------------------------------------------


def graph_size(graph: str) -> int:
    return len(list(build_example().quads_for_pattern(None, None, None, ox.NamedNode(graph))))


COUNT = "SELECT (COUNT(*) AS ?n) {from} WHERE {{ ?s ?p ?o }}"
COUNT_NAMED = "SELECT (COUNT(*) AS ?n) {from} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"


def test_from_is_honoured_locally(seed_store: ox.Store) -> None:
    onto = graph_size(ns.ONTOLOGY_GRAPH)
    assert 0 < onto < len(seed_store)

    def n(query: str) -> int:
        return int(run_sparql(query, seed_store).rows[0][0].value)  # type: ignore[union-attr]

    assert n(COUNT.format(**{"from": ""})) == len(seed_store)  # no FROM: the union of all graphs
    assert n(COUNT.format(**{"from": f"FROM <{ns.ONTOLOGY_GRAPH}>"})) == onto
    assert n(COUNT.format(**{"from": "from <urn:nothing>"})) == 0
    assert n(COUNT.format(**{"from": f"FROM NAMED <{ns.ONTOLOGY_GRAPH}>"})) == 0  # default graph empty
    assert n(COUNT_NAMED.format(**{"from": f"FROM NAMED <{ns.ONTOLOGY_GRAPH}>"})) == onto


@pytest.mark.server
def test_from_and_protocol_dataset_on_the_endpoint(server: SparqlServer) -> None:
    onto, shared = graph_size(ns.ONTOLOGY_GRAPH), graph_size(ns.SHARED_GRAPH)
    total = len(build_example())
    assert 0 < onto < total and 0 < shared < total

    def n(template: str, frm: str = "", extra: list[tuple[str, str]] | None = None) -> int:
        status, body = ask(server, template.format(**{"from": frm}), extra)
        assert status == 200, body
        return count(body)

    assert n(COUNT) == total
    assert n(COUNT, f"FROM <{ns.ONTOLOGY_GRAPH}>") == onto
    assert n(COUNT, "FROM <urn:nothing>") == 0
    assert n(COUNT, f"FROM <{ns.ONTOLOGY_GRAPH}> FROM <{ns.SHARED_GRAPH}>") == onto + shared
    # Protocol parameters override the query's FROM.
    assert n(COUNT, "FROM <urn:nothing>", [("default-graph-uri", ns.SHARED_GRAPH)]) == shared
    # Only named-graph-uri: the default graph is empty, and GRAPH ?g sees the listed graphs only.
    assert n(COUNT, "", [("named-graph-uri", ns.ONTOLOGY_GRAPH)]) == 0
    assert n(COUNT_NAMED, "", [("named-graph-uri", ns.ONTOLOGY_GRAPH)]) == onto
    assert n(COUNT_NAMED, f"FROM NAMED <{ns.SHARED_GRAPH}>", [("named-graph-uri", ns.ONTOLOGY_GRAPH)]) == onto
    # The W3C query_multiple_dataset shape: FROM in the query, named graphs by the protocol.
    both = [("named-graph-uri", ns.ONTOLOGY_GRAPH), ("named-graph-uri", ns.SHARED_GRAPH)]
    assert n(COUNT_NAMED, "FROM <urn:nothing>", both) == onto + shared


# --- 4. relative IRIs ------------------------------------------------------------------------------


@pytest.mark.server
def test_relative_iris_resolve_against_the_endpoint(server: SparqlServer) -> None:
    status, body = ask(server, "CONSTRUCT { <s> <p> 1 } WHERE {}", [("default-graph-uri", "urn:none")],
                       accept="application/n-triples")  # fmt: skip
    assert status == 200, body
    base = server.url
    (triple,) = ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
    assert triple.subject == ox.NamedNode(urllib.parse.urljoin(base, "s"))


def test_relative_iris_resolve_against_the_cli_base(seed_store: ox.Store) -> None:
    table = run_sparql("CONSTRUCT { <s> <p> 1 } WHERE {}", seed_store)
    assert table.rows[0][0] == ox.NamedNode(urllib.parse.urljoin(CLI_BASE_IRI, "s"))


def test_queries_run_on_a_deep_stack() -> None:
    """Defence in depth: a query past the limits, run without the check, crashes Oxigraph on an 8 MiB
    stack but not on the engine stack that medkg runs every query on."""
    program = (
        "import pyoxigraph, sys\n"
        "from graph_builder.sparql.query_guard import on_engine_stack\n"
        "query = 'SELECT * WHERE ' + '{' * 3000 + '}' * 3000\n"
        "run = lambda: list(pyoxigraph.Store().query(query))\n"
        "print(len(on_engine_stack(run) if sys.argv[1] == 'deep' else run()))\n"
    )
    deep = subprocess.run([sys.executable, "-c", program, "deep"], capture_output=True, text=True, timeout=60)
    assert (deep.returncode, deep.stdout) == (0, "1\n"), deep.stderr
    main = subprocess.run(["bash", "-c", 'ulimit -s 8192 && exec "$0" -c "$1" main', sys.executable, program],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert main.returncode != 0  # the same query on the usual stack: the process dies


# --- repeated checks and nested engine calls ----------------------------------------------------------


def test_check_query_text_memoises_accepted_texts_but_refuses_every_time() -> None:
    text = "SELECT * FROM <urn:memo> { ?s ?p ?o }"
    first = check_query_text(text)
    assert first.has_dataset
    assert check_query_text(text) is first  # the second call is answered from the cache
    assert check_query_text(text, base_iri="http://example.org/") is not first  # other arguments, other entry
    refused = "SELECT * { SERVICE <http://127.0.0.1:9/> {} }"
    for _ in range(3):  # a refusal is never remembered as an answer
        with pytest.raises(QueryRefusedError, match="SERVICE is refused"):
            check_query_text(refused)
    assert check_query_text(refused, allow_service=["127.0.0.1"]).services == ("http://127.0.0.1:9/",)
    with pytest.raises(QueryRefusedError, match="SERVICE is refused"):  # the allowed call left no trace
        check_query_text(refused)


def test_on_engine_stack_does_not_nest_threads() -> None:
    """The server's worker runs ``execute`` on the engine stack, which runs a named query, which asks
    for the engine stack again: that inner call must not start a second 256 MiB thread."""

    def outer() -> tuple[threading.Thread, threading.Thread]:
        return threading.current_thread(), on_engine_stack(threading.current_thread)

    first, second = on_engine_stack(outer)
    assert first is not threading.current_thread()
    assert second is first


def test_engine_threads_are_parked_and_reused() -> None:
    """A thread with a 256 MiB stack cost ~0.5-1.5 ms to start, more than a query over the statistics
    takes: the next call runs on the parked thread; callers at once get a thread each."""
    first = on_engine_stack(threading.current_thread)
    assert on_engine_stack(threading.current_thread) is first  # parked, then handed the next call
    gate = threading.Barrier(3, timeout=10)

    def both_at_once() -> threading.Thread:
        gate.wait()  # three engine threads are busy at the same time
        return threading.current_thread()

    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        threads = list(pool.map(lambda _: on_engine_stack(both_at_once), range(3)))
    assert len(set(threads)) == 3
    assert len(query_guard._IDLE) <= query_guard.MAX_IDLE_ENGINE_THREADS
    with pytest.raises(ZeroDivisionError):  # an error reaches the caller, and the thread serves on
        on_engine_stack(divmod, 1, 0)
    assert on_engine_stack(divmod, 7, 2) == (3, 1)


#: Accepted queries as deep as a query may be and still run on the caller's thread, one per way of
#: nesting that the engine recurses on (each within 4 of INLINE_DEPTH; the test checks that too).
SHALLOW_ENOUGH = {
    "braces": "SELECT * WHERE " + "{" * 30 + " ?s ?p ?o " + "}" * 30,
    "parentheses": "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 56 + "true" + ")" * 56 + ") }",
    "operators": "SELECT * WHERE { ?s ?p ?o FILTER(" + " + ".join(["1"] * 56) + " > 0) }",
    "negations": "SELECT * WHERE { ?s ?p ?o FILTER(" + "!" * 56 + "true) }",
    "path": "SELECT * WHERE { ?s " + "(" * 58 + "<urn:p>" + ")" * 58 + " ?o }",
    "blank nodes": "SELECT * WHERE { ?s <urn:p> " + "[ <urn:p> " * 58 + "?o" + " ]" * 58 + " }",
}


def test_queries_shallow_enough_run_on_an_eighth_of_the_main_stack() -> None:
    """The margin of on_query_stack: a query it runs on a main thread of 8 MiB or more also runs on
    1 MiB (measured: on 256 KiB too), for every way of nesting."""
    depths = {name: check_query_text(text).depth for name, text in SHALLOW_ENOUGH.items()}
    assert all(INLINE_DEPTH - 4 <= d <= INLINE_DEPTH for d in depths.values()), depths
    program = (
        "import pyoxigraph, sys, json\n"
        "store = pyoxigraph.Store()\n"
        "store.add(pyoxigraph.Quad(*(pyoxigraph.NamedNode('urn:' + x) for x in 'sps')))\n"
        "print(sum(len(list(store.query(text))) for text in json.loads(sys.argv[1])))\n"
    )
    texts = json.dumps(list(SHALLOW_ENOUGH.values()))
    run = subprocess.run(["bash", "-c", 'ulimit -s 1024 && exec "$0" -c "$1" "$2"', sys.executable, program, texts],
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert (run.returncode, run.stdout) == (0, f"{len(SHALLOW_ENOUGH)}\n"), run.stderr


def test_shallow_queries_run_on_the_main_thread_and_others_on_an_engine_thread() -> None:
    """On an engine thread a query cost 6-25% more CPU than on the main thread (glibc serves each
    thread from an arena of its own), plus the hand-over: a shallow query runs where it is asked."""
    main = threading.main_thread()
    assert on_query_stack(check_query_text(SHALLOW_ENOUGH["braces"]), threading.current_thread) is main
    deep = QueryShape(depth=INLINE_DEPTH + 1)
    assert on_query_stack(deep, threading.current_thread).name == "medkg-query"
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # a thread whose stack size is not known
        other = pool.submit(on_query_stack, QueryShape(depth=1), threading.current_thread).result()
    assert other.name == "medkg-query"
    program = (
        "import threading\n"
        "from graph_builder.sparql.query_guard import QueryShape, on_query_stack\n"
        "print(on_query_stack(QueryShape(depth=1), threading.current_thread).name)\n"
    )
    small = subprocess.run(["bash", "-c", 'ulimit -s 4096 && exec "$0" -c "$1"', sys.executable, program],
                           capture_output=True, text=True, timeout=60)  # fmt: skip
    assert (small.returncode, small.stdout) == (0, "medkg-query\n"), small.stderr  # a main stack under 8 MiB


def test_a_forked_child_starts_its_own_engine_threads() -> None:
    """The parked threads do not exist in a forked child (the build forks its readers): a call there
    must start one, not wait forever for a thread that is not there."""
    on_engine_stack(int)  # a thread parked in this process
    assert query_guard._IDLE
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only if the call came back
        code = 1
        try:
            code = 0 if on_engine_stack(divmod, 7, 2) == (3, 1) else 1
        finally:
            os._exit(code)
    deadline = time.monotonic() + 20
    while (waited := os.waitpid(pid, os.WNOHANG)) == (0, 0) and time.monotonic() < deadline:
        time.sleep(0.02)
    if waited == (0, 0):
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pytest.fail("the forked child waited for an engine thread of its parent")
    assert os.waitstatus_to_exitcode(waited[1]) == 0
