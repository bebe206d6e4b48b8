"""Query results as a value: a table of RDF terms, and the Python values of its terms. The W3C
serialisations and the dispatch over formats are in :mod:`graph_builder.core.formats`, the text table
for terminals in :mod:`graph_builder.core.tables`.

>>> from pyoxigraph import Literal, NamedNode
>>> table = ResultTable(
...     variables=("entity", "label"),
...     rows=((NamedNode("https://w3id.org/medkg/entity/herpes"), Literal("herpes")),),
... )
>>> table.to_records()
[{'entity': 'https://w3id.org/medkg/entity/herpes', 'label': 'herpes'}]
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any, Literal, TypeAlias

import pyoxigraph as ox

from graph_builder.core.namespaces import XSD

#: An RDF term as pyoxigraph returns it in a query solution.
Term: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
#: A Python value of a term: IRIs and strings as ``str``, numbers and booleans as themselves.
Value: TypeAlias = str | int | float | bool | None
ResultKind: TypeAlias = Literal["select", "ask", "construct"]


INTEGER_TYPES = frozenset(
    XSD + t
    for t in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
        "unsignedByte",
    )
)  # fmt: skip
FLOAT_TYPES = frozenset(XSD + t for t in ("decimal", "double", "float"))
_BOOLEAN = XSD + "boolean"


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
            if datatype in INTEGER_TYPES:
                return int(term.value)
            if datatype in FLOAT_TYPES:
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
