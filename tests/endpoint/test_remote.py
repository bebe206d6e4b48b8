"""Push to real triple stores (Oxigraph server, Virtuoso) on loopback; named queries match local rows."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from graph_builder import cli
from graph_builder.core import namespaces as ns
from graph_builder.core.paths import SEED_ANNOTATION
from graph_builder.core.results import ResultTable
from graph_builder.endpoint import push as push_module
from graph_builder.endpoint import remote
from graph_builder.endpoint.push import push
from graph_builder.endpoint.remote import (
    Auth,
    Endpoint,
    RemoteError,
    bind_text,
    http_request,
    run_remote,
    run_remote_sparql,
)
from graph_builder.ingest.annotations import load_annotations
from graph_builder.kg.build import build_example, build_store
from graph_builder.kg.export import to_trig
from graph_builder.sparql.parameters import Parameter, to_term
from graph_builder.sparql.queries import QueryError, get_query, query_names
from graph_builder.sparql.runner import run_query, run_sparql

pytestmark = pytest.mark.server

NAMES = query_names(include_qa=True)
EVIL = 'x" } ; DROP ALL #'


def required() -> bool:
    """In CI (or when asked), a missing server is a failure, never a skip."""
    return bool(os.environ.get("CI") or os.environ.get("MEDKG_REQUIRE_BROWSER"))


def find_binary(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        message = f"{name} is not installed"
        if required():
            pytest.fail(f"{message} (CI needs it: see .ci/run and the dev extra)")
        pytest.skip(message)
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    process.kill()
    pytest.fail(f"the server did not answer {url} within {seconds} s:\n{tail(log)}")


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:]


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


@dataclass(frozen=True)
class Store:
    """A running triple store: where to query, where to write, and which engine it is."""

    engine: str
    query: Endpoint
    graph_store: Endpoint
    update: Endpoint
    isql: str = ""  # Virtuoso's SQL port, host:port
    folder: Path | None = None  # Virtuoso's folder, which its DirsAllowed lists


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """``oxigraph serve`` (PyPI oxigraph) on a free loopback port, with its data in a tmp dir."""
    binary = find_binary("oxigraph")
    folder = tmp_path_factory.mktemp("oxigraph")
    port = free_port()
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "serve", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}"],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/query?query=ASK%7B%7D", process, log)
        yield Store("oxigraph", Endpoint(f"{url}/query"), Endpoint(f"{url}/store"), Endpoint(f"{url}/update"))
    finally:
        stop(process)


VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
CheckpointInterval = 0
; Stop planning when planning takes longer than the query would: a fresh database has no
; statistics and would spend seconds on the first run of each many-join query.
StopCompilerWhenXOverRunTime = 1
MaxOptimizeLayouts = 100
DirsAllowed = ., {d}
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
ServerThreads = 10
MaxClientConnections = 10
[SPARQL]
ResultSetMaxRows = 100000
; Seconds, compiling included: a fresh database compiled related-claims for 12 s idle, 54 s on a
; loaded machine (SR171 "Transaction timed out" at 60).
MaxQueryExecutionTime = 300
"""


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Virtuoso Open Source (Debian virtuoso-opensource) with its own config, bound to 127.0.0.1.

    A fresh database has the account dba/dba; writes go to the Graph Store endpoint that needs
    HTTP Digest authentication (the unauthenticated one is read-only).
    """
    binary = find_binary("virtuoso-t")
    folder = tmp_path_factory.mktemp("virtuoso")
    http_port, sql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=folder, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    log = folder / "stdout.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "+foreground", "+configfile", str(ini)], cwd=folder, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{http_port}"
    dba = Auth("digest", "dba", "dba")
    try:
        wait_until_up(f"{url}/sparql?query=ASK%7B%7D", process, log, seconds=90)
        yield Store(
            "virtuoso",
            Endpoint(f"{url}/sparql"),
            Endpoint(f"{url}/sparql-graph-crud-auth", dba),
            Endpoint(f"{url}/sparql-auth", dba),
            isql=f"127.0.0.1:{sql_port}",
            folder=folder,
        )
    finally:
        stop(process)


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def pushed(request: pytest.FixtureRequest) -> Store:
    """Each real store, with the seed example pushed with the Graph Store Protocol."""
    store: Store = request.getfixturevalue(request.param)
    report = push(build_example(), endpoint=store.query, graph_store=store.graph_store)
    assert report.method == "graph-store" and report.triples == len(build_example())
    return store


def count(endpoint: Endpoint, sparql: str) -> int:
    """The ``?n`` of a counting query run on a store as it is (no dataset named)."""
    value = run_remote_sparql(sparql, endpoint, union="endpoint").column("n")[0]
    assert isinstance(value, int)
    return value


def key(table: ResultTable) -> list[tuple[str, ...]]:
    return [tuple("" if term is None else str(term) for term in row) for row in table.rows]


# --- the named queries on real stores ---------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_named_queries_match_local_rows(name: str, pushed: Store, seed_store: ox.Store) -> None:
    local = run_query(name, seed_store)
    there = run_remote(name, pushed.query)
    if pushed.engine == "oxigraph" and local.kind != "construct":  # a graph has no order
        assert key(there) == key(local)  # same engine: same order too
    else:
        assert sorted(key(there)) == sorted(key(local))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("unsupported-claims", "3"),
        ("claims-about", "Nerve Pain"),
        ("claims-about", "lower-back-pain"),
        ("claims-about", "https://w3id.org/medkg/entity/herpes"),
        ("remedies-for", "back pain"),
        ("causal-chains", "herpes"),
        ("chain-steps", "Nerve Pain"),
    ],
)
def test_parameters_bind_on_remote_stores(name: str, value: str, pushed: Store, seed_store: ox.Store) -> None:
    query = get_query(name)
    param = query.parameters[0]
    local = run_query(query, seed_store, {param.name: value})
    assert len(local) > 0
    assert sorted(key(run_remote(query, pushed.query, {param.name: value}))) == sorted(key(local))
    if param.type == "string":
        assert len(run_remote(query, pushed.query, {param.name: EVIL})) == 0
    everything = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert count(pushed.query, everything) >= len(seed_store)  # nothing was dropped


def test_entity_names_resolve_through_name_keys_on_remote_stores(
    pushed: Store, seed_store: ox.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name is looked up by its key (medkg:nameKey) on the endpoint, as in a local store: every name
    is read only to suggest close matches for a name that matches none."""
    unknown = "herpse"
    with pytest.raises(QueryError) as local_error:
        run_query("claims-about", seed_store, {"entity": unknown})
    with pytest.raises(QueryError) as remote_error:
        run_remote("claims-about", pushed.query, {"entity": unknown})
    assert str(remote_error.value) == str(local_error.value)  # the same close matches

    def read_every_name(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("every entity name was read to resolve one")

    monkeypatch.setattr(remote, "remote_entity_names", read_every_name)
    for name in ("LUMBAGO", "entity:herpes", "herpes simplex", ns.ENTITY + "nerve-pain", EVIL):
        try:
            local = key(run_query("claims-about", seed_store, {"entity": name}))
        except QueryError:
            continue  # no entity: the suggestions need every name
        assert sorted(key(run_remote("claims-about", pushed.query, {"entity": name}))) == sorted(local)


def test_union_strategies_on_oxigraph(oxigraph: Store, seed_store: ox.Store) -> None:
    push(seed_store, endpoint=oxigraph.query, graph_store=oxigraph.graph_store)
    local = key(run_query("all-claims", seed_store))
    # Plain `oxigraph serve`: the data sit in named graphs, its default graph is empty.
    assert not remote.default_graph_is_union(oxigraph.query)
    assert key(run_remote("all-claims", oxigraph.query, union="dataset")) == local
    assert key(run_remote("all-claims", oxigraph.query, union="auto")) == local
    assert len(run_remote("all-claims", oxigraph.query, union="endpoint")) == 0


def test_virtuoso_default_graph_is_the_union(virtuoso: Store, seed_store: ox.Store) -> None:
    push(seed_store, endpoint=virtuoso.query, graph_store=virtuoso.graph_store)
    assert remote.default_graph_is_union(virtuoso.query)
    local = key(run_query("all-claims", seed_store))
    assert key(run_remote("all-claims", virtuoso.query, union="dataset")) == local


@pytest.mark.parametrize("engine", ["oxigraph", "virtuoso"])
def test_push_with_sparql_update_keeps_blank_nodes_whole(
    engine: str, request: pytest.FixtureRequest, seed_store: ox.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store: Store = request.getfixturevalue(engine)
    # Many batches, so that the ontology's OWL blank nodes straddle batch boundaries.
    monkeypatch.setattr(push_module, "UPDATE_CHUNK", 50)
    report = push(seed_store, endpoint=store.query, update_endpoint=store.update)
    assert report.method == "update"
    ontology = f"GRAPH <{ns.ONTOLOGY_GRAPH}> {{ ?b ?p ?o FILTER(isBlank(?b)) }}"
    blanks = f"SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE {{ {ontology} }}"
    local_blanks = run_sparql(blanks, seed_store).column("n")[0]
    assert isinstance(local_blanks, int) and local_blanks > 0
    assert count(store.query, blanks) == local_blanks
    for graph, triples in report.graphs.items():
        assert (
            count(store.query, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
            == triples
        )
    local = sorted(key(run_query("all-claims", seed_store)))
    assert sorted(key(run_remote("all-claims", store.query))) == local


def test_push_prunes_sources_removed_locally(
    oxigraph: Store, write_annotation: Callable[..., Path], seed_store: ox.Store
) -> None:
    def second(data: dict[str, Any]) -> None:
        data["source"]["id"] = "a-second-article"

    two = build_store(load_annotations([SEED_ANNOTATION, write_annotation(second)]))
    push(two, endpoint=oxigraph.query, graph_store=oxigraph.graph_store)
    assert len(run_remote("sources", oxigraph.query)) == 2
    report = push(seed_store, endpoint=oxigraph.query, graph_store=oxigraph.graph_store)
    assert report.removed == [ns.source_graph_iri("a-second-article")]
    for name in NAMES:
        there, local = key(run_remote(name, oxigraph.query)), key(run_query(name, seed_store))
        if get_query(name).kind == "construct":  # a derived view: a graph has no order
            there, local = sorted(there), sorted(local)
        assert there == local, name


def test_virtuoso_graph_store_needs_credentials(virtuoso: Store, seed_store: ox.Store) -> None:
    anonymous = Endpoint(virtuoso.graph_store.url)
    with pytest.raises(RemoteError, match="HTTP 401"):
        push(seed_store, graph_store=anonymous)
    wrong = Endpoint(virtuoso.graph_store.url, Auth("digest", "dba", "not-the-password"))
    with pytest.raises(RemoteError, match="HTTP 401"):
        push(seed_store, graph_store=wrong)


def test_virtuoso_graph_store_takes_a_large_graph(virtuoso: Store) -> None:
    """A body of megabytes goes out with its Digest answer: sent first without one, Virtuoso answered
    401 before reading it and reset the connection (every second PUT of a graph over ~0.5 MB)."""
    graph = ox.NamedNode(ns.source_graph_iri("a-large-source"))
    big = ox.Store()
    label = ox.NamedNode(ns.RDFS + "label")
    big.add_graph(graph)
    big.extend(
        ox.Quad(ox.NamedNode(f"{ns.ENTITY}e{i}"), label, ox.Literal(f"entity {i} " * 5), graph)
        for i in range(20_000)
    )
    for _ in range(2):
        report = push(big, graph_store=virtuoso.graph_store, prune=False)
        assert report.triples == 20_000
    sparql = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}"
    assert count(virtuoso.query, sparql) == 20_000
    http_request(virtuoso.graph_store, method="DELETE", params=[("graph", graph.value)])


# --- the command line ----------------------------------------------------------------------------------


def test_cli_push_and_query_run_endpoint(
    pushed: Store,
    seed_store: ox.Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    trig = tmp_path / "medkg.trig"
    trig.write_bytes(to_trig(seed_store))
    args = ["push", "--graph", str(trig), "--endpoint", pushed.query.url]
    args += ["--graph-store", pushed.graph_store.url]
    if pushed.graph_store.auth is not None:
        monkeypatch.setenv("MEDKG_TEST_PASSWORD", pushed.graph_store.auth.secret)
        args += ["--user", "dba", "--auth", "digest", "--password-env", "MEDKG_TEST_PASSWORD"]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    graphs = len(list(seed_store.named_graphs()))
    assert f"pushed {graphs} graphs ({len(seed_store)} triples) with the Graph Store Protocol" in out
    assert cli.main(["query", "run", "sources", "--endpoint", pushed.query.url, "--format", "json"]) == 0
    there = json.loads(capsys.readouterr().out)
    sources = [b["source"]["value"] for b in there["results"]["bindings"]]
    assert sources == run_query("sources", seed_store).column("source")
    assert cli.main(["query", "run", "claims-about", "--endpoint", "http://127.0.0.1:9/none"]) == 1
    assert "cannot reach the endpoint" in capsys.readouterr().err


def test_cli_auth_needs_the_password_in_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("MEDKG_PASSWORD", raising=False)
    code = cli.main(["query", "run", "sources", "--endpoint", "http://127.0.0.1:9/sparql", "--user", "dba"])
    assert code == 1
    assert "reads the password from $MEDKG_PASSWORD, which is not set" in capsys.readouterr().err


# --- binding parameters as text -------------------------------------------------------------------------


def test_bind_text_escapes_an_injection_attempt() -> None:
    term = to_term(Parameter("entity", "string", None, "an entity"), EVIL)
    text = bind_text("SELECT ?c WHERE { ?c rdfs:label ?entity }", {"entity": term})
    escaped = '"x\\" } ; DROP ALL #"'
    assert text == f"SELECT ?c WHERE {{ VALUES (?entity) {{ ({escaped}) }} ?c rdfs:label {escaped} }}"
    parsed = ox.Store().query(text, prefixes=ns.PREFIXES)
    assert isinstance(parsed, ox.QuerySolutions) and list(parsed) == []  # one query, which parses


def test_bind_text_leaves_strings_comments_iris_and_sub_selects_alone() -> None:
    sparql = (
        'SELECT ?x (COUNT(*) AS ?n) WHERE {\n  # ?e in a comment\n  ?x rdfs:label "?e" ; <urn:?e> ?e .\n'
        "  { SELECT ?e WHERE { ?e a medkg:Entity } }\n  FILTER(?x != $e)\n} GROUP BY ?x ?e"
    )
    text = bind_text(sparql, {"e": ox.NamedNode("urn:e")})
    assert text == (
        "SELECT ?x (COUNT(*) AS ?n) WHERE { VALUES (?e) { (<urn:e>) }\n  # ?e in a comment\n"
        '  ?x rdfs:label "?e" ; <urn:?e> <urn:e> .\n  { SELECT ?e WHERE { ?e a medkg:Entity } }\n'
        "  FILTER(?x != <urn:e>)\n} GROUP BY ?x ?e"
    )


def test_bind_text_skips_a_construct_template() -> None:
    text = bind_text("CONSTRUCT { ?s ?p ?v } WHERE { ?s ?p ?v }", {"v": ox.Literal(1)})
    assert text.startswith("CONSTRUCT { ?s ?p ?v } WHERE { VALUES (?v)")
    assert text.endswith('?s ?p "1"^^<http://www.w3.org/2001/XMLSchema#integer> }')
    with pytest.raises(QueryError, match="no complete WHERE"):
        bind_text("SELECT * WHERE { ?s ?p ?o", {"o": ox.Literal(1)})


# --- Virtuoso's bulk loader (medkg push --bulk) ------------------------------------------------------------


def graph_counts(endpoint: Endpoint) -> dict[str, int]:
    """Triples per medkg graph in a store, counted there."""
    sparql = (
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?g), "{ns.GRAPH}")) }} GROUP BY ?g'
    )
    table = run_remote_sparql(sparql, endpoint, union="endpoint")
    return {str(g.value): int(n.value) for g, n in table.rows}  # type: ignore[union-attr]


