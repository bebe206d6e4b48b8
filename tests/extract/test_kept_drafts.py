"""The drafts `make bench-extract` keeps beside its figures (benchmarks/extract-drafts/): one per curated
file, each a text-mining draft that builds as it is."""

from __future__ import annotations

import json
from pathlib import Path

from graph_builder.cli import main
from graph_builder.core.paths import ANNOTATIONS_DIR
from graph_builder.extract.evaluate import load

DRAFTS = Path(__file__).resolve().parents[2] / "benchmarks" / "extract-drafts"


def test_one_kept_draft_per_curated_file_and_every_one_builds(tmp_path: Path) -> None:
    drafts = sorted(DRAFTS.glob("*.yaml"))
    assert [d.name for d in drafts] == sorted(p.name for p in ANNOTATIONS_DIR.glob("*.yaml"))
    for draft in drafts:
        annotation = load(draft)
        assert annotation.agent == "text_mining_agent", draft.name
        assert annotation.source.text == (
            ANNOTATIONS_DIR.parent / "articles" / f"{annotation.source.id}.txt"
        ).read_text(encoding="utf-8"), draft.name
    assert main(["build", *map(str, drafts), "--out", str(tmp_path / "out")]) == 0


def test_the_readme_reports_the_figures_of_the_kept_run() -> None:
    """The README's extract figures are those of benchmarks/extract-results.json (no drift after a rerun)."""
    root = Path(__file__).resolve().parents[2]
    results = json.loads((root / "benchmarks" / "extract-results.json").read_text(encoding="utf-8"))
    micro = results["with the rest of the corpus (leave-one-out --store)"]["micro"]
    readme = " ".join((root / "README.md").read_text(encoding="utf-8").split())

    def f(measure: str, key: str) -> str:
        return f"{micro[measure][key]:.2f}"

    assert (
        f"propositions precision {f('propositions', 'precision')}, recall {f('propositions', 'recall')}"
        in readme
    )
    assert f"entities {f('entities', 'precision')} / {f('entities', 'recall')}" in readme
    cues = ", ".join(f(f"cues: {t}", "f1") for t in ("disclaimer", "negation", "hedge"))
    assert f"({cues})" in readme
    assert f"hedges {f('cue rules: hedge', 'f1')}" in readme
