"""``medkg serve``: real SPARQL clients (SPARQLWrapper, rdflib's SPARQLStore) get the CLI's rows."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from http_client import http, interruptible
from http_client import root as base
from rdflib import BNode, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from graph_builder import cli
from graph_builder.core import namespaces as ns
from graph_builder.endpoint.negotiation import GRAPH_TYPES, RESULT_TYPES
from graph_builder.endpoint.remote import bound_text
from graph_builder.endpoint.server import SparqlServer, prepare_store
from graph_builder.kg.build import build_example
from graph_builder.kg.export import to_trig
from graph_builder.sparql.parameters import resolve_in_store
from graph_builder.sparql.queries import get_query, query_names
from graph_builder.sparql.runner import run_query, run_sparql

pytestmark = pytest.mark.server

NAMES = query_names(include_qa=True)
# The qa queries return no rows on the seed, so a client's rows and the CLI's would agree trivially;
# tests/sparql/test_queries.py shows each qa query finding rows in a broken graph.
#: The named queries that give rows (the derived views, CONSTRUCTs, give graphs: tests/kg/test_derived_views.py).
ROW_NAMES = [n for n in query_names(include_qa=False) if get_query(n).kind == "select"]
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a (!<urn:medkg:none>)* ?b . ?c (!<urn:medkg:none>)* ?d }"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

Key = tuple[str, str, str] | None


@pytest.fixture(scope="module")
def small_server(store_dir: Path) -> Iterator[SparqlServer]:
    """A server with a short timeout and a small row cap."""
    with SparqlServer(store_dir, port=0, timeout=1.5, max_rows=5, workers=2, quiet=True) as running:
        yield running


def form(**fields: str) -> bytes:
    return urllib.parse.urlencode(fields).encode()


# --- comparable rows -------------------------------------------------------------------------------


def ox_key(term: Any) -> Key:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("uri", term.value, "")
    if isinstance(term, ox.BlankNode):
        return ("bnode", "", "")
    return ("literal", term.value, term.language or term.datatype.value)


def json_key(binding: dict[str, str] | None) -> Key:
    if binding is None:
        return None
    if binding["type"] == "uri":
        return ("uri", binding["value"], "")
    if binding["type"] == "bnode":
        return ("bnode", "", "")
    return ("literal", binding["value"], binding.get("xml:lang") or binding.get("datatype") or XSD_STRING)


def rdflib_key(term: Any) -> Key:
    if term is None:
        return None
    if isinstance(term, URIRef):
        return ("uri", str(term), "")
    if isinstance(term, BNode):
        return ("bnode", "", "")
    assert isinstance(term, Literal)
    return ("literal", str(term), term.language or str(term.datatype or XSD_STRING))


def cli_rows(name: str, store_dir: Path, capsys: pytest.CaptureFixture[str]) -> list[list[Key]]:
    """The rows ``medkg query run NAME --format json`` prints."""
    capsys.readouterr()
    assert cli.main(["query", "run", name, "--graph", str(store_dir), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    names = doc["head"]["vars"]
    return [[json_key(b.get(v)) for v in names] for b in doc["results"]["bindings"]]


def client_text(name: str, seed_store: ox.Store) -> str:
    """A query's text with its parameters at their defaults, bound as RDF terms (entity names resolved)."""
    return bound_text(get_query(name), resolve=functools.partial(resolve_in_store, seed_store))


# --- real clients ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ROW_NAMES)
def test_sparqlwrapper_gets_the_cli_rows(
    name: str,
    corpus_server: SparqlServer,
    corpus_dir: Path,
    capsys: pytest.CaptureFixture[str],
    corpus_store: ox.Store,
) -> None:
    client = SPARQLWrapper(corpus_server.url)
    client.setQuery(client_text(name, corpus_store))
    client.setReturnFormat(JSON)
    doc = client.queryAndConvert()
    assert isinstance(doc, dict)
    names = doc["head"]["vars"]
    rows = [[json_key(b.get(v)) for v in names] for b in doc["results"]["bindings"]]
    assert rows, "an empty result would agree with anything"
    assert rows == cli_rows(name, corpus_dir, capsys)


