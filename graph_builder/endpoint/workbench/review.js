// The review page of medkg review: the draft's claims beside the article, each quote marked in the text,
// to accept, edit or reject; Save sends the decisions to /api/review, which checks the new file and writes
// it, or answers its problems one per line. Every string from the draft or the article is inserted as text
// (textContent, option values), never as markup. Offsets count code points, as medkg computes them.
"use strict";

(function () {
  const textBox = document.getElementById("text");
  const list = document.getElementById("claims");
  const status = document.getElementById("status");
  const problems = document.getElementById("problems");
  const saveButton = document.getElementById("save");
  let state = null;
  let chars = [];
  let decisions = {}; // claim id -> {verdict, changes}
  let current = null; // the claim id shown in the text
  let editing = null; // the claim id whose editor is open

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function button(label, action, name) {
    const node = element("button", null, label);
    node.type = "button";
    if (name) node.name = name;
    node.addEventListener("click", action);
    return node;
  }

  function select(name, values, chosen, labelOf) {
    const node = element("select");
    node.name = name;
    for (const value of values) {
      const option = element("option", null, labelOf ? labelOf(value) : value);
      option.value = value;
      option.selected = value === chosen;
      node.appendChild(option);
    }
    return node;
  }

  function entityLabel(id) {
    const entity = state.entities.find((e) => e.id === id);
    return entity ? `${entity.label} (${id})` : id;
  }

  function statusOf(claim) {
    const decision = decisions[claim.id];
    if (decision) {
      if (decision.verdict === "reject") return "rejected";
      if (Object.keys(decision.changes).length) return "edited";
      if (decision.verdict === "accept") return "accepted";
    }
    return claim.accepted ? "accepted" : "pending";
  }

  // A claim as the page shows it: the draft's values with the pending edits over them.
  function shown(claim) {
    const changes = (decisions[claim.id] || {}).changes || {};
    const out = Object.assign({}, claim, changes);
    if (changes.quote) out.quote = { start: changes.quote[0], end: changes.quote[1], text: chars.slice(changes.quote[0], changes.quote[1]).join("") };
    return out;
  }

  // The text, cut at every quote's edges (and the current claim's cues), each piece carrying its offset.
  function renderText() {
    const claims = state.claims.map(shown);
    const edges = new Set([0, chars.length]);
    for (const c of claims) edges.add(c.quote.start).add(c.quote.end);
    const chosen = claims.find((c) => c.id === current);
    const cues = chosen && !decisions[chosen.id]?.changes?.hedges ? chosen.hedges : [];
    for (const h of cues) edges.add(h.start).add(h.end);
    const points = [...edges].sort((a, b) => a - b);
    textBox.replaceChildren();
    for (let i = 0; i + 1 < points.length; i++) {
      const [start, end] = [points[i], points[i + 1]];
      const covering = claims.filter((c) => c.quote.start <= start && end <= c.quote.end);
      const inCue = cues.some((h) => h.start <= start && end <= h.end);
      const piece = element(covering.length ? "mark" : "span", null, chars.slice(start, end).join(""));
      piece.dataset.start = String(start);
      if (covering.length) {
        piece.classList.add("quote");
        if (covering.some((c) => c.id === current)) piece.classList.add("current");
        if (covering.every((c) => statusOf(c) === "rejected")) piece.classList.add("rejected");
        piece.dataset.claims = covering.map((c) => c.id).join(" ");
        piece.addEventListener("click", () => choose(covering[0].id, true));
      }
      if (inCue) piece.classList.add("cue");
      textBox.appendChild(piece);
    }
  }

  function choose(id, scrollList) {
    current = id;
    renderText();
    for (const item of list.children) item.classList.toggle("current", item.dataset.id === id);
    const mark = textBox.querySelector("mark.current");
    if (mark) mark.scrollIntoView({ block: "nearest" });
    if (scrollList) list.querySelector(`li[data-id="${CSS.escape(id)}"]`)?.scrollIntoView({ block: "nearest" });
  }

  function decide(id, verdict) {
    const before = decisions[id] || { changes: {} };
    decisions[id] = { verdict, changes: verdict === "reject" ? {} : before.changes };
    if (verdict === "pending" && !Object.keys(before.changes).length) delete decisions[id];
    editing = null;
    render();
    choose(id, false);
  }

  // The code-point offset of a point in the text box (a text node inside a piece with data-start).
  function offsetOf(node, offset) {
    const piece = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    if (!piece || !textBox.contains(piece) || piece.dataset.start === undefined) return null;
    const inside = node.nodeType === Node.TEXT_NODE ? Array.from(node.data.slice(0, offset)).length : 0;
    return Number(piece.dataset.start) + inside;
  }

  function selectedOffsets() {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    const start = offsetOf(range.startContainer, range.startOffset);
    const end = offsetOf(range.endContainer, range.endOffset);
    return start === null || end === null || end <= start ? null : [start, end];
  }

  function editor(claim) {
    const view = shown(claim);
    const form = element("div", "editor");
    const entityIds = state.entities.map((e) => e.id);
    const fields = {
      subject: select("subject", entityIds, view.subject, entityLabel),
      relation: select("relation", state.choices.relation, view.relation),
      object: select("object", entityIds, view.object, entityLabel),
      polarity: select("polarity", state.choices.polarity, view.polarity),
      support: select("support", state.choices.support, view.support),
    };
    for (const [name, control] of Object.entries(fields)) {
      form.appendChild(element("label", null, name));
      form.appendChild(control);
    }
    // cues: one row each, a type and the words (searched in the quote first, as the format says)
    form.appendChild(element("label", null, "cues"));
    const rows = element("div", "cues");
    function addCue(cue) {
      const row = element("div", "row");
      const type = select("cue-type", state.choices.hedge, cue.type);
      const words = element("input");
      words.name = "cue-text";
      words.value = cue.text;
      row.append(type, words, button("remove", () => row.remove()));
      rows.appendChild(row);
    }
    for (const h of view.hedges) addCue(h);
    const cueBox = element("div");
    cueBox.append(rows, button("add a cue", () => addCue({ text: "", type: state.choices.hedge[0] }), "add-cue"));
    form.appendChild(cueBox);
    const hints = Object.entries(state.certainty_of).filter(([, c]) => c !== "certain").map(([t, c]) => `a ${t} cue makes it ${c}`);
    form.appendChild(element("p", "hint", `certainty ${view.certainty} follows the cues: ${hints.join(", ")}, none certain`));
    // the quote: offsets into the text, or the text selected on the left
    form.appendChild(element("label", null, "quote"));
    const quoteRow = element("div", "row");
    const start = element("input");
    const end = element("input");
    for (const [input, name, value] of [[start, "quote-start", view.quote.start], [end, "quote-end", view.quote.end]]) {
      input.type = "number";
      input.name = name;
      input.min = "0";
      input.value = String(value);
    }
    const preview = element("p", "hint", view.quote.text);
    function showQuote() {
      preview.textContent = chars.slice(Number(start.value), Number(end.value)).join("");
    }
    start.addEventListener("input", showQuote);
    end.addEventListener("input", showQuote);
    quoteRow.append(start, end, button("use the selected text", () => {
      const picked = selectedOffsets();
      if (picked === null) {
        status.textContent = "Select the quote in the article first.";
        return;
      }
      [start.value, end.value] = picked.map(String);
      showQuote();
    }, "use-selection"));
    form.append(quoteRow, preview);
    const done = element("div", "row done");
    form.appendChild(done);
    done.appendChild(button("apply", () => {
      const changes = {};
      for (const [name, control] of Object.entries(fields)) if (control.value !== claim[name]) changes[name] = control.value;
      const hedges = [...rows.querySelectorAll(".row")].map((row) => ({
        text: row.querySelector("[name=cue-text]").value,
        type: row.querySelector("[name=cue-type]").value,
      }));
      const same = hedges.length === claim.hedges.length && hedges.every((h, i) => h.text === claim.hedges[i].text && h.type === claim.hedges[i].type);
      if (!same) changes.hedges = hedges;
      const quote = [Number(start.value), Number(end.value)];
      if (quote[0] !== claim.quote.start || quote[1] !== claim.quote.end) changes.quote = quote;
      decisions[claim.id] = { verdict: "accept", changes };
      editing = null;
      render();
      choose(claim.id, false);
    }, "apply"));
    done.appendChild(button("cancel", () => { editing = null; render(); }, "cancel"));
    return form;
  }

  function item(claim) {
    const view = shown(claim);
    const node = element("li", "claim");
    node.dataset.id = claim.id;
    node.dataset.status = statusOf(claim);
    node.appendChild(element("span", "status", node.dataset.status));
    node.appendChild(element("h2", null, `${entityLabel(view.subject)} —${view.relation}→ ${entityLabel(view.object)}`));
    const confidence = claim.confidence === null ? "" : ` · confidence ${claim.confidence.toFixed(2)}`;
    node.appendChild(element("p", "facts", `${claim.id} · ${view.polarity} · certainty ${view.certainty} · support ${view.support}${confidence}`));
    node.appendChild(element("blockquote", null, view.quote.text));
    if (view.hedges.length) node.appendChild(element("p", "facts", "cues: " + view.hedges.map((h) => `${h.type} “${h.text}”`).join("; ")));
    if (claim.reviews.length) {
      const notes = element("ul", "notes");
      for (const note of claim.reviews) notes.appendChild(element("li", null, note));
      node.appendChild(notes);
    }
    const actions = element("div", "actions");
    actions.append(
      button("accept", () => decide(claim.id, "accept"), "accept"),
      button("edit", () => { editing = claim.id; render(); choose(claim.id, false); }, "edit"),
      button("reject", () => decide(claim.id, "reject"), "reject"),
    );
    if (decisions[claim.id]) actions.appendChild(button("undo", () => { delete decisions[claim.id]; render(); }, "undo"));
    node.appendChild(actions);
    if (editing === claim.id) node.appendChild(editor(claim));
    node.addEventListener("click", (event) => {
      if (event.target.closest("button, select, input")) return;
      choose(claim.id, false);
    });
    return node;
  }

  function render() {
    list.replaceChildren(...state.claims.map(item));
    renderText();
    const count = Object.keys(decisions).length;
    saveButton.disabled = count === 0;
    const pending = state.claims.filter((c) => statusOf(c) === "pending").length;
    status.textContent = `${state.file}: ${state.claims.length} claims, ${pending} to review` +
      (count ? `, ${count} unsaved decisions` : "") + ` · agent ${state.agent}`;
    if (current) for (const node of list.children) node.classList.toggle("current", node.dataset.id === current);
  }

  function showProblems(lines) {
    problems.replaceChildren(...lines.map((line) => element("li", null, line)));
    problems.hidden = lines.length === 0;
  }

  function load(data) {
    state = data;
    chars = Array.from(state.text);
    decisions = {};
    document.getElementById("title").textContent = state.title;
    document.title = `medkg review: ${state.file}`;
    render();
    document.body.dataset.ready = "true";
  }

  async function save() {
    saveButton.disabled = true;
    status.textContent = "Saving…";
    let response;
    try {
      response = await fetch("/api/review", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Medkg-Token": state.token },
        body: JSON.stringify({ version: state.version, decisions }),
      });
    } catch (error) {
      status.textContent = `Not saved: ${error}`;
      saveButton.disabled = false;
      return;
    }
    if (response.ok) {
      showProblems([]);
      load(await response.json());
      status.textContent = `Saved ${state.file}. ` + status.textContent;
      document.body.dataset.saved = String(Number(document.body.dataset.saved || 0) + 1);
      return;
    }
    if (response.status === 422) showProblems((await response.json()).problems);
    else showProblems([(await response.text()).trim()]);
    status.textContent = "Not saved: nothing was written.";
    saveButton.disabled = false;
  }

  saveButton.addEventListener("click", save);
  fetch("/api/review")
    .then(async (response) => {
      if (!response.ok) throw new Error((await response.text()).trim());
      return response.json();
    })
    .then(load)
    .catch((error) => {
      status.textContent = "Cannot review this draft.";
      showProblems(String(error.message || error).split("\n"));
    });
})();
