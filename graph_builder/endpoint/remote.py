"""medkg's named queries against a remote SPARQL endpoint, and the HTTP both they and
:mod:`graph_builder.endpoint.push` (the graph uploaded to a triple store) speak.

Only W3C protocols are spoken: the SPARQL 1.1 Protocol to query, the Graph Store Protocol (or
SPARQL Update) to upload, so any conforming store works (Oxigraph, Virtuoso, GraphDB, Fuseki, …).

Named queries run over the union of medkg's graphs. With ``union="endpoint"`` the query is sent as
is, for stores whose default graph already is the union (Virtuoso, GraphDB, ``oxigraph serve
--union-default-graph``); with ``union="dataset"`` the request names that union itself, as
``default-graph-uri`` protocol parameters listing ``graph:ontology``, ``graph:shared`` and every source
graph found on the endpoint; ``union="auto"`` (the default) asks the store whether its default graph
holds medkg's sources and picks one of the two. Parameters are bound as RDF terms serialised by
pyoxigraph, never by pasting the user's text:

>>> from graph_builder.sparql.parameters import Parameter, to_term
>>> term = to_term(Parameter("entity", "string", None, "an entity"), 'x" } ; DROP ALL #')
>>> print(bind_text('SELECT ?claim WHERE { ?claim rdfs:label ?entity }', {"entity": term}))
SELECT ?claim WHERE { VALUES (?entity) { ("x\\" } ; DROP ALL #") } ?claim rdfs:label "x\\" } ; DROP ALL #" }
"""

from __future__ import annotations

import base64
import functools
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

import pyoxigraph as ox

from graph_builder.core import namespaces as ns
from graph_builder.core.errors import MedkgError
from graph_builder.core.names import (
    ENTITY_NAMES_SPARQL,
    EntityName,
    entity_names,
    named_iri,
    normalize,
    resolve_name,
)
from graph_builder.core.results import ResultTable, Term, from_query_result, to_python
from graph_builder.sparql.parameters import Resolver
from graph_builder.sparql.queries import NamedQuery, QueryError, get_query, parse_query
from graph_builder.sparql.runner import bind_parameters

UnionStrategy: TypeAlias = Literal["auto", "dataset", "endpoint"]
AuthScheme: TypeAlias = Literal["basic", "digest", "bearer"]

UNION_STRATEGIES: tuple[str, ...] = ("auto", "dataset", "endpoint")
AUTH_SCHEMES: tuple[str, ...] = ("basic", "digest", "bearer")

_RESULTS_JSON = "application/sparql-results+json"
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_USER_AGENT = "medkg (https://w3id.org/medkg)"


class RemoteError(MedkgError):
    """A remote endpoint refused a request or could not be reached; the message says which and why."""


@dataclass(frozen=True)
class Auth:
    """Credentials for an endpoint: HTTP Basic or Digest (``user`` and password), or a Bearer token."""

    scheme: AuthScheme
    user: str | None = None
    secret: str = field(default="", repr=False)


@dataclass(frozen=True)
class Endpoint:
    """A SPARQL endpoint: its URL, credentials, and how long to wait for an answer (seconds)."""

    url: str
    auth: Auth | None = None
    timeout: float = 120.0


def make_endpoint(
    url: str,
    *,
    user: str | None = None,
    auth: str | None = None,
    password_env: str = "MEDKG_PASSWORD",
    timeout: float = 120.0,
) -> Endpoint:
    """An :class:`Endpoint` whose secret is read from an environment variable, never from arguments.

    ``auth`` defaults to ``basic`` when a ``user`` is given; ``bearer`` sends the variable as a token.

    >>> make_endpoint("http://127.0.0.1:8890/sparql")
    Endpoint(url='http://127.0.0.1:8890/sparql', auth=None, timeout=120.0)
    """
    scheme = auth or ("basic" if user else None)
    if scheme is None or scheme == "none":
        return Endpoint(url, None, timeout)
    if scheme not in AUTH_SCHEMES:
        raise ValueError(f"unknown --auth {scheme!r}; expected one of: {', '.join(AUTH_SCHEMES)}")
    if scheme != "bearer" and not user:
        raise ValueError(f"--auth {scheme} needs --user")
    secret = os.environ.get(password_env)
    if secret is None:
        what = "token" if scheme == "bearer" else "password"
        raise ValueError(f"--auth {scheme} reads the {what} from ${password_env}, which is not set")
    return Endpoint(url, Auth(scheme, user, secret), timeout)  # type: ignore[arg-type]


