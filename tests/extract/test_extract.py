"""``medkg extract`` on a short text written for this test, and on the seed article."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph_builder.cli import main
from graph_builder.core.paths import SEED_ANNOTATION
from graph_builder.extract.draft import extract_file
from graph_builder.extract.evaluate import load
from graph_builder.extract.relations import READINGS, RULES

# Written for this test by the medkg maintainers; not medical advice and not from any publication.
TEXT = """Written for a medkg test.

Some doctors say that stretching eases back pain. Shingles causes back pain.
While this is not supported by research, herpes can possibly cause back pain.
Spondylosis, osteomyelitis and cancer cause back pain.
Herpes does not cause spondylosis. Back pain appears when herpes is not treated.
"""


def _draft(extractor: Any, article: Path, text: str) -> Path:
    article.write_text(text, encoding="utf-8")
    out = article.with_name("draft.yaml")
    out.write_text(extract_file(extractor, article, out), encoding="utf-8")
    return out


def test_quotes_and_cues_are_verbatim_at_their_offsets(extractor: Any, article: Path) -> None:
    ann = load(_draft(extractor, article, TEXT))
    assert ann.agent == "text_mining_agent"
    assert ann.claims
    for c in ann.claims:
        assert TEXT[c.quote.start : c.quote.end] == c.quote.text
        for h in c.hedges:
            assert TEXT[h.span.start : h.span.end] == h.span.text


def test_rules_read_the_written_example(extractor: Any, article: Path) -> None:
    ann = load(_draft(extractor, article, TEXT))
    by = {(c.subject, c.relation, c.object): c for c in ann.claims}
    listed = {s for s, r, o in by if r == "causes" and "Spondylosis" in by[(s, r, o)].quote.text}
    assert len(listed) == 3  # "Spondylosis, osteomyelitis and cancer" expanded to three claims
    disclaimed = [c for c in ann.claims if "herpes can possibly" in c.quote.text]
    assert disclaimed and all(c.support == "disclaimed" and c.certainty == "possible" for c in disclaimed)
    # "this" reaches back to the sentence before (docs/codebook.md, Support), and no further
    assert by[("shingles", "causes", "back-pain")].support == "disclaimed"
    negated = [c for c in ann.claims if c.quote.text.startswith("Herpes does not")]
    assert negated and all(c.polarity == "negated" for c in negated)
    # the "not" of the condition clause negates nothing
    assert all(c.polarity == "affirmed" for c in ann.claims if "appears when" in c.quote.text)
    attributed = [c for c in ann.claims if "doctors say" in c.quote.text]
    assert attributed and all(c.support == "attributed" and c.attributed_to for c in attributed)
    assert ann.agents[attributed[0].attributed_to or ""].type == "unnamed-experts"


def test_draft_builds(extractor: Any, article: Path, tmp_path: Path) -> None:
    draft = _draft(extractor, article, TEXT)
    assert main(["build", str(draft), "--out", str(tmp_path / "out")]) == 0


def test_seed_draft_builds_and_disclaims_herpes_lower_back_pain(extractor: Any, tmp_path: Path) -> None:
    gold = load(SEED_ANNOTATION)
    text = Path(SEED_ANNOTATION).parent / "../articles/does-herpes-cause-lower-back-pain.txt"
    out = tmp_path / "seed-draft.yaml"
    out.write_text(extract_file(extractor, text.resolve(), out), encoding="utf-8")
    assert main(["build", str(out), "--out", str(tmp_path / "out")]) == 0
    draft = load(out)
    herpes = {g.curie for g in gold.entities["herpes"].groundings}
    lbp = {g.curie for g in gold.entities["lower-back-pain"].groundings}
    ids = {e.id: {g.curie for g in e.groundings} for e in draft.entities.values()}
    links = [c for c in draft.claims if ids[c.subject] & herpes and ids[c.object] & lbp]
    assert links and all(c.support == "disclaimed" for c in links)
    assert all(any(h.type == "disclaimer" for h in c.hedges) for c in links)


def test_unreadable_article_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(tmp_path / "missing.txt")]) == 1
    err = capsys.readouterr().err
    assert "missing.txt" in err and "Traceback" not in err


def test_store_entities_give_their_ids(extractor: Any, tmp_path: Path) -> None:
    from graph_builder.extract.draft import load_extractor
    from graph_builder.kg.build import build_example
    from graph_builder.lookup.corpus import corpus_entities

    seed = load(SEED_ANNOTATION)
    lbp = seed.entities["lower-back-pain"]
    synonym = next(s for s in lbp.synonyms if s != lbp.label)  # a name only the corpus knows it by
    article = tmp_path / "article.txt"
    # Written for this test (not medical advice).
    text = f"Written for a medkg test. Herpes can possibly cause {synonym}.\n"
    with_corpus = load_extractor(corpus_entities(build_example()))
    ann = load(_draft(with_corpus, article, text))
    assert [(c.subject, c.relation, c.object) for c in ann.claims] == [
        ("herpes", "causes", "lower-back-pain")
    ]
    assert ann.entities["lower-back-pain"].label == lbp.label
    assert set(ann.entities["lower-back-pain"].groundings) == set(lbp.groundings)


def test_cli_writes_the_draft(extractor: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = tmp_path / "article.txt"
    article.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "sub" / "draft.yaml"
    out.parent.mkdir()
    assert main(["extract", str(article), "--id", "written-example", "--out", str(out)]) == 0
    ann = load(out)
    assert ann.source.id == "written-example" and ann.source.text == TEXT
    assert main(["extract", str(article), "--id", "Not A Slug"]) == 1
    assert "--id" in capsys.readouterr().err


def test_every_relation_cue_names_a_relation_of_the_ontology_and_a_known_reading() -> None:
    from graph_builder.core.vocabulary import load_vocabulary

    relations = set(load_vocabulary().relations)
    assert RULES and {r for r, _, _ in RULES} <= relations
    assert {how for _, _, how in RULES} <= set(READINGS)
