"""``medkg site``: the workbench as static files, the graph as N-Quads, queried in the browser by Oxigraph's
WebAssembly build. Served by ``python -m http.server`` on loopback, the page gives the rows the Python
runner (what ``medkg query run`` calls) gives, without a request leaving that origin.

Browser tests skip without playwright and Chromium, as in test_workbench.py.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
import pytest

from graph_builder.cli import main
from graph_builder.core.names import EntityNameError
from graph_builder.core.namespaces import ENTITY, PREFIXES
from graph_builder.core.results import ResultTable
from graph_builder.endpoint.pages import ASSETS, workbench_file
from graph_builder.endpoint.site import (
    GRAPH_FILE,
    SITE_ASSETS,
    SITE_CSP,
    SiteError,
    entity_name_table,
    split_for_values,
    write_site,
)
from graph_builder.endpoint.views import terms_json
from graph_builder.sparql.parameters import resolve_in_store
from graph_builder.sparql.queries import NamedQuery, iter_queries, parse_query
from graph_builder.sparql.runner import bind_parameters, run_query, run_sparql
from tests.endpoint.test_workbench import PINNED
from tests.endpoint.workbench_client import Workbench, open_workbench

if TYPE_CHECKING:
    from playwright.sync_api import Browser

QUERIES = list(iter_queries(include_qa=True))
WITH_PARAMETERS = [q for q in QUERIES if q.parameters]
DATA_FILES = ("index.html", GRAPH_FILE, "prefixes.json", "terms.json", "queries.json", "names.json")


def other_values(query: NamedQuery, store: ox.Store) -> dict[str, str] | None:
    """Values other than the defaults, one per parameter type the shipped queries declare: a synonym typed
    in another case with stray spaces, another source by its CURIE, a rank."""
    if query.name in ("source-claims", "source-profile"):  # source-profile's is optional: every source
        sources = sorted(str(r["source"]).rsplit("/", 1)[1] for r in run_query("sources", store).to_records())
        other = next(s for s in sources if s != query.parameter("source").default)
        return {"source": f"source:{other}"}
    return {"claims-about": {"entity": "  LUMBAGO "}, "unsupported-claims": {"maxRank": "1"}}.get(query.name)


def _rows(table: ResultTable) -> Counter[tuple[str | None, ...]]:
    return Counter(tuple(None if term is None else term.value for term in row) for row in table.rows)


def _rows_of_bindings(
    variables: tuple[str, ...], bindings: list[dict[str, Any]]
) -> Counter[tuple[str | None, ...]]:
    return Counter(tuple(b[n]["value"] if n in b else None for n in variables) for b in bindings)


def _canonical(quads: Iterable[ox.Quad]) -> set[ox.Quad]:
    """The quads with their blank nodes labelled by RDFC-1.0: equal sets are the same dataset."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(dataset)


# --- the files ------------------------------------------------------------------------------------


