"""``medkg site``: the workbench of ``medkg serve`` as static files a web host serves as they are, with the
graph as N-Quads and Oxigraph's WebAssembly build answering SPARQL in the reader's browser.

The page and its code are the server's (``workbench/``); ``workbench/site.js`` answers in the browser the
two routes the page asks the server to run queries on. What the server computes per request is computed
here once: the catalogue (with each query's text split where its parameters are bound), the prefixes, the
terms, and every entity name with what it resolves to (:func:`graph_builder.core.names.resolve_name`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph_builder.core.errors import MedkgError
from graph_builder.core.names import EntityName, EntityNameError, normalize, resolve_name
from graph_builder.core.namespaces import ENTITY, PREFIXES
from graph_builder.endpoint.pages import ASSETS, CSP, catalogue_entries, workbench_file
from graph_builder.endpoint.views import terms_json
from graph_builder.kg.export import to_nquads, write_tree
from graph_builder.sparql.parameters import store_entity_names
from graph_builder.sparql.queries import NamedQuery, iter_queries
from graph_builder.sparql.query_guard import _TOKEN, CLI_BASE_IRI, check_query_text

#: The graph the page loads into its in-browser store.
GRAPH_FILE = "medkg.nq"
#: The server's policy, as a ``<meta>`` of the page: WebAssembly may compile, and frame-ancestors goes
#: (a browser ignores it in a ``<meta>``, and says so on the console).
SITE_CSP = "; ".join(
    part.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")
    for part in CSP.split("; ")
    if not part.startswith("frame-ancestors")
)
#: The page's files besides the server's assets: the in-browser backend, Oxigraph, and the licences.
SITE_ASSETS = (
    "site.js",
    "vendor/NOTICE",
    "vendor/LICENSE-yasgui.txt",
    "vendor/oxigraph/web.js",
    "vendor/oxigraph/web_bg.wasm",
    "vendor/oxigraph/NOTICE",
    "vendor/oxigraph/LICENSE-oxigraph.txt",
)
_APP_SCRIPT = '<script src="assets/app.js" defer></script>'
_CHARSET = '<meta charset="utf-8">'


class SiteError(MedkgError, ValueError):
    """A named query the static site cannot bind parameters in."""


def index_html() -> bytes:
    """The workbench page with the site's policy and its in-browser backend, loaded before ``app.js``."""
    page = workbench_file("page.html").decode("utf-8")
    assert page.count(_APP_SCRIPT) == 1 and page.count(_CHARSET) == 1, "page.html changed: update site.py"
    policy = f'<meta http-equiv="Content-Security-Policy" content="{SITE_CSP}">'
    page = page.replace(_CHARSET, f"{_CHARSET}\n  {policy}")
    page = page.replace(_APP_SCRIPT, f'<script type="module" src="assets/site.js"></script>\n  {_APP_SCRIPT}')
    return page.encode("utf-8")


def split_for_values(query: NamedQuery) -> tuple[str, str]:
    """A query's full text (with its prefixes) split just inside its top-level ``WHERE {``.

    A ``VALUES`` clause there binds the parameters as pyoxigraph's ``substitutions`` do (which bind a
    variable of the top-level query). Raises :class:`SiteError` for a query with parameters and no
    top-level ``WHERE {``.

    >>> from graph_builder.sparql.queries import get_query
    >>> head, tail = split_for_values(get_query("unsupported-claims"))
    >>> head.rstrip().endswith("WHERE {")
    True
    """
    text = query.text
    depth, after_where = 0, False
    for token in _TOKEN.finditer(text):
        kind, value = token.lastgroup, token.group()
        if kind in ("space", "comment"):
            continue
        if kind == "punct" and value == "{" and after_where and depth == 0:
            return text[: token.end()], text[token.end() :]
        after_where = kind == "word" and value.upper() == "WHERE" and depth == 0
        if kind == "punct":
            depth += (value in "({[") - (value in ")}]")
    if query.parameters:
        raise SiteError(f"{query.path or query.name}: a query with parameters needs a top-level WHERE {{ "
                        "for the static site to bind them; found none")  # fmt: skip
    return text, ""


def site_catalogue(queries: Iterable[NamedQuery]) -> dict[str, Any]:
    """The catalogue as ``queries.json``: the server's entries, relative to the page, each with the text
    the page runs (split by :func:`split_for_values`) and whether its default graph is the union."""
    queries = list(queries)
    entries = catalogue_entries(queries, root="")
    for entry, query in zip(entries, queries, strict=True):
        shape = check_query_text(query.sparql, base_iri=CLI_BASE_IRI)
        entry["run"] = {"text": list(split_for_values(query)), "union": not shape.has_dataset}
    return {"queries": entries, "base": CLI_BASE_IRI}


def entity_name_table(store: ox.Store) -> dict[str, dict[str, str]]:
    """Every name an entity answers to (normalised), with the IRI it resolves to or why it does not.

    The page looks a typed name up here after normalising it as :func:`normalize` does, so that the rule
    (IRI or id before label before synonym; a tie is an error) stays in Python.

    >>> from graph_builder.kg.build import build_example
    >>> entity_name_table(build_example())["lumbago"]
    {'iri': 'https://w3id.org/medkg/entity/lower-back-pain'}
    """
    # A name's candidates are the entities that answer to it: the others never match, so resolve_name
    # decides as over all entities, and the table takes time in proportion to the names, not their square.
    candidates: dict[str, list[EntityName]] = {}
    for name in store_entity_names(store):
        local = name.iri.removeprefix(ENTITY)
        for key in set(map(normalize, (name.iri, local, "entity:" + local, name.label, *name.synonyms))):
            candidates.setdefault(key, []).append(name)
    table: dict[str, dict[str, str]] = {}
    for key in sorted(candidates):
        try:
            table[key] = {"iri": resolve_name(key, candidates[key])}
        except EntityNameError as error:
            table[key] = {"error": str(error)}
    return table


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def site_files(store: ox.Store) -> dict[str, bytes]:
    """Every file of the static site, by its path in the site's folder."""
    queries = list(iter_queries(include_qa=True))
    files = {
        "index.html": index_html(),
        GRAPH_FILE: to_nquads(store),
        "prefixes.json": _json(PREFIXES),
        "terms.json": terms_json(store),
        "queries.json": _json(site_catalogue(queries)),
        "names.json": _json(entity_name_table(store)),
    }
    for name in (*ASSETS, *SITE_ASSETS):
        files[f"assets/{name}"] = workbench_file(name)
    for query in queries:
        assert query.path is not None
        files[f"queries/{query.name}.rq"] = query.path.read_bytes()
    return files


def _is_site(folder: Path) -> bool:
    return (folder / "index.html").is_file() and (folder / GRAPH_FILE).is_file()


def write_site(store: ox.Store, out: Path) -> list[Path]:
    """Write the static site into ``out`` as a whole, replacing an earlier site there (nothing else)."""
    return write_tree(out, site_files(store), replaces=_is_site)
