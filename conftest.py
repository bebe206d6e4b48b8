"""The one fixture of every test and doctest (``tests/`` and the doctests in ``graph_builder/``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def medkg_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The cache files (lookup names, hierarchy tables) in a folder of the session's own, never the home
    folder of whoever runs the tests; the commands the tests run in subprocesses share it."""
    folder = tmp_path_factory.mktemp("medkg-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MEDKG_CACHE_DIR", str(folder))
        yield folder
