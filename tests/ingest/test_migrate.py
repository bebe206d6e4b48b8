"""`medkg migrate`: format 1 files become format 2, comments kept, all files or none."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph_builder.cli import main
from graph_builder.core.paths import ARTICLES_DIR, SEED_ANNOTATION
from graph_builder.core.vocabulary import load_vocabulary
from graph_builder.ingest.annotations import load_annotation, read_annotation
from graph_builder.ingest.migrate import SUPPORT_OF_EVIDENCE, MigrationError, migrate_text

#: Format 2 support back to a format 1 evidence level, to write a format 1 file from the seed.
_EVIDENCE = {"disclaimed": "explicitly-unsupported", "none-stated": "uncited-assertion"}


def _format_1(tmp_path: Path, name: str = "seed-v1.yaml") -> Path:
    """The seed written as a format 1 file: stance and evidence instead of support, as it once was."""
    text = SEED_ANNOTATION.read_text(encoding="utf-8").replace("medkg: 2", "medkg: 1", 1)
    text = text.replace("../articles/", f"{ARTICLES_DIR}/")

    def old(m: re.Match[str]) -> str:
        stance = "disclaimed" if m["support"] == "disclaimed" else "asserted"
        return f"{m['indent']}stance: {stance}  # format 1\n{m['indent']}evidence: {_EVIDENCE[m['support']]}"

    text = re.sub(r"(?m)^(?P<indent> +)support: (?P<support>[a-z-]+)$", old, text)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_format_1_file_is_refused_then_migrated_and_built(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _format_1(tmp_path)
    assert "stance: disclaimed  # format 1" in path.read_text(encoding="utf-8")
    _, problems = read_annotation(path)
    assert [(p.field, p.found) for p in problems] == [("medkg", "1")]
    assert main(["migrate", str(path)]) == 0
    assert f"migrated {path} to format 2" in capsys.readouterr().out
    text = path.read_text(encoding="utf-8")
    assert "stance:" not in text and "evidence:" not in text and text.count("medkg: 2") == 1
    assert "# Every medical claim" in text  # comments stay
    migrated, seed = load_annotation(path), load_annotation(SEED_ANNOTATION)
    assert [(c.id, c.support, c.polarity) for c in migrated.claims] == [
        (c.id, c.support, c.polarity) for c in seed.claims
    ]


def test_every_evidence_level_maps_to_a_support_level_of_the_ontology() -> None:
    vocab = load_vocabulary()
    for level in vocab.evidence:
        assert SUPPORT_OF_EVIDENCE.get(level, level) in vocab.supports, level


def test_negated_becomes_polarity_and_false_goes() -> None:
    text = "medkg: 1\nclaims:\n  - id: a\n    negated: true\n  - id: b\n    negated: false  # said\n"
    assert migrate_text(text) == "medkg: 2\nclaims:\n  - id: a\n    polarity: negated\n  - id: b\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("medkg: 2\nclaims: []\n", "format 1 file"),
        ("medkg: 1\nclaims:\n  - {id: a, stance: asserted, evidence: speculative}\n", "flow style"),
        ("medkg: 1\nclaims:\n  - stance: asserted\n    id: a\n", "starts with its stance"),
    ],
    ids=["not-format-1", "flow-style", "stance-first"],
)
def test_what_cannot_be_converted_line_by_line_is_refused(text: str, message: str) -> None:
    with pytest.raises(MigrationError, match=message):
        migrate_text(text)


def test_no_file_is_rewritten_while_another_cannot_be(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _format_1(tmp_path)
    before = good.read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("medkg: 2\n", encoding="utf-8")
    missing = tmp_path / "missing.yaml"
    assert main(["migrate", str(good), str(bad), str(missing)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == "medkg: nothing was rewritten."
    assert any(str(bad) in line and "format 1" in line for line in err)
    assert any(str(missing) in line for line in err) and len(err) == 3
    assert good.read_text(encoding="utf-8") == before
