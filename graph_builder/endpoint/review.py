"""``medkg review DRAFT.yaml``: a page on loopback listing a draft's claims, each quote marked in the
article, to accept, edit or reject; saving checks the new file and replaces the draft atomically.

Routes: ``/`` (the page, ``workbench/review.html``), ``/assets/NAME`` (its script and styles), ``GET
/api/review`` (the draft as JSON: the text, the claims with their offsets and comments, the entities and
the values each field may take) and ``POST /api/review`` (the decisions, JSON). A save is refused unless
it comes from this page: the ``Host`` must name this server (no other name that resolves here, which
keeps a rebinding DNS name out), an ``Origin`` sent must be this server's, and the ``X-Medkg-Token``
header must carry the token the page read from ``/api/review`` (a header no other site's form can set,
and no other site's script can send without a preflight this server never grants). A body over
:data:`MAX_BODY` is refused. The saved file is checked with the annotation checks first; with a problem
nothing is written and each problem is one line of the answer.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from graph_builder.core.codebook import certainty
from graph_builder.core.model import Annotation
from graph_builder.core.vocabulary import load_vocabulary
from graph_builder.endpoint.jobs import Reply, text_reply
from graph_builder.endpoint.pages import PAGE_HEADERS, workbench_file
from graph_builder.extract.review import Decision, ReviewError, apply_review, read_notes
from graph_builder.ingest.annotations import check_text
from graph_builder.ingest.problems import AnnotationError
from graph_builder.ingest.reader import ReadRefused, read_text
from graph_builder.kg.export import write_atomic

#: The largest save accepted: decisions about every claim of a large draft take a few hundred kB.
MAX_BODY = 2 * 1024 * 1024
#: The page's files under ``/assets/``, in ``graph_builder/endpoint/workbench/``.
ASSETS = {
    "base.css": "text/css; charset=utf-8",
    "review.css": "text/css; charset=utf-8",
    "review.js": "text/javascript; charset=utf-8",
}
_VERDICTS = ("accept", "reject", "pending")


def _json_reply(status: int, value: object) -> Reply:
    return Reply(status, "application/json; charset=utf-8", json.dumps(value, ensure_ascii=False).encode())


class DraftReview:
    """The draft file under review: what the page shows of it, and saving decisions into it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.token = secrets.token_urlsafe(24)
        self._lock = threading.Lock()  # one save at a time: each reads, checks and replaces the file
        self.vocab = load_vocabulary()

    def _read(self) -> tuple[str, Annotation]:
        try:
            raw = read_text(self.path, "an annotation file")
        except ReadRefused as err:
            raise ReviewError(f"{self.path}: expected {err.expected}; found {err.found}") from None
        annotation, problems = check_text(self.path, raw, self.vocab)
        if problems or annotation is None:
            raise AnnotationError(problems)
        return raw, annotation

    def check(self) -> None:
        """Raise :class:`AnnotationError` or :class:`ReviewError` when the draft cannot be reviewed."""
        raw, _ = self._read()
        read_notes(raw)

    def state(self) -> dict[str, Any]:
        """The page's data: the draft's text, claims, entities, and the choices of each field."""
        raw, ann = self._read()
        notes = {n.id: n for n in read_notes(raw)}
        v = self.vocab
        return {
            "file": self.path.name,
            "version": hashlib.sha256(raw.encode()).hexdigest(),
            "token": self.token,
            "title": ann.source.title,
            "agent": ann.agent,
            "text": ann.source.text,
            "claims": [
                {
                    "id": c.id,
                    "subject": c.subject,
                    "relation": c.relation,
                    "object": c.object,
                    "quote": {"text": c.quote.text, "start": c.quote.start, "end": c.quote.end},
                    "hedges": [
                        {"text": h.span.text, "type": h.type, "start": h.span.start, "end": h.span.end}
                        for h in c.hedges
                    ],
                    "polarity": c.polarity,
                    "support": c.support,
                    "certainty": c.certainty,
                    "attributed_to": c.attributed_to,
                    "confidence": notes[c.id].confidence,
                    "reviews": list(notes[c.id].reviews),
                    "accepted": notes[c.id].accepted,
                }
                for c in ann.claims
            ],
            "entities": [{"id": e.id, "label": e.label, "type": e.type} for e in ann.entities.values()],
            "choices": {
                "relation": sorted(v.relations),
                "polarity": sorted(v.polarities),
                "support": [s.slug for s in sorted(v.supports.values(), key=lambda s: s.rank)],
                "hedge": sorted(v.hedge_types),
            },
            # certainty follows the cues (docs/codebook.md): the page shows what each cue type makes it
            "certainty_of": {t: certainty([t]) for t in v.hedge_types},
        }

    def save(self, body: Mapping[str, Any]) -> Reply:
        """Apply the decisions of a page (``{"version", "decisions": {id: {"verdict", "changes"}}}``)."""
        decisions = _decisions(body.get("decisions"))
        if isinstance(decisions, str):
            return text_reply(400, decisions)
        with self._lock:
            raw, ann = self._read()
            if body.get("version") != hashlib.sha256(raw.encode()).hexdigest():
                return text_reply(
                    409, f"{self.path.name} changed on disk since the page read it: reload the page"
                )
            try:
                new = apply_review(raw, decisions, ann.source.text)
            except ReviewError as err:
                return text_reply(400, str(err))
            annotation, problems = check_text(self.path, new, self.vocab)
            if problems or annotation is None:
                return _json_reply(422, {"problems": [str(p) for p in problems]})
            write_atomic(self.path, new.encode("utf-8"))
        return _json_reply(200, self.state())