@pytest.mark.parametrize("name", ROW_NAMES)
def test_rdflib_sparqlstore_gets_the_cli_rows(
    name: str,
    corpus_server: SparqlServer,
    corpus_dir: Path,
    capsys: pytest.CaptureFixture[str],
    corpus_store: ox.Store,
) -> None:
    store = SPARQLStore(query_endpoint=corpus_server.url)  # asks for SPARQL results XML
    result = store.query(client_text(name, corpus_store))
    rows = [[rdflib_key(term) for term in row] for row in result]  # type: ignore[union-attr]
    assert rows, "an empty result would agree with anything"
    assert rows == cli_rows(name, corpus_dir, capsys)


def test_sparqlwrapper_post_and_named_query_by_name(server: SparqlServer, store_dir: Path) -> None:
    client = SPARQLWrapper(server.url)
    client.setMethod(POST)
    client.setQuery("ASK { entity:herpes claimed:causes entity:lower-back-pain }")
    client.setReturnFormat(JSON)
    assert client.queryAndConvert() == {"head": {}, "boolean": True}

    status, _, body = http(f"{base(server)}/queries/unsupported-claims?maxRank=1")
    local = run_query("unsupported-claims", ox.Store.read_only(str(store_dir)), {"maxRank": "1"})
    assert status == 200
    doc = json.loads(body)
    assert [b["claim"]["value"] for b in doc["results"]["bindings"]] == local.column("claim")
    status, _, body = http(f"{base(server)}/queries/qa/quote-not-verbatim.rq")
    assert status == 200 and body.startswith(b"#+ summary:")


def test_catalogue_lists_every_named_query(server: SparqlServer) -> None:
    status, _, body = http(f"{base(server)}/queries")
    catalogue = json.loads(body)["queries"]
    assert status == 200
    assert [q["name"] for q in catalogue] == NAMES
    about = next(q for q in catalogue if q["name"] == "claims-about")
    assert about["parameters"][0]["name"] == "entity" and about["url"] == "/queries/claims-about"


def test_named_query_parameter_cannot_inject(server: SparqlServer) -> None:
    evil = 'x" } ; DROP ALL #'
    status, _, body = http(f"{base(server)}/queries/claims-about?" + urllib.parse.urlencode({"entity": evil}))
    assert status == 400 and b"unknown entity 'x\" } ; DROP ALL #'" in body  # a name, resolved in Python
    status, _, body = http(f"{base(server)}/queries/claims-about?entity=herpes")
    assert status == 200 and json.loads(body)["results"]["bindings"]


def test_named_query_errors_say_what_is_wrong(server: SparqlServer) -> None:
    status, _, body = http(f"{base(server)}/queries/no-such-query")
    assert status == 404 and b"no query named 'no-such-query'" in body
    status, _, body = http(f"{base(server)}/queries/unsupported-claims?rank=1")
    assert status == 400 and b"has no parameter 'rank'" in body
    status, _, body = http(f"{base(server)}/queries/unsupported-claims?maxRank=two")
    assert status == 400 and b"must be an integer" in body
    # get_query reads any .rq path it is given; the server must not.
    status, _, _ = http(f"{base(server)}/queries/..%2F..%2Fqueries%2Fall-claims.rq")
    assert status == 404


# --- protocol --------------------------------------------------------------------------------------


def test_updates_are_refused(server: SparqlServer) -> None:
    url = server.url
    assert http(url, form(update="DROP ALL"))[0] == 403
    sparql_update = {"Content-Type": "application/sparql-update"}
    assert http(url, b"DROP ALL", sparql_update)[0] == 403
    status, _, body = http(url + "?update=" + urllib.parse.quote("DROP ALL"))
    assert status == 403 and b"read-only" in body
    assert http(base(server) + "/update", form(update="DROP ALL"))[0] == 403
    assert http(url, b"", method="PUT")[0] == 405
    assert http(url, method="DELETE")[0] == 405
    client = SPARQLWrapper(server.url)
    client.setMethod(POST)
    client.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises((SPARQLWrapperException, urllib.error.HTTPError)):
        client.query()
    status, _, body = http(url + "?" + urllib.parse.urlencode({"query": "ASK { <urn:a> <urn:b> <urn:c> }"}))
    assert json.loads(body)["boolean"] is False


