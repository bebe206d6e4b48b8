"""Curated ``broader`` links between entities: to an entity of the corpus, of the same type, once, never
to itself, and without a cycle, on every build path; and the grounding match values narrower/broader."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graph_builder.core.paths import SEED_ANNOTATION
from graph_builder.ingest.annotations import AnnotationError, Problem, load_annotation, load_annotations
from graph_builder.ingest.checks import CrossFileChecks, FileSummary
from graph_builder.store.bulk import build_corpus_store
from graph_builder.store.corpus import add_annotation_files, add_annotations, new_store


def _broader(entity: str, *targets: str) -> Callable[[dict[str, Any]], None]:
    def mutate(d: dict[str, Any]) -> None:
        d["entities"][entity]["broader"] = list(targets)

    return mutate


def _problems(path: Path) -> list[Problem]:
    with pytest.raises(AnnotationError) as info:
        load_annotation(path)
    return info.value.problems


def test_the_seed_curates_lower_back_pain_under_back_pain() -> None:
    entities = load_annotation(SEED_ANNOTATION).entities
    assert entities["lower-back-pain"].broader == ("back-pain",)
    assert entities["back-pain"].broader == ("pain",)
    # A virus is not a kind of disease: HSV-1 and HSV-2 stay out of the disease hierarchy.
    assert entities["hsv-1"].broader == entities["hsv-2"].broader == ()


def test_a_broader_id_that_is_no_entity_is_one_line_naming_file_entity_and_field(
    write_annotation: Callable[..., Path],
) -> None:
    path = write_annotation(_broader("lower-back-pain", "back-pain", "back-pian"))
    [problem] = _problems(path)
    assert str(problem) == (
        f"{path}: entity lower-back-pain: field 'broader[1]': expected the id of an entity defined in a "
        "file of the corpus; found 'back-pian'"
    )


def test_an_entity_is_not_broader_than_itself(write_annotation: Callable[..., Path]) -> None:
    [problem] = _problems(write_annotation(_broader("pain", "pain")))
    assert (problem.item, problem.field, problem.found) == ("entity pain", "broader[0]", "'pain'")
    assert "another entity" in problem.expected


def test_a_broader_entity_listed_twice_is_reported(write_annotation: Callable[..., Path]) -> None:
    [problem] = _problems(write_annotation(_broader("lower-back-pain", "back-pain", "back-pain")))
    assert (problem.field, problem.found) == ("broader[1]", "'back-pain' again")


def test_a_virus_cannot_be_narrower_than_a_disease(write_annotation: Callable[..., Path]) -> None:
    [problem] = _problems(write_annotation(_broader("hsv-1", "herpes")))
    assert (problem.item, problem.field) == ("entity hsv-1", "broader[0]")
    assert problem.expected.startswith("an entity of type 'pathogen' like hsv-1")
    assert problem.found == "'herpes' of type 'disease'"


def test_a_cycle_is_reported_once_with_its_path(write_annotation: Callable[..., Path]) -> None:
    path = write_annotation(_broader("pain", "lower-back-pain"))  # lower back pain < back pain < pain
    [problem] = _problems(path)
    assert str(problem) == (
        f"{path}: entity pain: field 'broader[0]': expected broader links without a cycle; "
        "found pain -> lower-back-pain -> back-pain -> pain"
    )


def test_a_broader_entity_of_another_file_counts_in_either_order(
    write_annotation: Callable[..., Path],
) -> None:
    def second(d: dict[str, Any]) -> None:
        d["source"]["id"] = "second"
        d["entities"] = {
            "herpes": d["entities"]["herpes"],
            "lower-back-pain": d["entities"]["lower-back-pain"],
            "sciatica": {"label": "sciatica", "type": "sign-or-symptom", "broader": ["back-pain"]},
        }
        del d["entities"]["lower-back-pain"]["broader"]  # back-pain is defined in the seed only
        d["claims"] = [c for c in d["claims"] if c["id"] == "herpes-causes-lower-back-pain"]
        d["chains"] = []

    path = write_annotation(second, name="second.yaml")
    assert [p.item for p in _problems(path)] == ["entity sciatica"]  # alone, back-pain is unknown
    for order in ([path, SEED_ANNOTATION], [SEED_ANNOTATION, path]):
        assert len(load_annotations(order)) == 2


def test_a_cycle_across_two_files_fails_the_store_build_and_add(
    write_annotation: Callable[..., Path], tmp_path: Path
) -> None:
    def second(d: dict[str, Any]) -> None:
        d["source"]["id"] = "second"
        d["entities"]["pain"]["broader"] = ["back-pain"]  # the seed has back-pain < pain
        del d["entities"]["back-pain"]["broader"]

    path = write_annotation(second, name="second.yaml")
    with pytest.raises(AnnotationError) as info:
        build_corpus_store([SEED_ANNOTATION, path], tmp_path / "store", workers=1)
    assert [(Path(p.file).name, p.item, p.found) for p in info.value.problems] == [
        ("second.yaml", "entity pain", "pain -> back-pain -> pain")
    ]
    store = new_store(None)
    add_annotations(store, [load_annotation(SEED_ANNOTATION)])
    with pytest.raises(AnnotationError) as info:
        add_annotation_files(store, [path])
    [problem] = info.value.problems
    assert (Path(problem.file).name, problem.item) == ("second.yaml", "entity pain")
    assert problem.found == "pain -> back-pain -> pain"  # the new file's link closes the cycle


def test_adding_a_file_may_point_at_an_entity_already_in_the_store(
    write_annotation: Callable[..., Path],
) -> None:
    def second(d: dict[str, Any]) -> None:
        d["source"]["id"] = "second"
        d["entities"] = {
            "herpes": d["entities"]["herpes"],
            "lower-back-pain": d["entities"]["lower-back-pain"],
        }
        d["claims"] = [c for c in d["claims"] if c["id"] == "herpes-causes-lower-back-pain"]
        d["chains"] = []

    store = new_store(None)
    add_annotations(store, [load_annotation(SEED_ANNOTATION)])
    assert add_annotation_files(store, [write_annotation(second)]).added == ["second"]


def test_cycles_are_found_without_recursion_in_a_long_chain() -> None:
    n = 5000
    entities = tuple((f"e{i}", f"e{i}", "disease") for i in range(n))
    links = (*((f"e{i}", 0, f"e{i + 1}") for i in range(n - 1)), (f"e{n - 1}", 0, "e0"))
    checks = CrossFileChecks()
    assert checks.check(FileSummary("a.yaml", "a", entities, links)) == []
    [problem] = checks.finish()
    assert problem.item == "entity e4999"  # the link that closed the cycle
    assert problem.found == "e4999 -> e0 -> e1 -> e2 -> e3 -> e4 -> … 4994 more -> e4999"  # e5 .. e4998


@pytest.mark.parametrize("match", ["narrower", "broader"])
def test_a_grounding_may_be_narrower_or_broader_than_the_entity(
    write_annotation: Callable[..., Path], match: str
) -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["entities"]["back-pain"]["groundings"].append(
            {"vocabulary": "mesh", "id": "D017116", "label": "Low Back Pain", "match": match}
        )

    entity = load_annotation(write_annotation(mutate)).entities["back-pain"]
    assert entity.groundings[-1].match == match


def test_an_unknown_grounding_match_names_the_values(write_annotation: Callable[..., Path]) -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["entities"]["back-pain"]["groundings"][0]["match"] = "related"

    [problem] = _problems(write_annotation(mutate))
    assert problem.expected == "one of: exact, close, narrower, broader" and problem.found == '"related"'
