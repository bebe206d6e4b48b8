"""The workbench's catalogue, terms and result actions: every named query run from its form gives the rows
the Python runner (what ``medkg query run`` calls) gives; a typed query goes to a table, a CSV file, the
graph view and a claim's page, all without a request leaving the server.

Browser tests skip without playwright and Chromium, as in test_workbench.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.parse
import webbrowser
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
import pytest

from graph_builder.cli import build_parser, main
from graph_builder.core.paths import SEED_ANNOTATION
from graph_builder.core.results import ResultTable
from graph_builder.core.vocabulary import load_vocabulary
from graph_builder.endpoint.server import SparqlServer
from graph_builder.sparql.queries import iter_queries
from graph_builder.sparql.runner import run_query
from tests.endpoint.http_client import http, root
from tests.endpoint.workbench_client import Workbench, open_workbench

if TYPE_CHECKING:
    from playwright.sync_api import Browser

QUERIES = list(iter_queries(include_qa=True))


def _rows_of_json(results: dict[str, Any]) -> Counter[tuple[str | None, ...]]:
    names = results["head"]["vars"]
    return Counter(
        tuple(b[n]["value"] if n in b else None for n in names) for b in results["results"]["bindings"]
    )


def _rows_of_table(table: ResultTable) -> Counter[tuple[str | None, ...]]:
    return Counter(tuple(None if term is None else term.value for term in row) for row in table.rows)


def test_terms_are_the_stores_entities_sources_and_codebook(
    server: SparqlServer, seed_data: dict[str, Any]
) -> None:
    status, headers, body = http(root(server) + "/terms.json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    terms = json.loads(body)
    # From the annotation file and the shipped ontology, not from the store the server reads.
    assert {e["id"]: e["label"] for e in terms["entities"]} == {
        slug: entity["label"] for slug, entity in seed_data["entities"].items()
    }
    assert all(e["curie"] == f"entity:{e['id']}" for e in terms["entities"])
    assert [(s["id"], s["title"]) for s in terms["sources"]] == [
        (seed_data["source"]["id"], seed_data["source"]["title"])
    ]
    vocab = load_vocabulary()
    assert {r["iri"] for r in terms["relations"]} == {r.iri for r in vocab.relations.values()}
    assert [v["label"] for v in terms["evidence"]] == [e.label for e in vocab.evidence_by_rank()]
    for scheme, values in (("polarity", vocab.polarities), ("certainty", vocab.certainties),
                           ("support", vocab.supports), ("stance", vocab.stances)):  # fmt: skip
        assert {v["iri"] for v in terms[scheme]} == {t.iri for t in values.values()}, scheme
        assert all(v["curie"] == f"{scheme}:{v['iri'].rsplit('/', 1)[1]}" for v in terms[scheme])
    assert http(root(server) + "/terms.json")[2] == body  # asked once, then the same answer


def _drawn(page: bytes) -> dict[str, Any]:
    """The data a served viz page draws (its JSON script element)."""
    found = re.search(rb'<script type="application/json" id="medkg-data">(.*?)</script>', page, re.S)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_a_result_is_drawn_by_the_viz_page_with_claim_links(
    server: SparqlServer, seed_store: ox.Store, seed_data: dict[str, Any]
) -> None:
    status, headers, body = http(root(server) + "/graph/claims-about?entity=herpes")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"https://" + b"cdn" not in body and "Content-Security-Policy" not in headers
    assert b'http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;' in body
    drawn = _drawn(body)
    assert drawn["claimPages"] == "/claim/"
    expected = run_query("claims-about", seed_store, {"entity": "herpes"}).column("claimId")
    assert sorted(e["claimId"] for e in drawn["edges"]) == sorted(set(map(str, expected)))
    # A CONSTRUCT naming every assertion draws every claim of the annotation file.
    text = "CONSTRUCT { ?claim a medkg:Assertion } WHERE { ?claim a medkg:Assertion }"
    status, _, body = http(f"{root(server)}/graph?{urllib.parse.urlencode({'query': text})}")
    assert status == 200
    assert sorted(e["claimId"] for e in _drawn(body)["edges"]) == sorted(c["id"] for c in seed_data["claims"])
    text = urllib.parse.urlencode({"query": "SELECT ?x WHERE { BIND(1 AS ?x) }"})
    status, _, body = http(f"{root(server)}/graph?{text}")
    assert status == 400 and b"no claim column" in body
    assert http(root(server) + "/graph/no-such-query")[0] == 404
    assert http(root(server) + "/graph")[0] == 400


def test_explore_serves_and_opens_the_workbench(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[tuple[str, int, str]] = []

    def browser_open(url: str) -> bool:  # what the default browser would get at that moment
        status, headers, _ = http(url, headers={"Accept": "text/html"})
        opened.append((url, status, headers["Content-Type"]))
        return True

    monkeypatch.setattr(webbrowser, "open", browser_open)
    monkeypatch.setattr(SparqlServer, "wait", lambda self: None)  # as if Ctrl-C came at once
    assert main(["explore", "--store", str(store_dir), "--port", "0", "--workers", "1", "--quiet"]) == 0
    assert len(opened) == 1
    url, status, media = opened[0]
    assert (
        url.startswith("http://127.0.0.1:")
        and url.endswith("/")
        and (status, media[:9]) == (200, "text/html")
    )
    assert build_parser().parse_args(["serve"]).open_browser is False


# --- in the browser -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared(browser: Browser, server: SparqlServer) -> Iterator[Workbench]:
    """One page for every test below: loading YASGUI once saves a second a test."""
    opened, context = open_workbench(browser, root(server))
    yield opened
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_every_named_query_runs_from_its_form(shared: Workbench, seed_store: ox.Store, query: Any) -> None:
    entry = shared.page.locator(f'#queries > li[data-name="{query.name}"]')
    for param in query.parameters:  # entities and sources are chosen from lists, not typed as IRIs
        picker = entry.locator(f"[name={param.name}]")
        if param.type == "entity":
            assert picker.get_attribute("list") == "medkg-entities"
        if param.type == "source":
            assert picker.evaluate("(e) => e.tagName") == "SELECT"
    with shared.page.expect_response(
        lambda r: urllib.parse.urlsplit(r.url).path == f"/queries/{query.name}"
    ) as answer:
        entry.locator("button.run").click()
    sent = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer.value.url).query, keep_blank_values=True))
    # An optional parameter's picker starts empty: every value (a source's picker offers "every source").
    assert sent == {p.name: "" if p.optional else p.default for p in query.parameters}
    expected = run_query(query, seed_store, sent)
    if query.kind == "construct":  # a view: the graph comes as Turtle, the triples the store gives
        graph = ox.parse(answer.value.body(), ox.RdfFormat.TURTLE)
        assert answer.value.headers["content-type"].startswith("text/turtle")
        assert Counter((t.subject.value, t.predicate.value, t.object.value) for t in graph) == _rows_of_table(
            expected
        )
    else:
        assert _rows_of_json(answer.value.json()) == _rows_of_table(expected)
    shared.page.wait_for_function(
        f"() => document.getElementById('run-status').textContent.startsWith({query.name!r} + ':')"
    )
    if query.kind != "construct":  # the table YASR drew holds as many rows
        chip = shared.page.locator(".yasr .yasr_response_chip").inner_text()
        assert chip.split()[0] == str(len(expected)), chip
    # A graph, or a result naming claims, can be drawn.
    drawable = query.kind == "construct" or {"claim", "subject", "object"} <= set(expected.variables)
    assert shared.page.locator("#show-graph").is_visible() == drawable
    assert shared.outside() == [] and shared.errors == []


@pytest.mark.browser
def test_medkg_terms_complete_in_the_editor(shared: Workbench) -> None:
    page = shared.page
    page.evaluate("() => { medkgWorkbench.yasgui.getTab().setQuery('SELECT * WHERE {\\n  ?s ?p '); }")
    page.locator(".yasgui .CodeMirror").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("entity:herp", delay=20)
    page.keyboard.press("Control+Space")
    hints = page.locator(".CodeMirror-hints li")
    hints.first.wait_for(timeout=10_000)
    assert "entity:herpes" in hints.all_inner_texts()[0]
    page.keyboard.press("Enter")
    assert page.evaluate("() => medkgWorkbench.yasgui.getTab().getQuery()").endswith("entity:herpes")
    assert shared.outside() == [] and shared.errors == []


@pytest.mark.browser
def test_a_construct_downloads_as_rdf_and_can_be_drawn(shared: Workbench) -> None:
    page = shared.page
    text = "CONSTRUCT { ?claim medkg:claimId ?id } WHERE { ?claim medkg:claimId ?id }"
    page.evaluate("(q) => { medkgWorkbench.yasgui.getTab().setQuery(q); }", text)
    page.locator(".yasqe_queryButton").click()
    page.locator("#downloads a[data-format=turtle]").wait_for()
    assert page.locator("#show-graph").is_visible()
    with page.expect_download() as download:
        page.locator("#downloads a[data-format=turtle]").click()
    triples = list(ox.parse(path=download.value.path(), format=ox.RdfFormat.TURTLE))
    served = http(
        f"{shared.origin}/sparql?{urllib.parse.urlencode({'query': text})}", headers={"Accept": "text/turtle"}
    )
    assert len(triples) == len(list(ox.parse(served[2], format=ox.RdfFormat.TURTLE))) > 0
    assert shared.outside() == [] and shared.errors == []


FLOW_QUERY = """SELECT ?claim ?claimId ?subject ?object WHERE {
  ?claim medkg:claimId ?claimId ; medkg:proposition ?p .
  ?p medkg:subject ?subject ; medkg:object ?object .
} ORDER BY ?claimId"""


@pytest.mark.browser
def test_type_run_download_draw_and_open_a_claim(shared: Workbench, seed_data: dict[str, Any]) -> None:
    page = shared.page
    context = page.context
    page.evaluate("() => { medkgWorkbench.yasgui.getTab().setQuery(''); }")
    page.locator(".yasgui .CodeMirror").click()
    page.keyboard.type(FLOW_QUERY.replace("\n", " "), delay=2)
    page.locator(".yasqe_queryButton").click()
    assert shared.result_rows() > 0
    page.locator("#show-graph").wait_for(state="visible")
    with page.expect_download() as download:
        page.locator("#downloads a[data-format=csv]").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    served = json.loads(http(f"{shared.origin}/sparql?{urllib.parse.urlencode({'query': FLOW_QUERY})}")[2])
    assert [r["claimId"] for r in rows] == [b["claimId"]["value"] for b in served["results"]["bindings"]]
    with context.expect_page() as opened:
        page.locator("#show-graph").click()
    graph = opened.value
    graph.wait_for_selector("body[data-ready=true]", state="attached", timeout=60_000)
    assert graph.evaluate("() => medkg.data.edges.length") == len(rows)
    assertion, claim_id, point = graph.evaluate("""() => {
      const id = medkg.data.edges[0].id;
      const middle = medkg.network.body.edges[id].edgeType.getPoint(0.5);
      return [id, medkg.data.edges[0].claimId, medkg.network.canvasToDOM(middle)];
    }""")
    box = graph.locator("#graph canvas").bounding_box()
    assert box is not None
    with graph.expect_request(lambda r: urllib.parse.urlsplit(r.url).path.startswith("/claim/")) as claim:
        graph.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    assert claim.value.url == f"{shared.origin}/claim/{assertion.rsplit('/', 1)[-1]}"
    # The claim page: the quote of the annotation file, highlighted at its offsets in the source text.
    graph.wait_for_selector("mark#quote", timeout=60_000)
    curated = next(c for c in seed_data["claims"] if c["id"] == claim_id)
    highlighted, before = graph.evaluate("""() => {
      const mark = document.getElementById("quote"), range = document.createRange();
      range.setStart(mark.parentNode, 0);
      range.setEndBefore(mark);
      return [mark.textContent, Array.from(range.toString()).length];
    }""")
    article = (SEED_ANNOTATION.parent / seed_data["source"]["text"]).read_text(encoding="utf-8")
    assert (highlighted, before) == (curated["quote"], article.index(curated["quote"]))
    graph.close()
    assert shared.outside() == [] and shared.violations() == [] and shared.errors == []
