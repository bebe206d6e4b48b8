"""Fixtures of the lookup tests: the vocabulary packages required (the cache folder is the session's,
the repository's ``conftest.py``)."""

from __future__ import annotations

import pytest

from graph_builder.core.packages import PACKAGES, missing
from tests.ci import absent


@pytest.fixture(autouse=True)
def vocabularies() -> None:
    """Skip when a vocabulary package is absent, but fail instead in CI (env ``CI`` set)."""
    gone = missing()
    if not gone:
        return
    absent("the lookup tests", "vocabulary packages missing: " + "; ".join(PACKAGES[v].install for v in gone))
