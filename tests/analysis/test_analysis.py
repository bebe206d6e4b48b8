"""Chains of claims and entity rankings over the networkx projection, and the chains and rank commands.

Expectations about the seed article are computed from its annotation file, not copied from the output.
"""

from __future__ import annotations

import itertools
import json
import random
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from graph_builder.analysis.chains import (
    MAX_HOPS,
    find_chains,
    format_chains,
    resolve_entity,
    resolve_evidence,
    strongest,
)
from graph_builder.analysis.network import to_networkx
from graph_builder.analysis.rank import MEASURES, rank_entities
from graph_builder.cli import build_parser, main
from graph_builder.core import namespaces as ns
from graph_builder.core.vocabulary import load_vocabulary
from graph_builder.kg.build import build_example, build_from_files
from graph_builder.kg.export import to_trig

HERPES, NERVE_PAIN, LBP = (ns.ENTITY + e for e in ("herpes", "nerve-pain", "lower-back-pain"))
STATED_HEADER = (
    "herpes → nerve pain → lower back pain  [stated by does-herpes-cause-lower-back-pain]"
    "  weakest link: strength 1 (disclaimed, possible)"  # docs/codebook.md, Strength: its worked example
)


@pytest.fixture(scope="module")
def seed_graph() -> nx.MultiDiGraph:
    return to_networkx(build_example())


@pytest.fixture
def seed_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Make ``medkg`` with no --graph use the seed example, whatever the caller's folder or environment."""
    monkeypatch.delenv("MEDKG_GRAPH", raising=False)
    monkeypatch.chdir(tmp_path)


def _graph_of(path: Path) -> nx.MultiDiGraph:
    return to_networkx(build_from_files([path]))


def _chain_hop_claims(chain: Any) -> list[str]:
    return [h.claim_id for h in chain.hops]


# --- medkg chains on the seed ------------------------------------------------------------------------


def test_chains_command_lists_the_stated_chain_via_nerve_pain_first(
    seed_cli: None, capsys: pytest.CaptureFixture[str], seed_data: dict[str, Any]
) -> None:
    assert main(["chains", "herpes", "lower back pain"]) == 0
    out = capsys.readouterr().out
    headers = [line for line in out.splitlines() if "  weakest link: " in line]
    assert headers[0] == STATED_HEADER
    [chain] = seed_data["chains"]
    block = out.split(STATED_HEADER)[1].split("\n\n")[0]
    for step in chain["steps"]:
        claim = next(c for c in seed_data["claims"] if c["id"] == step)
        assert f"[{step}]" in block and claim["quote"].split()[0] in block
    assert f"stated chain {chain['id']}: explicitly unsupported (rank 1)" in block


def test_stated_chain_result_carries_its_own_evidence(
    seed_graph: nx.MultiDiGraph, seed_data: dict[str, Any]
) -> None:
    [chain] = seed_data["chains"]
    best = find_chains(seed_graph, "herpes", "lower back pain")[0]
    assert best.stated and best.kind == "stated" and best.nodes == (HERPES, NERVE_PAIN, LBP)
    assert _chain_hop_claims(best) == chain["steps"]
    assert best.chain is not None and best.chain.claim_id == chain["id"]
    # the chain's own support, read at the evidence level format 1 queries use (docs/codebook.md)
    assert chain["support"] == "disclaimed" and best.chain.evidence.slug == "explicitly-unsupported"
    assert best.weakest.value == 1 and best.hop_count == 2


def test_direct_assertions_are_one_hop_chains_not_stated(
    seed_graph: nx.MultiDiGraph, seed_data: dict[str, Any]
) -> None:
    vocab = load_vocabulary()
    expected = {
        c["id"]
        for c in seed_data["claims"]
        if (c["subject"], c["object"]) == ("herpes", "lower-back-pain")
        and vocab.relations[c["relation"]].chain_link
    }
    assert len(expected) >= 2  # the seed says it twice: causes and has-complication
    direct = [c for c in find_chains(seed_graph, "herpes", "lower back pain") if c.hop_count == 1]
    assert {c.hops[0].claim_id for c in direct} == expected
    assert all(not c.stated and c.kind == "direct" and c.chain is None for c in direct)


