"""``medkg push --bulk DIR --isql HOST:PORT``: every named graph of a store loaded into Virtuoso with its
bulk loader, not over HTTP. The graphs are written as gzipped N-Quads files into ``DIR`` (a folder the
server may read: ``DirsAllowed`` in its ``virtuoso.ini``), then Virtuoso's ``isql`` client clears the
graphs being replaced, lists the files with ``ld_add``, runs ``rdf_loader_run()`` and ``checkpoint``,
and reads ``DB.DBA.load_list`` for files the loader refused.

Everything sent to ``isql`` is SQL text, so the graph IRIs and file paths in it (which come from the
store, and are treated as untrusted all the same) are written as SQL string literals and refused when
they hold anything that could end or escape one:

>>> sql_string("https://w3id.org/medkg/graph/source/a")
"'https://w3id.org/medkg/graph/source/a'"
>>> sql_string("x'); drop table t; --")
Traceback (most recent call last):
...
graph_builder.endpoint.remote.RemoteError: cannot be sent to Virtuoso's isql: "x'); drop table t; --" holds "'" (quotes, backslashes, control and non-ASCII characters are refused)

The password is never an argument of the ``isql`` process (which ``ps`` would show): isql, started
without one, first tries Virtuoso's default password (``dba``) and, refused, asks for it, reading it
from standard input when it has no terminal. So a password other than ``dba`` costs one refused login
on the server (Virtuoso shuts an address out for 60 s after four in a row).
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from graph_builder.core import namespaces as ns
from graph_builder.endpoint.push import PushReport
from graph_builder.endpoint.remote import Endpoint, RemoteError, medkg_graphs

#: Virtuoso's client, as Debian names it (``isql`` elsewhere; ``--isql-binary`` picks another).
ISQL = "isql-vt"
#: The password isql tries when none is given (a new Virtuoso database's ``dba`` password).
ISQL_DEFAULT_PASSWORD = "dba"
#: Quads per N-Quads file, about; a graph is never split (blank nodes are scoped to a file).
FILE_QUADS = 1_000_000
#: The files medkg writes into the bulk folder, and removes before writing new ones.
FILE_PATTERN = "medkg-*.nq.gz"

_UNSAFE = re.compile(r"[^\x20-\x7e]|['\\]")
_ROW = "medkg-row: "  # marks the rows of a SELECT among isql's other output
_ISQL_OPTIONS = ("VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF", "ERRORS=STDOUT")
_ERROR = re.compile(r"^\*\*\* Error (\S+): (?:\[[^\]]*\])*\s*(.*)$")


def sql_string(text: str) -> str:
    """``text`` as a Virtuoso SQL string literal; refused if it holds a quote, a backslash (an escape
    in Virtuoso's strings), a control or a non-ASCII character."""
    bad = _UNSAFE.search(text)
    if bad:
        raise RemoteError(
            f"cannot be sent to Virtuoso's isql: {text!r} holds {bad.group()!r} (quotes, backslashes, "
            "control and non-ASCII characters are refused)"
        )
    return f"'{text}'"


@dataclass(frozen=True)
class Isql:
    """How to reach Virtuoso's SQL port: ``host:port``, the account, and the client binary."""

    address: str
    user: str = "dba"
    password: str = field(default=ISQL_DEFAULT_PASSWORD, repr=False)
    binary: str = ISQL
    timeout: float | None = None

    def run(self, script: str) -> list[str]:
        """Run SQL statements (one per line, each ending with ``;``); returns isql's output lines.

        Raises :class:`RemoteError` with one line per error isql reports (it goes on after one).
        """
        found = shutil.which(self.binary)
        if found is None:
            raise RemoteError(
                f"Virtuoso's isql client {self.binary!r} is not installed "
                "(Debian: apt install virtuoso-opensource-7-bin; --isql-binary names another)"
            )
        with tempfile.TemporaryDirectory(prefix="medkg-isql-") as folder:
            path = Path(folder) / "script.sql"
            path.write_text(script, encoding="ascii")
            # The password, when isql asks for it, then a LOAD of the script: a refused password
            # makes isql ask again, and what it reads then is that one line, never the script.
            if "\n" in self.password or "\r" in self.password:
                raise RemoteError("the isql password must be one line")
            lines = [] if self.password == ISQL_DEFAULT_PASSWORD else [self.password]
            stdin = "\n".join([*lines, f"LOAD {sql_string(str(path))[1:-1]};", ""])
            try:
                done = subprocess.run(
                    [found, self.address, self.user, *_ISQL_OPTIONS],
                    input=stdin.encode("utf-8"),
                    capture_output=True,
                    timeout=self.timeout,
                    start_new_session=True,  # no terminal: isql's password prompt reads standard input
                    check=False,
                )
            except subprocess.TimeoutExpired:
                raise RemoteError(f"isql {self.address}: no answer within {self.timeout} s") from None
        out = done.stdout.decode("utf-8", "replace").splitlines()
        errors = [m for m in map(_ERROR.match, out) if m]
        if lines and errors and "CL034" in errors[0].group(2):
            errors = errors[1:]  # the default password, refused, before isql asked for the one given
        if errors:
            raise RemoteError("\n".join(self._explain(code, message) for code, message in _unique(errors)))
        if done.returncode != 0:
            raise RemoteError(f"isql {self.address}: exited with status {done.returncode}")
        return out

    def _explain(self, code: str, message: str) -> str:
        if "CL034" in message:  # bad login
            return f"isql {self.address}: Virtuoso refused user {self.user!r} and the password given"
        if "CL033" in message or code == "S2801":
            return f"isql {self.address}: cannot reach Virtuoso's SQL port: {message}"
        if "FA003" in message:
            return f"Virtuoso may not read it: {message} (list the folder in DirsAllowed in virtuoso.ini)"
        return f"isql {self.address}: {code}: {message}"


def _unique(matches: Sequence[re.Match[str]]) -> list[tuple[str, str]]:
    seen: dict[tuple[str, str], None] = {}
    for m in matches:
        seen.setdefault((m.group(1), m.group(2).strip()))
    return list(seen)


@dataclass
class BulkReport(PushReport):
    """A :class:`PushReport` with the files written and the seconds each step took."""

    files: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def check_names(graphs: Sequence[str], folder: str) -> None:
    """Refuse, all in one error with a line each, graph IRIs and a folder isql could not be sent."""
    problems = []
    for name in [folder, *graphs]:
        try:
            sql_string(name)
        except RemoteError as error:
            problems.append(str(error))
    if problems:
        raise RemoteError("\n".join(problems))


def write_files(
    store: ox.Store, graphs: Sequence[str], folder: Path, per_file: int = FILE_QUADS
) -> tuple[list[Path], dict[str, int]]:
    """Each graph's triples as N-Quads, whole graphs in gzipped files of about ``per_file`` quads."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(FILE_PATTERN):
        old.unlink()
    files: list[Path] = []
    counts: dict[str, int] = {}

    def nquads(graph: str) -> bytes:
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
        assert data is not None  # no output given: the bytes are returned
        counts[graph] = data.count(b"\n")
        # N-Triples ends every triple with " .\n", and a newline inside a literal is escaped, so
        # adding the graph before each " .\n" makes the graph's N-Quads.
        return data.replace(b" .\n", f" <{graph}> .\n".encode())

    pending = iter(graphs)
    graph = next(pending, None)
    while graph is not None:
        files.append(folder / f"medkg-{len(files) + 1:05d}.nq.gz")
        with gzip.open(files[-1], "wb", compresslevel=1) as out:
            in_file = 0
            while graph is not None and (in_file == 0 or in_file < per_file):
                out.write(nquads(graph))
                in_file += counts[graph]
                graph = next(pending, None)
    return files, counts


def bulk_push(
    store: ox.Store,
    folder: Path,
    isql: Isql,
    *,
    endpoint: Endpoint | None = None,
    server_folder: str | None = None,
    prune: bool = True,
    keep_files: bool = False,
) -> BulkReport:
    """Load every named graph of ``store`` into Virtuoso with its bulk loader, replacing graphs of the
    same name, through files written into ``folder`` (``server_folder``: the same folder as the server
    sees it, if another path). With ``prune`` and a SPARQL ``endpoint``, medkg source graphs Virtuoso
    has and ``store`` has not are cleared too, as :func:`~graph_builder.endpoint.push.push` does.
    """
    loose = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    if loose:
        raise ValueError(
            f"the graph has {loose} triples outside named graphs (a .ttl export?); "
            "push the .trig file or the store, which keep one named graph per source"
        )
    report = BulkReport(method="bulk")
    local = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    there = folder.resolve() if server_folder is None else Path(server_folder)
    check_names(local, str(there))
    remote = medkg_graphs(endpoint) if endpoint is not None else []
    stale = [g for g in remote if g not in local and g.startswith(ns.SOURCE_GRAPH)] if prune else []
    check_names(stale, str(there))
    # Nothing written yet: can isql log in, and may Virtuoso read the folder?
    made = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    try:
        isql.run(f"SELECT sys_dirlist({sql_string(str(there))}, 1);\n")
    except RemoteError:
        if made:
            folder.rmdir()
        raise

    started = time.perf_counter()
    files, report.graphs = write_files(store, local, folder)
    report.files = files
    report.seconds["write"] = time.perf_counter() - started

    names = [sql_string(str(there / f.name)) for f in files]
    # Clear what is replaced (on a fresh database: nothing), forget earlier loads of the same file
    # names (ld_add ignores a file it has listed before), list the files.
    clear = local if endpoint is None else [g for g in local if g in remote]
    script = ["log_enable(3, 1);"]
    script += [f"DELETE FROM DB.DBA.RDF_QUAD WHERE G = iri_to_id({sql_string(g)}, 0);" for g in clear + stale]
    script += [f"DELETE FROM DB.DBA.load_list WHERE ll_file = {name};" for name in names]
    script += [f"ld_add({name}, {sql_string(ns.GRAPH + 'unnamed')});" for name in names]
    started = time.perf_counter()
    isql.run("\n".join(script) + "\n")
    isql.run("rdf_loader_run();\ncheckpoint;\n")
    report.seconds["load"] = time.perf_counter() - started
    report.removed = stale
    listed = ", ".join(names)
    failed = isql.run(
        f"SELECT concat('{_ROW}', ll_file, ': ', replace(cast(ll_error AS VARCHAR), chr(10), ' ')) "
        "FROM DB.DBA.load_list "
        f"WHERE ll_file IN ({listed}) AND ll_error IS NOT NULL;\n"
    )
    failed = [line.strip().removeprefix(_ROW) for line in failed if line.startswith(_ROW)]
    if failed:
        raise RemoteError("\n".join(f"Virtuoso's bulk loader refused {line}" for line in failed))
    if not keep_files:
        for f in files:
            f.unlink(missing_ok=True)
    return report


def password_from(path: str | None, variable: str) -> str:
    """The isql password: the first line of ``path``, else the environment variable, else isql's default."""
    if path:
        return Path(path).read_text(encoding="utf-8").splitlines()[0] if Path(path).stat().st_size else ""
    return os.environ.get(variable, ISQL_DEFAULT_PASSWORD)
