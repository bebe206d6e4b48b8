"""The ``medkg`` command line: thin wrappers over the library's functions.

Run ``medkg --help`` or ``medkg COMMAND --help`` for examples.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from graph_builder.paths import DEFAULT_OUT_DIR, SEED_ANNOTATION

Handler = Callable[[argparse.Namespace], int]


def _fail(message: str) -> int:
    print(f"medkg: {message}", file=sys.stderr)
    return 1


def _os_error_message(err: OSError) -> str:
    """One line naming the path and the reason: ``cannot write out/medkg.ttl: No space left on device``.

    pyoxigraph's errors carry no ``filename``; their text already names the path.
    """
    from graph_builder.export import WriteError

    reason = err.strerror or str(err)
    if err.filename is None:
        return reason
    where = str(err.filename) + (f" -> {err.filename2}" if err.filename2 is not None else "")
    return f"{'cannot write ' if isinstance(err, WriteError) else ''}{where}: {reason}"


def cmd_build(args: argparse.Namespace) -> int:
    from graph_builder.annotations import AnnotationError, load_annotations
    from graph_builder.build import build_store
    from graph_builder.corpus import NoAnnotationFiles, annotation_files
    from graph_builder.export import render_outputs, write_files
    from graph_builder.stats import graph_stats
    from graph_builder.validate import validate_store

    paths = [Path(p) for p in args.annotations] or [SEED_ANNOTATION]
    if args.store:
        return _build_store(paths, Path(args.store), args.workers, args.allow_empty)
    try:
        annotations = load_annotations(annotation_files(paths, allow_empty=args.allow_empty))
    except NoAnnotationFiles as err:
        return _fail(f"{err}; nothing was written (--allow-empty builds an empty graph)")
    except AnnotationError as err:
        return _fail(f"{err}\nnothing was written.")
    store = build_store(annotations)
    if not args.no_validate:
        report = validate_store(store)
        if not report.conforms:
            return _fail(f"the built graph {report.summary()}\nnothing was written.")
    written = write_files(Path(args.out), render_outputs(store))
    stats = graph_stats(store)
    print(f"built {stats.assertions} assertions from {len(annotations)} annotation file(s)")
    print("\n".join(stats.lines()))
    for path in written:
        print(f"wrote {path}")
    return 0


def _build_store(paths: list[Path], target: Path, workers: int | None, allow_empty: bool) -> int:
    import time

    from graph_builder.annotations import AnnotationError
    from graph_builder.corpus import NoAnnotationFiles, StoreError, build_corpus_store

    started = time.perf_counter()
    try:
        files, quads = build_corpus_store(paths, target, workers=workers, allow_empty=allow_empty)
    except NoAnnotationFiles as err:
        return _fail(f"{err}; the store at {target} was left as it was (--allow-empty builds an empty one)")
    except StoreError as err:
        return _fail(str(err))
    except AnnotationError as err:
        return _fail(f"{err}\nthe store at {target} was left as it was.")
    except OSError as err:  # a full disk, a folder it may not write in, a file where a folder must be
        return _fail(f"cannot build the store at {target}: {_os_error_message(err)}; nothing was replaced")
    seconds = time.perf_counter() - started
    print(f"built {target}: {files} annotation file(s), {quads} quads in {seconds:.1f} s")
    print(f"query it with: medkg query run all-claims --graph {target}")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from graph_builder.annotations import AnnotationError, load_annotations
    from graph_builder.corpus import NoAnnotationFiles, add_annotations, annotation_files, open_store

    store = open_store(Path(args.store))
    try:
        report = add_annotations(
            store, load_annotations(annotation_files([Path(p) for p in args.annotations]))
        )
    except NoAnnotationFiles as err:
        return _fail(f"{err}; nothing was added")
    except AnnotationError as err:
        return _fail(f"{err}\nthe store was left as it was.")
    store.flush()
    for sid in report.added:
        print(f"added {sid}")
    for sid in report.replaced:
        print(f"replaced {sid}")
    print(f"{report.quads} quads written to {args.store}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from graph_builder.corpus import open_store, remove_source, source_ids

    store = open_store(Path(args.store))
    sources = list(dict.fromkeys(args.sources))  # a source named twice is removed once
    known = set(source_ids(store))
    unknown = [source for source in sources if source not in known]
    if unknown:  # checked before anything is removed: a typo must not leave half the removals done
        listed = ", ".join(sorted(known)) or "none"
        if len(known) > 5:
            listed = f"{len(known)}; list them with: medkg query run sources --graph {args.store}"
        for source in unknown:
            _fail(f"{args.store}: no source {source!r} in the store; nothing was removed (sources: {listed})")
        return 1
    for source in sources:
        report = remove_source(store, source)
        print(
            f"removed {report.removed} ({report.propositions_dropped} propositions no longer stated by any source)"
        )
    store.flush()
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from graph_builder.store import open_graph
    from graph_builder.validate import source_subgraph, validate_store

    store = open_graph(Path(args.graph) if args.graph else None)
    if args.source:
        failed = 0
        for source in args.source:
            report = validate_store(
                source_subgraph(store, source), shacl=args.shacl is not False, qa=not args.no_qa
            )
            print(f"{source}: {report.summary()}", file=sys.stdout if report.conforms else sys.stderr)
            failed += not report.conforms
        return 1 if failed else 0
    report = validate_store(store, shacl=args.shacl, qa=not args.no_qa)
    print(report.summary(), file=sys.stdout if report.conforms else sys.stderr)
    return 0 if report.conforms else 1


def cmd_stats(args: argparse.Namespace) -> int:
    from graph_builder.stats import graph_stats
    from graph_builder.store import open_graph

    print("\n".join(graph_stats(open_graph(Path(args.graph) if args.graph else None)).lines()))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from graph_builder.schema import schema_json
    from graph_builder.vocabulary import load_vocabulary

    sys.stdout.write(schema_json(load_vocabulary()))
    return 0


def cmd_groundings(args: argparse.Namespace) -> int:
    from graph_builder.annotations import AnnotationError, load_annotations
    from graph_builder.groundings import VocabularyUnavailable, check_groundings

    paths = [Path(p) for p in args.annotations] or [SEED_ANNOTATION]
    try:
        annotations = load_annotations(paths)
        problems = check_groundings(annotations)
    except (AnnotationError, VocabularyUnavailable) as err:
        return _fail(str(err))
    count = sum(len(e.groundings) for a in annotations for e in a.entities.values())
    for problem in problems:
        print(problem)
    if problems:
        return _fail(f"{len(problems)} of {count} groundings do not match their vocabularies")
    print(f"all {count} groundings of {len(annotations)} annotation file(s) match their vocabularies")
    return 0


def cmd_query_list(args: argparse.Namespace) -> int:
    from graph_builder.queries import iter_queries

    queries = list(iter_queries(include_qa=args.qa))
    width = max(len(q.name) for q in queries)
    for q in queries:
        print(f"{q.name:<{width}}  {q.summary}")
    return 0


def cmd_query_show(args: argparse.Namespace) -> int:
    from graph_builder.queries import get_query

    query = get_query(args.name)
    print(query.path.read_text(encoding="utf-8") if query.path is not None else query.sparql, end="")
    return 0


def _params(pairs: Sequence[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise ValueError(f"--param expected name=value; found {pair!r}")
        params[name] = value
    return params


def cmd_query_run(args: argparse.Namespace) -> int:
    from graph_builder.queries import QueryError, get_query, run_query, run_sparql
    from graph_builder.results import format_results
    from graph_builder.store import open_graph

    if bool(args.name) == bool(args.sparql):
        return _fail("query run: give a query NAME (or FILE.rq) or --sparql TEXT, not both")
    params = _params(args.param)
    if args.endpoint:
        return _query_remote(args, params)
    query = None if args.sparql else get_query(args.name)  # an unknown name fails before any loading
    store = open_graph(Path(args.graph) if args.graph else None)
    allow = args.allow_service
    try:
        table = (
            run_sparql(args.sparql, store, params, allow_service=allow)
            if query is None
            else run_query(query, store, params, allow_service=allow)
        )
    except QueryError as err:  # refused, not valid SPARQL, or a SERVICE that failed
        return _fail(str(err))
    sys.stdout.write(format_results(table, args.format, spreadsheet_safe=True))
    return 0


def cmd_chains(args: argparse.Namespace) -> int:
    from graph_builder.analysis import (
        CHAIN_LINK_RELATIONS,
        MAX_HOPS,
        find_chains,
        format_chains,
        resolve_entity,
        resolve_evidence,
    )
    from graph_builder.network import entities_between, entity_names, to_networkx
    from graph_builder.store import open_graph
    from graph_builder.vocabulary import load_vocabulary

    store = open_graph(Path(args.graph) if args.graph else None)
    min_rank = resolve_evidence(args.min_evidence) if args.min_evidence else None
    names = entity_names(store)
    source, target = resolve_entity(names, args.source), resolve_entity(names, args.target)
    graph = None
    if 1 <= args.max_hops <= MAX_HOPS and source != target:  # else find_chains says what is wrong
        # Project only the entities some chain can pass through: a large store is not read whole.
        vocab = load_vocabulary()
        relations = [
            r.iri
            for r in vocab.relations.values()
            if (
                r.slug in args.relation
                if args.relation
                else args.any_relation or r.causal or r.slug in CHAIN_LINK_RELATIONS
            )
        ]
        graph = to_networkx(store, entities=entities_between(store, source, target, args.max_hops, relations))
    chains = find_chains(
        graph if graph is not None else names, source, target, max_hops=args.max_hops, min_rank=min_rank,
        causal_only=not args.any_relation, relations=args.relation or None, limit=args.limit,
    )  # fmt: skip
    sys.stdout.write(format_chains(chains, args.format))
    if chains.truncated and args.format == "json":
        print(f"medkg: showing the first {chains.limit} chains; more exist", file=sys.stderr)
    return 0


def cmd_rank(args: argparse.Namespace) -> int:
    from graph_builder.analysis import format_ranking, rank_entities
    from graph_builder.network import to_networkx
    from graph_builder.store import open_graph

    graph = to_networkx(open_graph(Path(args.graph) if args.graph else None))
    rows = rank_entities(graph, args.measure, top=args.top)
    sys.stdout.write(format_ranking(rows, args.measure, args.format))
    return 0


def cmd_viz(args: argparse.Namespace) -> int:
    from graph_builder.analysis import resolve_entity
    from graph_builder.network import entities_near, entity_names, to_networkx
    from graph_builder.queries import QueryError, get_query, run_query
    from graph_builder.store import open_graph
    from graph_builder.visualize import select_view, write_html

    if args.param and not args.query:
        return _fail("viz: --param needs --query NAME")
    store = open_graph(Path(args.graph) if args.graph else None)
    try:
        results = run_query(get_query(args.query), store, _params(args.param)) if args.query else None
    except QueryError as err:
        return _fail(f"viz: {err}")
    name = f"query {args.query}" + (f" ({', '.join(args.param)})" if args.param else "")
    focus = args.focus
    if focus is not None and results is None:
        # Project only the neighbourhood: the same view, without reading a large store whole.
        focus = resolve_entity(entity_names(store), focus)
        projection = to_networkx(store, entities=entities_near(store, focus, args.depth))
    else:
        projection = to_networkx(store)
    graph, caption = select_view(
        projection, focus=focus, depth=args.depth, min_evidence=args.min_evidence,
        results=results, results_name=name,
    )  # fmt: skip
    given = {
        k: v
        for k, v in (("title", args.title), ("max_nodes", args.max_nodes), ("max_edges", args.max_edges))
        if v is not None
    }
    print(write_html(graph, Path(args.out), caption=caption, **given))
    return 0


def _query_remote(args: argparse.Namespace, params: dict[str, str]) -> int:
    from graph_builder.queries import QueryError, get_query
    from graph_builder.remote import RemoteError, make_endpoint, run_remote, run_remote_sparql
    from graph_builder.results import format_results

    if args.graph:
        return _fail("query run: give --graph or --endpoint, not both")
    endpoint = make_endpoint(args.endpoint, user=args.user, auth=args.auth, password_env=args.password_env)
    try:
        if args.sparql:
            table = run_remote_sparql(args.sparql, endpoint, params, union=args.union)
        else:
            table = run_remote(get_query(args.name), endpoint, params, union=args.union)
    except (RemoteError, QueryError) as err:
        return _fail(str(err))
    sys.stdout.write(format_results(table, args.format, spreadsheet_safe=True))
    return 0


def _stop_on_signal(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # unwind as Ctrl-C does: the workers stop and temporary files go


def cmd_serve(args: argparse.Namespace) -> int:
    import signal
    import threading

    from graph_builder.server import SparqlServer, prepare_store

    # `kill`, a service manager or a closed terminal must not leak the temporary store (SIGINT is Ctrl-C).
    stops = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    main_thread = threading.current_thread() is threading.main_thread()
    previous = {signum: signal.signal(signum, _stop_on_signal) for signum in stops} if main_thread else {}
    store, graph = (Path(args.store) if args.store else None), (Path(args.graph) if args.graph else None)
    options = {"host": args.host, "port": args.port, "timeout": args.timeout, "max_rows": args.max_rows,
               "idle_timeout": args.idle_timeout, "max_connections": args.max_connections,
               "max_bytes": args.max_bytes}  # fmt: skip
    temporary = None
    try:
        folder, temporary = prepare_store(store, graph)
        with SparqlServer(
            folder,
            **options,
            workers=args.workers,
            quiet=args.quiet,
            cors=args.cors,
            allow_service=args.allow_service,
        ) as server:
            print(f"medkg serve: {server.describe()}; Ctrl-C stops it", flush=True)
            server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if temporary is not None:
            temporary.cleanup()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    from graph_builder.remote import Endpoint, RemoteError, make_endpoint, push
    from graph_builder.store import open_graph

    def at(url: str | None) -> Endpoint | None:
        if not url:
            return None
        return make_endpoint(url, user=args.user, auth=args.auth, password_env=args.password_env)

    store = open_graph(Path(args.graph) if args.graph else None)
    try:
        report = push(store, endpoint=at(args.endpoint), graph_store=at(args.graph_store),
                      update_endpoint=at(args.update_endpoint), prune=not args.no_prune)  # fmt: skip
    except RemoteError as err:
        return _fail(str(err))
    print("\n".join(report.lines()))
    return 0


def _add_auth_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--user", metavar="NAME", help="user name for HTTP authentication")
    p.add_argument("--auth", choices=["basic", "digest", "bearer"],
                   help="HTTP authentication (default: basic with --user)")  # fmt: skip
    p.add_argument("--password-env", default="MEDKG_PASSWORD", metavar="VAR",
                   help="variable holding the password or token (default: MEDKG_PASSWORD)")  # fmt: skip


EPILOG_MAIN = """examples:
  medkg build                                  build the seed article into out/
  medkg build data/annotations/*.yaml --out out
  medkg validate out/medkg.trig
  medkg query list
  medkg query run all-claims --format json
  medkg query run claims-about --param entity=herpes
  medkg chains herpes "lower back pain"
  medkg rank --measure caused
  medkg viz --focus herpes --depth 2          draw part of the graph into out/graph.html
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="medkg",
        description="medkg: the medical claims of health articles as a queryable knowledge graph.",
        epilog=EPILOG_MAIN,
        formatter_class=fmt,
    )
    from graph_builder import __version__

    parser.add_argument("--version", action="version", version=f"medkg {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_: str, epilog: str, handler: Handler) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name, help=help_, description=help_, epilog="examples:\n" + epilog, formatter_class=fmt
        )
        p.set_defaults(handler=handler)
        return p

    graph_help = (
        "graph file (.trig, .ttl, .nq, .jsonld) or on-disk store folder to read; "
        "default: $MEDKG_STORE, $MEDKG_GRAPH, out/medkg.trig, or the seed example"
    )

    p = command(
        "build",
        "Check annotation files and build the graph: out/medkg.ttl, .trig and .jsonld.",
        "  medkg build\n  medkg build data/annotations/my-article.yaml --out out\n",
        cmd_build,
    )
    p.add_argument(
        "annotations",
        nargs="*",
        metavar="ANNOTATION",
        help="annotation YAML files (default: the seed article)",
    )
    p.add_argument("--out", default=str(DEFAULT_OUT_DIR), metavar="DIR", help="output folder (default: out)")
    p.add_argument("--no-validate", action="store_true", help="skip SHACL and qa checks of the built graph")
    p.add_argument(
        "--store",
        metavar="DIR",
        help="build a persistent on-disk store at DIR instead of graph files "
        "(for corpora; folders of annotation files are searched for *.yaml)",
    )
    p.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="with --store: processes that read annotation files (default: one per CPU; 1 reads in-process)",
    )
    p.add_argument(
        "--allow-empty",
        action="store_true",
        help="build an empty graph or store when the folders given hold no annotation file "
        "(default: refuse, leaving the old one as it was)",
    )

    p = command(
        "add",
        "Add annotation files to an on-disk store, replacing sources with the same id; the rest is untouched.",
        "  medkg add data/annotations/new-article.yaml --store corpus.db\n",
        cmd_add,
    )
    p.add_argument("annotations", nargs="+", metavar="ANNOTATION", help="annotation YAML files or folders")
    p.add_argument(
        "--store", required=True, metavar="DIR", help="the store made by 'medkg build --store DIR'"
    )

    p = command(
        "remove",
        "Remove sources from an on-disk store, with the shared facts only they supported.",
        "  medkg remove does-herpes-cause-lower-back-pain --store corpus.db\n",
        cmd_remove,
    )
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="source ids (see: medkg query run sources)")
    p.add_argument(
        "--store", required=True, metavar="DIR", help="the store made by 'medkg build --store DIR'"
    )

    p = command(
        "validate",
        "Validate a built graph with the SHACL shapes and the qa queries; exit 1 on any violation.",
        "  medkg validate\n  medkg validate out/medkg.ttl\n  medkg validate --graph my-graph.trig --no-qa\n"
        "  medkg validate corpus.db --source does-herpes-cause-lower-back-pain\n",
        cmd_validate,
    )
    # GRAPH as the other reading commands take it (--graph), or positional as it always was; not both.
    # SUPPRESS keeps an absent positional from overwriting --graph's value.
    graph = p.add_mutually_exclusive_group()
    graph.add_argument("graph", nargs="?", metavar="GRAPH", default=argparse.SUPPRESS, help=graph_help)
    graph.add_argument("--graph", dest="graph", metavar="GRAPH", help="the same as GRAPH")
    shacl = p.add_mutually_exclusive_group()
    shacl.add_argument(
        "--shacl",
        dest="shacl",
        action="store_const",
        const=True,
        default=None,
        help="run the SHACL shapes however big the graph (default: only up to 60,000 quads)",
    )
    shacl.add_argument(
        "--no-shacl", dest="shacl", action="store_const", const=False, help="run only the qa queries"
    )
    p.add_argument("--no-qa", action="store_true", help="run only the SHACL shapes")
    p.add_argument(
        "--source",
        action="append",
        metavar="ID",
        help="validate one source on its own (SHACL and qa); repeat for more — for stores too big for SHACL",
    )

    p = command(
        "stats",
        "Count sources, entities, propositions, assertions and chains.",
        "  medkg stats\n  medkg stats --graph out/medkg.trig\n",
        cmd_stats,
    )
    p.add_argument("--graph", metavar="GRAPH", help=graph_help)

    command(
        "schema",
        "Print the JSON Schema of annotation files.",
        "  medkg schema > annotation.schema.json\n",
        cmd_schema,
    )

    p = command(
        "chains",
        "List the chains of claims leading from one entity to another, with their weakest link.",
        '  medkg chains herpes "lower back pain"\n'
        '  medkg chains herpes "lower back pain" --max-hops 2 --format json\n'
        '  medkg chains herpes "lower back pain" --min-evidence speculative    (none: every link is weaker)\n'
        "  medkg chains herpes swelling --any-relation --max-hops 4\n"
        "\nA hop is an assertion with a causal relation or associated-with (set --relation or --any-relation"
        " to change that);\nentities are named by label, synonym, id or IRI.\n",
        cmd_chains,
    )
    p.add_argument("source", metavar="SOURCE", help="the entity chains start from")
    p.add_argument("target", metavar="TARGET", help="the entity chains end at")
    p.add_argument("--max-hops", type=int, default=3, metavar="N", help="longest chain, 1 to 6 (default: 3)")
    p.add_argument("--min-evidence", metavar="LEVEL", help="drop hops below this level (slug, label, 1-8)")
    p.add_argument("--relation", action="append", default=[], metavar="SLUG",
                   help="allow only this relation as a hop; repeat for more")  # fmt: skip
    p.add_argument("--any-relation", action="store_true", help="allow every relation as a hop")
    p.add_argument("--limit", type=int, default=100, metavar="N", help="most chains to list (default: 100)")
    p.add_argument("--format", choices=["table", "json"], default="table", help="table (for people) or json")
    p.add_argument("--graph", metavar="GRAPH", help=graph_help)

    p = command(
        "rank",
        "Rank entities by how the claims treat them: most claimed, most caused, most causing, most remedied.",
        "  medkg rank\n  medkg rank --measure caused --top 5\n  medkg rank --measure pagerank --format json\n"
        "\nmeasures: claims (assertions touching it), caused (causal assertions into it),\n"
        "causes (causal assertions out of it), remedied (alleviates/treats/prevents/reduces-risk-of\n"
        "into it), pagerank (over the entity graph)\n",
        cmd_rank,
    )
    measures = ["claims", "caused", "causes", "remedied", "pagerank"]  # = analysis.MEASURES (a test checks)
    p.add_argument("--measure", choices=measures, default="claims", help="what to rank by (default: claims)")
    p.add_argument("--top", type=int, default=10, metavar="N", help="how many entities to list (default: 10)")
    p.add_argument("--format", choices=["table", "json"], default="table", help="table (for people) or json")
    p.add_argument("--graph", metavar="GRAPH", help=graph_help)

    p = command(
        "groundings",
        "Check each grounding's id and label in its vocabulary (MeSH, ICD-10-CM, HPO, DOID).",
        "  medkg groundings\n  medkg groundings data/annotations/*.yaml\n",
        cmd_groundings,
    )
    p.add_argument("annotations", nargs="*", metavar="ANNOTATION", help="annotation files (default: seed)")

    q = sub.add_parser(
        "query",
        help="List, show and run the named SPARQL queries.",
        description="List, show and run the named SPARQL queries.",
        epilog="examples:\n  medkg query list\n  medkg query show unsupported-claims\n  medkg query run chain-steps\n",
        formatter_class=fmt,
    )
    qsub = q.add_subparsers(dest="query_command", required=True, metavar="ACTION")
    ql = qsub.add_parser(
        "list",
        help="list the named queries",
        description="List the named queries with their summaries.",
        epilog="examples:\n  medkg query list\n  medkg query list --qa\n",
        formatter_class=fmt,
    )
    ql.add_argument("--qa", action="store_true", help="include the qa/ queries")
    ql.set_defaults(handler=cmd_query_list)
    qs = qsub.add_parser(
        "show",
        help="print a query with its header",
        description="Print a named query: its header and SPARQL.",
        epilog="examples:\n  medkg query show all-claims\n  medkg query show qa/quote-mismatch\n",
        formatter_class=fmt,
    )
    qs.add_argument("name", metavar="NAME")
    qs.set_defaults(handler=cmd_query_show)
    qr = qsub.add_parser(
        "run",
        help="run a named query, a .rq file or SPARQL text",
        description="Run a query. Parameters are bound as RDF terms, never pasted into the query text.",
        epilog="examples:\n  medkg query run all-claims --format json\n"
        "  medkg query run unsupported-claims --param maxRank=2\n"
        '  medkg query run claims-about --param entity="lower back pain" --format csv\n'
        "  medkg query run my-query.rq\n"
        "  medkg query run --sparql 'SELECT ?s ?o WHERE { ?s medkg:causes ?o }'\n",
        formatter_class=fmt,
    )
    qr.add_argument("name", nargs="?", metavar="NAME|FILE.rq")
    qr.add_argument(
        "--sparql",
        metavar="TEXT",
        help="SPARQL text to run (the medkg prefixes are declared for you; relative IRIs resolve "
        "against https://w3id.org/medkg/)",
    )
    qr.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a query parameter; repeat for more",
    )
    qr.add_argument(
        "--format",
        choices=["table", "csv", "tsv", "json", "xml"],  # = results.FORMATS
        default="table",
        help="table (for people) or a W3C SPARQL results format; csv is made safe for spreadsheets "
        "(a cell starting with = + - @ gets a leading ' unless it is a number)",
    )
    qr.add_argument("--graph", metavar="GRAPH", help=graph_help)
    qr.set_defaults(handler=cmd_query_run)
    qr.add_argument("--allow-service", action="append", default=[], metavar="HOST",
                    help="let SERVICE send requests to HOST (repeat for more); SERVICE is refused otherwise")  # fmt: skip
    qr.add_argument("--endpoint", metavar="URL", help="run on a remote SPARQL endpoint, not a local graph")
    qr.add_argument("--union", choices=["auto", "dataset", "endpoint"], default="auto",
                    help="with --endpoint, how to read the union of medkg's graphs: 'endpoint' when "
                    "its default graph is it, 'dataset' to list them, 'auto' to ask (default)")  # fmt: skip
    _add_auth_arguments(qr)

    p = command(
        "serve",
        "Serve the graph as a read-only SPARQL 1.1 endpoint, on 127.0.0.1 unless told otherwise.",
        "  medkg serve\n  medkg serve --store corpus.db --port 7878 --timeout 10 --max-rows 5000\n"
        "  curl 'http://127.0.0.1:7878/queries/unsupported-claims?maxRank=1' -H 'Accept: text/csv'\n"
        "  medkg query run all-claims --endpoint http://127.0.0.1:7878/sparql\n",
        cmd_serve,
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument("--store", metavar="DIR", help="the on-disk store made by 'medkg build --store DIR'")
    where.add_argument("--graph", metavar="GRAPH", help=graph_help)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=7878, help="port (default: 7878; 0 picks a free one)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="S", help="per-query timeout (default: 30)")
    p.add_argument("--max-rows", type=int, default=10_000, metavar="N",
                   help="most rows or triples per answer (default: 10000)")  # fmt: skip
    p.add_argument("--workers", type=int, metavar="N", help="query worker processes (default: CPUs, 2 to 8)")
    p.add_argument("--max-bytes", type=int, default=32 * 1024 * 1024, metavar="N",
                   help="largest answer in bytes; larger ones get 507 (default: 33554432, 32 MiB)")  # fmt: skip
    p.add_argument("--max-connections", type=int, default=64, metavar="N",
                   help="open connections at most; the longest-idle one makes room (default: 64)")  # fmt: skip
    p.add_argument("--idle-timeout", type=float, default=15.0, metavar="S",
                   help="close a connection silent for S seconds (default: 15)")  # fmt: skip
    p.add_argument("--cors", action="append", default=[], metavar="ORIGIN",
                   help="let web pages from ORIGIN (e.g. https://yasgui.example) query; repeatable; "
                   "'*' allows any. Other origins get 403 (default: none)")  # fmt: skip
    p.add_argument("--quiet", action="store_true", help="do not log each request")
    p.add_argument("--allow-service", action="append", default=[], metavar="HOST",
                   help="let queries' SERVICE send requests to HOST (repeat for more); refused otherwise")  # fmt: skip

    p = command(
        "push",
        "Upload the graph to a triple store, one named graph per source (Graph Store Protocol or Update).",
        "  medkg push --endpoint http://127.0.0.1:7879/query --graph-store http://127.0.0.1:7879/store\n"
        "  MEDKG_PASSWORD=dba medkg push --endpoint http://127.0.0.1:8890/sparql \\\n"
        "      --graph-store http://127.0.0.1:8890/sparql-graph-crud-auth --user dba --auth digest\n",
        cmd_push,
    )
    p.add_argument(
        "--endpoint",
        metavar="URL",
        help="the store's SPARQL endpoint (finds stale source "
        "graphs; takes the updates when no --graph-store or --update-endpoint is given)",
    )
    p.add_argument("--graph-store", metavar="URL", help="its Graph Store Protocol URL: a PUT per graph")
    p.add_argument("--update-endpoint", metavar="URL", help="its SPARQL Update URL, if no Graph Store")
    p.add_argument("--no-prune", action="store_true", help="keep source graphs it has and the graph has not")
    p.add_argument("--graph", metavar="GRAPH", help=graph_help)
    _add_auth_arguments(p)

    p = command(
        "viz",
        "Draw the graph as one interactive HTML page that works offline (no CDN, no network requests).",
        "  medkg viz                                        the whole graph into out/graph.html\n"
        "  medkg viz --focus herpes --depth 2               entities within 2 claims of herpes\n"
        '  medkg viz --focus "low back pain" --min-evidence speculative\n'
        "  medkg viz --query unsupported-claims --param maxRank=1 --out out/unsupported.html\n"
        "  medkg viz --query claims-about --param entity=herpes --graph out/medkg.trig\n",
        cmd_viz,
    )
    p.add_argument("--focus", metavar="ENTITY", help="draw only around this entity (label, synonym or IRI)")
    p.add_argument("--depth", type=int, default=1, metavar="N", help="with --focus: claims away (default: 1)")
    p.add_argument("--min-evidence", metavar="LEVEL", help="leave out claims below this level (slug or rank)")
    p.add_argument("--query", metavar="NAME", help="draw only the claims or entities a named query returns")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="a --query parameter")
    p.add_argument("--graph", metavar="GRAPH", help=graph_help)
    p.add_argument(
        "--out",
        default=str(DEFAULT_OUT_DIR / "graph.html"),
        metavar="FILE",
        help="the page to write (default: out/graph.html)",
    )
    p.add_argument("--title", help="the page title (default: medkg: claims graph)")
    p.add_argument(
        "--max-nodes",
        type=int,
        metavar="N",
        help="draw at most N entities, those with the most claims (default: 300)",
    )
    p.add_argument(
        "--max-edges",
        type=int,
        metavar="N",
        help="draw at most N claims, each connection's best-evidenced first (default: 1500)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``medkg`` console script."""
    from graph_builder.errors import MedkgError

    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except BrokenPipeError:
        return 0
    except OSError as err:  # a full disk, a read-only or forbidden folder, a folder given for a file
        return _fail(_os_error_message(err))  # WriteError too: its message is the OS's, with the path
    except MedkgError as err:
        return _fail(str(err))
    except (ValueError, LookupError) as err:  # what libraries raise on bad input (urllib on a bad URL)
        return _fail(str(err).strip('"'))


if __name__ == "__main__":
    sys.exit(main())
