"""The claim, entity and source pages of ``medkg serve`` and their records at ``/api/KIND/ID``.

Served over the example corpus plus one source whose title, entities, quote and rationale are markup;
expected values come from the annotation files, read here with yaml, not from medkg's reader.
"""

from __future__ import annotations

import http.client as httpclient
import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
import pytest
import yaml

from graph_builder.core.paths import ARTICLES_DIR, SEED_ANNOTATION
from graph_builder.endpoint.pages import CSP
from graph_builder.endpoint.server import SparqlServer
from graph_builder.kg.build import build_from_files
from tests.endpoint.browsing import RECORD_VIOLATIONS
from tests.endpoint.http_client import http, root

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# The test tube is one code point (medkg's offsets) but two UTF-16 units (JavaScript's string indexes).
MARKUP_TEXT = (
    "A page written to test escaping \U0001f9ea.\n\n<script>window.__pwned=1</script> Tag soup can possibly cause an "
    'ache <img src=x onerror="window.__pwned=1"> & usually does.\n'
)
MARKUP_QUOTE = (
    '<script>window.__pwned=1</script> Tag soup can possibly cause an ache <img src=x onerror="window.__pwned=1">'
    " & usually does."
)
HOSTILE_PATHS = [
    "/claim/<script>alert(1)</script>",
    "/claim/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "/entity/../../pyproject.toml",
    "/source/..%2F..%2Fpyproject.toml",
    "/claim/2A80EB2911D144DB",
    "/claim/",
    "/entity/herpes/extra",
    "/source/" + "a" * 300,
]


def _annotation(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def markup_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("markup")
    (folder / "markup.txt").write_text(MARKUP_TEXT, encoding="utf-8")
    data = {
        "medkg": 2,
        "source": {"id": "markup-test", "title": "<i>Markup</i> & test", "text": "markup.txt",
                   "description": "<b>written</b> for the tests", "kind": "web-page"},
        "curation": {"agent": "manual_agent"},
        "entities": {
            "tag-soup": {"label": "<b>tag soup</b>", "type": "disease"},
            "ache": {"label": "ache <img src=x onerror=alert(1)>", "type": "sign-or-symptom"},
        },
        "claims": [{
            "id": "tag-soup-causes-ache", "subject": "tag-soup", "relation": "causes", "object": "ache",
            "quote": MARKUP_QUOTE, "hedges": [{"text": "can possibly", "type": "speculation"}],
            "qualifiers": [{"type": "frequency", "text": "usually"}], "support": "none-stated",
            "rationale": "A <em>fixture</em>: <script>window.__pwned=1</script>",
        }],
    }  # fmt: skip
    path = folder / "markup.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def pages_server(
    tmp_path_factory: pytest.TempPathFactory, corpus_files: list[Path], markup_file: Path
) -> Iterator[SparqlServer]:
    path = tmp_path_factory.mktemp("pages") / "store"
    store = ox.Store(str(path))
    store.bulk_extend(build_from_files([*corpus_files, markup_file]))
    store.flush()
    del store  # release the write lock: the workers open it read-only
    with SparqlServer(path, port=0, timeout=20, workers=2, quiet=True) as running:
        yield running


def _claim_hash(server: SparqlServer, source: str, claim_id: str) -> str:
    """The hash ending the IRI of a source's claim, asked of the endpoint by SPARQL."""
    query = (
        "SELECT ?claim WHERE { ?claim medkg:claimId ?id ; medkg:source ?source . "
        f'FILTER(?id = "{claim_id}" && ?source = source:{source}) }}'
    )
    status, _, body = http(server.url + "?" + urllib.parse.urlencode({"query": query}),
                           headers={"Accept": "application/sparql-results+json"})  # fmt: skip
    assert status == 200
    [binding] = json.loads(body)["results"]["bindings"]
    return str(binding["claim"]["value"]).rsplit("/", 1)[1]


def _record(server: SparqlServer, kind: str, ident: str) -> dict[str, Any]:
    status, headers, body = http(f"{root(server)}/api/{kind}/{ident}")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    record = json.loads(body)
    assert isinstance(record, dict)
    return record


def _raw_get(server: SparqlServer, path: str) -> tuple[int, dict[str, str], bytes]:
    """A GET of ``path`` exactly as written: urllib would quote or resolve it."""
    connection = httpclient.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def seed() -> dict[str, Any]:
    return _annotation(SEED_ANNOTATION)


def _seed_claim(seed: dict[str, Any], claim_id: str) -> dict[str, Any]:
    [claim] = [c for c in seed["claims"] if c["id"] == claim_id]
    return claim


# --- over HTTP ---------------------------------------------------------------------------------------


@pytest.mark.server
def test_each_page_is_served_with_the_workbench_policy(pages_server: SparqlServer) -> None:
    claim = _claim_hash(pages_server, "does-herpes-cause-lower-back-pain", "herpes-causes-lower-back-pain")
    for path in (f"/claim/{claim}", "/entity/lower-back-pain", "/source/shingles-and-back-pain"):
        status, headers, body = http(root(pages_server) + path)
        assert status == 200 and headers["Content-Type"].startswith("text/html"), path
        assert headers["Content-Security-Policy"] == CSP and headers["X-Content-Type-Options"] == "nosniff"
        assert b'<script src="/assets/record.js"' in body and b"<script>" not in body


