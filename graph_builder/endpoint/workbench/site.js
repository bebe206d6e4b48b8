// The static site of `medkg site`: no server runs queries, so this module answers the two routes app.js
// and YASGUI send queries to (sparql, queries/NAME) in the page, with Oxigraph's WebAssembly build over
// the site's medkg.nq. Every other request goes out as usual (to the same static host: see the CSP).
// Parameters are bound as RDF terms Oxigraph's own constructors serialise, never as typed text.
import init, * as oxigraph from "./vendor/oxigraph/web.js";

const ROOT = new URL("../", import.meta.url);
const SPARQL = new URL("sparql", ROOT).href;
const NAMED = new URL("queries/", ROOT).href;
const RESULTS_JSON = "application/sparql-results+json";
const TURTLE = "text/turtle";
const XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer";
const SLUG = /^[a-z0-9][a-z0-9-]*$/;
const fetchFromHost = window.fetch.bind(window);

class BadRequest extends Error {}

async function fetchText(name) {
  const response = await fetchFromHost(new URL(name, ROOT));
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  return response.text();
}

async function load() {
  await init({ module_or_path: new URL("vendor/oxigraph/web_bg.wasm", import.meta.url) });
  const [nquads, catalogue, names, prefixes] = await Promise.all(
    ["medkg.nq", "queries.json", "names.json", "prefixes.json"].map(fetchText));
  const store = new oxigraph.Store();
  store.load(nquads, { format: "application/n-quads" });
  document.querySelector("header p").textContent =
    "SPARQL over this site's claims graph, answered in your browser by Oxigraph.";
  return { store, catalogue: JSON.parse(catalogue), names: JSON.parse(names), prefixes: JSON.parse(prefixes) };
}

// graph_builder.core.names.normalize: Python's str.split() and casefold(), as near as JavaScript has them.
function normalize(text) {
  return text.split(/\s+/).filter((part) => part).join(" ").toLowerCase();
}

function expandIri(text, prefixes) {
  const value = text.trim();
  if (value.startsWith("<") && value.endsWith(">")) return value.slice(1, -1);
  const [prefix, ...rest] = value.split(":");
  const local = rest.join(":");
  if (rest.length && !local.startsWith("//") && Object.hasOwn(prefixes, prefix)) return prefixes[prefix] + local;
  return value;
}

// graph_builder.sparql.parameters.to_term for one value: the RDF term its declared type asks for.
function toTerm(param, text, site) {
  if (param.type === "integer") {
    const value = text.trim();
    if (!/^[+-]?[0-9]+$/.test(value)) throw new BadRequest(`parameter '${param.name}' must be an integer, found '${text}'`);
    return oxigraph.literal(BigInt(value.replace(/^\+/, "")).toString(), oxigraph.namedNode(XSD_INTEGER));
  }
  if (param.type === "entity") {
    const key = normalize(text);  // own keys only: "constructor" is no entity's name
    const found = Object.hasOwn(site.names, key) ? site.names[key] : null;
    if (!found) throw new BadRequest(`parameter '${param.name}': unknown entity '${text}'`);
    if (found.error) throw new BadRequest(`parameter '${param.name}': ${found.error}`);
    return oxigraph.namedNode(found.iri);
  }
  if (param.type === "source") {
    const name = text.trim();
    const sources = site.prefixes.source;
    const iri = SLUG.test(name) ? sources + name : expandIri(name, site.prefixes);
    if (!iri.startsWith(sources) || !SLUG.test(iri.slice(sources.length))) {
      throw new BadRequest(`parameter '${param.name}' names a source: expected its id, source:ID or its IRI; found '${text}'`);
    }
    return oxigraph.namedNode(iri);
  }
  if (param.type === "iri") {
    try {
      return oxigraph.namedNode(expandIri(text, site.prefixes));
    } catch (error) {
      throw new BadRequest(`parameter '${param.name}' must be an absolute IRI, found '${text}': ${error.message}`);
    }
  }
  return oxigraph.literal(text);
}

