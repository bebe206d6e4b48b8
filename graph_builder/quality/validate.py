"""Check a built graph: SHACL shapes (pyshacl) and the qa/ SPARQL queries (inside Oxigraph).

>>> from graph_builder.kg.build import build_example
>>> report = validate_store(build_example())
>>> report.conforms
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
import rdflib
from pyshacl import validate as shacl_validate

from graph_builder.core import identifiers
from graph_builder.core import namespaces as ns
from graph_builder.core.paths import SHAPES_FILE
from graph_builder.core.vocabulary import vocabulary_from_store
from graph_builder.kg.export import sorted_triples
from graph_builder.kg.rdf import claim_links
from graph_builder.kg.statistics import (
    recounted_totals,
    stored_statistics,
    stored_totals,
    tally,
    total_quads,
    total_statistics,
)

SH = rdflib.Namespace(ns.SH)


@dataclass(frozen=True)
class Violation:
    """One failed check: which shape or query, on which node, and what it says."""

    check: str
    focus: str
    path: str
    message: str
    value: str = ""

    def __str__(self) -> str:
        where = f" path {self.path}" if self.path else ""
        value = f" (value: {self.value})" if self.value else ""
        return f"{self.check}: focus node {self.focus}{where}: {self.message}{value}"


#: Above this many quads ``validate_store`` leaves SHACL out unless asked: pyshacl's time grows faster
#: than the graph (measured: 2.3 s at 3k quads, 7 s at 18k, 36 s at 51k — about 1,000 claims), while the
#: qa queries run inside Oxigraph in well under a second at that size. Validate big stores per source.
SHACL_AUTO_LIMIT = 60_000


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating a graph; conforms when no check found anything."""

    violations: tuple[Violation, ...] = field(default_factory=tuple)
    checks: tuple[str, ...] = field(default_factory=tuple)
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def conforms(self) -> bool:
        return not self.violations

    def summary(self) -> str:
        if self.conforms:
            lines = [f"conforms: {len(self.checks)} checks passed"]
        else:
            lines = [f"does not conform: {len(self.violations)} violation(s)"]
            lines += [f"  - {v}" for v in self.violations]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def to_rdflib(store: ox.Store) -> rdflib.Graph:
    """Copy every triple of the store (all graphs merged) into an rdflib Graph."""
    data = ox.serialize(sorted_triples(store), format=ox.RdfFormat.N_TRIPLES)
    graph = rdflib.Graph()
    graph.parse(data=data, format="nt")
    return graph


def _short(term: object) -> str:
    return identifiers.shorten(str(term))


def _shape_name(shapes: rdflib.Graph, shape: rdflib.term.Node) -> str:
    """Name a shape; a blank property shape is named after its node shape and path."""
    if isinstance(shape, rdflib.BNode):
        parent = next(shapes.subjects(SH.property, shape), None)
        path = shapes.value(shape, SH.path)
        if parent is not None:
            return f"{_short(parent)} (property {_short(path)})" if path is not None else _short(parent)
    return _short(shape)


def shacl_violations(store: ox.Store, shapes_file: str = str(SHAPES_FILE)) -> list[Violation]:
    """Run the SHACL shapes over the store; return every violation."""
    shapes = rdflib.Graph().parse(shapes_file, format="turtle")
    conforms, results, _ = shacl_validate(
        to_rdflib(store), shacl_graph=shapes, inference="none", advanced=True
    )
    if conforms:
        return []
    assert isinstance(results, rdflib.Graph)
    out = []
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        shape = results.value(result, SH.sourceShape)
        out.append(
            Violation(
                check="SHACL " + (_shape_name(shapes, shape) if shape is not None else "(unknown shape)"),
                focus=_short(results.value(result, SH.focusNode)),
                path=_short(results.value(result, SH.resultPath) or ""),
                message=str(results.value(result, SH.resultMessage) or ""),
                value=_short(results.value(result, SH.value) or ""),
            )
        )
    return sorted(out, key=lambda v: (v.check, v.focus, v.path, v.message, v.value))


def qa_violations(store: ox.Store) -> tuple[list[Violation], list[str]]:
    """Run every qa/ query; each row it returns is a violation. Also returns the names run."""
    from graph_builder.sparql.queries import iter_queries
    from graph_builder.sparql.runner import run_query

    out, names = [], []
    for query in iter_queries(include_qa=True):
        if not query.name.startswith("qa/"):
            continue
        names.append(query.name)
        table = run_query(query, store)
        for record in table.to_records():
            values = [f"{k}={v}" for k, v in record.items() if v is not None]
            focus = str(next(iter(record.values()), ""))
            out.append(Violation(query.name, focus, "", query.summary, "; ".join(values)))
    return out, names


TOTALS_CHECK = "statistics-totals"


