"""Fixtures of the lookup tests: a cache folder of their own, and the vocabulary packages required."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_builder.core.packages import PACKAGES, missing
from tests.ci import absent


@pytest.fixture(scope="session", autouse=True)
def lookup_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The names cache in a temporary folder, never the home folder of whoever runs the tests."""
    folder = tmp_path_factory.mktemp("medkg-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MEDKG_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(autouse=True)
def vocabularies() -> None:
    """Skip when a vocabulary package is absent, but fail instead in CI (env ``CI`` set)."""
    gone = missing()
    if not gone:
        return
    absent("the lookup tests", "vocabulary packages missing: " + "; ".join(PACKAGES[v].install for v in gone))