// The query's text with a VALUES clause where the catalogue split it: inside its top-level WHERE, which
// binds a parameter as pyoxigraph's substitutions do for `medkg query run`.
function boundText(query, args, site) {
  const unknown = Array.from(args.keys()).filter((name) => !query.parameters.some((p) => p.name === name));
  if (unknown.length) throw new BadRequest(`query '${query.name}' has no parameter '${unknown.join("', '")}'`);
  const [head, tail] = query.run.text;
  // An optional parameter given no value (or an empty one) stays unbound: the query answers for every value.
  const given = (param) => (args.has(param.name) ? args.get(param.name) : param.default);
  const bound = query.parameters.filter((param) => !(param.optional && !(given(param) || "").trim()));
  if (!bound.length) return head + tail;
  const terms = bound.map((param) => {
    const value = given(param);
    if (value === null) throw new BadRequest(`query '${query.name}' needs a value for parameter '${param.name}' (${param.type})`);
    return toTerm(param, value, site).toString();
  });
  const variables = bound.map((param) => `?${param.name}`).join(" ");
  return `${head}\n  VALUES (${variables}) { (${terms.join(" ")}) }\n${tail}`;
}

function answer(site, text, options, graphResult) {
  const format = graphResult ? TURTLE : RESULTS_JSON;
  const body = site.store.query(text, Object.assign({ base_iri: site.catalogue.base, results_format: format }, options));
  return new Response(body, { status: 200, headers: { "Content-Type": `${format}; charset=utf-8` } });
}

// The server predeclares medkg's prefixes and reads the union of all graphs, unless a query has its own
// FROM; a query's own PREFIX lines come after these and win.
function editorQuery(site, text, accept) {
  const prologue = Object.entries(site.prefixes).map(([p, iri]) => `PREFIX ${p}: <${iri}>\n`).join("");
  const bare = text.replace(/#[^\n]*|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>\s]*>/g, " ");
  const union = !/(^|[\s}])FROM[\s<]/i.test(bare);
  const graphResult = !accept.startsWith(RESULTS_JSON) && /turtle|n-triples|ld\+json/.test(accept);
  return answer(site, prologue + text, union ? { use_default_graph_as_union: true } : {}, graphResult);
}

function namedQuery(site, name, args) {
  const query = site.catalogue.queries.find((q) => q.name === name);
  if (!query) return new Response(`no query named '${name}'`, { status: 404 });
  const options = query.run.union ? { use_default_graph_as_union: true } : {};
  return answer(site, boundText(query, args, site), options, query.kind === "construct");
}

async function route(site, request) {
  const url = new URL(request.url);
  const fields = new URLSearchParams(url.search);
  if (request.method === "POST") new URLSearchParams(await request.text()).forEach((v, k) => fields.append(k, v));
  fields.delete("format");
  try {
    if (url.href.split("?")[0] === SPARQL) {
      return editorQuery(site, fields.get("query") || "", request.headers.get("Accept") || RESULTS_JSON);
    }
    return namedQuery(site, decodeURIComponent(url.pathname.slice(new URL(NAMED).pathname.length)), fields);
  } catch (error) {  // a bad value or query text, as the server answers 400 (Oxigraph's errors included)
    return new Response(String(error.message || error), { status: 400, headers: { "Content-Type": "text/plain" } });
  }
}

function answeredHere(url) {
  const path = url.split("?")[0];
  return path === SPARQL || (path.startsWith(NAMED) && !path.endsWith(".rq"));
}

const ready = load();
window.fetch = async (input, options) => {
  const request = new Request(input, options);
  if (!answeredHere(request.url)) return fetchFromHost(request);
  return route(await ready, request);
};
window.medkgSite = { ready: ready.then(() => true), catalogue: "queries.json" };
