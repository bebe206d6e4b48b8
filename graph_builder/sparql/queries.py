"""The catalogue of named SPARQL queries in ``queries/``: their ``#+`` headers, loading, names.

Each query is one ``.rq`` file whose leading ``#+`` comment lines hold grlc-style YAML metadata
(summary, description, tags, params). Binding parameters is :mod:`graph_builder.sparql.parameters`
(a parameter of type ``entity`` takes a name, which
:func:`graph_builder.sparql.parameters.resolve_in_store` turns into the entity's IRI first); running
a query is :mod:`graph_builder.sparql.runner`.

>>> [p.name for p in get_query("unsupported-claims").parameters]
['maxRank']
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeAlias

import yaml

from graph_builder.core import paths
from graph_builder.core.namespaces import sparql_prefixes
from graph_builder.sparql.parameters import PARAMETER_TYPES, Parameter, ParameterError, to_term
from graph_builder.sparql.query_guard import (
    QueryError as QueryError,  # re-exported: the base of all errors here
)

QueryKind: TypeAlias = Literal["select", "ask", "construct"]

#: Header fields every named query must have.
REQUIRED_FIELDS: tuple[str, ...] = ("summary", "description", "tags")
#: Name of a query in the qa folder: ``qa/<file stem>``.
QA_PREFIX = "qa/"

_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_QUERY_NAME = re.compile(r"(?:qa/)?[A-Za-z0-9_][A-Za-z0-9_.-]*")
# The prologue (PREFIX, BASE) and comments that may precede the query form keyword.
_PROLOGUE_ITEM = re.compile(r"\s*(?:#[^\n]*|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)", re.IGNORECASE)
_QUERY_FORM = re.compile(r"\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


class QueryNotFoundError(QueryError, LookupError):
    """No query has this name or path."""


class QueryHeaderError(QueryError, ValueError):
    """A query file's ``#+`` header is missing a field or has a wrong value."""


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
            f"query {self.name!r} has no parameter {name!r}; its parameters are: {parameter_names(self.parameters)}"
        )


def parameter_names(parameters: tuple[Parameter, ...]) -> str:
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
    optional = raw.get("optional", False)
    if not isinstance(optional, bool):
        raise QueryHeaderError(f"{where}.optional: expected true or false, found {optional!r}")
    if optional and default is not None:
        raise QueryHeaderError(
            f"{where}: an optional parameter has no default (unbound, it matches every value)"
        )
    param = Parameter(name, kind, None if default is None else str(default), description.strip(), optional)
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


@functools.lru_cache(maxsize=1024)
def _name_of(path: Path) -> str:
    # Cached: resolving both paths took half of the ~70 µs that finding a named query cost at each run
    # (medkg's overhead over the engine on a query that reads the statistics: benchmarks/README.md).
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
        status = os.stat(path)
        state = (status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)
        if (known := _LOADED.get(path)) is not None and known[0] == state:
            return known[1]
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise QueryNotFoundError(f"cannot read query file {path}: {error.strerror}") from error
    try:
        query = _parse_cached(text, _name_of(path), path)
    except QueryHeaderError as error:
        raise QueryHeaderError(f"{path}: {error}") from error
    missing = [key for key in REQUIRED_FIELDS if not getattr(query, key)]
    if missing:
        raise QueryHeaderError(f"{path}: the #+ header needs {', '.join(missing)}")
    if len(_LOADED) >= _LOADED_MAX:
        _LOADED.clear()
    _LOADED[path] = (state, query)
    return query


#: The queries loaded, by path, with the state of the file they were read from (inode, size,
#: modification and change times): a named query is looked up at every run, and reading its file again
#: cost ~40 µs, a tenth or more of a query over the statistics (0.2-0.4 ms). A changed file is read anew.
_LOADED: dict[Path, tuple[tuple[int, int, int, int], NamedQuery]] = {}
_LOADED_MAX = 1024


@functools.lru_cache(maxsize=512)
def _parse_cached(text: str, name: str, path: Path) -> NamedQuery:
    """:func:`parse_query` once per file text: a named query is read at every run, and its YAML header
    cost more than a selective query itself (~5 ms against 2–50 ms at 100k claims). The text is the key,
    so an edited file is read again; a :class:`NamedQuery` is immutable, so sharing it is safe."""
    return parse_query(text, name, path)


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
    graph_builder.sparql.queries.QueryNotFoundError: no query named 'no-such-query'; the queries are: agreement, ...
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
