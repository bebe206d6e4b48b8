"""Benchmark ``medkg extract`` against the curated files: quality (``medkg evaluate``'s figures, summed
over the seed and the example corpus), whether every draft builds with verbatim quotes, and speed.

Each draft is made twice: with no corpus (vocabulary terms and lay synonyms only) and with the
entities of every other curated file (what ``--store`` gives; the file scored is left out, so none of
its own entities leak into its draft). Targets (issue 13): proposition recall ≥ 0.7 at precision ≥ 0.6; disclaimer and negation cue F1 ≥ 0.9;
hedge cue F1 ≥ 0.8; every quote verbatim at its offsets; every draft builds; extraction ≤ 1 s per
1,000 words once loaded; loading ≤ 5 s.

    python -m benchmarks.extract                 # prints the table, writes benchmarks/extract-results.json
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from graph_builder.cli import main as medkg
from graph_builder.core.model import Annotation
from graph_builder.core.paths import ANNOTATIONS_DIR
from graph_builder.extract.cues import find_cues
from graph_builder.extract.draft import extract_file, load_extractor
from graph_builder.extract.evaluate import CUE_GROUPS, Score, evaluate, load, score
from graph_builder.extract.pipeline import Extractor
from graph_builder.ingest.problems import AnnotationError
from graph_builder.kg.build import build_from_files
from graph_builder.lookup.corpus import CorpusEntity, corpus_entities

RESULTS_FILE = Path(__file__).resolve().parent / "extract-results.json"
#: The drafts of the leave-one-out run, kept beside the figures (they build from there: `text:` is relative).
DRAFTS_DIR = Path(__file__).resolve().parent / "extract-drafts"
CUE_TYPES = ("disclaimer", "negation", "condition", "attribution")
MEASURES = ("entities", "propositions", "propositions (hierarchy)", "polarity", "certainty", "support",
            "cues: disclaimer", "cues: negation", "cues: hedge", "cues: condition", "cues: attribution",
            *(f"cues per claim: {t}" for t in ("disclaimer", "negation", "hedge", "condition")),
            *(f"cue rules: {t}" for t in (*CUE_TYPES, "hedge")))  # fmt: skip


def _rest_of_corpus(gold_path: Path) -> list[CorpusEntity]:
    """The entities of every other curated file, as ``--store`` gives them (leave-one-out)."""
    others = [p for p in sorted(ANNOTATIONS_DIR.glob("*.yaml")) if p != gold_path]
    try:
        return corpus_entities(build_from_files(others))
    except AnnotationError:  # a broader entity only the left-out file defines: the files one by one
        entities: dict[str, CorpusEntity] = {}
        for p in others:
            with contextlib.suppress(AnnotationError):
                entities.update({e.id: e for e in corpus_entities(build_from_files([p]))})
        return list(entities.values())


def _sentence_cues(extractor: Extractor, gold: Annotation) -> dict[str, Score]:
    """The cue rules alone: every cue they find in the sentences that hold a gold claim's quote or cue,
    against the gold cues inside those sentences (same group, overlapping), whatever relations were found."""
    text = gold.source.text
    quoted = [(c.quote.start, c.quote.end) for c in gold.claims]
    quoted += [(h.span.start, h.span.end) for c in gold.claims for h in c.hedges]
    sentences = [(seg.start, seg.end) for seg in extractor.segmenter.segment(text)
                 if any(seg.start < b and a < seg.end for a, b in quoted)]  # fmt: skip
    found = {(t, a + s0, b + s0) for s0, s1 in sentences for t, a, b in find_cues(text[s0:s1])}
    gold_cues = {(h.type, h.span.start, h.span.end) for c in gold.claims for h in c.hedges
                 if any(s0 <= h.span.start < s1 for s0, s1 in sentences)}  # fmt: skip
    out = {}
    for name, members in {**{t: frozenset({t}) for t in CUE_TYPES}, **CUE_GROUPS}.items():

        def overlaps(x: Any, y: Any) -> bool:
            return bool(x[1] < y[2] and y[1] < x[2])

        out[f"cue rules: {name}"] = score(
            {c for c in found if c[0] in members}, {c for c in gold_cues if c[0] in members}, overlaps
        )
    return out


def _row(s: Score) -> dict[str, Any]:
    return {"precision": round(s.precision, 3), "recall": round(s.recall, 3), "f1": round(s.f1, 3),
            "pred": s.pred, "gold": s.gold}  # fmt: skip


def run(leave_one_out: bool = False, keep: Path | None = None) -> dict[str, Any]:
    """Draft, build and score every curated file; ``keep`` is a folder the drafts are copied to."""
    start = time.perf_counter()
    extractor = load_extractor()
    load_s = time.perf_counter() - start
    totals = {m: [0, 0, 0, 0] for m in MEASURES}
    per_file: dict[str, Any] = {}
    words = 0
    extract_s = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for gold_path in sorted(ANNOTATIONS_DIR.glob("*.yaml")):
            gold = load(gold_path)
            text_path = (gold_path.parent / f"../articles/{gold.source.id}.txt").resolve()
            out = Path(tmp) / f"{gold.source.id}.yaml"
            words += len(gold.source.text.split())
            if leave_one_out:
                extractor = load_extractor(_rest_of_corpus(gold_path))
            t = time.perf_counter()
            out = out if keep is None else keep / out.name
            out.write_text(extract_file(extractor, text_path, out, gold.source.id), encoding="utf-8")
            extract_s += time.perf_counter() - t
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                builds = medkg(["build", str(out), "--out", str(Path(tmp) / "out")]) == 0
            draft = load(out)
            text = draft.source.text
            spans = [c.quote for c in draft.claims] + [h.span for c in draft.claims for h in c.hedges]
            verbatim = all(text[s.start : s.end] == s.text for s in spans)
            scores = {**evaluate(draft, gold), **_sentence_cues(extractor, gold)}
            for m in MEASURES:
                s = scores.get(m, Score(0, 0, 0, 0))
                for i, v in enumerate((s.matched_pred, s.pred, s.matched_gold, s.gold)):
                    totals[m][i] += v
            per_file[gold.source.id] = {"builds": builds, "verbatim": verbatim, "claims": len(draft.claims),
                                        **{m: round(scores[m].f1, 3) for m in MEASURES if m in scores}}  # fmt: skip
    summed = {m: Score(*v) for m, v in totals.items()}
    return {
        "load_s": round(load_s, 2),
        "extract_s_per_1000_words": round(extract_s / words * 1000, 3),
        "words": words,
        "all_build": all(f["builds"] for f in per_file.values()),
        "all_verbatim": all(f["verbatim"] for f in per_file.values()),
        "micro": {
            m: {
                "precision": round(s.precision, 3),
                "recall": round(s.recall, 3),
                "f1": round(s.f1, 3),
                "pred": s.pred,
                "gold": s.gold,
            }
            for m, s in summed.items()
        },
        "files": per_file,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", default=str(RESULTS_FILE), help="results JSON (- for none)")
    args = parser.parse_args(argv)
    # The drafts go to a sibling folder first (same depth, so their relative `text:` paths hold) and
    # replace the kept ones only once every file is written.
    staging = DRAFTS_DIR.with_name(".extract-drafts.new") if args.out != "-" else None
    if staging is not None:
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
    result = {
        "without the corpus": run(),
        "with the rest of the corpus (leave-one-out --store)": run(True, staging),
    }
    if staging is not None:
        shutil.rmtree(DRAFTS_DIR, ignore_errors=True)
        os.replace(staging, DRAFTS_DIR)
    for name, r in result.items():
        print(f"\n{name}")
        _print(r)
    if args.out != "-":
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


def _print(result: dict[str, Any]) -> None:
    print(f"load {result['load_s']} s; extract {result['extract_s_per_1000_words']} s per 1,000 words; "
          f"all build: {result['all_build']}; all verbatim: {result['all_verbatim']}")  # fmt: skip
    print(f"{'measure':<26} precision recall    F1  pred  gold")
    for m, r in result["micro"].items():
        print(
            f"{m:<26} {r['precision']:9.2f} {r['recall']:6.2f} {r['f1']:5.2f} {r['pred']:5d} {r['gold']:5d}"
        )


if __name__ == "__main__":
    sys.exit(main())
