"""Relation groups: defined once, as super-properties in the ontology, and read from there by all.

``medkg:causallyInfluences``, ``medkg:ameliorates`` and ``medkg:chainsTo`` group the relations; the
builder writes a group's claim link next to each claim link of its relations, named queries use the
group, and Python reads the membership through :class:`graph_builder.core.vocabulary.Relation`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDFS

from graph_builder.core import namespaces as ns
from graph_builder.core.paths import ONTOLOGY_FILE, QUERIES_DIR, SEED_ANNOTATION, SEED_SOURCE_ID
from graph_builder.core.vocabulary import GROUPS, load_vocabulary
from graph_builder.ingest.annotations import load_annotation
from graph_builder.kg.export import canonical_quads
from graph_builder.store.corpus import add_annotations, new_store, remove_source

PACKAGE = Path(__file__).resolve().parents[2] / "graph_builder"
CLAIMED = ox.NamedNode(ns.CLAIMED_GRAPH)


def test_membership_is_the_ontologys_sub_property_closure() -> None:
    # rdflib reads the Turtle independently of the pyoxigraph query that Vocabulary uses.
    g = rdflib.Graph().parse(ONTOLOGY_FILE)
    for rel in load_vocabulary().relations.values():
        supers = {str(s) for s in g.transitive_objects(rdflib.URIRef(rel.iri), RDFS.subPropertyOf)}
        assert rel.groups == supers & set(GROUPS), rel.slug
    by_group = {g: {r.slug for r in load_vocabulary().relations.values() if g in r.groups} for g in GROUPS}
    # What the groups are for: a sanity check that the ontology did not lose a member.
    assert {"causes", "triggers"} <= by_group[ns.MEDKG_VOCAB + "causallyInfluences"]
    assert {"alleviates", "treats", "prevents", "reduces-risk-of"} == by_group[ns.MEDKG_VOCAB + "ameliorates"]
    assert by_group[ns.MEDKG_VOCAB + "chainsTo"] == by_group[ns.MEDKG_VOCAB + "causallyInfluences"] | {
        "associated-with"
    }


def _links(store: ox.Store) -> set[tuple[str, str, str]]:
    return {
        (q.subject.value, q.predicate.value, q.object.value)
        for q in store.quads_for_pattern(None, None, None, CLAIMED)
    }


def _expected_links(store: ox.Store) -> set[tuple[str, str, str]]:
    """From the assertions: each affirmed proposition's relation and groups, in claimed: words."""
    vocab = load_vocabulary()
    by_iri = {r.iri: r for r in vocab.relations.values()}
    rows = store.query(
        """SELECT DISTINCT ?s ?r ?o WHERE {
             ?a <https://w3id.org/medkg/vocab#proposition> ?p ;
                <https://w3id.org/medkg/vocab#polarity> <https://w3id.org/medkg/polarity/affirmed> .
             ?p <https://w3id.org/medkg/vocab#subject> ?s ; <https://w3id.org/medkg/vocab#relation> ?r ;
                <https://w3id.org/medkg/vocab#object> ?o }""",
        use_default_graph_as_union=True,
    )
    out = set()
    for row in rows:  # type: ignore[union-attr]
        rel = by_iri[row["r"].value]
        for iri in (rel.iri, *rel.groups):
            out.add((row["s"].value, ns.CLAIMED + iri.rsplit("#", 1)[1], row["o"].value))
    return out


def test_every_affirmed_proposition_brings_its_links_and_nothing_else() -> None:
    store = new_store(None)
    add_annotations(store, [load_annotation(SEED_ANNOTATION)])
    found = _links(store)
    assert found == _expected_links(store)
    assert (ns.ENTITY + "herpes", ns.CLAIMED + "causallyInfluences", ns.ENTITY + "lower-back-pain") in found


def _other_relation(d: dict[str, Any]) -> None:
    """A second source that states herpes → lower back pain with another causal relation."""
    d["source"]["id"] = "second-article"
    claim = next(c for c in d["claims"] if c["subject"] == "herpes" and c["object"] == "lower-back-pain")
    d["claims"] = [dict(claim, id="herpes-contributes", relation="contributes-to")]
    d["chains"] = []
    d["entities"] = {k: v for k, v in d["entities"].items() if k in {"herpes", "lower-back-pain"}}
    del d["entities"]["lower-back-pain"]["broader"]  # back-pain is not an entity of this file


def test_removing_a_source_keeps_a_group_triple_another_relation_still_supports(
    write_annotation: Callable[..., Path],
) -> None:
    second = load_annotation(write_annotation(_other_relation))
    store = new_store(None)
    add_annotations(store, [load_annotation(SEED_ANNOTATION), second])
    remove_source(store, SEED_SOURCE_ID)
    alone = new_store(None)
    add_annotations(alone, [second])
    assert {str(q) for q in canonical_quads(store)} == {str(q) for q in canonical_quads(alone)}
    assert _links(store) == _expected_links(store) != set()


def _relation_names(text: str) -> set[str]:
    return set(re.findall(r"medkg:([A-Za-z]+)", text))


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g.rsplit("#", 1)[1])
def test_no_query_or_module_lists_a_groups_relations(group: str) -> None:
    members = [r for r in load_vocabulary().relations.values() if group in r.groups]
    locals_ = {r.iri.rsplit("#", 1)[1] for r in members}
    slugs = {r.slug for r in members}
    for rq in sorted(QUERIES_DIR.rglob("*.rq")):
        listed = _relation_names(rq.read_text(encoding="utf-8")) & locals_
        assert len(listed) < 2, f"{rq.name} lists {sorted(listed)}: name the group {group} instead"
    for py in sorted(PACKAGE.rglob("*.py")):
        # The strings of each collection written out (a set, list or tuple of slugs is a group listed);
        # a slug alone, as the relation one rule drafts, is not.
        collections = (ast.Set, ast.List, ast.Tuple)
        for node in ast.walk(ast.parse(py.read_text(encoding="utf-8"))):
            if not isinstance(node, collections):
                continue
            strings = {n.value for n in node.elts if isinstance(n, ast.Constant)}
            listed = {s for s in strings if isinstance(s, str)} & slugs
            assert len(listed) < 2, f"{py.relative_to(PACKAGE)} lists {sorted(listed)}: read Relation.groups"
