"""`medkg stats`: the counts per support level, certainty and polarity equal a count of the files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from graph_builder.core.vocabulary import load_vocabulary
from graph_builder.ingest.annotations import load_annotations
from graph_builder.quality.stats import graph_stats


def test_counts_by_the_codebooks_dimensions_match_the_annotations(
    corpus_store: ox.Store, corpus_files: list[Path]
) -> None:
    claims = [c for ann in load_annotations(corpus_files) for c in ann.claims]
    vocab = load_vocabulary()
    stats = graph_stats(corpus_store)
    assert stats.assertions == len(claims) and stats.sources == len(corpus_files)
    for ranked, attr, terms in (
        (stats.by_support, "support", vocab.supports),
        (stats.by_certainty, "certainty", vocab.certainties),
    ):
        counts = Counter(getattr(c, attr) for c in claims)
        assert [(rank, n) for rank, _, n in ranked] == [(t.rank, counts[s]) for s, t in terms.items()]
    polarity = Counter(c.polarity for c in claims)
    assert dict(stats.by_polarity) == {vocab.polarities[p].label: n for p, n in polarity.items()}
    assert "assertions by support (weakest first):" in stats.lines()