def local_counts(store: ox.Store) -> dict[str, int]:
    return {
        g.value: sum(1 for _ in store.quads_for_pattern(None, None, None, g))
        for g in store.named_graphs()
        if isinstance(g, ox.NamedNode)
    }


def cli_rows(args: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The rows a `medkg query run` prints as SPARQL JSON, each as sorted JSON text, sorted."""
    assert cli.main([*args, "--format", "json"]) == 0, capsys.readouterr().err
    bindings = json.loads(capsys.readouterr().out)["results"]["bindings"]
    return sorted(json.dumps(b, sort_keys=True) for b in bindings)


def test_bulk_push_to_virtuoso_gives_the_local_union(
    virtuoso: Store,
    seed_store: ox.Store,
    write_annotation: Callable[..., Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from graph_builder.endpoint import virtuoso as bulk

    assert virtuoso.folder is not None
    load = virtuoso.folder / "load"

    def second(data: dict[str, Any]) -> None:
        data["source"]["id"] = "a-second-article"

    two = build_store(load_annotations([SEED_ANNOTATION, write_annotation(second)]))
    isql = bulk.Isql(virtuoso.isql)
    first = bulk.bulk_push(two, load, isql, endpoint=virtuoso.query)
    assert graph_counts(virtuoso.query)[ns.source_graph_iri("a-second-article")] > 0
    assert first.method == "bulk" and first.triples == len(two)
    # Several files (each whole graph in one): the ontology's blank nodes must stay linked.
    monkeypatch.setattr(bulk, "FILE_QUADS", 1000)
    trig = tmp_path / "medkg.trig"
    trig.write_bytes(to_trig(seed_store))
    args = ["push", "--graph", str(trig), "--bulk", str(load), "--isql", virtuoso.isql]
    assert cli.main([*args, "--endpoint", virtuoso.query.url]) == 0
    out = capsys.readouterr().out
    graphs = len(list(seed_store.named_graphs()))
    assert f"pushed {graphs} graphs ({len(seed_store)} triples) with Virtuoso's bulk loader" in out
    assert f"removed stale {ns.source_graph_iri('a-second-article')}" in out
    assert list(load.glob("medkg-*")) == []  # loaded, then removed
    assert graph_counts(virtuoso.query) == local_counts(seed_store)
    ontology = f"GRAPH <{ns.ONTOLOGY_GRAPH}> {{ ?b ?p ?o FILTER(isBlank(?b)) }}"
    blanks = f"SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE {{ {ontology} }}"
    assert count(virtuoso.query, blanks) == run_sparql(blanks, seed_store).column("n")[0]
    for query in (["sources"], ["all-claims"], ["claims-about", "--param", "entity=Nerve Pain"]):
        here = cli_rows(["query", "run", *query, "--graph", str(trig)], capsys)
        assert here, query
        assert cli_rows(["query", "run", *query, "--endpoint", virtuoso.query.url], capsys) == here


def test_bulk_push_sends_no_password_in_arguments(
    virtuoso: Store, seed_store: ox.Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A password other than isql's default goes through standard input, never the command line."""
    from graph_builder.endpoint import virtuoso as bulk

    assert virtuoso.folder is not None
    secret = "not-on-the-command-line"
    bulk.Isql(virtuoso.isql).run(f"user_set_password('dba', '{secret}');\n")
    seen: list[list[str]] = []
    real_run = subprocess.run

    def spy(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        seen.append(list(args))
        return real_run(args, **kwargs)

    monkeypatch.setattr(bulk.subprocess, "run", spy)
    loader = bulk.Isql(virtuoso.isql, "dba", secret)
    try:
        report = bulk.bulk_push(seed_store, virtuoso.folder / "load", loader, endpoint=virtuoso.query)
    finally:  # the other tests log in with Virtuoso's default
        loader.run(f"user_set_password('dba', '{bulk.ISQL_DEFAULT_PASSWORD}');\n")
    assert report.triples == len(seed_store) and graph_counts(virtuoso.query) == local_counts(seed_store)
    assert seen and all(secret not in " ".join(args) for args in seen)


def test_cli_bulk_push_errors_are_one_line_each(
    virtuoso: Store,
    seed_store: ox.Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    trig = tmp_path / "medkg.trig"
    trig.write_bytes(to_trig(seed_store))
    base = ["push", "--graph", str(trig), "--isql", virtuoso.isql]
    # A folder Virtuoso may not read (here: the server sees it as /etc, which its DirsAllowed does not
    # list; Virtuoso 7.2 reads anything under /tmp): refused before anything is written or cleared.
    local = tmp_path / "load"
    local.mkdir()
    assert cli.main([*base, "--bulk", str(local), "--server-dir", "/etc"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "FA003" in err[0] and "DirsAllowed" in err[0], err
    assert list(local.iterdir()) == []
    # Graph IRIs that could end an SQL string: each named, nothing sent.
    bad = ox.Store()
    for name in ("it's", "café"):
        graph = ox.NamedNode(ns.source_graph_iri(name))
        bad.add(ox.Quad(graph, ox.NamedNode(ns.RDFS + "label"), ox.Literal(name), graph))
    bad_trig = tmp_path / "bad.trig"
    bad_trig.write_bytes(to_trig(bad))
    assert virtuoso.folder is not None
    load = virtuoso.folder / "load"
    args = ["push", "--graph", str(bad_trig), "--isql", "127.0.0.1:9", "--bulk", str(load)]
    assert cli.main(args) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("medkg: cannot be sent to Virtuoso's isql") for line in err)
    assert "café' holds 'é'" in err[0] and 'it\'s" holds "\'"' in err[1], err
    # No server there, or no isql client.
    assert cli.main([*base[:3], "--isql", f"127.0.0.1:{free_port()}", "--bulk", str(load)]) == 1
    assert "cannot reach Virtuoso's SQL port" in capsys.readouterr().err
    assert cli.main([*base, "--bulk", str(load), "--isql-binary", "no-such-isql"]) == 1
    assert "isql client 'no-such-isql' is not installed" in capsys.readouterr().err


def test_bulk_push_reports_each_file_the_loader_refused(
    virtuoso: Store, seed_store: ox.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graph_builder.endpoint import virtuoso as bulk

    assert virtuoso.folder is not None
    real_write = bulk.write_files

    def write_with_a_broken_file(*args: Any, **kwargs: Any) -> tuple[list[Path], dict[str, int]]:
        files, counts = real_write(*args, **kwargs)
        broken = files[0].with_name("medkg-99999.nq.gz")
        with gzip.open(broken, "wb") as out:
            out.write(b"<urn:a> <urn:b> this is not N-Quads .\n")
        return [*files, broken], counts

    monkeypatch.setattr(bulk, "write_files", write_with_a_broken_file)
    with pytest.raises(RemoteError) as caught:
        bulk.bulk_push(seed_store, virtuoso.folder / "load", bulk.Isql(virtuoso.isql))
    lines = str(caught.value).splitlines()
    assert len(lines) == 1 and lines[0].startswith("Virtuoso's bulk loader refused ")
    assert "medkg-99999.nq.gz: " in lines[0], lines
    assert (virtuoso.folder / "load" / "medkg-99999.nq.gz").exists()  # kept, to look at


def corpus_cases(store: ox.Store, hub: str) -> list[tuple[str, dict[str, str]]]:
    """Every named query (qa ones too) with its defaults, and a parameter naming an entity also given
    ``hub``; a claim (IRI) or source parameter is given one the corpus has instead of its default (the
    seed's).

    Virtuoso compiles each new query text for seconds on a fresh database (related-claims: 12 s at 200
    claims, then 20 ms), so one value per parameter."""
    claim = str(run_query("all-claims", store).column("claim")[0])
    sources = [str(s) for s in run_query("sources", store).column("source")]
    given = {"source": sources[len(sources) // 2], "iri": claim}  # by parameter type
    cases: list[tuple[str, dict[str, str]]] = []
    for name in NAMES:
        params = get_query(name).parameters
        cases.append((name, {p.name: given[p.type] for p in params if p.type in given}))
        cases += [(name, {p.name: hub}) for p in params if p.type == "entity"]
    return cases


def test_virtuoso_named_queries_match_local_rows_on_a_bulk_loaded_corpus(
    virtuoso: Store, tmp_path: Path
) -> None:
    """Regression: on a bulk-loaded corpus of a few hundred claims, Virtuoso 7.2 planned a property path
    whose both ends are bound from the bound end and lost rows: claims-about (``skos:broader*``) and
    remedies-for (``rdfs:subPropertyOf+``) found none, relations only the causal relations (an
    ``IF(EXISTS { ?relation rdfs:subPropertyOf+ medkg:causallyInfluences })``). The queries now write the
    zero-length case as a UNION branch, test the path in a ``FILTER EXISTS`` or count the super-properties
    in a sub-select. Every named query is compared (:func:`corpus_cases`)."""
    from benchmarks.corpus import generate_corpus
    from graph_builder.endpoint import virtuoso as bulk

    assert virtuoso.folder is not None
    info = generate_corpus(200, tmp_path / "corpus", seed=0)
    store = build_store(load_annotations(info.annotation_files()))
    report = bulk.bulk_push(
        store, virtuoso.folder / "load", bulk.Isql(virtuoso.isql), endpoint=virtuoso.query
    )
    assert graph_counts(virtuoso.query) == local_counts(store) and report.triples == len(store)
    differ = []
    rows = {}
    for name, params in corpus_cases(store, info.hub.label):
        local = sorted(key(run_query(name, store, params)))
        there = sorted(key(run_remote(name, virtuoso.query, params)))
        rows[name, tuple(params.values())] = len(local)
        if there != local:
            differ.append(f"{name} {params}: {len(there)} rows on Virtuoso, {len(local)} here")
    assert differ == []
    # The cases that lost rows have rows to lose.
    assert rows["claims-about", ()] and rows["claims-about", (info.hub.label,)]
    assert rows["remedies-for", (info.hub.label,)]
    assert set(run_query("relations", store).column("causal")) == {True, False}