def test_query_by_post_body_and_dataset_parameters(server: SparqlServer) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    status, _, body = http(server.url, count.encode(), {"Content-Type": "application/sparql-query"})
    union = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    assert status == 200 and union == len(build_example())
    params = urllib.parse.urlencode({"query": count, "default-graph-uri": ns.ONTOLOGY_GRAPH})
    status, _, body = http(f"{server.url}?{params}")
    assert 0 < int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) < union
    status, _, body = http(server.url, form(query="SELEKT nothing"))
    assert status == 400 and b"bad query" in body
    assert http(server.url, b"x", {"Content-Type": "text/plain"})[0] == 415


@pytest.mark.parametrize("fmt", list(RESULT_TYPES))
def test_results_content_negotiation(fmt: str, server: SparqlServer) -> None:
    query = urllib.parse.urlencode({"query": "SELECT ?s ?label { ?s rdfs:label ?label } ORDER BY ?s LIMIT 3"})
    accept = {"Accept": f"{RESULT_TYPES[fmt]}, */*;q=0.1"}
    status, headers, body = http(f"{server.url}?{query}", headers=accept)
    assert status == 200 and headers["Content-Type"].startswith(RESULT_TYPES[fmt])
    if fmt in ("json", "xml", "tsv"):
        solutions = ox.parse_query_results(body, format=getattr(ox.QueryResultsFormat, fmt.upper()))
        assert isinstance(solutions, ox.QuerySolutions) and len(list(solutions)) == 3
    else:
        assert body.decode().splitlines()[0] == "s,label" and len(body.decode().splitlines()) == 4


@pytest.mark.parametrize("fmt", list(GRAPH_TYPES))
def test_graph_content_negotiation(fmt: str, server: SparqlServer) -> None:
    query = "CONSTRUCT { ?s rdfs:label ?o } WHERE { ?s a medkg:Disease ; rdfs:label ?o }"
    status, headers, body = http(server.url, form(query=query), {"Accept": GRAPH_TYPES[fmt]})
    assert status == 200 and headers["Content-Type"].startswith(GRAPH_TYPES[fmt])
    rdf_format = ox.RdfFormat.from_media_type(GRAPH_TYPES[fmt])
    assert rdf_format is not None
    triples = list(ox.parse(body, format=rdf_format))
    assert len(triples) == len(run_sparql("SELECT * WHERE { ?s a medkg:Disease }", build_example())) > 0


def test_format_parameter_and_not_acceptable(server: SparqlServer) -> None:
    query = urllib.parse.urlencode({"query": "SELECT ?s WHERE { ?s a medkg:Disease }", "format": "csv"})
    status, headers, _ = http(f"{server.url}?{query}", headers={"Accept": "application/sparql-results+json"})
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    status, _, body = http(f"{server.url}?query=ASK%7B%7D", headers={"Accept": "image/png"})
    assert status == 406 and b"application/sparql-results+json" in body


@pytest.mark.parametrize(
    "query",
    [
        "ASK { entity:herpes claimed:causes entity:lower-back-pain }",
        "ASK { entity:herpes claimed:causes entity:herpes }",
        "SELECT ?s ?label ?none WHERE { ?s a medkg:Disease ; rdfs:label ?label } ORDER BY ?s ?label",
        "CONSTRUCT { ?s rdfs:label ?o } WHERE { ?s a medkg:Disease ; rdfs:label ?o }",
    ],
)
def test_endpoint_gives_the_cli_table(query: str, server: SparqlServer, store_dir: Path) -> None:
    local = run_sparql(query, ox.Store.read_only(str(store_dir)))
    accept = GRAPH_TYPES["ntriples"] if local.kind == "construct" else RESULT_TYPES["json"]
    status, headers, body = http(server.url, form(query=query), {"Accept": accept})
    assert status == 200 and "X-SPARQL-MaxRows" not in headers
    if local.kind == "construct":
        triples = {ox.Triple(*row) for row in local.rows}  # type: ignore[arg-type]
        assert triples and {quad.triple for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)} == triples
        return
    answer = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    if local.kind == "ask":
        assert isinstance(answer, ox.QueryBoolean) and bool(answer) is local.boolean
    else:
        assert isinstance(answer, ox.QuerySolutions)
        assert tuple(v.value for v in answer.variables) == local.variables
        assert local.rows and tuple(tuple(solution) for solution in answer) == local.rows


