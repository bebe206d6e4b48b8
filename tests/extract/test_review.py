"""``medkg review``'s save path: decisions written into a draft's lines, checked first, the file replaced
atomically; a draft made from the seed file in the extractor's own format (tests/extract/drafts.py)."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_builder.core.paths import ARTICLES_DIR, SEED_ANNOTATION, SEED_SOURCE_ID
from graph_builder.endpoint.review import MAX_BODY, DraftReview, ReviewServer, start_review
from graph_builder.extract.evaluate import load
from graph_builder.extract.review import (
    ACCEPTED,
    REVIEWED_AGENT,
    Decision,
    ReviewError,
    apply_review,
    read_notes,
)
from tests.extract.drafts import draft_of


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    out = tmp_path / "draft.yaml"
    out.write_text(
        draft_of(load(SEED_ANNOTATION), ARTICLES_DIR / f"{SEED_SOURCE_ID}.txt", out), encoding="utf-8"
    )
    return out


def _block(raw: str, claim_id: str) -> str:
    """A claim's lines in a draft, from its comments to the next claim's."""
    lines = raw.splitlines(keepends=True)
    at = lines.index(f"  - id: {claim_id}\n")
    start = at
    while lines[start - 1].startswith("  #"):
        start -= 1
    end = at + 1
    while end < len(lines) and not lines[end].startswith(("  - ", "  #")) and lines[end].startswith("    "):
        end += 1
    return "".join(lines[start:end])


def test_accept_reject_edit_keep_every_other_line(draft: Path) -> None:
    raw = draft.read_text()
    ann = load(draft)
    # a rejected claim whose entities no other claim uses, so they go too
    uses: dict[str, int] = {}
    for c in ann.claims:
        for e in {c.subject, c.object}:
            uses[e] = uses.get(e, 0) + 1
    rejected = next(c for c in ann.claims if uses[c.subject] == 1)
    accepted, edited = [c for c in ann.claims if c is not rejected and not c.hedges][:2]
    other = next(r for r in sorted(ann.entities) if r not in (edited.object, edited.subject))
    new = apply_review(raw, {
        rejected.id: Decision("reject"),
        accepted.id: Decision("accept"),
        edited.id: Decision("accept", {"object": other, "quote": [edited.quote.start, edited.quote.end - 1]}),
    }, ann.source.text)  # fmt: skip
    draft.write_text(new)
    after = load(draft)  # the annotation checks pass
    by_id = {c.id: c for c in after.claims}
    assert rejected.id not in by_id and rejected.subject not in after.entities
    assert "# confidence" in _block(new, accepted.id) and ACCEPTED in _block(new, accepted.id)
    assert "# review:" not in _block(new, accepted.id)
    assert by_id[edited.id].object == other and by_id[edited.id].quote.text == edited.quote.text[:-1]
    untouched = [c.id for c in ann.claims if c not in (rejected, accepted, edited)]
    assert all(_block(new, cid) == _block(raw, cid) for cid in untouched)
    assert [n.accepted for n in read_notes(new)] == [cid in (accepted.id, edited.id) for cid in by_id]
    assert after.agent == "text_mining_agent"  # claims are left to review


def test_the_agent_changes_when_every_claim_is_reviewed(draft: Path) -> None:
    ann = load(draft)
    decisions = {c.id: Decision("accept") for c in ann.claims}
    draft.write_text(apply_review(draft.read_text(), decisions, ann.source.text))
    assert load(draft).agent == REVIEWED_AGENT
    # accepting again changes nothing
    assert apply_review(draft.read_text(), decisions, ann.source.text) == draft.read_text()


def test_a_decision_about_no_claim_is_refused(draft: Path) -> None:
    with pytest.raises(ReviewError, match="no-such-claim"):
        apply_review(draft.read_text(), {"no-such-claim": Decision("accept")}, "")


# --- saving through the page's server ------------------------------------------------------------


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def test_a_save_with_problems_writes_nothing_and_names_each(draft: Path) -> None:
    review = DraftReview(draft)
    ann = load(draft)
    before, stat = draft.read_bytes(), draft.stat()
    plain = [c for c in ann.claims if not c.hedges][:2]
    # negated needs a negation cue; an entity must be defined: two problems, one line each
    decisions = {plain[0].id: {"verdict": "accept", "changes": {"polarity": "negated"}},
                 plain[1].id: {"verdict": "accept", "changes": {"subject": "no-such-entity"}}}  # fmt: skip
    reply = review.save({"version": _digest(before), "decisions": decisions})
    assert reply.status == 422
    problems = json.loads(reply.body)["problems"]
    assert len(problems) == 2 and all("\n" not in p for p in problems)
    assert any(plain[0].id in p and "polarity" in p for p in problems)
    assert any(plain[1].id in p and "no-such-entity" in p for p in problems)
    assert draft.read_bytes() == before and draft.stat().st_mtime_ns == stat.st_mtime_ns
    assert sorted(p.name for p in draft.parent.iterdir()) == ["draft.yaml"]  # no temporary left


def test_a_save_replaces_the_file_and_refuses_a_stale_page(draft: Path) -> None:
    review = DraftReview(draft)
    first = load(draft).claims[0]
    before = draft.read_bytes()
    inode = draft.stat().st_ino
    reply = review.save({"version": _digest(before), "decisions": {first.id: {"verdict": "reject"}}})
    assert reply.status == 200
    assert first.id not in [c["id"] for c in json.loads(reply.body)["claims"]]
    assert (
        draft.stat().st_ino != inode
    )  # a new file renamed over the old (os.replace), not rewritten in place
    assert sorted(p.name for p in draft.parent.iterdir()) == ["draft.yaml"]
    # the page still holds the old version: refused, nothing written
    after = draft.read_bytes()
    assert review.save({"version": _digest(before), "decisions": {}}).status == 409
    assert draft.read_bytes() == after


@pytest.fixture
def served(draft: Path) -> Iterator[ReviewServer]:
    server, _ = start_review(draft)
    yield server
    server.shutdown()
    server.server_close()


def _post(server: ReviewServer, body: bytes, **headers: str) -> int:
    port = server.server_address[1]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    sent = {"Host": f"127.0.0.1:{port}", "Content-Type": "application/json",
            "X-Medkg-Token": server.review.token, **headers}  # fmt: skip
    connection.request("POST", "/api/review", body=body, headers=sent)
    status = connection.getresponse().status
    connection.close()
    return status


def test_only_the_page_may_save(served: ReviewServer, draft: Path) -> None:
    before = draft.read_bytes()
    first = load(draft).claims[0].id
    body = json.dumps({"version": _digest(before), "decisions": {first: {"verdict": "reject"}}}).encode()
    port = served.server_address[1]
    assert _post(served, body, **{"X-Medkg-Token": "guessed"}) == 403
    assert _post(served, body, Origin="http://attacker.example") == 403
    assert _post(served, body, Host=f"rebound.example:{port}") == 403  # a DNS name rebound to 127.0.0.1
    assert _post(served, body, **{"Content-Type": "text/plain"}) == 415
    # refused on its Content-Length, before a byte of it is read
    assert _post(served, b"", **{"Content-Length": str(MAX_BODY + 1)}) == 413
    assert draft.read_bytes() == before
    assert _post(served, body, Origin=f"http://127.0.0.1:{port}") == 200
    assert draft.read_bytes() != before
    assert served.server_address[0] == "127.0.0.1"


def test_a_draft_with_problems_is_refused_at_start(draft: Path) -> None:
    draft.write_text(draft.read_text().replace("relation: causes", "relation: cures", 1))
    with pytest.raises(ValueError, match="cures"):
        start_review(draft)
    assert not any(os.fspath(p).endswith(".tmp") for p in draft.parent.iterdir())
