"""Benchmark medkg against rdflib's in-memory Graph and raw pyoxigraph, on synthetic corpora of N claims.

For each size, in one run: generate the corpus (cached in ``benchmarks/corpus/``), build the on-disk
store, then time every named query, ``chains`` and a focused ``viz`` with medkg, the same SPARQL with
raw pyoxigraph, and the same SPARQL over rdflib's default ``Graph`` holding the same triples. Each
phase runs in its own process, so that its peak RSS is its own. Results go to ``results.json``, each
record with the date its size was measured (and the run's machine); the tables of ``README.md`` are then
rewritten from it (``benchmarks.report``).

    python -m benchmarks.run --sizes 1000,10000 --repeat 5
    python -m benchmarks.run --with-1m
"""

from __future__ import annotations

import argparse
import fnmatch
import functools
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.measure import (
    MIN_RUNS,
    TASK_BUDGET_S,
    Timeout,
    disk_mb,
    interleaved,
    peak_rss_mb,
    reset_peak_rss,
    summary,
    time_call,
)
from benchmarks.report import (
    ONE_MILLION,
    README_FILE,
    RESULTS_FILE,
    load_results,
    machine,
    merge,
    named_query_tasks,
    now,
    record,
    render,
    write_readme,
    write_results,
)
from benchmarks.tasks import (
    chain_relations,
    corpus_subjects,
    neighbourhood,
    query_tasks,
    raw_rows,
    rdflib_bindings,
    rdflib_rows,
    rdflib_term,
    write_triples,
)

BENCH_DIR = Path(__file__).resolve().parent
CORPUS_DIR = BENCH_DIR / "corpus"
DEFAULT_SIZES = (1_000, 10_000, 100_000)
#: Above this size rdflib is not run: its in-memory Graph of ~70M triples would not fit in memory.
RDFLIB_MAX_SIZE = 100_000
#: Above this size the whole-store networkx projection (what ``medkg chains`` does today) is not run.
FULL_PROJECTION_MAX_SIZE = 100_000
#: One rdflib query run longer than this is abandoned and recorded as a lower bound.
RDFLIB_TIMEOUT_S = 120.0
#: rdflib is slow: at most this many timed runs per query.
RDFLIB_MAX_RUNS = 3
#: Why a task cut by its limit has no raw pyoxigraph figure (graph_builder.sparql.reach).
BOUNDED_SEARCH = (
    "medkg's search stopped at its row limit (notFollowed > 0); the query text run whole by pyoxigraph "
    "does unbounded work, so it is not a baseline for this task"
)


# --- phases (each in a child process) --------------------------------------------------------------


def phase_build(size: int, corpus: Path, store_dir: Path) -> list[dict[str, Any]]:
    """Build the on-disk store with medkg, as ``medkg build --store`` does."""
    from graph_builder.store.bulk import build_corpus_store

    if store_dir.exists():
        shutil.rmtree(store_dir)
    reset_peak_rss()
    seconds, (files, quads) = time_call(lambda: build_corpus_store([corpus / "annotations"], store_dir))
    return [
        record(
            size, "build", medkg_s=round(seconds, 3), claims_per_s=round(size / seconds, 1), files=files,
            quads=quads, peak_rss_mb=peak_rss_mb(), disk_mb=disk_mb(store_dir),
        )
    ]  # fmt: skip


def _wanted(task: str, only: Sequence[str]) -> bool:
    """Whether ``--tasks`` selects a task (shell patterns; none given: every task)."""
    return not only or any(fnmatch.fnmatchcase(task, pattern) for pattern in only)


