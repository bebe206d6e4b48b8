"""``medkg lookup``: which corpus entities and vocabulary terms a piece of text names."""

from __future__ import annotations

import argparse
import sys

from graph_builder.cli.common import GRAPH_HELP, AddCommand, graph_path

#: The exit status when vocabulary packages are missing (1 is a lookup that failed for another reason).
MISSING_PACKAGES = 2


def cmd_lookup(args: argparse.Namespace) -> int:
    from graph_builder.core.packages import VocabulariesMissing
    from graph_builder.lookup.corpus import corpus_entities
    from graph_builder.lookup.search import format_json, format_table, format_yaml, lookup, yaml_notes
    from graph_builder.lookup.terms import require_vocabularies
    from graph_builder.store.open import open_graph

    try:
        require_vocabularies()
    except VocabulariesMissing as err:
        for line in str(err).splitlines():
            print(f"medkg: {line}", file=sys.stderr)
        return MISSING_PACKAGES
    if args.limit < 1:
        raise ValueError(f"--limit expected a number of at least 1; found {args.limit}")
    if args.type is not None:
        from graph_builder.core.vocabulary import load_vocabulary

        types = sorted(load_vocabulary().entity_types)
        if args.type not in types:
            raise ValueError(f"--type expected one of {', '.join(types)}; found {args.type!r}")
    entities = corpus_entities(open_graph(graph_path(args)))
    result = lookup(args.text, entities, limit=args.limit)
    if args.format == "yaml":
        sys.stdout.write(format_yaml(result, args.type))
        for note in yaml_notes(result, args.type):
            print(f"medkg: note: {note}", file=sys.stderr)
    else:
        sys.stdout.write(format_json(result) if args.format == "json" else format_table(result))
    return 0


def add_lookup(command: AddCommand) -> None:
    p = command(
        "lookup",
        "Find the corpus entities and the vocabulary terms (MeSH, HPO, ICD-10-CM, DOID) a text names.",
        '  medkg lookup "low back pain"\n'
        "  medkg lookup backache                      lay words too (medkg's lay-synonym table)\n"
        '  medkg lookup "cold sore" --format yaml     an entity block to paste into an annotation file\n'
        "\nRanked: exact label, then exact synonym (an entity's synonym, an ICD-10-CM inclusion term, a lay"
        "\nsynonym), then names starting with the text, then names sharing words with it. Needs the"
        "\nvocabulary packages (`make demo` installs them); nothing is fetched.\n",
        cmd_lookup,
    )
    p.add_argument("text", metavar="TEXT", help="the words to look up")
    p.add_argument("--format", choices=["table", "yaml", "json"], default="table",
                   help="table (for people), yaml (an entity block to paste) or json")  # fmt: skip
    p.add_argument(
        "--limit", type=int, default=10, metavar="N", help="at most N entities and N terms (default: 10)"
    )
    p.add_argument("--type", metavar="TYPE", help="with --format yaml: the entity type (default: guessed)")
    p.add_argument("--graph", metavar="GRAPH", help=GRAPH_HELP)