def test_site_command_writes_the_page_its_files_and_the_graph(
    tmp_path: Path, seed_store: ox.Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no out/medkg.trig here: the seed example is the graph
    assert main(["site", "--out", "site"]) == 0
    site = tmp_path / "site"
    written = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    expected = {f"assets/{name}" for name in (*ASSETS, *SITE_ASSETS)} | set(DATA_FILES)
    expected |= {f"queries/{q.name}.rq" for q in QUERIES}
    assert written == expected
    assert not list(tmp_path.glob(".*"))  # no staging folder left beside it
    assert any(isinstance(q.graph_name, ox.NamedNode) for q in seed_store)  # the claims are in named graphs
    quads = ox.parse((site / GRAPH_FILE).read_bytes(), format=ox.RdfFormat.N_QUADS)
    assert _canonical(quads) == _canonical(seed_store)
    for query in QUERIES:
        assert query.path is not None
        assert (site / f"queries/{query.name}.rq").read_bytes() == query.path.read_bytes()
    page = (site / "index.html").read_text(encoding="utf-8")
    assert f'<meta http-equiv="Content-Security-Policy" content="{SITE_CSP}">' in page
    assert "'wasm-unsafe-eval'" in SITE_CSP and "connect-src 'self'" in SITE_CSP and "http" not in SITE_CSP
    assert page.index('src="assets/site.js"') < page.index('src="assets/app.js"') and "<script>" not in page
    # A rebuild is byte-identical; a folder that is not a site is left alone, with one line saying so.
    before = {name: (site / name).read_bytes() for name in written}
    assert main(["site", "--out", "site"]) == 0
    assert {name: (site / name).read_bytes() for name in written} == before
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("keep me", encoding="utf-8")
    capsys.readouterr()
    assert main(["site", "--out", "notes"]) == 1
    error = capsys.readouterr().err.splitlines()[-1]  # after the line saying the seed is the graph
    assert error.startswith("medkg: cannot write ") and "notes: exists and is not an earlier output" in error
    assert (tmp_path / "notes" / "mine.txt").read_text(encoding="utf-8") == "keep me"
    assert (site / "terms.json").read_bytes() == terms_json(seed_store)
    catalogue = json.loads((site / "queries.json").read_bytes())
    assert [q["name"] for q in catalogue["queries"]] == [q.name for q in QUERIES]
    assert all(not q["url"].startswith("/") for q in catalogue["queries"])  # a host may serve it anywhere


def test_notice_pins_the_vendored_oxigraph_files() -> None:
    notice = workbench_file("vendor/oxigraph/NOTICE").decode("utf-8")
    assert "oxigraph 0.5.11" in notice and "MIT OR Apache-2.0" in notice
    pinned = {name: digest for digest, name in PINNED.findall(notice)}
    assert set(pinned) == {"web.js", "web_bg.wasm"}
    for name, digest in pinned.items():
        assert hashlib.sha256(workbench_file(f"vendor/oxigraph/{name}")).hexdigest() == digest, name
    assert b"Permission is hereby granted" in workbench_file("vendor/oxigraph/LICENSE-oxigraph.txt")
    assert workbench_file("vendor/oxigraph/web_bg.wasm").startswith(b"\0asm")


def _run_with_values(query: NamedQuery, store: ox.Store, params: Mapping[str, str]) -> ResultTable:
    """What the page runs: the query split by the catalogue, its parameters in a VALUES clause there."""
    head, tail = split_for_values(query)
    terms = bind_parameters(query, params, store)
    values = f"VALUES ({' '.join(map(str, terms))}) {{ ({' '.join(map(str, terms.values()))}) }}"
    inline = NamedQuery(**{**vars(query), "sparql": f"{head}\n{values}\n{tail}", "parameters": ()})
    return run_query(inline, store)


@pytest.mark.parametrize("query", WITH_PARAMETERS, ids=[q.name for q in WITH_PARAMETERS])
def test_a_values_clause_where_the_catalogue_splits_binds_as_substitutions_do(
    query: NamedQuery, corpus_store: ox.Store
) -> None:
    for params in ({}, other_values(query, corpus_store) or {}):
        expected = run_query(query, corpus_store, params)
        assert len(expected) > 0, (query.name, params)  # a binding that matched nothing would prove little
        assert _rows(_run_with_values(query, corpus_store, params)) == _rows(expected)


def test_the_name_table_says_what_resolving_each_name_in_the_store_says(seed_store: ox.Store) -> None:
    store = ox.Store()
    store.extend(seed_store)
    shared = ox.Literal("the shared name")  # two entities answer to it: an ambiguous name
    for slug in ("herpes", "lower-back-pain"):
        store.add(ox.Quad(ox.NamedNode(ENTITY + slug), ox.NamedNode(PREFIXES["skos"] + "altLabel"), shared))
    table = entity_name_table(store)
    assert "error" in table["the shared name"] and table["lumbago"] == {"iri": ENTITY + "lower-back-pain"}
    for key, found in table.items():
        if "iri" in found:
            assert resolve_in_store(store, key) == found["iri"]
        else:
            with pytest.raises(EntityNameError) as caught:
                resolve_in_store(store, key)
            assert str(caught.value) == found["error"]


def test_a_query_whose_parameters_cannot_be_bound_is_named() -> None:
    header = "#+ params:\n#+   - {name: x, type: integer, default: '1', description: a number}\n"
    query = parse_query(header + "SELECT ?x { BIND(1 AS ?y) }", name="no-where")
    with pytest.raises(SiteError, match="no-where: a query with parameters needs a top-level WHERE"):
        split_for_values(query)


# --- in the browser -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory, corpus_store: ox.Store
) -> Iterator[Workbench]:
    """The example corpus's site served by ``python -m http.server`` on loopback, one page open for every test."""
    folder = tmp_path_factory.mktemp("site") / "site"
    write_site(corpus_store, folder)
    command = [sys.executable, "-u", "-m", "http.server", "--bind", "127.0.0.1", "--directory", str(folder)]
    command.append("0")  # any free port: the server says which on its first line
    host = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert host.stdout is not None
        banner = host.stdout.readline()  # Serving HTTP on 127.0.0.1 port N (http://127.0.0.1:N/) ...
        port = int(banner.split(" port ")[1].split()[0])
        opened, context = open_workbench(browser, f"http://127.0.0.1:{port}", csp=None)
        yield opened
        context.close()
    finally:
        host.terminate()
        host.wait(timeout=10)


