"""Outputs under stress and errors a user can cause: the output set is replaced all or nothing, the CLI's
CSV cannot run as a spreadsheet formula, a huge label is cut short on the page, and a full disk, a
read-only or forbidden folder, a folder given for a file and a corrupt store are one line, not a traceback.

The full-disk and read-only cases run twice: with a fault injected into the writing (everywhere), and
on a real tmpfs that is too small and a real read-only bind mount (only as root, where ``mount`` works).
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest

from graph_builder.analysis.network import to_networkx
from graph_builder.cli import main
from graph_builder.core import namespaces as ns
from graph_builder.core.formats import format_results, to_csv
from graph_builder.core.paths import SEED_ANNOTATION
from graph_builder.core.results import ResultTable
from graph_builder.kg.build import build_example
from graph_builder.kg.export import OUTPUT_FILES, render_outputs, write_files, write_tree
from graph_builder.viz.drawing import page_data
from graph_builder.viz.visualize import to_html

#: The seed alone: these tests are about failing writes, which one source shows as well as seven.
SEED = str(SEED_ANNOTATION)

XSD_INTEGER = ox.NamedNode(ns.XSD + "integer")
XSD_DECIMAL = ox.NamedNode(ns.XSD + "decimal")


@pytest.fixture(scope="module")
def outputs() -> dict[str, bytes]:
    return render_outputs(build_example())


@pytest.fixture(scope="module")
def seed_trig(tmp_path_factory: pytest.TempPathFactory, outputs: dict[str, bytes]) -> Path:
    path = tmp_path_factory.mktemp("graph") / "medkg.trig"
    path.write_bytes(outputs["medkg.trig"])
    return path


@pytest.fixture(autouse=True)
def _graph(monkeypatch: pytest.MonkeyPatch, seed_trig: Path) -> None:
    # A command without --graph reads this, instead of out/medkg.trig if there is one, or of the seed
    # example with a note on stderr: every line on stderr in these tests is then an error.
    monkeypatch.delenv("MEDKG_STORE", raising=False)
    monkeypatch.setenv("MEDKG_GRAPH", str(seed_trig))


def _old_outputs(out: Path) -> dict[str, bytes]:
    """Old versions of the three files, plus a file of the user's that no write may touch."""
    out.mkdir(parents=True, exist_ok=True)
    old = {name: f"old {name}\n".encode() for name in OUTPUT_FILES}
    for name, data in old.items():
        (out / name).write_bytes(data)
    (out / "graph.html").write_bytes(b"the user's page")
    return {**old, "graph.html": b"the user's page"}


def _contents(folder: Path) -> dict[str, bytes]:
    """Every entry of the folder, hidden ones too: a temporary left behind shows up here."""
    return {p.name: p.read_bytes() if p.is_file() else b"<folder>" for p in folder.iterdir()}


def _one_error_line(err: str) -> str:
    assert "Traceback" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("medkg: "), err
    return lines[0]


def _enospc_on_call(monkeypatch: pytest.MonkeyPatch, n: int) -> list[int]:
    """Make the n-th fsync fail as a full disk does (ext4 and NFS report ENOSPC at fsync time)."""
    real_fsync = os.fsync
    calls = [0]

    def fsync(fd: int) -> None:
        calls[0] += 1
        if calls[0] == n:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr("graph_builder.kg.export.os.fsync", fsync)
    return calls


# --- 1. the output files are replaced as a set -------------------------------------------------------


def test_a_full_disk_at_the_third_file_leaves_all_old_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, outputs: dict[str, bytes]
) -> None:
    out = tmp_path / "out"
    before = _old_outputs(out)
    _enospc_on_call(monkeypatch, 3)
    with pytest.raises(OSError) as caught:
        write_files(out, outputs)
    assert caught.value.errno == errno.ENOSPC
    assert _contents(out) == before  # all old, byte for byte, and no temporary left
    assert caught.value.filename == str(out / "medkg.jsonld")  # the file the user asked for, no temporary
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def _no_hard_links(monkeypatch: pytest.MonkeyPatch) -> None:
    def link(*args: Any, **kwargs: Any) -> None:  # as on FAT: the backups are moved aside instead
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr("graph_builder.kg.export.os.link", link)


