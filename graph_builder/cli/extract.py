"""``medkg extract`` (a draft annotation file from an article) and ``medkg evaluate`` (a draft against a
curated file): thin wrappers over :mod:`graph_builder.extract` and :mod:`graph_builder.extract.evaluate`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from graph_builder.cli.common import AddCommand


def cmd_extract(args: argparse.Namespace) -> int:
    from graph_builder.extract.draft import extract_file, load_extractor
    from graph_builder.kg.export import write_atomic
    from graph_builder.lookup.corpus import corpus_entities
    from graph_builder.lookup.search import slug
    from graph_builder.lookup.terms import require_vocabularies
    from graph_builder.store.open import open_graph

    if args.id is not None and slug(args.id) != args.id:
        raise ValueError(f"--id expected a slug ([a-z0-9][a-z0-9-]*); found {args.id!r}")
    require_vocabularies()
    where = args.store or args.graph
    corpus = corpus_entities(open_graph(Path(where))) if where else []
    out = Path(args.out) if args.out else None
    text = extract_file(load_extractor(corpus), Path(args.article), out, args.id)
    if out is None:
        sys.stdout.write(text)
    else:
        write_atomic(out, text.encode())
    return 0


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
        "\nSentences, dictionary mentions (corpus entities, vocabulary terms, lay synonyms), relation cues,"
        "\nand hedges, negations, conditions, disclaimers and attributions, from which polarity, certainty"
        "\nand support follow. Each claim has a confidence and `# review:` comments. Needs the nlp and vocab"
        "\nextras; nothing is fetched. Without --out the draft is printed.\n",
        cmd_extract,
    )
    p.add_argument("article", metavar="ARTICLE.txt", help="the article's UTF-8 text")
    p.add_argument("--id", help="the source id (default: the file name as a slug)")
    p.add_argument(
        "--out", metavar="DRAFT.yaml", help="write the draft here (its text path is made relative)"
    )
    p.add_argument("--store", metavar="DIR", help="a store whose entities' ids the draft reuses")
    p.add_argument("--graph", metavar="GRAPH", help="a graph file whose entities' ids the draft reuses")


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
