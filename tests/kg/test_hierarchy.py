"""The hierarchy in the graph: curated skos:broader between entities, grounding match kinds, and the
vocabularies' own hierarchy above the grounding terms, every link checked against the package."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from graph_builder.core import identifiers
from graph_builder.core import namespaces as ns
from graph_builder.core.packages import (
    PACKAGES,
    VocabularyPackage,
    hpo_ontology,
    icd10cm_module,
    is_available,
)
from graph_builder.core.paths import ANNOTATIONS_DIR
from graph_builder.ingest.annotations import load_annotation, load_annotations
from graph_builder.kg import hierarchy
from graph_builder.kg.build import build_from_files, build_store
from graph_builder.sparql.runner import run_query
from graph_builder.store.corpus import annotation_files

_N = ox.NamedNode
BROADER = _N(ns.SKOS + "broader")
SHARED = _N(ns.SHARED_GRAPH)


def _require(vocabulary: str) -> None:
    """Skip when the vocabulary's package is absent, but fail in CI, which must check every link."""
    if is_available(vocabulary):
        return
    pkg = PACKAGES[vocabulary]
    if os.environ.get("CI"):
        pytest.fail(f"CI must check the {pkg.name} hierarchy: {pkg.install}", pytrace=False)
    pytest.skip(f"{pkg.distribution} is not installed: {pkg.install}")


@pytest.fixture(scope="module")
def corpus_store() -> ox.Store:
    """Every shipped annotation file built together."""
    return build_from_files(annotation_files([ANNOTATIONS_DIR]))


def _term_links(store: ox.Store) -> list[tuple[str, str]]:
    """The skos:broader links between vocabulary terms in the shared graph, as CURIEs."""
    links = []
    for q in store.quads_for_pattern(None, BROADER, None, SHARED):
        if q.subject.value.startswith(ns.ENTITY):
            continue
        child, parent = identifiers.compress(q.subject.value), identifiers.compress(q.object.value)
        assert child and parent, f"a broader link between IRIs that are no vocabulary's: {q}"
        links.append((child, parent))
    return sorted(links)


def _label(store: ox.Store, curie: str) -> str:
    iri = identifiers.expand(curie)
    assert iri is not None
    labels = {q.object.value for q in store.quads_for_pattern(_N(iri), _N(ns.RDFS + "label"), None, SHARED)}
    assert len(labels) == 1, f"{curie}: labels {labels}"
    return labels.pop()


def test_every_vocabulary_broader_link_is_one_the_package_has(corpus_store: ox.Store) -> None:
    links = _term_links(corpus_store)
    prefixes = {child.split(":")[0] for child, _ in links}
    assert prefixes == {"HP", "icd10cm"}  # MeSH and DOID ship no hierarchy: nothing is made up
    for child, parent in links:
        if child.startswith("HP:"):
            _require("hpo")
            term = hpo_ontology().get_hpo_object(child)
            assert parent in {p.id for p in term.parents}, f"{child} is-a {parent} is not in HPO"
            for curie in (child, parent):
                assert _label(corpus_store, curie) == hpo_ontology().get_hpo_object(curie).name
        else:
            _require("icd10cm")
            icd = icd10cm_module()
            code, above = child.split(":", 1)[1], parent.split(":", 1)[1]
            assert icd.get_parent(code) == above, f"{code}'s parent in ICD-10-CM is not {above}"
            assert not icd.is_chapter(above)
            for curie, c in ((child, code), (parent, above)):
                assert _label(corpus_store, curie) == icd.get_description(c)


def test_low_back_pain_reaches_its_icd10cm_category_and_block(corpus_store: ox.Store) -> None:
    _require("icd10cm")
    rows = corpus_store.query(
        ns.sparql_prefixes()
        + """SELECT ?curie ?label WHERE {
               GRAPH <https://w3id.org/medkg/graph/shared> {
                 <http://purl.bioontology.org/ontology/ICD10CM/M54.50> skos:broader+ ?term .
                 ?term medkg:curie ?curie ; rdfs:label ?label .
               }
             } ORDER BY ?curie"""
    )
    assert isinstance(rows, ox.QuerySolutions)
    assert [(r["curie"].value, r["label"].value) for r in rows] == [
        ("icd10cm:M50-M54", "Other dorsopathies (M50-M54)"),
        ("icd10cm:M54", "Dorsalgia"),
        ("icd10cm:M54.5", "Low back pain"),
    ]