@pytest.mark.parametrize("hard_links", [True, False])
def test_a_failed_rename_rolls_back_the_files_already_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, outputs: dict[str, bytes], hard_links: bool
) -> None:
    out = tmp_path / "out"
    before = _old_outputs(out)
    if not hard_links:
        _no_hard_links(monkeypatch)
    real_replace = os.replace
    failed: list[Any] = []

    def replace(src: Any, dst: Any) -> None:
        if Path(dst) == out / "medkg.trig" and not failed:  # the new trig fails, after the new ttl is in
            failed.append(dst)
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(dst))
        real_replace(src, dst)

    monkeypatch.setattr("graph_builder.kg.export.os.replace", replace)
    with pytest.raises(OSError):
        write_files(out, outputs)
    assert failed
    assert _contents(out) == before


@pytest.mark.parametrize("hard_links", [True, False])
def test_write_files_replaces_all_and_leaves_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, outputs: dict[str, bytes], hard_links: bool
) -> None:
    if not hard_links:
        _no_hard_links(monkeypatch)
    out = tmp_path / "out"
    before = _old_outputs(out)
    written = write_files(out, outputs)
    assert [p.name for p in written] == list(outputs)
    assert _contents(out) == {**outputs, "graph.html": before["graph.html"]}
    assert all((out / name).stat().st_mode & 0o777 == 0o644 for name in outputs)
    # A first build into a folder that does not exist yet.
    assert _contents(Path(write_files(tmp_path / "new" / "out", outputs)[0]).parent) == outputs


def _old_tree(folder: Path) -> dict[str, bytes]:
    (folder / "sub").mkdir(parents=True)
    (folder / "index.html").write_bytes(b"old page")
    (folder / "sub" / "a.txt").write_bytes(b"old a")
    return _tree(folder)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


TREE = {"index.html": b"new page", "sub/a.txt": b"new a", "sub/deeper/b.txt": b"new b"}


