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


# --- the table on disk (kg.hierarchy reads it instead of the packages) -----------------------------------


@pytest.fixture
def cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache folder of this test's own, and nothing the process read before it."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("MEDKG_CACHE_DIR", str(folder))
    hierarchy._table.cache_clear()
    hierarchy.ancestry.cache_clear()
    yield folder
    hierarchy._table.cache_clear()
    hierarchy.ancestry.cache_clear()


def _grounding_ids(vocabulary: str) -> list[str]:
    annotations = load_annotations(annotation_files([ANNOTATIONS_DIR]))
    groundings = [g for a in annotations for e in a.entities.values() for g in e.groundings]
    ids = {g.id for g in groundings if g.vocabulary == vocabulary}
    assert ids, f"the example corpus grounds nothing to {vocabulary}"
    return sorted(ids)


@pytest.mark.parametrize("vocabulary", hierarchy.HIERARCHIES)
def test_the_table_file_gives_what_the_package_gives(vocabulary: str, cache_folder: Path) -> None:
    _require(vocabulary)
    hierarchy._table(vocabulary)  # made from the package, and written
    [written] = cache_folder.glob(f"hierarchy-{vocabulary}-*.json")
    hierarchy._table.cache_clear()  # read back from the file
    every = hierarchy._all_ids(vocabulary)
    sample = every[:: len(every) // 300]  # the root or a chapter among them: "1", "HP:0000001"
    corpus = _grounding_ids(vocabulary)
    for term_id in corpus + sample:
        from_file = hierarchy._from_table(vocabulary, term_id)
        assert from_file is not None, f"{term_id} is not in the table"
        assert from_file == hierarchy._READERS[vocabulary](term_id), term_id
    assert hierarchy._from_table(vocabulary, "no such id") is None  # asked of the package instead
    assert written.read_bytes() == hierarchy._table_json(hierarchy._table_from_packages(vocabulary))


@pytest.mark.parametrize("vocabulary", hierarchy.HIERARCHIES)
def test_no_term_of_the_table_is_broader_than_itself(vocabulary: str, cache_folder: Path) -> None:
    """Regression: 39 ICD-10-CM codes are both a block and a category in simple-icd-10-cm (M99, B99, …),
    and the chain read from the package named them twice: M99 skos:broader M99 in the table and the graph."""
    _require(vocabulary)
    table = hierarchy._table(vocabulary)  # made from the package
    loops = []
    for term_id, entry in table.terms.items():
        _label, *above = entry.split("\n")
        ids = [term_id, *above]  # ICD-10-CM: the chain upwards; HPO: the term and its direct parents
        if len(set(ids)) < len(ids):
            loops.append(term_id)
    assert loops == []
    assert len(table.terms) > 10_000  # the whole table, not a few codes


def test_a_code_that_is_a_block_and_a_category_stands_once_in_its_chain(cache_folder: Path) -> None:
    _require("icd10cm")
    for code in ("M99", "M99.0", "B99", "B99.8"):
        chain = hierarchy.ancestry("icd10cm", code)
        assert chain == hierarchy._icd10cm(code)
        assert all(t.id not in t.parents for t in chain), code
    assert [(t.id, t.parents) for t in hierarchy.ancestry("icd10cm", "M99.0")] == [
        ("M99.0", ("M99",)), ("M99", ()),
    ]  # fmt: skip
    assert [(t.id, t.parents) for t in hierarchy.ancestry("icd10cm", "M99")] == [("M99", ())]


def test_the_hpo_root_has_no_hierarchy() -> None:
    _require("hpo")
    assert hierarchy._hpo(hierarchy.HPO_ROOT) == ()  # was a KeyError


def test_another_spelling_of_an_id_is_asked_of_the_package(cache_folder: Path) -> None:
    _require("icd10cm")
    _require("hpo")
    assert [t.id for t in hierarchy.ancestry("icd10cm", "M5450")][:2] == ["M5450", "M54.5"]
    assert hierarchy.ancestry("hpo", "HP:3419")[0].id == "HP:0003419"


def _build(out: Path) -> dict[str, bytes]:
    from graph_builder.cli import main

    assert main(["build", "--out", str(out)]) == 0
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_a_build_is_the_same_bytes_from_the_table_and_from_the_packages(
    cache_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _require("icd10cm")
    _require("hpo")
    from_table = _build(tmp_path / "table")
    assert sorted(p.name.split("-")[1] for p in cache_folder.iterdir()) == ["hpo", "icd10cm"]
    hierarchy.ancestry.cache_clear()
    monkeypatch.setattr(hierarchy, "_from_table", lambda vocabulary, term_id: None)
    assert _build(tmp_path / "packages") == from_table


def test_a_warm_table_builds_without_reading_the_packages(
    cache_folder: Path, corpus_store: ox.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _require("icd10cm")
    _require("hpo")
    for vocabulary in hierarchy.HIERARCHIES:
        hierarchy._table(vocabulary)
    hierarchy._table.cache_clear()

    def unread() -> None:
        raise AssertionError("a package was read")

    monkeypatch.setattr(hierarchy, "icd10cm_module", unread)
    monkeypatch.setattr(hierarchy, "hpo_ontology", unread)
    store = build_from_files(annotation_files([ANNOTATIONS_DIR]))
    assert _term_links(store) == _term_links(corpus_store) != []


def test_a_corrupt_table_file_is_made_again(cache_folder: Path) -> None:
    _require("icd10cm")
    hierarchy._table("icd10cm")
    [path] = cache_folder.iterdir()
    good = path.read_bytes()
    for bad in (
        good[: len(good) // 2],
        b"\xff\xfe not json",
        b'{"format": 0, "terms": {}, "empty": []}',
        b'{"format": 1, "terms": {"M54": 1}, "empty": []}',
    ):
        path.write_bytes(bad)
        hierarchy._table.cache_clear()
        hierarchy.ancestry.cache_clear()
        chain = [t.id for t in hierarchy.ancestry("icd10cm", "M54.50")]
        assert chain == ["M54.50", "M54.5", "M54", "M50-M54"]
        assert path.read_bytes() == good


def test_a_cache_folder_that_cannot_be_written_still_builds(
    tmp_path: Path, corpus_store: ox.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _require("icd10cm")
    _require("hpo")
    (tmp_path / "file").write_text("a file where the folder would be")  # unwritable even for root
    monkeypatch.setenv("MEDKG_CACHE_DIR", str(tmp_path / "file" / "cache"))
    hierarchy._table.cache_clear()
    hierarchy.ancestry.cache_clear()
    try:
        store = build_from_files(annotation_files([ANNOTATIONS_DIR]))
    finally:
        hierarchy._table.cache_clear()
        hierarchy.ancestry.cache_clear()
    assert _term_links(store) == _term_links(corpus_store) != []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
