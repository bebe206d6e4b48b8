// The medkg workbench: YASGUI pointed at this server only (completing medkg's terms), the named query
// library beside it, and a result's downloads and graph view above the results.
// On a static site (`medkg site`) site.js has run first and answers the query routes in the page: the
// catalogue is a file there, and downloads and the graph view, which the server renders, are left out.
// Paths are relative to the page, which the server serves at / and a static host wherever it likes.
// Everything from the server (query names, descriptions, texts, results) reaches the page as text:
// textContent, input values and YASGUI's own escaping, never innerHTML.
"use strict";

(function () {
  const SITE = window.medkgSite || null;
  const ENDPOINT = new URL("sparql", document.baseURI).href;
  // YASQE's other autocompleters (classes, properties) ask a public vocabulary service; ours
  // ("medkg") completes medkg's own terms from this server's /terms.json.
  const COMPLETERS = ["prefixes", "variables", "medkg"];
  const RESULTS_JSON = "application/sparql-results+json";
  // A result with these columns names claims the graph view can draw (as does any CONSTRUCT).
  const GRAPH_COLUMNS = ["claim", "subject", "object"];
  // The files a result downloads as: the server writes them (format=...), as `medkg query run` does.
  const DOWNLOADS = {
    table: [["csv", "CSV", "result.csv"], ["tsv", "TSV", "result.tsv"], ["json", "JSON", "result.json"]],
    graph: [["turtle", "Turtle", "result.ttl"], ["nt", "N-Triples", "result.nt"], ["jsonld", "JSON-LD", "result.jsonld"]],
  };
  const runStatus = document.getElementById("run-status");

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  async function getJson(path) {
    const response = await fetch(path, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return response.json();
  }

  function defaultQuery(prefixes) {
    const declared = Object.keys(prefixes).filter((p) => ["medkg", "rdfs"].includes(p));
    const lines = declared.map((p) => `PREFIX ${p}: <${prefixes[p]}>`);
    return lines.concat([
      "# Each row is one source's assertion of a proposition, with its verbatim quote.",
      "SELECT ?claim ?subjectLabel ?relationLabel ?objectLabel ?quote WHERE {",
      "  ?claim medkg:proposition ?proposition ;",
      "         medkg:quote ?quote .",
      "  ?proposition medkg:subject/rdfs:label ?subjectLabel ;",
      "               medkg:relation/rdfs:label ?relationLabel ;",
      "               medkg:object/rdfs:label ?objectLabel .",
      "}",
      "ORDER BY ?claim",
      "LIMIT 100",
    ]).join("\n");
  }

  // Every CURIE of medkg's terms with what a person reads for it: a label, a title.
  function termLabels(terms) {
    const labels = new Map();
    for (const e of terms.entities) labels.set(e.curie, e.label);
    for (const s of terms.sources) labels.set(s.curie, s.title);
    for (const r of terms.relations) {
      labels.set(r.curie, r.label);
      if (r.claimed) labels.set(r.claimed, `claims: ${r.label}`);
    }
    for (const scheme of ["evidence", "stance", "polarity", "certainty", "support"]) {
      for (const v of terms[scheme]) labels.set(v.curie, `${scheme}: ${v.label}`);
    }
    return labels;
  }

  function termCompleter(labels) {
    const prefixes = new Set(Array.from(labels.keys(), (curie) => curie.split(":")[0]));
    return {
      name: "medkg",
      bulk: true,
      autoShow: true,
      persistenceId: null, // the terms are the served store's: never kept from an earlier visit
      get: () => Array.from(labels.keys()).sort(),
      isValidCompletionPosition: (yasqe) => {
        const token = yasqe.getCompleteToken().string;
        return token.includes(":") && prefixes.has(token.split(":")[0]);
      },
      postprocessHints: (yasqe, hints) =>
        hints.map((hint) => Object.assign(hint, { displayText: `${hint.text}  ${labels.get(hint.text) || ""}` })),
    };
  }

  function configure(Yasgui, prefixes, terms) {
    const Yasqe = Yasgui.Yasqe;
    Yasqe.registerAutocompleter(termCompleter(termLabels(terms)), false);
    // medkg's prefixes come first in the prefix completer, so typing `entity:` declares medkg's IRI.
    const bundled = Yasqe.Autocompleters.prefixes;
    const ours = Object.keys(prefixes).map((p) => `${p}: <${prefixes[p]}>`);
    Yasqe.Autocompleters.prefixes = Object.assign({}, bundled, {
      persistenceId: null,
      get: (yasqe) =>
        Promise.resolve(bundled.get(yasqe)).then((theirs) =>
          ours.concat(theirs.filter((line) => !(line.split(":")[0] in prefixes)))),
    });
    // Set on the defaults: YASGUI merges arrays by index, so a shorter list in the config would keep
    // the defaults' later entries.
    Yasqe.defaults.autocompleters = COMPLETERS.slice();
    Yasgui.defaults.yasqe.autocompleters = COMPLETERS.slice();
    const withOurEndpoint = (tab) =>
      Object.assign({}, tab, { requestConfig: Object.assign({}, tab.requestConfig, { endpoint: ENDPOINT }) });
    const yasgui = new Yasgui(document.getElementById("yasgui"), {
      requestConfig: { endpoint: ENDPOINT, method: "POST" },
      copyEndpointOnNewTab: false,
      endpointCatalogueOptions: { getData: () => [], keys: [] },
      populateFromUrl: withOurEndpoint, // a shared link may name another endpoint: this server answers
      persistenceId: "medkg-workbench",
      yasqe: { value: defaultQuery(prefixes) },
      yasr: { prefixes: prefixes },
    });
    // Tabs kept in local storage from an earlier visit keep their endpoint: point them here again.
    for (const id of yasgui.persistentConfig.getTabs()) {
      const tab = yasgui.getTab(id);
      if (tab && tab.getEndpoint() !== ENDPOINT) tab.setEndpoint(ENDPOINT);
    }
    return yasgui;
  }

  // Entities are many and a name may be typed (label, synonym or id): a text field with the
  // entities listed. Sources are few and named by id: a list to choose from.
  function entityPicker(terms) {
    let list = document.getElementById("medkg-entities");
    if (!list) {
      list = element("datalist");
      list.id = "medkg-entities";
      for (const e of terms.entities) {
        const option = element("option");
        option.value = e.id;
        option.label = e.label;
        list.appendChild(option);
      }
      document.body.appendChild(list);
    }
    const input = element("input");
    input.type = "text";
    input.setAttribute("list", list.id);
    return input;
  }

  function sourcePicker(terms, chosen, optional) {
    const select = element("select");
    if (optional) {
      const every = element("option", null, "(every source)");
      every.value = "";
      select.appendChild(every);
    }
    for (const s of terms.sources) {
      const option = element("option", null, s.title);
      option.value = s.id;
      select.appendChild(option);
    }
    if (chosen !== null && !terms.sources.some((s) => s.id === chosen)) {
      const option = element("option", null, chosen);
      option.value = chosen;
      select.appendChild(option);
    }
    return select;
  }

  function parameterForm(query, terms) {
    const form = element("form");
    for (const param of query.parameters) {
      const label = element("label", null, `${param.name} (${param.type})`);
      const input =
        param.type === "entity" ? entityPicker(terms)
        : param.type === "source" ? sourcePicker(terms, param.default, param.optional)
        : Object.assign(element("input"), { type: "text" });
      input.name = param.name;
      input.value = param.default === null ? "" : param.default;
      input.required = param.default === null && !param.optional;
      label.appendChild(input);
      label.appendChild(element("span", "hint", param.description));
      form.appendChild(label);
    }
    const run = element("button", "run", "Load and run");
    run.type = "submit";
    form.appendChild(run);
    return form;
  }

  // What the buttons above the results act on: the run shown. A run is the path that answers it
  // (/sparql or /queries/NAME), the fields it sends, and the path that draws it.
  // A run that failed, or is under way, has nothing to download or draw yet.
  function hideActions() {
    document.getElementById("result-actions").hidden = true;
    window.medkgWorkbench.run = null;
  }

  function showActions(run, variables, isGraph) {
    if (SITE) return;
    document.getElementById("result-actions").hidden = false;
    document.getElementById("show-graph").hidden =
      !isGraph && !GRAPH_COLUMNS.every((column) => variables.includes(column));
    const links = document.getElementById("downloads");
    links.replaceChildren();
    for (const [format, text, file] of DOWNLOADS[isGraph ? "graph" : "table"]) {
      const fields = new URLSearchParams(run.fields);
      fields.set("format", format);
      const link = element("a", null, text);
      link.href = `${run.path}?${fields}`;
      link.download = file;
      link.dataset.format = format;
      links.appendChild(link);
    }
    window.medkgWorkbench.run = run;
  }

  // A form GET in a new tab. Not a POST: under the page's no-referrer policy Chromium sends a POST
  // navigation with "Origin: null", which the server refuses as a foreign origin (measured).
  function openGraph() {
    const run = window.medkgWorkbench.run;
    const form = element("form");
    form.method = "GET";
    form.action = run.graphPath;
    form.target = "_blank";
    for (const [name, value] of run.fields) {
      const field = element("input");
      field.type = "hidden";
      field.name = name;
      field.value = value;
      form.appendChild(field);
    }
    document.body.appendChild(form);
    form.submit();
    form.remove();
  }

  // The server predeclares medkg's prefixes, the editor does not: declare the ones a query's text uses,
  // after its `#+` header, so that the editor checks it as the server reads it.
  function withPrefixes(text, prefixes) {
    const lines = text.split("\n");
    const first = lines.findIndex((line) => !line.startsWith("#"));
    const header = first < 0 ? lines.length : first;
    const body = lines.slice(header).join("\n");
    const missing = Object.keys(prefixes).filter(
      (p) => new RegExp(`(^|[\\s(/^|,;{!])${p}:`).test(body) && !new RegExp(`PREFIX\\s+${p}:`, "i").test(body));
    const declared = missing.map((p) => `PREFIX ${p}: <${prefixes[p]}>`);
    return lines.slice(0, header).concat(declared, lines.slice(header)).join("\n");
  }

  // The named query runs on the server (or site.js), which binds its parameters (resolving entity names);
  // its text goes into the editor to read and edit.
  async function runNamed(yasgui, prefixes, query, form) {
    const tab = yasgui.getTab();
    const args = new URLSearchParams(new FormData(form));
    runStatus.textContent = `Running ${query.name}…`;
    hideActions();
    const textResponse = await fetch(query.sparql);
    if (textResponse.ok) tab.setQuery(withPrefixes(await textResponse.text(), prefixes));
    const started = performance.now();
    // A SELECT answers as SPARQL JSON; a CONSTRUCT view (a graph) as Turtle.
    const response = await fetch(`${query.url}?${args}`, { headers: { Accept: `${RESULTS_JSON}, text/turtle;q=0.9` } });
    const body = await response.text();
    const duration = Math.round(performance.now() - started);
    const contentType = response.headers.get("Content-Type") || "";
    if (response.ok) {
      tab.getYasr().setResponse({ data: body, contentType: contentType, status: response.status }, duration);
      const where = SITE ? "in this browser" : "on the server";
      runStatus.textContent = `${query.name}: run ${where} with ${args.toString() || "no parameters"}.`;
      const isGraph = !contentType.startsWith(RESULTS_JSON);
      const variables = isGraph ? [] : JSON.parse(body).head.vars || [];
      const run = { path: query.url, fields: Array.from(args), graphPath: `graph/${encodeURIComponent(query.name)}` };
      showActions(run, variables, isGraph);
    } else {
      tab.getYasr().setResponse({ error: { status: response.status, text: body } }, duration);
      runStatus.textContent = `${query.name}: ${body.trim()}`;
      hideActions();
    }
  }

  function catalogueEntry(yasgui, prefixes, terms, query) {
    const item = element("li", "query");
    item.dataset.name = query.name;
    item.appendChild(element("h3", null, query.name));
    item.appendChild(element("p", "summary", query.summary));
    const details = element("details");
    details.appendChild(element("summary", null, "Description"));
    details.appendChild(element("p", null, query.description));
    item.appendChild(details);
    const form = parameterForm(query, terms);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      runNamed(yasgui, prefixes, query, form).catch((error) => {
        runStatus.textContent = `${query.name}: ${error.message}`;
      });
    });
    item.appendChild(form);
    return item;
  }

  // A query run from the editor: YASGUI has asked /sparql; the buttons above the results ask again.
  function followEditorRuns(yasgui) {
    yasgui.on("query", hideActions);
    yasgui.on("queryResponse", (instance, tab) => {
      const yasqe = tab.getYasqe();
      const run = { path: "sparql", fields: [["query", tab.getQuery()]], graphPath: "graph" };
      const isGraph = ["CONSTRUCT", "DESCRIBE"].includes(yasqe.getQueryType());
      // YASR reads the response after this event: read its columns once it has.
      setTimeout(() => {
        const results = tab.getYasr().results;
        const variables = results && !isGraph ? results.getVariables() : [];
        showActions(run, variables, isGraph);
      }, 0);
    });
  }

  async function start() {
    const Yasgui = window.Yasgui && window.Yasgui.default ? window.Yasgui.default : window.Yasgui;
    if (SITE) await SITE.ready;
    const [prefixes, catalogue, terms] = await Promise.all(
      [getJson("prefixes.json"), getJson(SITE ? SITE.catalogue : "queries"), getJson("terms.json")]);
    window.medkgWorkbench = { endpoint: ENDPOINT, terms: terms, run: null };
    const yasgui = configure(Yasgui, prefixes, terms);
    window.medkgWorkbench.yasgui = yasgui;
    followEditorRuns(yasgui);
    document.getElementById("show-graph").addEventListener("click", openGraph);
    const list = document.getElementById("queries");
    for (const query of catalogue.queries) list.appendChild(catalogueEntry(yasgui, prefixes, terms, query));
    document.getElementById("catalogue-status").textContent = `${catalogue.queries.length} queries`;
    document.body.dataset.ready = "true";
  }

  start().catch((error) => {
    document.getElementById("catalogue-status").textContent = `The workbench did not start: ${error.message}`;
  });
})();
