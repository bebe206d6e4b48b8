"""Beyond one machine: medkg's graph pushed to Virtuoso with its bulk loader, the named queries run there
through ``--endpoint``, side by side with the same queries on the local store.

For each size: the corpus and its on-disk store (reused from ``benchmarks/corpus/nN-s0/store`` when
``python -m benchmarks.run --keep-store`` left one), then a Virtuoso of its own on loopback (a fresh
database in a temporary folder, :data:`VIRTUOSO_INI`). Up to ``--graph-store-max`` claims, the store is
first pushed with the Graph Store Protocol (the HTTP baseline) into a fresh database; then, into another
fresh database, with ``medkg push --bulk`` (write gzipped N-Quads, ``ld_add``, ``rdf_loader_run()``,
``checkpoint``). Every named query then runs locally (``run_query`` on the store) and on Virtuoso
(``run_remote``, what ``medkg query run NAME --endpoint URL`` does), interleaved.

    python -m benchmarks.virtuoso --sizes 10k --memory-gb 2
    python -m benchmarks.virtuoso --sizes 1m --memory-gb 8 --graph-store-max 0

Results go to ``benchmarks/virtuoso-results.json`` (one record per size and task, as in results.json).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from benchmarks.measure import MIN_RUNS, TASK_BUDGET_S, interleaved, summary, time_call
from benchmarks.report import (
    VIRTUOSO_FILE,
    _s,
    load_results,
    machine,
    merge,
    now,
    record,
    virtuoso_tables,
    write_readme,
)
from benchmarks.run import _sizes, _wanted, ensure_corpus, run_child
from benchmarks.tasks import corpus_subjects, query_tasks
from graph_builder.core.results import ResultTable

RESULTS_FILE = VIRTUOSO_FILE
#: Above this size the Graph Store Protocol baseline is not run (one HTTP PUT per graph: slow).
GRAPH_STORE_MAX = 10_000

#: The benchmark's virtuoso.ini. Buffers of 8 KiB: Virtuoso's own advice is about 2/3 of the memory
#: given to it in NumberOfBuffers, 3/4 of those in MaxDirtyBuffers (4 GiB: 340000 / 250000; 8 GiB:
#: 680000 / 500000). No automatic checkpoint: the push makes one. No row or time limit on answers:
#: all-claims returns every claim.
VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
CheckpointInterval = 0
StopCompilerWhenXOverRunTime = 1
MaxOptimizeLayouts = 100
DirsAllowed = ., {d}
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
ServerThreads = 10
MaxClientConnections = 10
[SPARQL]
ResultSetMaxRows = 100000000
MaxQueryExecutionTime = 0
"""


