"""Benchmark ``medkg lookup``: the index against a plain scan of every vocabulary name, in one run.

The target (issue 13) is at most 200 ms per lookup after the first. The first lookup pays for the
index: reading the four packages (no cache file) or the cache file, then indexing ~170,000 names; both
are timed once, each in a fresh process so that nothing is warm. Then each text is looked up with the
index (``lookup``: the corpus entities of the example corpus too) and with :func:`~graph_builder.lookup.index.scan`
(normalise and compare every name: what a lookup without an index costs), interleaved.

    python -m benchmarks.lookup                  # prints the table, writes benchmarks/lookup-results.json
    python -m benchmarks.lookup --repeat 3 --out -
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.measure import interleaved, summary
from benchmarks.report import machine

RESULTS_FILE = Path(__file__).resolve().parent / "lookup-results.json"
#: Acceptance texts, a lay synonym, a partial word, common words (many candidates), stopwords.
TEXTS = (
    "low back pain",
    "backache",
    "shingles",
    "herp",
    "pain",
    "disease of the heart",
    "cold compress",
    "of the",
)
TARGET_S = 0.200

_FIRST = """
import time
t = time.perf_counter()
from graph_builder.lookup.search import vocabulary_index
vocabulary_index()
print(time.perf_counter() - t)
"""


def time_first(cache_dir: Path) -> float:
    """Seconds a fresh process takes to import, load the names and build the index."""
    env = {**os.environ, "MEDKG_CACHE_DIR": str(cache_dir)}
    out = subprocess.run([sys.executable, "-c", _FIRST], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def run(repeat: int) -> dict[str, Any]:
    from graph_builder.core.paths import EXAMPLE_CORPUS
    from graph_builder.kg.build import build_from_files
    from graph_builder.lookup.corpus import corpus_entities
    from graph_builder.lookup.index import scan
    from graph_builder.lookup.search import lookup, vocabulary_index
    from graph_builder.store.corpus import annotation_files

    records: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as cache:
        records.append({"task": "first:packages", "medkg_s": round(time_first(Path(cache)), 6)})
        records.append({"task": "first:cache-file", "medkg_s": round(time_first(Path(cache)), 6)})
        os.environ["MEDKG_CACHE_DIR"] = cache
        index = vocabulary_index()
        entities = corpus_entities(build_from_files(annotation_files([EXAMPLE_CORPUS])))
        names = index.index.names
        for text in TEXTS:
            times = interleaved(
                {
                    "medkg": functools.partial(lookup, text, entities),
                    "scan": functools.partial(scan, names, text, 10),
                },
                repeat,
            )
            medkg, base = summary(times["medkg"]), summary(times["scan"])
            records.append({
                "task": f"lookup:{text}", "medkg_s": medkg["median"], "medkg_p95_s": medkg["p95"],
                "scan_s": base["median"], "scan_over_medkg": round(base["median"] / medkg["median"], 1),
                "runs": len(times["medkg"]),
            })  # fmt: skip
    return {"machine": machine(), "names": len(names), "target_s": TARGET_S, "records": records}


def format_table(result: dict[str, Any]) -> str:
    lines = [
        f"lookup over {result['names']:,} vocabulary names (target: <= {result['target_s'] * 1000:.0f} ms after the first)",
        "| task | medkg median | medkg p95 | plain scan | scan/medkg |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in result["records"]:
        if "scan_s" in r:
            lines.append(f"| {r['task']} | {r['medkg_s'] * 1000:.1f} ms | {r['medkg_p95_s'] * 1000:.1f} ms | "
                         f"{r['scan_s'] * 1000:.0f} ms | {r['scan_over_medkg']}× |")  # fmt: skip
        else:
            lines.append(f"| {r['task']} | {r['medkg_s']:.2f} s | | | |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.lookup", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=7, help="timed runs per text and contender (default: 7)"
    )
    parser.add_argument("--out", default=str(RESULTS_FILE), help="results JSON file, or - for none")
    args = parser.parse_args(argv)
    result = run(args.repeat)
    print(format_table(result))
    if args.out != "-":
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    over = [r["task"] for r in result["records"] if "medkg_p95_s" in r and r["medkg_p95_s"] > TARGET_S]
    if over:
        print(f"over the {TARGET_S * 1000:.0f} ms target: {', '.join(over)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
