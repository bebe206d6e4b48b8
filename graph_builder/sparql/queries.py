"""The named SPARQL queries of ``queries/``: read their ``#+`` headers, bind parameters, run them.

Each query is one ``.rq`` file whose leading ``#+`` comment lines hold grlc-style YAML metadata
(summary, description, tags, params). Parameters are always passed to pyoxigraph as typed RDF terms
(``substitutions``), never pasted into the query text. A parameter of type ``entity`` takes a name
(IRI, entity id, label or synonym), which :func:`resolve_in_store` turns into the entity's IRI first.

>>> from graph_builder.kg.build import build_example
>>> table = run_query("unsupported-claims", build_example(), {"maxRank": "1"})
>>> sorted(set(table.column("evidenceRank")))
[1]
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeAlias, get_args

import pyoxigraph as ox
import yaml

from graph_builder.core import paths
from graph_builder.core.names import (
    ENTITY_NAMES_SPARQL,
    EntityName,
    EntityNameError,
    entity_names,
    resolve_name,
)
from graph_builder.core.namespaces import PREFIXES, XSD, sparql_prefixes
from graph_builder.core.results import ResultTable, Term, from_query_result
from graph_builder.sparql.query_guard import (
    CLI_BASE_IRI,
    QueryShape,
    check_query_text,
    dataset_options,
    on_engine_stack,
)
from graph_builder.sparql.query_guard import (
    QueryError as QueryError,  # re-exported: the base of all errors here
)

ParameterType: TypeAlias = Literal["string", "iri", "integer", "entity"]
QueryKind: TypeAlias = Literal["select", "ask", "construct"]
#: Turns the name of an entity (IRI, id, label or synonym) into its IRI, against some store.
Resolver: TypeAlias = Callable[[str], str]

PARAMETER_TYPES: tuple[str, ...] = get_args(ParameterType)
#: Header fields every named query must have.
REQUIRED_FIELDS: tuple[str, ...] = ("summary", "description", "tags")
#: Name of a query in the qa folder: ``qa/<file stem>``.
QA_PREFIX = "qa/"

_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_QUERY_NAME = re.compile(r"(?:qa/)?[A-Za-z0-9_][A-Za-z0-9_.-]*")
_INTEGER = re.compile(r"[+-]?[0-9]+")
# The prologue (PREFIX, BASE) and comments that may precede the query form keyword.
_PROLOGUE_ITEM = re.compile(r"\s*(?:#[^\n]*|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)", re.IGNORECASE)
_QUERY_FORM = re.compile(r"\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


class QueryNotFoundError(QueryError, LookupError):
    """No query has this name or path."""


class QueryHeaderError(QueryError, ValueError):
    """A query file's ``#+`` header is missing a field or has a wrong value."""


class ParameterError(QueryError, ValueError):
    """A parameter is unknown, missing, or its value does not fit its declared type."""


@dataclass(frozen=True)
class Parameter:
    """A declared query parameter: the SPARQL variable ``?name`` that a value replaces.

    ``default`` is the string form of the default value, ``None`` when the parameter is required.
    """

    name: str
    type: ParameterType
    default: str | None
    description: str


@dataclass(frozen=True)
class NamedQuery:
    """A SPARQL query with its header metadata.

    ``sparql`` is the query as written in the file, without the ``#+`` header and without the
    common prefixes; :attr:`text` adds the ``PREFIX`` lines so it runs anywhere.
    """

    name: str
    path: Path | None
    summary: str
    description: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    sparql: str
    kind: QueryKind

    @property
    def text(self) -> str:
        """The full query text: the ``PREFIX`` lines of :mod:`graph_builder.core.namespaces`, then the body."""
        return sparql_prefixes() + self.sparql

    @property
    def is_qa(self) -> bool:
        """Whether this is a quality query (zero rows on a valid graph)."""
        return self.name.startswith(QA_PREFIX)

    def parameter(self, name: str) -> Parameter:
        """The declared parameter called ``name``; raises :class:`ParameterError` listing the others."""
        for param in self.parameters:
            if param.name == name:
                return param
        raise ParameterError(
            f"query {self.name!r} has no parameter {name!r}; its parameters are: {_names(self.parameters)}"
        )


