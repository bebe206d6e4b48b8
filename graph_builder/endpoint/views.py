"""What the workbench of ``medkg serve`` asks its workers besides query results: the terms it offers in
pickers and completions, and a query result drawn as the claims graph of ``medkg viz``.

Both read the store the worker holds; nothing here takes text from a request into a query.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from graph_builder.analysis.network import ClaimGraph, to_networkx
from graph_builder.core.identifiers import shorten
from graph_builder.core.namespaces import ENTITY, SOURCE
from graph_builder.core.results import ResultTable
from graph_builder.core.vocabulary import Ranked, Term, vocabulary_from_store
from graph_builder.sparql.parameters import store_entity_names
from graph_builder.sparql.runner import run_query
from graph_builder.viz.view import select_view
from graph_builder.viz.visualize import to_html

#: Where ``medkg serve`` shows one claim; a drawn edge links there by its claim id.
CLAIM_PAGES = "/claim/"
#: The columns that make a result drawable claim by claim (a CONSTRUCT is drawable too).
GRAPH_COLUMNS = ("claim", "subject", "object")

# The last projection drawn from, with its store: a worker serves one read-only store, so the claims
# graph is projected once per worker rather than once per drawing. The store is held, so `is` is safe.
_projected: tuple[ox.Store, ClaimGraph] | None = None


def _local_id(iri: str, base: str) -> str:
    return iri[len(base) :] if iri.startswith(base) else iri


def _coded(terms: Iterable[Term]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for term in terms:
        row: dict[str, Any] = {"iri": term.iri, "curie": shorten(term.iri), "label": term.label}
        if isinstance(term, Ranked):
            row["rank"] = term.rank
        rows.append(row)
    return rows


def medkg_terms(store: ox.Store) -> dict[str, Any]:
    """medkg's own terms in ``store``: entities, sources, relations and the codebook values.

    Entities come with their id (what an ``entity`` parameter takes), label and synonyms; sources with
    their id and title; relations and values with their CURIE and label, as the queries write them.

    >>> from graph_builder.kg.build import build_example
    >>> terms = medkg_terms(build_example())
    >>> [e for e in terms["entities"] if e["id"] == "herpes"][0]["curie"]
    'entity:herpes'
    >>> sorted(v["curie"] for v in terms["polarity"])
    ['polarity:affirmed', 'polarity:negated']
    """
    vocab = vocabulary_from_store(store)
    entities = [
        {"iri": e.iri, "id": _local_id(e.iri, ENTITY), "curie": shorten(e.iri), "label": e.label,
         "synonyms": list(e.synonyms)}
        for e in store_entity_names(store)
    ]  # fmt: skip
    sources = [
        {"iri": str(r["source"]), "id": _local_id(str(r["source"]), SOURCE), "curie": shorten(str(r["source"])),
         "title": str(r["title"])}
        for r in run_query("sources", store).to_records()
    ]  # fmt: skip
    relations = [
        {**_coded([r])[0], "claimed": shorten(vocab.claimed_forms[r.iri])} if r.iri in vocab.claimed_forms
        else _coded([r])[0]
        for r in sorted(vocab.relations.values(), key=lambda r: r.slug)
    ]  # fmt: skip
    return {
        "entities": entities,
        "sources": sorted(sources, key=lambda s: s["id"]),
        "relations": relations,
        "evidence": _coded(vocab.evidence_by_rank()),
        "stance": _coded(vocab.stances.values()),
        "polarity": _coded(vocab.polarities.values()),
        "certainty": _coded(vocab.certainties.values()),
        "support": _coded(vocab.supports.values()),
    }


def terms_json(store: ox.Store) -> bytes:
    """:func:`medkg_terms` as the JSON body of ``/terms.json``."""
    return json.dumps(medkg_terms(store), ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def _projection(store: ox.Store) -> ClaimGraph:
    global _projected
    if _projected is None or _projected[0] is not store:
        _projected = (store, to_networkx(store))
    return _projected[1]


def drawable(table: ResultTable) -> bool:
    """Whether a result can be drawn claim by claim: a CONSTRUCT, or a table with claim, subject, object."""
    return table.kind == "construct" or all(column in table.variables for column in GRAPH_COLUMNS)


def results_page(store: ox.Store, table: ResultTable, name: str) -> str:
    """The ``medkg viz`` page of the claims a result names, each edge linking to its claim's page.

    A CONSTRUCT result is drawn as the claims among the entities its triples name, or the claims
    (assertions) its triples name when it names some.
    """
    graph = _projection(store)
    if table.kind == "construct":
        named = {str(v) for row in table.to_records() for v in row.values() if isinstance(v, str)}
        claims = [key for *_, key in graph.edges(keys=True) if key in named]
        if claims:
            table = ResultTable(("claim",), tuple((ox.NamedNode(c),) for c in sorted(claims)))
    view, caption = select_view(graph, results=table, results_name=name)
    return to_html(view, title=f"medkg: {name}", caption=caption, claim_pages=CLAIM_PAGES)
