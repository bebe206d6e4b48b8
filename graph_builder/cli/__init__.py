"""The ``medkg`` command line: thin wrappers over the library's functions, one module per command group.

Run ``medkg --help`` or ``medkg COMMAND --help`` for examples.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from graph_builder.cli import build, check, explore, export, extract, lookup, query, serve
from graph_builder.cli.common import FORMATTER, Handler, command_adder, fail, os_error_message

__all__ = ["build_parser", "main"]

EPILOG_MAIN = """examples:
  medkg build                                  build the seed article into out/
  medkg build data/annotations/*.yaml --out out
  medkg validate out/medkg.trig
  medkg query list
  medkg query run all-claims --format json
  medkg query run claims-about --param entity=herpes
  medkg chains herpes "lower back pain"
  medkg lookup backache                        corpus entities and vocabulary terms it names
  medkg extract article.txt --out draft.yaml   a draft annotation file, by rules (nlp extra)
  medkg evaluate --gold curated.yaml --pred draft.yaml
  medkg review draft.yaml                      accept, edit or reject a draft's claims in the browser
  medkg rank --measure caused
  medkg compare ice-first-for-a-sore-back heat-beats-ice-for-back-pain
  medkg viz --focus herpes --depth 2          draw part of the graph into out/graph.html
  medkg explore                               serve the graph and open its workbench in a browser
  medkg site --out site                       the workbench as static files, queried in the browser
  medkg export --format kgx                   KGX nodes and edges into out/
"""

#: The commands in the order ``medkg --help`` lists them.
COMMANDS = (
    build.add_build,
    build.add_add,
    build.add_remove,
    check.add_validate,
    check.add_stats,
    check.add_schema,
    check.add_migrate,
    explore.add_chains,
    explore.add_rank,
    query.add_compare,
    check.add_groundings,
    lookup.add_lookup,
    extract.add_extract,
    extract.add_evaluate,
    extract.add_review,
    query.add_query,
    serve.add_serve,
    serve.add_explore,
    serve.add_site,
    serve.add_push,
    explore.add_viz,
    export.add_export,
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(
        prog="medkg",
        description="medkg: the medical claims of health articles as a queryable knowledge graph.",
        epilog=EPILOG_MAIN,
        formatter_class=FORMATTER,
    )
    from graph_builder import __version__

    parser.add_argument("--version", action="version", version=f"medkg {__version__}")
    command = command_adder(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    for add in COMMANDS:
        add(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``medkg`` console script."""
    from graph_builder.core.errors import MedkgError

    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except BrokenPipeError:
        return 0
    except OSError as err:  # a full disk, a read-only or forbidden folder, a folder given for a file
        return fail(os_error_message(err))  # WriteError too: its message is the OS's, with the path
    except MedkgError as err:
        return fail(str(err))
    except (ValueError, LookupError) as err:  # what libraries raise on bad input (urllib on a bad URL)
        return fail(str(err).strip('"'))
