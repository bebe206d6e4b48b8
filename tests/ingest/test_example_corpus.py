"""The example corpus in data/: articles written for medkg that overlap and disagree as real sources do."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_builder.core.model import Annotation
from graph_builder.core.paths import SEED_SOURCE_ID
from graph_builder.ingest.annotations import load_annotations

Statement = tuple[str, str, str, bool]  # subject, relation, object, negated


@pytest.fixture(scope="module")
def corpus(corpus_files: list[Path]) -> list[Annotation]:
    return load_annotations(corpus_files)


@pytest.fixture(scope="module")
def stated(corpus: list[Annotation]) -> dict[Statement, set[str]]:
    """Which sources state each proposition, affirmed or negated."""
    found: dict[Statement, set[str]] = {}
    for ann in corpus:
        for c in ann.claims:
            found.setdefault((c.subject, c.relation, c.object, c.negated), set()).add(ann.source.id)
    return found


def test_the_corpus_is_the_seed_and_six_articles_written_for_medkg(corpus: list[Annotation]) -> None:
    assert len(corpus) == 7 and SEED_SOURCE_ID in {a.source.id for a in corpus}
    for ann in corpus:
        if ann.source.id == SEED_SOURCE_ID:
            continue
        header = ann.source.text.split("\n\n", 1)[0]
        assert "written for the medkg project" in header and "not medical advice" in header, ann.source.id
        assert ann.source.url is None, ann.source.id  # no invented addresses


@pytest.mark.parametrize(
    ("statement", "at_least"),
    [
        (("herpes-zoster", "causes", "back-pain", False), 2),
        (("cold-compress", "alleviates", "back-pain", False), 1),
        (("cold-compress", "alleviates", "back-pain", True), 1),
        (("heat-therapy", "alleviates", "back-pain", False), 2),
        (("herpes", "causes", "lower-back-pain", False), 1),
        (("herpes", "causes", "lower-back-pain", True), 1),
        (("lower-back-pain", "associated-with", "swelling", True), 1),
        (("hsv-2", "causes", "lower-back-pain", False), 2),
    ],
)
def test_sources_overlap_and_disagree(
    stated: dict[Statement, set[str]], statement: Statement, at_least: int
) -> None:
    assert len(stated.get(statement, set())) >= at_least, statement


def test_negated_claims_deny_what_another_source_affirms(stated: dict[Statement, set[str]]) -> None:
    twins = {
        (s, r, o): (stated.get((s, r, o, False), set()), sources)
        for (s, r, o, negated), sources in stated.items()
        if negated
    }
    with_twin = {key for key, (affirmed, denied) in twins.items() if affirmed - denied}
    assert ("herpes", "causes", "lower-back-pain") in with_twin
    assert ("cold-compress", "alleviates", "back-pain") in with_twin
