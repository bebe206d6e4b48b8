"""The vocabulary names on disk, so that a ``medkg lookup`` after the first skips reading four packages.

One JSON file per state of its inputs (medkg's version, each vocabulary package's version and the
lay-synonym table), kept by the rule of :mod:`graph_builder.core.cache`: its folder, its name, a file
that cannot be read made again, a folder that cannot be written costing only the time of the packages.
"""

from __future__ import annotations

import json
from pathlib import Path

from graph_builder.core import cache as disk
from graph_builder.core.paths import LAY_SYNONYMS_FILE
from graph_builder.lookup.index import normalize
from graph_builder.lookup.terms import TermName, iter_term_names, releases, require_vocabularies

#: Raised when the file's layout changes, so older files are not read.
FORMAT = 1


def cache_file() -> Path:
    parts = [f"format {FORMAT}", *sorted(releases().values())]
    return disk.cache_file("lookup-names", parts, LAY_SYNONYMS_FILE.read_bytes())


def to_json(names: list[TermName]) -> bytes:
    """The names and their normal forms as JSON: the same bytes for the same names."""
    rows = [[n.vocabulary, n.id, n.label, n.name, n.kind, n.match, normalize(n.name)] for n in names]
    return json.dumps({"format": FORMAT, "names": rows}, ensure_ascii=False, separators=(",", ":")).encode()


def _from_json(data: bytes) -> tuple[list[TermName], list[str]]:
    rows = json.loads(data)["names"]
    return [TermName(*r[:6]) for r in rows], [r[6] for r in rows]


def _from_packages() -> tuple[list[TermName], list[str]]:
    names = list(iter_term_names())
    return names, [normalize(n.name) for n in names]


def load_names() -> tuple[list[TermName], list[str]]:
    """Every vocabulary name (as :func:`~graph_builder.lookup.terms.iter_term_names` gives them) and its
    normal form, from the cache file when there is one, else from the packages (writing the file)."""
    from graph_builder.kg.export import write_atomic

    require_vocabularies()
    return disk.cached(cache_file(), _from_json, _from_packages, lambda got: to_json(got[0]), write_atomic)
