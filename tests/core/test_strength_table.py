"""The strength table that ends ontology/evidence.ttl is the codebook's rule, written out (issue 14).

A claim's strength is not stored: queries join its support and certainty with the table's cells. The
table is generated (``make schema``) from :meth:`Vocabulary.strength`, which applies
:func:`graph_builder.core.codebook.strength` to the ontology's ranks; these tests fail when the file and
the rule part.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from graph_builder.core import codebook
from graph_builder.core import namespaces as ns
from graph_builder.core.paths import EVIDENCE_FILE
from graph_builder.core.vocabulary import (
    STRENGTH_TABLE_START,
    load_ontology,
    load_vocabulary,
    strength_table_turtle,
    write_strength_table,
)

VOCAB = load_vocabulary()
PAIRS = [(s, c) for s in VOCAB.supports for c in VOCAB.certainties]

_CELLS = """
SELECT ?support ?certainty ?value WHERE {
  ?cell medkg:strengthSupport ?s ; medkg:strengthCertainty ?c ; medkg:strengthValue ?value .
  ?s skos:notation ?support . ?c skos:notation ?certainty .
}"""


@pytest.fixture(scope="module")
def cells() -> list[tuple[str, str, ox.Literal]]:
    store = ox.Store()
    load_ontology(store)
    result = store.query(_CELLS, prefixes=ns.PREFIXES, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    out = []
    for row in result:
        support, certainty, value = row["support"], row["certainty"], row["value"]
        assert isinstance(support, ox.Literal) and isinstance(certainty, ox.Literal)
        assert isinstance(value, ox.Literal)
        out.append((support.value, certainty.value, value))
    return out


def test_the_file_ends_with_the_generated_table() -> None:
    text = EVIDENCE_FILE.read_text(encoding="utf-8")
    assert text.count(STRENGTH_TABLE_START) == 1
    assert text.endswith("\n\n" + strength_table_turtle(VOCAB)), "run `make schema`"


def test_writing_the_table_again_changes_nothing(tmp_path: Path) -> None:
    copy = tmp_path / "evidence.ttl"
    copy.write_text(EVIDENCE_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    assert write_strength_table(copy) is False
    stale = EVIDENCE_FILE.read_text(encoding="utf-8").replace(
        "medkg:strengthValue 21 .", "medkg:strengthValue 7 ."
    )
    copy.write_text(stale, encoding="utf-8")
    assert write_strength_table(copy) is True
    assert copy.read_text(encoding="utf-8") == EVIDENCE_FILE.read_text(encoding="utf-8")


def test_one_cell_per_support_level_and_certainty(cells: list[tuple[str, str, ox.Literal]]) -> None:
    assert sorted((s, c) for s, c, _ in cells) == sorted(PAIRS)
    assert len(PAIRS) == 21


@pytest.mark.parametrize(("support", "certainty"), PAIRS)
def test_each_cell_is_the_codebook_rule(
    cells: list[tuple[str, str, ox.Literal]], support: str, certainty: str
) -> None:
    expected = codebook.strength(
        VOCAB.supports[support].rank, VOCAB.certainties[certainty].rank, len(VOCAB.certainties)
    )
    values = [v for s, c, v in cells if (s, c) == (support, certainty)]
    assert values == [ox.Literal(str(expected), datatype=ox.NamedNode(ns.XSD + "integer"))]
    assert VOCAB.strength(support, certainty) == expected


def test_the_table_runs_from_1_to_21_and_support_dominates() -> None:
    values = {(s, c): VOCAB.strength(s, c) for s, c in PAIRS}
    assert sorted(values.values()) == list(range(1, 22))
    by_rank = sorted(PAIRS, key=lambda p: (VOCAB.supports[p[0]].rank, VOCAB.certainties[p[1]].rank))
    assert [values[p] for p in by_rank] == list(range(1, 22))