def _names(parameters: tuple[Parameter, ...]) -> str:
    return ", ".join(p.name for p in parameters) or "(none)"


# --- headers ---------------------------------------------------------------------------------------


def parse_header(text: str) -> dict[str, Any]:
    """Parse the leading ``#+`` comment lines of a query as YAML (empty dict when there are none).

    Only the comment block before the first line of SPARQL counts.

    >>> parse_header("#+ summary: Everything\\n#+ tags: [a, b]\\nSELECT * WHERE { ?s ?p ?o }")
    {'summary': 'Everything', 'tags': ['a', 'b']}
    >>> parse_header("SELECT * WHERE { ?s ?p ?o }")
    {}
    """
    lines = []
    for line in text.splitlines():
        if line.startswith("#+"):
            content = line[2:]
            lines.append(content[1:] if content.startswith(" ") else content)
        elif line.strip() and not line.lstrip().startswith("#"):
            break
    if not lines:
        return {}
    try:
        header = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError as error:
        raise QueryHeaderError(f"the #+ header is not valid YAML: {error}") from error
    if header is None:
        return {}
    if not isinstance(header, dict):
        raise QueryHeaderError(f"the #+ header must be a YAML mapping, found {type(header).__name__}")
    return header


def _strip_header(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("#+")).strip() + "\n"


