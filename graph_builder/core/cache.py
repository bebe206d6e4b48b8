"""Files made once from the vocabulary packages and kept on disk, so that a fresh process skips reading them.

The names of ``medkg lookup`` (``lookup.cache``) and the vocabulary hierarchy of a build
(``kg.hierarchy``) both keep theirs here, by one rule: one file per state of its inputs, its name
carrying a hash of medkg's version and of those inputs (each package's version), so a changed input
is a new file, never a stale one. The folder is ``$MEDKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/medkg``,
else ``~/.cache/medkg``. A file that cannot be read or parsed is made again; a folder that cannot be
written only costs the time of reading the packages.

>>> cache_file("names", ["hpo3 1.0"]).name == cache_file("names", ["hpo3 1.0"]).name
True
>>> cache_file("names", ["hpo3 1.0"]) != cache_file("names", ["hpo3 2.0"])
True
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def cache_dir() -> Path:
    """Where the cache files live (see the module's docstring)."""
    given = os.environ.get("MEDKG_CACHE_DIR")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "medkg"


def fingerprint(parts: Iterable[str], data: bytes = b"") -> str:
    """A short hash of medkg's version, these parts (a format number, package versions …) and ``data``."""
    from graph_builder import __version__

    digest = hashlib.sha256("\n".join([f"medkg {__version__}", *parts]).encode("utf-8"))
    digest.update(data)
    return digest.hexdigest()[:16]


def cache_file(kind: str, parts: Iterable[str], data: bytes = b"") -> Path:
    """The file of ``kind`` (``lookup-names`` …) for these inputs: ``KIND-HASH.json`` in :func:`cache_dir`."""
    return cache_dir() / f"{kind}-{fingerprint(parts, data)}.json"


def cached(
    path: Path,
    read: Callable[[bytes], T],
    make: Callable[[], T],
    dump: Callable[[T], bytes],
    write: Callable[[Path, bytes], None],
) -> T:
    """What ``read`` makes of the file at ``path``, else what ``make`` gives, written there with ``write``.

    ``read`` raises ``ValueError``, ``KeyError``, ``TypeError`` or ``IndexError`` on a file it cannot use
    (corrupt, cut short, another layout): that file is made again and replaced. ``write`` is
    ``graph_builder.kg.export.write_atomic`` (passed in: core sits above kg), so a reader never sees half
    a file; a folder that cannot be written is left as it is.
    """
    try:
        return read(path.read_bytes())
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        pass  # none yet, or unusable: made again below
    value = make()
    with contextlib.suppress(OSError):  # a read-only home: the value is still right, made again next time
        write(path, dump(value))
    return value
