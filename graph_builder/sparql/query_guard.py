"""What a SPARQL query may ask of the engine: refuse texts too long, too deep or calling SERVICE,
and run the engine on a thread with a stack deep enough for what is let through.
"""

from __future__ import annotations

import functools
import math
import os
import queue
import re
import resource
import threading
import traceback
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

import pyoxigraph as ox

from graph_builder.core.errors import MedkgError
from graph_builder.core.namespaces import BASE, PREFIXES


class QueryError(MedkgError):
    """A named query cannot be found, read, bound or run."""


# Oxigraph 0.5 (pyoxigraph 0.5.13) parses and evaluates queries recursively on the calling thread's
# stack, and a stack overflow kills the whole process (SIGSEGV). Measured on an 8 MiB main-thread
# stack: 2,190 nested { } crash it, 4,667 nested ( ), ~9,300 ! in a row, and flat chains too: ~2,600
# MINUS { } or BIND(...) in one group, ~6,500 UNION or OPTIONAL, ~6,900 terms of + or *, ~9,300 of
# || or &&. The limits below stay more than 30 times (nesting) and 2.5 times (chains) under those.
# SERVICE makes the engine send HTTP requests wherever the query says, so it is refused unless the
# operator names the hosts it may reach; pyoxigraph 0.5's Store.query has no option to turn it off.
#
# The checks read the query with a small tokenizer rather than a full parser: rdflib's parser is slow
# on large queries, accepts a different grammar than Oxigraph's, and itself recurses. The tokenizer
# skips strings, comments and IRIs exactly where Oxigraph does; the one context-dependent token is
# "<", an IRI in a pattern but a comparison after an operand inside an expression.

#: Longest query text accepted, in bytes of UTF-8.
MAX_QUERY_BYTES = 256 * 1024
#: Deepest nesting accepted: open { ( [ brackets, plus a run of ! operators.
MAX_NESTING = 64
#: Most operators and group elements accepted along one path into the query: for each open bracket,
#: its binary operators (|| && = < + * ...) and group elements (OPTIONAL MINUS UNION BIND FILTER
#: VALUES SERVICE GRAPH SELECT { }), summed over the open brackets.
MAX_DEPTH = 1000
#: The base IRI of relative IRIs in a query run by ``medkg query run`` (the endpoint uses its own URL).
CLI_BASE_IRI = BASE

_SERVICE_HINT = (
    "medkg does not send requests to other servers for a query unless told to (--allow-service HOST)"
)
_IRI = re.compile(r"<(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>")
_START = "A-Za-z\u00b7-\U0010ffff"
_NAME = _START + "0-9_"
_TOKEN = re.compile(
    rf"""(?P<space>\s+)
    |(?P<comment>\#[^\n\r]*)
    |(?P<string>\"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|\\.))*\"\"\"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
        |\"(?:[^\"\\\n\r]|\\.)*\"|'(?:[^'\\\n\r]|\\.)*')
    |(?P<var>[?$][{_NAME}]+)
    |(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    |(?P<pname>(?:[{_START}_][{_NAME}.\-]*)?:(?:[{_NAME}:.%\-]|\\.)*)
    |(?P<word>[{_START}_][{_NAME}]*)
    |(?P<number>[0-9]*\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)
    |(?P<punct>\^\^|\|\||&&|!=|<=|>=|>>|.)""",
    re.VERBOSE | re.DOTALL,
)
_OPERAND = {"var", "iri", "string", "lang", "pname", "number", "true", "false", ")", ">>"}
_OPERATORS = {"||", "&&", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "|", "^"}
_ELEMENTS = {"OPTIONAL", "MINUS", "UNION", "BIND", "FILTER", "VALUES", "SERVICE", "GRAPH", "SELECT", "IN",
             "LATERAL"}  # fmt: skip
_CLOSERS = {")": "(", "]": "[", "}": "{"}


class QueryRefusedError(QueryError, ValueError):
    """A query medkg will not run: a SERVICE it may not call, or a query too deep or too long."""


@dataclass(frozen=True)
class QueryShape:
    """What :func:`check_query_text` learnt: whether the query names its dataset, and its SERVICE IRIs."""

    has_dataset: bool = False
    services: tuple[str, ...] = ()
    #: The most operators, group elements and open brackets along one path into the query (what
    #: :data:`MAX_DEPTH` bounds): how deep the engine will recurse on it.
    depth: int = 0