def _decisions(value: Any) -> dict[str, Decision] | str:
    """The decisions of a save, or what is wrong with them."""
    if not isinstance(value, Mapping):
        return "expected 'decisions', a JSON object of claim id → {verdict, changes}"
    out = {}
    for cid, d in value.items():
        if (
            not isinstance(d, Mapping)
            or d.get("verdict") not in _VERDICTS
            or not isinstance(d.get("changes", {}), Mapping)
        ):
            return f"claim {cid}: expected {{verdict: accept | reject | pending, changes: {{…}}}}; found {json.dumps(d)[:80]}"
        out[str(cid)] = Decision(d["verdict"], dict(d.get("changes", {})))
    return out


class ReviewServer(ThreadingHTTPServer):
    daemon_threads = True
    review: DraftReview


class ReviewHandler(BaseHTTPRequestHandler):
    """One request of the review page; HTTP/1.0, one request a connection."""

    server: ReviewServer
    server_version = "medkg-review"
    timeout = 15.0  # seconds a connection may sit without sending

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the page's own requests are routine; a refused save answers the page, which shows it

    def _send(self, reply: Reply, extra: Mapping[str, str] | None = None) -> None:
        self.send_response(reply.status)
        headers = {**PAGE_HEADERS, "Content-Type": reply.content_type, "Content-Length": str(len(reply.body)),
                   "Cache-Control": "no-store", **(extra or {})}  # fmt: skip
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    def _own_host(self) -> bool:
        port = self.server.server_address[1]
        return (self.headers.get("Host") or "").lower() in {f"127.0.0.1:{port}", f"localhost:{port}"}

    def do_GET(self) -> None:
        path = self.path.partition("?")[0]
        if not self._own_host():
            self._send(text_reply(403, "expected a Host of this server (127.0.0.1 or localhost, its port)"))
        elif path == "/":
            self._send(Reply(200, "text/html; charset=utf-8", workbench_file("review.html")))
        elif path.startswith("/assets/") and path[8:] in ASSETS:
            self._send(Reply(200, ASSETS[path[8:]], workbench_file(path[8:])))
        elif path == "/api/review":
            try:
                self._send(_json_reply(200, self.server.review.state()))
            except (AnnotationError, ReviewError) as err:
                self._send(text_reply(409, str(err)))
        else:
            self._send(text_reply(404, f"no such path {path}"))

    do_HEAD = do_GET

    def do_POST(self) -> None:
        refusal = self._refusal()
        if refusal is not None:
            self._send(refusal)
            return
        try:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            self._send(text_reply(400, "expected a JSON body in UTF-8"))
            return
        if not isinstance(body, Mapping):
            self._send(text_reply(400, "expected a JSON object"))
            return
        try:
            self._send(self.server.review.save(body))
        except (AnnotationError, ReviewError) as err:  # the draft on disk went bad since the page read it
            self._send(text_reply(409, str(err)))
        except OSError as err:
            self._send(text_reply(500, f"cannot write {self.server.review.path}: {err.strerror or err}"))

    def _refusal(self) -> Reply | None:
        """Why a POST is refused before its body is read, or ``None``."""
        self.close_connection = True
        if self.path != "/api/review":
            return text_reply(404, f"no such path {self.path}")
        if not self._own_host():
            return text_reply(403, "expected a Host of this server (127.0.0.1 or localhost, its port)")
        origin = self.headers.get("Origin")
        if origin is not None and origin.lower() != f"http://{self.headers['Host'].lower()}":
            return text_reply(403, f"requests from origin {origin} are refused")
        if not secrets.compare_digest(self.headers.get("X-Medkg-Token", ""), self.server.review.token):
            return text_reply(403, "expected the page's X-Medkg-Token header")
        if self.headers.get_content_type() != "application/json":
            return text_reply(415, f"expected application/json; found {self.headers.get_content_type()}")
        length = self.headers.get("Content-Length", "")
        if not length.isdigit():
            return text_reply(411, "a save needs a Content-Length")
        if int(length) > MAX_BODY:
            return text_reply(413, f"request body over {MAX_BODY} bytes")
        return None

    def _refuse_method(self) -> None:
        self._send(text_reply(405, "only GET and POST are allowed"), {"Allow": "GET, POST"})

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse_method


def start_review(path: Path, port: int = 0) -> tuple[ReviewServer, threading.Thread]:
    """Check the draft, then serve its review on 127.0.0.1 from a background thread (``port=0``: any free)."""
    review = DraftReview(path)
    review.check()
    server = ReviewServer(("127.0.0.1", port), ReviewHandler)
    server.review = review
    thread = threading.Thread(target=server.serve_forever, name="medkg-review", daemon=True)
    thread.start()
    return server, thread
