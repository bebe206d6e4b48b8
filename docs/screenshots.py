"""Take the README's screenshots of the workbench, a claim page and the static site (``make screenshots``).

Builds the example corpus into a temporary store, serves it with ``medkg serve`` on loopback, and its
``medkg site`` with ``python -m http.server`` on loopback, and drives Debian's Chromium through
playwright; writes ``docs/workbench.png``, ``docs/claim-page.png`` and ``docs/site.png``. Nothing leaves
the machine: every request outside the page's own server is aborted and reported.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pyoxigraph as ox
from playwright.sync_api import Page, sync_playwright

from graph_builder.core.paths import EXAMPLE_CORPUS
from graph_builder.endpoint.server import SparqlServer
from graph_builder.endpoint.site import write_site
from graph_builder.kg.build import build_from_files
from graph_builder.store.corpus import annotation_files

DOCS = Path(__file__).parent
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]  # fmt: skip
#: The claim the claim page shows: the seed's disclaimed "herpes causes lower back pain".
CLAIM_QUOTE = "not supported with any medical researches"


def run_from_catalogue(page: Page, name: str) -> None:
    """Run a named query with its form's defaults, as a reader clicking "Load and run" does."""
    entry = page.locator(f'#queries > li[data-name="{name}"]')
    entry.wait_for()
    entry.locator("button.run").click()
    page.wait_for_function(
        "(name) => document.getElementById('run-status').textContent.startsWith(name + ':')", arg=name
    )
    page.wait_for_timeout(500)  # YASR draws its table after the status line


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        graph = build_from_files(annotation_files([EXAMPLE_CORPUS]))
        store = ox.Store(str(Path(tmp) / "store"))
        store.bulk_extend(graph)
        store.flush()
        del store
        with SparqlServer(Path(tmp) / "store", port=0, quiet=True) as server, sync_playwright() as pw:
            base = server.url.removesuffix("/sparql")  # the page's origin
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900}, device_scale_factor=1)
            outside: list[str] = []

            def refuse(route: object) -> None:
                request = route.request  # type: ignore[attr-defined]
                outside.append(request.url)
                route.abort()  # type: ignore[attr-defined]

            page.route(lambda url: not url.startswith(base), refuse)
            page.goto(base + "/")
            run_from_catalogue(page, "conflicts")
            page.screenshot(path=str(DOCS / "workbench.png"))
            claim = page.evaluate(
                """async (quote) => {
                  const body = new URLSearchParams({query:
                    `SELECT ?a WHERE { ?a medkg:quote ?q . FILTER(CONTAINS(?q, "${quote}")) } ORDER BY ?a LIMIT 1`});
                  const r = await fetch("/sparql", {method: "POST", body,
                    headers: {Accept: "application/sparql-results+json"}});
                  return (await r.json()).results.bindings[0].a.value;
                }""",
                CLAIM_QUOTE,
            )
            page.set_viewport_size({"width": 1400, "height": 1250})  # down to the quote in the text
            page.goto(base + "/claim/" + claim.rsplit("/", 1)[-1])
            page.wait_for_selector("mark.quote", timeout=60_000)
            page.screenshot(path=str(DOCS / "claim-page.png"), full_page=False)
            site = Path(tmp) / "site"
            write_site(graph, site)
            command = [
                sys.executable,
                "-u",
                "-m",
                "http.server",
                "--bind",
                "127.0.0.1",
                "--directory",
                str(site),
                "0",
            ]
            host = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            try:
                assert host.stdout is not None
                port = int(host.stdout.readline().split(" port ")[1].split()[0])
                base = f"http://127.0.0.1:{port}"
                static = browser.new_page(viewport={"width": 1400, "height": 900}, device_scale_factor=1)
                static.route(lambda url: not url.startswith(base), refuse)
                static.goto(base + "/")
                run_from_catalogue(static, "agreement")
                static.screenshot(path=str(DOCS / "site.png"))
            finally:
                host.terminate()
                host.wait(timeout=10)
            browser.close()
    if outside:
        print("requests outside the server were refused:", *outside, sep="\n  ", file=sys.stderr)
        return 1
    print(f"wrote {DOCS / 'workbench.png'}, {DOCS / 'claim-page.png'} and {DOCS / 'site.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
