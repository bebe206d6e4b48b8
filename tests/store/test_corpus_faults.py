"""Faults in corpus builds: a killed build, and one corrupt file among thousands, leave the old store intact."""

from __future__ import annotations

import copy
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from graph_builder.core.paths import ARTICLES_DIR, SEED_ANNOTATION, SEED_SOURCE_ID
from graph_builder.ingest.annotations import AnnotationError
from graph_builder.kg.export import canonical_quads
from graph_builder.store.bulk import build_corpus_store
from graph_builder.store.corpus import open_store, source_ids

pytestmark = pytest.mark.slow
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _small_corpus(folder: Path, n: int, claims: int = 2) -> list[Path]:
    """n small annotation files over the seed article, each with its own source id."""
    seed = yaml.safe_load(SEED_ANNOTATION.read_text(encoding="utf-8"))
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(n):
        data: dict[str, Any] = copy.deepcopy(seed)
        data["source"]["id"] = f"copy-{i:05d}"
        data["source"]["text"] = str(ARTICLES_DIR / f"{SEED_SOURCE_ID}.txt")
        data["claims"] = data["claims"][:claims]
        used = {c[k] for c in data["claims"] for k in ("subject", "object")}
        data["entities"] = {k: v for k, v in data["entities"].items() if k in used}
        for entity in data["entities"].values():  # its broader entities may be among those dropped
            entity.pop("broader", None)
        data.pop("chains", None)
        path = folder / f"copy-{i:05d}.yaml"
        path.write_text(
            yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        files.append(path)
    return files


def _snapshot(target: Path) -> set[str]:
    store = open_store(target, read_only=True)
    quads = {str(q) for q in canonical_quads(store)}
    del store
    return quads


def test_a_corrupt_file_among_thousands_names_its_path_and_claim_and_keeps_the_store(tmp_path: Path) -> None:
    target = tmp_path / "store"
    build_corpus_store([SEED_ANNOTATION], target)
    before = _snapshot(target)
    files = _small_corpus(tmp_path / "corpus", 2000)
    bad = files[1234]
    data = yaml.safe_load(bad.read_text(encoding="utf-8"))
    data["claims"][1]["quote"] = "a sentence the article never wrote"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(AnnotationError) as info:
        build_corpus_store([tmp_path / "corpus"], target)
    [problem] = info.value.problems
    assert problem.file == str(bad)
    assert problem.item == f"claim {data['claims'][1]['id']}" and problem.field == "quote"
    assert _snapshot(target) == before


def _stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command name (state, parent, ...); none once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _children(pid: int) -> list[int]:
    """The child processes of ``pid``, read from Linux's /proc."""
    pids = (int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit())
    return [p for p in pids if _stat(p)[1:2] == [str(pid)]]


def _alive(pid: int) -> bool:
    """Running, not merely a zombie waiting for its new parent to reap it."""
    return _stat(pid)[:1] not in ([], ["Z"])


def test_a_killed_build_leaves_the_previous_store_and_a_rerun_completes(tmp_path: Path) -> None:
    target = tmp_path / "store"
    build_corpus_store([SEED_ANNOTATION], target)
    before = _snapshot(target)
    corpus = tmp_path / "corpus"
    _small_corpus(corpus, 1500, claims=6)
    building = tmp_path / ".store.building"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "graph_builder.cli",
            "build",
            "--workers",
            "2",
            "--store",
            str(target),
            str(corpus),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not building.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    time.sleep(1.0)  # let it write part of the new store
    assert proc.poll() is None, "the build finished before it could be interrupted; make the corpus bigger"
    workers = _children(proc.pid)
    assert len(workers) == 2  # the reading workers of --workers 2
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(_alive, workers)), "the workers outlived the killed build"
    assert building.exists()  # the half-built store was never swapped in ...
    assert _snapshot(target) == before  # ... and the previous one is whole and readable
    rerun = subprocess.run(
        [sys.executable, "-m", "graph_builder.cli", "build", "--store", str(target), str(corpus)],
        capture_output=True,
        text=True,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert not building.exists()
    store = open_store(target, read_only=True)
    assert len(source_ids(store)) == 1500


def test_a_reader_that_fails_midway_raises_its_own_error_and_keeps_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graph_builder.store import bulk

    target = tmp_path / "store"
    build_corpus_store([SEED_ANNOTATION], target)
    before = _snapshot(target)
    files = _small_corpus(tmp_path / "corpus", 40)
    read_file = bulk._read_file
    calls: list[Path] = []

    def failing(path: Path, *args: Any) -> Any:
        calls.append(path)
        if path == files[25]:
            raise MemoryError("a worker ran out of memory")
        return read_file(path, *args)

    monkeypatch.setattr(bulk, "_read_file", failing)
    with pytest.raises(MemoryError, match="ran out of memory"):
        build_corpus_store([tmp_path / "corpus"], target, workers=1)
    assert calls[-1] == files[25]  # the stream ended at the failure: no file after it was read
    assert not (tmp_path / ".store.building").exists()
    assert _snapshot(target) == before
