"""Canonical output (W3C RDFC-1.0): distinct blank nodes stay distinct, and the bytes depend only on the
graph, never on blank-node labels, insertion order or the process."""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph_builder.kg.export import canonical_quads, to_jsonld, to_trig, to_turtle

EX = "http://example.org/"
GRAPH = ox.NamedNode(EX + "graph")
RENDERERS: dict[str, tuple[Callable[[ox.Store], bytes], ox.RdfFormat]] = {
    "turtle": (to_turtle, ox.RdfFormat.TURTLE),
    "trig": (to_trig, ox.RdfFormat.TRIG),
    "jsonld": (to_jsonld, ox.RdfFormat.JSON_LD),
}

# Two cases of the W3C RDFC-1.0 test suite (https://github.com/w3c/rdf-canon, tests/rdfc10/, W3C Software
# and Document License): the input and the expected canonical N-Quads, written by the working group.
W3C_CASES = {
    "test024 double circle of 3": (
        """_:e0 <http://example.org/vocab#next> _:e1 .
_:e0 <http://example.org/vocab#prev> _:e2 .
_:e1 <http://example.org/vocab#next> _:e2 .
_:e1 <http://example.org/vocab#prev> _:e0 .
_:e2 <http://example.org/vocab#next> _:e0 .
_:e2 <http://example.org/vocab#prev> _:e1 .
""",
        """_:c14n0 <http://example.org/vocab#next> _:c14n2 .
_:c14n0 <http://example.org/vocab#prev> _:c14n1 .
_:c14n1 <http://example.org/vocab#next> _:c14n0 .
_:c14n1 <http://example.org/vocab#prev> _:c14n2 .
_:c14n2 <http://example.org/vocab#next> _:c14n1 .
_:c14n2 <http://example.org/vocab#prev> _:c14n0 .
""",
    ),
    "test030 point at circle of 3": (
        """<http://example.org/vocab#test> <http://example.org/vocab#A> _:e0 .
<http://example.org/vocab#test> <http://example.org/vocab#B> _:e1 .
<http://example.org/vocab#test> <http://example.org/vocab#C> _:e2 .
_:e0 <http://example.org/vocab#next> _:e1 .
_:e1 <http://example.org/vocab#next> _:e2 .
_:e2 <http://example.org/vocab#next> _:e0 .
""",
        """<http://example.org/vocab#test> <http://example.org/vocab#A> _:c14n0 .
<http://example.org/vocab#test> <http://example.org/vocab#B> _:c14n1 .
<http://example.org/vocab#test> <http://example.org/vocab#C> _:c14n2 .
_:c14n0 <http://example.org/vocab#next> _:c14n1 .
_:c14n1 <http://example.org/vocab#next> _:c14n2 .
_:c14n2 <http://example.org/vocab#next> _:c14n0 .
""",
    ),
}


def _store(quads: Sequence[ox.Quad]) -> ox.Store:
    store = ox.Store()
    for quad in quads:  # one by one, so that the order of insertion is the caller's
        store.add(quad)
    return store


def _equal_twins(a: ox.BlankNode, b: ox.BlankNode) -> list[ox.Quad]:
    """One subject with two distinct blank nodes under the same predicate, each with the same content."""
    s, p, q = ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.NamedNode(EX + "q")
    return [
        ox.Quad(s, p, a, GRAPH),
        ox.Quad(s, p, b, GRAPH),
        ox.Quad(a, q, ox.Literal("x"), GRAPH),
        ox.Quad(b, q, ox.Literal("x"), GRAPH),
    ]


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_two_blank_nodes_of_equal_content_stay_two(fmt: str) -> None:
    store = _store(_equal_twins(ox.BlankNode(), ox.BlankNode()))
    render, rdf_format = RENDERERS[fmt]
    parsed = list(ox.parse(render(store), format=rdf_format))
    assert len(parsed) == len(store) == 4
    assert len({str(q.object) for q in parsed if isinstance(q.object, ox.BlankNode)}) == 2
    assert len(set(canonical_quads(store))) == 4


def _cycle(labels: Sequence[ox.BlankNode]) -> list[ox.Quad]:
    """An IRI pointing into a cycle of three blank nodes that no content tells apart."""
    nxt, lbl = ox.NamedNode(EX + "next"), ox.NamedNode(EX + "label")
    a, b, c = labels
    return [
        ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), a, GRAPH),
        ox.Quad(a, nxt, b, GRAPH),
        ox.Quad(b, nxt, c, GRAPH),
        ox.Quad(c, nxt, a, GRAPH),
        *(ox.Quad(n, lbl, ox.Literal("node"), GRAPH) for n in labels),
    ]


def _variants() -> list[list[ox.Quad]]:
    """The same cycle with different blank-node labels, inserted in different orders."""
    rng = random.Random(10)
    out = []
    for labels in (("a", "b", "c"), ("c", "a", "b"), ("z9", "m", "a0"), None, None, None):
        nodes = [ox.BlankNode(x) for x in labels] if labels else [ox.BlankNode() for _ in range(3)]
        quads = _cycle(nodes)
        rng.shuffle(quads)
        out.append(quads)
    return out


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_a_blank_node_cycle_gives_the_same_bytes_whatever_its_labels_and_order(fmt: str) -> None:
    render, _ = RENDERERS[fmt]
    outputs = {render(_store(quads)) for quads in _variants()}
    assert len(outputs) == 1


_CHILD = """
import sys
import pyoxigraph as ox
from graph_builder.kg.export import to_trig
from tests.kg.test_canonical import _cycle, _store
store = _store(_cycle([ox.BlankNode() for _ in range(3)]))  # fresh random labels in every process
sys.stdout.buffer.write(to_trig(store))
"""


def test_a_blank_node_cycle_gives_the_same_bytes_in_another_process() -> None:
    here = to_trig(_store(_cycle([ox.BlankNode() for _ in range(3)])))
    root = Path(__file__).resolve().parents[2]
    there = subprocess.run([sys.executable, "-c", _CHILD], cwd=root, capture_output=True, check=True).stdout
    assert here == there
    assert b"_:c14n0" in here


@pytest.mark.parametrize("case", sorted(W3C_CASES))
def test_canonical_quads_are_those_of_the_w3c_rdfc10_test_suite(case: str) -> None:
    given, expected = W3C_CASES[case]
    quads = [ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(given, format=ox.RdfFormat.N_QUADS)]
    # Fresh labels and a shuffled order: isomorphic inputs must give exactly the suite's output.
    fresh: dict[str, ox.BlankNode] = {}

    def relabel(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        return fresh.setdefault(str(term), ox.BlankNode()) if isinstance(term, ox.BlankNode) else term

    for seed in range(3):
        variant = [ox.Quad(relabel(q.subject), q.predicate, relabel(q.object)) for q in quads]  # type: ignore[arg-type]
        random.Random(seed).shuffle(variant)
        fresh.clear()
        got = sorted(f"{q.subject} {q.predicate} {q.object} .\n" for q in canonical_quads(variant))
        assert "".join(got) == expected
