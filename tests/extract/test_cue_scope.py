"""Which drafted claim a cue of ``medkg extract`` goes to (issue 13, cue F1 on drafted claims): the clause
it stands in, the words it is written with, and a disclaimer in the sentence after a claim.

Every sentence here was written for these tests by the medkg maintainers: not medical advice and not
from any article of the corpus.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graph_builder.extract.draft import extract_file
from graph_builder.extract.evaluate import load


def _draft(extractor: Any, tmp_path: Path, text: str) -> Any:
    article = tmp_path / "article.txt"
    article.write_text(f"Written for a medkg test.\n\n{text}\n", encoding="utf-8")
    out = tmp_path / "draft.yaml"
    out.write_text(extract_file(extractor, article, out), encoding="utf-8")
    return load(out)


def _cues(ann: Any) -> dict[tuple[str, str, str], set[tuple[str, str]]]:
    label = {e.id: e.label for e in ann.entities.values()}
    return {
        (label[c.subject], c.relation, label[c.object]): {(h.type, h.span.text) for h in c.hedges}
        for c in ann.claims
    }


def test_a_hedge_or_condition_of_another_clause_is_not_the_claims(extractor: Any, tmp_path: Path) -> None:
    cues = _cues(_draft(extractor, tmp_path, "Massage may ease migraine, and ibuprofen relieves neck pain."))
    assert cues[("massage", "alleviates", "migraine")] == {("speculation", "may ease")}
    assert cues[("ibuprofen", "alleviates", "neck pain")] == set()
    cues = _cues(
        _draft(extractor, tmp_path, "Bed rest may slow recovery, while ibuprofen relieves neck pain.")
    )
    assert cues[("ibuprofen", "alleviates", "neck pain")] == set()
    cues = _cues(
        _draft(extractor, tmp_path, "Smoking causes cough, which may become chronic if you keep smoking.")
    )
    assert cues[("smoking", "causes", "cough")] == set()  # the relative clause's condition


def test_a_list_is_one_clause_for_the_cues_around_it(extractor: Any, tmp_path: Path) -> None:
    ann = _draft(extractor, tmp_path, "Obesity may cause gout, diabetes, and back pain if it is not treated.")
    cues = _cues(ann)
    for disease in ("gout", "diabetes", "back pain"):
        assert ("condition", "if it is not treated") in cues[("obesity", "causes", disease)]
    cues = _cues(_draft(extractor, tmp_path, "Rarely, gout, obesity, and smoking cause back pain."))
    for cause in ("gout", "obesity", "smoking"):  # the last one too, though further from the hedge
        assert cues[(cause, "causes", "back pain")] == {("speculation", "Rarely")}


def test_a_cue_is_written_with_words_found_first_where_it_stands(extractor: Any, tmp_path: Path) -> None:
    text = "Spinal cancer can worsen back pain."
    ann = _draft(extractor, tmp_path, text)
    (claim,) = ann.claims
    (hedge,) = claim.hedges
    # the draft's words are searched in the quote: "can" alone would be read inside "cancer"
    assert ann.source.text[hedge.span.start :].startswith("can worsen")


def test_a_disclaimer_in_the_sentence_after_reaches_the_claim_it_names_or_points_to(
    extractor: Any, tmp_path: Path
) -> None:
    ann = _draft(
        extractor,
        tmp_path,
        "Massage eases migraine. However, no research shows that massage reaches the brain. "
        "Ibuprofen relieves neck pain. There is little evidence for this.",
    )
    support = {c.quote.text.split()[0]: c.support for c in ann.claims}
    assert support == {"Massage": "disclaimed", "Ibuprofen": "disclaimed"}
    ann = _draft(
        extractor, tmp_path, "Massage eases migraine. However, no research shows that yoga reaches the brain."
    )
    assert [c.support for c in ann.claims] == ["none-stated"]  # another entity: not this claim's