def query_kind(sparql: str) -> QueryKind:
    """The form of a query, read after its prologue; DESCRIBE counts as ``construct`` (both give triples).

    >>> query_kind("PREFIX ex: <http://example.org/#>\\n# why\\nASK { ?s ?p ?o }")
    'ask'
    """
    position = 0
    while match := _PROLOGUE_ITEM.match(sparql, position):
        if match.end() == position:
            break
        position = match.end()
    form = _QUERY_FORM.match(sparql, position)
    if form is None:
        raise QueryHeaderError("cannot tell the query form: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    keyword = form.group(1).lower()
    return "construct" if keyword in ("construct", "describe") else "select" if keyword == "select" else "ask"


def _parameter(raw: Any, index: int, sparql: str) -> Parameter:
    where = f"params[{index}]"
    if not isinstance(raw, dict):
        raise QueryHeaderError(
            f"{where}: expected a mapping with name, type, default, description; found {raw!r}"
        )
    missing = [key for key in ("name", "type", "description") if key not in raw]
    if missing:
        raise QueryHeaderError(f"{where}: missing {', '.join(missing)}")
    name, kind, description = raw["name"], raw["type"], raw["description"]
    if not isinstance(name, str) or not _VARIABLE_NAME.fullmatch(name):
        raise QueryHeaderError(f"{where}.name: expected a SPARQL variable name, found {name!r}")
    if kind not in PARAMETER_TYPES:
        raise QueryHeaderError(f"{where}.type: expected one of {', '.join(PARAMETER_TYPES)}, found {kind!r}")
    if not isinstance(description, str) or not description.strip():
        raise QueryHeaderError(f"{where}.description: expected a non-empty string, found {description!r}")
    if not re.search(rf"[?$]{name}\b", sparql):
        raise QueryHeaderError(f"{where}: the query never uses the variable ?{name}")
    default = raw.get("default")
    if isinstance(default, bool):
        default = "true" if default else "false"
    param = Parameter(name, kind, None if default is None else str(default), description.strip())
    if param.type == "entity" and param.default is not None and not param.default.strip():
        raise QueryHeaderError(f"{where}.default: expected the name of an entity, found {default!r}")
    if param.default is not None and param.type != "entity":  # a name is checked against a store
        try:
            to_term(param, param.default)
        except ParameterError as error:
            raise QueryHeaderError(f"{where}.default: {error}") from error
    return param


def parse_query(text: str, name: str, path: Path | None = None) -> NamedQuery:
    """Read a query's header and body into a :class:`NamedQuery`; raises :class:`QueryHeaderError`.

    A query without a header gets an empty summary and no parameters.

    >>> q = parse_query("#+ summary: Count\\n#+ tags: [stats]\\nSELECT (COUNT(*) AS ?n) {}", "count")
    >>> q.summary, q.tags, q.kind
    ('Count', ('stats',), 'select')
    """
    header = parse_header(text)
    sparql = _strip_header(text)
    for key in ("summary", "description"):
        if key in header and not isinstance(header[key], str):
            raise QueryHeaderError(f"{key}: expected a string, found {header[key]!r}")
    tags = header.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise QueryHeaderError(f"tags: expected a list of strings, found {tags!r}")
    raw_params = header.get("params") or []
    if not isinstance(raw_params, list):
        raise QueryHeaderError(f"params: expected a list, found {raw_params!r}")
    parameters = tuple(_parameter(raw, i, sparql) for i, raw in enumerate(raw_params))
    seen = [p.name for p in parameters]
    duplicates = sorted({n for n in seen if seen.count(n) > 1})
    if duplicates:
        raise QueryHeaderError(f"params: {', '.join(duplicates)} declared more than once")
    return NamedQuery(
        name=name,
        path=path,
        summary=str(header.get("summary", "")).strip(),
        description=" ".join(str(header.get("description", "")).split()),
        tags=tuple(tags),
        parameters=parameters,
        sparql=sparql,
        kind=query_kind(sparql),
    )


# --- finding queries -------------------------------------------------------------------------------


def _name_of(path: Path) -> str:
    if path.resolve().parent == paths.QA_QUERIES_DIR.resolve():
        return QA_PREFIX + path.stem
    return path.stem


def load_query(path: Path | str) -> NamedQuery:
    """Read one ``.rq`` file; its name is the file stem (``qa/<stem>`` in the qa folder).

    Raises :class:`QueryHeaderError` naming the file when the header is incomplete or wrong.

    >>> load_query(paths.QUERIES_DIR / "all-claims.rq").name
    'all-claims'
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise QueryNotFoundError(f"cannot read query file {path}: {error.strerror}") from error
    try:
        query = parse_query(text, _name_of(path), path)
    except QueryHeaderError as error:
        raise QueryHeaderError(f"{path}: {error}") from error
    missing = [key for key in REQUIRED_FIELDS if not getattr(query, key)]
    if missing:
        raise QueryHeaderError(f"{path}: the #+ header needs {', '.join(missing)}")
    return query


def _files(include_qa: bool) -> list[Path]:
    files = sorted(paths.QUERIES_DIR.glob("*.rq"))
    if include_qa:
        files += sorted(paths.QA_QUERIES_DIR.glob("*.rq"))
    return files


def iter_queries(include_qa: bool = False) -> Iterator[NamedQuery]:
    """Yield the named queries of ``queries/`` by name, then (with ``include_qa``) those of ``queries/qa/``.

    >>> "all-claims" in [q.name for q in iter_queries()]
    True
    >>> all(q.name.startswith("qa/") for q in iter_queries(include_qa=True) if q.path.parent.name == "qa")
    True
    """
    for path in _files(include_qa):
        yield load_query(path)


def query_names(include_qa: bool = True) -> list[str]:
    """The names of the shipped queries, without reading them.

    >>> "qa/quote-not-verbatim" in query_names()
    True
    """
    return [_name_of(path) for path in _files(include_qa)]


def get_query(name_or_path: str | Path) -> NamedQuery:
    """Find a query by name (``all-claims``), qa name (``qa/quote-not-verbatim``) or ``.rq`` path.

    >>> get_query("qa/quote-not-verbatim").is_qa
    True
    >>> get_query("no-such-query")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph_builder.sparql.queries.QueryNotFoundError: no query named 'no-such-query'; the queries are: all-claims, ...
    """
    if isinstance(name_or_path, Path) or name_or_path.endswith(".rq"):
        path = Path(name_or_path)
        if not path.is_file():
            raise QueryNotFoundError(f"no query file {path}")
        return load_query(path)
    name = name_or_path
    if _QUERY_NAME.fullmatch(name):
        folder, stem = (
            (paths.QA_QUERIES_DIR, name[len(QA_PREFIX) :])
            if name.startswith(QA_PREFIX)
            else (paths.QUERIES_DIR, name)
        )
        path = folder / f"{stem}.rq"
        if path.is_file():
            return load_query(path)
    raise QueryNotFoundError(f"no query named {name!r}; the queries are: {', '.join(query_names())}")


# --- parameters ------------------------------------------------------------------------------------


def _expand_iri(value: str) -> str:
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return value


def to_term(param: Parameter, value: str | int, resolve: Resolver | None = None) -> Term:
    """Turn a parameter value into the RDF term its declared type asks for.

    ``integer`` gives an ``xsd:integer``; ``iri`` an IRI (``<…>``, absolute, or a medkg CURIE such
    as ``entity:herpes``); ``string`` a plain ``xsd:string`` literal, whatever it contains;
    ``entity`` the IRI of the entity the value names (IRI, id, label or synonym), found by
    ``resolve`` (:func:`resolve_in_store` for a local store) with :func:`graph_builder.core.names.resolve_name`.

    >>> to_term(Parameter("maxRank", "integer", "2", "rank"), " 3 ")
    <Literal value=3 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>
    >>> to_term(Parameter("e", "iri", None, "entity"), "entity:herpes")
    <NamedNode value=https://w3id.org/medkg/entity/herpes>
    >>> to_term(Parameter("maxRank", "integer", "2", "rank"), "two")
    Traceback (most recent call last):
    ...
    graph_builder.sparql.queries.ParameterError: parameter 'maxRank' must be an integer, found 'two'
    """
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ParameterError(f"parameter {param.name!r} must be given as a string, found {value!r}")
    text = str(value)
    if param.type == "integer":
        if not _INTEGER.fullmatch(text.strip()):
            raise ParameterError(f"parameter {param.name!r} must be an integer, found {text!r}")
        return ox.Literal(str(int(text.strip())), datatype=ox.NamedNode(XSD + "integer"))
    if param.type == "iri":
        try:
            return ox.NamedNode(_expand_iri(text))
        except ValueError as error:
            raise ParameterError(
                f"parameter {param.name!r} must be an absolute IRI, found {text!r}: {error}"
            ) from None
    if param.type == "entity":
        if resolve is None:
            raise ParameterError(
                f"parameter {param.name!r} names an entity: resolving {text!r} needs a store "
                "(or a resolver, such as functools.partial(resolve_in_store, store))"
            )
        try:
            return ox.NamedNode(resolve(text))
        except EntityNameError as error:
            raise ParameterError(f"parameter {param.name!r}: {error}") from None
    return ox.Literal(text)


def bind_parameters(
    query: NamedQuery,
    params: Mapping[str, str | int] | None = None,
    store: ox.Store | None = None,
    *,
    resolve: Resolver | None = None,
) -> dict[ox.Variable, Term]:
    """Typed RDF terms for every declared parameter: given values, else defaults.

    An ``entity`` parameter is resolved to an IRI in ``store`` (or by ``resolve``, e.g. against a
    remote endpoint), after every other parameter is checked. Raises :class:`ParameterError` for a
    name the query does not declare, a required parameter without a value, a value that does not
    fit the declared type, or a name that is no entity or more than one.

    >>> q = get_query("unsupported-claims")
    >>> bind_parameters(q, {})
    {<Variable value=maxRank>: <Literal value=2 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>}
    >>> bind_parameters(q, {"rank": "1"})
    Traceback (most recent call last):
    ...
    graph_builder.sparql.queries.ParameterError: query 'unsupported-claims' has no parameter 'rank'; its parameters are: maxRank
    """
    params = params or {}
    unknown = sorted(set(params) - {p.name for p in query.parameters})
    if unknown:
        raise ParameterError(
            f"query {query.name!r} has no parameter {', '.join(map(repr, unknown))}; "
            f"its parameters are: {_names(query.parameters)}"
        )
    if resolve is None and store is not None:
        resolve = functools.partial(resolve_in_store, store)
    values: dict[Parameter, str | int] = {}
    for param in query.parameters:
        value = params.get(param.name, param.default)
        if value is None:
            raise ParameterError(
                f"query {query.name!r} needs a value for parameter {param.name!r} ({param.type}): "
                f"{param.description}"
            )
        values[param] = value
    terms: dict[Parameter, Term] = {}
    # Names last: a wrong value elsewhere then costs no look-up in a store (or a round trip).
    for param in sorted(query.parameters, key=lambda p: p.type == "entity"):
        try:
            terms[param] = to_term(param, values[param], resolve)
        except ParameterError as error:
            raise ParameterError(f"query {query.name!r}: {error}") from None
    return {ox.Variable(param.name): terms[param] for param in query.parameters}


def store_entity_names(store: ox.Store) -> list[EntityName]:
    """Every entity of a store (the union of its graphs) with its label and synonyms."""
    result = store.query(ENTITY_NAMES_SPARQL, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return entity_names((e.value, label.value, None if s is None else s.value) for e, label, s in result)


def resolve_in_store(store: ox.Store, text: str) -> str:
    """The IRI of the entity ``text`` names in ``store``, by :func:`graph_builder.core.names.resolve_name`.

    >>> from graph_builder.kg.build import build_example
    >>> resolve_in_store(build_example(), "  LUMBAGO ")
    'https://w3id.org/medkg/entity/lower-back-pain'
    """
    return resolve_name(text, store_entity_names(store))


# --- running ---------------------------------------------------------------------------------------


def _execute(
    query: NamedQuery,
    store: ox.Store,
    substitutions: dict[ox.Variable, Term],
    allow_service: Sequence[str] = (),
) -> ResultTable:
    shape = check_query_text(query.sparql, allow_service=allow_service, base_iri=CLI_BASE_IRI)
    return on_engine_stack(_evaluate, query, store, substitutions, shape)


def _evaluate(
    query: NamedQuery, store: ox.Store, substitutions: dict[ox.Variable, Term], shape: QueryShape
) -> ResultTable:
    where = query.path or query.name
    try:
        result = store.query(
            query.sparql,
            prefixes=PREFIXES,  # the same as prepending sparql_prefixes(), but keeps error positions
            base_iri=CLI_BASE_IRI,
            substitutions=substitutions or None,
            **dataset_options(shape),
        )
        return from_query_result(result)[0]
    except SyntaxError as error:
        raise QueryError(f"{where}: not valid SPARQL: {error}") from error
    except RuntimeError as error:  # also an allowed SERVICE that answers with something not SPARQL
        hint = ""
        if "projection" in str(error):
            # pyoxigraph substitutes a parameter only when the query returns it as a column.
            hint = "; a parameter must also be listed in the SELECT clause"
        raise QueryError(f"{where}: {' '.join(str(error).split())}{hint}") from error
    except OSError as error:  # an allowed SERVICE that cannot be reached
        raise QueryError(f"{where}: {' '.join(str(error).split())}") from error


def run_query(
    query: str | Path | NamedQuery,
    store: ox.Store,
    params: Mapping[str, str | int] | None = None,
    *,
    allow_service: Sequence[str] = (),
) -> ResultTable:
    """Run a named query (a :class:`NamedQuery`, a name, or a ``.rq`` path) over the union of all graphs.

    A query with ``FROM`` / ``FROM NAMED`` reads the graphs it names instead. The query must pass
    :func:`check_query_text` (``SERVICE`` only to the hosts of ``allow_service``); relative IRIs
    resolve against :data:`CLI_BASE_IRI`.

    >>> from graph_builder.kg.build import build_example
    >>> table = run_query("claims-about", build_example(), {"entity": "Lower Back Pain"})
    >>> set(table.column("matchLabel"))
    {'lower back pain'}
    """
    named = query if isinstance(query, NamedQuery) else get_query(query)
    return _execute(named, store, bind_parameters(named, params, store), allow_service)


def run_sparql(
    text: str,
    store: ox.Store,
    params: Mapping[str, str | int] | None = None,
    *,
    allow_service: Sequence[str] = (),
) -> ResultTable:
    """Run SPARQL text over the union of all graphs; the medkg prefixes are predeclared.

    ``params`` must be declared in the text's own ``#+`` header, as in a query file.

    >>> from graph_builder.kg.build import build_example
    >>> run_sparql("ASK { entity:herpes medkg:causes entity:lower-back-pain }", build_example()).boolean
    True
    """
    return run_query(parse_query(text, name="<sparql>"), store, params, allow_service=allow_service)
