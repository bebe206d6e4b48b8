"""The vocabulary names on disk, so that a ``medkg lookup`` after the first skips reading four packages.

One JSON file per state of its inputs: its name carries a hash of medkg's version, each vocabulary
package's version and the lay-synonym table, so a changed input is a new file (never a stale one).
The folder is ``$MEDKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/medkg``, else ``~/.cache/medkg``; one that
cannot be written only costs the time of reading the packages again.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from graph_builder.core.paths import LAY_SYNONYMS_FILE
from graph_builder.lookup.index import normalize
from graph_builder.lookup.terms import TermName, iter_term_names, releases, require_vocabularies

#: Raised when the file's layout changes, so older files are not read.
FORMAT = 1


def cache_dir() -> Path:
    """Where the cache files live (see the module's docstring)."""
    given = os.environ.get("MEDKG_CACHE_DIR")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "medkg"


def fingerprint() -> str:
    """A hash of everything the names are made from."""
    from graph_builder import __version__

    parts = [f"format {FORMAT}", f"medkg {__version__}", *sorted(releases().values())]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8"))
    digest.update(LAY_SYNONYMS_FILE.read_bytes())
    return digest.hexdigest()[:16]


def cache_file() -> Path:
    return cache_dir() / f"lookup-names-{fingerprint()}.json"


def to_json(names: list[TermName]) -> bytes:
    """The names and their normal forms as JSON: the same bytes for the same names."""
    rows = [[n.vocabulary, n.id, n.label, n.name, n.kind, n.match, normalize(n.name)] for n in names]
    return json.dumps({"format": FORMAT, "names": rows}, ensure_ascii=False, separators=(",", ":")).encode()


def load_names() -> tuple[list[TermName], list[str]]:
    """Every vocabulary name (as :func:`~graph_builder.lookup.terms.iter_term_names` gives them) and its
    normal form, from the cache file when there is one, else from the packages (writing the file)."""
    from graph_builder.kg.export import write_atomic

    require_vocabularies()
    path = cache_file()
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))["names"]
        return [TermName(*r[:6]) for r in rows], [r[6] for r in rows]
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        pass  # none yet, or unreadable: made again below
    names = list(iter_term_names())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, to_json(names))
    except OSError:
        pass  # a read-only home: the lookup still works, only slower next time
    return names, [normalize(n.name) for n in names]
