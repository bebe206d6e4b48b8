"""Fixtures shared by the test suite: the seed example, the example corpus, and variants of the seed's file."""

from __future__ import annotations

import copy
import importlib.util
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
import pytest
import yaml

from graph_builder.core.packages import PACKAGES, missing
from graph_builder.core.paths import ARTICLES_DIR, EXAMPLE_CORPUS, SEED_ANNOTATION, SEED_SOURCE_ID
from graph_builder.endpoint.server import SparqlServer
from graph_builder.kg.build import build_example, build_from_files
from graph_builder.quality.validate import ValidationReport, validate_store
from tests.ci import absent

if TYPE_CHECKING:
    from playwright.sync_api import Browser

#: Debian's Chromium, driven by playwright (never ``playwright install``), for the browser tests.
CHROMIUM = Path(os.environ.get("MEDKG_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]  # fmt: skip


def _browser_missing() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed"
    if not CHROMIUM.is_file():
        return f"no Chromium at {CHROMIUM} (install Debian's chromium, or point MEDKG_CHROMIUM at one)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium, headless and offline; skips without it, fails instead under ``MEDKG_REQUIRE_BROWSER=1`` (CI)."""
    reason = _browser_missing()
    if reason is not None:
        if os.environ.get("MEDKG_REQUIRE_BROWSER") == "1":
            pytest.fail(f"MEDKG_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(f"browser tests need Chromium and playwright: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def seed_store() -> ox.Store:
    """The seed article's graph. Do not modify it: copy it first."""
    return build_example()


@pytest.fixture(scope="session")
def corpus_files() -> list[Path]:
    """The example corpus's annotation files (the seed and the articles written for medkg), sorted."""
    return sorted(p for p in EXAMPLE_CORPUS.iterdir() if p.suffix == ".yaml")


@pytest.fixture(scope="session")
def corpus_store(corpus_files: list[Path]) -> ox.Store:
    """The example corpus's graph, what ``medkg build`` builds by default. Do not modify it: copy it first."""
    return build_from_files(corpus_files)


@pytest.fixture(scope="session")
def seed_report(seed_store: ox.Store) -> ValidationReport:
    """The seed graph validated once per session: SHACL and every qa query (about a second).

    Tests that only read the seed's report share this one; a test that breaks a graph to see a check
    fire validates its own broken graph.
    """
    return validate_store(seed_store)


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed example in an on-disk store, as ``medkg build --store`` makes it. Read it only."""
    path = tmp_path_factory.mktemp("served") / "store"
    store = ox.Store(str(path))
    store.bulk_extend(build_example())
    store.flush()
    del store  # release the write lock: servers open it read-only
    return path


@pytest.fixture(scope="module")
def server(store_dir: Path) -> Iterator[SparqlServer]:
    """``medkg serve`` over the seed store with its default limits; one per test module."""
    with SparqlServer(store_dir, port=0, timeout=20, workers=2, quiet=True) as running:
        yield running


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory, corpus_store: ox.Store) -> Path:
    """The example corpus in an on-disk store, for what needs several sources (comparisons). Read it only."""
    path = tmp_path_factory.mktemp("served-corpus") / "store"
    store = ox.Store(str(path))
    store.bulk_extend(corpus_store)
    store.flush()
    del store
    return path


@pytest.fixture(scope="module")
def corpus_server(corpus_dir: Path) -> Iterator[SparqlServer]:
    """``medkg serve`` over the example corpus store; one per test module."""
    with SparqlServer(corpus_dir, port=0, timeout=20, workers=2, quiet=True) as running:
        yield running


@pytest.fixture(scope="session")
def seed_data() -> dict[str, Any]:
    """The seed annotation file, parsed."""
    data = yaml.safe_load(SEED_ANNOTATION.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture
def write_annotation(tmp_path: Path, seed_data: dict[str, Any]) -> Callable[..., Path]:
    """Write a variant of the seed annotation into tmp_path and return its path.

    ``mutate`` receives a deep copy of the parsed seed file; the article text is referenced by an
    absolute path, so the variant can live anywhere.
    """

    def write(mutate: Callable[[dict[str, Any]], None] | None = None, name: str = "variant.yaml") -> Path:
        data = copy.deepcopy(seed_data)
        data["source"]["text"] = str(ARTICLES_DIR / f"{SEED_SOURCE_ID}.txt")
        if mutate is not None:
            mutate(data)
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        return path

    return write


# --- medkg extract -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def extractor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The extract pipeline loaded once, in a cache folder of its own (skipped without the nlp or vocab
    extra, failed instead in CI)."""
    reasons = [PACKAGES[v].install for v in missing()]
    reasons += [
        f"pip install 'medkg[nlp]' ({m})" for m in ("spacy", "pysbd") if importlib.util.find_spec(m) is None
    ]
    if reasons:
        absent("the extract tests", "packages missing: " + "; ".join(reasons))
    from graph_builder.extract.draft import load_extractor

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MEDKG_CACHE_DIR", str(tmp_path_factory.mktemp("medkg-cache")))
        yield load_extractor()


@pytest.fixture
def article(tmp_path: Path) -> Path:
    return tmp_path / "article.txt"
