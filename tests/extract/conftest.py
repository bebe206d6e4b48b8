"""Fixtures of the extract tests: the pipeline loaded once per session, in a cache folder of its own."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_builder.core.packages import PACKAGES, missing


def _absent() -> str | None:
    reasons = [PACKAGES[v].install for v in missing()]
    for module in ("spacy", "pysbd"):
        try:
            __import__(module)
        except ImportError:
            reasons.append(f"pip install 'medkg[nlp]' ({module})")
    return "; ".join(reasons) or None


@pytest.fixture(scope="session")
def extractor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The loaded pipeline (skipped when the nlp or vocab extra is absent, failed instead in CI)."""
    absent = _absent()
    if absent:
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail(f"CI must run the extract tests, but packages are missing: {absent}", pytrace=False)
        pytest.skip(f"packages missing: {absent}")
    from graph_builder.extract.draft import load_extractor

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MEDKG_CACHE_DIR", str(tmp_path_factory.mktemp("medkg-cache")))
        yield load_extractor()


@pytest.fixture
def article(tmp_path: Path) -> Path:
    return tmp_path / "article.txt"
