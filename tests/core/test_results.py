"""Tests of ResultTable and its serialisations: the W3C SPARQL 1.1 result formats and the text table."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

from graph_builder.core import namespaces as ns
from graph_builder.core.formats import format_results
from graph_builder.core.results import ResultTable, from_query_result, to_python, to_triples
from graph_builder.core.tables import shorten_iri, to_table

XSD_INTEGER = ox.NamedNode(ns.XSD + "integer")
SPARQL_RESULTS = "{http://www.w3.org/2005/sparql-results#}"

HERPES = ox.NamedNode(ns.ENTITY + "herpes")
QUOTE = ox.Literal('While this is "not supported", it can\tpossibly\ncause <back> pain & more, see')
TABLE = ResultTable(
    variables=("entity", "label", "rank", "quote", "node", "missing"),
    rows=(
        (HERPES, ox.Literal("herpès", language="fr"), ox.Literal(1), QUOTE, ox.BlankNode("b0"), None),
        (
            ox.NamedNode("http://id.nlm.nih.gov/mesh/D006561"),
            ox.Literal("Herpes Simplex"),
            ox.Literal("2.5", datatype=ox.NamedNode(ns.XSD + "decimal")),
            ox.Literal(True),
            None,
            None,
        ),
    ),
)
ASK = ResultTable(("ask",), ((ox.Literal(True),),), kind="ask")


def test_to_records_gives_python_values() -> None:
    assert TABLE.to_records() == [
        {
            "entity": ns.ENTITY + "herpes",
            "label": "herpès",
            "rank": 1,
            "quote": QUOTE.value,
            "node": "_:b0",
            "missing": None,
        },
        {
            "entity": "http://id.nlm.nih.gov/mesh/D006561",
            "label": "Herpes Simplex",
            "rank": 2.5,
            "quote": True,
            "node": None,
            "missing": None,
        },
    ]


def test_column_and_len() -> None:
    assert len(TABLE) == 2
    assert TABLE.column("rank") == [1, 2.5]
    with pytest.raises(KeyError, match="the columns are: entity, label"):
        TABLE.column("nope")


def test_to_python_keeps_ill_typed_literals_as_text() -> None:
    assert to_python(ox.Literal("many", datatype=XSD_INTEGER)) == "many"


def test_ask_table() -> None:
    assert ASK.boolean is True and bool(ASK)
    assert not ResultTable(("ask",), ((ox.Literal(False),),), kind="ask")
    assert format_results(ASK, "table") == "yes"


def _numbers(n: int) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(HERPES, ox.NamedNode(ns.BASE + "n"), ox.Literal(i)) for i in range(n))
    return store


@pytest.mark.parametrize(
    ("query", "kind", "variables"),
    [
        ("ASK { ?s ?p ?o }", "ask", ("ask",)),
        ("SELECT ?o ?unbound WHERE { ?s ?p ?o }", "select", ("o", "unbound")),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "construct", ("subject", "predicate", "object")),
    ],
)
def test_from_query_result_gives_each_kind_its_table(
    query: str, kind: str, variables: tuple[str, ...]
) -> None:
    table, truncated = from_query_result(_numbers(3).query(query))
    assert (table.kind, table.variables, truncated) == (kind, variables, False)
    if kind == "ask":
        assert table.boolean is True
    elif kind == "select":
        assert set(table.column("o")) == {0, 1, 2} and table.column("unbound") == [None] * 3
    else:
        assert {to_python(t.object) for t in to_triples(table)} == {0, 1, 2}


@pytest.mark.parametrize("query", ["SELECT * WHERE { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }"])
@pytest.mark.parametrize(
    ("rows", "cap", "kept", "truncated"), [(3, 3, 3, False), (4, 3, 3, True), (2, 0, 0, True)]
)
def test_from_query_result_says_when_it_cut_the_rows(
    query: str, rows: int, cap: int, kept: int, truncated: bool
) -> None:
    table, cut = from_query_result(_numbers(rows).query(query), max_rows=cap)
    assert (len(table), cut) == (kept, truncated)


def test_from_query_result_reads_parsed_results() -> None:
    parsed = ox.parse_query_results(
        '{"head": {"vars": ["a", "b"]}, "results": {"bindings": [{"b": {"type": "literal", "value": "x"}}]}}',
        format=ox.QueryResultsFormat.JSON,
    )
    table, _ = from_query_result(parsed)
    assert table.rows == ((None, ox.Literal("x")),) and table.kind == "select"


def test_to_dataframe() -> None:
    pytest.importorskip("pandas")
    frame = TABLE.to_dataframe()
    assert list(frame.columns) == list(TABLE.variables)
    assert frame["rank"].tolist() == [1, 2.5]


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="expected one of: table, csv, tsv, json, xml"):
        format_results(TABLE, "yaml")


def test_json_is_w3c_sparql_results() -> None:
    data = json.loads(format_results(TABLE, "json"))
    assert data["head"]["vars"] == list(TABLE.variables)
    first, second = data["results"]["bindings"]
    assert first["entity"] == {"type": "uri", "value": ns.ENTITY + "herpes"}
    assert first["label"] == {"type": "literal", "value": "herpès", "xml:lang": "fr"}
    assert first["rank"] == {"type": "literal", "value": "1", "datatype": ns.XSD + "integer"}
    assert first["quote"] == {"type": "literal", "value": QUOTE.value}
    assert first["node"] == {"type": "bnode", "value": "b0"}
    assert "missing" not in first and "node" not in second
    assert second["quote"] == {"type": "literal", "value": "true", "datatype": ns.XSD + "boolean"}


def test_json_ask() -> None:
    assert json.loads(format_results(ASK, "json")) == {"head": {}, "boolean": True}


@pytest.mark.parametrize(
    ("fmt", "parser_format"),
    [
        ("json", ox.QueryResultsFormat.JSON),
        ("xml", ox.QueryResultsFormat.XML),
        ("tsv", ox.QueryResultsFormat.TSV),
    ],
)
def test_pyoxigraph_reads_back_the_same_terms(fmt: str, parser_format: ox.QueryResultsFormat) -> None:
    parsed = ox.parse_query_results(format_results(TABLE, fmt), parser_format)
    assert isinstance(parsed, ox.QuerySolutions)
    assert [v.value for v in parsed.variables] == list(TABLE.variables)
    # Blank node labels are scoped to one document, so compare them by kind only.
    expected = [tuple(ox.BlankNode if isinstance(t, ox.BlankNode) else t for t in row) for row in TABLE.rows]
    found = [tuple(ox.BlankNode if isinstance(t, ox.BlankNode) else t for t in row) for row in parsed]
    assert found == expected


@pytest.mark.parametrize(
    ("fmt", "parser_format"), [("json", ox.QueryResultsFormat.JSON), ("xml", ox.QueryResultsFormat.XML)]
)
def test_pyoxigraph_reads_back_ask(fmt: str, parser_format: ox.QueryResultsFormat) -> None:
    parsed = ox.parse_query_results(format_results(ASK, fmt), parser_format)
    assert isinstance(parsed, ox.QueryBoolean) and bool(parsed)


def test_xml_is_w3c_sparql_results() -> None:
    root = ET.fromstring(format_results(TABLE, "xml"))
    assert root.tag == f"{SPARQL_RESULTS}sparql"
    names = [v.get("name") for v in root.iter(f"{SPARQL_RESULTS}variable")]
    assert names == list(TABLE.variables)
    first = root.find(f"{SPARQL_RESULTS}results/{SPARQL_RESULTS}result")
    assert first is not None
    bindings = {b.get("name"): b[0] for b in first}
    assert bindings["quote"].text == QUOTE.value
    assert bindings["label"].get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    assert bindings["rank"].get("datatype") == ns.XSD + "integer"
    assert "missing" not in bindings


def test_csv_is_plain_values_with_crlf() -> None:
    text = format_results(TABLE, "csv")
    assert text.startswith("entity,label,rank,quote,node,missing\r\n")
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[1] == [ns.ENTITY + "herpes", "herpès", "1", QUOTE.value, "_:b0", ""]
    assert rows[2][2:4] == ["2.5", "true"]


def test_tsv_uses_ntriples_terms() -> None:
    lines = format_results(TABLE, "tsv").split("\n")
    assert lines[0] == "?entity\t?label\t?rank\t?quote\t?node\t?missing"
    cells = lines[1].split("\t")
    assert cells[0] == f"<{ns.ENTITY}herpes>"
    assert cells[1] == '"herpès"@fr'
    assert cells[2] == f'"1"^^<{ns.XSD}integer>'
    assert "\\t" in cells[3] and "\\n" in cells[3] and '\\"' in cells[3]
    assert cells[5] == ""
    assert lines[-1] == "" and len(lines) == 4


def test_table_prefixes_iris_truncates_long_text_and_counts_rows() -> None:
    text = format_results(TABLE, "table")
    lines = text.splitlines()
    assert lines[0].split() == list(TABLE.variables)
    assert "entity:herpes" in lines[2] and ns.ENTITY not in text
    assert "…" in lines[2] and "\t" not in text
    assert lines[-1] == "(2 rows)"
    assert all(len(line) <= 200 for line in lines)


def test_table_wraps_on_request() -> None:
    text = to_table(ResultTable(("quote",), ((QUOTE,),)), max_width=20, wrap=True)
    assert "…" not in text
    assert all(len(line) <= 20 for line in text.splitlines())


def test_empty_table() -> None:
    text = format_results(ResultTable(("a", "b"), ()), "table")
    assert text.splitlines()[-1] == "(0 rows)"
    assert json.loads(format_results(ResultTable(("a",), ()), "json"))["results"]["bindings"] == []


@pytest.mark.parametrize(("prefix", "namespace"), sorted(ns.PREFIXES.items()))
def test_shorten_iri_writes_every_declared_prefix(prefix: str, namespace: str) -> None:
    # Each prefix the queries declare is the one the table shows, so a shown CURIE can be pasted back
    # into a query; a bare namespace has no local name to write and stays whole.
    assert shorten_iri(namespace + "x1") == f"{prefix}:x1"
    assert shorten_iri(namespace) == namespace


def test_shorten_iri_leaves_other_iris_whole() -> None:
    assert shorten_iri(ns.BASE + "other/x") == ns.BASE + "other/x"
    assert shorten_iri("http://example.org/x") == "http://example.org/x"
