"""``medkg lookup``: the acceptance cases of issue 13, the pasted YAML block, missing packages, the cache.

Expected values come from the annotation files, the lay-synonym table and the packages themselves;
the acceptance's own ids (D017116, HP:0003419) are in docs' reference list and asserted as it words them.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from graph_builder.cli import main
from graph_builder.core.model import Annotation
from graph_builder.core.packages import PACKAGES, icd10cm_module
from graph_builder.core.paths import ARTICLES_DIR, SEED_ANNOTATION
from graph_builder.ingest.annotations import load_annotation, load_annotations
from graph_builder.lookup import cache
from graph_builder.lookup.corpus import corpus_entities
from graph_builder.lookup.index import normalize
from graph_builder.lookup.search import lookup
from graph_builder.lookup.terms import iter_term_names, load_lay_synonyms
from graph_builder.quality.groundings import check_annotation_groundings, lookup_label


@pytest.fixture(scope="module")
def corpus_graph(corpus_store: ox.Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("graph") / "medkg.trig"
    corpus_store.dump(str(path), format=ox.RdfFormat.TRIG)
    return path


@pytest.fixture(scope="module")
def annotations(corpus_files: list[Path]) -> list[Annotation]:
    return load_annotations(corpus_files)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["lookup", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def as_json(capsys: pytest.CaptureFixture[str], graph: Path, text: str) -> dict[str, Any]:
    code, out, err = run(capsys, text, "--format", "json", "--graph", str(graph))
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def test_low_back_pain_lists_the_corpus_entity_then_mesh_hpo_icd(
    capsys: pytest.CaptureFixture[str], corpus_graph: Path
) -> None:
    data = as_json(capsys, corpus_graph, "low back pain")
    assert data["entities"][0]["id"] == "lower-back-pain"
    top = [(t["vocabulary"], t["id"]) for t in data["terms"][:3]]
    assert top[:2] == [("mesh", "D017116"), ("hpo", "HP:0003419")]
    assert top[2][0] == "icd10cm" and top[2][1].startswith("M54.5")
    # every ICD-10-CM code whose own title is the text comes before any other ICD-10-CM term
    icd = icd10cm_module()
    titled = {c for c in icd.get_all_codes(True) if normalize(icd.get_description(c)) == "low back pain"}
    icd_ids = [t["id"] for t in data["terms"] if t["vocabulary"] == "icd10cm"]
    assert set(icd_ids[: len(titled)]) == titled and titled


def test_backache_finds_back_pain_through_the_lay_table(
    capsys: pytest.CaptureFixture[str], corpus_graph: Path
) -> None:
    data = as_json(capsys, corpus_graph, "backache")
    rows = {(r.vocabulary, r.id) for r in load_lay_synonyms() if r.term == "backache"}
    lay = {(t["vocabulary"], t["id"]) for t in data["terms"] if t["match"] == "lay"}
    assert rows and rows <= lay
    labels = {lookup_label(v, i) for v, i in rows}
    assert {label.casefold() for label in labels if label} == {"back pain"}


def test_entity_sources_are_the_files_whose_claims_use_it(
    capsys: pytest.CaptureFixture[str], corpus_graph: Path, annotations: list[Annotation]
) -> None:
    data = as_json(capsys, corpus_graph, "back pain")
    hit = next(e for e in data["entities"] if e["id"] == "back-pain")
    expected = sorted(
        a.source.id for a in annotations if any("back-pain" in (c.subject, c.object) for c in a.claims)
    )
    assert hit["sources"] == expected and hit["match"] == "label"


@pytest.mark.parametrize("row", load_lay_synonyms(), ids=lambda r: f"{r.term}:{r.vocabulary}")
def test_every_lay_term_finds_its_term(row: Any) -> None:
    found = lookup(row.term, [], limit=50)
    assert any((t.vocabulary, t.id, t.kind) == (row.vocabulary, row.id, "lay") for t in found.terms)


def test_an_entity_grounded_in_a_lay_term_is_found_through_it(annotations: list[Annotation]) -> None:
    # "cold compress" is a lay synonym; the corpus entity grounded in its MeSH term is found by it
    targets = {(r.vocabulary, r.id) for r in load_lay_synonyms() if r.term == "cold compress"}
    grounded = sorted(
        e.id for a in annotations for e in a.entities.values()
        if any((g.vocabulary, g.id) in targets for g in e.groundings)
    )  # fmt: skip
    from graph_builder.kg.build import build_from_files

    entities = corpus_entities(build_from_files([a.path for a in annotations]))
    hits = {h.entity.id: h for h in lookup("cold compress", entities).entities}
    assert grounded and set(grounded) <= set(hits)
    # however few terms are listed
    assert set(grounded) <= {
        h.entity.id for h in lookup("cold compress", entities, limit=len(grounded)).entities
    }


def _paste(block: str, text: str, replace: str | None = None) -> str:
    """The annotation text with ``block`` pasted under ``entities:`` (in place of entity ``replace``)."""
    if replace is not None:
        pattern = re.compile(rf"^  {re.escape(replace)}:\n(?:    .*\n)*", re.MULTILINE)
        assert pattern.search(text)
        return pattern.sub(lambda _: block, text, count=1)
    return text.replace("\nentities:\n", "\nentities:\n" + block, 1)


def _temp_annotation(tmp_path: Path, text: str) -> Path:
    (tmp_path / "annotations").mkdir()
    shutil.copytree(ARTICLES_DIR, tmp_path / "articles")
    path = tmp_path / "annotations" / SEED_ANNOTATION.name
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_of_a_new_term_pastes_into_an_annotation_that_loads(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, corpus_graph: Path
) -> None:
    code, block, err = run(capsys, "cold sore", "--format", "yaml", "--graph", str(corpus_graph))
    assert code == 0
    assert err.splitlines() == ["medkg: note: the type disease is a guess; check it, or set it with --type"]
    path = _temp_annotation(tmp_path, _paste(block, SEED_ANNOTATION.read_text(encoding="utf-8")))
    annotation = load_annotation(path)
    entity = annotation.entities["cold-sore"]
    rows = [r for r in load_lay_synonyms() if r.term == "cold sore"]
    assert {(g.vocabulary, g.id) for g in entity.groundings} == {(r.vocabulary, r.id) for r in rows}
    assert check_annotation_groundings(annotation) == []


def test_yaml_of_a_corpus_entity_is_that_entity(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, corpus_graph: Path
) -> None:
    seed = load_annotation(SEED_ANNOTATION)
    # "lumbago" is a synonym of lower-back-pain
    code, block, err = run(capsys, "lumbago", "--format", "yaml", "--graph", str(corpus_graph))
    assert code == 0 and err == ""
    text = _paste(block, SEED_ANNOTATION.read_text(encoding="utf-8"), replace="lower-back-pain")
    pasted = load_annotation(_temp_annotation(tmp_path, text)).entities["lower-back-pain"]
    original = seed.entities["lower-back-pain"]
    assert (pasted.label, pasted.type, pasted.broader) == (original.label, original.type, original.broader)
    assert set(pasted.synonyms) == set(original.synonyms)
    assert set(pasted.groundings) == set(original.groundings)


def test_yaml_of_words_naming_no_term_has_no_groundings_and_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, corpus_graph: Path
) -> None:
    code, block, err = run(
        capsys, "Qwzx Vrrk", "--format", "yaml", "--type", "lifestyle", "--graph", str(corpus_graph)
    )
    assert code == 0
    assert err.splitlines() == [
        "medkg: note: no vocabulary term is named exactly by the text, so the block has no groundings"
    ]
    path = _temp_annotation(tmp_path, _paste(block, SEED_ANNOTATION.read_text(encoding="utf-8")))
    entity = load_annotation(path).entities["qwzx-vrrk"]
    assert (entity.label, entity.type, entity.groundings) == ("Qwzx Vrrk", "lifestyle", ())


def test_missing_packages_are_all_named_at_once(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    hidden = {PACKAGES["hpo"].module, PACKAGES["doid"].module}
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name in hidden else real(name, *a)
    )
    code, out, err = run(capsys, "backache")
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 2
    assert PACKAGES["hpo"].install in lines[0] and PACKAGES["doid"].install in lines[1]
    assert all(line.startswith("medkg: ") for line in lines)


def test_control_characters_of_a_label_do_not_reach_the_terminal() -> None:
    from graph_builder.lookup.corpus import CorpusEntity
    from graph_builder.lookup.search import format_table

    hostile = CorpusEntity("x", "back\x1b[2J pain\nforged line", "sign-or-symptom", sources=("s",))
    out = format_table(lookup("back pain", [hostile]))
    assert "\x1b" not in out and "forged line" in out
    assert not any(line.startswith("forged") for line in out.splitlines())


def test_unknown_type_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from graph_builder.core.vocabulary import load_vocabulary

    code, out, err = run(capsys, "pain", "--format", "yaml", "--type", "symptom")
    assert code == 1 and out == ""
    [line] = err.strip().splitlines()
    assert "--type expected one of" in line and "'symptom'" in line
    assert all(t in line for t in load_vocabulary().entity_types)


def test_bad_limit_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "pain", "--limit", "0")
    assert code == 1 and err.strip().splitlines() == [
        "medkg: --limit expected a number of at least 1; found 0"
    ]


def test_cache_file_gives_the_names_the_packages_give(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDKG_CACHE_DIR", str(tmp_path))
    first, first_keys = cache.load_names()  # from the packages, writing the file
    [written] = tmp_path.iterdir()
    again, again_keys = cache.load_names()  # from the file
    assert again == first == list(iter_term_names()) and again_keys == first_keys
    assert written.read_bytes() == cache.to_json(first)  # deterministic


def test_cache_file_name_changes_with_a_package_version(monkeypatch: pytest.MonkeyPatch) -> None:
    before = cache.cache_file()
    monkeypatch.setattr(cache, "releases", lambda: {"hpo": "hpo3 99.0"})
    assert cache.cache_file() != before


def test_table_lists_entities_then_terms_with_their_sources(
    capsys: pytest.CaptureFixture[str], corpus_graph: Path, annotations: list[Annotation]
) -> None:
    code, out, err = run(capsys, "low back pain", "--graph", str(corpus_graph))
    assert code == 0, err
    entities, terms = out.split("vocabulary terms:\n")
    rows = entities.splitlines()
    assert rows[3].split()[0] == "lower-back-pain"  # title, header, rule, then the best entity
    using = sorted(
        a.source.id for a in annotations if any("lower-back-pain" in (c.subject, c.object) for c in a.claims)
    )
    wrapped = re.search(r"^  lower-back-pain is used by: (.*?)\n(?!    )", entities, re.MULTILINE | re.DOTALL)
    assert wrapped is not None
    listed = " ".join(wrapped.group(1).split())
    assert listed == ", ".join(using)
    assert terms.splitlines()[2].split()[:2] == ["MeSH", "D017116"]
