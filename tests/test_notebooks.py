"""Tests of the notebooks: each runs top to bottom in a fresh kernel without an error, its key cells show
what its text says they show, and every notebook is committed stripped of outputs and execution counts."""

from __future__ import annotations

import html
import importlib.util
import json
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
STORY = "01-does-herpes-cause-back-pain.ipynb"
SPARQL = "02-writing-sparql-for-medkg.ipynb"

pytestmark = pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks folder: not running from a checkout")

Executed = Callable[[str], Any]


def _runner() -> ModuleType:
    """notebooks/run.py, the module `make notebooks` runs (notebooks/ is no package)."""
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    spec = importlib.util.spec_from_file_location("medkg_notebooks_run", NOTEBOOKS_DIR / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def executed() -> Executed:
    """Execute a notebook by file name, once per test module."""
    runner = _runner()
    cache: dict[str, Any] = {}

    def run(name: str) -> Any:
        if name not in cache:
            cache[name] = runner.execute_notebook(NOTEBOOKS_DIR / name)
        return cache[name]

    return run


def _cell(notebook: Any, tag: str) -> Any:
    tagged = [c for c in notebook.cells if tag in c.get("metadata", {}).get("tags", [])]
    tags = sorted({t for c in notebook.cells for t in c.get("metadata", {}).get("tags", [])})
    assert len(tagged) == 1, f"expected one cell tagged {tag!r}, found {len(tagged)}; the tags are {tags}"
    return tagged[0]


def _text(cell: Any, mime: str = "text/plain") -> str:
    """Everything a cell printed, then its rich outputs of one MIME type."""
    parts = [o["text"] for o in cell["outputs"] if o["output_type"] == "stream"]
    parts += [o["data"].get(mime, "") for o in cell["outputs"] if "data" in o]
    return "\n".join(parts)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom_without_errors(executed: Executed, path: Path) -> None:
    notebook = executed(path.name)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    failed = [
        f"{c.id}: {o.get('ename')}: {o.get('evalue')}"
        for c in code
        for o in c.outputs
        if o["output_type"] == "error"
    ]
    assert not failed, f"{path.name}: cells with errors: {failed}"
    assert all(c.execution_count is not None for c in code), f"{path.name}: a code cell did not run"
    warned = [c.id for c in code for o in c.outputs if o["output_type"] == "stream" and o["name"] == "stderr"]
    assert not warned, f"{path.name}: cells wrote to stderr (warnings): {warned}"


@pytest.mark.slow
def test_story_all_claims_table_shows_every_claim_of_the_annotation_file(
    executed: Executed, seed_data: dict[str, Any]
) -> None:
    cell = _cell(executed(STORY), "all-claims")
    expected = len(seed_data["claims"])
    assert f"{expected} claims in the article" in _text(cell)
    table = _text(cell, "text/html")
    assert "<table" in table
    assert table.split("<tbody>", 1)[1].count("<tr>") == expected


@pytest.mark.slow
def test_story_shows_the_article_disowning_its_headline_claim(executed: Executed) -> None:
    notebook = executed(STORY)
    passage = " ".join(_text(_cell(notebook, "disclaimer-in-context")).split())  # undo the line wrapping
    assert "lower back pain. While this is [[not supported with any medical researches]], once" in passage
    disclaimers = _text(_cell(notebook, "disclaimers"))
    assert "herpes-causes-lower-back-pain" in disclaimers
    unsupported = _text(_cell(notebook, "unsupported"))
    assert "herpes-causes-lower-back-pain" in unsupported
    assert "herpes-has-complications" not in unsupported  # an uncited assertion, rank 3


@pytest.mark.slow
def test_story_chain_cells_name_the_weakest_link_and_tell_stated_from_inferred(executed: Executed) -> None:
    notebook = executed(STORY)
    chain = _text(_cell(notebook, "chain"))
    assert "herpes → nerve pain → lower back pain  [stated by" in chain
    assert "explicitly unsupported" in chain
    # docs/codebook.md, Strength: the disclaimed, merely possible step is the weakest, strength 1
    assert "its weakest link: strength 1 (disclaimed, possible)" in _text(_cell(notebook, "weakest-link"))
    assert "strength 4 or more: 0" in _text(_cell(notebook, "min-rank"))
    inferred = _text(_cell(notebook, "inferred"), "text/html")
    assert "inferred" in inferred and "stated" not in inferred


@pytest.mark.slow
def test_story_remedies_are_grouped_by_evidence(executed: Executed) -> None:
    notebook = executed(STORY)
    remedies = _text(_cell(notebook, "remedies"), "text/html")
    assert "cold compress" in remedies and "stretching" in remedies
    assert "uncited assertion" in _text(_cell(notebook, "remedies-by-evidence"))


@pytest.mark.slow
def test_story_draws_the_graph_inline_in_an_escaped_srcdoc(executed: Executed) -> None:
    frame = _text(_cell(executed(STORY), "graph"), "text/html")
    match = re.search(r'<iframe srcdoc="([^"]*)" sandbox="allow-scripts"', frame)
    assert match, "no sandboxed iframe with a srcdoc attribute"
    page = html.unescape(match.group(1))
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<" not in match.group(1), "the page must be escaped inside the attribute"


@pytest.mark.slow
def test_sparql_notebook_shows_parameters_bound_as_terms(executed: Executed) -> None:
    notebook = executed(SPARQL)
    injection = _text(_cell(notebook, "injection"))
    assert '<Literal value=herpes" . ?s ?p ?o } #' in injection
    assert "(0 rows)" in injection
    assert "ParameterError: query 'unsupported-claims'" in _text(_cell(notebook, "param-type-error"))
    assert "nerve-pain-causes-lower-back-pain" in _text(_cell(notebook, "sparql-param"))


@pytest.mark.slow
def test_sparql_notebook_rank_filter_keeps_only_ranks_one_and_two(executed: Executed) -> None:
    rows = _text(_cell(executed(SPARQL), "rank-filter")).splitlines()[2:-1]
    assert rows, "the rank filter returned no rows"
    ranks = {int(line.split()[1]) for line in rows}
    assert ranks == {1, 2}


@pytest.mark.slow
def test_sparql_notebook_exports_turtle_that_round_trips(executed: Executed) -> None:
    notebook = executed(SPARQL)
    construct = _text(_cell(notebook, "construct"))
    assert re.search(r"^\d+ triples, \d+ bytes of Turtle", construct)
    assert 'medkg:claimId "herpes-' in construct
    written = re.search(r"(\d+) triples written, (\d+) read back", _text(_cell(notebook, "networkx-export")))
    assert written and int(written.group(1)) > 0 and written.group(1) == written.group(2)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_notebook_has_no_outputs_and_no_execution_counts(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    with_outputs = [c.get("id") for c in code if c.get("outputs")]
    counted = [c.get("id") for c in code if c.get("execution_count") is not None]
    assert not with_outputs, f"{path.name}: clear the outputs of cells {with_outputs} before committing"
    assert not counted, f"{path.name}: clear the execution counts of cells {counted} before committing"
    assert notebook["metadata"]["kernelspec"]["name"] == "python3", f"{path.name}: kernel must be python3"
