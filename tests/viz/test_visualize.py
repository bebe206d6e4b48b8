"""The interactive page, without a browser: its bytes, its data, the view helpers and ``medkg viz``.

What the page does once a browser runs it is tested in ``test_browser.py``.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest

import graph_builder.viz.visualize as visualize
from graph_builder.analysis.network import to_networkx
from graph_builder.cli import main
from graph_builder.core import namespaces as ns
from graph_builder.core.paths import SEED_ANNOTATION
from graph_builder.core.results import ResultTable
from graph_builder.core.vocabulary import load_vocabulary
from graph_builder.ingest.annotations import load_annotation
from graph_builder.kg.build import build_example
from graph_builder.sparql.runner import run_query
from graph_builder.viz.drawing import EVIDENCE_COLOURS
from graph_builder.viz.view import (
    DEFAULT_MAX_EDGES,
    DEFAULT_MAX_NODES,
    cap_graph,
    filter_graph,
    focus_subgraph,
    select_results,
    select_view,
)
from graph_builder.viz.visualize import to_html, write_html

REPO = Path(__file__).resolve().parents[2]
HERPES = ns.ENTITY + "herpes"
LOWER_BACK_PAIN = ns.ENTITY + "lower-back-pain"


def _seed_claims_by_rank() -> list[tuple[int, Any]]:
    """The seed's claims with the rank of their (derived) evidence level, read from the file."""
    vocab = load_vocabulary()
    return [(vocab.evidence[c.evidence].rank, c) for c in load_annotation(SEED_ANNOTATION).claims]


CLAIM = "herpes-causes-lower-back-pain"
PAYLOAD = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
#: src= or href= pointing off the machine (http, https or protocol-relative //host).
EXTERNAL_REF = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
CDN_HOSTS = ("cdnjs", "jsdelivr", "unpkg", "googleapis", "gstatic", "bootstrapcdn", "cloudflare", "fonts.")


@pytest.fixture(scope="module")
def seed_graph() -> nx.MultiDiGraph:
    """The seed article as the networkx projection. Do not modify it: copy it first."""
    return to_networkx(build_example())


def page_data(page: str) -> dict[str, Any]:
    """The JSON the page carries (its one ``application/json`` script)."""
    match = re.search(r'<script type="application/json" id="medkg-data">(.*?)</script>', page, re.DOTALL)
    assert match, "the page has no medkg-data script"
    data = json.loads(match.group(1))
    assert isinstance(data, dict)
    return data


def edge_for(data: dict[str, Any], claim_id: str) -> dict[str, Any]:
    edge = next(e for e in data["edges"] if e["claimId"] == claim_id)
    assert isinstance(edge, dict)
    return edge