def phase_query(
    size: int, corpus: Path, store_dir: Path, repeat: int, nt_file: Path | None, only: Sequence[str] = ()
) -> list[dict[str, Any]]:
    from benchmarks.corpus import load_corpus_info
    from graph_builder.analysis.chains import find_chains
    from graph_builder.analysis.network import chain_projection, to_networkx
    from graph_builder.core import namespaces as ns
    from graph_builder.sparql.queries import get_query
    from graph_builder.sparql.runner import bind_parameters, run_query
    from graph_builder.store.open import load_graph
    from graph_builder.viz.view import select_view
    from graph_builder.viz.visualize import to_html

    info = load_corpus_info(corpus)
    assert info is not None
    reset_peak_rss()
    seconds, store = time_call(lambda: load_graph(store_dir))
    out = [record(size, "open", medkg_s=round(seconds, 6), peak_rss_mb=peak_rss_mb())]
    for t in query_tasks(corpus_subjects(info)):
        if not _wanted(t.task, only):
            continue
        q = get_query(t.query)
        subs = bind_parameters(q, t.params, store)
        reset_peak_rss()
        # medkg runs the query by name, as the CLI does; raw pyoxigraph runs the same text.
        medkg = functools.partial(run_query, t.query, store, t.params)
        engine = functools.partial(raw_rows, store, q.text, subs)
        check_s, table = time_call(medkg)
        rows = len(table)
        # causal-chains is answered by a search that stops at a limit (graph_builder.sparql.reach); when
        # it did (notFollowed > 0), the text run whole has more rows.
        cut = "notFollowed" in table.variables and any(n for n in table.column("notFollowed"))
        del table  # no rows alive while the other side runs (see interleaved)
        # A search cut at its limit did not do the text's work, so the text run whole is no baseline
        # for it: from a hub at 1M claims it ran for more than a quarter of an hour before it was stopped.
        sides: dict[str, Callable[[], Any]] = (
            {"medkg": medkg} if cut else {"medkg": medkg, "pyoxigraph": engine}
        )
        if not cut and (raw := len(engine())) != rows:
            raise AssertionError(f"{t.task}: medkg returned {rows} rows, raw pyoxigraph {raw}")
        times = interleaved(
            sides,
            repeat,
            warm_up=False,  # the row check above ran both once
            min_runs=1 if check_s > TASK_BUDGET_S / 4 else MIN_RUNS,  # minutes a run at 1M: one will do
        )
        m = summary(times["medkg"])
        p = summary(times["pyoxigraph"]) if not cut else {"median": None, "p95": None}
        skipped = {"baseline_skipped": BOUNDED_SEARCH} if cut else {}
        out.append(
            record(
                size, t.task, params=t.params, rows=rows, runs=len(times["medkg"]),
                medkg_s=m["median"], medkg_p95_s=m["p95"], pyoxigraph_s=p["median"], pyoxigraph_p95_s=p["p95"],
                peak_rss_mb=peak_rss_mb(), **skipped,
            )
        )  # fmt: skip
        raw_text = "not run (cut at its limit)" if cut else f"{p['median']:.4f}s"
        print(
            f"  {size:>9,} {t.task:<40} {rows:>8} rows  medkg {m['median']:.4f}s  pyoxigraph {raw_text}",
            file=sys.stderr,
            flush=True,
        )

    start, end = ns.ENTITY + info.chain_start.id, ns.ENTITY + info.chain_end.id
    centre = ns.ENTITY + info.mid.id

    def chains_focused() -> int:
        graph = chain_projection(store, start, end, 3, chain_relations())
        return len(find_chains(graph, start, end))

    def viz_focused() -> int:
        graph = to_networkx(store, entities=neighbourhood(store, centre))
        view, caption = select_view(graph, focus=centre, depth=1)
        return len(to_html(view, caption=caption))

    def chains_full() -> int:
        return len(find_chains(to_networkx(store), start, end))

    tasks: dict[str, tuple[Callable[[], int], dict[str, str]]] = {
        "chains:focused": (
            chains_focused,
            {"source": info.chain_start.label, "target": info.chain_end.label},
        ),
        "viz:focused": (viz_focused, {"focus": info.mid.label, "depth": "1"}),
    }
    if size <= FULL_PROJECTION_MAX_SIZE:
        tasks["chains"] = (chains_full, {"source": info.chain_start.label, "target": info.chain_end.label})
    for task, (fn, params) in tasks.items():
        if not _wanted(task, only):
            continue
        reset_peak_rss()
        result = fn()
        times = interleaved({"medkg": fn}, repeat, warm_up=False)
        m = summary(times["medkg"])
        out.append(
            record(
                size, task, params=params, rows=result, runs=len(times["medkg"]), medkg_s=m["median"],
                medkg_p95_s=m["p95"], pyoxigraph_s=None, rdflib_s=None, peak_rss_mb=peak_rss_mb(),
                baseline_skipped="a medkg analysis (networkx projection and search), not one SPARQL query",
            )
        )  # fmt: skip
        print(
            f"  {size:>9,} {task:<40} {result:>8}       medkg {m['median']:.4f}s", file=sys.stderr, flush=True
        )
    if size > FULL_PROJECTION_MAX_SIZE and _wanted("chains", only):
        out.append(
            record(
                size, "chains", medkg_s=None, pyoxigraph_s=None, rdflib_s=None,
                skipped=f"the whole-store projection that 'medkg chains' makes is not run above {FULL_PROJECTION_MAX_SIZE:,} claims",
            )
        )  # fmt: skip
    if nt_file is not None:
        write_triples(store, nt_file)
    return out