def totals_violations(store: ox.Store) -> list[Violation]:
    """The store's totals against the sum of its sources' statistics: one violation per count that
    differs, or one when the totals are missing or do not hold together (``stored_totals``). ``add``
    and ``remove`` update the totals rather than recount them, so a total changed by hand stays wrong
    until the store is rebuilt; this finds it."""
    stored = stored_totals(store)
    expected = recounted_totals(store)
    if stored is None:
        if not +expected and not total_quads(store):  # nothing counted: a store with no assertion has none
            return []
        message = (
            "expected the store's totals, the sum of its sources' statistics (rebuild the store, or add "
            "or remove a source); found them missing (built before they were kept) or not adding up"
        )
        return [Violation(TOTALS_CHECK, _short(ns.STATISTICS), "", message)]
    out = []
    for key in sorted(set(stored) | set(expected)):
        if stored[key] != expected[key]:
            name, measure, *values = key
            cell = " ".join(_short(v) for v in values) or "all"
            message = f"expected {measure} {expected[key]} for {cell} (the sum of the sources' statistics)"
            focus = _short(f"{ns.STATISTICS}/{name}" if name else ns.STATISTICS)
            out.append(Violation(TOTALS_CHECK, focus, "", message, str(stored[key])))
    return out


def _value(
    store: ox.Store,
    node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple,
    local: str,
    graph: ox.NamedNode,
) -> str | None:
    """The value of the first ``medkg:<local>`` of ``node`` in ``graph`` (an IRI or a literal's text)."""
    quad = next(store.quads_for_pattern(node, ox.NamedNode(ns.MEDKG_VOCAB + local), None, graph), None)  # type: ignore[arg-type]
    obj = None if quad is None else quad.object
    return obj.value if isinstance(obj, ox.NamedNode | ox.Literal) else None


def source_subgraph(store: ox.Store, source_id: str) -> ox.Store:
    """One source on its own, for SHACL: its named graph, the ontology, the shared facts it uses, its
    statistics and the totals of a store holding it alone."""
    graph = ox.NamedNode(ns.source_graph_iri(source_id))
    if not store.contains_named_graph(graph):
        raise ValueError(f"no source {source_id!r} in this graph")
    out = ox.Store()
    out.extend(store.quads_for_pattern(None, None, None, ox.NamedNode(ns.ONTOLOGY_GRAPH)))
    shared = ox.NamedNode(ns.SHARED_GRAPH)
    nodes: set[ox.NamedNode] = set()
    for quad in store.quads_for_pattern(None, None, None, graph):
        out.add(quad)
        if isinstance(quad.object, ox.NamedNode) and quad.predicate.value in (
            ns.MEDKG_VOCAB + "proposition",
            ns.MEDKG_VOCAB + "describes",
        ):
            nodes.add(quad.object)
    # Its propositions and their entities, and the entities those are narrower than, up the hierarchy.
    todo = sorted(nodes, key=str)
    while todo:
        for quad in store.quads_for_pattern(todo.pop(), None, None, shared):
            out.add(quad)
            entity = quad.object
            if (
                isinstance(entity, ox.NamedNode)
                and entity.value.startswith(ns.ENTITY)
                and entity not in nodes
            ):
                nodes.add(entity)
                todo.append(entity)
    # The claim links that the source's own affirmed assertions call for (other sources may add more).
    vocab = vocabulary_from_store(store)
    relations = {r.iri: r for r in vocab.relations.values()}
    for quad in store.quads_for_pattern(None, ox.NamedNode(ns.MEDKG_VOCAB + "proposition"), None, graph):
        if _value(store, quad.subject, "polarity", graph) != ns.POLARITY + "affirmed":
            continue
        s, r, o = (_value(store, quad.object, part, shared) for part in ("subject", "relation", "object"))
        if s is not None and o is not None and r in relations:
            out.extend(claim_links(ox.NamedNode(s), vocab.claim_links(relations[r]), ox.NamedNode(o)))
    statistics = stored_statistics(store, source_id)
    out.extend(statistics)
    out.extend(total_statistics(tally(statistics)))  # the totals of a store holding this source alone
    return out


def validate_store(store: ox.Store, *, shacl: bool | None = None, qa: bool = True) -> ValidationReport:
    """Validate a store with the SHACL shapes and the qa queries.

    ``shacl=None`` runs SHACL when the store holds at most :data:`SHACL_AUTO_LIMIT` quads.
    """
    violations: list[Violation] = []
    checks: list[str] = []
    notes: list[str] = []
    if shacl is None:
        shacl = len(store) <= SHACL_AUTO_LIMIT
        if not shacl:
            notes.append(
                f"SHACL left out: {len(store)} quads is more than pyshacl handles in reasonable time "
                f"({SHACL_AUTO_LIMIT}); run 'medkg validate --source ID' per source, or --shacl to force it"
            )
    if shacl:
        violations += shacl_violations(store)
        checks.append("shacl")
    if qa:
        found, names = qa_violations(store)
        violations += found + totals_violations(store)
        checks += [*names, TOTALS_CHECK]
    return ValidationReport(tuple(violations), tuple(checks), tuple(notes))