def test_hpo_stops_below_its_technical_root(corpus_store: ox.Store) -> None:
    _require("hpo")
    root = _N(identifiers.expand(hierarchy.HPO_ROOT) or "")
    assert not list(corpus_store.quads_for_pattern(None, BROADER, root, None))
    assert ("HP:0003419", "HP:0003418") in _term_links(corpus_store)  # Low back pain is-a Back pain


def test_curated_entity_links_are_in_the_shared_graph(seed_store: ox.Store) -> None:
    lower, back = _N(ns.entity_iri("lower-back-pain")), _N(ns.entity_iri("back-pain"))
    assert ox.Quad(lower, BROADER, back, SHARED) in seed_store
    assert not list(seed_store.quads_for_pattern(_N(ns.entity_iri("hsv-1")), BROADER, None, None))


@pytest.mark.parametrize(("match", "prop"), [("narrower", "broadMatch"), ("broader", "narrowMatch")])
def test_a_narrower_or_broader_grounding_is_a_skos_mapping(
    write_annotation: Callable[..., Path], match: str, prop: str
) -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["entities"]["back-pain"]["groundings"] = [
            {"vocabulary": "mesh", "id": "D017116", "label": "Low Back Pain", "match": match}
        ]

    store = build_store([load_annotation(write_annotation(mutate))])
    term = _N("http://id.nlm.nih.gov/mesh/D017116")
    assert ox.Quad(_N(ns.entity_iri("back-pain")), _N(ns.SKOS + prop), term, SHARED) in store


_MISSING = VocabularyPackage("Nothing", "medkg-no-such-dist", "medkg_no_such_module", "pip install nothing")


@pytest.fixture
def no_hierarchy_packages(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for vocabulary in hierarchy.HIERARCHIES:
        monkeypatch.setitem(PACKAGES, vocabulary, _MISSING)
    hierarchy.ancestry.cache_clear()
    yield
    hierarchy.ancestry.cache_clear()


@pytest.mark.usefixtures("no_hierarchy_packages")
def test_without_the_packages_the_build_works_and_loses_only_the_vocabulary_links() -> None:
    annotations = annotation_files([ANNOTATIONS_DIR])
    bare = build_from_files(annotations)
    assert _term_links(bare) == []
    entity_links = list(bare.quads_for_pattern(None, BROADER, None, SHARED))
    assert entity_links and all(q.subject.value.startswith(ns.ENTITY) for q in entity_links)
    assert hierarchy.missing_packages(load_annotations(annotations)) == ["hpo", "icd10cm"]


def entity(ident: str) -> ox.NamedNode:
    return _N(ns.entity_iri(ident))


def test_the_qa_check_finds_links_that_make_no_hierarchy(seed_store: ox.Store) -> None:
    store = ox.Store()
    store.bulk_extend(seed_store)
    store.add(ox.Quad(entity("pain"), BROADER, entity("lower-back-pain"), SHARED))  # closes a cycle
    store.add(ox.Quad(entity("hsv-1"), BROADER, entity("herpes"), SHARED))  # a virus under a disease
    store.add(ox.Quad(entity("hsv-2"), BROADER, entity("no-such-entity"), SHARED))
    found = {
        (str(r["entity"]).removeprefix(ns.ENTITY), str(r["problem"]))
        for r in run_query("qa/broader-links", store).to_records()
    }
    assert found == {
        ("back-pain", "a cycle"),
        ("lower-back-pain", "a cycle"),
        ("pain", "a cycle"),
        ("hsv-1", "another entity type"),
        ("hsv-2", "not an entity"),
    }
    assert len(run_query("qa/broader-links", seed_store)) == 0