def phase_rdflib_build(size: int, corpus: Path) -> list[dict[str, Any]]:
    """Build rdflib's Graph from the annotation files, with medkg's own reader and RDF mapping.

    What building the graph with rdflib instead of Oxigraph costs: the same files, checks and quads,
    only the store differs (the ontology is parsed from its Turtle files, as medkg loads it).
    """
    import rdflib

    from graph_builder.core.paths import EVIDENCE_FILE, ONTOLOGY_FILE
    from graph_builder.core.vocabulary import load_vocabulary
    from graph_builder.ingest.annotations import read_annotation
    from graph_builder.kg.rdf import iter_quads
    from graph_builder.store.corpus import iter_annotation_files

    def build() -> rdflib.Graph:
        graph = rdflib.Graph()
        for path in (ONTOLOGY_FILE, EVIDENCE_FILE):
            graph.parse(str(path), format="turtle")
        vocab = load_vocabulary()
        for path in iter_annotation_files([corpus / "annotations"]):
            annotation, problems = read_annotation(path, vocab)
            assert annotation is not None and not problems, problems
            graph.addN(
                (rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(q.object), graph)
                for q in iter_quads(annotation, vocab)
            )
        return graph

    reset_peak_rss()
    seconds, graph = time_call(build)
    return [
        record(
            size, "build", rdflib_from_annotations_s=round(seconds, 3), rdflib_from_annotations_triples=len(graph),
            rdflib_from_annotations_peak_rss_mb=peak_rss_mb(),
        )
    ]  # fmt: skip


