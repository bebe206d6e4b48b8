"""Two sources side by side: what both say, what only one says, and where they conflict.

The claims come from the named query ``source-claims`` and the conflicts from ``conflicts``, so the
rule for a conflict is written once, in ``queries/conflicts.rq``.

>>> from graph_builder.kg.build import build_example
>>> report = compare_sources(build_example(), "does-herpes-cause-lower-back-pain", "does-herpes-cause-lower-back-pain")
Traceback (most recent call last):
...
ValueError: compare needs two different sources; found does-herpes-cause-lower-back-pain twice
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

import pyoxigraph as ox

from graph_builder.core import namespaces as ns
from graph_builder.core.identifiers import shorten
from graph_builder.sparql.queries import get_query
from graph_builder.sparql.runner import bind_parameters, run_query


@dataclass(frozen=True)
class Framing:
    """How one source states one proposition: one of its claims."""

    claim_id: str
    polarity: str
    certainty: str
    conditional: bool
    support: str
    strength: int
    quote: str
    agent: str | None = None

    def line(self) -> str:
        words = [self.polarity, self.certainty + (", conditional" if self.conditional else ""), self.support]
        said = f", as {self.agent} say" if self.agent else ""
        return f"{'; '.join(words)} (strength {self.strength}{said}) [{self.claim_id}]  “{self.quote}”"


@dataclass
class Proposition:
    """A subject–relation–object both or one of the sources state, with each source's framings."""

    iri: str
    text: str
    a: list[Framing] = field(default_factory=list)
    b: list[Framing] = field(default_factory=list)


@dataclass(frozen=True)
class Conflict:
    """A disagreement between a claim of source A and one of source B (``queries/conflicts.rq``)."""

    proposition: str
    text: str
    kind: str
    claim_a: str
    claim_b: str


@dataclass
class Comparison:
    """The result of :func:`compare_sources`."""

    source_a: str
    source_b: str
    both: list[Proposition]
    only_a: list[Proposition]
    only_b: list[Proposition]
    conflicts: list[Conflict]

    def lines(self) -> list[str]:
        a, b = shorten(self.source_a), shorten(self.source_b)
        out = [f"What both say ({len(self.both)} propositions)"]
        for p in self.both:
            out.append(f"  {p.text}")
            out += [f"    A {f.line()}" for f in p.a] + [f"    B {f.line()}" for f in p.b]
        out.append("")
        out.append(f"What only one says ({len(self.only_a)} only in A, {len(self.only_b)} only in B)")
        for tag, props in (("A", self.only_a), ("B", self.only_b)):
            for p in props:
                out.append(f"  {tag}: {p.text}")
                out += [f"       {f.line()}" for f in (p.a or p.b)]
        out.append("")
        out.append(f"Where they conflict ({len(self.conflicts)} pairs of claims)")
        for c in self.conflicts:
            out.append(f"  {c.text}: {c.kind} — A [{c.claim_a}] against B [{c.claim_b}]")
        out.insert(0, f"A = {a}\nB = {b}\n")
        return out

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, ensure_ascii=False) + "\n"


def _slug(term: Any) -> str:
    return str(term).rsplit("/", 1)[-1]


def compare_sources(store: ox.Store, source_a: str, source_b: str) -> Comparison:
    """Compare two sources of ``store``, each named by id, ``source:ID`` or IRI.

    Raises ValueError naming the problem when the two are the same source or one is not in the store.
    """
    query = get_query("source-claims")
    claims: dict[str, list[dict[str, Any]]] = {}
    iris = []
    for name in (source_a, source_b):
        bound = bind_parameters(query, {"source": name})[ox.Variable("source")]
        assert isinstance(bound, ox.NamedNode)  # a parameter of type source is an IRI
        iri = bound.value
        if not store.contains_named_graph(ox.NamedNode(ns.SOURCE_GRAPH + iri.removeprefix(ns.SOURCE))):
            raise ValueError(f"no source {name!r} in the graph")
        iris.append(iri)
        claims[iri] = run_query(query, store, {"source": name}).to_records()
    if iris[0] == iris[1]:
        raise ValueError(f"compare needs two different sources; found {_slug(iris[0])} twice")
    props: dict[str, Proposition] = {}
    sides: dict[str, set[str]] = defaultdict(set)
    for side, iri in zip(("a", "b"), iris, strict=True):
        for r in claims[iri]:
            text = f"{r['subjectLabel']} —{r['relationLabel']}→ {r['objectLabel']}"
            p = props.setdefault(str(r["proposition"]), Proposition(str(r["proposition"]), text))
            framing = Framing(
                r["claimId"], _slug(r["polarity"]), _slug(r["certainty"]), bool(r["conditional"]),
                _slug(r["support"]), int(r["strength"]), r["quote"], r.get("agentName"),
            )  # fmt: skip
            getattr(p, side).append(framing)
            sides[p.iri].add(side)
    ordered = sorted(props.values(), key=lambda p: (p.text, p.iri))
    pair = set(iris)
    conflicts = []
    for r in run_query("conflicts", store).to_records():
        if {str(r["sourceA"]), str(r["sourceB"])} != pair:
            continue
        first, second = (
            (r["claimA"], r["claimB"]) if str(r["sourceA"]) == iris[0] else (r["claimB"], r["claimA"])
        )
        text = f"{r['subjectLabel']} —{r['relationLabel']}→ {r['objectLabel']}"
        conflicts.append(Conflict(str(r["proposition"]), text, str(r["kind"]), str(first), str(second)))
    return Comparison(
        source_a=iris[0],
        source_b=iris[1],
        both=[p for p in ordered if sides[p.iri] == {"a", "b"}],
        only_a=[p for p in ordered if sides[p.iri] == {"a"}],
        only_b=[p for p in ordered if sides[p.iri] == {"b"}],
        conflicts=conflicts,
    )
