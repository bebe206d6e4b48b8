"""Every SPARQL example in README.md and docs/ runs on the seed graph and gives the rows it promises.

An example is a fenced ``sparql`` block, or the query of a ``medkg query run --sparql '…'`` or
``query=…`` (curl) command line. An HTML comment on the line before it says what it must give:
``<!-- rows: N -->`` (exactly N rows) and ``<!-- row: var=value … -->`` (some row has these values,
written as the CLI writes them); with neither, at least one row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph_builder.core.identifiers import shorten
from graph_builder.sparql.runner import run_sparql

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_FENCED = re.compile(r"(?:<!--(?P<note>[^>]*)-->\n)?```sparql\n(?P<query>.*?)```", re.S)
_INLINE = re.compile(
    r"(?:<!--(?P<note>[^>]*)-->\n```console\n)?[^\n]*?(?:--sparql '|'query=)(?P<query>[^']+)'"
)


@dataclass(frozen=True)
class Example:
    where: str
    query: str
    note: str

    def expected_rows(self) -> int | None:
        m = re.search(r"rows:\s*(\d+)", self.note)
        return None if m is None else int(m.group(1))

    def expected_row(self) -> dict[str, str] | None:
        m = re.search(r"row:\s*(.*)", self.note)
        return None if m is None else dict(pair.split("=", 1) for pair in m.group(1).split())


def _examples() -> list[Example]:
    out = []
    for doc in DOCUMENTS:
        text = doc.read_text(encoding="utf-8")
        for pattern in (_FENCED, _INLINE):
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start("query")) + 1
                out.append(Example(f"{doc.name}:{line}", m.group("query"), (m.group("note") or "").strip()))
    return out


EXAMPLES = _examples()


def test_the_documents_have_examples_and_the_readme_asks_honestly_first() -> None:
    readme = [e for e in EXAMPLES if e.where.startswith("README.md")]
    assert len(readme) >= 3
    first = min(readme, key=lambda e: int(e.where.split(":")[1]))
    # The first example asks of assertions and shows how each source frames the claim.
    assert "medkg:proposition" in first.query and "medkg:negated" in first.query
    assert first.expected_row() is not None


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.where for e in EXAMPLES])
def test_example_gives_its_rows(example: Example, seed_store: ox.Store) -> None:
    table = run_sparql(example.query, seed_store)
    records = [{k: _shown(v) for k, v in row.items()} for row in table.to_records()]
    count = example.expected_rows()
    if count is not None:
        assert len(records) == count, example.where
    else:
        assert records, f"{example.where}: no rows"
    wanted = example.expected_row()
    if wanted is not None:
        assert any(all(r.get(k) == v for k, v in wanted.items()) for r in records), (
            example.where,
            records[:5],
        )


def _shown(value: object) -> str:
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return shorten(text) if text.startswith("http") else text


def test_no_example_reads_a_disclaimed_or_negated_claim_as_a_fact(seed_store: ox.Store) -> None:
    # Whatever a document's example returns, the seed's disclaimed claim is never answered by a
    # relation between the two entities: a query can only reach it through an assertion.
    for example in EXAMPLES:
        if re.search(r"\?\w+\s+medkg:(causes|causallyInfluences)\b", example.query):
            assert not run_sparql(example.query, seed_store).to_records(), example.where