def phase_rdflib(
    size: int,
    corpus: Path,
    nt_file: Path,
    repeat: int,
    timeout: float,
    skip: dict[str, str],
    only: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Parse the triples into rdflib's default Graph and run every named query on it.

    ``skip`` maps tasks to the reason they are not run (they timed out on a smaller corpus already);
    they are recorded with the timeout as a lower bound.
    """
    import rdflib

    from benchmarks.corpus import load_corpus_info
    from graph_builder.sparql.queries import get_query

    info = load_corpus_info(corpus)
    assert info is not None
    reset_peak_rss()
    graph = rdflib.Graph()
    seconds, _ = time_call(lambda: graph.parse(str(nt_file), format="nt"))
    out = [
        record(
            size,
            "build",
            rdflib_s=round(seconds, 3),
            rdflib_peak_rss_mb=peak_rss_mb(),
            rdflib_triples=len(graph),
        )
    ]
    for t in query_tasks(corpus_subjects(info)):
        if not _wanted(t.task, only):
            continue
        if t.task in skip:
            out.append(
                record(size, t.task, rdflib_s=None, rdflib_skipped=skip[t.task], rdflib_lower_bound_s=timeout)
            )
            print(f"  {size:>9,} {t.task:<40} rdflib skipped: {skip[t.task]}", file=sys.stderr, flush=True)
            continue
        q = get_query(t.query)
        bindings = rdflib_bindings(q, t.params, graph)
        times: list[float] = []
        rows: list[Any] = []
        note = None
        while len(times) < min(repeat, RDFLIB_MAX_RUNS) and sum(times) <= TASK_BUDGET_S:
            try:
                seconds, rows = time_call(functools.partial(rdflib_rows, graph, q.text, bindings), timeout)
            except Timeout:
                note = f"timed out after {timeout:.0f} s"
                break
            times.append(seconds)
        fields: dict[str, Any] = {"rdflib_runs": len(times), "rdflib_peak_rss_mb": peak_rss_mb()}
        if times:
            s = summary(times)
            fields.update(rdflib_s=s["median"], rdflib_p95_s=s["p95"], rdflib_rows=len(rows))
        else:
            fields.update(rdflib_s=None, rdflib_skipped=note, rdflib_lower_bound_s=timeout)
        out.append(record(size, t.task, **fields))
        shown = f"{fields['rdflib_s']:.4f}s" if times else str(note)
        print(f"  {size:>9,} {t.task:<40} rdflib {shown}", file=sys.stderr, flush=True)
    return out


# --- orchestration ---------------------------------------------------------------------------------


def corpus_dir(size: int, seed: int) -> Path:
    return CORPUS_DIR / f"n{size}-s{seed}"


def ensure_corpus(size: int, seed: int, workers: int) -> tuple[Path, float | None]:
    """The corpus folder for a size, generated unless a current one is cached; and the seconds it took."""
    from benchmarks.corpus import GENERATOR_VERSION, generate_corpus, load_corpus_info

    folder = corpus_dir(size, seed)
    info = load_corpus_info(folder)
    if (
        info is not None
        and info.generator == GENERATOR_VERSION
        and info.n_claims == size
        and info.seed == seed
    ):
        return folder, None
    if folder.exists():
        shutil.rmtree(folder)
    started = time.perf_counter()
    generate_corpus(size, folder, seed, workers=workers)
    return folder, time.perf_counter() - started


def run_child(args: list[str]) -> list[dict[str, Any]]:
    """Run one phase in a fresh interpreter and return its records."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        out = Path(tmp.name)
    try:
        cmd = [sys.executable, "-m", "benchmarks.run", "--phase", *args, "--phase-out", str(out)]
        subprocess.run(cmd, check=True, cwd=BENCH_DIR.parent)
        records: list[dict[str, Any]] = json.loads(out.read_text())
        return records
    finally:
        out.unlink(missing_ok=True)


def run_size(
    size: int,
    *,
    seed: int,
    repeat: int,
    workers: int,
    rdflib: bool,
    timeout: float,
    skip: dict[str, str],
    only: Sequence[str] = (),
    reuse_store: bool = False,
) -> list[dict[str, Any]]:
    """Every phase of one size; ``skip`` lists rdflib tasks not to run, with the reason. With
    ``reuse_store``, a store left by an earlier run (``--keep-store``) is queried as it is, unless the
    build is to be measured."""
    from graph_builder.store.corpus import is_store

    print(f"== {size:,} claims", file=sys.stderr, flush=True)
    folder, generated = ensure_corpus(size, seed, workers)
    records: list[dict[str, Any]] = []
    if generated is not None:
        records.append(
            record(size, "generate", medkg_s=round(generated, 3), claims_per_s=round(size / generated, 1))
        )
    store_dir = folder / "store"
    nt_file = folder / "graph.nt"
    use_rdflib = rdflib and size <= RDFLIB_MAX_SIZE
    if reuse_store and not _wanted("build", only) and is_store(store_dir):
        print(f"  {size:>9,} build: the store of an earlier run, reused", file=sys.stderr, flush=True)
    else:
        records += run_child(
            ["build", "--size", str(size), "--corpus", str(folder), "--store", str(store_dir)]
        )
        build = records[-1]
        print(
            f"  {size:>9,} build {build['medkg_s']:.1f}s  {build['disk_mb']:.0f} MiB",
            file=sys.stderr,
            flush=True,
        )
    query_args = [
        "query",
        "--size",
        str(size),
        "--corpus",
        str(folder),
        "--store",
        str(store_dir),
        "--repeat",
        str(repeat),
    ]
    if use_rdflib:
        query_args += ["--nt", str(nt_file)]
    if only:
        query_args += ["--tasks", ",".join(only)]
    records += run_child(query_args)
    if use_rdflib:
        args = ["rdflib", "--size", str(size), "--corpus", str(folder), "--nt", str(nt_file), "--repeat", str(repeat),
                "--timeout", str(timeout), "--skip", json.dumps(skip)] + (["--tasks", ",".join(only)] if only else [])  # fmt: skip
        records += run_child(args)
        nt_file.unlink(missing_ok=True)
        if _wanted("build", only):
            records += run_child(["rdflib-build", "--size", str(size), "--corpus", str(folder)])
    else:
        reason = (
            "rdflib not run (--no-rdflib)"
            if not rdflib
            else f"rdflib's in-memory Graph is not run above {RDFLIB_MAX_SIZE:,} claims (it would need tens of GiB)"
        )
        records = [
            {**r, "rdflib_s": None, "rdflib_skipped": reason}
            if r["task"].startswith(("query:", "build"))
            else r
            for r in records
        ]
    if not _wanted("build", only):  # built for the tasks, but not what this run measures
        records = [r for r in records if r["task"] != "build"]
    return records


# --- command line ----------------------------------------------------------------------------------


def _sizes(text: str) -> list[int]:
    return [int(s.replace("_", "").replace("k", "000").replace("m", "000000")) for s in text.split(",") if s]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=(__doc__ or "").split("\n\n")[0])
    p.add_argument(
        "--sizes",
        type=_sizes,
        default=list(DEFAULT_SIZES),
        help="claims per corpus, comma-separated (default: 1000,10000,100000; 10k and 1m work too)",
    )
    p.add_argument(
        "--with-1m", action="store_true", help="also run 1,000,000 claims (rdflib is skipped there)"
    )
    p.add_argument(
        "--repeat", type=int, default=7, help="timed runs per task (fewer once a task has taken 60 s)"
    )
    p.add_argument("--seed", type=int, default=0, help="corpus seed (default: 0)")
    p.add_argument("--workers", type=int, default=2, help="processes generating a corpus (default: 2)")
    p.add_argument("--no-rdflib", action="store_true", help="skip the rdflib baseline")
    p.add_argument(
        "--tasks",
        type=lambda text: [t for t in text.split(",") if t],
        default=[],
        metavar="PATTERNS",
        help="only these tasks, comma-separated shell patterns (e.g. 'query:claims-about@mid,chains:*'); "
        "the store is built for them, and the build is recorded only when 'build' is named; the results "
        "file keeps every other task's record",
    )
    p.add_argument(
        "--rdflib-timeout",
        type=float,
        default=RDFLIB_TIMEOUT_S,
        help=f"seconds before one rdflib query is abandoned (default: {RDFLIB_TIMEOUT_S:.0f})",
    )
    p.add_argument(
        "--out", type=Path, default=RESULTS_FILE, help="results file (default: benchmarks/results.json)"
    )
    p.add_argument("--keep-store", action="store_true", help="keep the built stores in benchmarks/corpus/")
    p.add_argument(
        "--reuse-store",
        action="store_true",
        help="with --tasks not naming 'build': query the store an earlier --keep-store run left (not "
        "checked to be of the current code) instead of building it; implies --keep-store",
    )
    # Internal: one phase in a child process.
    p.add_argument("--phase", choices=["build", "query", "rdflib", "rdflib-build"], help=argparse.SUPPRESS)
    p.add_argument("--phase-out", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--size", type=int, help=argparse.SUPPRESS)
    p.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--nt", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--timeout", type=float, default=RDFLIB_TIMEOUT_S, help=argparse.SUPPRESS)
    p.add_argument("--skip", default="{}", help=argparse.SUPPRESS)
    return p  # fmt: skip


