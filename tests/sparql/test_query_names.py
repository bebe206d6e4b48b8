"""Names are resolved once, by medkg (the name keys written at build time), never inside a query: no
query file lower- or upper-cases anything (what ``LCASE(STR(?label))`` did, a scan of every label)."""

from __future__ import annotations

import re

import pytest
from rdflib.plugins.sparql.parser import parseQuery

from graph_builder.sparql.queries import NamedQuery, iter_queries

CASE_FUNCTIONS = {"LCASE", "UCASE"}  # SPARQL 1.1's only case functions (LOWER is no SPARQL)


def case_functions(sparql: str) -> set[str]:
    """The case functions a query calls, read from its parse tree (comments and strings do not count).

    >>> sorted(case_functions('SELECT * { ?s ?p ?l FILTER(lcase(STR(?l)) = "LCASE(x)") } # UCASE'))
    ['LCASE']
    """
    called = set(re.findall(r"Builtin_([A-Z]+)_", repr(parseQuery(sparql))))
    return called & CASE_FUNCTIONS


@pytest.mark.parametrize("query", list(iter_queries(include_qa=True)), ids=lambda q: q.name)
def test_no_query_changes_the_case_of_names(query: NamedQuery) -> None:
    assert case_functions(query.text) == set(), f"{query.path}: resolve names with medkg:nameKey instead"


def test_the_check_sees_a_case_function() -> None:
    text = "SELECT ?e { ?e <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(UCASE(?l) = ?n) }"
    assert case_functions(text) == {"UCASE"}
