"""Hostile or mistaken input to the ingest commands: refused with one line per problem, nothing lost.

An alias bomb, a huge or endless file, duplicate keys, an empty folder, a store path of the wrong
kind, an unknown source to remove, a build interrupted by something other than a bad annotation.
"""

from __future__ import annotations

import errno
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

import graph_builder.ingest.reader as loader
from graph_builder.cli import main
from graph_builder.core.paths import ARTICLES_DIR, SEED_ANNOTATION, SEED_SOURCE_ID
from graph_builder.ingest.annotations import AnnotationError, Problem, load_annotation, read_annotation
from graph_builder.kg.export import canonical_quads
from graph_builder.store import bulk
from graph_builder.store.bulk import build_corpus_store
from graph_builder.store.corpus import iter_annotation_files, open_store, source_ids

ARTICLE = ARTICLES_DIR / f"{SEED_SOURCE_ID}.txt"


def _seed_text() -> str:
    """The seed annotation file as written (comments, aliases), with the article path made absolute."""
    text = SEED_ANNOTATION.read_text(encoding="utf-8")
    return re.sub(r"(?m)^  text: .*$", f"  text: {ARTICLE}", text, count=1)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> list[Problem]:
    with pytest.raises(AnnotationError) as info:
        load_annotation(path)
    return info.value.problems


def _snapshot(target: Path) -> set[str]:
    store = open_store(target, read_only=True)
    quads = {str(q) for q in canonical_quads(store)}
    del store
    return quads


@pytest.fixture
def seed_store(tmp_path: Path) -> Iterator[tuple[Path, set[str]]]:
    """An on-disk store of the seed article, and its quads."""
    target = tmp_path / "store"
    build_corpus_store([SEED_ANNOTATION], target, workers=1)
    yield target, _snapshot(target)


# --- alias bombs, endless files, limits ------------------------------------------------------------

_BOUNDED_READER = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # 1 GiB: a bomb fails fast, not the machine
from pathlib import Path
from graph_builder.ingest.annotations import read_annotation
out = []
for name in sys.argv[1:]:
    start = time.perf_counter()
    try:
        ann, problems = read_annotation(Path(name))
        result = {"problems": [[p.item, p.field, p.expected, p.found] for p in problems]}
    except BaseException as err:
        result = {"error": f"{type(err).__name__}: {str(err)[:200]}"}
    result["seconds"] = time.perf_counter() - start
    out.append(result)
