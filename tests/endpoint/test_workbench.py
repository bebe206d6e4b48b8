"""The workbench at ``/`` of ``medkg serve``: its files and headers, and the page in a real browser.

The browser tests need the playwright package and Chromium, as in tests/viz/test_browser.py: they skip
without them unless ``MEDKG_REQUIRE_BROWSER=1``. Never run ``playwright install``.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.parse
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from graph_builder.core.namespaces import PREFIXES
from graph_builder.endpoint.pages import ASSETS, CSP, workbench_file
from graph_builder.endpoint.server import SparqlServer
from tests.endpoint.http_client import http, root
from tests.endpoint.workbench_client import Workbench, open_workbench

if TYPE_CHECKING:
    from playwright.sync_api import Browser

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
PINNED = re.compile(r"sha256 ([0-9a-f]{64})  (\S+)")


def test_notice_pins_the_vendored_yasgui_files() -> None:
    notice = workbench_file("vendor/NOTICE").decode("utf-8")
    assert "@zazuko/yasgui 4.6.2" in notice
    pinned = dict((name, digest) for digest, name in PINNED.findall(notice))
    assert set(pinned) == {"yasgui.min.js", "yasgui.min.css"}
    for name, digest in pinned.items():
        assert hashlib.sha256(workbench_file(f"vendor/{name}")).hexdigest() == digest, name
    for licence in ("MIT", "Apache-2.0", "BSD-3-Clause", "MPL-2.0 OR Apache-2.0", "CC-BY-4.0", "CC0"):
        assert licence in notice
    assert workbench_file("vendor/LICENSE-yasgui.txt").startswith(b"The MIT License")


def test_root_serves_the_page_to_browsers_and_help_to_the_rest(server: SparqlServer) -> None:
    status, headers, body = http(root(server) + "/", headers=BROWSER)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert headers["Content-Security-Policy"] == CSP and "connect-src 'self'" in CSP
    assert b'<script src="assets/app.js"' in body and b"<script>" not in body  # nothing inline
    for accept in ({}, {"Accept": "*/*"}, {"Accept": "text/html;q=0"}):
        status, headers, body = http(root(server) + "/", headers=accept)
        assert status == 200 and headers["Content-Type"].startswith("text/plain") and b"/sparql" in body
    status, _, help_text = http(root(server) + "/help", headers=BROWSER)
    assert status == 200 and b"GET  /queries" in help_text


def test_assets_and_prefixes_are_served(server: SparqlServer) -> None:
    for name, media in ASSETS.items():
        status, headers, body = http(f"{root(server)}/assets/{name}")
        assert (status, headers["Content-Type"]) == (200, media) and body == workbench_file(name)
        assert headers["Content-Security-Policy"] == CSP and headers["X-Content-Type-Options"] == "nosniff"
    # Only the listed files: not the page's other files, nor anything by a path that climbs out.
    for name in ("page.html", "vendor/NOTICE", "../pages.py", "..%2Fpages.py", "vendor/../app.js"):
        assert http(f"{root(server)}/assets/{name}")[0] == 404, name
    status, _, body = http(f"{root(server)}/prefixes.json")
    assert status == 200 and json.loads(body) == PREFIXES


# --- in the browser -------------------------------------------------------------------------------


@pytest.fixture
def workbench(browser: Browser, server: SparqlServer) -> Iterator[Workbench]:
    opened, context = open_workbench(browser, root(server))
    yield opened
    context.close()


@pytest.mark.browser
def test_page_loads_yasgui_and_asks_only_its_own_server(workbench: Workbench) -> None:
    page = workbench.page
    assert page.locator(".yasgui .CodeMirror").count() == 1
    assert page.evaluate("() => medkgWorkbench.yasgui.getTab().getEndpoint()") == workbench.origin + "/sparql"
    completers = page.evaluate("() => medkgWorkbench.yasgui.getTab().getYasqe().config.autocompleters")
    assert sorted(completers) == ["medkg", "prefixes", "variables"]
    assert page.locator("#queries > li").count() == len(
        json.loads(http(workbench.origin + "/queries")[2])["queries"]
    )
    # Where YASQE's class and property completers would ask lov.linkeddata.es (measured: with them on,
    # these keystrokes made 7 fetches there, all refused by connect-src), ours ask nobody.
    page.evaluate("() => { medkgWorkbench.yasgui.getTab().setQuery('SELECT * WHERE {\\n  ?s a '); }")
    page.locator(".yasgui .CodeMirror").click()
    page.keyboard.press("Control+End")
    for typed in ("foaf:Pers", " .\n  ?s foaf:na", " ?name .\n  ?s medkg:"):
        page.keyboard.type(typed, delay=20)
        page.keyboard.press("Control+Space")
        page.wait_for_timeout(300)
    assert "PREFIX medkg: <" in page.evaluate("() => medkgWorkbench.yasgui.getTab().getQuery()")
    assert {urllib.parse.urlsplit(url).path for url in workbench.requests} >= {
        "/",
        "/prefixes.json",
        "/queries",
    }
    assert workbench.outside() == [] and workbench.violations() == []
    assert workbench.errors == []  # a script or style the CSP blocked would be logged here


@pytest.mark.browser
def test_running_the_default_query_shows_rows(workbench: Workbench) -> None:
    workbench.page.locator(".yasqe_queryButton").click()
    assert workbench.result_rows() > 0
    assert "/sparql" in {urllib.parse.urlsplit(url).path for url in workbench.requests}
    assert workbench.outside() == [] and workbench.violations() == [] and workbench.errors == []


@pytest.mark.browser
def test_a_catalogue_entry_runs_its_named_query(workbench: Workbench) -> None:
    entry = workbench.page.locator('#queries > li[data-name="claims-about"]')
    assert entry.locator("input[name=entity]").input_value() == "herpes"
    entry.locator("input[name=entity]").fill("lower back pain")
    entry.locator("button.run").click()
    assert workbench.result_rows() > 0
    assert any(urllib.parse.urlsplit(url).path == "/queries/claims-about" for url in workbench.requests)
    editor = workbench.page.evaluate("() => medkgWorkbench.yasgui.getTab().getQuery()")
    assert editor.startswith("#+ summary: Claims about one entity")
    # The prefixes the server predeclares are declared in the editor, which then finds the text valid.
    for prefix in ("medkg: <https://w3id.org/medkg/vocab#>", "rdfs: <", "xsd: <", "polarity: <"):
        assert f"\nPREFIX {prefix}" in editor
    assert workbench.page.evaluate("() => medkgWorkbench.yasgui.getTab().getYasqe().queryValid") is True
    assert workbench.outside() == [] and workbench.violations() == [] and workbench.errors == []


@pytest.mark.browser
def test_markup_in_a_query_is_shown_as_text(workbench: Workbench) -> None:
    page = workbench.page
    payload = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
    query = f"SELECT ?text WHERE {{ BIND('{payload}' AS ?text) }}"
    page.evaluate("(q) => { medkgWorkbench.yasgui.getTab().setQuery(q); }", query)
    page.locator(".yasqe_queryButton").click()
    assert workbench.result_rows() == 1
    assert payload in page.locator(".yasr table.dataTable tbody").inner_text()
    assert payload in page.locator(".yasgui .CodeMirror").inner_text()
    assert page.evaluate("() => window.__pwned === undefined")
    assert page.locator(".yasgui img[src=x]").count() == 0
    assert workbench.outside() == []
