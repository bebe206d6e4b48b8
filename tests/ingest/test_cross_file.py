"""Cross-file checks: every build path reports every clash between files in one run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graph_builder.ingest.annotations import AnnotationError, Problem, load_annotation, load_annotations
from graph_builder.store.bulk import build_corpus_store
from graph_builder.store.corpus import (
    add_annotation_files,
    add_annotations,
    new_store,
    source_ids,
)


def _retyped(source_id: str, *, bad_quote: bool = False) -> Callable[[dict[str, Any]], None]:
    """The seed under another source id, with herpes typed as a pathogen (the seed has a disease)."""

    def mutate(d: dict[str, Any]) -> None:
        d["source"]["id"] = source_id
        d["entities"]["herpes"]["type"] = "pathogen"
        if bad_quote:
            d["claims"][0]["quote"] = "a sentence the article never wrote"

    return mutate


def _load(paths: list[Path], tmp_path: Path) -> None:
    load_annotations(paths)


def _build_store(paths: list[Path], tmp_path: Path) -> None:
    build_corpus_store(paths, tmp_path / "store", workers=1)


def _found(problems: list[Problem]) -> set[tuple[str, str, str]]:
    return {(Path(p.file).name, p.item, p.field) for p in problems}


@pytest.mark.parametrize("build", [_load, _build_store], ids=["in-memory", "store"])
def test_entity_clash_in_a_file_with_other_problems_shows_in_the_first_run(
    build: Callable[[list[Path], Path], None], write_annotation: Callable[..., Path], tmp_path: Path
) -> None:
    # The bug: a file with a problem of its own was left out of the cross-file checks, so its clash
    # with another file only showed once that problem was fixed, on a second run.
    good = write_annotation(name="a.yaml")
    bad = write_annotation(_retyped("other", bad_quote=True), name="b.yaml")
    with pytest.raises(AnnotationError) as info:
        build([good, bad], tmp_path)
    claim = info.value.problems[0].item
    assert _found(info.value.problems) == {("b.yaml", claim, "quote"), ("b.yaml", "entity herpes", "type")}


@pytest.mark.parametrize("build", [_load, _build_store], ids=["in-memory", "store"])
def test_a_file_with_problems_still_defines_its_entities_for_the_files_after_it(
    build: Callable[[list[Path], Path], None], write_annotation: Callable[..., Path], tmp_path: Path
) -> None:
    bad = write_annotation(_retyped("other", bad_quote=True), name="a.yaml")
    good = write_annotation(name="b.yaml")
    with pytest.raises(AnnotationError) as info:
        build([bad, good], tmp_path)
    assert ("b.yaml", "entity herpes", "type") in _found(info.value.problems)


def test_add_reports_clashes_among_new_files_and_with_the_store_together(
    write_annotation: Callable[..., Path],
) -> None:
    store = new_store(None)
    add_annotations(store, [load_annotation(write_annotation(name="seed.yaml"))])

    def new_entity(source_id: str, kind: str) -> Callable[[dict[str, Any]], None]:
        def mutate(d: dict[str, Any]) -> None:
            d["source"]["id"] = source_id
            d["entities"]["sciatica"] = {"label": "sciatica", "type": kind}

        return mutate

    def second_file(d: dict[str, Any]) -> None:
        _retyped("second")(d)
        new_entity("second", "disease")(d)

    first = load_annotation(write_annotation(new_entity("first", "sign-or-symptom"), name="first.yaml"))
    second = load_annotation(write_annotation(second_file, name="second.yaml"))
    with pytest.raises(AnnotationError) as info:
        add_annotations(store, [first, second])
    assert _found(info.value.problems) == {
        ("second.yaml", "entity herpes", "type"),  # against the store
        ("second.yaml", "entity sciatica", "type"),  # against the other new file
    }


def test_replacing_every_source_of_an_entity_may_change_its_type(
    write_annotation: Callable[..., Path],
) -> None:
    store = new_store(None)
    seed = write_annotation(name="seed.yaml")
    other = write_annotation(lambda d: d["source"].update(id="other"), name="other.yaml")
    add_annotations(store, load_annotations([seed, other]))
    retyped = [
        load_annotation(write_annotation(_retyped(source), name=f"{source}-2.yaml"))
        for source in ("does-herpes-cause-lower-back-pain", "other")
    ]
    report = add_annotations(store, retyped)
    assert sorted(report.replaced) == ["does-herpes-cause-lower-back-pain", "other"]


def test_add_reports_a_bad_file_and_a_clash_with_the_store_in_one_run(
    write_annotation: Callable[..., Path],
) -> None:
    # medkg add checked the new files (their own problems, then among themselves) before the store:
    # a clash with the store showed only once the files' own problems were fixed.
    store = new_store(None)
    add_annotations(store, [load_annotation(write_annotation(name="seed.yaml"))])
    bad = write_annotation(
        lambda d: (d["source"].update(id="bad"), d["claims"][0].update(quote="never written")),
        name="bad.yaml",
    )
    clash = write_annotation(_retyped("clash"), name="clash.yaml")
    with pytest.raises(AnnotationError) as info:
        add_annotation_files(store, [bad, clash])
    assert {(f, item) for f, item, _ in _found(info.value.problems)} == {
        ("bad.yaml", info.value.problems[0].item),
        ("clash.yaml", "entity herpes"),
    }
    assert source_ids(store) == ["does-herpes-cause-lower-back-pain"]  # nothing was added


def test_medkg_add_reports_a_bad_file_and_a_clash_with_the_store_in_one_run(
    write_annotation: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from graph_builder.cli import main

    target = tmp_path / "store"
    assert (
        main(["build", str(write_annotation(name="seed.yaml")), "--store", str(target), "--workers", "1"])
        == 0
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("source: [unclosed\n", encoding="utf-8")  # no summary: nothing to clash with
    clash = write_annotation(_retyped("clash"), name="clash.yaml")  # clashes with the store only
    capsys.readouterr()
    assert main(["add", str(bad), str(clash), "--store", str(target)]) == 1
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "clash.yaml: entity herpes" in err, err