@dataclass
class _Frame:
    opener: str
    expression: bool
    clause: str | None = None  # the clause outside, back in force when the bracket closes
    chain: int = 0


@dataclass
class _Scan:
    text: str
    allow: frozenset[str]
    base: str | None
    prefixes: dict[str, str] = field(default_factory=lambda: dict(PREFIXES))
    frames: list[_Frame] = field(default_factory=lambda: [_Frame("", False)])
    depth: int = 1  # sum over frames of 1 + chain
    bangs: int = 0
    recent: list[str] = field(default_factory=lambda: ["", ""])  # the two previous token kinds/keywords
    clause: str | None = None  # "select" or "modifier": a ( there opens an expression
    after: str | None = None  # a keyword waiting for its argument: BASE, PREFIX, PREFIX:name, SERVICE
    keyword_at: int = 0  # where that keyword is
    has_dataset: bool = False
    services: list[str] = field(default_factory=list)
    deepest: int = 1  # the most depth + bangs seen

    def where(self, position: int) -> str:
        line = self.text.count("\n", 0, position) + 1
        return f"line {line} column {position - (self.text.rfind(chr(10), 0, position) + 1) + 1}"

    def resolve(self, iri: str) -> str:
        return urllib.parse.urljoin(self.base, iri) if self.base else iri

    def service(self, kind: str, value: str, position: int) -> None:
        shown = f"SERVICE {value}"
        if not self.allow:
            raise QueryRefusedError(
                f"SERVICE is refused: {_SERVICE_HINT}; found {shown} at {self.where(position)}"
            )
        if kind == "var":
            raise QueryRefusedError(
                f"{shown} is refused: a SERVICE IRI from a variable cannot be checked; write the IRI"
            )
        if kind == "iri":
            iri = self.resolve(value[1:-1])
        elif kind == "pname" and value.partition(":")[0] in self.prefixes:
            prefix, _, local = value.partition(":")
            iri = self.prefixes[prefix] + local.replace("\\", "")
        else:
            raise QueryRefusedError(
                f"{shown} is refused: expected an IRI after SERVICE, at {self.where(position)}"
            )
        parts = urllib.parse.urlsplit(iri)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or host not in self.allow:
            raise QueryRefusedError(
                f"SERVICE <{iri}> is refused: host {host or '(none)'!r} is not an allowed service "
                f"(allowed: {', '.join(sorted(self.allow))}; --allow-service HOST)"
            )
        self.services.append(iri)

    def argument(self, kind: str, value: str, position: int) -> None:
        """The token after BASE, PREFIX or SERVICE."""
        after, self.after = self.after, None
        if after == "SERVICE":
            if kind == "word" and value.upper() == "SILENT":
                self.after = after
            else:
                self.service(kind, value, self.keyword_at)
        elif after == "BASE" and kind == "iri":
            self.base = self.resolve(value[1:-1])
        elif after == "PREFIX" and kind == "pname" and value.endswith(":"):
            self.after = "PREFIX:" + value[:-1]
        elif after is not None and after.startswith("PREFIX:") and kind == "iri":
            self.prefixes[after[len("PREFIX:") :]] = self.resolve(value[1:-1])

    def open(self, opener: str) -> None:
        top = self.frames[-1]
        expression = opener == "(" and (
            top.expression
            or self.clause is not None
            or self.recent[-1] in ("FILTER", "BIND", "HAVING")
            # FILTER regex(...), FILTER ex:f(...), FILTER <f>(...): a call (keywords are kept upper-case)
            or (
                self.recent[-2] == "FILTER"
                and (self.recent[-1] in ("pname", "iri") or self.recent[-1].isupper())
            )
        )
        if opener == "{":
            top.chain += 1
            self.depth += 1
        # SELECT (EXISTS { ... } AS ?a) (?b < 1 AS ?c): the clause resumes after the brackets.
        self.frames.append(_Frame(opener, expression, self.clause))
        self.clause = None
        self.depth += 1

    def close(self, closer: str) -> None:
        # A stray closer is a syntax error the engine reports; keeping the frames open only over-counts.
        if len(self.frames) > 1 and self.frames[-1].opener == _CLOSERS[closer]:
            frame = self.frames.pop()
            self.depth -= 1 + frame.chain
            self.clause = frame.clause

    def token(self, kind: str, value: str, position: int) -> None:
        if self.after is not None:
            self.argument(kind, value, position)
        top = self.frames[-1]
        keyword = value.upper() if kind == "word" else ""
        if value == "!" and kind == "punct":
            self.bangs += 1
        else:
            self.bangs = 0
        if keyword in _ELEMENTS or (kind == "op" or (kind == "punct" and value in _OPERATORS)):
            top.chain += 1
            self.depth += 1
        if keyword in ("BASE", "PREFIX", "SERVICE"):
            self.after, self.keyword_at = keyword, position
        elif keyword == "FROM" and len(self.frames) == 1:
            self.has_dataset = True
        if keyword in ("SELECT", "GROUP", "ORDER", "HAVING"):
            self.clause = "select" if keyword == "SELECT" else "modifier"
        elif keyword in ("WHERE", "FROM", "LIMIT", "OFFSET", "VALUES"):
            self.clause = None
        if kind == "punct" and value in "{([":
            self.open(value)
        elif kind == "punct" and value in _CLOSERS:
            self.close(value)
        nesting = len(self.frames) - 1 + self.bangs
        if nesting > MAX_NESTING:
            raise QueryRefusedError(
                f"the query is nested too deeply: more than {MAX_NESTING} levels of {{ }}, ( ), [ ] or ! "
                f"at {self.where(position)} (the query engine crashes on deep nesting)"
            )
        self.deepest = max(self.deepest, self.depth + self.bangs)
        if self.depth + self.bangs > MAX_DEPTH:
            raise QueryRefusedError(
                f"the query chains too many operators: more than {MAX_DEPTH} operators and group elements "
                f"(UNION OPTIONAL MINUS BIND FILTER {{ }}, || && = < + * ...) along one path, at "
                f"{self.where(position)}; use VALUES or IN (...) for long lists of values"
            )
        label = (
            keyword.lower()
            if keyword in ("TRUE", "FALSE")
            else keyword or (value if kind == "punct" else kind)
        )
        self.recent = [self.recent[-1], label]

    def run(self) -> None:
        text, position = self.text, 0
        while position < len(text):
            if text[position] == "<":
                if self.frames[-1].expression and self.recent[-1] in _OPERAND:
                    kind, end = "op", position + (2 if text.startswith("<=", position) else 1)
                    # ?a<'b>' reads as an IRI to a tokenizer without context: be sure no reader of
                    # the query could take the quote or # for the start of a string or a comment.
                    if (iri := _IRI.match(text, position)) and re.search("['#]", iri.group()):
                        raise QueryRefusedError(
                            f"the query has {iri.group()} after an operand at {self.where(position)}: "
                            "write a space after < when it compares, or no quote or # in the IRI"
                        )
                elif iri := _IRI.match(text, position):
                    kind, end = "iri", iri.end()
                else:
                    kind, end = "punct", position + (2 if text.startswith("<<", position) else 1)
            else:
                match = _TOKEN.match(text, position)
                # The last branch takes any character, so there is always a match.
                assert match is not None and match.lastgroup is not None
                kind, end = match.lastgroup, match.end()
                while kind == "pname" and text[end - 1] == "." and text[end - 2] != "\\":
                    end -= 1  # a prefixed name never ends with a dot: that one ends the triple
            if kind not in ("space", "comment"):
                self.token(kind, text[position:end], position)
            position = end