@pytest.mark.server
def test_the_claim_record_matches_the_annotation(pages_server: SparqlServer, seed: dict[str, Any],
                                                 corpus_files: list[Path]) -> None:  # fmt: skip
    expected = _seed_claim(seed, "herpes-causes-lower-back-pain")
    record = _record(pages_server, "claim", _claim_hash(pages_server, seed["source"]["id"], expected["id"]))
    claim = record["claim"]
    article = (ARTICLES_DIR / f"{seed['source']['id']}.txt").read_text(encoding="utf-8")
    assert claim["quote"] == expected["quote"] and claim["text"] == article
    assert article[claim["start"] : claim["end"]] == expected["quote"]
    assert claim["rationale"] == expected["rationale"] and claim["supportLabel"] == expected["support"]
    hedges = {(cue["cueText"], cue["cueType"].rsplit("/", 1)[1]) for cue in record["cues"]}
    assert hedges == {(h["text"], h["type"]) for h in expected["hedges"]}
    # Every assertion of the same proposition, in any file of the corpus, and no other.
    key = (expected["subject"], expected["relation"], expected["object"])
    stating = sorted(
        (data["source"]["id"], c["id"])
        for data in map(_annotation, corpus_files)
        for c in data["claims"]
        if (c["subject"], c["relation"], c["object"]) == key
    )
    assert len(stating) >= 2  # the seed's and the myth check's
    found = sorted((row["source"].rsplit("/", 1)[1], row["otherId"]) for row in record["assertions"])
    assert found == stating and [row["other"] for row in record["assertions"]].count(claim["claim"]) == 1


@pytest.mark.server
def test_the_entity_and_source_records_match_the_annotation(pages_server: SparqlServer,
                                                            seed: dict[str, Any]) -> None:  # fmt: skip
    entity = seed["entities"]["lower-back-pain"]
    facts = _record(pages_server, "entity", "lower-back-pain")["facts"]
    values = lambda field: sorted(row["value"] for row in facts if row["field"] == field)  # noqa: E731
    assert values("label") == [entity["label"]] and values("synonym") == sorted(entity["synonyms"])
    assert [v.rsplit("/", 1)[1] for v in values("broader")] == entity["broader"]
    curies = sorted(row["curie"] for row in facts if row["curie"])
    assert len(curies) == len(entity["groundings"])
    record = _record(pages_server, "source", seed["source"]["id"])
    assert record["source"]["title"] == seed["source"]["title"]
    assert sorted(row["claimId"] for row in record["claims"]) == sorted(c["id"] for c in seed["claims"])
    support = [row for row in record["profile"] if row["dimension"] == "support"]
    assert sum(row["claims"] for row in support) == len(seed["claims"])


@pytest.mark.server
def test_unknown_and_hostile_ids_get_the_not_found_page(pages_server: SparqlServer) -> None:
    for path in (
        "/claim/0000000000000000",
        "/entity/no-such-entity",
        "/source/no-such-source",
        *HOSTILE_PATHS,
    ):
        status, headers, body = _raw_get(pages_server, path)
        assert status == 404, path
        assert headers["Content-Security-Policy"] == CSP and headers["Content-Type"].startswith("text/html")
        assert b"<h1>Not found</h1>" in body and b"alert" not in body and b"pyproject" not in body, path
        api = "/api" + path
        status, headers, body = _raw_get(pages_server, api)
        assert status == 404 and headers["Content-Type"].startswith("text/plain"), api
        assert b"alert" not in body and b"pyproject" not in body, api


@pytest.mark.server
def test_markup_comes_back_as_json_text(pages_server: SparqlServer, markup_file: Path) -> None:
    expected = _annotation(markup_file)["claims"][0]
    record = _record(pages_server, "claim", _claim_hash(pages_server, "markup-test", expected["id"]))
    assert (
        record["claim"]["quote"] == expected["quote"]
        and record["claim"]["rationale"] == expected["rationale"]
    )
    assert {(c["kind"], c["cueText"]) for c in record["cues"]} == {
        ("hedge", "can possibly"),
        ("qualifier", "usually"),
    }


# --- in the browser ----------------------------------------------------------------------------------


def _open(browser: Browser, server: SparqlServer, path: str) -> tuple[Page, list[str], list[str]]:
    """The page at ``path``, once built: the page, every URL it requested, every error it logged."""
    origin = root(server)
    context = browser.new_context()
    requests: list[str] = []
    errors: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    context.add_init_script(RECORD_VIOLATIONS)
    context.route(lambda url: not url.startswith(origin + "/"), lambda route: route.abort())
    page = context.new_page()
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(origin + path)
    assert response is not None and response.headers["content-security-policy"] == CSP
    page.wait_for_selector("body[data-ready=true]", state="attached", timeout=30_000)
    return page, requests, errors


