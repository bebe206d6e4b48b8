"""The fixed-width text tables medkg prints for people: a query result with prefixed IRIs and long
literals cut short or wrapped (:func:`to_table`), and the lines of any table (:func:`table_lines`)."""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterable

import pyoxigraph as ox

from graph_builder.core import identifiers
from graph_builder.core.results import ResultTable, Term, to_python


def shorten_iri(iri: str) -> str:
    """Write an IRI as a CURIE (:func:`graph_builder.core.identifiers.shorten`), or unchanged.

    >>> shorten_iri("https://w3id.org/medkg/vocab#causes"), shorten_iri("http://example.org/x")
    ('medkg:causes', 'http://example.org/x')
    """
    return identifiers.shorten(iri)


# C0 and C1 control characters (those str.split() leaves in place after whitespace is collapsed).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Text safe to print in a table cell: runs of whitespace one space, other control characters as \\xNN.

    >>> printable("a\\tb\\x1b[31m")
    'a b\\\\x1b[31m'
    """
    # Collapse newlines and tabs so that each cell stays on its own line, and show other control
    # characters as \xNN: an ESC in a literal must not drive the terminal.
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", " ".join(text.split()))


def _display(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten_iri(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return printable(term.value)
    return f"<< {_display(term.subject)} {_display(term.predicate)} {_display(term.object)} >>"


def _is_number(term: Term | None) -> bool:
    if not isinstance(term, ox.Literal):
        return False
    value = to_python(term)
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def to_table(table: ResultTable, max_width: int | None = 48, wrap: bool = False) -> str:
    """A fixed-width text table; cells longer than ``max_width`` are wrapped or cut with an ellipsis.

    Numbers are right-aligned; ``max_width=None`` never shortens a cell.

    >>> from pyoxigraph import Literal
    >>> quote = Literal("While this is not supported with any medical researches, it can possibly")
    >>> print(to_table(ResultTable(("quote", "rank"), ((quote, Literal(1)),)), max_width=30))
    quote                           rank
    ------------------------------  ----
    While this is not supported w…     1
    (1 row)
    >>> print(to_table(ResultTable(("quote",), ((quote,),)), max_width=30, wrap=True))
    quote
    ----------------------------
    While this is not supported
    with any medical researches,
    it can possibly
    (1 row)
    """
    if table.kind == "ask":
        return "yes" if table.boolean else "no"
    numeric = [
        bool(table.rows) and all(term is None or _is_number(term) for term in (row[i] for row in table.rows))
        for i in range(len(table.variables))
    ]
    rows = ([_display(term) for term in row] for row in table.rows)
    out = table_lines(rows, table.variables, right=numeric, max_width=max_width, wrap=wrap)
    count = len(table.rows)
    out.append(f"({count} row{'' if count == 1 else 's'})")
    return "\n".join(out)


def table_lines(
    rows: Iterable[Iterable[str]],
    headers: Iterable[str] | None = None,
    *,
    right: Iterable[bool] = (),
    max_width: int | None = None,
    wrap: bool = False,
) -> list[str]:
    """The lines of a fixed-width text table: every text table medkg prints for people.

    Columns are two spaces apart and as wide as their widest cell; ``right`` says which columns are
    right-aligned (the rest, and any it leaves out, are left-aligned). Headers, when given, are
    underlined with dashes. Cells longer than ``max_width`` are wrapped onto more lines or cut with
    an ellipsis; ``None`` never shortens a cell. Trailing spaces are dropped.

    >>> print("\\n".join(table_lines([["herpes", "6"], ["back pain", "12"]], ["entity", "n"], right=[False, True])))
    entity      n
    ---------  --
    herpes      6
    back pain  12
    >>> table_lines([["a", "x"], ["bbb", "y"]])
    ['a    x', 'bbb  y']
    """
    cells: list[list[list[str]]] = []  # row -> column -> lines
    for row in rows:
        rendered = []
        for text in row:
            if max_width is not None and len(text) > max_width:
                if wrap:
                    rendered.append(textwrap.wrap(text, width=max_width) or [""])
                    continue
                text = text[: max_width - 1] + "…"
            rendered.append([text])
        cells.append(rendered)
    head = None if headers is None else list(headers)
    columns = len(head) if head is not None else max((len(rendered) for rendered in cells), default=0)
    widths = [len(h) for h in head] if head is not None else [0] * columns
    for rendered in cells:
        for i, lines in enumerate(rendered):
            widths[i] = max(widths[i], *(len(line) for line in lines))
    aligned = list(right)[:columns]
    aligned += [False] * (columns - len(aligned))

    def line(values: list[str]) -> str:
        parts = [
            value.rjust(width) if right else value.ljust(width)
            for value, width, right in zip(values, widths, aligned, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [] if head is None else [line(head), "  ".join("-" * width for width in widths)]
    for rendered in cells:
        height = max((len(lines) for lines in rendered), default=1)
        for k in range(height):
            out.append(line([lines[k] if k < len(lines) else "" for lines in rendered]))
    return out