def check_query_text(
    text: str, *, allow_service: Sequence[str] = (), base_iri: str | None = None
) -> QueryShape:
    """Refuse a query medkg must not hand to the engine; else say whether it names its own dataset, which
    SERVICE IRIs it calls and how deep it goes.

    Raises :class:`QueryRefusedError` (one line) for text over :data:`MAX_QUERY_BYTES`, nesting over
    :data:`MAX_NESTING`, chains over :data:`MAX_DEPTH`, and any ``SERVICE`` whose IRI's host is not in
    ``allow_service`` (a ``SERVICE ?variable`` always). ``base_iri`` resolves relative SERVICE IRIs.
    Accepted texts up to :data:`_CACHED_TEXT_CHARS` long are remembered (the shipped queries are
    checked on every run); a refused text is checked, and refused, again on every call.

    >>> check_query_text('SELECT * FROM <urn:g> { ?s ?p "SERVICE <http://x/>" } # SERVICE <http://x/>')
    QueryShape(has_dataset=True, services=(), depth=5)
    >>> check_query_text("select * { service <http://127.0.0.1:9/> {} }")
    Traceback (most recent call last):
    ...
    graph_builder.sparql.query_guard.QueryRefusedError: SERVICE is refused: medkg does not send requests to other servers for a query unless told to (--allow-service HOST); found SERVICE <http://127.0.0.1:9/> at line 1 column 12
    """
    if len(text) > _CACHED_TEXT_CHARS:  # bounds the cache's memory: 256 texts of at most 16 Ki characters
        return _check.__wrapped__(text, tuple(allow_service), base_iri)
    return _check(text, tuple(allow_service), base_iri)


