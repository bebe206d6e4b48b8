// The medkg workbench: YASGUI pointed at this server only, and the named query library beside it.
// Everything from the server (query names, descriptions, texts, results) reaches the page as text:
// textContent, input values and YASGUI's own escaping, never innerHTML.
"use strict";

(function () {
  const ENDPOINT = new URL("/sparql", window.location.href).href;
  // YASQE's other autocompleters (classes, properties) ask a public vocabulary service.
  const COMPLETERS = ["prefixes", "variables"];
  const RESULTS_JSON = "application/sparql-results+json";
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

  function configure(Yasgui, prefixes) {
    const Yasqe = Yasgui.Yasqe;
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

  function parameterForm(query) {
    const form = element("form");
    for (const param of query.parameters) {
      const label = element("label", null, `${param.name} (${param.type})`);
      const input = element("input");
      input.name = param.name;
      input.type = "text";
      input.value = param.default === null ? "" : param.default;
      input.required = param.default === null;
      label.appendChild(input);
      label.appendChild(element("span", "hint", param.description));
      form.appendChild(label);
    }
    const run = element("button", "run", "Load and run");
    run.type = "submit";
    form.appendChild(run);
    return form;
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

  // The named query runs on the server, which binds its parameters (resolving entity names);
  // its text goes into the editor to read and edit.
  async function runNamed(yasgui, prefixes, query, form) {
    const tab = yasgui.getTab();
    const args = new URLSearchParams(new FormData(form));
    runStatus.textContent = `Running ${query.name}…`;
    const textResponse = await fetch(query.sparql);
    if (textResponse.ok) tab.setQuery(withPrefixes(await textResponse.text(), prefixes));
    const started = performance.now();
    const response = await fetch(`${query.url}?${args}`, { headers: { Accept: RESULTS_JSON } });
    const body = await response.text();
    const duration = Math.round(performance.now() - started);
    const contentType = response.headers.get("Content-Type") || "";
    if (response.ok) {
      tab.getYasr().setResponse({ data: body, contentType: contentType, status: response.status }, duration);
      runStatus.textContent = `${query.name}: run on the server with ${args.toString() || "no parameters"}.`;
    } else {
      tab.getYasr().setResponse({ error: { status: response.status, text: body } }, duration);
      runStatus.textContent = `${query.name}: ${body.trim()}`;
    }
  }

  function catalogueEntry(yasgui, prefixes, query) {
    const item = element("li", "query");
    item.dataset.name = query.name;
    item.appendChild(element("h3", null, query.name));
    item.appendChild(element("p", "summary", query.summary));
    const details = element("details");
    details.appendChild(element("summary", null, "Description"));
    details.appendChild(element("p", null, query.description));
    item.appendChild(details);
    const form = parameterForm(query);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      runNamed(yasgui, prefixes, query, form).catch((error) => {
        runStatus.textContent = `${query.name}: ${error.message}`;
      });
    });
    item.appendChild(form);
    return item;
  }

  async function start() {
    const Yasgui = window.Yasgui && window.Yasgui.default ? window.Yasgui.default : window.Yasgui;
    const [prefixes, catalogue] = await Promise.all([getJson("/prefixes.json"), getJson("/queries")]);
    const yasgui = configure(Yasgui, prefixes);
    const list = document.getElementById("queries");
    for (const query of catalogue.queries) list.appendChild(catalogueEntry(yasgui, prefixes, query));
    document.getElementById("catalogue-status").textContent = `${catalogue.queries.length} queries`;
    window.medkgWorkbench = { yasgui: yasgui, endpoint: ENDPOINT };
    document.body.dataset.ready = "true";
  }

  start().catch((error) => {
    document.getElementById("catalogue-status").textContent = `The workbench did not start: ${error.message}`;
  });
})();
