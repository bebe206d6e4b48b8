"""``causal-chains`` as a bounded breadth-first search (issue 14): the named query's rows while they fit
the limit; from a hub, the rows of the nearest levels, with the claim links not followed counted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml

from graph_builder.cli import main
from graph_builder.core import namespaces as ns
from graph_builder.core.results import ResultTable, Term, from_query_result
from graph_builder.kg.build import build_example, build_from_files
from graph_builder.sparql import inline, reach
from graph_builder.sparql.queries import get_query
from graph_builder.sparql.reach import COLUMNS, causal_chains_table, causal_reach
from graph_builder.sparql.runner import run_query, run_sparql

#: The synthetic hub: it causes N entities a00…, each a_i causes b_i, and every b_i causes c.
N = 10
HUB = ns.ENTITY + "hub"


def sparql_rows(store: ox.Store, start: str) -> tuple[tuple[Term | None, ...], ...]:
    """The rows of the query's own text, as a remote endpoint or the static site run it."""
    query = get_query("causal-chains")
    result = store.query(
        query.text, substitutions={ox.Variable("start"): ox.NamedNode(start)}, use_default_graph_as_union=True
    )
    table = from_query_result(result)[0]
    assert table.variables == COLUMNS
    return table.rows


def entities(store: ox.Store) -> list[str]:
    found = store.query(
        "SELECT DISTINCT ?e WHERE { ?e a <https://w3id.org/medkg/vocab#Entity> }",
        use_default_graph_as_union=True,
    )
    return sorted(s[0].value for s in found)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def hub_store(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    folder = tmp_path_factory.mktemp("hub")
    edges = [("hub", f"a{i:02d}") for i in range(N)]
    edges += [(f"a{i:02d}", f"b{i:02d}") for i in range(N)] + [(f"b{i:02d}", "c") for i in range(N)]
    text = folder / "hub.txt"
    text.write_text(" ".join(f"{u} causes {v}." for u, v in edges) + "\n", encoding="utf-8")
    data: dict[str, Any] = {
        "medkg": 2,
        "source": {
            "id": "a-hub",
            "title": "A hub",
            "text": str(text),
            "kind": "other",
            "description": "Made up for a test: one entity said to cause many.",
        },
        "curation": {"agent": "manual_agent", "curator": "tests"},
        "entities": {n: {"label": n, "type": "disease"} for n in sorted({n for e in edges for n in e})},
        "claims": [
            {
                "id": f"{u}-causes-{v}",
                "subject": u,
                "relation": "causes",
                "object": v,
                "quote": f"{u} causes {v}.",
                "support": "none-stated",
                "rationale": "made up",
            }
            for u, v in edges
        ],
    }
    annotation = folder / "hub.yaml"
    annotation.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return build_from_files([annotation])


def test_the_search_gives_the_named_querys_rows_from_every_entity(corpus_store: ox.Store) -> None:
    deeper = 0
    for entity in entities(corpus_store):
        table = causal_chains_table(corpus_store, entity)
        assert table.variables == COLUMNS
        assert table.rows == sparql_rows(corpus_store, entity), entity
        deeper += len({row[3] for row in table.rows}) > 1  # rows from entities the start leads to
    assert deeper


def test_the_named_query_is_answered_by_the_search(
    corpus_store: ox.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Locally (CLI, Python, the endpoint's named-query route) run_query takes the bounded search."""
    whole = run_query("causal-chains", corpus_store, {"start": "herpes"})
    assert whole.rows == sparql_rows(corpus_store, ns.ENTITY + "herpes") and len(whole) > 3
    monkeypatch.setattr(reach, "DEFAULT_LIMIT", 3)
    cut = run_query("causal-chains", corpus_store, {"start": "herpes"})
    assert len(cut) == 3 and {r[:-1] for r in cut.rows} < {r[:-1] for r in whole.rows}
    assert set(cut.column("notFollowed")) == {
        causal_reach(corpus_store, ns.ENTITY + "herpes", 3).not_followed
    }
    assert int(cut.column("notFollowed")[0] or 0) > 0
    # The same text given as SPARQL is run as it is, whole.
    path = get_query("causal-chains").path
    assert path is not None
    assert run_sparql(path.read_text(encoding="utf-8"), corpus_store, {"start": "herpes"}).rows == whole.rows


def _level(rows: tuple[reach.Step, ...], prefix: str) -> list[str]:
    return [
        s.source.value.removeprefix(ns.ENTITY) for s in rows if s.source.value.startswith(ns.ENTITY + prefix)
    ]


def test_under_the_limit_a_hub_gives_every_row(hub_store: ox.Store) -> None:
    for limit in (3 * N, 1000):
        found = causal_reach(hub_store, HUB, limit)
        assert (len(found.rows), found.reached, found.not_followed, found.truncated) == (
            3 * N,
            2 * N + 2,  # the hub, the a's, the b's and c
            0,
            False,
        )
    assert causal_chains_table(hub_store, HUB, 3 * N).rows == sparql_rows(hub_store, HUB)


@pytest.mark.parametrize("limit", [1, N // 2, N, N + 1, N + N // 2, 2 * N, 2 * N + 3, 3 * N - 1])
def test_at_a_hub_the_search_stops_at_the_limit_and_counts_the_links_not_followed(
    hub_store: ox.Store, limit: int
) -> None:
    found = causal_reach(hub_store, HUB, limit)
    assert len(found.rows) == limit and found.truncated
    assert set(found.rows) <= set(causal_reach(hub_store, HUB, 3 * N).rows)
    # Nearest levels first: the hub's links, then the a's, then the b's; within a level by label.
    kept = {level: _level(found.rows, level) for level in ("hub", "a", "b")}
    level = min(limit // N, 2)  # the level the search stopped in
    shown = limit - level * N  # its rows that fit
    names = {0: ["hub"] * N, 1: [f"a{i:02d}" for i in range(N)], 2: [f"b{i:02d}" for i in range(N)]}
    expected = {
        "hub": names[0][:limit],
        "a": names[1][: max(limit - N, 0)],
        "b": names[2][: max(limit - 2 * N, 0)],
    }
    assert kept == expected
    # Not followed: the links of the stopping level not shown, and the links out of the entities its
    # shown rows reach (the next level: one each, none out of c).
    out_of_reached = shown if level < 2 else 0
    assert found.not_followed == (N - shown) + out_of_reached
    assert found.reached == 1 + level * N + (shown if level < 2 else min(shown, 1))


def test_the_search_reads_about_limit_rows_not_the_whole_reach(
    hub_store: ox.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[int] = []
    select = inline.select_bound

    def counting(store: ox.Store, query: Any, bindings: Any) -> ResultTable:
        table = select(store, query, bindings)
        if query is reach._STEPS:
            read.append(len(table))
        return table

    monkeypatch.setattr(reach, "select_bound", counting)
    causal_reach(hub_store, HUB, N + 2)
    assert sum(read) <= N + 3  # the hub's rows, then a's until one past the limit (one link each)


def test_a_limit_below_one_is_refused(hub_store: ox.Store) -> None:
    with pytest.raises(ValueError, match="limit: expected at least 1; found 0"):
        causal_reach(hub_store, HUB, 0)


def test_a_start_that_is_no_entity_has_no_rows(hub_store: ox.Store) -> None:
    found = causal_reach(hub_store, ns.ENTITY + "no-such-entity")
    assert (found.rows, found.reached, found.truncated) == ((), 0, False)


def test_the_cli_says_when_the_search_stopped(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no out/medkg.trig: the seed example is read
    for name in ("MEDKG_STORE", "MEDKG_GRAPH"):
        monkeypatch.delenv(name, raising=False)
    assert main(["query", "run", "causal-chains", "--param", "start=herpes", "--format", "csv"]) == 0
    assert "not followed" not in capsys.readouterr().err
    monkeypatch.setattr(reach, "DEFAULT_LIMIT", 2)
    assert main(["query", "run", "causal-chains", "--param", "start=herpes", "--format", "csv"]) == 0
    out, err = capsys.readouterr()
    skipped = causal_reach(build_example(), ns.ENTITY + "herpes", 2).not_followed
    assert len(out.splitlines()) == 3 and skipped > 0
    assert err.splitlines()[-1] == f"medkg: stopped at 2 rows; {skipped:,} claim links not followed"
