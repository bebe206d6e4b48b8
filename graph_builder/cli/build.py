"""Commands that make and check a graph: build, add, remove, validate, stats, schema, groundings."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from graph_builder.cli.common import AddCommand, fail, os_error_message
from graph_builder.core.paths import DEFAULT_OUT_DIR, EXAMPLE_CORPUS


def cmd_build(args: argparse.Namespace) -> int:
    from graph_builder.ingest.annotations import AnnotationError, load_annotations
    from graph_builder.kg.build import build_store
    from graph_builder.kg.export import render_outputs, write_files
    from graph_builder.kg.hierarchy import missing_notes, missing_packages
    from graph_builder.quality.stats import graph_stats
    from graph_builder.quality.validate import validate_store
    from graph_builder.store.corpus import NoAnnotationFiles, annotation_files

    paths = [Path(p) for p in args.annotations] or [EXAMPLE_CORPUS]
    if args.store:
        return _build_store(paths, Path(args.store), args.workers, args.allow_empty)
    try:
        annotations = load_annotations(annotation_files(paths, allow_empty=args.allow_empty))
    except NoAnnotationFiles as err:
        return fail(f"{err}; nothing was written (--allow-empty builds an empty graph)")
    except AnnotationError as err:
        return fail(f"{err}\nnothing was written.")
    store = build_store(annotations)
    for note in missing_notes(missing_packages(annotations)):
        print(note, file=sys.stderr)
    if not args.no_validate:
        report = validate_store(store)
        if not report.conforms:
            return fail(f"the built graph {report.summary()}\nnothing was written.")
    written = write_files(Path(args.out), render_outputs(store))
    stats = graph_stats(store)
    print(f"built {stats.assertions} assertions from {len(annotations)} annotation file(s)")
    print("\n".join(stats.lines()))
    for path in written:
        print(f"wrote {path}")
    return 0


def _build_store(paths: list[Path], target: Path, workers: int | None, allow_empty: bool) -> int:
    import time

    from graph_builder.core.packages import is_available
    from graph_builder.ingest.annotations import AnnotationError
    from graph_builder.kg.hierarchy import HIERARCHIES, missing_notes
    from graph_builder.store.bulk import build_corpus_store
    from graph_builder.store.corpus import NoAnnotationFiles, StoreError

    started = time.perf_counter()
    try:
        files, quads = build_corpus_store(paths, target, workers=workers, allow_empty=allow_empty)
    except NoAnnotationFiles as err:
        return fail(f"{err}; the store at {target} was left as it was (--allow-empty builds an empty one)")
    except StoreError as err:
        return fail(str(err))
    except AnnotationError as err:
        return fail(f"{err}\nthe store at {target} was left as it was.")
    except OSError as err:  # a full disk, a folder it may not write in, a file where a folder must be
        return fail(f"cannot build the store at {target}: {os_error_message(err)}; nothing was replaced")
    seconds = time.perf_counter() - started
    absent = [v for v in HIERARCHIES if not is_available(v)]  # whether the files use them is not known here
    for note in missing_notes(absent):
        print(note, file=sys.stderr)
    print(f"built {target}: {files} annotation file(s), {quads} quads in {seconds:.1f} s")
    print(f"query it with: medkg query run all-claims --graph {target}")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from graph_builder.ingest.annotations import AnnotationError
    from graph_builder.store.corpus import NoAnnotationFiles, add_annotation_files, open_store

    store = open_store(Path(args.store))
    try:  # the files' own problems and their clashes with the store, in one run
        report = add_annotation_files(store, [Path(p) for p in args.annotations])
    except NoAnnotationFiles as err:
        return fail(f"{err}; nothing was added")
    except AnnotationError as err:
        return fail(f"{err}\nthe store was left as it was.")
    store.flush()
    for sid in report.added:
        print(f"added {sid}")
    for sid in report.replaced:
        print(f"replaced {sid}")
    print(f"{report.quads} quads written to {args.store}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from graph_builder.store.corpus import open_store, remove_sources, source_ids

    store = open_store(Path(args.store))
    sources = list(dict.fromkeys(args.sources))  # a source named twice is removed once
    known = set(source_ids(store))
    unknown = [source for source in sources if source not in known]
    if unknown:  # checked before anything is removed: a typo must not leave half the removals done
        listed = ", ".join(sorted(known)) or "none"
        if len(known) > 5:
            listed = f"{len(known)}; list them with: medkg query run sources --graph {args.store}"
        for source in unknown:
            fail(f"{args.store}: no source {source!r} in the store; nothing was removed (sources: {listed})")
        return 1
    for report in remove_sources(store, sources):  # all of them, or none if one is refused
        print(
            f"removed {report.removed} ({report.propositions_dropped} propositions no longer stated by any source)"
        )
    store.flush()
    return 0


def add_build(command: AddCommand) -> None:
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
        help="annotation YAML files or folders (default: the example corpus, the seed article and six written for medkg)",
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


def add_add(command: AddCommand) -> None:
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


def add_remove(command: AddCommand) -> None:
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