def test_write_tree_replaces_an_earlier_tree_whole_and_refuses_any_other_folder(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _old_tree(site)
    written = write_tree(site, TREE, replaces=lambda folder: (folder / "index.html").is_file())
    assert [p.relative_to(site).as_posix() for p in written] == sorted(TREE)
    assert _tree(site) == TREE and sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    first = write_tree(tmp_path / "new" / "site", TREE, replaces=lambda _: False)  # into a new folder
    assert first[0].read_bytes() == b"new page"
    with pytest.raises(OSError) as caught:
        write_tree(site, TREE, replaces=lambda _: False)
    assert caught.value.errno == errno.EEXIST and caught.value.filename == str(site)


def test_write_tree_on_a_full_disk_or_a_failed_rename_leaves_the_old_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    before = _old_tree(site)
    _enospc_on_call(monkeypatch, 2)
    with pytest.raises(OSError) as caught:
        write_tree(site, TREE, replaces=lambda _: True)
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == str(site / "sub" / "a.txt")
    assert _tree(site) == before and sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    monkeypatch.undo()
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        if Path(dst) == site and Path(src).name.endswith(".tmp"):  # the new tree cannot go into place
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(dst))
        real_replace(src, dst)

    monkeypatch.setattr("graph_builder.kg.export.os.replace", replace)
    with pytest.raises(OSError):
        write_tree(site, TREE, replaces=lambda _: True)
    assert _tree(site) == before and sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_build_on_a_full_disk_is_one_line_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    before = _old_outputs(out)
    _enospc_on_call(monkeypatch, 3)
    assert main(["build", SEED, "--out", str(out)]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert line == f"medkg: cannot write {out / 'medkg.jsonld'}: No space left on device"
    assert _contents(out) == before


# --- real file systems (root only) ----------------------------------------------------------------


def _mount(*args: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    return subprocess.run(["mount", *args], capture_output=True, check=False).returncode == 0


@pytest.fixture
def mounts() -> Iterator[Callable[..., None]]:
    done: list[str] = []

    def mount(*args: str) -> None:
        if not _mount(*args):
            if os.environ.get("CI"):  # CI runs as root on a machine where mount works: never skip there
                pytest.fail(f"mount {' '.join(args)} failed")
            pytest.skip("needs root and a working mount(8)")
        done.append(args[-1])

    yield mount
    for target in reversed(done):
        subprocess.run(["umount", target], capture_output=True, check=False)


def test_a_real_full_disk_leaves_all_old_files(
    tmp_path: Path, mounts: Callable[..., None], capsys: pytest.CaptureFixture[str], outputs: dict[str, bytes]
) -> None:
    out = tmp_path / "small"
    out.mkdir()
    # Room for the old files and about half of the new ones: the disk fills while writing them.
    size = sum(len(d) for d in outputs.values()) * 3 // 2
    mounts("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(out))
    old = {name: b"# old\n" + data for name, data in outputs.items()}
    for name, data in old.items():
        (out / name).write_bytes(data)
    assert main(["build", SEED, "--out", str(out)]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert line.startswith(f"medkg: cannot write {out}/medkg.") and line.endswith(": No space left on device")
    assert _contents(out) == old


def test_a_real_read_only_folder_is_one_line(
    tmp_path: Path, mounts: Callable[..., None], capsys: pytest.CaptureFixture[str]
) -> None:
    source, out = tmp_path / "rw", tmp_path / "ro"
    source.mkdir()
    out.mkdir()
    before = _old_outputs(source)
    mounts("--bind", str(source), str(out))
    mounts("-o", "remount,bind,ro", str(out))
    for argv, path in (
        (["build", SEED, "--out", str(out)], out),
        (["viz", "--out", str(out / "graph.html")], out / "graph.html"),
    ):
        assert main(argv) == 1
        line = _one_error_line(capsys.readouterr().err)
        assert line == f"medkg: cannot write {path}: Read-only file system"
    assert _contents(out) == before


# --- 4. one line, never a traceback ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "reason"),
    [(errno.EACCES, "Permission denied"), (errno.EROFS, "Read-only file system"),
     (errno.ENOSPC, "No space left on device")],
)  # fmt: skip
@pytest.mark.parametrize("command", ["build", "viz"])
def test_a_folder_that_refuses_files_is_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    code: int,
    reason: str,
    command: str,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    real_open, real_mkdir = os.open, os.mkdir

    def refuse(path: Any) -> None:
        # Creating anything in out fails, as in a folder without write permission or on a read-only disk.
        if out in Path(os.fsdecode(path)).parents:
            raise OSError(code, os.strerror(code), os.fsdecode(path))

    def refusing_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & os.O_CREAT:
            refuse(path)
        return real_open(path, flags, *args, **kwargs)

    def refusing_mkdir(path: Any, *args: Any, **kwargs: Any) -> None:
        refuse(path)
        real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr("os.open", refusing_open)
    monkeypatch.setattr("os.mkdir", refusing_mkdir)
    # build names the folder it could not write its files into; viz the page it could not write.
    target = out / "graph.html" if command == "viz" else out
    assert (
        main(
            [
                command,
                *([SEED] if command == "build" else []),
                "--out",
                str(target if command == "viz" else out),
            ]
        )
        == 1
    )
    line = _one_error_line(capsys.readouterr().err)
    assert line == f"medkg: cannot write {target}: {reason}"
    assert list(out.iterdir()) == []


def test_viz_out_a_folder_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "existing"
    folder.mkdir()
    assert main(["viz", "--out", str(folder)]) == 1
    assert _one_error_line(capsys.readouterr().err) == f"medkg: cannot write {folder}: Is a directory"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing"]


def test_build_out_a_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    afile = tmp_path / "afile"
    afile.write_bytes(b"mine")
    for argv in (["build", SEED, "--out", str(afile)], ["viz", "--out", str(afile / "graph.html")]):
        assert main(argv) == 1
        line = _one_error_line(capsys.readouterr().err)
        assert line.startswith(f"medkg: cannot write {afile}") and line.endswith(": Not a directory"), line
    assert afile.read_bytes() == b"mine"


def test_graph_a_folder_that_is_no_store_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "not-a-store"
    folder.mkdir()
    for argv in (["query", "run", "all-claims", "--graph", str(folder)], ["stats", "--graph", str(folder)]):
        assert main(argv) == 1
        assert str(folder) in _one_error_line(capsys.readouterr().err)


def test_a_graph_file_that_cannot_be_read_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not Path("/proc/self/mem").is_file():
        pytest.skip("needs Linux's /proc/self/mem, a file whose reading at offset 0 fails with EIO")
    graph = tmp_path / "unreadable.ttl"
    graph.symlink_to("/proc/self/mem")  # pyoxigraph's error says "Input/output error" and no path
    assert main(["stats", "--graph", str(graph)]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert line.startswith(f"medkg: {graph}: ") and "Input/output error" in line, line


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("store") / "seed.db"
    assert main(["build", SEED, "--store", str(target), "--workers", "1"]) == 0
    return target


def _clobber_current(store: Path) -> None:
    (store / "CURRENT").write_text("garbage\n")


def _clobber_tables(store: Path) -> None:
    for table in store.glob("*.sst"):
        with table.open("r+b") as fh:  # the table's header, its index and its footer: found at open
            fh.write(b"\xff" * min(table.stat().st_size, 4096))


@pytest.mark.parametrize("clobber", [_clobber_current, _clobber_tables])
def test_a_corrupt_store_is_one_line(
    tmp_path: Path,
    small_store: Path,
    clobber: Callable[[Path], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    corrupt = tmp_path / "corrupt.db"
    shutil.copytree(small_store, corrupt)
    clobber(corrupt)
    capsys.readouterr()
    for argv in (
        ["query", "run", "all-claims", "--graph", str(corrupt)],
        ["stats", "--graph", str(corrupt)],
        ["remove", "some-source", "--store", str(corrupt)],
    ):
        assert main(argv) == 1, argv
        line = _one_error_line(capsys.readouterr().err)
        assert line.startswith(f"medkg: {corrupt}: the store is corrupt or not a medkg store: "), line
        assert "Corruption" in line


# --- 2. the CLI's CSV is safe to open in a spreadsheet --------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://example.org/x","click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+2",
    "\r=1+2",
]


def _formula_query() -> str:
    values = " ".join(json.dumps(f) for f in FORMULAS)  # JSON string escapes are SPARQL's too
    return (
        "SELECT ?text ?number ?negative ?decimal ?text_minus ?bad_number WHERE { "
        f"VALUES ?text {{ {values} }} "
        f'BIND(3 AS ?number) BIND(-1 AS ?negative) BIND("-2.5"^^<{XSD_DECIMAL.value}> AS ?decimal) '
        f'BIND("-1" AS ?text_minus) BIND("-1+cmd"^^<{XSD_INTEGER.value}> AS ?bad_number) }}'
    )


def _check_spreadsheet_csv(text: str) -> None:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["text", "number", "negative", "decimal", "text_minus", "bad_number"]
    assert [r[0] for r in rows[1:]] == ["'" + f for f in FORMULAS]
    for row in rows[1:]:
        # Numbers typed as numbers stay numbers (a spreadsheet reads -1 as minus one, with no formula);
        # text that looks like a number, and an ill-typed number, are prefixed like any other text.
        assert row[1:] == ["3", "-1", "-2.5", "'-1", "'-1+cmd"]
    # Each prefixed cell is quoted, so the quote and what follows stay one cell in every reader.
    for formula in FORMULAS:
        assert "\"'" + formula.replace('"', '""') + '"' in text


def test_cli_csv_prefixes_cells_a_spreadsheet_would_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "run", "--sparql", _formula_query(), "--format", "csv"]) == 0
    _check_spreadsheet_csv(capsys.readouterr().out)


def test_remote_cli_csv_is_prefixed_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    table = _formula_table()
    monkeypatch.setattr("graph_builder.endpoint.remote.run_remote_sparql", lambda *args, **kwargs: table)
    argv = ["query", "run", "--sparql", "SELECT * {}", "--endpoint", "http://127.0.0.1:9/sparql"]
    assert main([*argv, "--format", "csv"]) == 0
    _check_spreadsheet_csv(capsys.readouterr().out)


def _formula_table() -> ResultTable:
    store = ox.Store()
    result = store.query(_formula_query())
    assert isinstance(result, ox.QuerySolutions)
    names = tuple(v.value for v in result.variables)
    return ResultTable(names, tuple(tuple(row[n] for n in names) for row in result))


def test_w3c_csv_stays_exact() -> None:
    """The endpoint's text/csv is the W3C format: values as they are, no prefix, minimal quoting."""
    table = _formula_table()
    rows = list(csv.reader(io.StringIO(to_csv(table), newline="")))
    assert [r[0] for r in rows[1:]] == FORMULAS
    assert rows[1][1:] == ["3", "-1", "-2.5", "-1", "-1+cmd"]
    assert format_results(table, "csv") == to_csv(table)
    assert "\r\n+cmd|' /C calc'!A0," in to_csv(table)  # unquoted: W3C CSV quotes only where needed


# --- 3. a huge label does not stall the page ------------------------------------------------------

HUGE = "x" * 100_000


@pytest.fixture(scope="module")
def huge_graph() -> nx.MultiDiGraph:
    graph = to_networkx(build_example())
    graph.nodes[ns.ENTITY + "herpes"]["label"] = HUGE
    graph.nodes[ns.ENTITY + "nerve-pain"]["label"] = "nerve\n" * 2_000
    return graph


def _page_json(page: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="medkg-data">(.*?)</script>', page, re.DOTALL)
    assert found is not None
    data = json.loads(found.group(1))
    assert isinstance(data, dict)
    return data


def test_page_node_labels_are_bounded(huge_graph: nx.MultiDiGraph) -> None:
    data = _page_json(to_html(huge_graph))
    nodes = {n["id"]: n for n in data["nodes"]}
    herpes, nerve = nodes[ns.ENTITY + "herpes"], nodes[ns.ENTITY + "nerve-pain"]
    assert all(len(n["shortLabel"]) <= 80 for n in data["nodes"])
    assert herpes["shortLabel"] == HUGE[:79] + "…"
    assert "\n" not in nerve["shortLabel"] and nerve["shortLabel"].startswith("nerve nerve")
    assert herpes["label"] == HUGE  # the details panel shows the whole label
    # Short labels are drawn as they are.
    assert nodes[ns.ENTITY + "lower-back-pain"]["shortLabel"] == "lower back pain"
    # The chain list shows the short form too.
    assert all(len(p) <= 80 for c in data["chains"] for p in c["path"] if p is not None)


def test_page_data_keeps_short_labels_whole() -> None:
    data = page_data(to_networkx(build_example()))
    assert all(n["shortLabel"] == n["label"] for n in data["nodes"])


def test_table_shows_control_characters_escaped() -> None:
    """A literal cannot drive the terminal: ESC and other control characters are shown as \\xNN."""
    table = ResultTable(("v",), ((ox.Literal("red\x1b[31m alarm\x07\x9b2J"),),))
    text = format_results(table, "table")
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), repr(text)
    assert "red\\x1b[31m alarm\\x07\\x9b2J" in text
