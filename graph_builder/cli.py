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


def cmd_build(args: argparse.Namespace) -> int:
    from graph_builder.annotations import AnnotationError, load_annotations
    from graph_builder.build import build_store
    from graph_builder.export import render_outputs, write_files
    from graph_builder.stats import graph_stats
    from graph_builder.validate import validate_store

    paths = [Path(p) for p in args.annotations] or [SEED_ANNOTATION]
    try:
        annotations = load_annotations(paths)
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


def cmd_validate(args: argparse.Namespace) -> int:
    from graph_builder.store import open_graph
    from graph_builder.validate import validate_store

    store = open_graph(Path(args.graph) if args.graph else None)
    report = validate_store(store, shacl=not args.no_shacl, qa=not args.no_qa)
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


def cmd_query_list(args: argparse.Namespace) -> int:
    from graph_builder.queries import iter_queries

    queries = list(iter_queries(include_qa=args.qa))
    width = max(len(q.name) for q in queries)
    for q in queries:
        print(f"{q.name:<{width}}  {q.summary}")
    return 0


def cmd_query_show(args: argparse.Namespace) -> int:
    from graph_builder.queries import get_query

    print(get_query(args.name).path.read_text(encoding="utf-8"), end="")
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
    from graph_builder.queries import get_query, run_query, run_sparql
    from graph_builder.results import format_results
    from graph_builder.store import open_graph

    if bool(args.name) == bool(args.sparql):
        return _fail("query run: give a query NAME (or FILE.rq) or --sparql TEXT, not both")
    params = _params(args.param)
    store = open_graph(Path(args.graph) if args.graph else None)
    table = run_sparql(args.sparql, store, params) if args.sparql else run_query(get_query(args.name), store, params)
    sys.stdout.write(format_results(table, args.format))
    return 0


EPILOG_MAIN = """examples:
  medkg build                                  build the seed article into out/
  medkg build data/annotations/*.yaml --out out
  medkg validate out/medkg.trig
  medkg query list
  medkg query run all-claims --format json
  medkg query run claims-about --param entity=herpes
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
        p = sub.add_parser(name, help=help_, description=help_, epilog="examples:\n" + epilog, formatter_class=fmt)
        p.set_defaults(handler=handler)
        return p

    graph_help = "graph file to read (.trig, .ttl, .nq, .jsonld); default: $MEDKG_GRAPH, out/medkg.trig, or the seed example"

    p = command(
        "build",
        "Check annotation files and build the graph: out/medkg.ttl, .trig and .jsonld.",
        "  medkg build\n  medkg build data/annotations/my-article.yaml --out out\n",
        cmd_build,
    )
    p.add_argument("annotations", nargs="*", metavar="ANNOTATION", help="annotation YAML files (default: the seed article)")
    p.add_argument("--out", default=str(DEFAULT_OUT_DIR), metavar="DIR", help="output folder (default: out)")
    p.add_argument("--no-validate", action="store_true", help="skip SHACL and qa checks of the built graph")

    p = command(
        "validate",
        "Validate a built graph with the SHACL shapes and the qa queries; exit 1 on any violation.",
        "  medkg validate\n  medkg validate out/medkg.ttl\n  medkg validate my-graph.trig --no-qa\n",
        cmd_validate,
    )
    p.add_argument("graph", nargs="?", metavar="GRAPH", help=graph_help)
    p.add_argument("--no-shacl", action="store_true", help="run only the qa queries")
    p.add_argument("--no-qa", action="store_true", help="run only the SHACL shapes")

    p = command("stats", "Count sources, entities, propositions, assertions and chains.", "  medkg stats\n  medkg stats --graph out/medkg.trig\n", cmd_stats)
    p.add_argument("--graph", metavar="GRAPH", help=graph_help)

    command("schema", "Print the JSON Schema of annotation files.", "  medkg schema > annotation.schema.json\n", cmd_schema)

    q = sub.add_parser(
        "query",
        help="List, show and run the named SPARQL queries.",
        description="List, show and run the named SPARQL queries.",
        epilog="examples:\n  medkg query list\n  medkg query show unsupported-claims\n  medkg query run chain-steps\n",
        formatter_class=fmt,
    )
    qsub = q.add_subparsers(dest="query_command", required=True, metavar="ACTION")
    ql = qsub.add_parser("list", help="list the named queries", description="List the named queries with their summaries.",
                         epilog="examples:\n  medkg query list\n  medkg query list --qa\n", formatter_class=fmt)
    ql.add_argument("--qa", action="store_true", help="include the qa/ queries")
    ql.set_defaults(handler=cmd_query_list)
    qs = qsub.add_parser("show", help="print a query with its header", description="Print a named query: its header and SPARQL.",
                         epilog="examples:\n  medkg query show all-claims\n  medkg query show qa/quote-mismatch\n", formatter_class=fmt)
    qs.add_argument("name", metavar="NAME")
    qs.set_defaults(handler=cmd_query_show)
    qr = qsub.add_parser(
        "run",
        help="run a named query, a .rq file or SPARQL text",
        description="Run a query. Parameters are bound as RDF terms, never pasted into the query text.",
        epilog="examples:\n  medkg query run all-claims --format json\n"
        "  medkg query run unsupported-claims --param maxRank=2\n"
        "  medkg query run claims-about --param entity=\"lower back pain\" --format csv\n"
        "  medkg query run my-query.rq\n"
        "  medkg query run --sparql 'SELECT ?s ?o WHERE { ?s medkg:causes ?o }'\n",
        formatter_class=fmt,
    )
    qr.add_argument("name", nargs="?", metavar="NAME|FILE.rq")
    qr.add_argument("--sparql", metavar="TEXT", help="SPARQL text to run (the medkg prefixes are declared for you)")
    qr.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="a query parameter; repeat for more")
    qr.add_argument("--format", choices=["table", "csv", "tsv", "json", "xml"], default="table",
                    help="table (for people) or a W3C SPARQL results format")
    qr.add_argument("--graph", metavar="GRAPH", help=graph_help)
    qr.set_defaults(handler=cmd_query_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``medkg`` console script."""
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except (ValueError, KeyError, FileNotFoundError) as err:
        return _fail(str(err).strip('"'))
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
