"""The serialisations of a query result: the W3C SPARQL 1.1 query results formats (JSON, XML, CSV, TSV)
and :func:`format_results`, which also writes the text table of :mod:`graph_builder.core.tables`.

>>> from pyoxigraph import Literal, NamedNode
>>> table = ResultTable(
...     variables=("entity", "label"),
...     rows=((NamedNode("https://w3id.org/medkg/entity/herpes"), Literal("herpes")),),
... )
>>> print(format_results(table, "table"))
entity         label
-------------  ------
entity:herpes  herpes
(1 row)
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from graph_builder.core.namespaces import RDF, XSD
from graph_builder.core.results import FLOAT_TYPES, INTEGER_TYPES, ResultTable, Term
from graph_builder.core.tables import to_table

#: The formats :func:`format_results` writes.
FORMATS: tuple[str, ...] = ("table", "csv", "tsv", "json", "xml")

_XSD_STRING = XSD + "string"
_RDF_LANG_STRING = RDF + "langString"
_SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"


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
        and term.datatype.value in INTEGER_TYPES | FLOAT_TYPES
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