# --- limits ----------------------------------------------------------------------------------------


def test_result_size_cap(small_server: SparqlServer) -> None:
    query = urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o }"})
    status, headers, body = http(f"{small_server.url}?{query}")
    assert status == 200 and headers["X-SPARQL-MaxRows"] == "5"
    assert len(json.loads(body)["results"]["bindings"]) == 5
    status, headers, body = http(f"{base(small_server)}/queries/all-claims")
    assert len(json.loads(body)["results"]["bindings"]) == 5 and headers["X-SPARQL-MaxRows"] == "5"
    status, headers, _ = http(f"{base(small_server)}/queries/sources")
    assert "X-SPARQL-MaxRows" not in headers
    query = urllib.parse.urlencode({"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    status, headers, body = http(f"{small_server.url}?{query}", headers={"Accept": GRAPH_TYPES["ntriples"]})
    assert headers["X-SPARQL-MaxRows"] == "5"
    assert len(list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))) == 5


def test_runaway_query_is_cancelled_and_the_server_recovers(small_server: SparqlServer) -> None:
    started = time.perf_counter()
    status, _, body = http(f"{small_server.url}?" + urllib.parse.urlencode({"query": RUNAWAY}))
    elapsed = time.perf_counter() - started
    assert status == 503 and b"per-query timeout of 1.5 s" in body
    assert 1.4 < elapsed < 5
    deadline = time.perf_counter() + 20  # the killed worker is replaced in the background
    while True:
        status, _, body = http(f"{small_server.url}?query=ASK%7B%7D")
        if status == 200 or time.perf_counter() > deadline:
            break
    assert status == 200 and json.loads(body)["boolean"] is True
    assert small_server.pool.size == 2


# --- the command -----------------------------------------------------------------------------------


def test_prepare_store_loads_a_graph_file(tmp_path: Path) -> None:
    trig = tmp_path / "medkg.trig"
    trig.write_bytes(to_trig(build_example()))
    folder, temporary = prepare_store(None, trig)
    assert temporary is not None
    try:
        assert len(ox.Store.read_only(str(folder))) == len(build_example())
    finally:
        temporary.cleanup()
    with pytest.raises(ValueError, match="expected an Oxigraph store folder"):
        prepare_store(tmp_path, None)


def test_medkg_serve_command(store_dir: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "graph_builder.cli",
        "serve",
        "--store",
        str(store_dir),
        "--port",
        "0",
        "--quiet",
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=interruptible
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "read-only" in line, process.stderr.read() if process.stderr else line
        url = line.split(" at ")[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        status, _, body = http(f"{url}?query=ASK%7B%7D")
        assert status == 200 and json.loads(body)["boolean"] is True
    finally:
        process.send_signal(2)  # Ctrl-C
        assert process.wait(15) == 0


def test_query_run_endpoint_against_medkg_serve(
    server: SparqlServer, store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["query", "run", "claims-about", "--param", "entity=Nerve Pain", "--format", "json"]
    assert cli.main([*args, "--graph", str(store_dir)]) == 0
    local = capsys.readouterr().out
    assert cli.main([*args, "--endpoint", server.url]) == 0  # its default graph is the union: sent as is
    assert capsys.readouterr().out == local
    assert cli.main([*args, "--endpoint", server.url, "--union", "dataset"]) == 0
    assert capsys.readouterr().out == local
