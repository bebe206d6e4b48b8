"""Commands that read the claims as a network: chains between two entities, rankings, the HTML view."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from graph_builder.cli.common import GRAPH_HELP, AddCommand, fail, graph_path, parse_params
from graph_builder.core.paths import DEFAULT_OUT_DIR


def cmd_chains(args: argparse.Namespace) -> int:
    from graph_builder.analysis.chains import (
        MAX_HOPS,
        find_chains,
        format_chains,
        resolve_entity,
        resolve_evidence,
    )
    from graph_builder.analysis.network import chain_projection, entity_names, to_networkx
    from graph_builder.core.vocabulary import load_vocabulary
    from graph_builder.store.open import open_graph

    store = open_graph(graph_path(args))
    min_rank = resolve_evidence(args.min_evidence) if args.min_evidence else None
    names = entity_names(store)
    source, target = resolve_entity(names, args.source), resolve_entity(names, args.target)
    graph = None
    if args.hierarchy:  # the entities a chain may pass through are found along the hierarchy too
        graph = to_networkx(store)
    elif 1 <= args.max_hops <= MAX_HOPS and source != target:  # else find_chains says what is wrong
        # Project only the claims some chain can pass through: a large store is not read whole.
        vocab = load_vocabulary()
        relations = [
            r.iri
            for r in vocab.relations.values()
            if (r.slug in args.relation if args.relation else args.any_relation or r.chain_link)
        ]
        graph = chain_projection(store, source, target, args.max_hops, relations)
    chains = find_chains(
        graph if graph is not None else names, source, target, max_hops=args.max_hops, min_rank=min_rank,
        min_strength=args.min_strength, causal_only=not args.any_relation, relations=args.relation or None, limit=args.limit,
        hierarchy=args.hierarchy,
    )  # fmt: skip
    sys.stdout.write(format_chains(chains, args.format))
    if chains.truncated and args.format == "json":
        print(f"medkg: {chains.not_followed_line()}", file=sys.stderr)
    return 0


def cmd_rank(args: argparse.Namespace) -> int:
    from graph_builder.analysis.network import to_networkx
    from graph_builder.analysis.rank import format_ranking, rank_entities
    from graph_builder.store.open import open_graph

    graph = to_networkx(open_graph(graph_path(args)))
    rows = rank_entities(graph, args.measure, top=args.top)
    sys.stdout.write(format_ranking(rows, args.measure, args.format))
    return 0


def cmd_viz(args: argparse.Namespace) -> int:
    from graph_builder.analysis.chains import resolve_entity
    from graph_builder.analysis.network import entities_near, entity_names, to_networkx
    from graph_builder.sparql.queries import QueryError, get_query
    from graph_builder.sparql.runner import run_query
    from graph_builder.store.open import open_graph
    from graph_builder.viz.view import select_view
    from graph_builder.viz.visualize import write_html

    if args.param and not args.query:
        return fail("viz: --param needs --query NAME")
    store = open_graph(graph_path(args))
    try:
        results = run_query(get_query(args.query), store, parse_params(args.param)) if args.query else None
    except QueryError as err:
        return fail(f"viz: {err}")
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


def add_chains(command: AddCommand) -> None:
    p = command(
        "chains",
        "List the chains of claims leading from one entity to another, with their weakest link.",
        '  medkg chains herpes "lower back pain"\n'
        '  medkg chains herpes "lower back pain" --max-hops 2 --format json\n'
        '  medkg chains herpes "lower back pain" --min-strength 4    (none: every link is weaker)\n'
        "  medkg chains herpes swelling --any-relation --max-hops 4\n"
        '  medkg chains herpes "back pain" --hierarchy    (shingles, HSV-2 …; lower back pain)\n'
        "\nA hop is an assertion with a relation under medkg:chainsTo, the causal relations and association"
        "\n(set --relation or --any-relation to change that); entities are named by label, synonym, id or IRI."
        "\nThe weakest link is the lowest strength of a chain's steps (docs/codebook.md, Strength):"
        "\nchains with the strongest weakest link come first. Each step names its source. A chain joining claims of several sources says so, and says"
        "\n'inferred across sources' when it passes an entity only because two sources' claims meet there.\n",
        cmd_chains,
    )
    p.add_argument("source", metavar="SOURCE", help="the entity chains start from")
    p.add_argument("target", metavar="TARGET", help="the entity chains end at")
    p.add_argument("--max-hops", type=int, default=3, metavar="N", help="longest chain, 1 to 6 (default: 3)")
    p.add_argument("--min-strength", type=int, metavar="N", help="drop hops of a lower strength (1 to 21)")
    p.add_argument("--min-evidence", metavar="LEVEL",
                   help="drop hops below this evidence level, the format 1 reading (slug, label, 1-8)")  # fmt: skip
    p.add_argument("--relation", action="append", default=[], metavar="SLUG",
                   help="allow only this relation as a hop; repeat for more")  # fmt: skip
    p.add_argument("--any-relation", action="store_true", help="allow every relation as a hop")
    p.add_argument("--hierarchy", action="store_true",
                   help="follow broader entities: start or end at narrower ones, go on from broader ones")  # fmt: skip
    p.add_argument("--limit", type=int, default=100, metavar="N", help="most chains to list (default: 100)")
    p.add_argument("--format", choices=["table", "json"], default="table", help="table (for people) or json")
    p.add_argument("--graph", metavar="GRAPH", help=GRAPH_HELP)


def add_rank(command: AddCommand) -> None:
    p = command(
        "rank",
        "Rank entities by how the claims treat them: most claimed, most caused, most causing, most remedied.",
        "  medkg rank\n  medkg rank --measure caused --top 5\n  medkg rank --measure pagerank --format json\n"
        "\nmeasures: claims (assertions touching it), caused (causal assertions into it),\n"
        "causes (causal assertions out of it), remedied (relations under medkg:ameliorates into it),\n"
        "pagerank (over the entity graph)\n",
        cmd_rank,
    )
    measures = [
        "claims",
        "caused",
        "causes",
        "remedied",
        "pagerank",
    ]  # = analysis.rank.MEASURES (a test checks)
    p.add_argument("--measure", choices=measures, default="claims", help="what to rank by (default: claims)")
    p.add_argument("--top", type=int, default=10, metavar="N", help="how many entities to list (default: 10)")
    p.add_argument("--format", choices=["table", "json"], default="table", help="table (for people) or json")
    p.add_argument("--graph", metavar="GRAPH", help=GRAPH_HELP)


def add_viz(command: AddCommand) -> None:
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
    p.add_argument("--graph", metavar="GRAPH", help=GRAPH_HELP)
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
