"""Commands that check or describe a graph and its inputs: validate, stats, schema, groundings, migrate."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from graph_builder.cli.common import GRAPH_HELP, AddCommand, fail, graph_path
from graph_builder.core.paths import EXAMPLE_CORPUS


def cmd_validate(args: argparse.Namespace) -> int:
    from graph_builder.quality.validate import source_subgraph, validate_store
    from graph_builder.store.open import open_graph

    store = open_graph(graph_path(args))
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
    from graph_builder.quality.stats import graph_stats
    from graph_builder.store.open import open_graph

    print("\n".join(graph_stats(open_graph(graph_path(args))).lines()))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from graph_builder.core.vocabulary import load_vocabulary
    from graph_builder.ingest.schema import schema_json

    sys.stdout.write(schema_json(load_vocabulary()))
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from graph_builder.cli.common import os_error_message
    from graph_builder.ingest.migrate import MigrationError, migrate_text
    from graph_builder.ingest.reader import ReadRefused, read_text
    from graph_builder.kg.export import write_atomic

    converted, problems = {}, []
    for name in args.annotations:
        path = Path(name)
        try:
            converted[path] = migrate_text(read_text(path, "a format 1 annotation file"))
        except ReadRefused as err:
            problems.append(f"{path}: expected {err.expected}; found {err.found}")
        except MigrationError as err:
            problems.append(f"{path}: {err}")
    if problems:  # all or nothing: no file is rewritten while another cannot be
        for line in problems:
            print(f"medkg: {line}", file=sys.stderr)
        return fail("nothing was rewritten.")
    try:
        for path, text in converted.items():
            write_atomic(path, text.encode("utf-8"))
            print(f"migrated {path} to format 2")
    except OSError as err:
        return fail(os_error_message(err))
    print("now run `medkg build` on them: it names each claim whose cues and new fields disagree")
    return 0


def add_migrate(command: AddCommand) -> None:
    p = command(
        "migrate",
        "Convert format 1 annotation files to format 2 in place (polarity and support; docs/codebook.md).",
        "  medkg migrate data/annotations/*.yaml\n",
        cmd_migrate,
    )
    p.add_argument("annotations", nargs="+", metavar="ANNOTATION", help="format 1 annotation files")


def cmd_groundings(args: argparse.Namespace) -> int:
    from graph_builder.ingest.annotations import AnnotationError, load_annotations
    from graph_builder.quality.groundings import VocabularyUnavailable, check_groundings
    from graph_builder.store.corpus import NoAnnotationFiles, annotation_files

    paths = [Path(p) for p in args.annotations] or [EXAMPLE_CORPUS]
    try:
        annotations = load_annotations(annotation_files(paths))
        problems = check_groundings(annotations)
    except (AnnotationError, VocabularyUnavailable, NoAnnotationFiles) as err:
        return fail(str(err))
    count = sum(len(e.groundings) for a in annotations for e in a.entities.values())
    for problem in problems:
        print(problem)
    if problems:
        return fail(f"{len(problems)} of {count} groundings do not match their vocabularies")
    print(f"all {count} groundings of {len(annotations)} annotation file(s) match their vocabularies")
    return 0


def add_validate(command: AddCommand) -> None:
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
    graph.add_argument("graph", nargs="?", metavar="GRAPH", default=argparse.SUPPRESS, help=GRAPH_HELP)
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


def add_stats(command: AddCommand) -> None:
    p = command(
        "stats",
        "Count sources, entities, propositions, assertions and chains.",
        "  medkg stats\n  medkg stats --graph out/medkg.trig\n",
        cmd_stats,
    )
    p.add_argument("--graph", metavar="GRAPH", help=GRAPH_HELP)


def add_schema(command: AddCommand) -> None:
    command(
        "schema",
        "Print the JSON Schema of annotation files.",
        "  medkg schema > annotation.schema.json\n",
        cmd_schema,
    )


def add_groundings(command: AddCommand) -> None:
    p = command(
        "groundings",
        "Check each grounding's id and label in its vocabulary (MeSH, ICD-10-CM, HPO, DOID).",
        "  medkg groundings\n  medkg groundings data/annotations/*.yaml\n",
        cmd_groundings,
    )
    p.add_argument(
        "annotations",
        nargs="*",
        metavar="ANNOTATION",
        help="annotation files or folders (default: the example corpus)",
    )
