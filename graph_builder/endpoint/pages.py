"""The pages of ``medkg serve``: the workbench at ``/``, the claim, entity and source pages, their files
under ``/assets/``, the prefixes and the catalogue of named queries.

The pages, their code and the vendored YASGUI are files in ``graph_builder/endpoint/workbench/`` (see its
NOTICE), read from a checkout or an installed wheel alike; every page reply carries a Content-Security-Policy
that lets the page load and fetch from this server only. A claim, entity or source page is a static file
whose script fetches its record as JSON from ``/api/KIND/ID`` (:mod:`graph_builder.endpoint.records`).
"""

from __future__ import annotations

import importlib.resources
import json
from collections.abc import Iterable
from typing import Any

from graph_builder.core.namespaces import PREFIXES
from graph_builder.endpoint.jobs import Reply
from graph_builder.endpoint.records import RECORD_KINDS
from graph_builder.sparql.queries import NamedQuery

#: Only this server: scripts from its files (none inline), fetches to its routes. Inline styles are
#: allowed, scripts are not: YASR's result table writes ``style`` attributes in the markup it builds
#: (measured: the CSP blocked them and the console said so), and a style runs no code.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: Headers sent with the page and its files.
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
#: Headers sent with a drawn result (``/graph``): the page carries its own, stricter policy (no fetches
#: at all; scripts by hash), which a header policy for the workbench would block.
GRAPH_HEADERS = {key: value for key, value in PAGE_HEADERS.items() if key != "Content-Security-Policy"}
#: The files served under ``/assets/``: their path in the workbench folder, and media type.
ASSETS = {
    "app.js": "text/javascript; charset=utf-8",
    "base.css": "text/css; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "links.js": "text/javascript; charset=utf-8",
    "record.js": "text/javascript; charset=utf-8",
    "record.css": "text/css; charset=utf-8",
    "vendor/yasgui.min.js": "text/javascript; charset=utf-8",
    "vendor/yasgui.min.css": "text/css; charset=utf-8",
}


def workbench_file(name: str) -> bytes:
    """The bytes of one file of ``graph_builder/endpoint/workbench/``.

    >>> workbench_file("page.html").startswith(b"<!DOCTYPE html>")
    True
    """
    folder = importlib.resources.files("graph_builder.endpoint") / "workbench"
    return folder.joinpath(*name.split("/")).read_bytes()


def wants_html(accept: str | None) -> bool:
    """Whether a request's ``Accept`` names HTML (a browser's does; curl's ``*/*`` does not).

    >>> wants_html("text/html,application/xhtml+xml,*/*;q=0.8"), wants_html("*/*"), wants_html(None)
    (True, False, False)
    >>> wants_html("text/html;q=0")
    False
    """
    for item in (accept or "").split(","):
        media, *params = (part.strip() for part in item.split(";"))
        if media.lower() in ("text/html", "application/xhtml+xml"):
            weights = [p.partition("=")[2] for p in params if p.replace(" ", "").lower().startswith("q=")]
            try:
                return not weights or float(weights[0]) > 0
            except ValueError:
                return False
    return False


def page_reply() -> Reply:
    """The workbench page."""
    return Reply(200, "text/html; charset=utf-8", workbench_file("page.html"))


def help_reply() -> Reply:
    """The routes, as plain text: ``/`` for a client that does not ask for HTML, and ``/help``."""
    return Reply(200, "text/plain; charset=utf-8", workbench_file("help.txt"))


def asset_reply(name: str) -> Reply | None:
    """One file of the page by its name under ``/assets/``; ``None`` for a name not in :data:`ASSETS`."""
    media = ASSETS.get(name)
    return None if media is None else Reply(200, media, workbench_file(name))


def record_path(path: str) -> tuple[bool, str, str] | None:
    """``(is_page, kind, id)`` for ``/KIND/ID`` (a page) and ``/api/KIND/ID`` (its record as JSON); ``None``
    for any other path. The id is returned as sent, percent-escapes and all: it is checked, never decoded.

    >>> record_path("/claim/2a80eb2911d144db"), record_path("/api/source/x"), record_path("/claims/x")
    ((True, 'claim', '2a80eb2911d144db'), (False, 'source', 'x'), None)
    >>> record_path("/apiclaim/x"), record_path("/api/api/claim/x"), record_path("/claim")
    (None, None, None)
    """
    api = path.startswith("/api/")
    kind, slash, ident = path[len("/api/") if api else 1 :].partition("/")
    return (not api, kind, ident) if slash and kind in RECORD_KINDS else None


def record_page_reply(kind: str | None) -> Reply:
    """The page of a kind of record, or (``None``) the page saying there is no such record, with status 404."""
    if kind is None:
        return Reply(404, "text/html; charset=utf-8", workbench_file("notfound.html"))
    return Reply(200, "text/html; charset=utf-8", workbench_file(f"{kind}.html"))


def prefixes_reply() -> Reply:
    """medkg's prefixes as JSON (prefix → IRI), the ones every query on this server may use undeclared."""
    body = json.dumps(PREFIXES, ensure_ascii=False, indent=2).encode("utf-8")
    return Reply(200, "application/json; charset=utf-8", body)


def catalogue_entries(queries: Iterable[NamedQuery], root: str = "/") -> list[dict[str, Any]]:
    """Each named query's metadata, parameters and where to run it (``url``) and read it (``sparql``),
    under ``root``: ``/`` on the server, ``""`` (relative to the page) on a static site."""
    return [
        {
            "name": q.name,
            "summary": q.summary,
            "description": q.description,
            "tags": list(q.tags),
            "kind": q.kind,
            "parameters": [vars(p) for p in q.parameters],
            "url": f"{root}queries/{q.name}",
            "sparql": f"{root}queries/{q.name}.rq",
        }
        for q in queries
    ]


def catalogue_reply(queries: Iterable[NamedQuery]) -> Reply:
    """The named queries as JSON (``/queries``): :func:`catalogue_entries`."""
    catalog = catalogue_entries(queries)
    body = json.dumps({"queries": catalog}, ensure_ascii=False, indent=2).encode("utf-8")
    return Reply(200, "application/json; charset=utf-8", body, len(catalog))
