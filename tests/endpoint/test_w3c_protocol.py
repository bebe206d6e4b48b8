"""The W3C SPARQL 1.1 Protocol tests (``tests/fixtures/w3c-protocol/manifest.ttl``) against ``medkg serve``.

Each case of the manifest describes its HTTP requests in the ``ht:`` vocabulary (method, path,
headers, body) and the response it expects (``mf:expectedStatus``, ``mf:expectedFormat``,
``mf:expectedBoolean``); the requests are sent as described, in order, on one connection.
``medkg serve`` is read-only, so the ``update_*`` cases expect the refusal (403) instead of success,
and their follow-up queries must find that nothing was written.
"""

from __future__ import annotations

import dataclasses
import http.client
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDFS
from rdflib.term import Node

from graph_builder.endpoint.negotiation import GRAPH_TYPES, RESULT_TYPES
from graph_builder.endpoint.server import SparqlServer

pytestmark = pytest.mark.server

HERE = Path(__file__).parent.parent / "fixtures" / "w3c-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
STATUS_CLASS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    statuses: frozenset[int]  # acceptable status classes: 2 for 2xx, ...
    format: str | None  # "boolean", "tabular" or "RDF"
    boolean: bool | None


@dataclass(frozen=True)
class Case:
    id: str
    name: str
    graphs: tuple[tuple[str, str], ...]  # (data file, graph name) to load
    requests: tuple[Request, ...]


def _one(graph: Graph, subject: Node, predicate: URIRef) -> Node | None:
    return next(iter(graph.objects(subject, predicate)), None)


def _request(graph: Graph, node: Node) -> Request:
    headers = []
    header_list = _one(graph, node, HT.headers)
    for header in Collection(graph, header_list) if header_list is not None else []:
        headers.append((str(_one(graph, header, HT.fieldName)), str(_one(graph, header, HT.fieldValue))))
    body = None
    body_node = _one(graph, node, HT.body)
    if body_node is not None:
        encoding = str(_one(graph, body_node, CNT.characterEncoding) or "UTF-8")
        body = str(_one(graph, body_node, CNT.chars)).encode(encoding)
    response = _one(graph, node, HT.resp)
    assert response is not None
    statuses = frozenset(
        int(str(s).removeprefix(STATUS_CLASS)[0]) for s in graph.objects(response, MF.expectedStatus)
    )
    expected_format = _one(graph, response, MF.expectedFormat)
    boolean = _one(graph, response, MF.expectedBoolean)
    return Request(
        method=str(_one(graph, node, HT.methodName)),
        path=str(_one(graph, node, HT.absolutePath)),
        headers=tuple(headers),
        body=body,
        statuses=statuses,
        format=None if expected_format is None else str(expected_format),
        boolean=None if boolean is None else bool(boolean.toPython()),  # type: ignore[attr-defined]
    )


def read_manifest() -> list[Case]:
    graph = Graph()
    graph.parse(HERE / "manifest.ttl", format="turtle", publicID=BASE.removesuffix("#"))
    manifest = next(graph.subjects(MF.entries, None))
    entries = _one(graph, manifest, MF.entries)
    assert entries is not None
    cases = []
    for entry in Collection(graph, entries):
        graphs = tuple(
            sorted(
                (Path(str(_one(graph, data, UT.graph))).name, str(_one(graph, data, RDFS.label)))
                for data in graph.objects(entry, UT.graphData)
            )
        )
        action = _one(graph, entry, MF.action)
        assert action is not None
        request_list = _one(graph, action, HT.requests)
        assert request_list is not None
        requests = tuple(_request(graph, r) for r in Collection(graph, request_list))
        cases.append(Case(str(entry).removeprefix(BASE), str(_one(graph, entry, MF.name)), graphs, requests))
    return cases


CASES = read_manifest()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparqlServer]:
    """One store for every case: each data file in the graph the cases name it by (they agree)."""
    graphs = {pair for case in CASES for pair in case.graphs}
    assert len({data for data, _ in graphs}) == len(graphs), f"a data file under two graph names: {graphs}"
    path = tmp_path_factory.mktemp("w3c") / "store"
    store = ox.Store(str(path))
    for data, name in sorted(graphs):
        store.load(path=HERE / data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
    store.flush()
    del store
    with SparqlServer(path, port=0, timeout=20, workers=2, quiet=True) as running:
        yield running


def test_the_manifest_is_read_whole() -> None:
    assert len(CASES) == 34
    assert {c.id.split("_")[0] for c in CASES} == {"query", "update", "bad"}
    assert all(r.method and r.path.startswith("/sparql/") for c in CASES for r in c.requests)


def check_format(request: Request, content_type: str, body: bytes) -> None:
    media = content_type.split(";")[0].strip()
    if request.format in ("boolean", "tabular"):
        offered = {v: k for k, v in RESULT_TYPES.items()}
        # "boolean": the protocol names XML and JSON (CSV/TSV cannot carry one).
        allowed = ("json", "xml") if request.format == "boolean" else tuple(offered.values())
        assert offered.get(media) in allowed, media
        parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.from_media_type(media))
        if request.format == "boolean":
            assert isinstance(parsed, ox.QueryBoolean)
            if request.boolean is not None:
                assert bool(parsed) is request.boolean
        else:
            assert isinstance(parsed, ox.QuerySolutions)
            list(parsed)
    elif request.format == "RDF":
        assert media in GRAPH_TYPES.values(), media
        rdf_format = ox.RdfFormat.from_media_type(media)
        assert rdf_format is not None
        list(ox.parse(body, format=rdf_format))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_protocol_case(case: Case, server: SparqlServer) -> None:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        for number, request in enumerate(case.requests):
            headers = dict(request.headers)
            connection.request(request.method, request.path, body=request.body, headers=headers)
            response = connection.getresponse()
            body = response.read()
            where = f"{case.id} ({case.name}), request {number + 1}: {response.status} {body[:200]!r}"
            if case.id.startswith("update_"):
                if number == 0:
                    # Interpretation: the manifest expects the update to succeed; a read-only endpoint
                    # must refuse it, so the first request is an update that gets 403.
                    assert response.status == 403, where
                    continue
                # The follow-up query asks for what the update would have written: nothing is there.
                assert response.status // 100 == 2 and request.boolean is True, where
                nothing = dataclasses.replace(request, boolean=False)
                check_format(nothing, response.getheader("Content-Type", ""), body)
                continue
            assert response.status // 100 in request.statuses, where
            if response.status // 100 == 2:
                check_format(request, response.getheader("Content-Type", ""), body)
    finally:
        connection.close()
