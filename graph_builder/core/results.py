"""Query results as a value: a table of RDF terms, and its W3C and human-readable serialisations.

The JSON, XML, CSV and TSV outputs follow the W3C SPARQL 1.1 query results formats; ``table`` is a
fixed-width text table for terminals, with prefixed IRIs and long literals cut short.

>>> from pyoxigraph import Literal, NamedNode
>>> table = ResultTable(
...     variables=("entity", "label"),
...     rows=((NamedNode("https://w3id.org/medkg/entity/herpes"), Literal("herpes")),),
... )
>>> table.to_records()
[{'entity': 'https://w3id.org/medkg/entity/herpes', 'label': 'herpes'}]
>>> print(format_results(table, "table"))
entity         label
-------------  ------
entity:herpes  herpes
(1 row)
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import math
import re
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any, Literal, TypeAlias
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from graph_builder.core.namespaces import PREFIXES, RDF, XSD

#: An RDF term as pyoxigraph returns it in a query solution.
Term: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
#: A Python value of a term: IRIs and strings as ``str``, numbers and booleans as themselves.
Value: TypeAlias = str | int | float | bool | None
ResultKind: TypeAlias = Literal["select", "ask", "construct"]

#: The formats :func:`format_results` writes.
FORMATS: tuple[str, ...] = ("table", "csv", "tsv", "json", "xml")

_XSD_STRING = XSD + "string"
_RDF_LANG_STRING = RDF + "langString"
_INTEGER_TYPES = frozenset(
    XSD + t
    for t in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
        "unsignedByte",
    )
)  # fmt: skip
_FLOAT_TYPES = frozenset(XSD + t for t in ("decimal", "double", "float"))
_BOOLEAN = XSD + "boolean"
_SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"


@dataclass(frozen=True)
class ResultTable:
    """The result of a query: variable names and rows of RDF terms (``None`` where unbound).

    An ASK query gives ``kind="ask"`` and one row with one ``ask`` column holding a boolean literal;
    a CONSTRUCT query gives ``kind="construct"`` and columns ``subject``, ``predicate``, ``object``.

    >>> from pyoxigraph import Literal
    >>> t = ResultTable(("n",), ((Literal(3),), (None,)))
    >>> len(t), t.column("n")
    (2, [3, None])
    """

    variables: tuple[str, ...]
    rows: tuple[tuple[Term | None, ...], ...]
    kind: ResultKind = "select"

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[tuple[Term | None, ...]]:
        return iter(self.rows)

    def __bool__(self) -> bool:
        # An ASK answer is truthy when the answer is yes; a table is truthy when it has rows.
        if self.kind == "ask":
            return self.boolean is True
        return bool(self.rows)

    @property
    def boolean(self) -> bool | None:
        """The answer of an ASK query, ``None`` for other kinds.

        >>> from pyoxigraph import Literal
        >>> ResultTable(("ask",), ((Literal(True),),), kind="ask").boolean
        True
        """
        if self.kind != "ask" or not self.rows:
            return None
        value = to_python(self.rows[0][0])
        return value if isinstance(value, bool) else None

    def column(self, name: str) -> list[Value]:
        """The Python values of one column, in row order.

        >>> ResultTable(("a",), ()).column("b")
        Traceback (most recent call last):
        ...
        KeyError: "no column 'b'; the columns are: a"
        """
        try:
            index = self.variables.index(name)
        except ValueError:
            raise KeyError(f"no column {name!r}; the columns are: {', '.join(self.variables)}") from None
        return [to_python(row[index]) for row in self.rows]

    def to_records(self) -> list[dict[str, Value]]:
        """One dict per row, mapping each variable to the Python value of its term (``None`` if unbound).

        >>> from pyoxigraph import Literal
        >>> ResultTable(("ok", "rank"), ((Literal(True), Literal(1)),)).to_records()
        [{'ok': True, 'rank': 1}]
        """
        return [
            {name: to_python(term) for name, term in zip(self.variables, row, strict=True)}
            for row in self.rows
        ]

    def to_dataframe(self) -> Any:
        """A pandas DataFrame of :meth:`to_records` (needs the ``pandas`` extra).

        >>> ResultTable(("a",), ()).to_dataframe().columns.tolist()
        ['a']
        """
        try:
            # Imported by name: pandas is an optional extra and ships no type information.
            pandas = importlib.import_module("pandas")
        except ImportError as error:  # pragma: no cover - depends on the environment
            raise ImportError(
                "ResultTable.to_dataframe() needs pandas: pip install 'medkg[pandas]'"
            ) from error
        return pandas.DataFrame.from_records(self.to_records(), columns=list(self.variables))


#: A pyoxigraph query result: an ASK answer, SELECT solutions, or CONSTRUCT triples (a list of triples
#: when they were parsed from another store's answer).
QueryResult: TypeAlias = ox.QueryBoolean | ox.QuerySolutions | Iterable[ox.Triple]

_TRIPLE_COLUMNS = ("subject", "predicate", "object")


def from_query_result(result: QueryResult, *, max_rows: int | None = None) -> tuple[ResultTable, bool]:
    """The table of a query result, and whether it was cut to ``max_rows`` rows.

    Rows are read one at a time: a capped result reads at most one row past the cap (which tells
    that there were more), so an endpoint never holds a huge answer whole.

    >>> from pyoxigraph import Store
    >>> table, truncated = from_query_result(Store().query("SELECT ?n { VALUES ?n { 1 2 3 } }"), max_rows=2)
    >>> table.column("n"), truncated
    ([1, 2], True)
    >>> from_query_result(Store().query("ASK {}"))[0].boolean
    True
    """
    if isinstance(result, ox.QueryBoolean):
        return ResultTable(("ask",), ((ox.Literal(bool(result)),),), kind="ask"), False
    kind: ResultKind
    rows: Iterator[tuple[Term | None, ...]]
    if isinstance(result, ox.QuerySolutions):
        kind, variables = "select", tuple(v.value for v in result.variables)
        # A solution iterates over its values in variable order, None where unbound; in C, three times
        # faster than indexing each cell (benchmarks/README.md: medkg's overhead over raw pyoxigraph).
        rows = map(tuple, result)
    else:
        kind, variables = "construct", _TRIPLE_COLUMNS
        rows = ((t.subject, t.predicate, t.object) for t in result)
    if max_rows is None:
        return ResultTable(variables, tuple(rows), kind), False
    kept = tuple(islice(rows, max_rows + 1))
    return ResultTable(variables, kept[:max_rows], kind), len(kept) > max_rows


def to_triples(table: ResultTable) -> list[ox.Triple]:
    """The triples of a CONSTRUCT table, to serialise as a graph.

    >>> from pyoxigraph import Store
    >>> to_triples(from_query_result(Store().query("CONSTRUCT { <urn:s> <urn:p> 1 } WHERE {}"))[0])
    [<Triple subject=<NamedNode value=urn:s> predicate=<NamedNode value=urn:p> object=<Literal value=1 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>>]
    """
    if table.kind != "construct":
        raise ValueError(f"a {table.kind} result has no triples; only a CONSTRUCT result has")
    # A CONSTRUCT row has no unbound cell and a valid subject and predicate: it came from a triple.
    return [ox.Triple(*row) for row in table.rows]  # type: ignore[arg-type]


def to_python(term: Term | None) -> Value:
    """The Python value of an RDF term: numbers and booleans typed, everything else a string.

    >>> from pyoxigraph import BlankNode, Literal, NamedNode
    >>> [to_python(t) for t in (Literal(2), Literal("2.5", datatype=NamedNode(XSD + "decimal")),
    ...  Literal(False), Literal("x", language="en"), NamedNode("urn:x"), BlankNode("b"), None)]
    [2, 2.5, False, 'x', 'urn:x', '_:b', None]
    """
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        try:
            if datatype in _INTEGER_TYPES:
                return int(term.value)
            if datatype in _FLOAT_TYPES:
                return float(term.value)
        except ValueError:
            return term.value  # an ill-typed literal keeps its lexical form
        if datatype == _BOOLEAN:
            return term.value in ("true", "1")
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


# --- W3C SPARQL 1.1 query results formats ---------------------------------------------------------


def _json_term(term: Term) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    # RDF-star quoted triple, as SPARQL 1.2 results write it.
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def to_json(table: ResultTable) -> str:
    """SPARQL 1.1 Query Results JSON (``application/sparql-results+json``); unbound variables are omitted.

    >>> from pyoxigraph import Literal
    >>> print(to_json(ResultTable(("n",), ((Literal(1),),))))
    {"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": "1", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]}}
    """
    if table.kind == "ask":
        return json.dumps({"head": {}, "boolean": bool(table.boolean)})
    bindings = [
        {name: _json_term(term) for name, term in zip(table.variables, row, strict=True) if term is not None}
        for row in table.rows
    ]
    return json.dumps(
        {"head": {"vars": list(table.variables)}, "results": {"bindings": bindings}}, ensure_ascii=False
    )


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != _XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return (
        f"<triple><subject>{_xml_term(term.subject)}</subject>"
        f"<predicate>{_xml_term(term.predicate)}</predicate>"
        f"<object>{_xml_term(term.object)}</object></triple>"
    )


def to_xml(table: ResultTable) -> str:
    """SPARQL Query Results XML (``application/sparql-results+xml``).

    >>> from pyoxigraph import NamedNode
    >>> print(to_xml(ResultTable(("s",), ((NamedNode("urn:a"),),))))
    <?xml version="1.0" encoding="UTF-8"?>
    <sparql xmlns="http://www.w3.org/2005/sparql-results#">
      <head>
        <variable name="s"/>
      </head>
      <results>
        <result>
          <binding name="s"><uri>urn:a</uri></binding>
        </result>
      </results>
    </sparql>
    """
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sparql xmlns="{_SPARQL_RESULTS_NS}">', "  <head>"]
    if table.kind == "ask":
        lines += ["  </head>", f"  <boolean>{'true' if table.boolean else 'false'}</boolean>", "</sparql>"]
        return "\n".join(lines)
    lines += [f"    <variable name={quoteattr(name)}/>" for name in table.variables]
    lines += ["  </head>", "  <results>"]
    for row in table.rows:
        lines.append("    <result>")
        for name, term in zip(table.variables, row, strict=True):
            if term is not None:
                lines.append(f"      <binding name={quoteattr(name)}>{_xml_term(term)}</binding>")
        lines.append("    </result>")
    lines += ["  </results>", "</sparql>"]
    return "\n".join(lines)


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def to_csv(table: ResultTable, *, spreadsheet_safe: bool = False) -> str:
    """SPARQL 1.1 Query Results CSV: plain values (no datatypes or language tags), CRLF line ends.

    With ``spreadsheet_safe`` (the CLI's ``--format csv``, read by people in spreadsheets), a cell a
    spreadsheet would run as a formula is prefixed with ``'`` and every cell is quoted, as OWASP's
    CSV-injection advice says; see :func:`spreadsheet_cell`. Without it (the endpoint's ``text/csv``),
    values are exactly the W3C format's.

    >>> from pyoxigraph import Literal
    >>> to_csv(ResultTable(("q", "n"), ((Literal('say "hi", then'), Literal(1)),)))
    'q,n\\r\\n"say ""hi"", then",1\\r\\n'
    >>> to_csv(ResultTable(("q", "n"), ((Literal("=1+2"), Literal(-1)),)), spreadsheet_safe=True)
    '"q","n"\\r\\n"\\'=1+2","-1"\\r\\n'
    """
    buffer = io.StringIO()
    cell = spreadsheet_cell if spreadsheet_safe else _csv_value
    writer = csv.writer(
        buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL if spreadsheet_safe else csv.QUOTE_MINIMAL
    )
    writer.writerow(table.variables)
    for row in table.rows:
        writer.writerow([cell(term) for term in row])
    return buffer.getvalue()


# A spreadsheet runs a cell starting with one of these as a formula (OWASP, "CSV Injection"); a tab or
# carriage return can hide the start of a formula behind whitespace.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The XSD lexical form of a decimal, double or integer, without INF and NaN: digits, a dot, an exponent.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_cell(term: Term | None) -> str:
    """The CSV value of a term, prefixed with ``'`` where a spreadsheet would read it as a formula.

    A literal typed as a number whose text is a plain number (``-1``, ``+2.5e3``) is left as it is: a
    spreadsheet reads it as that number, and no function call fits in digits, a dot and an exponent;
    prefixing it would turn every negative number into text. Anything else, a string ``"-1"`` or an
    ill-typed ``"-1+cmd"^^xsd:integer`` included, is prefixed.

    >>> from pyoxigraph import Literal
    >>> [spreadsheet_cell(t) for t in (Literal("@SUM(A1)"), Literal(-1), Literal("-1"), Literal("a-b"))]
    ["'@SUM(A1)", '-1', "'-1", 'a-b']
    """
    value = _csv_value(term)
    if not value.startswith(_FORMULA_STARTS):
        return value
    if (
        isinstance(term, ox.Literal)
        and term.datatype.value in _INTEGER_TYPES | _FLOAT_TYPES
        and _PLAIN_NUMBER.fullmatch(value)
    ):
        return value
    return "'" + value


def to_tsv(table: ResultTable) -> str:
    """SPARQL 1.1 Query Results TSV: ``?var`` headers and terms in N-Triples syntax, LF line ends.

    >>> from pyoxigraph import Literal, NamedNode
    >>> to_tsv(ResultTable(("s", "o"), ((NamedNode("urn:a"), Literal("x\\ty")),)))
    '?s\\t?o\\n<urn:a>\\t"x\\\\ty"\\n'
    """
    lines = ["\t".join(f"?{name}" for name in table.variables)]
    # pyoxigraph's str() of a term is its N-Triples form, with tabs and newlines escaped.
    lines += ["\t".join("" if term is None else str(term) for term in row) for row in table.rows]
    return "\n".join(lines) + "\n"


# --- human-readable table -------------------------------------------------------------------------

# Longest namespace first, so that entity: wins over a shorter prefix of the same IRI.
_NAMESPACES = sorted(PREFIXES.items(), key=lambda item: len(item[1]), reverse=True)


def shorten_iri(iri: str) -> str:
    """Write an IRI with the longest matching medkg prefix, or unchanged when none matches.

    >>> shorten_iri("https://w3id.org/medkg/vocab#causes"), shorten_iri("http://example.org/x")
    ('medkg:causes', 'http://example.org/x')
    """
    for prefix, namespace in _NAMESPACES:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


# C0 and C1 control characters (those str.split() leaves in place after whitespace is collapsed).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _display(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten_iri(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        # Collapse newlines and tabs so that each cell stays on its own line, and show other control
        # characters as \xNN: an ESC in a literal must not drive the terminal.
        text = " ".join(term.value.split())
        return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
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


def format_results(table: ResultTable, fmt: str = "table", *, spreadsheet_safe: bool = False) -> str:
    """Serialise a result table as ``table``, ``csv``, ``tsv``, ``json`` or ``xml``.

    ``spreadsheet_safe`` makes ``csv`` safe to open in a spreadsheet (see :func:`to_csv`); the command
    line sets it, the SPARQL endpoint does not.

    >>> format_results(ResultTable(("a",), ()), "yaml")
    Traceback (most recent call last):
    ...
    ValueError: unknown result format 'yaml'; expected one of: table, csv, tsv, json, xml
    """
    if fmt == "csv":
        return to_csv(table, spreadsheet_safe=spreadsheet_safe)
    writers = {"table": to_table, "tsv": to_tsv, "json": to_json, "xml": to_xml}
    try:
        writer = writers[fmt]
    except KeyError:
        raise ValueError(f"unknown result format {fmt!r}; expected one of: {', '.join(FORMATS)}") from None
    return writer(table)
