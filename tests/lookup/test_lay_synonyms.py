"""Every row of medkg's lay-synonym table names a term that exists in its shipped package, with the
label the row says it was checked against; a malformed table is refused row by row."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_builder.core.packages import PACKAGES
from graph_builder.lookup.terms import LaySynonym, LaySynonymError, load_lay_synonyms
from graph_builder.quality.groundings import lookup_label

ROWS = load_lay_synonyms()


def test_the_table_has_the_rows_the_issue_names() -> None:
    terms = {r.term for r in ROWS}
    assert {"backache", "cold compress", "shingles"} <= terms


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.term}:{r.vocabulary}:{r.id}" for r in ROWS])
def test_row_target_exists_with_the_checked_label(row: LaySynonym) -> None:
    package, _, label = row.checked.partition(": ")
    assert package == PACKAGES[row.vocabulary].distribution
    assert lookup_label(row.vocabulary, row.id) == label


def test_each_lay_term_maps_once_per_vocabulary() -> None:
    keys = [(r.term, r.vocabulary) for r in ROWS]
    assert len(keys) == len(set(keys))


def test_a_lay_term_is_not_already_the_label_it_maps_to() -> None:
    # such a row adds nothing: the label matches by itself
    assert [r for r in ROWS if r.term.casefold() == r.checked.partition(": ")[2].casefold()] == []


def test_malformed_rows_are_each_named(tmp_path: Path) -> None:
    table = tmp_path / "lay.tsv"
    table.write_text(
        "# comment\nterm\tvocabulary\tid\tmatch\tchecked\n"
        "good\tmesh\tD001416\texact\tinvenio-subjects-mesh-lite: Back Pain\n"
        "bad id\tmesh\t1416\texact\tx\n"
        "bad match\thpo\tHP:0003418\tsame\tx\n"
        "short\tmesh\n",
        encoding="utf-8",
    )
    with pytest.raises(LaySynonymError) as err:
        load_lay_synonyms(table)
    lines = str(err.value).splitlines()
    assert len(lines) == 3
    assert "row 2 (bad id): id:" in lines[0] and "found mesh 1416" in lines[0]
    assert "row 3 (bad match): match:" in lines[1] and "'same'" in lines[1]
    assert "row 4: expected 5 columns; found 2" in lines[2]
    assert all(line.startswith(f"{table}: ") for line in lines)