def poisoned(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of the graph with markup in every kind of annotation text the page shows."""
    g = copy.deepcopy(graph)
    for _, _, d in g.edges(data=True):
        if d["claim_id"] == CLAIM:
            d["quote"] = f"Quote {PAYLOAD} end"
            d["rationale"] = f"Why {PAYLOAD}"
            d["source_title"] = f"Title {PAYLOAD}"
            d["hedges"] = [*d["hedges"], {"text": PAYLOAD, "type": "speculation"}]
    g.nodes[HERPES]["label"] = f"herpes {PAYLOAD}"
    g.nodes[HERPES]["synonyms"] = [PAYLOAD]
    g.nodes[HERPES]["groundings"] = [{"curie": "X:1", "label": PAYLOAD, "match": "exact"}]
    return g


# --- the page's bytes ------------------------------------------------------------------------------


def test_same_graph_gives_byte_identical_html(seed_graph: nx.MultiDiGraph) -> None:
    again = to_networkx(build_example())  # a fresh build, not the same object
    assert to_html(seed_graph) == to_html(again)


def test_regression_the_page_does_not_read_pyvis_files(seed_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    # vis-network used to be read from a private path inside the installed pyvis; it now ships in
    # graph_builder/viz/page/. A None entry in sys.modules makes pyvis unimportable and unfindable.
    out = tmp_path / "graph.html"
    code = (
        "import sys; sys.modules['pyvis'] = None\n"
        "from graph_builder.kg.build import build_example\n"
        "from graph_builder.analysis.network import to_networkx\n"
        "from graph_builder.viz.visualize import write_html\n"
        "write_html(to_networkx(build_example()), sys.argv[1])\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-c", code, str(out)], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8") == to_html(seed_graph)


def test_page_references_nothing_outside_itself(seed_graph: nx.MultiDiGraph) -> None:
    page = to_html(seed_graph)
    assert not EXTERNAL_REF.findall(page)
    assert not re.search(r"<link\b", page, re.IGNORECASE), "stylesheets must be inline"
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", page, re.IGNORECASE), "scripts must be inline"
    assert not re.search(r"@import|url\(\s*['\"]?\s*(?:https?:)?//", page, re.IGNORECASE)
    assert "sourceMappingURL" not in page
    lowered = page.lower()
    assert [host for host in CDN_HOSTS if host in lowered] == []


def test_regression_a_cdn_link_is_caught() -> None:
    # The checks above must see the links pyvis's own template adds.
    for tag in (
        '<link href="https://cdn.jsdelivr.net/npm/bootstrap@5.0.0/dist/css/bootstrap.min.css">',
        '<script src="https://cdnjs.cloudflare.com/ajax/libs/vis-network/9.1.2/dist/vis-network.min.js"></script>',
        "<script src='//unpkg.com/vis-network'></script>",
    ):
        assert EXTERNAL_REF.search(tag)


def test_content_security_policy_allows_exactly_the_inline_scripts(seed_graph: nx.MultiDiGraph) -> None:
    page = to_html(seed_graph)
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page)
    assert csp, "the page must carry a Content-Security-Policy"
    policy = csp.group(1).replace("&#x27;", "'")
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    scripts = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    assert len(scripts) == 2  # vis-network and the page's own code
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
        assert f"'sha256-{digest}'" in policy


def test_untrusted_text_is_never_markup(seed_graph: nx.MultiDiGraph) -> None:
    page = to_html(poisoned(seed_graph), title=f"Title {PAYLOAD}")
    assert "<script>window" not in page and "<img" not in page
    assert "<title>Title &lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert page.count("</script>") == 3  # the data, vis-network and the page's code: nothing closes early
    data = page_data(page)
    edge = edge_for(data, CLAIM)
    assert edge["quote"] == f"Quote {PAYLOAD} end"  # the text survives exactly, as data
    assert data["title"] == f"Title {PAYLOAD}"


def test_page_code_writes_text_never_html() -> None:
    # The detail panel and tooltips are built from text nodes; no HTML-parsing sink may appear.
    assert not re.search(
        r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(", visualize.page_asset("app.js")
    )


# --- the page's data -------------------------------------------------------------------------------


def test_page_draws_every_entity_and_claim(seed_graph: nx.MultiDiGraph) -> None:
    data = page_data(to_html(seed_graph))
    assert (
        len(data["nodes"]) == seed_graph.number_of_nodes() == len(load_annotation(SEED_ANNOTATION).entities)
    )
    assert len(data["edges"]) == seed_graph.number_of_edges() == len(load_annotation(SEED_ANNOTATION).claims)
    assert {e["id"] for e in data["edges"]} == {k for _, _, k in seed_graph.edges(keys=True)}


def test_edge_carries_what_its_detail_panel_shows(seed_graph: nx.MultiDiGraph) -> None:
    edge = edge_for(page_data(to_html(seed_graph)), CLAIM)
    assert "not supported with any medical researches" in edge["quote"]
    assert (edge["evidenceLabel"], edge["rank"], edge["stanceLabel"]) == (
        "explicitly unsupported",
        1,
        "disclaimed",
    )
    assert edge["rationale"] and edge["sourceTitle"] == "Does Herpes Cause Lower Back Pain?"
    assert edge["relationLabel"] == "causes"
    assert {h["type"] for h in edge["hedges"]} == {"disclaimer", "condition", "speculation"}
    assert edge["color"] == EVIDENCE_COLOURS[1] and edge["dashes"] and edge["marker"] == "circle"


def test_legend_lists_every_evidence_level_in_rank_order(seed_graph: nx.MultiDiGraph) -> None:
    page = to_html(seed_graph)
    data = page_data(page)
    assert [lv["rank"] for lv in data["levels"]] == list(range(1, 9))
    assert data["levels"][0]["label"] == "explicitly unsupported"
    assert [lv["color"] for lv in data["levels"]] == [EVIDENCE_COLOURS[r] for r in range(1, 9)]
    assert sum(lv["count"] for lv in data["levels"]) == len(load_annotation(SEED_ANNOTATION).claims)
    assert [s["slug"] for s in data["stances"]] == [
        "asserted",
        "hedged",
        "conditional",
        "disclaimed",
        "negated",
    ]
    assert {t["slug"] for t in data["types"]} == {d["type"] for _, d in seed_graph.nodes(data=True)}
    for section in ('id="f-evidence"', 'id="f-stance"', 'id="f-type"', 'id="f-relation"', 'id="chains"'):
        assert section in page


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_evidence_palette_darkens_from_weakest_to_strongest() -> None:
    # A sequential scale reads as an order without colour vision: lightness alone must rank the levels.
    values = [_luminance(EVIDENCE_COLOURS[rank]) for rank in range(1, 9)]
    assert values == sorted(values, reverse=True)
    assert len(set(EVIDENCE_COLOURS.values())) == 8


def test_negated_and_disclaimed_claims_look_different(seed_graph: nx.MultiDiGraph) -> None:
    g = copy.deepcopy(seed_graph)
    for _, _, d in g.edges(data=True):
        if d["claim_id"] == "exercise-strengthens-immune-system":
            d["negated"] = True
    data = page_data(to_html(g))
    negated = edge_for(data, "exercise-strengthens-immune-system")
    disclaimed = edge_for(data, CLAIM)
    asserted = edge_for(data, "cancer-causes-back-pain")
    assert (negated["marker"], disclaimed["marker"], asserted["marker"]) == ("bar", "circle", None)
    assert negated["dashes"] and asserted["dashes"] is False
    assert (
        edge_for(data, "stretching-alleviates-back-pain")["dashes"]
        != edge_for(data, "poor-treatment-causes-complications")["dashes"]
    )  # hedged and conditional differ too
    assert next(s["count"] for s in data["stances"] if s["slug"] == "negated") == 1


def test_stated_chain_is_listed_with_its_steps_in_order(seed_graph: nx.MultiDiGraph) -> None:
    data = page_data(to_html(seed_graph))
    (chain,) = data["chains"]
    assert chain["id"] == "herpes-nerve-pain-lower-back-pain" and chain["length"] == 2
    assert chain["path"] == ["herpes", "nerve pain", "lower back pain"]
    steps = [next(e for e in data["edges"] if e["id"] == step) for step in chain["steps"]]
    assert [e["claimId"] for e in steps] == [
        "herpes-associated-with-nerve-pain",
        "nerve-pain-causes-lower-back-pain",
    ]
    assert [e["chains"][0]["position"] for e in steps] == [1, 2]


def test_parallel_claims_curve_apart(seed_graph: nx.MultiDiGraph) -> None:
    data = page_data(to_html(seed_graph))
    between = [e for e in data["edges"] if {e["from"], e["to"]} == {HERPES, LOWER_BACK_PAIN}]
    assert len(between) == 3
    shapes = {json.dumps(e["smooth"], sort_keys=True) for e in between}
    assert len(shapes) == 3, "three claims between the same entities must not be drawn on top of each other"


def test_edge_width_counts_the_sources_stating_the_proposition(seed_graph: nx.MultiDiGraph) -> None:
    g = copy.deepcopy(seed_graph)
    u, v, d = next((u, v, d) for u, v, d in g.edges(data=True) if d["claim_id"] == CLAIM)
    g.add_edge(u, v, key="urn:second-source", **{**d, "source": "urn:another-source", "claim_id": "copy"})
    widths = {e["claimId"]: (e["sources"], e["width"]) for e in page_data(to_html(g))["edges"]}
    assert widths[CLAIM][0] == widths["copy"][0] == 2
    assert widths[CLAIM][1] > widths["herpes-associated-with-nerve-pain"][1]


# --- choosing what to draw -------------------------------------------------------------------------


def test_focus_keeps_the_neighbourhood_and_leaves_the_input_alone(seed_graph: nx.MultiDiGraph) -> None:
    before = (seed_graph.number_of_nodes(), seed_graph.number_of_edges())
    one = focus_subgraph(seed_graph, "HSV infection", depth=1)  # a synonym of herpes
    two = focus_subgraph(seed_graph, HERPES, depth=2)
    assert HERPES in one and ns.ENTITY + "hsv-1" not in one and ns.ENTITY + "hsv-1" in two
    assert set(one) < set(two) < set(seed_graph)
    assert list(focus_subgraph(seed_graph, "herpes", depth=0)) == [HERPES]
    assert (seed_graph.number_of_nodes(), seed_graph.number_of_edges()) == before
    one.nodes[HERPES]["synonyms"].append("changed")
    assert "changed" not in seed_graph.nodes[HERPES]["synonyms"]


def test_focus_names_an_unknown_entity(seed_graph: nx.MultiDiGraph) -> None:
    with pytest.raises(ValueError, match=r"unknown entity 'herpse'.*herpes"):
        focus_subgraph(seed_graph, "herpse")
    with pytest.raises(ValueError, match="depth"):
        focus_subgraph(seed_graph, "herpes", depth=-1)


def test_filter_by_evidence_relation_stance_and_claim(seed_graph: nx.MultiDiGraph) -> None:
    strong = filter_graph(seed_graph, min_rank=3)
    assert {d["rank"] for _, _, d in strong.edges(data=True)} == {3}
    expected = sum(rank >= 3 for rank, _ in _seed_claims_by_rank())
    assert 0 < strong.number_of_edges() == expected < seed_graph.number_of_edges()
    assert all(strong.degree(n) for n in strong)
    causes = filter_graph(seed_graph, relations={"causes"}, stances={"disclaimed"})
    assert sorted(d["claim_id"] for _, _, d in causes.edges(data=True)) == [
        "herpes-causes-lower-back-pain",
        "nerve-pain-causes-lower-back-pain",
    ]
    by_id = filter_graph(seed_graph, claims={CLAIM}, keep_isolates=True)
    assert by_id.number_of_edges() == 1 and by_id.number_of_nodes() == seed_graph.number_of_nodes()
    by_type = filter_graph(seed_graph, entity_types={"disease", "sign-or-symptom"})
    assert {d["type"] for _, d in by_type.nodes(data=True)} == {"disease", "sign-or-symptom"}


def test_select_results_uses_the_claim_column(seed_graph: nx.MultiDiGraph) -> None:
    store = build_example()
    view = select_results(seed_graph, run_query("unsupported-claims", store, {"maxRank": "1"}))
    expected = sum(rank == 1 for rank, _ in _seed_claims_by_rank())
    assert view.number_of_edges() == expected >= 3 and {d["rank"] for _, _, d in view.edges(data=True)} == {1}


def test_select_results_falls_back_to_entities(seed_graph: nx.MultiDiGraph) -> None:
    table = ResultTable(
        ("e",), ((ox.NamedNode(HERPES),), (ox.NamedNode(LOWER_BACK_PAIN),), (ox.Literal("x"),))
    )
    view = select_results(seed_graph, table)
    assert set(view) == {HERPES, LOWER_BACK_PAIN} and view.number_of_edges() == 3
    with pytest.raises(ValueError, match="no claim column"):
        select_results(seed_graph, ResultTable(("n",), ((ox.Literal(1),),)))


def test_select_view_says_what_it_shows(seed_graph: nx.MultiDiGraph) -> None:
    view, caption = select_view(seed_graph, focus="lumbago", depth=1, min_evidence="speculative")
    assert caption == "within 1 claim of lower back pain; evidence at least speculative (rank 2)"
    # The floor drops the rank 1 claims that touch lower back pain (herpes and nerve pain, which the
    # article disclaims), the focus drops everything further away, and the view holds what is left.
    expected = sorted(
        (ns.entity_iri(c.subject), ns.entity_iri(c.object), c.relation)
        for rank, c in _seed_claims_by_rank()
        if rank >= 2 and "lower-back-pain" in (c.subject, c.object)
    )
    assert sorted((u, v, d["relation"]) for u, v, d in view.edges(data=True)) == expected
    assert len(expected) >= 2 and any(
        rank == 1 and "lower-back-pain" in (c.subject, c.object) for rank, c in _seed_claims_by_rank()
    )
    assert set(view) == {LOWER_BACK_PAIN} | {e for u, v, _ in expected for e in (u, v)}
    assert select_view(seed_graph) == (seed_graph, None)


# --- the scale guard -------------------------------------------------------------------------------


def _big_graph(n: int) -> nx.MultiDiGraph:
    """A binary tree of n entities; entity i has i % 7 claims and claim i has rank 1 + i % 8."""
    g = nx.MultiDiGraph()
    for i in range(n):
        node = {"label": f"entity {i}", "type": "disease", "synonyms": [], "groundings": [], "claims": i % 7}
        g.add_node(f"urn:e{i}", **node)
    for i in range(1, n):
        edge = {"claim_id": f"c{i}", "relation": "causes", "rank": 1 + i % 8, "stance": "asserted",
                "quote": "q", "proposition": f"urn:p{i}", "source": "urn:s", "chains": []}  # fmt: skip
        g.add_edge(f"urn:e{i}", f"urn:e{i // 2}", key=f"urn:a{i}", **edge)
    return g


def test_large_graphs_are_cut_to_max_nodes_with_a_visible_note() -> None:
    big = _big_graph(1000)
    data = page_data(to_html(big))
    assert len(data["nodes"]) == DEFAULT_MAX_NODES
    assert data["total"] == {"nodes": 1000, "edges": 999}
    assert "300 entities with the most claims out of 1,000" in data["cap"] and "--focus" in data["cap"]
    kept = {n["id"] for n in data["nodes"]}
    assert all(e["from"] in kept and e["to"] in kept for e in data["edges"])
    assert data["options"]["physics"]["stabilization"]["iterations"] < 1000  # big views settle sooner


def test_thousands_of_claims_between_a_few_entities_are_cut_per_connection() -> None:
    g = nx.MultiDiGraph()
    for node in ("urn:hub1", "urn:hub2", "urn:leaf"):
        g.add_node(node, label=node, type="disease", synonyms=[], groundings=[], claims=1)
    edge = {"quote": "q", "source": "urn:s", "stance": "asserted", "chains": []}
    for i in range(3000):  # two hubs, thousands of claims of two relations between them
        rel = "causes" if i % 3 else "prevents"
        g.add_edge("urn:hub1", "urn:hub2", key=f"urn:a{i:04}", **edge, relation=rel, rank=1 + i % 8,
                   claim_id=f"a{i}", proposition=f"urn:p-{rel}")  # fmt: skip
    g.add_edge(
        "urn:hub2",
        "urn:leaf",
        key="urn:z",
        **edge,
        relation="causes",
        rank=1,
        claim_id="z",
        proposition="urn:q",
    )
    data = page_data(to_html(g))
    assert len(data["edges"]) == DEFAULT_MAX_EDGES and data["total"]["edges"] == 3001
    assert len(data["nodes"]) == 3  # no entity is cut for it
    kept = {(e["from"], e["to"], e["relation"]) for e in data["edges"]}
    assert ("urn:hub2", "urn:leaf", "causes") in kept and ("urn:hub1", "urn:hub2", "prevents") in kept
    # Within a connection, the best-evidenced claims are the ones kept.
    prevents = sorted(e["rank"] for e in data["edges"] if e["relation"] == "prevents")
    dropped = [d["rank"] for _, _, d in g.edges(data=True) if d["relation"] == "prevents"]
    assert min(prevents) >= max(sorted(dropped)[: len(dropped) - len(prevents)], default=0)
    assert f"{DEFAULT_MAX_EDGES:,} of 3,001 claims" in data["cap"] and "best-evidenced" in data["cap"]
    assert "entities with the most claims" not in data["cap"]
    with pytest.raises(ValueError, match="max_edges"):
        to_html(g, max_edges=0)


def test_max_nodes_cut_keeps_the_busiest_entities(seed_graph: nx.MultiDiGraph) -> None:
    capped, note = cap_graph(seed_graph, 2)
    assert set(capped) == {ns.ENTITY + "back-pain", LOWER_BACK_PAIN}  # 7 claims each; herpes has 6
    assert note is not None and f"out of {seed_graph.number_of_nodes()}" in note
    assert cap_graph(seed_graph, seed_graph.number_of_nodes()) == (seed_graph, None)
    with pytest.raises(ValueError, match="max_nodes"):
        to_html(seed_graph, max_nodes=0)


def test_small_graphs_have_no_cut_note(seed_graph: nx.MultiDiGraph) -> None:
    assert page_data(to_html(seed_graph))["cap"] is None


# --- files and the command line --------------------------------------------------------------------


def test_write_html_writes_the_page_atomically(seed_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    target = tmp_path / "deep" / "graph.html"
    assert write_html(seed_graph, target, title="Seed") == target
    assert target.read_text(encoding="utf-8") == to_html(seed_graph, title="Seed")
    assert [p.name for p in target.parent.iterdir()] == ["graph.html"]


@pytest.fixture
def seed_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder without out/medkg.trig, so ``medkg viz`` draws the seed example."""
    monkeypatch.chdir(tmp_path)
    for name in ("MEDKG_GRAPH", "MEDKG_STORE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_cli_viz_writes_out_graph_html(seed_cwd: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["viz"]) == 0
    assert capsys.readouterr().out.strip() == str(Path("out") / "graph.html")
    assert len(page_data((seed_cwd / "out" / "graph.html").read_text(encoding="utf-8"))["edges"]) == len(
        load_annotation(SEED_ANNOTATION).claims
    )


def test_cli_viz_focus_and_evidence(seed_cwd: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = seed_cwd / "focus.html"
    assert main(["viz", "--focus", "herpes", "--depth", "1", "--min-evidence", "3", "--out", str(out)]) == 0
    data = page_data(out.read_text(encoding="utf-8"))
    assert {e["rank"] for e in data["edges"]} == {3} and "within 1 claim of herpes" in data["caption"]


def test_cli_viz_query(seed_cwd: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = seed_cwd / "q.html"
    assert main(["viz", "--query", "claims-about", "--param", "entity=hsv-1", "--out", str(out)]) == 0
    data = page_data(out.read_text(encoding="utf-8"))
    assert [e["claimId"] for e in data["edges"]] == ["hsv-1-causes-lower-back-pain"]
    assert "query claims-about (entity=hsv-1)" in data["caption"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--focus", "herpse"], "unknown entity 'herpse'; close matches: herpes"),
        (["--min-evidence", "gossip"], "unknown evidence level 'gossip'"),
        (["--query", "no-such-query"], "no query named 'no-such-query'"),
        (["--param", "entity=herpes"], "--param needs --query"),
        (["--query", "claims-about", "--param", "nope=1"], "has no parameter 'nope'"),
    ],
)
def test_cli_viz_errors_name_the_problem(
    seed_cwd: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["viz", *argv]) == 1
    assert message in capsys.readouterr().err
    assert not (seed_cwd / "out" / "graph.html").exists()


def test_cli_viz_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["viz", "--help"])
    text = capsys.readouterr().out
    assert "examples:" in text and "--focus herpes --depth 2" in text and "--query" in text
