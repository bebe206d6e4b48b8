"""``medkg evaluate`` on small crafted pairs of files whose scores are worked out by hand below."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_builder.cli import main
from graph_builder.extract.evaluate import evaluate, load

# Written for this test: three sentences, two links, one disclaimer and one hedge.
TEXT = (
    "Written for a medkg test. Shingles causes back pain. It is not supported by research, "
    "but herpes may cause nerve pain. Ice eases soreness.\n"
)
ENTITIES = """
entities:
  shingles: {label: shingles, type: disease, groundings: [{vocabulary: mesh, id: D006562, label: Herpes Zoster}]}
  back-pain: {label: back pain, type: sign-or-symptom}
  lower-back-pain: {label: lower back pain, type: sign-or-symptom, broader: [back-pain]}
  herpes: {label: herpes, type: disease}
  nerve-pain: {label: nerve pain, type: sign-or-symptom}
  ice: {label: ice, type: intervention}
  soreness: {label: soreness, type: sign-or-symptom}
"""
GOLD_CLAIMS = """
claims:
  - {id: a, subject: shingles, relation: causes, object: back-pain, quote: Shingles causes back pain., support: none-stated, rationale: r}
  - id: b
    subject: herpes
    relation: causes
    object: nerve-pain
    quote: herpes may cause nerve pain
    hedges: [{text: may, type: speculation}, {text: It is not supported by research, type: disclaimer}]
    support: disclaimed
    rationale: r
  - {id: c, subject: ice, relation: alleviates, object: soreness, quote: Ice eases soreness., support: none-stated, rationale: r}
"""
# The draft names shingles by another id with the same grounding, puts lower back pain (narrower) for
# back pain, finds b with the hedge but not the disclaimer, misses c and adds a wrong link.
PRED = """
entities:
  herpes-zoster: {label: herpes zoster, type: disease, groundings: [{vocabulary: mesh, id: D006562, label: Herpes Zoster}]}
  lower-back-pain: {label: lower back pain, type: sign-or-symptom}
  herpes: {label: herpes, type: disease}
  nerve-pain: {label: nerve pain, type: sign-or-symptom}
claims:
  - {id: a, subject: herpes-zoster, relation: causes, object: lower-back-pain, quote: Shingles causes back pain., support: none-stated, rationale: r}
  - id: b
    subject: herpes
    relation: causes
    object: nerve-pain
    quote: herpes may cause nerve pain
    hedges: [{text: may cause, type: speculation}]
    support: none-stated
    rationale: r
  - {id: x, subject: nerve-pain, relation: causes, object: herpes, quote: herpes may cause nerve pain, support: none-stated, rationale: r}
"""


def _file(folder: Path, name: str, body: str) -> Path:
    (folder / "article.txt").write_text(TEXT, encoding="utf-8")
    head = "medkg: 2\nsource: {id: s, title: T, text: article.txt, description: test}\ncuration: {agent: manual_agent}\n"
    path = folder / name
    path.write_text(head + body, encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return _file(tmp_path, "gold.yaml", ENTITIES + GOLD_CLAIMS), _file(tmp_path, "pred.yaml", PRED)


def test_scores_worked_out_by_hand(files: tuple[Path, Path]) -> None:
    gold, pred = files
    s = evaluate(load(pred), load(gold))
    # entities the claims use: pred {shingles (by grounding), lower-back-pain, herpes, nerve-pain};
    # gold {shingles, back-pain, herpes, nerve-pain, ice, soreness}: lower back pain is no gold claim's
    e = s["entities"]
    assert (e.matched_pred, e.pred, e.matched_gold, e.gold) == (3, 4, 3, 6)
    # propositions: only b is exact; a matches up to the hierarchy (lower back pain is narrower)
    assert (s["propositions"].precision, s["propositions"].recall) == (1 / 3, 1 / 3)
    assert (s["propositions (hierarchy)"].precision, s["propositions (hierarchy)"].recall) == (2 / 3, 2 / 3)
    # support: b is disclaimed in gold, none-stated in pred, so no pair agrees
    assert s["support"].matched_pred == 0
    assert s["polarity"].matched_pred == 1  # b affirmed in both
    # cues: "may cause" overlaps "may"; the disclaimer is missed
    assert (s["cues: speculation"].precision, s["cues: speculation"].recall) == (1.0, 1.0)
    assert (s["cues: disclaimer"].recall, s["cues: disclaimer"].pred) == (0.0, 0)
    assert s["propositions"].f1 == pytest.approx(1 / 3)


def test_perfect_draft_scores_one(files: tuple[Path, Path]) -> None:
    gold, _ = files
    s = evaluate(load(gold), load(gold))
    assert all(x.precision == 1.0 and x.recall == 1.0 for x in s.values())


def test_cli_prints_table_and_json(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    import json

    gold, pred = files
    assert main(["evaluate", "--gold", str(gold), "--pred", str(pred), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows["propositions"]["recall"] == round(1 / 3, 4)
    assert main(["evaluate", "--gold", str(gold), "--pred", str(pred)]) == 0
    assert "propositions (hierarchy)" in capsys.readouterr().out


def test_bad_file_is_one_line_per_problem(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    gold, pred = files
    pred.write_text(pred.read_text().replace("relation: causes", "relation: cures", 1))
    assert main(["evaluate", "--gold", str(gold), "--pred", str(pred)]) == 1
    err = capsys.readouterr().err
    assert "pred.yaml" in err and "cures" in err and "Traceback" not in err


def test_a_cue_on_another_claim_of_its_sentence_counts_per_claim_not_text_wide(tmp_path: Path) -> None:
    text = "Written for a medkg test. Herpes may cause nerve pain, and ice eases soreness.\n"
    (tmp_path / "article.txt").write_text(text, encoding="utf-8")
    head = "medkg: 2\nsource: {id: s, title: T, text: article.txt, description: test}\ncuration: {agent: manual_agent}\n"
    quote = "Herpes may cause nerve pain, and ice eases soreness."

    def claims(hedged: str) -> str:
        rows = []
        for cid, s, rel, o in (
            ("b", "herpes", "causes", "nerve-pain"),
            ("c", "ice", "alleviates", "soreness"),
        ):
            hedges = ", hedges: [{text: may, type: speculation}]" if cid == hedged else ""
            rows.append(f"  - {{id: {cid}, subject: {s}, relation: {rel}, object: {o}, quote: \"{quote}\", "
                        f"support: none-stated, rationale: r{hedges}}}")  # fmt: skip
        return "\nclaims:\n" + "\n".join(rows) + "\n"

    for name, hedged in (("gold.yaml", "b"), ("pred.yaml", "c")):
        (tmp_path / name).write_text(head + ENTITIES + claims(hedged), encoding="utf-8")
    s = evaluate(load(tmp_path / "pred.yaml"), load(tmp_path / "gold.yaml"))
    assert (s["cues: hedge"].precision, s["cues: hedge"].recall) == (1.0, 1.0)  # the same words, text-wide
    per_claim = s["cues per claim: hedge"]  # but on the ice claim, not on the herpes claim
    assert (per_claim.matched_pred, per_claim.pred, per_claim.matched_gold, per_claim.gold) == (0, 1, 0, 1)
