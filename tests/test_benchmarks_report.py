"""The benchmark report: targets computed from records, and the table that shows them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.report import check_targets, format_table, write_results

K100 = 100_000


def _query(task: str, medkg: float, pyoxigraph: float, rdflib: float | None, **extra: Any) -> dict[str, Any]:
    return {
        "size": K100,
        "task": task,
        "medkg_s": medkg,
        "pyoxigraph_s": pyoxigraph,
        "rdflib_s": rdflib,
        **extra,
    }


def _targets(records: list[dict[str, Any]]) -> dict[str, Any]:
    return {t.name: t for t in check_targets(records)}


def test_ratios_geometric_mean_and_slowest_query() -> None:
    records = [
        _query("query:a", 1.0, 0.9, 100.0),  # 100×
        _query("query:b", 1.0, 0.9, 4.0),  # 4×
        {"size": K100, "task": "build", "medkg_s": 10.0, "rdflib_from_annotations_s": 25.0, "rdflib_s": 40.0},
    ]
    t = _targets(records)
    geo = t["queries vs rdflib (geometric mean)"]
    assert geo.met is True and geo.measured == "20.0×"
    slowest = t["no query slower than rdflib"]
    assert slowest.met is True and "4.00× (query:b)" in slowest.measured
    over = t["medkg overhead over raw pyoxigraph"]
    assert over.met is True and over.measured.startswith("worst 1.11×")
    build = t["build vs rdflib Graph built from the same annotation files"]
    assert build.met is False and build.measured == "2.50×"  # the N-Triples parse (4×) is not the target


def test_a_query_slower_than_rdflib_and_a_heavy_wrapper_are_missed_targets() -> None:
    records = [_query("query:a", 1.0, 0.5, 1000.0), _query("query:b", 2.0, 1.9, 1.0)]
    t = _targets(records)
    assert t["queries vs rdflib (geometric mean)"].met is True  # sqrt(1000 × 0.5) ≈ 22
    assert t["no query slower than rdflib"].met is False
    assert "query:b" in t["no query slower than rdflib"].measured
    assert t["medkg overhead over raw pyoxigraph"].met is False  # 2.0× on query:a


def test_an_rdflib_timeout_counts_as_a_lower_bound() -> None:
    records = [
        _query("query:a", 1.0, 1.0, None, rdflib_lower_bound_s=120.0, rdflib_skipped="timed out after 120 s"),
        _query("query:b", 1.0, 1.0, 2.0),
    ]
    geo = _targets(records)["queries vs rdflib (geometric mean)"]
    assert geo.measured.startswith("≥ ") and geo.met is True
    table = format_table(records, check_targets(records))
    assert "> 120.0 s" in table and "≥120.0×" in table


def test_rdflib_not_measured_is_not_a_pass() -> None:
    t = _targets([_query("query:a", 1.0, 1.0, None)])
    assert t["queries vs rdflib (geometric mean)"].met is None


def test_million_claim_targets() -> None:
    m = 1_000_000
    records = [
        {"size": m, "task": "build", "medkg_s": 700.0, "peak_rss_mb": 3000.0},
        {"size": m, "task": "query:claims-about@mid", "medkg_s": 0.05},
        {"size": m, "task": "query:sources", "medkg_s": 6.0},
    ]
    t = {x.name: x.met for x in check_targets(records)}
    assert t == {
        "on-disk build time": False,
        "build peak RSS": True,
        "selective: query:claims-about@mid": True,
        "aggregate: query:sources": False,
    }


def test_results_file_keeps_other_sizes_and_lists_the_targets(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    write_results(path, [_query("query:a", 1.0, 1.0, 50.0) | {"size": 1000}], {"sizes": [1000]})
    write_results(path, [_query("query:a", 1.0, 1.0, 20.0)], {"sizes": [K100]})
    doc = json.loads(path.read_text())
    assert sorted(r["size"] for r in doc["records"]) == [1000, K100]
    assert {t["target"] for t in doc["targets"]} >= {"queries vs rdflib (geometric mean)"}
    assert not list(tmp_path.glob(".*.tmp"))  # written through a temporary file, nothing left behind


@pytest.mark.parametrize("bad", ["not json", "[]"])
def test_a_damaged_results_file_is_replaced(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "results.json"
    path.write_text(bad)
    write_results(path, [_query("query:a", 1.0, 1.0, 2.0)], {})
    assert len(json.loads(path.read_text())["records"]) == 1


def test_a_run_of_some_tasks_updates_only_their_records(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    write_results(path, [_query("query:a", 1.0, 1.0, 50.0), _query("query:b", 2.0, 2.0, 60.0)], {})
    write_results(path, [_query("query:b", 0.5, 0.5, 70.0)], {}, only_tasks=True)
    records = {r["task"]: r for r in json.loads(path.read_text())["records"]}
    assert records["query:a"]["medkg_s"] == 1.0  # kept
    assert records["query:b"]["medkg_s"] == 0.5 and records["query:b"]["rdflib_s"] == 70.0
    write_results(path, [_query("query:b", 0.4, 0.4, 80.0)], {})  # a whole run replaces the size
    assert [r["task"] for r in json.loads(path.read_text())["records"]] == ["query:b"]


def test_virtuoso_table_shows_push_ratio_row_mismatches_and_refusals() -> None:
    from benchmarks import virtuoso

    records = [
        {"size": 10, "task": "push:bulk", "virtuoso_s": 2.0, "quads": 100, "quads_per_s": 50, "write_s": 0.5,
         "load_s": 1.5, "files": 1},
        {"size": 10, "task": "push:graph-store", "virtuoso_s": 6.0, "quads": 100, "quads_per_s": 17},
        {"size": 10, "task": "query:a", "rows": 3, "virtuoso_rows": 2, "medkg_s": 0.1, "virtuoso_s": 0.3},
        {"size": 10, "task": "query:b", "rows": 3, "medkg_s": 0.1, "virtuoso_error": "SP031"},
    ]  # fmt: skip
    table = virtuoso.format_table(records)
    assert "| push:graph-store | 100 | 6.00 s | 17 | bulk is 3.00× faster |" in table
    assert "| query:a | 3 (Virtuoso: 2) | 100.0 ms | 300.0 ms | 3.00× |" in table
    assert "| query:b | 3 | 100.0 ms | SP031 | — |" in table


def test_virtuoso_ini_follows_virtuosos_memory_rule() -> None:
    """Virtuoso's own table: 4 GiB → NumberOfBuffers 340000, MaxDirtyBuffers 250000 (about 3/4)."""
    from benchmarks.virtuoso import virtuoso_ini

    ini = virtuoso_ini(Path("/d"), 1111, 8890, 4)
    assert "NumberOfBuffers = 340000" in ini and "MaxDirtyBuffers = 255000" in ini
    assert "DirsAllowed = ., /d" in ini and "ServerPort = 127.0.0.1:1111" in ini