@pytest.mark.browser
def test_claim_page_highlights_the_quote_and_its_cues(browser: Browser, pages_server: SparqlServer,
                                                      seed: dict[str, Any]) -> None:  # fmt: skip
    expected = _seed_claim(seed, "herpes-causes-lower-back-pain")
    claim = _claim_hash(pages_server, seed["source"]["id"], expected["id"])
    page, requests, errors = _open(browser, pages_server, f"/claim/{claim}")
    assert page.locator("mark#quote").inner_text() == expected["quote"]
    assert page.locator(".warning").count() == 0
    cues = page.locator("#quote .cue.hedge")
    assert sorted(zip(cues.all_inner_texts(), [cues.nth(i).get_attribute("data-type") for i in range(cues.count())],
                      strict=True)) == sorted((h["text"], h["type"]) for h in expected["hedges"])  # fmt: skip
    # The other source's assertion links to its own claim page, which opens.
    others = page.locator("ul.assertions > li > a[href^='/claim/']")
    assert others.count() >= 1
    others.first.click()
    page.wait_for_selector("mark#quote", timeout=30_000)
    assert page.url != root(pages_server) + f"/claim/{claim}"
    assert [url for url in requests if not url.startswith(root(pages_server) + "/")] == []
    assert page.evaluate("() => window.__violations") == [] and errors == []
    page.context.close()


@pytest.mark.browser
def test_markup_in_a_claim_is_shown_as_text(browser: Browser, pages_server: SparqlServer,
                                            markup_file: Path) -> None:  # fmt: skip
    expected = _annotation(markup_file)["claims"][0]
    claim = _claim_hash(pages_server, "markup-test", expected["id"])
    page, requests, errors = _open(browser, pages_server, f"/claim/{claim}")
    assert page.locator("mark#quote").inner_text() == expected["quote"]
    assert page.locator("#quote .cue.qualifier").inner_text() == "usually"
    assert expected["rationale"] in page.locator("main").inner_text()
    assert page.locator("main img, main script, main b, main em").count() == 0
    assert page.evaluate("() => window.__pwned === undefined")
    for path in ("/entity/ache", "/source/markup-test"):
        page.goto(root(pages_server) + path)
        page.wait_for_selector("body[data-ready=true]", state="attached", timeout=30_000)
        assert page.locator("main img, main script, main b, main i").count() == 0, path
    assert page.evaluate("() => window.__pwned === undefined")
    assert [url for url in requests if not url.startswith(root(pages_server) + "/")] == []
    assert page.evaluate("() => window.__violations") == [] and errors == []
    page.context.close()


@pytest.mark.browser
def test_offsets_that_miss_the_quote_are_warned_of_not_highlighted(
    browser: Browser, pages_server: SparqlServer, seed: dict[str, Any]
) -> None:
    claim = _claim_hash(pages_server, seed["source"]["id"], "herpes-causes-lower-back-pain")
    record = _record(pages_server, "claim", claim)
    record["claim"]["start"] += 1  # as if the text had changed under the graph
    record["cues"][0]["cueEnd"] += 1
    context = browser.new_context()
    context.route(f"**/api/claim/{claim}", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(record)))  # fmt: skip
    page = context.new_page()
    page.goto(f"{root(pages_server)}/claim/{claim}")
    page.wait_for_selector("body[data-ready=true]", state="attached", timeout=30_000)
    assert page.locator("mark#quote").count() == 0
    warnings = page.locator(".warning[role=alert]").all_inner_texts()
    assert len(warnings) == 2 and "do not point at the quote" in warnings[0]
    assert record["cues"][0]["cueText"] in warnings[1]
    assert page.locator(".cue").count() == len(record["cues"]) - 1
    context.close()


@pytest.mark.browser
def test_a_claim_in_the_workbench_results_opens_its_page(
    browser: Browser, pages_server: SparqlServer
) -> None:
    context = browser.new_context(viewport={"width": 1500, "height": 950})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    context.route(lambda url: not url.startswith(root(pages_server) + "/"), lambda route: route.abort())
    page = context.new_page()
    page.goto(root(pages_server) + "/", wait_until="load")
    page.wait_for_selector("body[data-ready=true]", state="attached", timeout=60_000)
    page.locator(".yasqe_queryButton").click()  # the default query lists claims
    first = page.locator(".yasr table.dataTable tbody tr td a[href*='/assertion/']").first
    first.wait_for(timeout=30_000)
    iri = first.get_attribute("href")
    assert iri is not None
    if first.get_attribute("target") == "_blank":  # YASR opens links in a new tab
        with context.expect_page() as opened:
            first.click()
        claim_page = opened.value
    else:
        first.click()
        claim_page = page
    claim_page.wait_for_selector("mark#quote", timeout=30_000)
    assert claim_page.url == f"{root(pages_server)}/claim/{iri.rsplit('/', 1)[1]}"
    assert [url for url in requests if not url.startswith(root(pages_server) + "/")] == []
    context.close()
