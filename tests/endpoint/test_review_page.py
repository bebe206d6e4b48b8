"""``medkg review``'s page in Chromium: accept one claim, reject one, edit one, save, and build the result;
a save with a problem shows it and writes nothing; the article's text stays text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from graph_builder.cli import main
from graph_builder.core.paths import ARTICLES_DIR, SEED_ANNOTATION, SEED_SOURCE_ID
from graph_builder.endpoint.pages import CSP
from graph_builder.endpoint.review import ReviewServer, start_review
from graph_builder.extract.evaluate import load
from graph_builder.extract.review import ACCEPTED
from tests.endpoint.browsing import RECORD_VIOLATIONS
from tests.extract.drafts import draft_of

if TYPE_CHECKING:
    from playwright.sync_api import Browser

#: Appended to the article: markup in a source text must show as text and run nothing.
MARKUP = '<img src=x onerror="window.__ran=1"><script>window.__ran=1</script>'


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    article = tmp_path / "article.txt"
    article.write_text((ARTICLES_DIR / f"{SEED_SOURCE_ID}.txt").read_text(encoding="utf-8") + MARKUP + "\n")
    out = tmp_path / "draft.yaml"
    out.write_text(draft_of(load(SEED_ANNOTATION), article, out), encoding="utf-8")
    return out


@pytest.fixture
def served(draft: Path) -> Iterator[ReviewServer]:
    server, _ = start_review(draft)
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.browser
def test_accept_reject_edit_then_save_and_build(browser: Browser, served: ReviewServer, draft: Path,
                                                tmp_path: Path) -> None:  # fmt: skip
    origin = f"http://127.0.0.1:{served.server_address[1]}"
    claims = load(draft).claims
    accepted, rejected, edited = [c for c in claims if not c.hedges][:3]
    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    context.route(lambda url: not url.startswith(origin + "/"), lambda route: route.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    response = page.goto(origin + "/")
    assert response is not None and response.headers["content-security-policy"] == CSP
    page.wait_for_selector("body[data-ready=true]", state="attached", timeout=30_000)
    assert page.locator("li.claim").count() == len(claims)
    # the article is text: the markup shows, no element was made of it
    assert MARKUP in page.locator("#text").inner_text()
    assert (
        page.locator("#text img, #text script").count() == 0 and page.evaluate("() => window.__ran") is None
    )

    def item(claim_id: str):  # type: ignore[no-untyped-def]
        return page.locator(f"li.claim[data-id='{claim_id}']")

    # a save with a problem: negated needs a negation cue; nothing is written, the problem is one line
    before = draft.read_bytes()
    item(edited.id).locator("button[name=edit]").click()
    item(edited.id).locator("select[name=polarity]").select_option("negated")
    item(edited.id).locator("button[name=apply]").click()
    page.locator("#save").click()
    page.wait_for_selector("#problems li", timeout=30_000)
    assert edited.id in page.locator("#problems li").first.inner_text() and draft.read_bytes() == before
    item(edited.id).locator("button[name=undo]").click()

    item(accepted.id).locator("button[name=accept]").click()
    item(rejected.id).locator("button[name=reject]").click()
    item(edited.id).locator("button[name=edit]").click()
    other = next(r for r in sorted(load(draft).entities) if r not in (edited.subject, edited.object))
    item(edited.id).locator("select[name=object]").select_option(other)
    item(edited.id).locator("input[name=quote-end]").fill(str(edited.quote.end - 1))
    item(edited.id).locator("button[name=apply]").click()
    assert item(edited.id).get_attribute("data-status") == "edited"
    page.locator("#save").click()
    page.wait_for_selector("body[data-saved='1']", state="attached", timeout=30_000)
    assert page.locator("#problems").is_hidden()
    # the one error logged is the refused save's status (422), which the browser logs itself
    assert page.evaluate("() => window.__violations") == [] and [e for e in errors if "422" not in e] == []
    context.close()

    saved = {c.id: c for c in load(draft).claims}
    assert rejected.id not in saved and len(saved) == len(claims) - 1
    assert saved[edited.id].object == other and saved[edited.id].quote.text == edited.quote.text[:-1]
    assert ACCEPTED in draft.read_text()
    assert main(["build", str(draft), "--out", str(tmp_path / "out")]) == 0
