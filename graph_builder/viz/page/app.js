
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("medkg-data").textContent);
  var SVG = "http://www.w3.org/2000/svg";
  var nodeInfo = {}, edgeInfo = {}, levelByRank = {}, levelBySlug = {};
  DATA.nodes.forEach(function (n) { nodeInfo[n.id] = n; });
  var byProposition = {};
  DATA.edges.forEach(function (e) {
    edgeInfo[e.id] = e;
    (byProposition[e.proposition] = byProposition[e.proposition] || []).push(e);
  });
  DATA.levels.forEach(function (l) { levelByRank[l.rank] = l; levelBySlug[l.slug] = l; });

  // Every piece of annotation text reaches the page through textContent: it is never parsed as HTML.
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function svg(tag, attrs, parent) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  // The canvas, tooltips and lists show labels cut short (shortLabel); the details panel shows them whole.
  function labelOf(id) { return nodeInfo[id] ? nodeInfo[id].label : id; }
  function shortLabelOf(id) { return nodeInfo[id] ? nodeInfo[id].shortLabel : id; }
  function chainText(c) { return "chain step " + c.position + "/" + c.length; }
  function claimText(e, whole) {
    var name = whole ? labelOf : shortLabelOf;
    return name(e.from) + " → " + e.relationLabel + " → " + name(e.to);
  }
  function standText(e) {
    return e.polarityLabel + " · " + e.certaintyLabel + " · support: " + e.supportLabel +
      (e.agent ? " · attributed to " + e.agent : "");
  }
  function pathText(c) { return c.path.map(function (p) { return p === null ? "…" : p; }).join(" → "); }

  function nodeTooltip(n) {
    var box = el("div");
    box.appendChild(el("div", "tip-title", n.tipLabel));
    box.appendChild(el("div", null, "type: " + n.typeLabel));
    if (n.synonyms.length) { box.appendChild(el("div", null, "synonyms: " + n.synonyms.join(", "))); }
    n.groundings.forEach(function (g) {
      box.appendChild(el("div", null, g.curie + " " + g.label + " (" + g.match + " match)"));
    });
    if (!n.groundings.length) { box.appendChild(el("div", "muted", "no grounding")); }
    var claims = n.claims + " claim" + (n.claims === 1 ? "" : "s");
    box.appendChild(el("div", "muted", claims + " · click for details"));
    return box;
  }
  function edgeTooltip(e) {
    var box = el("div");
    box.appendChild(el("div", "tip-title", claimText(e)));
    box.appendChild(el("div", null, "evidence: " + e.evidenceLabel + " · stance: " + e.stanceLabel));
    box.appendChild(el("div", null, standText(e)));
    box.appendChild(el("div", null, "source: " + e.sourceTitle));
    if (e.conflict.length) { box.appendChild(el("div", "conflict-text", "sources conflict on this claim")); }
    e.chains.forEach(function (c) { box.appendChild(el("div", null, chainText(c) + " of " + c.id)); });
    box.appendChild(el("div", "tip-quote", "“" + e.quote + "”"));
    box.appendChild(el("div", "muted", "click for details"));
    return box;
  }
  function visNode(n) {
    var colour = {background: n.color, border: n.border};
    return {id: n.id, label: n.shortLabel, shape: n.shape, size: n.size, title: nodeTooltip(n),
      color: {background: n.color, border: n.border, highlight: colour, hover: colour}};
  }
  function visEdge(e) {
    var arrows = {to: {enabled: true, scaleFactor: 0.7}};
    if (e.marker) { arrows.from = {enabled: true, type: e.marker, scaleFactor: 0.9}; }
    var label = e.relationLabel;
    if (e.chains.length) {
      var steps = e.chains.map(function (c) { return "chain " + c.position + "/" + c.length; });
      label += " (" + steps.join(", ") + ")";
    }
    if (e.conflict.length) { label += " · conflict"; }
    var mark = DATA.conflict;
    return {id: e.id, from: e.from, to: e.to, label: label, width: e.width, dashes: e.dashes,
      length: e.length, arrows: arrows, smooth: e.smooth, title: edgeTooltip(e), color: edgeColour(e),
      background: {enabled: e.conflict.length > 0, color: mark.color, size: mark.size, dashes: mark.dashes},
      shadow: {enabled: e.chains.length > 0, color: DATA.chainGlow, size: 22, x: 0, y: 0}};
  }
  var colourBy = "evidence";
  function edgeColour(e) {
    var c = colourBy === "source" ? e.sourceColor : e.color;
    return {color: c, highlight: c, hover: c, inherit: false, opacity: 1};
  }

  // One arrow per proposition (off until asked for): the assertions of a proposition drawn as one edge,
  // marked when its sources conflict; clicking it lists every source's assertion.
  var propositionIds = Object.keys(byProposition).sort();
  function same(values, otherwise) {
    return values.every(function (v) { return v === values[0]; }) ? values[0] : otherwise;
  }
  function propositionSources(p) {
    var seen = {};
    byProposition[p].forEach(function (a) { seen[a.source] = true; });
    return Object.keys(seen).length;
  }
  function propositionColour(p) {
    var c = same(byProposition[p].map(function (a) { return edgeColour(a).color; }), DATA.mixedColor);
    return {color: c, highlight: c, hover: c, inherit: false, opacity: 1};
  }
  function propositionTooltip(p) {
    var all = byProposition[p], n = propositionSources(p);
    var box = el("div");
    box.appendChild(el("div", "tip-title", claimText(all[0])));
    box.appendChild(el("div", null, all.length + " assertion" + (all.length === 1 ? "" : "s") + " by " + n +
      " source" + (n === 1 ? "" : "s") + " in this view"));
    if (all[0].conflict.length) { box.appendChild(el("div", "conflict-text", "sources conflict on this claim")); }
    box.appendChild(el("div", "muted", "click for every source's assertion"));
    return box;
  }
  function visProposition(p) {
    var all = byProposition[p], first = all[0], n = propositionSources(p), mark = DATA.conflict;
    var label = first.relationLabel + (n > 1 ? " (" + n + " sources)" : "");
    if (first.conflict.length) { label += " · conflict"; }
    // Never a spring of the layout, shown or not: the layout stays the one the claims give.
    return {id: p, from: first.from, to: first.to, label: label, physics: false, length: first.length,
      width: Math.max.apply(null, all.map(function (a) { return a.width; })),
      dashes: same(all.map(function (a) { return a.dashes; }), false),
      arrows: {to: {enabled: true, scaleFactor: 0.7}}, smooth: first.smooth, title: propositionTooltip(p),
      color: propositionColour(p),
      background: {enabled: first.conflict.length > 0, color: mark.color, size: mark.size, dashes: mark.dashes}};
  }

  var nodes = new vis.DataSet(DATA.nodes.map(visNode));
  var edges = new vis.DataSet(DATA.edges.map(visEdge));
  var network = new vis.Network(document.getElementById("graph"), {nodes: nodes, edges: edges}, DATA.options);
  var status = document.getElementById("status");
  var details = document.getElementById("details");
  var api = {network: network, nodes: nodes, edges: edges, data: DATA, ready: false};
  window.medkg = api;

  // --- header
  if (DATA.caption) {
    var caption = document.getElementById("caption");
    caption.textContent = "Showing " + DATA.caption + ".";
    caption.hidden = false;
  }
  if (DATA.cap) {
    var capNote = document.getElementById("cap-note");
    capNote.textContent = DATA.cap;
    capNote.hidden = false;
  }

  // --- legend and filters
  var filters = {source: {}, evidence: {}, stance: {}, type: {}, relation: {}};
  var hideIsolated = false, conflictOnly = false, oneArrowEach = false, arrowsIn = false;
  function lineKey(dashes, marker, colour) {
    var box = svg("svg", {"class": "key", width: 40, height: 12, viewBox: "0 0 40 12"});
    var line = svg("line", {x1: 4, y1: 6, x2: 33, y2: 6, stroke: colour, "stroke-width": 2.5}, box);
    if (dashes) { line.setAttribute("stroke-dasharray", dashes.join(" ")); }
    svg("path", {d: "M33 2 L39 6 L33 10 Z", fill: colour}, box);
    if (marker === "circle") { svg("circle", {cx: 4.5, cy: 6, r: 3.5, fill: colour}, box); }
    if (marker === "bar") {
      svg("line", {x1: 3, y1: 0, x2: 3, y2: 12, stroke: colour, "stroke-width": 2.5}, box);
    }
    return box;
  }
  function conflictKey() {
    var box = svg("svg", {"class": "key", width: 40, height: 14, viewBox: "0 0 40 14"});
    svg("line", {x1: 2, y1: 7, x2: 38, y2: 7, stroke: DATA.conflict.color, "stroke-width": 9,
      "stroke-dasharray": DATA.conflict.dashes.join(" ")}, box);
    svg("line", {x1: 2, y1: 7, x2: 38, y2: 7, stroke: "#444", "stroke-width": 2}, box);
    return box;
  }
  function shapeKey(shape, colour) {
    var box = svg("svg", {"class": "key", width: 18, height: 18, viewBox: "-9 -9 18 18"});
    var style = {fill: colour, stroke: "#555", "stroke-width": 1};
    var points = {
      diamond: "0,-8 8,0 0,8 -8,0", triangle: "0,-8 7.5,6 -7.5,6", triangleDown: "0,8 7.5,-6 -7.5,-6",
      hexagon: "7.5,0 3.75,6.5 -3.75,6.5 -7.5,0 -3.75,-6.5 3.75,-6.5",
      star: "0,-8.5 2.2,-2.8 8.1,-2.6 3.5,1.1 5,6.9 0,3.6 -5,6.9 -3.5,1.1 -8.1,-2.6 -2.2,-2.8"
    };
    if (shape === "square") {
      svg("rect", Object.assign({x: -6.5, y: -6.5, width: 13, height: 13}, style), box);
    }
    else if (points[shape]) { svg("polygon", Object.assign({points: points[shape]}, style), box); }
    else { svg("circle", Object.assign({r: 7}, style), box); }
    return box;
  }
  function addRow(container, kind, value, key, text, count) {
    var row = el("label", "row" + (count ? "" : " empty"));
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.value = String(value);
    box.dataset.kind = kind;
    box.addEventListener("change", function () { filters[kind][value] = box.checked; applyFilters(); });
    filters[kind][value] = true;
    row.appendChild(box);
    if (key) { row.appendChild(key); }
    row.appendChild(el("span", null, text));
    row.appendChild(el("span", "count", count));
    container.appendChild(row);
  }
  var fSource = document.getElementById("f-source");
  DATA.sources.forEach(function (s) {
    var sw = el("span", "swatch");
    sw.style.background = s.color;
    addRow(fSource, "source", s.iri, sw, s.title, s.count);
  });
  // Off by default, and a filter to, not away from: checked, only claims whose sources conflict show.
  var conflictRow = el("label", "row" + (DATA.conflict.count ? "" : " empty"));
  var conflictBox = el("input");
  conflictBox.type = "checkbox";
  conflictBox.id = "conflict-only";
  conflictBox.addEventListener("change", function () { conflictOnly = conflictBox.checked; applyFilters(); });
  conflictRow.appendChild(conflictBox);
  conflictRow.appendChild(conflictKey());
  conflictRow.appendChild(el("span", null, "conflicting sources"));
  conflictRow.appendChild(el("span", "count", DATA.conflict.count));
  conflictRow.title = "show only the claims of propositions whose sources conflict";
  document.getElementById("f-conflict").appendChild(conflictRow);
  var colourSelect = document.getElementById("colour-by");
  colourSelect.addEventListener("change", function () {
    colourBy = colourSelect.value;
    document.getElementById("evidence-note").textContent =
      colourBy === "source" ? "weakest first (edges are coloured by source)" : "edge colour, weakest first";
    edges.update(DATA.edges.map(function (e) { return {id: e.id, color: edgeColour(e)}; }));
    if (oneArrowEach) {
      edges.update(propositionIds.map(function (p) { return {id: p, color: propositionColour(p)}; }));
    }
  });
  var fEvidence = document.getElementById("f-evidence");
  DATA.levels.forEach(function (l) {
    var sw = el("span", "swatch");
    sw.style.background = l.color;
    addRow(fEvidence, "evidence", l.rank, sw, l.rank + " · " + l.label, l.count);
  });
  var fStance = document.getElementById("f-stance");
  DATA.stances.forEach(function (s) {
    var marker = {circle: ", dot at tail", bar: ", bar at tail"}[s.marker] || "";
    var text = s.label + marker;
    addRow(fStance, "stance", s.slug, lineKey(s.dashes, s.marker, "#444"), text, s.count);
  });
  var fType = document.getElementById("f-type");
  DATA.types.forEach(function (t) {
    addRow(fType, "type", t.slug, shapeKey(t.shape, t.color), t.label, t.count);
  });
  var fRelation = document.getElementById("f-relation");
  DATA.relations.forEach(function (r) { addRow(fRelation, "relation", r.slug, null, r.label, r.count); });
  var more = document.getElementById("f-more");
  // A switch of the "Also" section: off until checked; onChange gets whether it is on.
  function switchRow(id, text, title, onChange) {
    var row = el("label", "row");
    var box = el("input");
    box.type = "checkbox";
    box.id = id;
    box.addEventListener("change", function () { onChange(box.checked); applyFilters(); });
    row.appendChild(box);
    row.appendChild(el("span", null, text));
    if (title) { row.title = title; }
    more.appendChild(row);
  }
  switchRow("hide-isolated", "hide entities with no claim shown", null, function (on) { hideIsolated = on; });
  switchRow("by-proposition", "one arrow per proposition, for all its sources",
    "draw the assertions of a proposition as one arrow; click it for every source's assertion",
    function (on) { oneArrowEach = on; });
  var keyMore = document.getElementById("key-more");
  keyMore.appendChild(el("li", null, "edge width: number of sources stating the claim"));
  keyMore.appendChild(el("li", null, "node size: number of claims about the entity"));
  keyMore.appendChild(el("li", null, "grey arrow, one per proposition: its sources' assertions differ in colour"));
  var glowItem = el("li", null, "");
  var glow = el("span", "chain-badge", "green glow");
  glowItem.appendChild(glow);
  glowItem.appendChild(document.createTextNode(" : a step of a stated chain"));
  keyMore.appendChild(glowItem);

  var shownClaims = DATA.edges.length;
  function visibleEdgeIds() { return edges.getIds({filter: function (e) { return !e.hidden; }}); }
  function visibleNodeIds() { return nodes.getIds({filter: function (n) { return !n.hidden; }}); }
  function applyFilters() {
    var nodeOn = {}, used = {}, propositionOn = {};
    shownClaims = 0;
    DATA.nodes.forEach(function (n) { nodeOn[n.id] = filters.type[n.type] !== false; });
    var edgeUpdates = DATA.edges.map(function (e) {
      var stance = e.negated ? "negated" : e.stance;
      var on = filters.source[e.source] !== false && (!conflictOnly || e.conflict.length > 0) &&
        filters.evidence[e.rank] !== false && filters.stance[stance] !== false &&
        filters.relation[e.relation] !== false && nodeOn[e.from] && nodeOn[e.to];
      if (on) { used[e.from] = true; used[e.to] = true; propositionOn[e.proposition] = true; shownClaims++; }
      return {id: e.id, hidden: !on || oneArrowEach};
    });
    // The arrows of propositions are in the network only while asked for: hidden edges would still
    // change what a click on the canvas finds.
    if (oneArrowEach && !arrowsIn) { edges.add(propositionIds.map(visProposition)); }
    if (!oneArrowEach && arrowsIn) { edges.remove(propositionIds); }
    arrowsIn = oneArrowEach;
    if (oneArrowEach) {
      edgeUpdates = edgeUpdates.concat(propositionIds.map(function (p) { return {id: p, hidden: !propositionOn[p]}; }));
    }
    var nodeUpdates = DATA.nodes.map(function (n) {
      return {id: n.id, hidden: !nodeOn[n.id] || (hideIsolated && !used[n.id])};
    });
    nodes.update(nodeUpdates);
    edges.update(edgeUpdates);
    updateStatus();
  }
  function updateStatus() {
    var text = "Showing " + shownClaims + " of " + DATA.edges.length + " claims" +
      (oneArrowEach ? " (as " + visibleEdgeIds().length + " propositions)" : "") + " and " +
      visibleNodeIds().length + " of " + DATA.nodes.length + " entities";
    if (DATA.total.nodes > DATA.nodes.length) { text += " (graph: " + DATA.total.nodes + " entities)"; }
    status.textContent = text + (api.ready ? "." : "; laying out…");
  }
  document.getElementById("reset").addEventListener("click", function () {
    document.querySelectorAll("#controls input[type=checkbox]").forEach(function (box) {
      box.checked = ["hide-isolated", "conflict-only", "by-proposition"].indexOf(box.id) < 0;
      if (box.dataset.kind) { filters[box.dataset.kind][box.value] = true; }
    });
    hideIsolated = false;
    conflictOnly = false;
    oneArrowEach = false;
    applyFilters();
    network.unselectAll();
    fitAll();
    showHelp();
  });

  // --- details
  function field(dl, name, value) {
    dl.appendChild(el("dt", null, name));
    var dd = el("dd");
    if (value instanceof Node) { dd.appendChild(value); } else { dd.textContent = String(value); }
    dl.appendChild(dd);
    return dd;
  }
  function linkButton(text, onClick) {
    var b = el("button", "link", text);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }
  function showHelp() {
    clear(details);
    details.appendChild(el("h2", null, "Details"));
    var claimAction = DATA.claimPages ? "to open its page" : "to read its quote, evidence and stance";
    details.appendChild(el("p", "muted", "Click a claim (an arrow) " + claimAction + "; " +
      "click an entity for its groundings and claims. Hover for a summary. Drag to pan, scroll to zoom."));
  }
  // The panel for an edge (a claim, or a proposition drawn as one arrow): its heading, the conflict of
  // its proposition if any, and the list of fields, which starts with the relation.
  function edgePanel(id, e) {
    clear(details);
    details.dataset.edge = id;
    details.dataset.node = "";
    details.appendChild(el("h2", null, claimText(e, true)));
    showConflict(e);
    var dl = el("dl");
    field(dl, "Relation", e.relationLabel + (e.causal ? " (causal)" : ""));
    return dl;
  }
  function showEdge(id) {
    var e = edgeInfo[id];
    if (!e) { return; }
    var dl = edgePanel(id, e);
    field(dl, "Polarity", e.polarityLabel);
    field(dl, "Certainty", e.certaintyLabel);
    field(dl, "Support", e.supportLabel + " (rank " + e.supportRank + ")");
    field(dl, "Strength", e.strength);
    if (e.agent) { field(dl, "Attributed to", e.agent); }
    var level = el("span");
    var sw = el("span", "swatch");
    sw.style.background = e.color;
    level.appendChild(sw);
    level.appendChild(document.createTextNode(" " + e.evidenceLabel + " (rank " + e.rank + " of " +
      DATA.levels.length + ")"));
    field(dl, "Evidence level", level).className = "evidence";
    field(dl, "Why this level", e.rationale || "—");
    field(dl, "Stance", e.stanceLabel + (e.negated ? " · the source denies it" : ""));
    if (e.hedges.length) {
      var ul = el("ul");
      e.hedges.forEach(function (h) { ul.appendChild(el("li", null, "“" + h.text + "” (" + h.type + ")")); });
      field(dl, "Hedge cues", ul);
    } else {
      field(dl, "Hedge cues", "none");
    }
    field(dl, "Quote", el("blockquote", "quote", e.quote)).className = "quote";
    if (e.mechanism) { field(dl, "Mechanism", e.mechanism); }
    var own = el("span");
    var ownSwatch = el("span", "swatch");
    ownSwatch.style.background = e.sourceColor;
    own.appendChild(ownSwatch);
    own.appendChild(document.createTextNode(" " + (e.sourceTitle || e.source)));
    field(dl, "Source", own).className = "source";
    field(dl, "Stated by", e.sources + " source" + (e.sources === 1 ? "" : "s"));
    field(dl, "Every assertion of this proposition", assertionList(e)).className = "assertions";
    if (e.chains.length) {
      var list = el("ul");
      e.chains.forEach(function (c) {
        var li = el("li");
        li.appendChild(el("span", "chain-badge", chainText(c)));
        li.appendChild(document.createTextNode(" of "));
        li.appendChild(linkButton(c.id, function () { showChain(c.chain); }));
        var level = levelBySlug[c.evidence] || {label: c.evidence};
        li.appendChild(document.createTextNode(" (" + level.label + ")"));
        list.appendChild(li);
      });
      field(dl, "Stated chain", list);
    }
    field(dl, "Offsets", "characters " + e.start + "–" + e.end + " of the source text");
    field(dl, "Claim id", e.claimId);
    field(dl, "Assertion", e.id);
    details.appendChild(dl);
  }
  function showConflict(e) {
    if (!e.conflict.length) { return; }
    var why = el("div", "conflict");
    why.appendChild(el("span", "conflict-badge", "conflict"));
    why.appendChild(document.createTextNode(" The sources stating this proposition disagree:"));
    var reasons = el("ul");
    e.conflict.forEach(function (r) { reasons.appendChild(el("li", null, DATA.conflict.reasons[r] || r)); });
    why.appendChild(reasons);
    details.appendChild(why);
  }
  // A proposition drawn as one arrow: its conflict, and every source's assertion of it.
  function showProposition(p) {
    var all = byProposition[p];
    if (!all) { return; }
    var first = all[0];
    var dl = edgePanel(p, first);
    field(dl, "Stated by", first.sources + " source" + (first.sources === 1 ? "" : "s"));
    field(dl, "Every assertion of this proposition",
      assertionList({id: null, proposition: p, sources: first.sources})).className = "assertions";
    field(dl, "Proposition", p);
    details.appendChild(dl);
  }
  // Each source's assertion of the edge's proposition: who, how (polarity, certainty, support) and the quote.
  function assertionList(e) {
    var list = el("ul", "assertions");
    var all = (byProposition[e.proposition] || [e]).slice().sort(function (a, b) {
      return a.source < b.source ? -1 : a.source > b.source ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
    var shown = {};
    all.forEach(function (a) {
      shown[a.source] = true;
      var li = el("li");
      var head = el("div", "assertion-source");
      var sw = el("span", "swatch");
      sw.style.background = a.sourceColor;
      head.appendChild(sw);
      head.appendChild(el("strong", null, " " + (a.sourceTitle || a.source)));
      if (a.id === e.id) { head.appendChild(el("span", "muted", " (this claim)")); }
      else {
        head.appendChild(document.createTextNode(" "));
        head.appendChild(linkButton("show", function () { network.selectEdges([a.id]); showEdge(a.id); }));
      }
      li.appendChild(head);
      li.appendChild(el("div", "stand", standText(a)));
      li.appendChild(el("blockquote", "quote", a.quote));
      list.appendChild(li);
    });
    // A filtered or capped view may leave some sources' assertions out; e.sources counts them all.
    var outside = e.sources - Object.keys(shown).length;
    if (outside > 0) {
      list.appendChild(el("li", "muted", outside + " more source" + (outside === 1 ? "" : "s") +
        " outside this view"));
    }
    return list;
  }
  function showNode(id) {
    var n = nodeInfo[id];
    if (!n) { return; }
    clear(details);
    details.dataset.node = id;
    details.dataset.edge = "";
    details.appendChild(el("h2", null, n.label));
    var dl = el("dl");
    field(dl, "Type", n.typeLabel);
    field(dl, "Synonyms", n.synonyms.length ? n.synonyms.join(", ") : "none");
    var gl = el("ul");
    n.groundings.forEach(function (g) {
      gl.appendChild(el("li", null, g.curie + " — " + g.label + " (" + g.match + ")"));
    });
    field(dl, "Groundings", n.groundings.length ? gl : "none");
    var cl = el("ul");
    DATA.edges.forEach(function (e) {
      if (e.from !== id && e.to !== id) { return; }
      var li = el("li");
      li.appendChild(linkButton(claimText(e), function () {
        network.selectEdges([e.id]);
        showEdge(e.id);
      }));
      li.appendChild(el("span", "muted", " (" + e.evidenceLabel + ")"));
      cl.appendChild(li);
    });
    field(dl, "Claims", cl);
    field(dl, "IRI", n.id);
    details.appendChild(dl);
  }
  var chainById = {};
  DATA.chains.forEach(function (c) { chainById[c.chain] = c; });
  function showChain(chainIri) {
    var c = chainById[chainIri];
    if (!c) { return; }
    network.selectEdges(c.steps.filter(function (s) { return s !== null; }));
    clear(details);
    details.dataset.chain = chainIri;
    details.appendChild(el("h2", null, "Stated chain: " + c.id));
    var dl = el("dl");
    field(dl, "Path", pathText(c));
    field(dl, "Evidence level of the chain", c.evidenceLabel + " (rank " + c.rank + ")");
    var ol = el("ol");
    c.steps.forEach(function (stepId) {
      var li = el("li");
      var e = edgeInfo[stepId];
      if (!e) { li.appendChild(el("span", "muted", "not in this view")); ol.appendChild(li); return; }
      li.appendChild(linkButton(claimText(e), function () {
        network.selectEdges([e.id]);
        showEdge(e.id);
      }));
      li.appendChild(el("blockquote", "quote", e.quote));
      ol.appendChild(li);
    });
    field(dl, "Steps", ol);
    field(dl, "Chain", c.chain);
    details.appendChild(dl);
  }
  var chainList = document.getElementById("chains");
  DATA.chains.forEach(function (c) {
    var li = el("li");
    li.appendChild(linkButton(pathText(c), function () { showChain(c.chain); }));
    li.appendChild(el("div", "muted", c.length + " steps · " + c.evidenceLabel));
    chainList.appendChild(li);
  });
  if (!DATA.chains.length) { chainList.appendChild(el("li", "muted none", "none in this view")); }

  network.on("click", function (params) {
    if (params.nodes && params.nodes.length) { showNode(params.nodes[0]); }
    else if (params.edges && params.edges.length && byProposition[params.edges[0]]) {
      showProposition(params.edges[0]);
    }
    else if (params.edges && params.edges.length && DATA.claimPages) {
      // Served by medkg: the claim has a page of its own, with everything the panel would show.
      // A claim page is named by the hash ending the assertion's IRI: claim ids repeat across sources.
      window.location.assign(DATA.claimPages + encodeURIComponent(params.edges[0].split("/").pop()));
    }
    else if (params.edges && params.edges.length) { showEdge(params.edges[0]); }
    else { showHelp(); }
  });
  function fitAll() {
    // fit() frames the nodes, not their labels: step back a little so no label is cut at the border.
    network.fit();
    network.moveTo({scale: network.getScale() * 0.9});
  }
  network.once("stabilizationIterationsDone", function () {
    // Stop the simulation: a settled layout that keeps drifting is harder to read.
    network.setOptions({physics: {enabled: false}});
    fitAll();
    api.ready = true;
    document.body.dataset.ready = "true";
    updateStatus();
  });

  api.visibleEdgeIds = visibleEdgeIds;
  api.visibleNodeIds = visibleNodeIds;
  api.showEdge = showEdge;
  api.showProposition = showProposition;
  api.colourOf = function (id) { return edges.get(id).color.color; };
  api.showNode = showNode;
  api.showChain = showChain;
  api.edgeIdForClaim = function (claimId) {
    var match = DATA.edges.filter(function (e) { return e.claimId === claimId; });
    return match.length ? match[0].id : null;
  };
  showHelp();
  updateStatus();
})();
