"""Commands that put the graph on a network: serve it as a SPARQL endpoint (and open its workbench in a
browser), publish the workbench as a static site, or push the graph to a triple store."""

from __future__ import annotations

import argparse
from pathlib import Path

from graph_builder.cli.common import GRAPH_HELP, AddCommand, add_auth_arguments, fail, graph_path


def _stop_on_signal(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # unwind as Ctrl-C does: the workers stop and temporary files go


def _open_workbench(url: str) -> None:
    import webbrowser

    if not webbrowser.open(url):
        print(f"medkg explore: found no browser to open; open {url}", flush=True)


def cmd_serve(args: argparse.Namespace) -> int:
    import signal
    import threading

    from graph_builder.endpoint.server import SparqlServer, prepare_store

    # `kill`, a service manager or a closed terminal must not leak the temporary store (SIGINT is Ctrl-C).
    stops = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    main_thread = threading.current_thread() is threading.main_thread()
    previous = {signum: signal.signal(signum, _stop_on_signal) for signum in stops} if main_thread else {}
    store, graph = (Path(args.store) if args.store else None), graph_path(args)
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
            if args.open_browser:
                _open_workbench(server.url.removesuffix("/sparql") + "/")
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
    from graph_builder.endpoint.push import push
    from graph_builder.endpoint.remote import Endpoint, RemoteError, make_endpoint
    from graph_builder.store.open import open_graph

    def at(url: str | None) -> Endpoint | None:
        if not url:
            return None
        return make_endpoint(url, user=args.user, auth=args.auth, password_env=args.password_env)

    store = open_graph(graph_path(args))
    if args.bulk:
        return _bulk_push(args, store)
    if args.isql or args.password_file:
        return fail("--isql and --password-file go with --bulk DIR (Virtuoso's bulk loader)")
    try:
        report = push(store, endpoint=at(args.endpoint), graph_store=at(args.graph_store),
                      update_endpoint=at(args.update_endpoint), prune=not args.no_prune)  # fmt: skip
    except RemoteError as err:
        return fail(str(err))
    print("\n".join(report.lines()))
    return 0


def _bulk_push(args: argparse.Namespace, store: object) -> int:
    import pyoxigraph as ox

    from graph_builder.endpoint.remote import RemoteError, make_endpoint
    from graph_builder.endpoint.virtuoso import Isql, bulk_push, password_from

    assert isinstance(store, ox.Store)
    if args.graph_store or args.update_endpoint:
        return fail(
            "--bulk loads files with Virtuoso's bulk loader: leave out --graph-store and --update-endpoint"
        )
    if not args.isql:
        return fail("--bulk DIR needs --isql HOST:PORT, Virtuoso's SQL port (1111 by default)")
    # The endpoint is only read (to find stale source graphs): credentials only when --auth asks.
    endpoint = None
    if args.endpoint:
        endpoint = make_endpoint(args.endpoint, user=args.user if args.auth else None, auth=args.auth,
                                 password_env=args.password_env)  # fmt: skip
    isql = Isql(args.isql, args.user or "dba", password_from(args.password_file, args.password_env),
                binary=args.isql_binary)  # fmt: skip
    try:
        report = bulk_push(store, Path(args.bulk), isql, endpoint=endpoint, server_folder=args.server_dir,
                           prune=not args.no_prune, keep_files=args.keep_files)  # fmt: skip
    except RemoteError as err:
        return fail(str(err).replace("\n", "\nmedkg: "))
    print("\n".join(report.lines()))
    return 0


def add_serve(command: AddCommand) -> None:
    p = command(
        "serve",
        "Serve the graph as a read-only SPARQL 1.1 endpoint, on 127.0.0.1 unless told otherwise.",
        "  medkg serve\n  medkg serve --store corpus.db --port 7878 --timeout 10 --max-rows 5000\n"
        "  curl 'http://127.0.0.1:7878/queries/unsupported-claims?maxRank=1' -H 'Accept: text/csv'\n"
        "  medkg query run all-claims --endpoint http://127.0.0.1:7878/sparql\n",
        cmd_serve,
    )
    _serve_options(p)
    p.set_defaults(open_browser=False)


def add_explore(command: AddCommand) -> None:
    p = command(
        "explore",
        "Serve the graph as 'medkg serve' does and open its workbench (SPARQL editor, named queries, "
        "result tables and graphs) in the default browser.",
        "  medkg explore\n  medkg explore --store corpus.db --port 0\n",
        cmd_serve,
    )
    _serve_options(p)
    p.set_defaults(open_browser=True)


def _serve_options(p: argparse.ArgumentParser) -> None:
    where = p.add_mutually_exclusive_group()
    where.add_argument("--store", metavar="DIR", help="the on-disk store made by 'medkg build --store DIR'")
    where.add_argument("--graph", metavar="GRAPH", help=GRAPH_HELP)
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


def cmd_site(args: argparse.Namespace) -> int:
    from graph_builder.endpoint.site import write_site
    from graph_builder.store.open import open_graph

    written = write_site(open_graph(graph_path(args)), Path(args.out))
    print(f"wrote {len(written)} files into {args.out}; try: python -m http.server --directory {args.out}")
    return 0


def add_site(command: AddCommand) -> None:
    p = command(
        "site",
        "Write the workbench as a static site: the graph as N-Quads, queried in the reader's browser by "
        "Oxigraph's WebAssembly build, so any static web host can publish it.",
        "  medkg site --out site\n  python -m http.server --bind 127.0.0.1 --directory site\n",
        cmd_site,
    )
    p.add_argument("--out", required=True, metavar="DIR",
                   help="the site's folder: new, empty, or an earlier site, which is replaced")  # fmt: skip
    p.add_argument("--graph", metavar="GRAPH", help=GRAPH_HELP)


def add_push(command: AddCommand) -> None:
    p = command(
        "push",
        "Upload the graph to a triple store, one named graph per source (Graph Store Protocol or Update).",
        "  medkg push --endpoint http://127.0.0.1:7879/query --graph-store http://127.0.0.1:7879/store\n"
        "  MEDKG_PASSWORD=dba medkg push --endpoint http://127.0.0.1:8890/sparql \\\n"
        "      --graph-store http://127.0.0.1:8890/sparql-graph-crud-auth --user dba --auth digest\n"
        "  medkg push --graph corpus.db --bulk /data/load --isql 127.0.0.1:1111 --password-file ~/.virtuoso \\\n"
        "      --endpoint http://127.0.0.1:8890/sparql\n",
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
    p.add_argument("--graph", metavar="GRAPH", help=GRAPH_HELP)
    add_auth_arguments(p)
    bulk = p.add_argument_group("Virtuoso's bulk loader (instead of HTTP)")
    bulk.add_argument("--bulk", metavar="DIR",
                      help="write the graphs as gzipped N-Quads into DIR, a folder Virtuoso may read "
                      "(DirsAllowed), and load them with its bulk loader through isql")  # fmt: skip
    bulk.add_argument("--isql", metavar="HOST:PORT", help="Virtuoso's SQL port, e.g. 127.0.0.1:1111")
    bulk.add_argument("--password-file", metavar="FILE",
                      help="file whose first line is the isql password (default: $--password-env if set, "
                      "else Virtuoso's default 'dba'); --user names the account (default: dba)")  # fmt: skip
    bulk.add_argument("--server-dir", metavar="PATH",
                      help="DIR as the Virtuoso server sees it, if another path (a container's volume)")  # fmt: skip
    bulk.add_argument("--isql-binary", default="isql-vt", metavar="NAME",
                      help="Virtuoso's isql client (default: isql-vt, Debian's name)")  # fmt: skip
    bulk.add_argument("--keep-files", action="store_true", help="keep the N-Quads files in DIR after loading")