#: Longest query text whose accepted shape :func:`check_query_text` remembers.
_CACHED_TEXT_CHARS = 16 * 1024


@functools.lru_cache(maxsize=256)  # an exception is never cached: a refusal is raised on every call
def _check(text: str, allow_service: tuple[str, ...], base_iri: str | None) -> QueryShape:
    size = len(text.encode("utf-8"))
    if size > MAX_QUERY_BYTES:
        raise QueryRefusedError(
            f"the query is {size / 1024:.0f} KiB long; at most {MAX_QUERY_BYTES // 1024} KiB of query text is accepted"
        )
    scan = _Scan(text, frozenset(host.strip().lower() for host in allow_service), base_iri)
    scan.run()
    return QueryShape(scan.has_dataset, tuple(scan.services), scan.deepest)


#: The stack of the thread a query runs on. Oxigraph recurses on it; 256 MiB (address space, not memory)
#: instead of the usual 8 MiB (or whatever ``ulimit -s`` says) keeps a query the limits above misjudge
#: from killing the process: 3,000 nested { } crash on 8 MiB and run on 256 MiB.
ENGINE_STACK_BYTES = 256 * 1024 * 1024
#: Idle engine threads kept for the next query. Starting a thread per query cost ~0.5 ms, more than a
#: selective query over the statistics takes (``entity``: 0.3 ms at 10k claims); a parked thread is
#: handed the next call instead. More callers at once start more threads; past this many, a thread
#: that finishes ends instead of waiting.
MAX_IDLE_ENGINE_THREADS = 4
_STACK_LOCK = threading.Lock()
_ENGINE_THREAD = threading.local()  # .active is set on the engine threads
_T = TypeVar("_T")
_P = ParamSpec("_P")


class _EngineThread:
    """A thread with an :data:`ENGINE_STACK_BYTES` stack that runs one call at a time, then parks."""

    def __init__(self) -> None:
        self.calls: queue.SimpleQueue[Callable[[], bool]] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._serve, name="medkg-query", daemon=True)

    def _serve(self) -> None:
        _ENGINE_THREAD.active = True
        parked = True
        while parked:  # a call parks its thread for the next one, or says that enough are parked
            call = self.calls.get()
            parked = call()
            del call  # nothing of the last call outlives it here


#: Parked engine threads (guarded by ``_STACK_LOCK``; emptied in a forked child, where they do not run).
_IDLE: list[_EngineThread] = []


def _after_fork_in_child() -> None:
    global _STACK_LOCK
    _STACK_LOCK = threading.Lock()
    _IDLE.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)


def _engine_thread() -> _EngineThread | None:
    """A parked engine thread, or a new one; None where no such stack can be had."""
    with _STACK_LOCK:
        if _IDLE:
            return _IDLE.pop()
        engine = _EngineThread()
        previous = threading.stack_size(ENGINE_STACK_BYTES)  # process-wide: set only for this thread
        try:
            engine.thread.start()
        except (RuntimeError, MemoryError):  # no room for such a stack
            return None
        finally:
            threading.stack_size(previous)
    return engine


