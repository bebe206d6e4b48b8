"""The on-disk corpus store: build, add or replace a source, remove it again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from graph_builder.core import namespaces as ns
from graph_builder.core.paths import EXAMPLE_CORPUS, SEED_ANNOTATION, SEED_SOURCE_ID
from graph_builder.ingest.annotations import AnnotationError, load_annotation, load_annotations
from graph_builder.kg.build import build_example
from graph_builder.kg.export import canonical_quads
from graph_builder.kg.rdf import iter_corpus_quads
from graph_builder.store.bulk import build_corpus_store
from graph_builder.store.corpus import (
    StoreError,
    add_annotation_files,
    add_annotations,
    annotation_files,
    new_store,
    open_store,
    remove_source,
    remove_sources,
    source_ids,
)


def _second_article(d: dict[str, Any]) -> None:
    """A second source sharing entities with the seed, adding synonyms, a grounding and a new entity."""
    d["source"]["id"] = "second-article"
    d["entities"]["herpes"]["synonyms"].append("cold sores")
    d["entities"]["back-pain"]["groundings"].append(
        {"vocabulary": "mesh", "id": "D017116", "label": "Low Back Pain", "match": "close"}
    )
    d["entities"]["sciatica"] = {"label": "sciatica", "type": "sign-or-symptom", "broader": ["back-pain"]}
    d["claims"] = [*d["claims"][:3], dict(d["claims"][10], id="sciatica-claim", subject="sciatica")]
    d["chains"] = []


def _quads(store: ox.Store) -> set[str]:
    # Blank-node labels differ between two loads of the ontology; compare them canonically.
    return {str(q) for q in canonical_quads(store)}


def test_add_then_remove_leaves_the_store_as_before(write_annotation: Callable[..., Path]) -> None:
    store = new_store(None)
    add_annotations(store, [load_annotation(SEED_ANNOTATION)])
    before = _quads(store)
    second = load_annotation(write_annotation(_second_article))
    report = add_annotations(store, [second])
    assert report.added == ["second-article"]
    assert source_ids(store) == ["does-herpes-cause-lower-back-pain", "second-article"]
    sores = ox.Quad(
        ox.NamedNode(ns.ENTITY + "herpes"),
        ox.NamedNode(ns.SKOS + "altLabel"),
        ox.Literal("cold sores"),
        ox.NamedNode(ns.SHARED_GRAPH),
    )
    assert sores in store
    assert _broader("sciatica", "back-pain") in store
    remove_source(store, "second-article")
    assert _quads(store) == before
    assert _broader("sciatica", "back-pain") not in store


def _broader(narrower: str, broader: str) -> ox.Quad:
    entity = ns.entity_iri
    return ox.Quad(
        ox.NamedNode(entity(narrower)),
        ox.NamedNode(ns.SKOS + "broader"),
        ox.NamedNode(entity(broader)),
        ox.NamedNode(ns.SHARED_GRAPH),
    )


def _term_broader(store: ox.Store) -> set[str]:
    """The skos:broader links of the shared graph that are not between entities: the vocabularies'."""
    broader = ox.NamedNode(ns.SKOS + "broader")
    shared = ox.NamedNode(ns.SHARED_GRAPH)
    return {
        str(q)
        for q in store.quads_for_pattern(None, broader, None, shared)
        if ns.ENTITY not in q.subject.value
    }


def test_incremental_store_equals_a_full_build() -> None:
    store = new_store(None)
    add_annotations(store, [load_annotation(SEED_ANNOTATION)])
    assert _quads(store) == _quads(build_example())
    # the hierarchy is part of what is compared: curated links between entities, the vocabularies' above
    assert _broader("lower-back-pain", "back-pain") in store
    assert _term_broader(store)


def test_removing_a_source_of_the_example_corpus_equals_building_without_it(corpus_store: ox.Store) -> None:
    # The records keep only what sources may say differently (an entity's label and type, a term's
    # CURIE and vocabulary are the shared graph's alone): what is recomputed must still be exact.
    annotations = load_annotations(sorted(EXAMPLE_CORPUS.glob("*.yaml")))
    removed = 0
    for ann in annotations:
        store = new_store(None)
        store.extend(q for q in corpus_store if q.graph_name != ox.NamedNode(ns.ONTOLOGY_GRAPH))
        try:
            remove_source(store, ann.source.id)
        except StoreError:  # another source names an entity only this one defines
            continue
        removed += 1
        rest = new_store(None)
        rest.extend(iter_corpus_quads(a for a in annotations if a is not ann))
        assert _quads(store) == _quads(rest), ann.source.id
    assert removed >= 3