def test_the_same_path_is_inferred_when_no_source_states_the_chain(
    write_annotation: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_annotation(lambda d: d.pop("chains"))
    graph = _graph_of(path)
    [via] = [c for c in find_chains(graph, HERPES, LBP) if c.nodes == (HERPES, NERVE_PAIN, LBP)]
    assert not via.stated and via.kind == "inferred" and via.chain is None
    assert all(not c.stated for c in find_chains(graph, HERPES, LBP))

    trig = tmp_path / "variant.trig"
    trig.write_bytes(to_trig(build_from_files([path])))
    assert main(["chains", "herpes", "lower back pain", "--graph", str(trig)]) == 0
    out = capsys.readouterr().out
    assert "stated by" not in out
    assert "herpes → nerve pain → lower back pain  [inferred: joins 2 claims of" in out


def test_a_partial_stated_chain_is_not_stated(write_annotation: Callable[..., Path]) -> None:
    # A three-step chain whose first two steps form a path: that path alone was never stated as one unit.
    graph = _graph_of(
        write_annotation(lambda d: d["chains"][0]["steps"].append("lower-back-pain-associated-with-swelling"))
    )
    two = [c for c in find_chains(graph, HERPES, LBP) if c.hop_count == 2]
    assert two and not any(c.stated for c in two)
    three = [c for c in find_chains(graph, HERPES, "swelling") if c.hop_count == 3]
    assert [c.stated for c in three] == [True]


def test_min_evidence_leaves_out_weaker_hops(write_annotation: Callable[..., Path]) -> None:
    uncited = resolve_evidence("uncited-assertion")

    def mutate(d: dict[str, Any]) -> None:
        # no longer disclaimed nor hedged: support none-stated, certain, so an uncited assertion
        claim = next(c for c in d["claims"] if c["id"] == "nerve-pain-causes-lower-back-pain")
        claim.update(support="none-stated", hedges=[])
        for chain in d["chains"]:
            chain["support"] = "none-stated"

    graph = _graph_of(write_annotation(mutate))
    everything = find_chains(graph, HERPES, LBP)
    assert any(h.evidence.rank < uncited for c in everything for h in c.hops)
    kept = find_chains(graph, HERPES, LBP, min_rank=uncited)
    assert [_chain_hop_claims(c) for c in kept] == [
        ["herpes-associated-with-nerve-pain", "nerve-pain-causes-lower-back-pain"]
    ]
    assert kept[0].stated and min(h.evidence.rank for h in kept[0].hops) == uncited


def test_min_strength_leaves_out_weaker_hops(seed_graph: nx.MultiDiGraph) -> None:
    everything = find_chains(seed_graph, HERPES, LBP)
    floor = max(c.weakest.value for c in everything)
    kept = find_chains(seed_graph, HERPES, LBP, min_strength=floor)
    assert kept and all(h.strength.value >= floor for c in kept for h in c.hops)
    assert len(kept) < len(everything)
    for bad in (0, strongest() + 1):
        with pytest.raises(ValueError, match="min_strength: expected 1 to 21"):
            find_chains(seed_graph, HERPES, LBP, min_strength=bad)


def test_min_strength_on_the_command_line(seed_cli: None, capsys: pytest.CaptureFixture[str]) -> None:
    # every chain of the seed from herpes to lower back pain has a step the source disclaims
    assert main(["chains", "herpes", "lower back pain", "--min-strength", "4"]) == 0
    assert capsys.readouterr().out.startswith("no chains from herpes to lower back pain within 3 hops")


def test_chains_rank_by_strength_not_by_evidence_level() -> None:
    # Two direct claims of one evidence level (uncited assertion): one probable (strength 5), one
    # certain (6). The certain one must come first although its IRI sorts last.
    graph = _synthetic([(0, 1), (0, 1)], 2)
    (_, _, weak), (_, _, strong) = sorted(graph.edges(keys=True))
    graph.edges[ns.ENTITY + "n0", ns.ENTITY + "n1", weak].update(strength=5, certainty="probable")
    first, second = find_chains(graph, "node 0", "node 1")
    assert first.hops[0].assertion == strong and first.weakest.value == 6
    assert second.weakest.value == 5


def test_min_evidence_on_the_command_line(seed_cli: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chains", "herpes", "lower back pain", "--min-evidence", "speculative"]) == 0
    assert capsys.readouterr().out.startswith("no chains from herpes to lower back pain within 3 hops")
    assert main(["chains", "herpes", "lower back pain", "--min-evidence", "gospel"]) == 1
    assert (
        "unknown evidence level 'gospel'; expected one of 1=explicitly-unsupported" in capsys.readouterr().err
    )


def test_max_hops_is_respected(seed_graph: nx.MultiDiGraph) -> None:
    two = find_chains(seed_graph, "herpes", "swelling", max_hops=2)
    three = find_chains(seed_graph, "herpes", "swelling", max_hops=3)
    assert two and max(c.hop_count for c in two) == 2
    assert max(c.hop_count for c in three) == 3
    assert set(two) < set(three)
    assert not find_chains(seed_graph, "herpes", "swelling", max_hops=1)
    for bad in (0, MAX_HOPS + 1):
        with pytest.raises(ValueError, match="max_hops"):
            find_chains(seed_graph, "herpes", "swelling", max_hops=bad)


def test_relations_choose_the_hops(seed_graph: nx.MultiDiGraph) -> None:
    # symptom-of is neither causal nor a link relation: lower back pain → herpes is found only when asked for.
    assert not find_chains(seed_graph, "lower back pain", "herpes")
    [back] = find_chains(seed_graph, "lower back pain", "herpes", relations=["symptom-of"])
    assert back.hops[0].relation == "symptom-of"
    assert find_chains(seed_graph, "lower back pain", "herpes", causal_only=False)
    only_causes = find_chains(seed_graph, "herpes", "lower back pain", relations=["causes"])
    assert {h.relation for c in only_causes for h in c.hops} == {"causes"}
    with pytest.raises(ValueError, match="unknown relation"):
        find_chains(seed_graph, "herpes", "lower back pain", relations=["cures"])


def test_chains_json_is_the_search_with_a_list_of_objects(
    seed_cli: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["chains", "herpes", "lower back pain", "--format", "json"]) == 0
    search = json.loads(capsys.readouterr().out)
    assert search["source"] == ns.ENTITY + "herpes" and search["max_hops"] == 3
    assert (search["truncated"], search["total"], search["not_followed"]) == (False, 3, 0)
    rows = search["chains"]
    assert isinstance(rows, list) and len(rows) == 3
    first = rows[0]
    assert first["path"] == ["herpes", "nerve pain", "lower back pain"] and first["stated"] is True
    assert first["chain"]["id"] == "herpes-nerve-pain-lower-back-pain"
    step = first["steps"][-1]  # the disclaimed, hedged step is the weakest (docs/codebook.md)
    assert first["weakest_link"] == {
        "strength": 1,
        "support": "disclaimed",
        "certainty": "possible",
        "claim_id": step["claim_id"],
    }
    assert (step["strength"], step["support"], step["certainty"]) == (1, "disclaimed", "possible")
    assert [r["kind"] for r in rows] == ["stated", "direct", "direct"]


def test_chain_order_is_deterministic_and_documented(seed_graph: nx.MultiDiGraph) -> None:
    chains = find_chains(seed_graph, "herpes", "swelling", causal_only=False, max_hops=4)
    keys = [(not c.stated, -c.weakest.value, c.hop_count) for c in chains]
    assert keys == sorted(keys)
    again = find_chains(to_networkx(build_example()), "herpes", "swelling", causal_only=False, max_hops=4)
    assert [c.to_dict() for c in chains] == [c.to_dict() for c in again]


# --- entities ----------------------------------------------------------------------------------------


def test_unknown_entity_names_close_matches(seed_cli: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chains", "herpse", "lower back pain"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "unknown entity 'herpse'; close matches: herpes" in captured.err
    assert main(["chains", "herpes", "lower bak pain"]) == 1
    assert "close matches: lower back pain" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("Lower Back Pain", "lower-back-pain"),
        ("  lumbago ", "lower-back-pain"),
        ("lower-back-pain", "lower-back-pain"),
        ("entity:nerve-pain", "nerve-pain"),
        (ns.ENTITY + "hsv-1", "hsv-1"),
        ("regular exercise", "exercise"),  # a label beats stretching's synonym
    ],
)
def test_resolve_entity(seed_graph: nx.MultiDiGraph, text: str, entity: str) -> None:
    assert resolve_entity(seed_graph, text) == ns.ENTITY + entity


def test_ambiguous_entity_lists_the_candidates() -> None:
    graph = nx.MultiDiGraph()
    graph.add_node(ns.ENTITY + "a", label="cold sore", synonyms=["fever blister"])
    graph.add_node(ns.ENTITY + "b", label="fever", synonyms=["fever blister"])
    with pytest.raises(ValueError, match=r"ambiguous: it names cold sore \(.*/a\); fever \(.*/b\)"):
        resolve_entity(graph, "Fever Blister")


def test_source_and_target_must_differ(seed_graph: nx.MultiDiGraph) -> None:
    with pytest.raises(ValueError, match="same entity"):
        find_chains(seed_graph, "herpes", "herpes simplex")


# --- the search itself ---------------------------------------------------------------------------------


def _edge(causal: bool = True, rank: int = 3) -> dict[str, Any]:
    relation = "causes" if causal else "treats"
    evidence = {"evidence": "uncited-assertion", "evidence_label": "uncited assertion", "rank": rank}
    strength = {"strength": 6, "support": "none-stated", "support_label": "none stated",
                "certainty": "certain", "certainty_label": "certain"}  # fmt: skip
    source = {"source": ns.SOURCE + "s", "source_title": "S"}
    return dict(
        claim_id="c", relation=relation, relation_label=relation, causal=causal, chain_link=causal,
        remedy=not causal, stance="asserted", quote="q",
        negated=False, chains=[], hedges=[], **evidence, **strength, **source,
    )  # fmt: skip


def _synthetic(edges: list[tuple[int, int]], n: int) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for i in range(n):
        graph.add_node(f"{ns.ENTITY}n{i}", label=f"node {i}", type="disease", synonyms=[])
    for j, (u, v) in enumerate(edges):
        graph.add_edge(f"{ns.ENTITY}n{u}", f"{ns.ENTITY}n{v}", key=f"{ns.ASSERTION}{j:06d}", **_edge())
    return graph


def test_search_finds_exactly_the_simple_edge_paths_networkx_finds() -> None:
    rng = random.Random(7)
    edges = [(u, v) for u, v in itertools.product(range(12), repeat=2) if u != v and rng.random() < 0.25]
    edges += [(0, 1), *edges[:10]]  # a direct edge and parallel assertions
    graph = _synthetic(edges, 12)
    source, target = f"{ns.ENTITY}n0", f"{ns.ENTITY}n1"
    for hops in (1, 2, 3, 4):
        ours = {
            tuple(h.assertion for h in c.hops)
            for c in find_chains(graph, source, target, max_hops=hops, limit=10**6)
        }
        theirs = {
            tuple(k for _, _, k in p) for p in nx.all_simple_edge_paths(graph, source, target, cutoff=hops)
        }
        assert ours == theirs and theirs


def test_hub_graph_is_searched_quickly_and_capped() -> None:
    n = 200
    graph = _synthetic([(u, v) for u in range(n) for v in range(n) if u != v], n)
    for hops in (3, MAX_HOPS):
        started = time.perf_counter()
        chains = find_chains(graph, "node 0", "node 1", max_hops=hops, limit=50)
        assert time.perf_counter() - started < 5
        assert len(chains) == 50 and chains.truncated
        assert chains[0].hop_count == 1  # the direct edge is found before longer detours
        assert max(c.hop_count for c in chains) == 2
    assert "(showing the first 50 of " in format_chains(chains)
    small = find_chains(graph, "node 0", "node 1", max_hops=2, limit=n)
    assert len(small) == 1 + (n - 2) and not small.truncated


@pytest.mark.parametrize("hops", [1, 2, 3])
def test_a_capped_search_at_a_hub_says_how_many_chains_it_did_not_follow(hops: int) -> None:
    """A hub: node 0 links to every node, every node to every other. The chains within the hops are
    the simple paths networkx lists; the search lists ``limit`` and counts the rest."""
    n, limit = 30, 20
    graph = _synthetic([(u, v) for u in range(n) for v in range(n) if u != v], n)
    source, target = f"{ns.ENTITY}n0", f"{ns.ENTITY}n1"
    exist = sum(1 for _ in nx.all_simple_edge_paths(graph, source, target, cutoff=hops))
    chains = find_chains(graph, source, target, max_hops=hops, limit=limit)
    assert chains.total == exist and chains.total_exact
    if exist > limit:
        assert chains.truncated and len(chains) == limit and chains.not_followed == exist - limit
        line = f"showing the first {limit} of {exist:,} chains: {exist - limit:,} not followed"
        assert line in format_chains(chains)
        search = json.loads(format_chains(chains, "json"))
        assert (search["total"], search["not_followed"], len(search["chains"])) == (
            exist,
            exist - limit,
            limit,
        )
    else:
        assert not chains.truncated and chains.not_followed == 0 and len(chains) == exist


def test_beyond_three_hops_the_count_is_an_upper_bound() -> None:
    n = 8
    graph = _synthetic([(u, v) for u in range(n) for v in range(n) if u != v], n)
    source, target = f"{ns.ENTITY}n0", f"{ns.ENTITY}n1"
    exist = sum(1 for _ in nx.all_simple_edge_paths(graph, source, target, cutoff=5))
    chains = find_chains(graph, source, target, max_hops=5, limit=10)
    assert chains.truncated and not chains.total_exact and chains.total >= exist
    assert "of at most " in format_chains(chains)


def test_negated_assertions_are_not_hops() -> None:
    graph = _synthetic([(0, 1), (1, 2)], 3)
    assert find_chains(graph, "node 0", "node 2")
    for _, _, data in graph.edges(data=True):
        data["negated"] = True
    assert not find_chains(graph, "node 0", "node 2")


# --- rankings ----------------------------------------------------------------------------------------


def _expected_counts(seed_data: dict[str, Any], measure: str) -> Counter[str]:
    causal = {slug for slug, r in load_vocabulary().relations.items() if r.causal}
    remedy = {slug for slug, r in load_vocabulary().relations.items() if r.remedy}
    claims = [c for c in seed_data["claims"] if not c.get("negated", False) or measure == "claims"]
    counts: Counter[str] = Counter()
    for c in claims:
        if measure == "claims":
            counts.update({c["subject"], c["object"]})
        elif measure == "caused" and c["relation"] in causal:
            counts[c["object"]] += 1
        elif measure == "causes" and c["relation"] in causal:
            counts[c["subject"]] += 1
        elif measure == "remedied" and c["relation"] in remedy:
            counts[c["object"]] += 1
    return counts


@pytest.mark.parametrize("measure", ["claims", "caused", "causes", "remedied"])
def test_count_measures_match_the_annotation_file(
    seed_graph: nx.MultiDiGraph, seed_data: dict[str, Any], measure: str
) -> None:
    expected = _expected_counts(seed_data, measure)
    rows = rank_entities(seed_graph, measure)
    assert {r.entity.removeprefix(ns.ENTITY): r.value for r in rows} == dict(expected)
    best = max(expected.values())
    leaders = {seed_data["entities"][e]["label"] for e, n in expected.items() if n == best}
    assert {r.label for r in rows if r.position == 1} == leaders
    assert rows[0].label == min(leaders, key=str.casefold)  # ties: by label
    assert all(r.measure == measure for r in rows)


def test_seed_leaders(seed_graph: nx.MultiDiGraph) -> None:
    def leaders(measure: str) -> set[str]:
        return {r.label for r in rank_entities(seed_graph, measure) if r.position == 1}

    assert "lower back pain" in leaders("caused")
    assert "back pain" in leaders("remedied")
    assert leaders("causes") == {"herpes"}


def _tiny(edges: list[tuple[str, str]]) -> nx.MultiDiGraph:
    """A projection-shaped graph whose nodes are named by their labels; one assertion per edge."""
    graph = nx.MultiDiGraph()
    for name in sorted({n for e in edges for n in e}):
        graph.add_node(ns.ENTITY + name, label=name, type="disease")
    for j, (u, v) in enumerate(edges):
        graph.add_edge(ns.ENTITY + u, ns.ENTITY + v, key=f"{ns.ASSERTION}{j:06d}", **_edge())
    return graph


def test_pagerank_puts_the_node_everyone_points_at_first() -> None:
    graph = _tiny([(leaf, "hub") for leaf in "abcd"] + [("hub", "a")])
    rows = rank_entities(graph, "pagerank")
    assert [r.label for r in rows[:2]] == ["hub", "a"]  # a is the hub's only successor
    assert [(r.position, r.label) for r in rows[2:]] == [(3, "b"), (3, "c"), (3, "d")]  # same place: tied
    assert sum(r.value for r in rows) == pytest.approx(1.0)


def test_pagerank_spreads_dangling_nodes_and_weighs_parallel_assertions() -> None:
    # x asserts something about y twice and about z once; y and z assert nothing (dangling), so with
    # damping d their rank goes back to all three nodes evenly. By hand: x = (1 - d + d(1 - x)) / 3, so
    # x = 1 / (3 + d); y and z add d·x·2/3 and d·x·1/3 to that, as the two assertions weigh twice one.
    d = 0.85
    x = 1 / (3 + d)
    rows = rank_entities(_tiny([("x", "y"), ("x", "y"), ("x", "z")]), "pagerank")
    assert {r.label: r.value for r in rows} == pytest.approx(
        {"x": x, "y": x * (1 + d * 2 / 3), "z": x * (1 + d / 3)}, abs=1e-5
    )
    assert [r.label for r in rows] == ["y", "z", "x"]
    assert rank_entities(nx.MultiDiGraph(), "pagerank") == []


def test_rank_ties_share_a_position_and_top_cuts(seed_graph: nx.MultiDiGraph) -> None:
    rows = rank_entities(seed_graph, "causes")
    positions = [r.position for r in rows]
    assert positions[0] == 1 and positions == sorted(positions)
    assert all(
        b.position == (a.position if a.value == b.value else i + 2)
        for i, (a, b) in enumerate(itertools.pairwise(rows))
    )
    assert rank_entities(seed_graph, "causes", top=3) == rows[:3]
    with pytest.raises(ValueError, match="unknown measure 'popularity'"):
        rank_entities(seed_graph, "popularity")


def test_rank_command_names_its_measure(seed_cli: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rank", "--measure", "caused", "--top", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("entities by caused: ")
    assert lines[2].split() == ["#", "entity", "type", "caused"]
    assert len([line for line in lines[4:] if line.strip()]) == 3
    assert main(["rank", "--measure", "remedied", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(r["measure"] == "remedied" for r in rows) and rows[0]["label"] == "back pain"


def test_rank_choices_are_the_measures() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices["rank"]  # type: ignore[index]
    measure = next(a for a in sub._actions if a.dest == "measure")
    assert list(measure.choices) == list(MEASURES)


@pytest.mark.parametrize("command", ["chains", "rank"])
def test_help_has_examples(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert f"examples:\n  medkg {command}" in capsys.readouterr().out


def test_readme_shows_the_chains_as_medkg_prints_them(
    seed_cli: None, capsys: pytest.CaptureFixture[str]
) -> None:
    command = '$ medkg chains herpes "lower back pain"\n'
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    shown = readme.split(command, 1)[1].split("```", 1)[0]
    assert main(["chains", "herpes", "lower back pain"]) == 0
    assert capsys.readouterr().out == shown
