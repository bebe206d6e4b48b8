"""``medkg extract`` (a draft annotation file from an article) and ``medkg evaluate`` (a draft against a
curated file): thin wrappers over :mod:`graph_builder.extract` and :mod:`graph_builder.extract.evaluate`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from graph_builder.cli.common import AddCommand

if TYPE_CHECKING:
    from graph_builder.core.model import Annotation


def cmd_extract(args: argparse.Namespace) -> int:
    from graph_builder.extract.draft import extract_file, load_extractor
    from graph_builder.extract.evaluate import load
    from graph_builder.kg.export import write_atomic
    from graph_builder.lookup.corpus import corpus_entities
    from graph_builder.lookup.search import slug
    from graph_builder.lookup.terms import require_vocabularies
    from graph_builder.store.open import open_graph

    if args.id is not None and slug(args.id) != args.id:
        raise ValueError(f"--id expected a slug ([a-z0-9][a-z0-9-]*); found {args.id!r}")
    require_vocabularies()
    gold = load(Path(args.against)) if args.against is not None else None  # a bad gold file fails first
    where = args.store or args.graph
    corpus = corpus_entities(open_graph(Path(where))) if where else []
    out = Path(args.out) if args.out else None
    text = extract_file(load_extractor(corpus), Path(args.article), out, args.id)
    if out is not None:
        write_atomic(out, text.encode())
    if gold is None:
        if out is None:
            sys.stdout.write(text)
        return 0
    return _print_differences(text, out or Path(args.article).with_suffix(".yaml"), gold, args.format)


#: ``medkg extract --against``'s exit status when the draft differs from the gold file (1 is an error).
DIFFERS = 3


def _print_differences(draft_text: str, draft_path: Path, gold: Annotation, fmt: str) -> int:
    from graph_builder.extract.diff import diff_annotations, format_lines, to_json
    from graph_builder.ingest.annotations import AnnotationError, check_text

    draft, problems = check_text(draft_path, draft_text)
    if problems or draft is None:
        raise AnnotationError(problems)
    differences = diff_annotations(draft, gold)
    sys.stdout.write(to_json(differences) if fmt == "json" else format_lines(differences))
    return DIFFERS if differences else 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from graph_builder.extract.evaluate import evaluate, format_table, load, to_json

    scores = evaluate(load(Path(args.pred)), load(Path(args.gold)))
    sys.stdout.write(to_json(scores) if args.format == "json" else format_table(scores))
    return 0


def add_extract(command: AddCommand) -> None:
    p = command(
        "extract",
        "Draft an annotation file (agent text_mining_agent) from an article's text, by rules.",
        "  medkg extract data/articles/does-herpes-cause-lower-back-pain.txt --out draft.yaml\n"
        "  medkg extract article.txt --id my-article --store store/     reuse the corpus's entity ids\n"
        "  medkg extract article.txt --out draft.yaml --against curated.yaml   what differs, one line each\n"
        "\nSentences, dictionary mentions (corpus entities, vocabulary terms, lay synonyms), relation cues,"
        "\nand hedges, negations, conditions, disclaimers and attributions, from which polarity, certainty"
        "\nand support follow. Each claim has a confidence and `# review:` comments. Needs the nlp and vocab"
        "\nextras; nothing is fetched. Without --out the draft is printed.\n"
        "\n--against GOLD.yaml prints only what differs from a curated file of the same article, one line"
        "\neach: claims only in the draft, only in gold, and each field or cue of a paired claim that"
        "\ndiffers. Exit status 0 when nothing differs, 3 when something does, 1 on an error.\n",
        cmd_extract,
    )
    p.add_argument("article", metavar="ARTICLE.txt", help="the article's UTF-8 text")
    p.add_argument("--id", help="the source id (default: the file name as a slug)")
    p.add_argument(
        "--out", metavar="DRAFT.yaml", help="write the draft here (its text path is made relative)"
    )
    p.add_argument("--store", metavar="DIR", help="a store whose entities' ids the draft reuses")
    p.add_argument("--graph", metavar="GRAPH", help="a graph file whose entities' ids the draft reuses")
    p.add_argument("--against", metavar="GOLD.yaml", help="print what differs from this curated file instead")
    p.add_argument("--format", choices=["lines", "json"], default="lines",
                   help="with --against: a line per difference (default) or json")  # fmt: skip


def add_evaluate(command: AddCommand) -> None:
    p = command(
        "evaluate",
        "Precision, recall and F1 of a drafted annotation file against a curated one.",
        "  medkg evaluate --gold data/annotations/does-herpes-cause-lower-back-pain.yaml --pred draft.yaml\n"
        "\nEntities (by id, grounding or name), propositions (also up to the hierarchy), polarity,"
        "\ncertainty, support and cue spans (overlapping, same type).\n",
        cmd_evaluate,
    )
    p.add_argument("--gold", required=True, metavar="GOLD.yaml", help="the curated annotation file")
    p.add_argument("--pred", required=True, metavar="DRAFT.yaml", help="the draft to score")
    p.add_argument("--format", choices=["table", "json"], default="table", help="table (default) or json")


def cmd_review(args: argparse.Namespace) -> int:
    from graph_builder.cli.serve import _open_workbench
    from graph_builder.endpoint.review import start_review

    if not 0 <= args.port <= 65535:
        raise ValueError(f"--port expected a port from 0 to 65535; found {args.port}")
    server, thread = start_review(Path(args.draft), args.port)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    print(f"medkg review: reviewing {args.draft} at {url} (this machine only); Ctrl-C stops it", flush=True)
    if args.open_browser:
        _open_workbench(url)
    try:
        while thread.is_alive():
            thread.join(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
    return 0


def add_review(command: AddCommand) -> None:
    p = command(
        "review",
        "Review a draft in the browser: each claim beside its quote in the article, to accept, edit or reject.",
        "  medkg review draft.yaml                     open the review page (127.0.0.1 only)\n"
        "  medkg review draft.yaml --port 7879 --no-open\n"
        "\nSave checks the new file as `medkg build` would and replaces the draft atomically (nothing is"
        "\nwritten while a problem remains; each shows on the page). A rejected claim goes, an accepted one"
        "\nis marked `# reviewed: accepted`, an edited one is accepted and rewritten; once no claim is left"
        "\nto review, the file's agent becomes manual_validation_of_automated_agent.\n",
        cmd_review,
    )
    p.add_argument("draft", metavar="DRAFT.yaml", help="the draft (medkg extract --out) to review in place")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: 0, any free one)")
    p.add_argument(
        "--no-open", dest="open_browser", action="store_false", help="print the URL, open no browser"
    )