def virtuoso_ini(folder: Path, sql_port: int, http_port: int, memory_gb: float) -> str:
    buffers = int(memory_gb * 85_000)
    return VIRTUOSO_INI.format(
        d=folder, sql_port=sql_port, http_port=http_port, buffers=buffers, dirty=buffers * 3 // 4
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Virtuoso:
    folder: Path
    sql: str
    url: str


@contextlib.contextmanager
def virtuoso(folder: Path, memory_gb: float, binary: str = "virtuoso-t") -> Iterator[Virtuoso]:
    """A Virtuoso on loopback with a fresh database in ``folder``, stopped (and its files removed) after."""
    if shutil.which(binary) is None:
        raise SystemExit(f"{binary} is not installed (Debian: apt install virtuoso-opensource-7-bin)")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    sql_port, http_port = _free_port(), _free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(virtuoso_ini(folder, sql_port, http_port, memory_gb), encoding="utf-8")
    with (folder / "stdout.log").open("wb") as log:
        process = subprocess.Popen(
            [binary, "+foreground", "+configfile", str(ini)], cwd=folder, stdout=log, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{http_port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                tail = (folder / "stdout.log").read_text(errors="replace")[-2000:]
                raise SystemExit(f"Virtuoso did not start:\n{tail}")
            try:
                with urllib.request.urlopen(f"{url}/sparql?query=ASK%7B%7D", timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
        yield Virtuoso(folder, f"127.0.0.1:{sql_port}", url)
    finally:
        process.terminate()
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


def _comparable(term: Any) -> Any:
    """A term as :func:`same_rows` compares it: a number by its value (``"2.50"^^xsd:decimal`` is
    ``"2.5"``, and the integer ``2`` the decimal ``2.0``), a blank node as any blank node (labels are the
    store's), anything else by its N-Triples form (so a boolean is never the integer 1)."""
    from graph_builder.core.results import FLOAT_TYPES, INTEGER_TYPES, to_python

    if isinstance(term, ox.Literal) and term.datatype.value in INTEGER_TYPES | FLOAT_TYPES:
        return ("number", to_python(term))
    if isinstance(term, ox.BlankNode):
        return "_:"
    return None if term is None else str(term)


def row_counts(table: ResultTable) -> Counter[int]:
    """Each row of a table (its terms by :func:`_comparable`), hashed, with how often it occurs: small
    enough to keep beside the other side's table at a million rows."""
    return Counter(hash(tuple(map(_comparable, row))) for row in table.rows)


def same_rows(local: ResultTable, there: ResultTable) -> bool:
    """Whether two answers hold the same rows, in any order (a query's ORDER BY may leave ties; a
    graph has no order), with numbers compared by value.

    >>> from graph_builder.core.results import ResultTable
    >>> two = ox.Literal("2", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    >>> a = ResultTable(("n", "x"), ((ox.Literal(2.0), ox.Literal("a")), (two, None)))
    >>> same_rows(a, ResultTable(("n", "x"), ((two, None), (ox.Literal(2), ox.Literal("a")))))
    True
    >>> same_rows(a, ResultTable(("n", "x"), ((two, None), (ox.Literal(True), ox.Literal("a")))))
    False
    """
    return row_counts(local) == row_counts(there)


def ensure_store(size: int, seed: int, workers: int) -> tuple[Path, list[dict[str, Any]]]:
    """The corpus folder with a built store in it (built now unless one is there), and the build record."""
    folder, generated = ensure_corpus(size, seed, workers)
    store_dir = folder / "store"
    if (store_dir / "CURRENT").exists():
        return folder, []
    records = run_child(["build", "--size", str(size), "--corpus", str(folder), "--store", str(store_dir)])
    if generated is not None:
        records.append(record(size, "generate", medkg_s=round(generated, 3)))
    return folder, records


def run_size(
    size: int, *, seed: int, workers: int, repeat: int, memory_gb: float, graph_store_max: int, work: Path,
    only: Sequence[str] = (),
) -> list[dict[str, Any]]:  # fmt: skip
    from benchmarks.corpus import load_corpus_info
    from graph_builder.endpoint.push import push
    from graph_builder.endpoint.remote import Auth, Endpoint, run_remote
    from graph_builder.endpoint.virtuoso import Isql, bulk_push
    from graph_builder.sparql.runner import run_query
    from graph_builder.store.open import load_graph

    print(f"== {size:,} claims", file=sys.stderr, flush=True)
    folder, records = ensure_store(size, seed, workers)
    info = load_corpus_info(folder)
    assert info is not None
    store = load_graph(folder / "store")
    quads = len(store)
    dba = Auth("digest", "dba", "dba")

    if size <= graph_store_max and _wanted("push:graph-store", only):
        with virtuoso(work / "virtuoso", memory_gb) as server:
            endpoint = Endpoint(f"{server.url}/sparql", timeout=3600)
            gsp = Endpoint(f"{server.url}/sparql-graph-crud-auth", dba, timeout=3600)
            seconds, report = time_call(lambda: push(store, endpoint=endpoint, graph_store=gsp))
            records.append(
                record(size, "push:graph-store", virtuoso_s=round(seconds, 3), quads=report.triples,
                       graphs=len(report.graphs), quads_per_s=round(report.triples / seconds))
            )  # fmt: skip
            print(f"  {size:>9,} push:graph-store {seconds:.1f}s", file=sys.stderr, flush=True)

    with virtuoso(work / "virtuoso", memory_gb) as server:
        endpoint = Endpoint(f"{server.url}/sparql", timeout=3600)
        isql = Isql(server.sql)
        seconds, report = time_call(lambda: bulk_push(store, server.folder / "load", isql, endpoint=endpoint))
        records.append(
            record(size, "push:bulk", virtuoso_s=round(seconds, 3), quads=report.triples, local_quads=quads,
                   graphs=len(report.graphs), files=len(report.files), quads_per_s=round(report.triples / seconds),
                   write_s=round(report.seconds["write"], 3), load_s=round(report.seconds["load"], 3),
                   memory_gb=memory_gb)
        )  # fmt: skip
        print(f"  {size:>9,} push:bulk {seconds:.1f}s ({report.seconds})", file=sys.stderr, flush=True)

        for t in query_tasks(corpus_subjects(info)):
            if not _wanted(t.task, only):
                continue
            print(f"  {size:>9,} {t.task} …", file=sys.stderr, flush=True)
            local = functools.partial(run_query, t.query, store, t.params)
            there = functools.partial(run_remote, t.query, endpoint, t.params)
            fields: dict[str, Any] = {"params": t.params}
            first_s = 0.0
            remote_rows: Counter[int] | None = None
            try:
                first_s, table = time_call(there)  # Virtuoso compiles the query: not timed again
                fields["virtuoso_first_s"] = round(first_s, 4)
                fields["virtuoso_rows"] = len(table)
                remote_rows = row_counts(table)
                del table
            except Exception as error:  # a query Virtuoso refuses is recorded, not fatal
                fields.update(virtuoso_s=None, virtuoso_error=str(error)[:300])
                there = None  # type: ignore[assignment]
            check_s, table = time_call(local)
            fields["rows"] = len(table)
            if remote_rows is not None:  # same_rows(table, Virtuoso's), its rows counted already
                fields["same_rows"] = row_counts(table) == remote_rows
            del table, remote_rows
            calls = {"medkg": local} if there is None else {"medkg": local, "virtuoso": there}
            many = check_s < TASK_BUDGET_S / 4 and first_s < TASK_BUDGET_S / 4
            times = interleaved(calls, repeat, warm_up=False, min_runs=MIN_RUNS if many else 1)
            m = summary(times["medkg"])
            fields.update(medkg_s=m["median"], medkg_p95_s=m["p95"], runs=len(times["medkg"]))
            if "virtuoso" in times:
                v = summary(times["virtuoso"])
                fields.update(virtuoso_s=v["median"], virtuoso_p95_s=v["p95"])
            records.append(record(size, t.task, **fields))
            print(
                f"  {size:>9,} {t.task:<40} {fields['rows']:>8} rows  medkg {_s(fields['medkg_s'])}  "
                f"virtuoso {_s(fields.get('virtuoso_s'))} ({fields.get('virtuoso_rows')} rows)",
                file=sys.stderr, flush=True,
            )  # fmt: skip
    return records


def keep_earlier(
    old_doc: dict[str, Any], records: list[dict[str, Any]], this_run: dict[str, Any]
) -> dict[str, Any]:
    """The records and runs of the results file after this run: a record of this run replaces the earlier
    one of its size and task, and every other earlier record stays (a run of a few tasks at one size
    does not erase the rest); ``runs`` keeps the machine and configuration of each date still in use."""
    measured = {(r["size"], r["task"]) for r in records}
    kept = [r for r in old_doc["records"] if (r["size"], r["task"]) not in measured and r.get("date")]
    all_records = merge([*kept, *records])
    runs = {**(old_doc.get("runs") or {}), **{r["date"]: this_run for r in records}}
    in_use = {r["date"] for r in all_records}
    return {"runs": {d: run for d, run in sorted(runs.items()) if d in in_use}, "records": all_records}


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.virtuoso", description=(__doc__ or "").split("\n\n")[0]
    )
    p.add_argument("--sizes", type=_sizes, default=[10_000], help="claims per corpus (default: 10000)")
    p.add_argument("--repeat", type=int, default=5, help="timed runs per query and side (default: 5)")
    p.add_argument(
        "--memory-gb", type=float, default=4.0, help="Virtuoso's buffers, GiB (default: 4; 8 at 1M)"
    )
    p.add_argument("--graph-store-max", type=int, default=GRAPH_STORE_MAX,
                   help=f"largest size pushed with the Graph Store Protocol too (default: {GRAPH_STORE_MAX:,})")  # fmt: skip
    p.add_argument("--tasks", type=lambda text: [t for t in text.split(",") if t], default=[], metavar="PATTERNS",
                   help="only these tasks (shell patterns: 'push:*,query:claims-about*'); the bulk push always runs")  # fmt: skip
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=2, help="processes generating a corpus (default: 2)")
    p.add_argument(
        "--work", type=Path, help="folder for Virtuoso's database and the N-Quads (default: a temporary one)"
    )
    p.add_argument("--out", type=Path, default=RESULTS_FILE, help="results file, '-' for none")
    args = p.parse_args(argv)
    stamp, host = now(), machine()  # the run's start, and the machine (its load) as it was then
    records: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="medkg-virtuoso-", dir=args.work) as work:
        for size in sorted(set(args.sizes)):
            records += run_size(
                size, seed=args.seed, workers=args.workers, repeat=args.repeat, memory_gb=args.memory_gb,
                graph_store_max=args.graph_store_max, work=Path(work), only=args.tasks,
            )  # fmt: skip
    records = merge({**r, "date": stamp} for r in records)
    print(virtuoso_tables(records))
    if str(args.out) != "-":
        from graph_builder.kg.export import write_atomic

        config = {
            "sizes": args.sizes,
            "repeat": args.repeat,
            "memory_gb": args.memory_gb,
            "graph_store_max": args.graph_store_max,
            "seed": args.seed,
            "tasks": args.tasks,
            "virtuoso_ini": VIRTUOSO_INI,
        }
        doc = {
            "date": stamp,
            **keep_earlier(load_results(args.out), records, {"machine": host, "config": config}),
            "notes": {
                "medkg_s": "run_query by name on the local on-disk store (median of the timed runs)",
                "virtuoso_s": "run_remote by name on Virtuoso's /sparql, as medkg query run NAME --endpoint URL "
                "(auto union: one ASK, and the entity lookup for a parameter, included)",
                "virtuoso_first_s": "the first run on Virtuoso (it compiles the query), not among the timed runs",
                "same_rows": "Virtuoso's rows are the local rows, in any order, numbers compared by value",
                "push:bulk": "medkg push --bulk: write gzipped N-Quads, then ld_add, rdf_loader_run(), checkpoint",
                "push:graph-store": "medkg push --graph-store: one HTTP PUT per graph, into a fresh database",
                "date": "each record's date is when it was measured; runs[date] is that run's machine and configuration",
            },
        }
        write_atomic(
            args.out, (json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()
        )
        print(f"wrote {args.out}", file=sys.stderr)
        if args.out.resolve() == RESULTS_FILE and write_readme():
            print("wrote the tables of benchmarks/README.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
