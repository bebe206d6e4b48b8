"""``medkg query``: list, show and run the named SPARQL queries, on a local graph or a remote endpoint."""

from __future__ import annotations

import argparse
import sys

from graph_builder.cli.common import (
    FORMATTER,
    GRAPH_HELP,
    AddCommand,
    add_auth_arguments,
    fail,
    graph_path,
    parse_params,
)


def cmd_query_list(args: argparse.Namespace) -> int:
    from graph_builder.core.tables import table_lines
    from graph_builder.sparql.queries import iter_queries

    print("\n".join(table_lines((q.name, q.summary) for q in iter_queries(include_qa=args.qa))))
    return 0


def cmd_query_show(args: argparse.Namespace) -> int:
    from graph_builder.sparql.queries import get_query

    query = get_query(args.name)
    print(query.path.read_text(encoding="utf-8") if query.path is not None else query.sparql, end="")
    return 0


def cmd_query_run(args: argparse.Namespace) -> int:
    from graph_builder.core.formats import format_results
    from graph_builder.sparql.queries import QueryError, get_query
    from graph_builder.sparql.runner import run_query, run_sparql
    from graph_builder.store.open import open_graph

    if bool(args.name) == bool(args.sparql):
        return fail("query run: give a query NAME (or FILE.rq) or --sparql TEXT, not both")
    params = parse_params(args.param)
    if args.endpoint:
        return _query_remote(args, params)
    query = None if args.sparql else get_query(args.name)  # an unknown name fails before any loading
    store = open_graph(graph_path(args))
    allow = args.allow_service
    try:
        table = (
            run_sparql(args.sparql, store, params, allow_service=allow)
            if query is None
            else run_query(query, store, params, allow_service=allow)
        )
    except QueryError as err:  # refused, not valid SPARQL, or a SERVICE that failed
        return fail(str(err))
    sys.stdout.write(format_results(table, args.format, spreadsheet_safe=True))
    counts = (
        [n for n in table.column("notFollowed") if isinstance(n, int)]
        if "notFollowed" in table.variables
        else []
    )
    if skipped := max(counts, default=0):
        # causal-chains answered by a search that stopped at its limit (graph_builder.sparql.reach)
        print(f"medkg: stopped at {len(table):,} rows; {skipped:,} claim links not followed", file=sys.stderr)
    return 0


def _query_remote(args: argparse.Namespace, params: dict[str, str]) -> int:
    from graph_builder.core.formats import format_results
    from graph_builder.endpoint.remote import RemoteError, make_endpoint, run_remote, run_remote_sparql
    from graph_builder.sparql.queries import QueryError, get_query

    if args.graph:
        return fail("query run: give --graph or --endpoint, not both")
    endpoint = make_endpoint(args.endpoint, user=args.user, auth=args.auth, password_env=args.password_env)
    try:
        if args.sparql:
            table = run_remote_sparql(args.sparql, endpoint, params, union=args.union)
        else:
            table = run_remote(get_query(args.name), endpoint, params, union=args.union)
    except (RemoteError, QueryError) as err:
        return fail(str(err))
    sys.stdout.write(format_results(table, args.format, spreadsheet_safe=True))
    return 0


def add_query(command: AddCommand) -> None:
    q = command(
        "query",
        "List, show and run the named SPARQL queries.",
        "  medkg query list\n  medkg query show unsupported-claims\n  medkg query run chain-steps\n",
        None,  # an ACTION is required; each sets its own handler
    )
    qsub = q.add_subparsers(dest="query_command", required=True, metavar="ACTION")
    ql = qsub.add_parser(
        "list",
        help="list the named queries",
        description="List the named queries with their summaries.",
        epilog="examples:\n  medkg query list\n  medkg query list --qa\n",
        formatter_class=FORMATTER,
    )
    ql.add_argument("--qa", action="store_true", help="include the qa/ queries")
    ql.set_defaults(handler=cmd_query_list)
    qs = qsub.add_parser(
        "show",
        help="print a query with its header",
        description="Print a named query: its header and SPARQL.",
        epilog="examples:\n  medkg query show all-claims\n  medkg query show qa/quote-mismatch\n",
        formatter_class=FORMATTER,
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
        formatter_class=FORMATTER,
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
        choices=["table", "csv", "tsv", "json", "xml"],  # = formats.FORMATS
        default="table",
        help="table (for people) or a W3C SPARQL results format; csv is made safe for spreadsheets "
        "(a cell starting with = + - @ gets a leading ' unless it is a number)",
    )
    qr.add_argument("--graph", metavar="GRAPH", help=GRAPH_HELP)
    qr.set_defaults(handler=cmd_query_run)
    qr.add_argument("--allow-service", action="append", default=[], metavar="HOST",
                    help="let SERVICE send requests to HOST (repeat for more); SERVICE is refused otherwise")  # fmt: skip
    qr.add_argument("--endpoint", metavar="URL", help="run on a remote SPARQL endpoint, not a local graph")
    qr.add_argument("--union", choices=["auto", "dataset", "endpoint"], default="auto",
                    help="with --endpoint, how to read the union of medkg's graphs: 'endpoint' when "
                    "its default graph is it, 'dataset' to list them, 'auto' to ask (default)")  # fmt: skip
    add_auth_arguments(qr)


def cmd_compare(args: argparse.Namespace) -> int:
    from graph_builder.analysis.compare import compare_sources
    from graph_builder.sparql.parameters import ParameterError
    from graph_builder.store.open import open_graph

    store = open_graph(graph_path(args))
    try:
        report = compare_sources(store, args.source_a, args.source_b)
    except (ValueError, ParameterError) as err:
        return fail(str(err))
    sys.stdout.write(report.to_json() if args.format == "json" else "\n".join(report.lines()) + "\n")
    return 0


def add_compare(command: AddCommand) -> None:
    p = command(
        "compare",
        "Compare two sources: what both say, what only one says, and where they conflict.",
        "  medkg compare does-herpes-cause-lower-back-pain myth-check-herpes-and-back-pain\n"
        "  medkg compare ice-first-for-a-sore-back heat-beats-ice-for-back-pain --format json\n"
        "\nSources are named by id, source:ID or IRI; a conflict is a pair of claims that disagree in\n"
        "polarity, in whether the source disclaims the claim, or by two or more support ranks\n"
        "(queries/conflicts.rq).\n",
        cmd_compare,
    )
    p.add_argument("source_a", metavar="SOURCE_A", help="the first source (A)")
    p.add_argument("source_b", metavar="SOURCE_B", help="the second source (B)")
    p.add_argument("--format", choices=["text", "json"], default="text", help="text (for people) or json")
    p.add_argument("--graph", metavar="GRAPH", help=GRAPH_HELP)
