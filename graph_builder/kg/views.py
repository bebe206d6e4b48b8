"""The derived views of a store: readings medkg does not store but derives where they are asked for.

The store keeps one canonical form of each claim (docs/data-model.md). Two readings that other
communities expect, and what the store leaves out because it follows from what it keeps, are derived
from it by a named CONSTRUCT query each, the one rule for that reading:

- ``annotation-selectors`` (``queries/annotation-selectors.rq``): W3C Web Annotation selectors of every
  quote, from ``medkg:quote``, ``medkg:quoteStart`` and the source's ``medkg:text``;
- ``biolink-statements`` (``queries/biolink-statements.rq``): the Biolink association reading of every
  assertion (an ``rdf:Statement``, a reification that asserts nothing), with the agent type and ECO
  assertion method its source records once, and ``medkg:negated`` from the polarity;
- ``derived-values`` (``queries/derived-values.rq``): ``medkg:conditional`` (true exactly when the
  assertion has a condition cue), ``medkg:strength`` (the ontology's strength table at the assertion's
  support and certainty), the end of each quote and cue (``medkg:quoteEnd``,
  ``medkg:cueEnd``: the start plus the text's length) and the ``rdf:type`` of hedge cues, qualifiers,
  agents and chain steps.

``medkg export`` (RDF, KGX, nanopublications) and the files of ``medkg build`` add them; the endpoint
offers the same queries by name. Each view of a source is placed in that source's graph, as it was
stored before it was derived (``tests/kg/test_derived_views.py``).

>>> from graph_builder.kg.build import build_example
>>> store = build_example()
>>> quads = list(view_quads(store))
>>> sorted({q.predicate.value.rpartition("#")[2] for q in quads})[:3]
['agentType', 'assertionMethod', 'conditional']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from graph_builder.core import namespaces as ns
from graph_builder.core.paths import QUERIES_DIR

#: The named queries that derive a view, in the order they are applied.
VIEWS = ("annotation-selectors", "biolink-statements", "derived-values")

_SOURCE = ox.NamedNode(ns.MEDKG_VOCAB + "source")
#: The graphs every source's view reads besides the source's own: propositions and the ontology's terms.
_CONTEXT = (ox.NamedNode(ns.SHARED_GRAPH), ox.NamedNode(ns.ONTOLOGY_GRAPH))


def view_sparql(name: str) -> str:
    """The SPARQL text of a view (its ``.rq`` file, ``#+`` header and all, after medkg's prefixes)."""
    return ns.sparql_prefixes() + (QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8")


def _graphs(store: ox.Store) -> list[ox.NamedNode | ox.DefaultGraph]:
    """The graphs holding claims: each source's, or the default graph of a file without named graphs."""
    found = {q.graph_name for q in store.quads_for_pattern(None, _SOURCE, None, None)}
    graphs = [g for g in found if isinstance(g, ox.NamedNode | ox.DefaultGraph)]
    return sorted(graphs, key=str)


def view_quads(store: ox.Store, names: Iterable[str] = VIEWS) -> Iterator[ox.Quad]:
    """The quads of the derived views, each in the graph of the claim it reads (its source's graph)."""
    queries = [view_sparql(name) for name in names]
    for graph in _graphs(store):
        dataset: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [graph]
        dataset += [g for g in _CONTEXT if store.contains_named_graph(g)]
        for sparql in queries:
            result = store.query(sparql, default_graph=dataset)
            assert isinstance(result, ox.QueryTriples)
            for t in result:
                yield ox.Quad(t.subject, t.predicate, t.object, graph)


def view_triples(store: ox.Store, name: str) -> list[ox.Triple]:
    """The triples of one view over the union of the store's graphs (what the endpoint answers)."""
    result = store.query(view_sparql(name), use_default_graph_as_union=True)
    assert isinstance(result, ox.QueryTriples)
    return list(result)


def exported_quads(store: ox.Store) -> Iterator[ox.Quad]:
    """The quads of ``store`` followed by its derived views: what is exported."""
    yield from store
    yield from view_quads(store)


def with_views(store: ox.Store) -> ox.Store:
    """An in-memory store holding ``store``'s quads and its derived views, for writers that read both."""
    copy = ox.Store()
    copy.extend(exported_quads(store))
    return copy
