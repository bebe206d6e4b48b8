"""Chains know their sources: each step names its source, a chain joining claims of several sources says
so, and one that passes an entity only because two sources' claims meet there is inferred across sources.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from graph_builder.analysis.chains import find_chains, format_chains
from graph_builder.analysis.network import to_networkx
from graph_builder.cli import main
from graph_builder.core import namespaces as ns
from graph_builder.kg.export import to_trig

SEED = "does-herpes-cause-lower-back-pain"
HSV2_PAGE = "hsv-2-and-the-sacral-nerves"
SHINGLES_PAGE, MYTH_CHECK = "shingles-and-back-pain", "myth-check-herpes-and-back-pain"
HERPES, NERVE_INFLAMMATION, LBP = (ns.ENTITY + e for e in ("herpes", "nerve-inflammation", "lower-back-pain"))
CHICKENPOX, SHINGLES, BACK_PAIN = (ns.ENTITY + e for e in ("chickenpox", "herpes-zoster", "back-pain"))
STEP = re.compile(r"^  \d+\. .*  \[(?P<claim>[^]]+)\]  from (?P<source>\S+)$")


@pytest.fixture(scope="module")
def seed_graph(seed_store: ox.Store) -> nx.MultiDiGraph:
    return to_networkx(seed_store)


@pytest.fixture(scope="module")
def corpus_graph(corpus_store: ox.Store) -> nx.MultiDiGraph:
    return to_networkx(corpus_store)


def test_every_step_of_a_single_source_chain_names_its_source(seed_graph: nx.MultiDiGraph) -> None:
    chains = find_chains(seed_graph, "herpes", "lower back pain")
    text = format_chains(chains)
    steps = [line for line in text.splitlines() if re.match(r"^  \d+\. ", line)]
    assert len(steps) == sum(c.hop_count for c in chains) == 4
    assert all((m := STEP.match(line)) and m["source"] == SEED for line in steps), steps
    # Nothing else is new for one source: no chain says it joins sources.
    assert "sources" not in text and not any(c.cross_source or c.meets_at for c in chains)
    rows = json.loads(format_chains(chains, "json"))["chains"]
    assert all(r["sources"] == [SEED] and r["cross_source"] is False for r in rows)
    assert all(r["inferred_across_sources"] is False and r["meets_at"] == [] for r in rows)
    assert {(s["source"], s["source_title"]) for r in rows for s in r["steps"]} == {
        (SEED, "Does Herpes Cause Lower Back Pain?")
    }


def test_a_chain_whose_sources_meet_at_an_entity_is_inferred_across_sources(
    corpus_graph: nx.MultiDiGraph,
) -> None:
    # The seed says herpes causes inflammation in the nerves; only the HSV-2 page says that this
    # inflammation causes lower back pain.
    chains = find_chains(corpus_graph, "herpes", "lower back pain")
    [joined] = [c for c in chains if c.nodes == (HERPES, NERVE_INFLAMMATION, LBP)]
    assert [h.source_id for h in joined.hops] == [SEED, HSV2_PAGE]
    assert joined.kind == "inferred" and joined.cross_source and joined.meets_at == (NERVE_INFLAMMATION,)
    text = format_chains(chains)
    header = next(
        line for line in text.splitlines() if line.startswith("herpes → inflammation in the nerves")
    )
    assert (
        f"[inferred across sources: joins claims of 2 sources ({SEED}, {HSV2_PAGE}), "
        "meeting at inflammation in the nerves]" in header
    )
    block = text.split(header)[1].split("\n\n")[0]
    assert [m["source"] for line in block.splitlines() if (m := STEP.match(line))] == [SEED, HSV2_PAGE]
    # The stated chain and the direct claims of the seed read as before.
    assert f"[stated by {SEED}]" in text and f"[single claim of {SEED}]" in text


def test_an_entity_one_source_links_on_both_sides_is_not_where_sources_meet(
    corpus_graph: nx.MultiDiGraph,
) -> None:
    """Chickenpox → shingles comes from the shingles page, shingles → back pain from the myth check; but
    the shingles page also says shingles causes back pain, so shingles does not join two sources' claims
    alone. Take that claim away and it does."""
    [mixed] = [
        c
        for c in find_chains(corpus_graph, "chickenpox", "back pain")
        if c.nodes == (CHICKENPOX, SHINGLES, BACK_PAIN) and c.sources == (SHINGLES_PAGE, MYTH_CHECK)
    ]
    assert mixed.cross_source and mixed.meets_at == ()
    header = format_chains(find_chains(corpus_graph, "chickenpox", "back pain")).splitlines()
    assert (
        f"chickenpox → shingles → back pain  [inferred: joins claims of 2 sources ({SHINGLES_PAGE}, {MYTH_CHECK})]"
        in "\n".join(header)
    )

    graph = copy.deepcopy(corpus_graph)
    bridge = [
        (u, v, k)
        for u, v, k, d in graph.edges(keys=True, data=True)
        if (u, v) == (SHINGLES, BACK_PAIN) and d["source"] == ns.SOURCE + SHINGLES_PAGE
    ]
    assert bridge
    graph.remove_edges_from(bridge)
    [alone] = [
        c
        for c in find_chains(graph, "chickenpox", "back pain")
        if c.nodes == (CHICKENPOX, SHINGLES, BACK_PAIN)
    ]
    assert alone.sources == (SHINGLES_PAGE, MYTH_CHECK) and alone.meets_at == (SHINGLES,)
    assert alone.meeting_labels() == ("shingles",)


def test_chains_command_flags_cross_source_chains_in_json(
    corpus_store: ox.Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trig = tmp_path / "corpus.trig"
    trig.write_bytes(to_trig(corpus_store))
    assert main(["chains", "herpes", "lower back pain", "--graph", str(trig), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["chains"]
    [joined] = [r for r in rows if r["nodes"] == [HERPES, NERVE_INFLAMMATION, LBP]]
    assert joined["sources"] == [SEED, HSV2_PAGE] and joined["cross_source"] is True
    assert joined["inferred_across_sources"] is True
    assert joined["meets_at"] == [{"entity": NERVE_INFLAMMATION, "label": "inflammation in the nerves"}]
    assert [s["source"] for s in joined["steps"]] == [SEED, HSV2_PAGE]
    assert all(r["inferred_across_sources"] is False for r in rows if r is not joined)