def test_a_broader_link_stands_while_a_source_still_says_it(write_annotation: Callable[..., Path]) -> None:
    # The second source drops the seed's lower-back-pain < back-pain link and grounds back pain to a
    # term of its own: removing the seed leaves exactly what the second source alone makes.
    def second(d: dict[str, Any]) -> None:
        _second_article(d)
        del d["entities"]["lower-back-pain"]["broader"]
        d["entities"]["back-pain"]["groundings"] = [
            {"vocabulary": "icd10cm", "id": "M54.9", "label": "Dorsalgia, unspecified"}
        ]

    ann = load_annotation(write_annotation(second))
    store = new_store(None)
    add_annotations(store, [load_annotation(SEED_ANNOTATION), ann])
    assert _broader("lower-back-pain", "back-pain") in store
    remove_source(store, SEED_SOURCE_ID)
    alone = new_store(None)
    add_annotations(alone, [ann])
    assert _quads(store) == _quads(alone)
    assert _broader("lower-back-pain", "back-pain") not in store
    assert _broader("sciatica", "back-pain") in store
    assert _term_broader(store) == _term_broader(alone) != set()


def test_adding_a_source_again_replaces_it(write_annotation: Callable[..., Path]) -> None:
    store = new_store(None)
    add_annotations(store, [load_annotation(SEED_ANNOTATION)])
    changed = load_annotation(write_annotation(lambda d: d["claims"].pop(0)))
    report = add_annotations(store, [changed])
    assert report.replaced == [SEED_SOURCE_ID]
    full = new_store(None)
    add_annotations(full, [changed])
    assert _quads(store) == _quads(full)


def test_remove_unknown_source_names_the_known_ones() -> None:
    store = new_store(None)
    add_annotations(store, [load_annotation(SEED_ANNOTATION)])
    with pytest.raises(ValueError, match=SEED_SOURCE_ID):
        remove_source(store, "nope")


def test_add_rejects_an_entity_the_store_types_differently(write_annotation: Callable[..., Path]) -> None:
    store = new_store(None)
    add_annotations(store, [load_annotation(SEED_ANNOTATION)])

    def mutate(d: dict[str, Any]) -> None:
        _second_article(d)
        d["entities"]["herpes"]["type"] = "pathogen"

    with pytest.raises(AnnotationError) as info:
        add_annotations(store, [load_annotation(write_annotation(mutate))])
    [problem] = info.value.problems
    assert (problem.item, problem.field) == ("entity herpes", "type") and "disease" in problem.expected


@pytest.mark.parametrize("workers", [1, 2])
def test_a_build_sends_each_shared_quad_once_per_reader_and_stores_every_quad(
    tmp_path: Path, workers: int
) -> None:
    # The example corpus's files share entities and propositions: their quads repeat from file to file.
    annotations = load_annotations(annotation_files([EXAMPLE_CORPUS]))
    generated = list(iter_corpus_quads(annotations))
    files, fed = build_corpus_store([EXAMPLE_CORPUS], tmp_path / "store", workers=workers)
    store = open_store(tmp_path / "store", read_only=True)
    expected = new_store(None)
    expected.extend(generated)
    assert files == len(annotations) >= 2 * workers  # two workers really read in two processes
    assert fed < len(generated)  # the repeated shared quads were left out...
    ontology = ox.NamedNode(ns.ONTOLOGY_GRAPH)
    built = {q for q in store if q.graph_name != ontology}
    assert built == {q for q in expected if q.graph_name != ontology}  # ...and the store holds them all


def test_on_disk_build_swaps_in_and_a_bad_file_leaves_the_old_store(
    tmp_path: Path, write_annotation: Callable[..., Path]
) -> None:
    target = tmp_path / "store"
    files, quads = build_corpus_store([SEED_ANNOTATION], target)
    assert files == 1 and quads > 0
    store = open_store(target, read_only=True)
    before = _quads(store)
    del store
    good = write_annotation(_second_article, name="good.yaml")
    bad = write_annotation(
        lambda d: (
            _second_article(d),
            d["source"].update(id="third"),
            d["claims"][0].update(quote="not there"),
        ),
        name="bad.yaml",
    )
    with pytest.raises(AnnotationError) as info:
        build_corpus_store([SEED_ANNOTATION, good, bad], target)
    assert [p.file for p in info.value.problems] == [str(bad)]
    assert "claim" in info.value.problems[0].item
    store = open_store(target, read_only=True)
    assert _quads(store) == before
    assert not list(tmp_path.glob(".store.*"))


