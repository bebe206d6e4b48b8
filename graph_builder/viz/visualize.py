"""Draw the claims graph as one self-contained, interactive HTML page that works offline.

Entities are nodes, assertions are edges (the projection of :func:`graph_builder.analysis.network.to_networkx`).
The page's template, styles and code are files in ``graph_builder/viz/page/``, beside a vendored copy of
vis-network 9.1.2 (the bundle pyvis ships); all are inlined, so the page makes no network request.
pyvis's own template is not used because it links Bootstrap and vis from CDNs. All annotation text is
data: it travels as JSON and reaches the page only through ``textContent``, never as HTML.

>>> from graph_builder.kg.build import build_example
>>> from graph_builder.analysis.network import to_networkx
>>> graph = to_networkx(build_example())
>>> page = to_html(graph, title="Seed article")
>>> page == to_html(graph, title="Seed article")  # same graph, same bytes
True
>>> "https://cdn" in page, "<script>window" in page
(False, False)
"""

from __future__ import annotations

import base64
import hashlib
import html
import importlib.resources
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from graph_builder.analysis.network import ClaimGraph
from graph_builder.core.vocabulary import Vocabulary
from graph_builder.kg.export import write_atomic
from graph_builder.viz.drawing import page_data
from graph_builder.viz.view import DEFAULT_MAX_EDGES, DEFAULT_MAX_NODES

DEFAULT_TITLE = "medkg: claims graph"

# --- the page --------------------------------------------------------------------------------------


def page_asset(name: str) -> str:
    """The text of one file of ``graph_builder/viz/page/``, from a checkout or an installed wheel alike.

    Read on every call (three small files per page), so an edited ``app.js`` shows in the next page.

    >>> page_asset("page.html").startswith("<!DOCTYPE html>")
    True
    """
    return (importlib.resources.files("graph_builder.viz") / "page" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """The vendored vis-network 9.1.2 script and stylesheet, without their source-map link (no map ships).

    They are vendored (see ``graph_builder/viz/page/NOTICE``) rather than read from pyvis, which offers no
    public way to get the bundle alone and keeps it at a private path.
    """
    strip = re.compile(r"^\s*(?://#|/\*#)\s*sourceMappingURL=.*$", re.MULTILINE)
    return strip.sub("", page_asset("vis-network.min.js")), strip.sub("", page_asset("vis-network.css"))


def _json_for_script(data: Any) -> str:
    """JSON that cannot end its <script> element: <, > and & become \\u escapes (still the same JSON)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def _csp_hash(script: str) -> str:
    return (
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"
    )


def to_html(
    graph: ClaimGraph,
    *,
    title: str = DEFAULT_TITLE,
    caption: str | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    max_edges: int = DEFAULT_MAX_EDGES,
    vocab: Vocabulary | None = None,
    claim_pages: str | None = None,
) -> str:
    """One self-contained HTML page drawing the graph: legend, filters, chains and a detail panel.

    The page loads nothing: vis-network, styles and data are inline, and its Content-Security-Policy
    allows only its own two scripts and no fetches at all. ``caption`` says what the view holds. Above
    ``max_nodes`` entities the page draws those with the most claims, above ``max_edges`` claims each
    connection's best-evidenced ones, and says what it left out. Same graph and arguments, same bytes.
    With ``claim_pages`` (a served page: ``medkg serve`` gives ``/claim/``), clicking a claim opens
    ``claim_pages`` + the hash ending its assertion IRI instead of the detail panel.
    """
    for name, value in (("max_nodes", max_nodes), ("max_edges", max_edges)):
        if value < 1:
            raise ValueError(f"{name} must be at least 1; found {value}")
    data = page_data(graph, vocab=vocab, max_nodes=max_nodes, max_edges=max_edges)
    data["title"] = title
    data["caption"] = caption
    data["claimPages"] = claim_pages
    vis_js, vis_css = vis_assets()
    app_js = page_asset("app.js")
    csp = (
        "default-src 'none'; "
        f"script-src {_csp_hash(vis_js)} {_csp_hash(app_js)}; "
        "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
    )
    values = {
        "CSP": html.escape(csp),
        "TITLE": html.escape(title),
        "VIS_CSS": vis_css,
        "APP_CSS": page_asset("app.css"),
        "DATA": _json_for_script(data),
        "VIS_JS": vis_js,
        "APP_JS": app_js,
    }
    # One pass over the template alone, so that nothing substituted is ever read again as a placeholder.
    return re.sub(r"@@([A-Z_]+)@@", lambda m: values[m.group(1)], page_asset("page.html"))


def write_html(graph: ClaimGraph, path: Path | str, **kwargs: Any) -> Path:
    """Write :func:`to_html` of the graph to ``path`` atomically and return the path."""
    target = Path(path)
    write_atomic(target, to_html(graph, **kwargs).encode("utf-8"))
    return target