# --- binding parameters into query text -----------------------------------------------------------

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<comment>\#[^\n]*)
    |(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
        |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
    |(?P<word>[A-Za-z_][\w.\-]*(?::[\w.\-:%\\]*)?|:[\w.\-:%\\]*)
    |(?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)
_FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}


def _tokens(sparql: str) -> list[tuple[str, str]]:
    return [(str(m.lastgroup), m.group()) for m in _TOKEN.finditer(sparql)]


def _where_group(tokens: list[tuple[str, str]]) -> tuple[int, int]:
    """Indexes of the ``{`` and ``}`` of the query's WHERE group (after a CONSTRUCT template)."""
    significant = [i for i, (kind, _) in enumerate(tokens) if kind not in ("ws", "comment")]
    form = next((i for i in significant if tokens[i][0] == "word" and tokens[i][1].upper() in _FORMS), None)
    if form is None:
        raise QueryError("cannot bind parameters: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    after = [i for i in significant if i > form]
    skip_template = tokens[form][1].upper() == "CONSTRUCT" and bool(after) and tokens[after[0]][1] == "{"
    parens = 0
    depth = 0
    start = -1
    for i in after:
        text = tokens[i][1]
        if text == "(":
            parens += 1
        elif text == ")":
            parens -= 1
        elif text == "{" and parens == 0:
            if depth == 0 and not skip_template:
                start = i
            depth += 1
        elif text == "}" and parens == 0:
            depth -= 1
            if depth == 0:
                if start >= 0:
                    return start, i
                skip_template = False
    raise QueryError("cannot bind parameters: the query has no complete WHERE { … } group")


def bind_text(sparql: str, bindings: Mapping[str, Term]) -> str:
    """Bind variables in query text to RDF terms, the way pyoxigraph's ``substitutions`` do.

    Each bound variable is replaced by the term (its N-Triples form, written by pyoxigraph, so quotes
    and newlines are escaped) inside the WHERE group but outside sub-selects, and a ``VALUES`` block
    at the start of that group keeps it bound for projection, grouping and ordering. A trailing
    ``VALUES`` alone would not do: standard engines evaluate nested groups bottom-up, so a ``FILTER``
    in a ``UNION`` branch would never see the value.

    >>> from pyoxigraph import Literal
    >>> bind_text("SELECT ?n WHERE { ?s ?p ?o FILTER(?o < ?n) }", {"n": Literal(3)})
    'SELECT ?n WHERE { VALUES (?n) { ("3"^^<http://www.w3.org/2001/XMLSchema#integer>) } ?s ?p ?o FILTER(?o < "3"^^<http://www.w3.org/2001/XMLSchema#integer>) }'
    """
    if not bindings:
        return sparql
    tokens = _tokens(sparql)
    start, end = _where_group(tokens)
    out = [text for _, text in tokens]
    depth = 0
    subselect_depth: int | None = None  # depth of the group holding a sub-select, while inside one
    for i in range(start + 1, end):
        kind, text = tokens[i]
        if text == "{":
            depth += 1
        elif text == "}":
            depth -= 1
            if subselect_depth is not None and depth < subselect_depth:
                subselect_depth = None
        elif kind == "word" and text.upper() == "SELECT" and subselect_depth is None:
            subselect_depth = depth
        elif kind == "var" and subselect_depth is None and text[1:] in bindings:
            out[i] = str(bindings[text[1:]])
    names = " ".join(f"?{name}" for name in bindings)
    values = " ".join(str(term) for term in bindings.values())
    out[start] = f"{{ VALUES ({names}) {{ ({values}) }}"
    return "".join(out)


def bound_text(
    query: NamedQuery, params: Mapping[str, str | int] | None = None, *, resolve: Resolver | None = None
) -> str:
    """The full text of a named query, with medkg's prefixes and its parameters bound (:func:`bind_text`).

    ``resolve`` turns the name given to an ``entity`` parameter into an IRI (see :func:`run_remote`).

    >>> "VALUES (?maxRank)" in bound_text(get_query("unsupported-claims"), {"maxRank": 1})
    True
    """
    bindings = {var.value: term for var, term in bind_parameters(query, params, resolve=resolve).items()}
    return ns.sparql_prefixes() + bind_text(query.sparql, bindings)


# --- HTTP ------------------------------------------------------------------------------------------


def _digest_handler(url: str, auth: Auth) -> urllib.request.HTTPDigestAuthHandler:
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, url, auth.user or "", auth.secret)
    return urllib.request.HTTPDigestAuthHandler(passwords)