def test_open_store_refuses_a_folder_that_is_not_a_store(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no store there"):
        open_store(tmp_path)


def test_cli_add_and_remove_on_disk(
    tmp_path: Path, write_annotation: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from graph_builder.cli import main

    target = tmp_path / "corpus.db"
    assert main(["build", "--store", str(target)]) == 0
    before = _quads(open_store(target, read_only=True))
    second = write_annotation(_second_article, name="second.yaml")
    assert main(["add", str(second), "--store", str(target)]) == 0
    assert "added second-article" in capsys.readouterr().out
    assert main(["query", "run", "sources", "--graph", str(target), "--format", "csv"]) == 0
    assert "second-article" in capsys.readouterr().out
    assert main(["remove", "second-article", "--store", str(target)]) == 0
    assert _quads(open_store(target, read_only=True)) == before
    assert main(["remove", "second-article", "--store", str(target)]) == 1
    assert "no source 'second-article'" in capsys.readouterr().err


def _names_back_pain_broader(d: dict[str, Any]) -> None:
    """A second source whose sciatica is narrower than back pain, an entity only the seed defines."""
    d["source"]["id"] = "second-article"
    d["entities"] = {
        "herpes": d["entities"]["herpes"],
        "sciatica": {"label": "sciatica", "type": "sign-or-symptom", "broader": ["back-pain"]},
    }
    d["claims"] = [dict(d["claims"][0], id="herpes-sciatica", object="sciatica")]
    d["chains"] = []


def test_a_source_that_alone_defines_a_broader_entity_is_not_removed(
    write_annotation: Callable[..., Path],
) -> None:
    store = new_store(None)
    add_annotations(store, [load_annotation(SEED_ANNOTATION)])
    add_annotation_files(store, [write_annotation(_names_back_pain_broader)])  # back-pain is the store's
    before = _quads(store)
    with pytest.raises(ValueError) as info:
        remove_source(store, SEED_SOURCE_ID)
    assert str(info.value) == (
        f"cannot remove {SEED_SOURCE_ID!r}: it alone defines the entity 'back-pain', which source "
        "second-article names as broader than 'sciatica'; remove or change second-article first"
    )
    assert _quads(store) == before
    remove_source(store, "second-article")  # the other way round is fine
    remove_source(store, SEED_SOURCE_ID)


def test_sources_removed_together_may_name_each_others_entities(
    write_annotation: Callable[..., Path],
) -> None:
    # Regression: `medkg remove SEED second-article` removed one source at a time, so the seed was
    # refused while second-article, about to go too, still named its back-pain as broader.
    store = new_store(None)
    add_annotations(store, [load_annotation(SEED_ANNOTATION)])
    add_annotation_files(store, [write_annotation(_names_back_pain_broader)])
    empty = new_store(None)
    reports = remove_sources(store, [SEED_SOURCE_ID, "second-article"])
    assert [r.removed for r in reports] == [SEED_SOURCE_ID, "second-article"]
    assert source_ids(store) == [] and _quads(store) - _quads(empty) == set()


def test_a_refused_removal_of_several_sources_removes_none(write_annotation: Callable[..., Path]) -> None:
    store = new_store(None)
    add_annotations(store, [load_annotation(SEED_ANNOTATION)])
    add_annotation_files(store, [write_annotation(_names_back_pain_broader)])
    before = _quads(store)
    with pytest.raises(ValueError, match="it alone defines the entity 'back-pain'"):
        remove_sources(store, [SEED_SOURCE_ID])
    with pytest.raises(ValueError, match="no source 'nope'"):
        remove_sources(store, [SEED_SOURCE_ID, "nope"])
    assert _quads(store) == before


def test_replacing_a_source_may_not_drop_an_entity_another_names_broader(
    write_annotation: Callable[..., Path],
) -> None:
    store = new_store(None)
    add_annotations(store, [load_annotation(SEED_ANNOTATION)])
    add_annotation_files(store, [write_annotation(_names_back_pain_broader, name="second.yaml")])

    def without_back_pain(d: dict[str, Any]) -> None:
        for name in ("back-pain", "pain"):  # pain too: back-pain was its only narrower entity here
            del d["entities"][name]
        del d["entities"]["lower-back-pain"]["broader"]
        d["entities"]["nerve-pain"].pop("broader")
        d["entities"]["soreness"].pop("broader")
        d["claims"] = [
            c for c in d["claims"] if {c["subject"], c["object"]}.isdisjoint({"back-pain", "pain"})
        ]
        kept = {c["id"] for c in d["claims"]}
        d["chains"] = [ch for ch in d["chains"] if set(ch["steps"]) <= kept]

    path = write_annotation(without_back_pain, name="seed.yaml")
    before = _quads(store)
    with pytest.raises(AnnotationError) as info:
        add_annotations(store, [load_annotation(path)])
    [problem] = info.value.problems
    assert (problem.file, problem.item, problem.field) == (str(path), "entity back-pain", "entities")
    assert "source second-article in the store names it broader than sciatica" in problem.expected
    assert _quads(store) == before
