"""The page in a real browser: it loads nothing, draws every claim, shows a claim's quote and evidence,
filters by evidence level, highlights a stated chain, and never runs the text of an annotation.

Needs the playwright package and Chromium (``/usr/bin/chromium``, or ``$MEDKG_CHROMIUM``); never run
``playwright install``. Without them these tests skip, unless ``MEDKG_REQUIRE_BROWSER=1`` (set it in CI)
turns the missing browser into a failure.
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import pyoxigraph as ox
import pytest

from graph_builder.analysis.network import to_networkx
from graph_builder.core import namespaces as ns
from graph_builder.core.paths import SEED_ANNOTATION
from graph_builder.ingest.annotations import load_annotation
from graph_builder.kg.build import build_example
from graph_builder.viz.view import filter_graph
from graph_builder.viz.visualize import write_html

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

CLAIM = "herpes-causes-lower-back-pain"
QUOTE_PART = "not supported with any medical researches"
PAYLOAD = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
EXTERNAL_REF = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
LOCAL_URL = re.compile(r"^(?:file|data|about|blob):")

# A point on an edge that the network's own hit-testing resolves to that edge and to no node.
_POINT_ON_EDGE = """(id) => {
  const net = medkg.network, edge = net.body.edges[id];
  // from the middle outwards, in steps of 2.5 % of the edge
  const ts = Array.from({length: 33}, (_, i) => 0.5 + (i % 2 ? 1 : -1) * Math.ceil(i / 2) * 0.025);
  for (const t of ts) {
    const dom = net.canvasToDOM(edge.edgeType.getPoint(t));
    if (net.getEdgeAt(dom) === id && net.getNodeAt(dom) === undefined) { return dom; }
  }
  return null;
}"""

_SELECT_EDGE = (
    "(id) => { medkg.network.selectEdges([id]); medkg.network.emit('click', {nodes: [], edges: [id]}); }"
)
# How much of the canvas is drawn, in how many colours, and which node centres are left blank.
_CANVAS_PIXELS = """() => {
  const net = medkg.network, canvas = document.querySelector('#graph canvas');
  const {width, height} = canvas, data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
  const scale = width / canvas.clientWidth, alpha = (x, y) => data[(y * width + x) * 4 + 3];
  let drawn = 0;
  const colours = new Set();
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0) { drawn++; colours.add(`${data[i] >> 4},${data[i + 1] >> 4},${data[i + 2] >> 4}`); }
  }
  const centres = Object.entries(net.getPositions()).map(([id, p]) => [id, net.canvasToDOM(p)]);
  const blank = centres.filter(([, d]) => !alpha(Math.round(d.x * scale), Math.round(d.y * scale)))
    .map(([id]) => id);
  return {width, height, drawn, colours: colours.size, checked: centres.length, blank};
}"""
# The claims (assertion edges) hidden, not the arrows of the one-per-proposition view.
_HIDDEN_IDS = """() => medkg.data.edges.filter((d) => medkg.edges.get(d.id).hidden).map((d) => d.id)"""
_HIDDEN_RANKS = """() => medkg.data.edges.filter((d) => medkg.edges.get(d.id).hidden).map((d) => d.rank)"""


@pytest.fixture(scope="module")
def seed_graph() -> nx.MultiDiGraph:
    return to_networkx(build_example())


@pytest.fixture(scope="module")
def seed_html(seed_graph: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_html(seed_graph, tmp_path_factory.mktemp("page") / "graph.html", title="Seed article")


@dataclass
class Opened:
    """A page of the graph, settled, with every request it made and every error it logged."""

    page: Page
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def js(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)

    def edge_id(self, claim_id: str) -> str:
        found = self.js("(c) => medkg.edgeIdForClaim(c)", claim_id)
        assert isinstance(found, str), f"no edge for claim {claim_id}"
        return found

    def visible_edges(self) -> int:
        return int(self.js("() => medkg.visibleEdgeIds().length"))

    def click_edge(self, edge_id: str) -> None:
        """Click the edge with the real mouse, where the network itself says the edge is."""
        point = self.js(_POINT_ON_EDGE, edge_id)
        assert point is not None, "no point of the edge is free of other edges and nodes"
        box = self.page.locator("#graph").bounding_box()
        assert box is not None
        self.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])

    def select_edge(self, edge_id: str) -> None:
        """Select the edge through the vis-network API and tell the page, as a click would."""
        self.js(_SELECT_EDGE, edge_id)


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Any]:
    contexts = []

    def opener(path: Path) -> Opened:
        context = browser.new_context(viewport={"width": 1500, "height": 950})
        contexts.append(context)
        opened = Opened(context.new_page())
        context.on("request", lambda request: opened.requests.append(request.url))

        def block(route: Any) -> None:  # nothing may leave the machine, even if a test would miss it
            opened.blocked.append(route.request.url)
            route.abort()

        context.route(lambda url: not LOCAL_URL.match(url), block)
        opened.page.on("console", lambda msg: opened.errors.append(msg.text) if msg.type == "error" else None)
        opened.page.on("pageerror", lambda error: opened.errors.append(str(error)))
        opened.page.goto(path.as_uri())
        # A selector, not wait_for_function: the page's CSP forbids the eval that a string predicate needs.
        opened.page.wait_for_selector("body[data-ready=true]", state="attached", timeout=120_000)
        return opened

    yield opener
    for context in contexts:
        context.close()


def test_page_makes_no_network_request(open_page: Any, seed_html: Path) -> None:
    opened = open_page(seed_html)
    assert opened.requests, "the recorder saw no request at all"
    assert [url for url in opened.requests if not LOCAL_URL.match(url)] == []
    assert opened.blocked == []
    assert opened.errors == []  # a script or style blocked by the CSP would be logged here
    assert not EXTERNAL_REF.findall(seed_html.read_text(encoding="utf-8"))


def test_network_draws_every_entity_and_claim(
    open_page: Any, seed_html: Path, seed_graph: nx.MultiDiGraph
) -> None:
    opened = open_page(seed_html)
    counts = opened.js("""() => [medkg.nodes.length, medkg.edges.length,
        medkg.network.body.nodeIndices.length, medkg.network.body.edgeIndices.length]""")
    n, m = seed_graph.number_of_nodes(), seed_graph.number_of_edges()
    assert counts == [n, m, n, m]
    assert opened.visible_edges() == m
    # The layout settled and stopped: physics is off and every node has a finite position.
    assert opened.js("() => medkg.network.physics.options.enabled") is False
    positions = opened.js("() => Object.values(medkg.network.getPositions())")
    assert len(positions) == n and all(abs(p["x"]) < 1e5 and abs(p["y"]) < 1e5 for p in positions)
    assert opened.page.locator("#status").inner_text().startswith(f"Showing {m} of {m} claims")


def test_clicking_the_herpes_edge_shows_its_quote_and_evidence(open_page: Any, seed_html: Path) -> None:
    opened = open_page(seed_html)
    edge = opened.edge_id(CLAIM)
    opened.click_edge(edge)
    details = opened.page.locator("#details")
    assert details.get_attribute("data-edge") == edge
    text = details.inner_text()
    assert QUOTE_PART in opened.page.locator("#details .quote blockquote").inner_text(timeout=5_000)
    for expected in ("explicitly unsupported", "disclaimed", "causes", "Does Herpes Cause Lower Back Pain?",
                     "not supported with any medical researches", "can possibly"):  # fmt: skip
        assert expected in text
    assert opened.js("() => medkg.network.getSelectedEdges()") == [edge]


def test_selecting_an_edge_through_the_api_fills_the_panel(open_page: Any, seed_html: Path) -> None:
    opened = open_page(seed_html)
    edge = opened.edge_id("nerve-pain-causes-lower-back-pain")
    opened.select_edge(edge)
    text = opened.page.locator("#details").inner_text()
    assert "chain step 2/2" in text and "herpes-nerve-pain-lower-back-pain" in text
    assert "explicitly unsupported" in text
    assert "can possibly cause lower back pain" in opened.page.locator("#details dd.quote").inner_text(
        timeout=5_000
    )


def test_hovering_an_edge_shows_its_quote(open_page: Any, seed_html: Path) -> None:
    opened = open_page(seed_html)
    point = opened.js(_POINT_ON_EDGE, opened.edge_id(CLAIM))
    box = opened.page.locator("#graph").bounding_box()
    opened.page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    tooltip = opened.page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5_000)
    assert QUOTE_PART in tooltip.inner_text() and "explicitly unsupported" in tooltip.inner_text()


def test_evidence_filter_hides_and_restores_edges(
    open_page: Any, seed_html: Path, seed_graph: nx.MultiDiGraph
) -> None:
    opened = open_page(seed_html)
    total = seed_graph.number_of_edges()
    weakest = sum(1 for _, _, d in seed_graph.edges(data=True) if d["rank"] == 1)
    box = opened.page.locator('#f-evidence input[value="1"]')
    box.uncheck()
    assert opened.visible_edges() == total - weakest
    hidden_ranks = opened.js(_HIDDEN_RANKS)
    assert set(hidden_ranks) == {1}
    assert (
        opened.page.locator("#status").inner_text().startswith(f"Showing {total - weakest} of {total} claims")
    )
    box.check()
    assert opened.visible_edges() == total


def test_entity_type_filter_hides_entities_and_their_claims(open_page: Any, seed_html: Path) -> None:
    opened = open_page(seed_html)
    opened.page.locator('#f-type input[value="pathogen"]').uncheck()
    hidden = opened.js("() => medkg.nodes.get({filter: (n) => n.hidden}).map((n) => n.label).sort()")
    assert hidden == ["HSV-1", "HSV-2"]
    seed = load_annotation(SEED_ANNOTATION)
    claims, types = seed.claims, {e.id: e.type for e in seed.entities.values()}
    by_pathogens = [c for c in claims if "pathogen" in {types[c.subject], types[c.object]}]
    assert opened.visible_edges() == len(claims) - len(by_pathogens) and by_pathogens
    opened.page.locator("#reset").click()
    assert opened.visible_edges() == len(claims)


def test_chain_list_selects_the_steps_of_the_stated_chain(open_page: Any, seed_html: Path) -> None:
    opened = open_page(seed_html)
    opened.page.locator("#chains button").first.click()
    steps = [
        opened.edge_id("herpes-associated-with-nerve-pain"),
        opened.edge_id("nerve-pain-causes-lower-back-pain"),
    ]
    assert sorted(opened.js("() => medkg.network.getSelectedEdges()")) == sorted(steps)
    text = opened.page.locator("#details").inner_text()
    assert "Stated chain: herpes-nerve-pain-lower-back-pain" in text
    assert "herpes → nerve pain → lower back pain" in text


def test_annotation_text_never_runs(open_page: Any, seed_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    graph = copy.deepcopy(seed_graph)
    for _, _, d in graph.edges(data=True):
        if d["claim_id"] == CLAIM:
            d["quote"] = f"Quote {PAYLOAD} end"
            d["source_title"] = PAYLOAD
            d["hedges"] = [{"text": PAYLOAD, "type": "speculation"}]
    herpes = graph.nodes[ns.ENTITY + "herpes"]
    herpes["synonyms"] = [PAYLOAD]
    herpes["groundings"] = [{"curie": PAYLOAD, "label": PAYLOAD, "match": "exact"}]
    opened = open_page(write_html(graph, tmp_path / "poisoned.html", title=PAYLOAD))
    edge = opened.edge_id(CLAIM)
    opened.select_edge(edge)
    quote = opened.page.locator("#details .quote blockquote").inner_text(timeout=5_000)
    assert quote == f"Quote {PAYLOAD} end"  # shown as the literal text
    opened.click_edge(edge)
    opened.page.mouse.move(5, 5)
    opened.js("() => medkg.network.emit('click', {nodes: [%r], edges: []})" % (ns.ENTITY + "herpes"))
    assert PAYLOAD in opened.page.locator("#details").inner_text()
    tip = opened.js("(id) => medkg.edges.get(id).title.textContent", edge)
    assert PAYLOAD in tip
    opened.page.wait_for_timeout(300)  # an <img onerror> would fire asynchronously
    assert opened.js("() => window.__pwned") is None
    assert opened.js("() => document.querySelectorAll('img, #details script').length") == 0
    assert opened.page.title() == PAYLOAD


def test_every_entity_is_drawn_on_the_canvas(
    open_page: Any, seed_html: Path, seed_graph: nx.MultiDiGraph
) -> None:
    # The data can be complete while nothing shows (a zero-size container, a script error mid-draw):
    # read the canvas back and look where the network says each entity is.
    opened = open_page(seed_html)
    drawn = opened.js(_CANVAS_PIXELS)
    assert drawn["drawn"] > 0.01 * drawn["width"] * drawn["height"], drawn
    assert drawn["colours"] >= 8, drawn  # nodes, edges by evidence level, labels: not one flat colour
    assert drawn["checked"] == seed_graph.number_of_nodes() and drawn["blank"] == [], drawn


def test_a_huge_label_does_not_stall_the_page(
    open_page: Any, seed_graph: nx.MultiDiGraph, tmp_path: Path
) -> None:
    # vis-network measures a node's label on every layout step: uncut, this label kept the page from
    # being ready for 44 s; cut to 80 characters, it is ready in about as long as the seed page.
    graph = copy.deepcopy(seed_graph)
    herpes = ns.ENTITY + "herpes"
    huge = "x" * 100_000
    graph.nodes[herpes]["label"] = huge
    started = time.perf_counter()
    opened = open_page(write_html(graph, tmp_path / "huge-label.html"))
    seconds = time.perf_counter() - started
    assert seconds < 15, f"the page took {seconds:.1f} s to be ready"
    drawn = opened.js("(id) => medkg.nodes.get(id).label", herpes)
    assert len(drawn) <= 80 and drawn.endswith("…")
    opened.js("(id) => medkg.network.emit('click', {nodes: [id], edges: []})", herpes)
    assert opened.page.locator("#details h2").inner_text() == huge  # the details panel has it all
    assert opened.errors == []


# --- sources and conflicts, on the example corpus ----------------------------------------------------

COLD_COMPRESS = "cold-compress-alleviates-back-pain"
_EDGES_OF = "(source) => medkg.data.edges.filter((e) => e.source === source).map((e) => e.id).sort()"
_CONFLICTING = "() => medkg.data.edges.filter((e) => e.conflict.length > 0).map((e) => e.id).sort()"


@pytest.fixture(scope="module")
def corpus_graph(corpus_store: ox.Store) -> nx.MultiDiGraph:
    return to_networkx(corpus_store)


@pytest.fixture(scope="module")
def corpus_html(corpus_graph: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_html(corpus_graph, tmp_path_factory.mktemp("corpus") / "graph.html", title="Example corpus")


def test_the_source_legend_hides_and_restores_a_sources_claims(
    open_page: Any, corpus_html: Path, corpus_graph: nx.MultiDiGraph
) -> None:
    opened = open_page(corpus_html)
    total = corpus_graph.number_of_edges()
    heat = ns.SOURCE + "heat-beats-ice-for-back-pain"
    own = sorted(k for _, _, k, d in corpus_graph.edges(keys=True, data=True) if d["source"] == heat)
    assert opened.js(_EDGES_OF, heat) == own and 0 < len(own) < total
    rows = opened.page.locator("#f-source label.row")
    assert rows.count() == len(corpus_graph.graph["sources"]) == 7
    row = rows.filter(has_text="Warmth Works: Why Heat Beats Ice for an Aching Back")
    row.locator("input").uncheck()
    assert opened.visible_edges() == total - len(own)
    assert sorted(opened.js(_HIDDEN_IDS)) == own
    assert opened.page.locator("#status").inner_text().startswith(f"Showing {total - len(own)} of {total}")
    row.locator("input").check()
    assert opened.visible_edges() == total
    assert opened.errors == []


def test_the_conflict_entry_shows_only_conflicting_claims(
    open_page: Any, corpus_html: Path, corpus_graph: nx.MultiDiGraph
) -> None:
    opened = open_page(corpus_html)
    conflicting = sorted(k for _, _, k, d in corpus_graph.edges(keys=True, data=True) if d["conflict"])
    assert opened.js(_CONFLICTING) == conflicting and conflicting
    box = opened.page.locator("#conflict-only")
    assert not box.is_checked()  # a filter to conflicts, off until asked for
    box.check()
    assert sorted(opened.js("() => medkg.visibleEdgeIds()")) == conflicting
    # Combined with a source filter: hiding the seed leaves the conflicts of the other sources.
    seed = ns.SOURCE + "does-herpes-cause-lower-back-pain"
    opened.page.locator(f'#f-source input[value="{seed}"]').uncheck()
    left = sorted(
        k for _, _, k, d in corpus_graph.edges(keys=True, data=True) if d["conflict"] and d["source"] != seed
    )
    assert sorted(opened.js("() => medkg.visibleEdgeIds()")) == left and len(left) < len(conflicting)
    opened.page.locator("#reset").click()
    assert not box.is_checked() and opened.visible_edges() == corpus_graph.number_of_edges()


def test_clicking_a_conflicting_claim_lists_every_sources_assertion(
    open_page: Any, corpus_html: Path
) -> None:
    opened = open_page(corpus_html)
    edge = opened.edge_id(COLD_COMPRESS)
    opened.click_edge(edge)
    details = opened.page.locator("#details")
    assert details.get_attribute("data-edge") == edge
    assert details.locator(".conflict-badge").inner_text() == "conflict"
    assert "one source affirms it, another negates it" in details.locator(".conflict").inner_text()
    items = details.locator("ul.assertions > li")
    assert items.count() == 2
    listed = {
        items.nth(i).locator(".assertion-source strong").inner_text().strip(): (
            items.nth(i).locator(".stand").inner_text(),
            items.nth(i).locator("blockquote").inner_text(),
        )
        for i in range(2)
    }
    assert listed == {
        "Ice First: Easing a Sore Back at Home": (
            "affirmed · certain · support: none stated",
            "A cold compress relieves back pain",
        ),
        "Warmth Works: Why Heat Beats Ice for an Aching Back": (
            "negated · certain · support: none stated",
            "a cold compress does not relieve back pain",
        ),
    }
    # The other source's assertion is one click away, and lists the same two.
    details.locator("ul.assertions button.link").click()
    other = opened.edge_id("cold-compress-does-not-alleviate-back-pain")
    assert details.get_attribute("data-edge") == other
    assert opened.js("() => medkg.network.getSelectedEdges()") == [other]
    assert details.locator("ul.assertions > li").count() == 2


def test_one_arrow_per_proposition_lists_every_sources_assertion_and_marks_conflicts(
    open_page: Any, corpus_html: Path, corpus_graph: nx.MultiDiGraph
) -> None:
    opened = open_page(corpus_html)
    edges = list(corpus_graph.edges(keys=True, data=True))
    propositions = sorted({d["proposition"] for _, _, _, d in edges})
    assert len(propositions) < len(edges)  # some propositions have several sources' assertions
    box = opened.page.locator("#by-proposition")
    assert not box.is_checked()  # one arrow per assertion until asked
    box.check()
    assert sorted(opened.js("() => medkg.visibleEdgeIds()")) == propositions
    status = opened.page.locator("#status").inner_text()
    assert status.startswith(
        f"Showing {len(edges)} of {len(edges)} claims (as {len(propositions)} propositions)"
    )
    # The cold compress proposition: two sources, one affirms and one negates; one arrow, marked.
    cold = next(d for _, _, _, d in edges if d["claim_id"] == COLD_COMPRESS)["proposition"]
    mine = [d for _, _, _, d in edges if d["proposition"] == cold]
    assert opened.js("(p) => medkg.edges.get(p).background.enabled", cold) is True
    assert "conflict" in opened.js("(p) => medkg.edges.get(p).label", cold)
    opened.click_edge(cold)
    details = opened.page.locator("#details")
    assert details.get_attribute("data-edge") == cold
    assert details.locator(".conflict-badge").inner_text() == "conflict"
    items = details.locator("ul.assertions > li")
    assert items.count() == len(mine) == 2
    listed = sorted(items.nth(i).locator(".assertion-source strong").inner_text().strip() for i in range(2))
    assert listed == sorted(d["source_title"] for d in mine)
    assert sorted(items.nth(i).locator("blockquote").inner_text() for i in range(2)) == sorted(
        d["quote"] for d in mine
    )
    # With the source filter: an arrow stays while any of its sources is shown.
    seed = ns.SOURCE + "does-herpes-cause-lower-back-pain"
    opened.page.locator(f'#f-source input[value="{seed}"]').uncheck()
    left = sorted({d["proposition"] for _, _, _, d in edges if d["source"] != seed})
    assert sorted(opened.js("() => medkg.visibleEdgeIds()")) == left and len(left) < len(propositions)
    opened.page.locator("#reset").click()
    assert not box.is_checked() and opened.visible_edges() == len(edges)
    assert opened.errors == [] and opened.blocked == []


def test_the_disclaimed_and_the_negated_herpes_claims_are_shown_side_by_side(
    open_page: Any, corpus_html: Path
) -> None:
    opened = open_page(corpus_html)
    opened.select_edge(opened.edge_id("herpes-causes-lower-back-pain"))
    text = opened.page.locator("#details").inner_text()
    for expected in (
        "Does Herpes Cause Lower Back Pain?", "affirmed · possible · support: disclaimed",
        "Myth Check: Does Herpes Cause Lower Back Pain?", "negated · certain · support: none stated",
        "one source affirms it, another negates it",
    ):  # fmt: skip
        assert expected in text


def test_claims_can_be_coloured_by_source(open_page: Any, corpus_html: Path) -> None:
    opened = open_page(corpus_html)
    edge = opened.edge_id(COLD_COMPRESS)
    evidence, source = opened.js(
        "(id) => [medkg.data.edges.find((e) => e.id === id)].map((e) => [e.color, e.sourceColor])[0]", edge
    )
    assert evidence != source
    assert opened.js("(id) => medkg.colourOf(id)", edge) == evidence
    opened.page.select_option("#colour-by", "source")
    assert opened.js("(id) => medkg.colourOf(id)", edge) == source
    opened.page.select_option("#colour-by", "evidence")
    assert opened.js("(id) => medkg.colourOf(id)", edge) == evidence


def test_source_titles_and_agents_never_run(
    open_page: Any, corpus_graph: nx.MultiDiGraph, tmp_path: Path
) -> None:
    graph = copy.deepcopy(corpus_graph)
    heat = ns.SOURCE + "heat-beats-ice-for-back-pain"
    graph.graph["sources"][heat] = PAYLOAD
    for _, _, d in graph.edges(data=True):
        if d["source"] == heat:
            d["source_title"], d["agent"] = PAYLOAD, PAYLOAD
    opened = open_page(write_html(graph, tmp_path / "poisoned-sources.html"))
    assert PAYLOAD in opened.page.locator("#f-source").inner_text()
    opened.select_edge(opened.edge_id(COLD_COMPRESS))
    assert PAYLOAD in opened.page.locator("#details ul.assertions").inner_text()
    opened.select_edge(opened.edge_id("stretching-alleviates-back-pain"))
    opened.page.wait_for_timeout(300)
    assert opened.js("() => window.__pwned") is None
    assert opened.js("() => document.querySelectorAll('img, #controls script, #details script').length") == 0


def test_a_source_left_out_of_the_view_is_still_counted(
    open_page: Any, corpus_graph: nx.MultiDiGraph, tmp_path: Path
) -> None:
    # Above the seed's disclaimed claim's evidence level, only the myth check's denial is drawn; the
    # conflict stays marked, and the panel says one more source states the proposition.
    view = filter_graph(corpus_graph, min_rank=2)
    claims = {d["claim_id"] for _, _, d in view.edges(data=True)}
    assert "herpes-does-not-cause-lower-back-pain" in claims and "herpes-causes-lower-back-pain" not in claims
    opened = open_page(write_html(view, tmp_path / "strong.html"))
    opened.select_edge(opened.edge_id("herpes-does-not-cause-lower-back-pain"))
    details = opened.page.locator("#details")
    assert details.locator(".conflict-badge").count() == 1
    items = details.locator("ul.assertions > li")
    assert items.count() == 2
    assert "Myth Check" in items.nth(0).inner_text()
    assert items.nth(1).inner_text() == "1 more source outside this view"
