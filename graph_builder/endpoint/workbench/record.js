// The claim, entity and source pages of medkg serve: each fetches its record from /api/KIND/ID on this
// server and builds the page from it. Every string from the graph is inserted as text (textContent),
// never as markup. Offsets count code points, as medkg computes them, so texts are sliced as arrays of
// code points, not as JavaScript's UTF-16 strings.
"use strict";

(function () {
  const MEDKG = "https://w3id.org/medkg/";
  const PAGES = { assertion: "claim", entity: "entity", source: "source" };
  const main = document.getElementById("record");

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // The page of this server that shows a medkg IRI (a claim, entity or source), or null.
  function pageOf(iri) {
    if (typeof iri !== "string" || !iri.startsWith(MEDKG)) return null;
    const [space, id, ...rest] = iri.slice(MEDKG.length).split("/");
    return PAGES[space] && id && rest.length === 0 && !id.includes("#") ? `/${PAGES[space]}/${id}` : null;
  }

  function localId(iri) {
    return iri.slice(iri.lastIndexOf("/") + 1);
  }

  function link(iri, text) {
    const path = pageOf(iri);
    if (path === null) return element("span", null, text);
    const anchor = element("a", null, text);
    anchor.href = path;
    return anchor;
  }

  function section(title) {
    const node = element("section");
    node.appendChild(element("h2", null, title));
    main.appendChild(node);
    return node;
  }

  function facts(parent, pairs) {
    const list = element("dl", "facts");
    for (const [term, value] of pairs) {
      if (value === null || value === undefined || value === "") continue;
      list.appendChild(element("dt", null, term));
      const dd = element("dd");
      if (value instanceof Node) dd.appendChild(value);
      else dd.textContent = String(value);
      list.appendChild(dd);
    }
    parent.appendChild(list);
    return list;
  }

  function fragment(...parts) {
    const node = document.createDocumentFragment();
    for (const part of parts) node.appendChild(typeof part === "string" ? document.createTextNode(part) : part);
    return node;
  }

  function proposition(row) {
    return fragment(link(row.subject, row.subjectLabel), ` —${row.relationLabel}→ `, link(row.object, row.objectLabel));
  }

  function framing(row) {
    const certainty = row.conditional ? `${row.certaintyLabel}, conditional` : row.certaintyLabel;
    return `${row.polarityLabel} · certainty ${certainty} · support ${row.supportLabel} · strength ${row.strength}`;
  }

  function slice(chars, start, end) {
    return chars.slice(start, end).join("");
  }

  // Text with spans marked, nested where one lies inside another. A span that crosses another's edge
  // is left unmarked (spans: {start, end, make}, sorted by start, longest first).
  function renderNested(parent, chars, from, to, spans) {
    let pos = from;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i];
      if (span.start < pos || span.end > to) continue;
      parent.appendChild(document.createTextNode(slice(chars, pos, span.start)));
      const inner = spans.slice(i + 1).filter((s) => s.start >= span.start && s.end <= span.end);
      const node = span.make();
      renderNested(node, chars, span.start, span.end, inner);
      parent.appendChild(node);
      pos = span.end;
    }
    parent.appendChild(document.createTextNode(slice(chars, pos, to)));
  }

  function bySpan(a, b) {
    return a.start - b.start || b.end - a.end;
  }

  function warning(parent, text) {
    const node = element("p", "warning", text);
    node.setAttribute("role", "alert");
    parent.appendChild(node);
  }

  // --- the claim page ---------------------------------------------------------------------------

  function showClaim(record, id) {
    const claim = record.claim;
    document.getElementById("title").replaceChildren(proposition(claim));
    document.title = `medkg claim ${claim.claimId}`;
    const attribution = claim.agent
      ? `${claim.agentName} (${claim.agentKindLabel})`
      : "none: the source's own voice";
    const permalink = element("a", "permalink", new URL(`/claim/${id}`, window.location.href).href);
    permalink.href = `/claim/${id}`;
    facts(section("What the source says, and how"), [
      ["source", link(claim.source, claim.sourceTitle)],
      ["claim id", claim.claimId],
      ["polarity", claim.polarityLabel],
      ["certainty", claim.conditional ? `${claim.certaintyLabel}, conditional` : claim.certaintyLabel],
      ["support", claim.supportLabel],
      ["strength", claim.strength],
      ["attributed to", attribution],
      ["rationale", claim.rationale],
      ["quote", quoteLink(claim.quote)],
      ["offsets", `${claim.start}–${claim.end}`],
      ["permalink", permalink],
      ["IRI", claim.claim],
    ]);
    const cues = section("Hedge cues and qualifiers");
    if (record.cues.length === 0) cues.appendChild(element("p", null, "None."));
    const list = element("ul", "cues");
    for (const cue of record.cues) {
      const item = element("li", `cue-item ${cue.kind}`);
      item.appendChild(element("span", "cue-type", `${cue.kind}: ${cue.cueTypeLabel}`));
      item.appendChild(document.createTextNode(` “${cue.cueText}” (${cue.cueStart}–${cue.cueEnd})`));
      const detail = [cue.value, cue.unit].filter((v) => v !== null).join(" ");
      if (detail) item.appendChild(document.createTextNode(`, value ${detail}`));
      list.appendChild(item);
    }
    cues.appendChild(list);
    showAssertions(record.assertions);
    showClaimText(claim, record.cues);
  }

  function quoteLink(quote) {
    const anchor = element("a", null, quote);
    anchor.href = "#quote";
    anchor.title = "the quote in the source text";
    return anchor;
  }

  function showAssertions(rows) {
    const others = rows.filter((row) => row.other !== row.claim);
    const part = section("Every other assertion of this proposition");
    if (others.length === 0) {
      part.appendChild(element("p", null, "No other assertion of this proposition, by this source or another."));
      return;
    }
    const list = element("ul", "assertions");
    for (const row of others) {
      const item = element("li");
      item.appendChild(link(row.other, row.otherId));
      item.appendChild(document.createTextNode(" from "));
      item.appendChild(link(row.source, row.sourceTitle));
      item.appendChild(element("p", "framing", framing(row)));
      item.appendChild(element("blockquote", null, row.quote));
      list.appendChild(item);
    }
    part.appendChild(list);
  }

  function showClaimText(claim, cues) {
    const part = section("In the source text");
    const chars = Array.from(claim.text);
    const spans = [];
    if (slice(chars, claim.start, claim.end) === claim.quote) {
      spans.push({ start: claim.start, end: claim.end, make: () => {
        const mark = element("mark", "quote");
        mark.id = "quote";
        mark.title = "the claim's quote";
        return mark;
      } });
    } else {
      warning(part, `The quote's offsets (${claim.start}–${claim.end}) do not point at the quote in this ` +
        "text, so it is not highlighted: the text or the graph has changed since the claim was curated.");
    }
    for (const cue of cues) {
      if (slice(chars, cue.cueStart, cue.cueEnd) !== cue.cueText) {
        warning(part, `The ${cue.kind} cue “${cue.cueText}” is not at its offsets (${cue.cueStart}–` +
          `${cue.cueEnd}) in this text, so it is not marked.`);
        continue;
      }
      spans.push({ start: cue.cueStart, end: cue.cueEnd, make: () => {
        const mark = element("span", `cue ${cue.kind}`);
        mark.title = `${cue.kind}: ${cue.cueTypeLabel}`;
        mark.dataset.type = localId(cue.cueType);
        mark.dataset.label = cue.cueTypeLabel; // shown beside the cue by the style sheet, not as text
        return mark;
      } });
    }
    spans.sort(bySpan);
    const text = element("div", "text");
    renderNested(text, chars, 0, chars.length, spans);
    part.appendChild(text);
  }

  // --- the entity page --------------------------------------------------------------------------

  const GROUNDINGS = { exact: "exact match", close: "close match",
    "narrower-than-term": "narrower than the term", "broader-than-term": "broader than the term" };
  const VIA = { self: "Claims about it", narrower: "Claims about narrower entities",
    broader: "Claims about broader entities (more general: they need not hold of this one)" };

  function showEntity(record) {
    const by = (field) => record.facts.filter((row) => row.field === field);
    const label = by("label").map((row) => row.value).join(", ");
    document.getElementById("title").textContent = label;
    document.title = `medkg entity ${label}`;
    const entityLinks = (rows) => rows.length === 0 ? null :
      fragment(...rows.flatMap((row, i) => (i ? [", "] : []).concat([link(row.value, row.valueLabel)])));
    facts(section("Entity"), [
      ["label", label],
      ["synonyms", by("synonym").map((row) => row.value).join(", ")],
      ["type", by("type").map((row) => row.valueLabel).join(", ")],
      ["definition", by("definition").map((row) => row.value).join(" ")],
      ["broader", entityLinks(by("broader"))],
      ["narrower", entityLinks(by("narrower"))],
      ["IRI", record.facts[0].entity],
    ]);
    const groundings = section("Groundings");
    const list = element("ul", "groundings");
    for (const row of record.facts.filter((r) => r.field in GROUNDINGS)) {
      // Links out are plain text: this page makes no request, and sends nobody, outside the server.
      list.appendChild(element("li", null, `${row.curie} ${row.valueLabel} (${GROUNDINGS[row.field]}): ${row.value}`));
    }
    if (list.childElementCount === 0) groundings.appendChild(element("p", null, "None."));
    groundings.appendChild(list);
    showGroupedClaims(record.claims);
  }

  function groupBy(rows, key) {
    const groups = new Map();
    for (const row of rows) {
      const name = key(row);
      if (!groups.has(name)) groups.set(name, []);
      groups.get(name).push(row);
    }
    return groups;
  }

  function showGroupedClaims(rows) {
    const groups = groupBy(rows, (row) => row.via);
    for (const via of Object.keys(VIA).filter((name) => groups.has(name))) {
      const part = section(VIA[via]);
      for (const [relation, relationRows] of groupBy(groups.get(via), (row) => row.relationLabel)) {
        part.appendChild(element("h3", null, relation));
        for (const [source, sourceRows] of groupBy(relationRows, (row) => row.source)) {
          const heading = element("h4");
          heading.appendChild(link(source, localId(source)));
          part.appendChild(heading);
          const list = element("ul", "claims");
          for (const row of sourceRows) {
            const item = element("li");
            item.appendChild(proposition(row));
            item.appendChild(document.createTextNode(" "));
            item.appendChild(link(row.claim, `[${row.claimId}]`));
            item.appendChild(element("p", "framing",
              `${localId(row.polarity)} · certainty ${localId(row.certainty)} · support ` +
              `${localId(row.support)} · strength ${row.strength}`));
            item.appendChild(element("blockquote", null, row.quote));
            list.appendChild(item);
          }
          part.appendChild(list);
        }
      }
    }
    if (rows.length === 0) section("Claims").appendChild(element("p", null, "No claim names this entity."));
  }

  // --- the source page --------------------------------------------------------------------------

  function showSource(record) {
    const source = record.source;
    document.getElementById("title").textContent = source.title;
    document.title = `medkg source ${source.sourceId}`;
    facts(section("Source"), [
      ["id", source.sourceId],
      ["description", source.description],
      ["kind", source.webPage ? "web page" : "document"],
      ["URL (not followed)", source.url],
      ["text", `${source.textLength} characters, SHA-256 ${source.textSha256}`],
      ["claims", record.claims.length],
      ["IRI", source.source],
    ]);
    const profile = section("Profile");
    for (const [dimension, rows] of groupBy(record.profile, (row) => row.dimension)) {
      profile.appendChild(element("h3", null, dimension));
      const list = element("ul", "profile");
      for (const row of rows) list.appendChild(element("li", null, `${row.valueLabel}: ${row.claims} (${row.percent}%)`));
      profile.appendChild(list);
    }
    showSourceText(source.text, record.claims);
    const claims = section("Claims, in the order of the text");
    const list = element("ol", "claims");
    for (const row of record.claims) {
      const item = element("li");
      item.appendChild(link(row.claim, row.claimId));
      item.appendChild(document.createTextNode(": "));
      item.appendChild(proposition(row));
      item.appendChild(element("p", "framing", `${localId(row.polarity)} · certainty ${localId(row.certainty)}` +
        `${row.conditional ? ", conditional" : ""} · support ${localId(row.support)} · strength ${row.strength}`));
      list.appendChild(item);
    }
    claims.appendChild(list);
  }

  // Every claim's quote highlighted; where quotes overlap, a piece of text links to the shortest one.
  function showSourceText(text, claims) {
    const part = section("The text, every claim highlighted");
    const chars = Array.from(text);
    const placed = claims.filter((row) => slice(chars, row.start, row.end) === row.quote);
    if (placed.length < claims.length) {
      warning(part, `${claims.length - placed.length} claims' offsets do not point at their quotes in this ` +
        "text; they are not highlighted.");
    }
    const cuts = new Set([0, chars.length]);
    for (const row of placed) cuts.add(row.start).add(row.end);
    const points = Array.from(cuts).sort((a, b) => a - b);
    const body = element("div", "text");
    for (let i = 0; i + 1 < points.length; i++) {
      const [from, to] = [points[i], points[i + 1]];
      const covering = placed.filter((row) => row.start <= from && row.end >= to);
      if (covering.length === 0) {
        body.appendChild(document.createTextNode(slice(chars, from, to)));
        continue;
      }
      covering.sort((a, b) => (a.end - a.start) - (b.end - b.start));
      const mark = element("a", `claim depth-${Math.min(covering.length, 3)}`, slice(chars, from, to));
      mark.href = pageOf(covering[0].claim);
      mark.title = covering.map((row) => row.claimId).join(", ");
      body.appendChild(mark);
    }
    part.appendChild(body);
  }

  // --- start --------------------------------------------------------------------------------------

  const SHOW = { claim: showClaim, entity: showEntity, source: showSource };

  async function start() {
    const kind = document.body.dataset.kind;
    const id = window.location.pathname.split("/")[2] || "";
    const response = await fetch(`/api/${kind}/${encodeURIComponent(id)}`, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`no such ${kind} (HTTP ${response.status})`);
    SHOW[kind](await response.json(), id);
    document.getElementById("status").remove();
    document.body.dataset.ready = "true";
  }

  start().catch((error) => {
    document.getElementById("status").textContent = `This page could not be shown: ${error.message}`;
    document.body.dataset.ready = "error";
  });
})();
