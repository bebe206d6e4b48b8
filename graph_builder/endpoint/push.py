"""``medkg push``: every named graph of a store uploaded to another triple store, with the Graph Store
Protocol or, without it, SPARQL Update in batches that keep linked blank nodes together; medkg source
graphs removed locally are dropped remotely, so that the remote union equals the local one."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph_builder.core import namespaces as ns
from graph_builder.endpoint.remote import Endpoint, RemoteError, http_request, medkg_graphs

#: Triples per SPARQL Update request when a store is filled without the Graph Store Protocol.
UPDATE_CHUNK = 5000


@dataclass
class PushReport:
    """What :func:`push` did: graphs written with their triple counts, stale graphs removed."""

    graphs: dict[str, int] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    method: str = "graph-store"

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())

    def lines(self) -> list[str]:
        """What was done, for people: one line per graph, then a total."""
        how = {"graph-store": "the Graph Store Protocol", "bulk": "Virtuoso's bulk loader"}.get(
            self.method, "SPARQL Update"
        )
        out = [f"{count:>9} triples  {graph}" for graph, count in self.graphs.items()]
        out += [f"  removed stale {graph}" for graph in self.removed]
        out.append(f"pushed {len(self.graphs)} graphs ({self.triples} triples) with {how}")
        return out


def _graph_triples(store: ox.Store, graph: ox.NamedNode) -> list[ox.Triple]:
    return [q.triple for q in store.quads_for_pattern(None, None, None, graph)]


def _ntriples(triples: Iterable[ox.Triple]) -> bytes:
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert data is not None  # no output file given, so the bytes are returned
    return data


def _chunks(triples: list[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    """Batches of about ``size`` triples that never split the triples of linked blank nodes.

    A blank node is scoped to one request, so an OWL restriction cut in two would become two nodes.
    """
    parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def root(node: ox.BlankNode) -> ox.BlankNode:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for t in triples:
        blanks = [x for x in (t.subject, t.object) if isinstance(x, ox.BlankNode)]
        for other in blanks[1:]:
            parent[root(other)] = root(blanks[0])
    groups: dict[object, list[ox.Triple]] = {}
    for index, t in enumerate(triples):
        anchor = next((x for x in (t.subject, t.object) if isinstance(x, ox.BlankNode)), None)
        groups.setdefault(index if anchor is None else root(anchor), []).append(t)
    batch: list[ox.Triple] = []
    for group in groups.values():
        if batch and len(batch) + len(group) > size:
            yield batch
            batch = []
        batch.extend(group)
    if batch:
        yield batch


def _put_graph(graph_store: Endpoint, graph: str, triples: list[ox.Triple]) -> None:
    http_request(
        graph_store,
        method="PUT",
        params=[("graph", graph)],
        data=_ntriples(triples),
        content_type="application/n-triples",
    )


def _update(endpoint: Endpoint, update: str) -> None:
    http_request(
        endpoint,
        data=urllib.parse.urlencode([("update", update)]).encode("utf-8"),
        content_type="application/x-www-form-urlencoded",
    )


def _update_graph(endpoint: Endpoint, graph: str, triples: list[ox.Triple]) -> None:
    _update(endpoint, f"DROP SILENT GRAPH <{graph}>")
    for batch in _chunks(triples, UPDATE_CHUNK):
        body = _ntriples(batch).decode("utf-8")
        if any(isinstance(x, ox.BlankNode) for t in batch for x in (t.subject, t.object)):
            # INSERT DATA may not hold blank nodes on every store (Virtuoso refuses them); a
            # template with an empty WHERE inserts the same triples, with fresh blank nodes.
            _update(endpoint, f"INSERT {{ GRAPH <{graph}> {{\n{body}}} }} WHERE {{}}")
        else:
            _update(endpoint, f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}}} }}")


def _drop_graph(graph_store: Endpoint | None, update_endpoint: Endpoint | None, graph: str) -> None:
    if graph_store is not None:
        try:
            http_request(graph_store, method="DELETE", params=[("graph", graph)])
        except RemoteError as error:
            if "HTTP 404" not in str(error):
                raise
    elif update_endpoint is not None:
        _update(update_endpoint, f"DROP SILENT GRAPH <{graph}>")


def push(
    store: ox.Store,
    *,
    endpoint: Endpoint | None = None,
    graph_store: Endpoint | None = None,
    update_endpoint: Endpoint | None = None,
    prune: bool = True,
) -> PushReport:
    """Upload every named graph of ``store`` to a triple store, replacing graphs of the same name.

    With ``graph_store`` each graph is one Graph Store Protocol ``PUT``; without it, SPARQL Update
    (``DROP SILENT GRAPH`` then ``INSERT DATA`` in blank-node-safe batches) goes to
    ``update_endpoint``, else to ``endpoint``. With ``prune`` and a query ``endpoint``, medkg source
    graphs the store holds but ``store`` does not (sources removed locally) are dropped, so that the
    remote union equals the local one.
    """
    if graph_store is None and update_endpoint is None and endpoint is None:
        raise ValueError("push needs a Graph Store Protocol URL, an update endpoint or a SPARQL endpoint")
    loose = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    if loose:
        raise ValueError(
            f"the graph has {loose} triples outside named graphs (a .ttl export?); "
            "push the .trig file or the store, which keep one named graph per source"
        )
    updates = update_endpoint or endpoint
    report = PushReport(method="graph-store" if graph_store is not None else "update")
    local = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    for graph in local:
        triples = _graph_triples(store, ox.NamedNode(graph))
        if graph_store is not None:
            _put_graph(graph_store, graph, triples)
        else:
            assert updates is not None
            _update_graph(updates, graph, triples)
        report.graphs[graph] = len(triples)
    if prune and endpoint is not None:
        for graph in medkg_graphs(endpoint):
            if graph not in report.graphs and graph.startswith(ns.SOURCE_GRAPH):
                _drop_graph(graph_store, updates, graph)
                report.removed.append(graph)
    return report
