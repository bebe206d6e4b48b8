"""The shape of every named query's text (and of the KGX export's), where pyoxigraph's planner depends on
it: no ``BIND`` between the patterns of one group, no ``EXISTS`` over a sequence path.

pyoxigraph (like the SPARQL algebra) ends the group's join at a ``BIND``: the patterns before it and
those after it are evaluated apart and then joined, which it does badly (``hedges``: over 15 minutes at
10k claims with the ``BIND`` in the middle, 4.5 s with it after the triple patterns;
``qa/offsets-outside-text``: 218 s, 2.2 s). A ``BIND`` may start a group or come after the group's
patterns (before its ``FILTER``, ``OPTIONAL`` or ``MINUS``, which do not join). The rows are the same
either way: a ``BIND``'s variable is new to its group, so nothing after it can have joined on it.

An ``EXISTS`` is evaluated anew for each row, and pyoxigraph does not reorder the join inside it: over
``medkg:hedge/medkg:cueType hedge:condition`` it joined with every condition cue of the store for each
row (``qa/cues-disagree``: 29 s at 10k claims; the KGX export's edges 17 s). Test each cue on its own in
a nested ``EXISTS`` (one claim's rows), or read the path once for all rows: an ``OPTIONAL`` sub-select
counted (``derived-values``), a sub-select joined, a ``MINUS`` (many rows).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pyparsing import ParseResults
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from graph_builder.kg import kgx
from graph_builder.sparql.queries import get_query, query_names

#: The parts of a group that are joined with what comes before them; a ``BIND`` before one splits the
#: join. (``FILTER`` applies to the whole group, ``OPTIONAL`` and ``MINUS`` to what precedes them.)
JOINED = {
    "TriplesBlock",
    "GroupOrUnionGraphPattern",
    "InlineData",
    "GraphGraphPattern",
    "ServiceGraphPattern",
}

#: A BIND that must stay between a group's patterns, by query, with the reason. None today.
ALLOWED_MID_GROUP: dict[str, str] = {}


#: The KGX export's SPARQL texts, by name.
KGX_TEXTS = {
    name: text for name, text in sorted(vars(kgx).items()) if isinstance(text, str) and "WHERE {" in text
}


def _texts() -> list[tuple[str, str]]:
    return [(name, get_query(name).sparql) for name in query_names()] + [
        (f"kgx.{name}", text) for name, text in KGX_TEXTS.items()
    ]


def _groups(node: object) -> Iterator[CompValue]:
    """Every group graph pattern of a parse tree, nested ones (sub-selects, EXISTS) included."""
    if isinstance(node, CompValue):
        if node.name == "GroupGraphPatternSub":
            yield node
        for value in node.values():
            yield from _groups(value)
    elif isinstance(node, (list, ParseResults)):
        for value in node:
            yield from _groups(value)


def mid_group_binds(sparql: str) -> list[str]:
    """The variables of the BINDs that sit between joined patterns of one group.

    >>> mid_group_binds("SELECT * { ?a <p> ?b BIND(1 AS ?x) ?b <q> ?c }")
    ['x']
    >>> mid_group_binds("SELECT * { BIND(1 AS ?x) ?a <p> ?b . ?b <q> ?c BIND(2 AS ?y) FILTER(?y) OPTIONAL { ?c <r> ?d } }")
    []
    """
    found = []
    for group in _groups(parseQuery(sparql)):
        parts = list(group.get("part") or [])
        for i, part in enumerate(parts):
            if part.name != "Bind":
                continue
            before = any(p.name not in ("Bind", "Filter") for p in parts[:i])
            after = any(p.name in JOINED for p in parts[i + 1 :])
            if before and after:
                found.append(str(part.var))
    return found


def _walk(node: object, skip: tuple[str, ...] = ()) -> Iterator[CompValue]:
    """Every node of a parse tree, not descending into nodes named in ``skip``."""
    if isinstance(node, CompValue):
        yield node
        if node.name not in skip:
            for value in node.values():
                yield from _walk(value, skip)
    elif isinstance(node, (list, ParseResults)):
        for value in node:
            yield from _walk(value, skip)


_EXISTS = ("Builtin_EXISTS", "Builtin_NOTEXISTS")


def exists_over_sequence_paths(sparql: str) -> int:
    """How many ``EXISTS`` (or ``NOT EXISTS``) read a sequence path (``a/b``) themselves.

    >>> exists_over_sequence_paths("SELECT * { ?c <p> ?q FILTER NOT EXISTS { ?c <h>/<t> <x> } }")
    1
    >>> exists_over_sequence_paths("SELECT * { ?c <p> ?q FILTER EXISTS { ?c <h> ?h FILTER EXISTS { ?h <t> <x> } } }")
    0
    """
    found = 0
    for node in _walk(parseQuery(sparql)):
        if node.name in _EXISTS:
            inside = _walk(node["graph"], skip=_EXISTS)
            found += any(n.name == "PathSequence" and len(n["part"]) > 1 for n in inside)
    return found


def test_the_texts_are_found() -> None:
    assert {"_EDGES", "_QUALIFIERS"} <= set(KGX_TEXTS)
    assert len(_texts()) == len(query_names()) + len(KGX_TEXTS)


@pytest.mark.parametrize(("name", "sparql"), _texts(), ids=[name for name, _ in _texts()])
def test_no_exists_over_a_sequence_path(name: str, sparql: str) -> None:
    assert exists_over_sequence_paths(sparql) == 0, f"{name}: an EXISTS reads a sequence path for each row"


@pytest.mark.parametrize(("name", "sparql"), _texts(), ids=[name for name, _ in _texts()])
def test_no_bind_between_the_patterns_of_a_group(name: str, sparql: str) -> None:
    found = mid_group_binds(sparql)
    if name in ALLOWED_MID_GROUP:
        assert found, f"{name} no longer needs its exception: {ALLOWED_MID_GROUP[name]}"
    else:
        assert found == [], f"{name}: BIND of {found} between the patterns of a group: move it after them"


@pytest.mark.parametrize(
    ("sparql", "expected"),
    [
        # in the middle: triple patterns, a sub-select or a UNION, VALUES after it
        ("SELECT * { ?a <p> ?b BIND(?b AS ?c) ?c <q> ?d }", ["c"]),
        ("SELECT * { ?a <p> ?b BIND(?b AS ?c) { SELECT ?d { ?d <q> 1 } } }", ["c"]),
        ("SELECT * { ?a <p> ?b BIND(?b AS ?c) { ?c <q> ?d } UNION { ?c <r> ?d } }", ["c"]),
        ("SELECT * { ?a <p> ?b BIND(?b AS ?c) VALUES ?d { 1 } }", ["c"]),
        ("SELECT * { ?a <p> ?b OPTIONAL { ?b <q> ?e } BIND(?b AS ?c) ?c <q> ?d }", ["c"]),
        # inside a UNION branch, an OPTIONAL, a sub-select or an EXISTS
        ("SELECT * { { ?a <p> ?b BIND(?b AS ?c) ?c <q> ?d } UNION { ?a <r> ?b } }", ["c"]),
        ("SELECT * { ?a <p> ?b OPTIONAL { ?b <q> ?e BIND(?e AS ?c) ?c <r> ?d } }", ["c"]),
        ("SELECT * { { SELECT * { ?a <p> ?b BIND(?b AS ?c) ?c <q> ?d } } }", ["c"]),
        ("SELECT * { ?a <p> ?b FILTER EXISTS { ?b <q> ?e BIND(?e AS ?c) ?c <r> ?d } }", ["c"]),
        # allowed: at the start, after the patterns (before FILTER, OPTIONAL, MINUS), in a branch's end
        ("SELECT * { BIND(<x> AS ?a) ?a <p> ?b }", []),
        ("SELECT * { ?a <p> ?b . ?b <q> ?d BIND(?b AS ?c) BIND(?c AS ?e) FILTER(?e) }", []),
        ("SELECT * { ?a <p> ?b BIND(?b AS ?c) OPTIONAL { ?c <q> ?d } MINUS { ?c <r> ?d } }", []),
        (
            "SELECT * { ?a <p> ?b { ?b <q> ?c BIND(1 AS ?k) } UNION { ?b <r> ?c BIND(2 AS ?k) } ?c <s> ?d }",
            [],
        ),
    ],
)
def test_mid_group_binds_finds_what_splits_a_group(sparql: str, expected: list[str]) -> None:
    assert mid_group_binds(sparql) == expected
