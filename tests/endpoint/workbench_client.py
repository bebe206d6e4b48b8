"""The workbench of ``medkg serve`` opened in Chromium for a test, recording every request and error.

Shared by the workbench test modules, as :mod:`tests.endpoint.http_client` is by the endpoint tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from graph_builder.endpoint.pages import CSP

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

# Injected by playwright before the page's scripts (the CSP does not apply to it): every attempt the CSP
# blocked, which never becomes a request the recorder could see.
RECORD_VIOLATIONS = """window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(
  `${e.effectiveDirective} ${e.blockedURI}`));"""


@dataclass
class Workbench:
    """The page, loaded and ready, with every request it made and every error it logged."""

    page: Page
    origin: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def outside(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(self.origin + "/")]

    def violations(self) -> list[str]:
        return list(self.page.evaluate("() => window.__violations"))

    def result_rows(self) -> int:
        self.page.wait_for_selector(".yasr table.dataTable tbody tr td", timeout=30_000)
        return self.page.locator(".yasr table.dataTable tbody tr").count()


def open_workbench(browser: Browser, origin: str, csp: str | None = CSP) -> tuple[Workbench, BrowserContext]:
    """The page at ``origin``, ready; requests outside it are aborted (and recorded). Close the context.

    ``csp`` is the Content-Security-Policy header the page must come with (``None``: a static host's page,
    which carries its policy in a ``<meta>``).
    """
    context = browser.new_context(viewport={"width": 1500, "height": 950}, accept_downloads=True)
    page = context.new_page()
    opened = Workbench(page, origin)
    context.on("request", lambda request: opened.requests.append(request.url))
    context.add_init_script(RECORD_VIOLATIONS)
    # Nothing may leave the machine, even when an assertion would miss it: abort, and record above.
    context.route(lambda url: not url.startswith(opened.origin + "/"), lambda route: route.abort())
    page.on("console", lambda msg: opened.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    response = page.goto(opened.origin + "/")
    assert response is not None and response.headers.get("content-security-policy") == csp
    page.wait_for_selector("body[data-ready=true]", state="attached", timeout=60_000)
    return opened, context
