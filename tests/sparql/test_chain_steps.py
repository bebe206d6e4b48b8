"""chain-steps, the chains through one entity: the rows of the listing (all-chain-steps) for exactly the
chains whose steps name the entity, as the annotation files state them."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from graph_builder.core import namespaces as ns
from graph_builder.ingest.annotations import load_annotations
from graph_builder.sparql.runner import run_query


def _chains_by_entity(files: list[Path]) -> dict[str, set[tuple[str, str]]]:
    """For each entity IRI, the (source IRI, chain id) of every chain some step of which names it."""
    found: dict[str, set[tuple[str, str]]] = {}
    for annotation in load_annotations(files):
        source = ns.source_iri(annotation.source.id)
        for chain in annotation.chains:
            for step in chain.steps:
                claim = annotation.claim(step)
                for entity in (claim.subject, claim.object):
                    found.setdefault(ns.ENTITY + entity, set()).add((source, chain.id))
    return found


def test_chain_steps_gives_the_listing_rows_of_the_chains_through_an_entity(
    corpus_store: ox.Store, corpus_files: list[Path]
) -> None:
    expected = _chains_by_entity(corpus_files)
    assert len(expected) >= 3  # the corpus states chains: start, middle and end entities
    listing = run_query("all-chain-steps", corpus_store).to_records()
    for entity, chains in sorted(expected.items()):
        rows = run_query("chain-steps", corpus_store, {"entity": entity}).to_records()
        assert {(r["source"], r["chainId"]) for r in rows} == chains
        assert {r["entity"] for r in rows} == {entity}
        # The same steps, in the same order, as the listing gives for these chains.
        keep = {r["chain"] for r in rows}
        columns = [k for k in listing[0] if k in rows[0]]
        assert [[r[k] for k in columns] for r in rows] == [
            [r[k] for k in columns] for r in listing if r["chain"] in keep
        ]


def test_chain_steps_of_an_entity_in_no_chain_is_empty(
    corpus_store: ox.Store, corpus_files: list[Path]
) -> None:
    in_chains = _chains_by_entity(corpus_files)
    entities = {q.subject.value for q in corpus_store.quads_for_pattern(
        None, ox.NamedNode(ns.RDF + "type"), ox.NamedNode(ns.MEDKG_VOCAB + "Entity"), None)}  # fmt: skip
    outside = sorted(entities - set(in_chains))
    assert outside
    assert run_query("chain-steps", corpus_store, {"entity": outside[0]}).to_records() == []


@pytest.mark.parametrize("name", ["herpes", "HERPES", "entity:herpes"])
def test_chain_steps_resolves_the_entity_name(seed_store: ox.Store, name: str) -> None:
    rows = run_query("chain-steps", seed_store, {"entity": name}).to_records()
    assert rows and {r["entity"] for r in rows} == {ns.ENTITY + "herpes"}
