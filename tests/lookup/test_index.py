"""The ranked name index: its tiers, its normal form, and the same answers as a plain scan of every name."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_builder.lookup.index import TIERS, Name, NameIndex, normalize, scan
from graph_builder.lookup.search import vocabulary_index

NAMES = [
    Name("Back Pain", "label", 0),
    Name("backache", "lay", 0),
    Name("Low Back Pain", "label", 1),
    Name("lumbago", "synonym", 1),
    Name("Back", "label", 2),
    Name("Pain in back, chronic", "label", 3),
    Name("Paint", "label", 4),
]


def test_tiers_order_label_synonym_prefix_words() -> None:
    found = NameIndex(NAMES).search("back")
    kinds = [f.kind for f in found]
    assert kinds[0] == "label" and found[0].target == 2
    assert [TIERS[k] for k in kinds] == sorted(TIERS[k] for k in kinds)
    assert {f.target: f.kind for f in found}[0] == "prefix"  # "Back Pain" starts with "back"


def test_a_thing_is_found_once_by_its_best_name() -> None:
    found = NameIndex(NAMES).search("backaches")
    assert [(f.target, f.kind, f.name) for f in found] == [(0, "lay", "backache")]


def test_prefix_at_a_word_boundary_ranks_above_one_inside_a_word() -> None:
    found = [f.target for f in NameIndex(NAMES).search("pain") if f.kind == "prefix"]
    assert found.index(3) < found.index(4)  # "Pain in back, chronic" before "Paint"


def test_words_ignore_stopwords_when_the_text_has_others() -> None:
    names = [Name("heart disease", "label", 0), Name("Neoplasm of the heart", "label", 1)]
    found = NameIndex(names).search("disease of the heart")
    assert [f.target for f in found] == [0, 1]


@pytest.mark.parametrize("text", ["", "   ", "!!!"])
def test_empty_text_finds_nothing(text: str) -> None:
    assert NameIndex(NAMES).search(text) == []


def test_normalize_is_idempotent_on_the_vocabulary_names() -> None:
    index = vocabulary_index().index
    sample = random.Random(13).sample(range(len(index)), 2000)
    assert all(normalize(index.keys[i]) == index.keys[i] for i in sample)


def test_index_and_scan_agree_on_vocabulary_names() -> None:
    """The index against the plain scan, over 5,000 vocabulary names and texts drawn from them: whole
    names, first words, first letters and single words."""
    rng = random.Random(2026)
    names = rng.sample(vocabulary_index().index.names, 5000)
    index = NameIndex(names)
    texts = ["low back pain", "backache", "shingles", "of the", "heart disease"]
    for name in rng.sample(names, 12):
        words = name.text.split()
        texts += [name.text, " ".join(words[:2]), name.text[:4], rng.choice(words)]
    for text in texts:
        assert index.search(text, 25) == scan(names, text, 25), text


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="abk pc-,SsÉé", max_size=14))
def test_index_and_scan_agree_on_any_text(text: str) -> None:
    names = [
        *NAMES,
        Name("Back pains", "synonym", 5),
        Name("the back", "label", 6),
        Name("éclat", "label", 7),
    ]
    assert NameIndex(names).search(text) == scan(names, text)