def _phase(args: argparse.Namespace) -> int:
    if args.phase == "build":
        out = phase_build(args.size, args.corpus, args.store)
    elif args.phase == "query":
        out = phase_query(args.size, args.corpus, args.store, args.repeat, args.nt, args.tasks)
    elif args.phase == "rdflib-build":
        out = phase_rdflib_build(args.size, args.corpus)
    else:
        out = phase_rdflib(
            args.size, args.corpus, args.nt, args.repeat, args.timeout, json.loads(args.skip), args.tasks
        )
    args.phase_out.write_text(json.dumps(out))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.phase:
        return _phase(args)
    sizes = sorted(set(args.sizes) | ({ONE_MILLION} if args.with_1m else set()))
    host = machine()  # at the start: its load average is the one the run began with
    records: list[dict[str, Any]] = []
    # A query rdflib could not finish on a smaller corpus is not tried again on a larger one.
    skip: dict[str, str] = {}
    for size in sizes:
        found = run_size(
            size, seed=args.seed, repeat=args.repeat, workers=args.workers, rdflib=not args.no_rdflib,
            timeout=args.rdflib_timeout, skip=skip, only=args.tasks, reuse_store=args.reuse_store,
        )  # fmt: skip
        for r in found:
            if str(r.get("rdflib_skipped", "")).startswith("timed out after"):
                skip[r["task"]] = f"{r['rdflib_skipped']} at {size:,} claims already"
        measured_at = now()  # each size's records keep the date they were measured
        records += [{**r, "date": measured_at} for r in found]
        if not (args.keep_store or args.reuse_store):
            shutil.rmtree(corpus_dir(size, args.seed) / "store", ignore_errors=True)
        # Written after every size, so that a long run that is stopped keeps what it measured.
        config = {
            "sizes": sizes,
            "repeat": args.repeat,
            "seed": args.seed,
            "rdflib_timeout_s": args.rdflib_timeout,
            **({"tasks": args.tasks} if args.tasks else {}),
        }
        write_results(
            args.out,
            merge(records),
            config,
            only_tasks=bool(args.tasks),
            host=host,
            known=named_query_tasks(),
        )
    print(render(load_results(args.out)), end="")
    print(f"wrote {args.out}", file=sys.stderr)
    if args.out.resolve() == RESULTS_FILE:  # the README's tables are those of benchmarks/results.json
        try:
            write_readme(README_FILE, RESULTS_FILE)
        except (OSError, ValueError) as e:
            print(f"benchmarks.run: {e}", file=sys.stderr)
            return 2
        print(f"wrote the tables of {README_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
