"""Python and SPARQL resolve the same names to the same entities (issue 10): one resolver, used by
:func:`graph_builder.analysis.chains.resolve_entity`, the named queries, the endpoint and remote runs."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import networkx as nx
import pyoxigraph as ox
import pytest

from graph_builder.analysis.chains import resolve_entity
from graph_builder.analysis.network import to_networkx
from graph_builder.core import namespaces as ns
from graph_builder.endpoint.remote import run_remote
from graph_builder.endpoint.server import SparqlServer
from graph_builder.sparql.parameters import ParameterError, resolve_in_store
from graph_builder.sparql.runner import run_query

#: The entity column of each query that takes an entity, and the name of its parameter.
ENTITY_QUERIES = {"claims-about": ("entity", "match"), "causal-chains": ("start", "startEntity")}


@pytest.fixture(scope="module")
def seed_graph(seed_store: ox.Store) -> nx.MultiDiGraph:
    return to_networkx(seed_store)


def entities_of(name: str, store: ox.Store, spelling: str) -> set[str]:
    param, column = ENTITY_QUERIES[name]
    return {str(value) for value in run_query(name, store, {param: spelling}).column(column)}


def test_regular_exercise_names_the_one_entity_python_picks(
    seed_store: ox.Store, seed_graph: nx.MultiDiGraph
) -> None:
    # "regular exercise" is exercise's label and a synonym of stretching: the label wins, in both.
    assert resolve_entity(seed_graph, "regular exercise") == ns.ENTITY + "exercise"
    assert entities_of("claims-about", seed_store, "regular exercise") == {ns.ENTITY + "exercise"}


def test_lower_back_pain_with_two_spaces_gives_the_rows_of_its_iri(seed_store: ox.Store) -> None:
    by_iri = run_query("claims-about", seed_store, {"entity": ns.ENTITY + "lower-back-pain"})
    assert len(by_iri) > 0
    assert run_query("claims-about", seed_store, {"entity": "Lower  BACK pain"}).rows == by_iri.rows


SPELLINGS = [
    ("herpes", "herpes"),
    ("HERPES", "herpes"),
    ("  Herpes\t", "herpes"),
    ("Lower  Back   Pain", "lower-back-pain"),
    ("lumbago", "lower-back-pain"),
    ("  LUMBAGO ", "lower-back-pain"),
    ("lower-back-pain", "lower-back-pain"),
    ("Lower-Back-Pain", "lower-back-pain"),
    ("entity:nerve-pain", "nerve-pain"),
    ("ENTITY:Nerve-Pain", "nerve-pain"),
    (ns.ENTITY + "herpes", "herpes"),
    ("nerve pain", "nerve-pain"),
    ("regular exercise", "exercise"),
    ("Regular  Exercise", "exercise"),
]


@pytest.mark.parametrize("query", sorted(ENTITY_QUERIES))
@pytest.mark.parametrize(("spelling", "entity"), SPELLINGS)
def test_python_and_sparql_pick_the_same_entity(
    query: str, spelling: str, entity: str, seed_store: ox.Store, seed_graph: nx.MultiDiGraph
) -> None:
    picked = resolve_entity(seed_graph, spelling)
    assert picked == ns.ENTITY + entity
    assert resolve_in_store(seed_store, spelling) == picked
    found = entities_of(query, seed_store, spelling)
    assert found <= {picked}
    if query == "claims-about":
        assert found == {picked}  # every entity spelled here takes part in a claim


def test_remedies_for_a_synonym_are_those_for_the_entity(seed_store: ox.Store) -> None:
    by_iri = run_query("remedies-for", seed_store, {"condition": "entity:back-pain"})
    assert len(by_iri) > 0 and set(by_iri.column("target")) == {ns.ENTITY + "back-pain"}
    assert run_query("remedies-for", seed_store, {"condition": "  BackAches "}).rows == by_iri.rows


def test_an_unknown_name_is_one_clear_error_in_both(
    seed_store: ox.Store, seed_graph: nx.MultiDiGraph
) -> None:
    with pytest.raises(ValueError, match="unknown entity 'herpse'; close matches: herpes") as python:
        resolve_entity(seed_graph, "herpse")
    with pytest.raises(ParameterError) as sparql:
        run_query("claims-about", seed_store, {"entity": "herpse"})
    assert str(sparql.value) == f"query 'claims-about': parameter 'entity': {python.value}"


def test_an_ambiguous_name_lists_the_same_candidates_in_both(seed_store: ox.Store) -> None:
    store = ox.Store()
    store.extend(seed_store)
    shared = ox.Literal("back trouble")
    graph = ox.NamedNode(ns.SHARED_GRAPH)
    altlabel = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
    for entity in ("lower-back-pain", "nerve-pain"):
        store.add(ox.Quad(ox.NamedNode(ns.ENTITY + entity), altlabel, shared, graph))
    with pytest.raises(ValueError, match=r"ambiguous: it names lower back pain .*; nerve pain") as python:
        resolve_entity(to_networkx(store), "Back  Trouble")
    with pytest.raises(ParameterError) as sparql:
        run_query("causal-chains", store, {"start": "Back  Trouble"})
    assert str(sparql.value) == f"query 'causal-chains': parameter 'start': {python.value}"


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_the_endpoint_and_remote_runs_resolve_alike(server: SparqlServer, seed_store: ox.Store) -> None:
    base = server.url.removesuffix("/sparql")
    query = urllib.parse.urlencode({"entity": "regular exercise"})
    status, body = _get(f"{base}/queries/claims-about?{query}")
    assert status == 200
    matches = {b["match"]["value"] for b in json.loads(body)["results"]["bindings"]}
    assert matches == {ns.ENTITY + "exercise"}
    status, body = _get(f"{base}/queries/claims-about?entity=herpse")
    assert status == 400 and b"unknown entity 'herpse'; close matches: herpes" in body
    local = run_query("claims-about", seed_store, {"entity": "lower-back-pain"})
    remote = run_remote("claims-about", server.url, {"entity": "Lower  BACK pain"})
    assert remote.rows == local.rows
