"""Check a built graph: SHACL shapes (pyshacl) and the qa/ SPARQL queries (inside Oxigraph).

>>> from graph_builder.build import build_example
>>> report = validate_store(build_example())
>>> report.conforms
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
import rdflib
from pyshacl import validate as shacl_validate

from graph_builder import namespaces as ns
from graph_builder.export import sorted_triples
from graph_builder.paths import SHAPES_FILE

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


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating a graph; conforms when no check found anything."""

    violations: tuple[Violation, ...] = field(default_factory=tuple)
    checks: tuple[str, ...] = field(default_factory=tuple)

    @property
    def conforms(self) -> bool:
        return not self.violations

    def summary(self) -> str:
        if self.conforms:
            return f"conforms: {len(self.checks)} checks passed"
        lines = [f"does not conform: {len(self.violations)} violation(s)"]
        lines += [f"  - {v}" for v in self.violations]
        return "\n".join(lines)


def to_rdflib(store: ox.Store) -> rdflib.Graph:
    """Copy every triple of the store (all graphs merged) into an rdflib Graph."""
    data = ox.serialize(sorted_triples(store), format=ox.RdfFormat.N_TRIPLES)
    graph = rdflib.Graph()
    graph.parse(data=data, format="nt")
    return graph


def _short(term: object) -> str:
    text = str(term)
    for prefix, iri in ns.PREFIXES.items():
        if text.startswith(iri):
            return f"{prefix}:{text[len(iri) :]}"
    return text


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
    from graph_builder.queries import iter_queries, run_query

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


def validate_store(store: ox.Store, *, shacl: bool = True, qa: bool = True) -> ValidationReport:
    """Validate a store with the SHACL shapes and the qa queries."""
    violations: list[Violation] = []
    checks: list[str] = []
    if shacl:
        violations += shacl_violations(store)
        checks.append("shacl")
    if qa:
        found, names = qa_violations(store)
        violations += found
        checks += names
    return ValidationReport(tuple(violations), tuple(checks))