def _shown(shared: Workbench) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    """The columns and bindings of the result YASR shows."""
    shown = shared.page.evaluate("""() => {
      const results = medkgWorkbench.yasgui.getTab().getYasr().results;
      return [results.getVariables(), results.getBindings()];
    }""")
    return tuple(shown[0]), shown[1]


def _run_from_form(shared: Workbench, query: NamedQuery, params: Mapping[str, str]) -> str:
    entry = shared.page.locator(f'#queries > li[data-name="{query.name}"]')
    for name, value in params.items():
        field = entry.locator(f"[name={name}]")
        if field.evaluate("(e) => e.tagName") == "SELECT":
            field.evaluate("(e, v) => { e.add(new Option(v, v)); e.value = v; }", value)
        else:
            field.fill(value)
    shared.page.evaluate("() => { document.getElementById('run-status').textContent = ''; }")
    entry.locator("button.run").click()
    shared.page.wait_for_function(
        "(name) => document.getElementById('run-status').textContent.startsWith(name + ':')", arg=query.name
    )
    return str(shared.page.locator("#run-status").inner_text())


@pytest.mark.browser
@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_every_named_query_gives_the_runners_rows(
    shared: Workbench, corpus_store: ox.Store, query: NamedQuery
) -> None:
    other = other_values(query, corpus_store)
    for params in ({}, *([other] if other else [])):
        status = _run_from_form(shared, query, params)
        assert "run in this browser" in status, status
        expected = run_query(query, corpus_store, params)
        variables, bindings = _shown(shared)
        assert set(variables) == set(expected.variables)
        assert _rows_of_bindings(expected.variables, bindings) == _rows(expected), params
    assert shared.outside() == [] and shared.violations() == [] and shared.errors == []


@pytest.mark.browser
def test_a_typed_query_and_a_bad_name_are_answered_in_the_page(
    shared: Workbench, corpus_store: ox.Store
) -> None:
    text = "SELECT ?claim ?quote WHERE { ?claim medkg:proposition/medkg:subject entity:herpes ; medkg:quote ?quote }"
    page = shared.page
    page.evaluate("(q) => { medkgWorkbench.yasgui.getTab().setQuery(q); }", text)
    page.locator(".yasqe_queryButton").click()
    page.wait_for_function("() => { const r = medkgWorkbench.yasgui.getTab().getYasr().results; "
                           "return r && r.getVariables().includes('quote'); }")  # fmt: skip
    expected = run_sparql(text, corpus_store)
    assert len(expected) > 0
    assert _rows_of_bindings(expected.variables, _shown(shared)[1]) == _rows(expected)
    # A CONSTRUCT is answered as Turtle, which YASR reads as one row a triple.
    construct = text.replace("SELECT ?claim ?quote WHERE", "CONSTRUCT { ?claim medkg:quote ?quote } WHERE")
    page.evaluate("(q) => { medkgWorkbench.yasgui.getTab().setQuery(q); }", construct)
    page.locator(".yasqe_queryButton").click()
    page.wait_for_function("() => { const r = medkgWorkbench.yasgui.getTab().getYasr().results; "
                           "return r && r.getVariables().includes('predicate'); }")  # fmt: skip
    triples = {(b["subject"]["value"], b["object"]["value"]) for b in _shown(shared)[1]}
    assert triples == {(claim, quote) for claim, quote, *_ in _rows(expected)}
    claims_about = next(q for q in QUERIES if q.name == "claims-about")
    for name in ("no such thing", "constructor", "__proto__"):  # the last two are names every JS object has
        status = _run_from_form(shared, claims_about, {"entity": name})
        assert status == f"claims-about: parameter 'entity': unknown entity '{name}'"
    assert shared.outside() == [] and shared.violations() == [] and shared.errors == []