def on_engine_stack(function: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """Call ``function(*args, **kwargs)`` on a thread with an :data:`ENGINE_STACK_BYTES` stack.

    It returns or raises what the function does. Called on such a thread already (the server's worker
    runs a query that runs a named query), it calls the function right there rather than use another.
    Engine threads are kept for the next call (:data:`MAX_IDLE_ENGINE_THREADS`); where none can be
    started, the function runs on the caller's thread, as before there were any.

    >>> on_engine_stack(divmod, 45, 6)
    (7, 3)
    """
    if getattr(_ENGINE_THREAD, "active", False):
        return function(*args, **kwargs)
    engine = _engine_thread()
    if engine is None:
        return function(*args, **kwargs)
    outcome: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()

    def call() -> bool:
        try:
            result: tuple[bool, Any] = (True, function(*args, **kwargs))
        except BaseException as error:  # handed to the caller's thread
            # Query results must be dropped on the thread that made them (pyoxigraph refuses
            # otherwise): clear the locals that the tracebacks hold on to.
            cause: BaseException | None = error
            seen: set[int] = set()
            while cause is not None and id(cause) not in seen:
                seen.add(id(cause))
                if cause.__traceback__ is not None:
                    traceback.clear_frames(cause.__traceback__)
                cause = cause.__cause__ or cause.__context__
            result = (False, error)
        with _STACK_LOCK:  # parked before the caller wakes, so that its next call finds it
            parked = len(_IDLE) < MAX_IDLE_ENGINE_THREADS
            if parked:
                _IDLE.append(engine)
        outcome.put(result)
        return parked

    engine.calls.put(call)
    ok, value = outcome.get()
    if ok:
        return value  # type: ignore[no-any-return]
    raise value


#: A query no deeper than this (:attr:`QueryShape.depth`) runs on the caller's thread when that is the
#: main thread with a stack of :data:`INLINE_STACK_BYTES` or more (``ulimit -s``; 8 MiB is the usual):
#: the engine needed 3,000 nested { } to overflow 8 MiB, and the shipped queries reach 30. On an engine
#: thread the same query cost 15-25% more CPU (all-claims at 10k claims: 2.17 against 1.79 s, glibc's
#: allocator serving a thread other than the main one from an arena of its own; equal with
#: MALLOC_ARENA_MAX=1), plus ~60 µs to hand it over.
INLINE_DEPTH = 64
INLINE_STACK_BYTES = 8 * 1024 * 1024


@functools.cache
def _main_stack_bytes() -> float:
    soft = resource.getrlimit(resource.RLIMIT_STACK)[0]
    return math.inf if soft == resource.RLIM_INFINITY else float(soft)


def on_query_stack(shape: QueryShape, function: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """Call ``function(*args, **kwargs)`` for a query of ``shape``: on the caller's thread when the
    query is shallow (:data:`INLINE_DEPTH`) and the caller is the main thread with a stack of at least
    :data:`INLINE_STACK_BYTES`, on :func:`on_engine_stack` otherwise.

    >>> import threading
    >>> on_query_stack(QueryShape(depth=10), threading.current_thread) is threading.main_thread()
    True
    >>> on_query_stack(QueryShape(depth=INLINE_DEPTH + 1), threading.current_thread).name
    'medkg-query'
    """
    if (
        shape.depth <= INLINE_DEPTH
        and threading.current_thread() is threading.main_thread()
        and _main_stack_bytes() >= INLINE_STACK_BYTES
    ):
        return function(*args, **kwargs)
    return on_engine_stack(function, *args, **kwargs)


def dataset_options(
    shape: QueryShape, default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = ()
) -> dict[str, Any]:
    """The dataset arguments of ``Store.query``, as the SPARQL 1.1 Protocol (§2.1.4) orders them.

    Graphs given by the protocol (``default-graph-uri``, ``named-graph-uri``) replace the query's
    ``FROM`` / ``FROM NAMED``; an empty list is an empty default graph or no named graphs, as when a
    query has ``FROM NAMED`` and no ``FROM``. A query's own ``FROM`` is left to the engine. With
    neither, the default graph is medkg's: the union of all graphs.

    >>> dataset_options(QueryShape())
    {'use_default_graph_as_union': True}
    >>> dataset_options(QueryShape(has_dataset=True))
    {}
    >>> dataset_options(QueryShape(), named_graphs=["urn:g"])
    {'default_graph': [], 'named_graphs': [<NamedNode value=urn:g>]}
    """
    if default_graphs or named_graphs:
        return {
            "default_graph": [ox.NamedNode(g) for g in default_graphs],
            "named_graphs": [ox.NamedNode(g) for g in named_graphs],
        }
    # pyoxigraph's union flag would override the query's FROM: leave the engine the query's dataset.
    return {} if shape.has_dataset else {"use_default_graph_as_union": True}