print(json.dumps(out))
"""


def _bombs(folder: Path) -> dict[str, Path]:
    """Small files that stand for huge (or endless) ones once read naively."""
    seed = _seed_text()
    levels = ", ".join(f"&a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10))
    nested = f"synonyms: [&a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol], {levels}]"
    long_text = "x" * 100_000
    repeated = f"synonyms: [&s {long_text}, {', '.join(['*s'] * 5000)}]"
    synonyms = "synonyms: [herpes infection, herpes simplex, HSV infection]"
    assert synonyms in seed
    return {
        "nested aliases (10^9 values)": _write(folder, "nested.yaml", seed.replace(synonyms, nested)),
        "one long text aliased 5000 times": _write(folder, "long.yaml", seed.replace(synonyms, repeated)),
        "an alias inside its own anchor": _write(
            folder, "cycle.yaml", seed.replace(synonyms, "synonyms: &c [*c]")
        ),
        "an endless file": Path("/dev/zero"),
    }


def test_alias_bombs_and_endless_files_are_refused_fast_within_a_memory_ceiling(tmp_path: Path) -> None:
    bombs = _bombs(tmp_path)
    run = subprocess.run(
        [sys.executable, "-c", _BOUNDED_READER, *map(str, bombs.values())],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    for case, result in zip(bombs, json.loads(run.stdout), strict=True):
        assert "error" not in result, (case, result)
        assert result["seconds"] < 2.0, (case, result["seconds"])
        assert [p[0] for p in result["problems"]] == ["file"], (case, result)
        _, field, expected, found = result["problems"][0]
        assert field in ("(file)", "(YAML)") and expected and found, (case, result)


def test_nested_aliases_name_the_limit_and_the_expanded_size(tmp_path: Path) -> None:
    seed = _seed_text()
    levels = ", ".join(f"&a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 14))
    path = _write(
        tmp_path,
        "bomb.yaml",
        seed.replace("synonyms: [herpes infection,", f"synonyms: [[&a0 [lol], {levels}], herpes infection,"),
    )
    [problem] = _problems(path)
    assert (problem.file, problem.item, problem.field) == (str(path), "file", "(YAML)")
    assert f"{loader.MAX_VALUES:,}" in problem.expected and "alias" in problem.expected
    # 3^13 copies of [lol] stand for 2 * 3^13 values, and the rest of the file for its own.
    assert int(problem.found.split()[0].replace(",", "")) > 2 * 3**13


def test_aliases_within_the_limits_still_load() -> None:
    """The seed file repeats quotes with aliases: they are what aliases are for."""
    assert "*causes" in SEED_ANNOTATION.read_text(encoding="utf-8")
    assert len(load_annotation(SEED_ANNOTATION).claims) > 20


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 4096)
    path = _write(tmp_path, "big.yaml", _seed_text())  # 22 KB
    [problem] = _problems(path)
    assert (problem.item, problem.field) == ("file", "(file)")
    assert "4 KiB" in problem.expected and "KiB" in problem.found


def test_too_many_values_are_counted_without_building_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "MAX_VALUES", 1000)
    path = _write(tmp_path, "many.yaml", "medkg: 1\nclaims: [" + "a, " * 5000 + "a]\n")
    [problem] = _problems(path)
    assert (problem.item, problem.field) == ("file", "(YAML)")
    assert "1,000" in problem.expected and "more than 1,000" in problem.found


def test_deep_nesting_is_refused_with_its_line(tmp_path: Path) -> None:
    depth = loader.MAX_DEPTH + 5
    seed = _seed_text()
    nested = "synonyms: " + "[" * depth + "deep" + "]" * depth
    path = _write(
        tmp_path,
        "deep.yaml",
        seed.replace("synonyms: [herpes infection, herpes simplex, HSV infection]", nested),
    )
    line = 1 + seed[: seed.index("synonyms: [herpes")].count("\n")
    [problem] = _problems(path)
    assert (problem.item, problem.field) == ("file", "(YAML)")
    assert str(loader.MAX_DEPTH) in problem.expected and f"line {line}" in problem.found


# --- duplicate keys ------------------------------------------------------------------------------


def _line_of(text: str, needle: str, start: int = 0) -> int:
    return 1 + text[: text.index(needle, start)].count("\n")


def test_a_duplicate_key_in_a_claim_is_reported_with_both_lines(tmp_path: Path) -> None:
    seed = _seed_text()
    block = seed.index("  - id: cancer-causes-back-pain")
    first = seed.index("    support: none-stated\n", block)
    text = seed[:first] + "    support: systematic-reviews\n" + seed[first:]
    path = _write(tmp_path, "dup.yaml", text)
    [problem] = _problems(path)
    lines = (
        _line_of(text, "    support: systematic-reviews"),
        _line_of(text, "    support: none-stated", block),
    )
    assert (problem.file, problem.item, problem.field) == (
        str(path),
        "claim cancer-causes-back-pain",
        "support",
    )
    assert problem.expected == "each key once"
    assert problem.found == f"'support' twice (lines {lines[0]} and {lines[1]})"


def test_duplicate_keys_everywhere_are_all_reported_with_the_other_problems(tmp_path: Path) -> None:
    seed = _seed_text()
    herpes = seed.index("  herpes:\n")
    text = (
        seed[:herpes]
        + "  herpes:\n    label: herpes\n    type: disease\n"  # the entity id twice
        + seed[herpes:]
        + "medkg: 2\nmedkg: 2\n"  # a top-level key three times
    )
    text = text.replace("  curator: medkg maintainers\n", "  curator: medkg maintainers\n  curator: x\n", 1)
    text = text.replace(
        "relation: causes\n    object: back-pain\n    quote: *causes",
        "relation: cures\n    object: back-pain\n    quote: *causes",
        1,
    )
    path = _write(tmp_path, "dups.yaml", text)
    found = {(p.item, p.field, p.found.split(" (")[0]) for p in _problems(path)}
    assert ("entity herpes", "entities", "'herpes' twice") in found
    assert ("file", "medkg", "'medkg' 3 times") in found
    assert ("curation", "curator", "'curator' twice") in found
    assert any(f == "relation" for _, f, _ in found)  # the schema's problems come in the same run


def test_a_clean_file_has_no_duplicate_key_problem(write_annotation: Callable[..., Path]) -> None:
    load_annotation(write_annotation())  # the seed, dumped: keys once each; must load


# --- folders, suffixes, empty input --------------------------------------------------------------


def test_folders_are_searched_for_yaml_in_any_case(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.YAML", "c.Yml", "d.yml", "e.txt", "f.yaml.bak"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "g.YML").write_text("x", encoding="utf-8")
    found = [p.name for p in iter_annotation_files([tmp_path])]
    assert sorted(found) == ["a.yaml", "b.YAML", "c.Yml", "d.yml", "g.YML"]


def test_a_folder_with_only_an_upper_case_yaml_builds_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _write(folder, "seed.YAML", _seed_text())
    assert main(["build", str(folder), "--store", str(tmp_path / "store"), "--workers", "1"]) == 0
    assert source_ids(open_store(tmp_path / "store", read_only=True)) == [SEED_SOURCE_ID]


def test_an_empty_folder_does_not_wipe_a_store(
    tmp_path: Path, seed_store: tuple[Path, set[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    target, before = seed_store
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("no annotations here", encoding="utf-8")
    capsys.readouterr()
    assert main(["build", str(empty), "--store", str(target)]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("medkg: ")
    assert str(empty) in err and "*.yaml" in err and "--allow-empty" in err
    assert _snapshot(target) == before
    assert main(["build", str(empty), "--store", str(target), "--allow-empty"]) == 0
    assert source_ids(open_store(target, read_only=True)) == []


def test_an_empty_folder_does_not_replace_built_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, empty = tmp_path / "out", tmp_path / "empty"
    empty.mkdir()
    assert main(["build", str(SEED_ANNOTATION), "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    assert main(["build", str(empty), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and str(empty) in err and "*.yaml" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_build_out_reads_the_annotation_files_of_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _write(folder, "seed.yml", _seed_text())
    assert main(["build", str(folder), "--out", str(tmp_path / "out"), "--no-validate"]) == 0
    assert "from 1 annotation file(s)" in capsys.readouterr().out


def test_adding_an_empty_folder_is_refused(
    tmp_path: Path, seed_store: tuple[Path, set[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    target, before = seed_store
    (tmp_path / "empty").mkdir()
    capsys.readouterr()
    assert main(["add", str(tmp_path / "empty"), "--store", str(target)]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "*.yaml" in err
    assert _snapshot(target) == before


# --- a build that fails for another reason leaves no half-built folder -----------------------------


class _FailingStore:
    """A store that fails at one method, as a full disk or a Ctrl-C would make it."""

    def __init__(self, store: ox.Store, method: str, error: BaseException) -> None:
        self._store, self._method, self._error = store, method, error

    def __getattr__(self, name: str) -> Any:
        if name != self._method:
            return getattr(self._store, name)
        error = self._error

        def fail(*args: Any, **kwargs: Any) -> None:
            raise error  # from a frame that does not hold the store open, as Oxigraph's own errors

        return fail


@pytest.mark.parametrize(
    ("method", "error"),
    [
        ("bulk_load", OSError(errno.ENOSPC, "No space left on device")),
        ("optimize", KeyboardInterrupt()),
        ("flush", RuntimeError("unexpected")),
    ],
)
def test_a_failed_build_removes_its_building_folder(
    tmp_path: Path,
    seed_store: tuple[Path, set[str]],
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    error: BaseException,
) -> None:
    target, before = seed_store
    new_store = bulk.new_store
    monkeypatch.setattr(bulk, "new_store", lambda path: _FailingStore(new_store(path), method, error))
    with pytest.raises(type(error)):
        build_corpus_store([SEED_ANNOTATION], target, workers=1)
    assert not (tmp_path / ".store.building").exists()
    assert _snapshot(target) == before


def test_a_full_disk_is_one_line_and_keeps_the_store(
    tmp_path: Path,
    seed_store: tuple[Path, set[str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target, before = seed_store
    new_store = bulk.new_store
    full = OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(bulk, "new_store", lambda path: _FailingStore(new_store(path), "bulk_load", full))
    capsys.readouterr()
    assert main(["build", str(SEED_ANNOTATION), "--store", str(target), "--workers", "1"]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "No space left on device" in err and str(target) in err
    assert not (tmp_path / ".store.building").exists()
    assert _snapshot(target) == before


# --- remove checks every source first --------------------------------------------------------------


def test_remove_with_an_unknown_source_removes_nothing(
    seed_store: tuple[Path, set[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    target, before = seed_store
    capsys.readouterr()
    assert main(["remove", SEED_SOURCE_ID, "no-such", "nor-this", "--store", str(target)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if "'no-such'" in line] and [line for line in err if "'nor-this'" in line]
    assert all(line.startswith("medkg: ") for line in err)
    assert _snapshot(target) == before
    assert main(["remove", SEED_SOURCE_ID, SEED_SOURCE_ID, "--store", str(target)]) == 0  # named twice: once
    assert source_ids(open_store(target, read_only=True)) == []


# --- paths of the wrong kind ---------------------------------------------------------------------


def test_an_annotation_path_that_is_a_folder_or_unreadable_is_a_problem(tmp_path: Path) -> None:
    [folder] = read_annotation(tmp_path)[1]
    assert (folder.file, folder.item, folder.field) == (str(tmp_path), "file", "(file)")
    assert "folder" in folder.found
    # Root reads any file whatever its mode, so an I/O error stands in for "permission denied".
    [unreadable] = read_annotation(Path("/proc/self/mem"))[1]
    assert unreadable.item == "file" and "error" in unreadable.found.lower()


@pytest.mark.parametrize(("text", "found"), [("/proc/self/mem", "error"), ("FOLDER", "a folder")])
def test_a_source_text_path_of_the_wrong_kind_is_a_problem(tmp_path: Path, text: str, found: str) -> None:
    path = _write(
        tmp_path,
        "a.yaml",
        _seed_text().replace(f"text: {ARTICLE}", f"text: {text.replace('FOLDER', str(tmp_path))}"),
    )
    [problem] = _problems(path)
    assert (problem.item, problem.field) == ("source", "text")
    assert found in problem.found.lower()


def test_a_store_path_that_is_a_file_is_refused_and_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("precious", encoding="utf-8")
    assert main(["build", str(SEED_ANNOTATION), "--store", str(notes), "--workers", "1"]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and str(notes) in err and "file" in err
    assert notes.read_text(encoding="utf-8") == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_store_path_that_is_a_folder_of_other_files_is_refused_and_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "thesis.txt").write_text("precious", encoding="utf-8")
    assert main(["build", str(SEED_ANNOTATION), "--store", str(documents), "--workers", "1"]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and str(documents) in err
    assert [p.name for p in documents.iterdir()] == ["thesis.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["documents"]


def test_a_store_path_that_is_an_empty_folder_or_new_is_built(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for target in (tmp_path / "empty", tmp_path / "new" / "sub" / "store"):
        build_corpus_store([SEED_ANNOTATION], target, workers=1)
        assert source_ids(open_store(target, read_only=True)) == [SEED_SOURCE_ID]


@pytest.mark.parametrize("command", ["add", "remove"])
def test_add_or_remove_on_a_file_is_one_line(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("precious", encoding="utf-8")
    arg = str(SEED_ANNOTATION) if command == "add" else SEED_SOURCE_ID
    assert main([command, arg, "--store", str(notes)]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and str(notes) in err
    assert notes.read_text(encoding="utf-8") == "precious"