def _opener(url: str, auth: Auth | None) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = []
    if auth is not None and auth.scheme == "digest":
        handlers.append(_digest_handler(url, auth))
    return urllib.request.build_opener(*handlers)


def _answer_digest_first(endpoint: Endpoint, request: urllib.request.Request) -> None:
    """Add the Digest ``Authorization`` to a request with a body before it is sent.

    Otherwise the body goes out once without it, and a server answering 401 before reading a large
    body closes the connection under it (Virtuoso did, from about 0.5 MB: "Connection reset by peer").
    The challenge comes from a body-less ``GET`` of the same URL.
    """
    assert endpoint.auth is not None
    probe = urllib.request.Request(endpoint.url, headers={"User-Agent": _USER_AGENT}, method="GET")
    try:
        with urllib.request.urlopen(probe, timeout=endpoint.timeout):
            return  # no challenge: nothing to answer
    except urllib.error.HTTPError as error:
        challenge = error.headers.get("WWW-Authenticate", "") if error.code == 401 else ""
        error.close()
    except (urllib.error.URLError, TimeoutError, ConnectionError):
        return  # the request itself will say why
    scheme, _, rest = challenge.partition(" ")
    if scheme.lower() != "digest":
        return
    fields = urllib.request.parse_keqv_list([f for f in urllib.request.parse_http_list(rest) if f])
    value = _digest_handler(endpoint.url, endpoint.auth).get_authorization(request, fields)
    if value:
        request.add_unredirected_header("Authorization", f"Digest {value}")


def _auth_header(auth: Auth | None) -> dict[str, str]:
    # Basic is sent up front: stores such as GraphDB answer 403, not a 401 challenge, without it.
    if auth is None or auth.scheme == "digest":
        return {}
    if auth.scheme == "bearer":
        return {"Authorization": f"Bearer {auth.secret}"}
    token = base64.b64encode(f"{auth.user or ''}:{auth.secret}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}


def http_request(
    endpoint: Endpoint,
    *,
    method: str = "POST",
    params: Sequence[tuple[str, str]] = (),
    data: bytes | None = None,
    content_type: str | None = None,
    accept: str | None = None,
) -> tuple[str, bytes]:
    """Send one request to an endpoint; returns the response's media type and body.

    Raises :class:`RemoteError` with the status and the first line of the server's message (Virtuoso
    follows its error with the whole query text).
    """
    url = endpoint.url
    if params:
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
    headers = {"User-Agent": _USER_AGENT, **_auth_header(endpoint.auth)}
    if accept:
        headers["Accept"] = accept
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    if data and endpoint.auth is not None and endpoint.auth.scheme == "digest":
        _answer_digest_first(endpoint, request)
    try:
        with _opener(endpoint.url, endpoint.auth).open(request, timeout=endpoint.timeout) as response:
            media_type = response.headers.get_content_type()
            return media_type, response.read()
    except urllib.error.HTTPError as error:
        first = error.read().decode("utf-8", "replace").strip().split("\n", 1)[0].strip()
        raise RemoteError(
            f"{method} {endpoint.url}: HTTP {error.code} {error.reason}: {first[:500] or '(no message)'}"
        ) from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        reason = getattr(error, "reason", error)
        raise RemoteError(f"{method} {endpoint.url}: cannot reach the endpoint: {reason}") from None


def sparql_query(
    endpoint: Endpoint, text: str, *, default_graphs: Sequence[str] = (), construct: bool = False
) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]:
    """POST a query with the SPARQL 1.1 Protocol and parse the answer with pyoxigraph.

    ``default_graphs`` become ``default-graph-uri`` and ``named-graph-uri`` parameters: the query's
    RDF dataset (the default graph is the merge of these graphs).
    """
    form = [("query", text)]
    form += [("default-graph-uri", g) for g in default_graphs]
    form += [("named-graph-uri", g) for g in default_graphs]
    media_type, body = http_request(
        endpoint,
        data=urllib.parse.urlencode(form).encode("utf-8"),
        content_type="application/x-www-form-urlencoded",
        accept=_GRAPH_ACCEPT if construct else f"{_RESULTS_JSON}, application/sparql-results+xml;q=0.9",
    )
    try:
        if construct:
            fmt = ox.RdfFormat.from_media_type(media_type) or ox.RdfFormat.TURTLE
            return [quad.triple for quad in ox.parse(body, format=fmt)]
        results_format = (
            ox.QueryResultsFormat.XML if media_type.endswith("xml") else ox.QueryResultsFormat.JSON
        )
        return ox.parse_query_results(body, format=results_format)
    except (SyntaxError, ValueError) as error:
        raise RemoteError(f"{endpoint.url}: the answer is not valid {media_type}: {error}") from None


