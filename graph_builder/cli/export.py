"""The export command: a built graph as files other communities read (nanopublications, KGX) or as RDF.

Each format has one writer in ``kg/``; every format's files are written as a set (``kg.export.write_files``).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import pyoxigraph as ox

from graph_builder.cli.common import GRAPH_HELP, AddCommand, fail, graph_path
from graph_builder.core.paths import DEFAULT_OUT_DIR

FORMATS = ("nanopub", "kgx", "turtle", "trig", "jsonld")
NANOPUB_MISSING = "--format nanopub needs the nanopub package: pip install 'medkg[nanopub]'"


def _nanopub_files(store: ox.Store, key: str | None) -> dict[str, bytes] | None:
    from graph_builder.kg.nanopubs import (
        NANOPUB_FILE,
        default_key_path,
        ensure_key,
        iter_nanopubs,
        load_key,
        to_nanopub_trig,
    )

    if importlib.util.find_spec("nanopub") is None:
        return None
    path = Path(key) if key else default_key_path()
    if key is None and ensure_key(path):
        print(
            f"generated a signing key at {path} (readable by you only; pass it with --key)", file=sys.stderr
        )
    signing = load_key(path)
    print(f"signing with the key at {path}; nothing is published", file=sys.stderr)
    return {NANOPUB_FILE: to_nanopub_trig(iter_nanopubs(store, signing))}


def cmd_export(args: argparse.Namespace) -> int:
    from graph_builder.kg import export
    from graph_builder.kg.kgx import to_kgx
    from graph_builder.kg.views import exported_quads
    from graph_builder.store.open import open_graph

    rdf_formats = {
        "turtle": ("medkg.ttl", export.to_turtle),
        "trig": ("medkg.trig", export.to_trig),
        "jsonld": ("medkg.jsonld", export.to_jsonld),
    }

    if args.key and args.format != "nanopub":
        return fail(f"--key signs nanopublications; --format {args.format} is not signed")
    store = open_graph(graph_path(args))
    if args.format == "nanopub":
        files = _nanopub_files(store, args.key)
        if files is None:
            return fail(NANOPUB_MISSING)
    elif args.format == "kgx":
        files = to_kgx(store)
    else:
        name, render = rdf_formats[args.format]
        files = {name: render(export.canonical_quads(exported_quads(store)))}
    for path in export.write_files(Path(args.out), files):
        print(f"wrote {path}")
    return 0


def add_export(command: AddCommand) -> None:
    p = command(
        "export",
        "Write a graph as nanopublications (one signed per assertion), KGX JSON Lines, or RDF.",
        "  medkg export --format nanopub --key ~/keys/medkg.pem\n"
        "  medkg export --format kgx --graph out/medkg.trig --out out\n",
        cmd_export,
    )
    p.add_argument("--format", required=True, choices=FORMATS, help="what to write")
    p.add_argument("--graph", metavar="GRAPH", help=GRAPH_HELP)
    p.add_argument("--out", default=str(DEFAULT_OUT_DIR), metavar="DIR", help="output folder (default: out)")
    p.add_argument(
        "--key",
        metavar="FILE",
        help="with --format nanopub: the RSA private key to sign with (PEM); default: a key kept in "
        "~/.config/medkg/ ($XDG_CONFIG_HOME), generated on first use",
    )