_BOOLEAN = ox.NamedNode(ns.XSD + "boolean")
_CANONICAL_BOOLEAN = {"1": ox.Literal(True), "0": ox.Literal(False)}


def canonical(term: Term | None) -> Term | None:
    """A term in its canonical form where stores differ: Virtuoso writes booleans as ``"1"``/``"0"``.

    >>> canonical(ox.Literal("0", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")))
    <Literal value=false datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#boolean>>
    """
    if isinstance(term, ox.Literal) and term.datatype == _BOOLEAN:
        return _CANONICAL_BOOLEAN.get(term.value, term)
    return term


def _table(result: ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple], kind: str) -> ResultTable:
    # A store that answers ASK with a table is broken; none of those tested does.
    if kind == "ask" and isinstance(result, ox.QuerySolutions):  # pragma: no cover
        raise RemoteError("expected a boolean answer to an ASK query; found a table")
    table, _ = from_query_result(result)
    if table.kind != "select":
        return table
    # The CLI's rows, whatever the store's spelling (Virtuoso writes booleans as "1" and "0").
    rows = tuple(tuple(map(canonical, row)) for row in table.rows)
    return ResultTable(table.variables, rows, table.kind)


def medkg_graphs(endpoint: Endpoint) -> list[str]:
    """The medkg graphs in a store: the core graphs (``ns.CORE_GRAPHS``) and each source graph found.

    Looking for source documents by type, not for every graph, is cheap on every engine and leaves
    out the graphs of other data sets and the store's own system graphs (Virtuoso has several).
    """
    sparql = (
        f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?doc a <{ns.MEDKG_VOCAB}SourceDocument> }} "
        f'FILTER(STRSTARTS(STR(?g), "{ns.SOURCE_GRAPH}")) }}'
    )
    result = sparql_query(endpoint, sparql)
    assert isinstance(result, ox.QuerySolutions)
    sources = sorted(row[0].value for row in result if isinstance(row[0], ox.NamedNode))
    return [*ns.CORE_GRAPHS, *sources]


def default_graph_is_union(endpoint: Endpoint) -> bool:
    """Whether the store's default graph holds medkg's source documents (so: the union of its graphs)."""
    result = sparql_query(endpoint, f"ASK {{ ?doc a <{ns.MEDKG_VOCAB}SourceDocument> }}")
    return bool(result)


def remote_entity_names(endpoint: Endpoint, default_graphs: Sequence[str] = ()) -> list[EntityName]:
    """Every entity of a remote store with its label and synonyms, read as from a local store."""
    table = _table(sparql_query(endpoint, ENTITY_NAMES_SPARQL, default_graphs=default_graphs), "select")
    return entity_names(
        (str(to_python(e)), str(to_python(label)), None if s is None else str(to_python(s)))
        for e, label, s in table.rows
    )


def named_entities_text(text: str) -> str:
    """The query for the entities a name could denote on a remote store, by the name keys written at
    build time (``medkg:nameKey``) and the IRI an id names: index look-ups, never a scan of every name.
    The name is bound as a literal (:func:`bind_text`), never pasted in.

    >>> print(named_entities_text('x" } DROP ALL #').splitlines()[-1])
    SELECT ?entity ?label ?synonym WHERE { VALUES (?key) { ("x\\" } drop all #") } { ?entity medkg:nameKey "x\\" } drop all #" } ?entity a medkg:Entity ; rdfs:label ?label . OPTIONAL { ?entity skos:altLabel ?synonym } }
    """
    iri = named_iri(text)
    # BIND, not VALUES: Virtuoso 7 drops a UNION branch that is a VALUES block alone.
    by_id = "" if iri is None else f" UNION {{ BIND({ox.NamedNode(iri)} AS ?entity) }}"
    sparql = (
        f"SELECT ?entity ?label ?synonym WHERE {{ {{ ?entity medkg:nameKey ?key }}{by_id} "
        "?entity a medkg:Entity ; rdfs:label ?label . OPTIONAL { ?entity skos:altLabel ?synonym } }"
    )
    return ns.sparql_prefixes() + bind_text(sparql, {"key": ox.Literal(normalize(text))})


def remote_named_entities(
    endpoint: Endpoint, text: str, default_graphs: Sequence[str] = ()
) -> list[EntityName]:
    """The entities of a remote store that ``text`` could name (:func:`named_entities_text`)."""
    result = sparql_query(endpoint, named_entities_text(text), default_graphs=default_graphs)
    table = _table(result, "select")
    return entity_names(
        (str(to_python(e)), str(to_python(label)), None if s is None else str(to_python(s)))
        for e, label, s in table.rows
    )


#: Virtuoso's refusal of a property path whose closure outgrew its buffer ("Virtuoso 42000 Error TN...:
#: Exceeded 1000000000 bytes in transitive temp memory. use t_distinct, t_max or …").
_TRANSITIVE_MEMORY = "transitive temp memory"


def explain_refusal(error: RemoteError, query: NamedQuery, endpoint: Endpoint) -> RemoteError:
    """The error a user sees when ``endpoint`` refused a named query: one line naming the query, with
    what to do where medkg knows (Virtuoso's transitive temp memory); else ``error`` itself.

    >>> refused = RemoteError("POST http://127.0.0.1:8890/sparql: HTTP 500 SPARQL Request Failed: "
    ...     "Virtuoso 42000 Error TN...: Exceeded 1000000000 bytes in transitive temp memory.")
    >>> print(explain_refusal(refused, get_query("agreement"), Endpoint("http://127.0.0.1:8890/sparql")))
    query 'agreement': Virtuoso at http://127.0.0.1:8890/sparql ran out of its transitive temp memory following a property path; run the query on a local store with --graph instead of --endpoint
    """
    if _TRANSITIVE_MEMORY not in str(error):
        return error
    return RemoteError(
        f"query {query.name!r}: Virtuoso at {endpoint.url} ran out of its {_TRANSITIVE_MEMORY} following a "
        "property path; run the query on a local store with --graph instead of --endpoint"
    )


def run_remote(
    query: str | NamedQuery,
    endpoint: Endpoint | str,
    params: Mapping[str, str | int] | None = None,
    *,
    union: UnionStrategy = "auto",
) -> ResultTable:
    """Run a named query (a :class:`NamedQuery`, a name or a ``.rq`` path) on a remote endpoint.

    The rows are those ``medkg query run`` gives on the same graph: an ``entity`` parameter is
    resolved against the endpoint's entities, with the same rule and through the same name keys, then
    bound as an IRI.
    """
    named = query if isinstance(query, NamedQuery) else get_query(query)
    target = Endpoint(endpoint) if isinstance(endpoint, str) else endpoint
    if union not in UNION_STRATEGIES:
        raise ValueError(f"unknown union strategy {union!r}; expected one of: {', '.join(UNION_STRATEGIES)}")

    @functools.cache
    def dataset() -> tuple[str, ...]:
        # Asked once, and only when needed: a bad parameter then needs no round trip.
        strategy = union
        if strategy == "auto":
            strategy = "endpoint" if default_graph_is_union(target) else "dataset"
        return tuple(medkg_graphs(target)) if strategy == "dataset" else ()

    def resolve(name: str) -> str:
        # Every name is read only to suggest close matches for a name that matches none.
        found = remote_named_entities(target, name, dataset())
        return resolve_name(name, found or remote_entity_names(target, dataset()))

    text = bound_text(named, params, resolve=resolve)
    construct = named.kind == "construct"
    try:
        result = sparql_query(target, text, default_graphs=dataset(), construct=construct)
    except RemoteError as error:
        raise explain_refusal(error, named, target) from None
    return _table(result, named.kind)


def run_remote_sparql(
    text: str,
    endpoint: Endpoint | str,
    params: Mapping[str, str | int] | None = None,
    *,
    union: UnionStrategy = "auto",
) -> ResultTable:
    """Run SPARQL text (with medkg's prefixes predeclared) on a remote endpoint, like :func:`run_remote`."""
    return run_remote(parse_query(text, name="<sparql>"), endpoint, params, union=union)
