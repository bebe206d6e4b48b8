"""The draft annotation file ``medkg extract`` writes: the normal format (docs/annotation-format.md),
``agent: text_mining_agent``, with a ``# confidence:`` and ``# review:`` comments per claim.

Strings are written as JSON strings, which YAML reads as double-quoted scalars: any text is safe.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from graph_builder.extract.pipeline import Draft, Extractor
from graph_builder.lookup.corpus import CorpusEntity
from graph_builder.lookup.search import slug


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def draft_yaml(draft: Draft, source_id: str, title: str, text_path: str) -> str:
    """The annotation file of ``draft`` for the text at ``text_path`` (relative to the file)."""
    out = [
        "# Drafted by `medkg extract` (rules over a dictionary; no model): every claim needs a curator's check.",
        "medkg: 2",
        "source:",
        f"  id: {source_id}",
        f"  title: {_q(title)}",
        f"  text: {_q(text_path)}",
        f"  description: {_q('Drafted by medkg extract from the text file; not yet reviewed.')}",
        "curation:",
        "  agent: text_mining_agent",
    ]
    if draft.agents:
        out.append("agents:")
        for aid, (name, kind) in sorted(draft.agents.items()):
            out.append(f"  {aid}: {{name: {_q(name)}, type: {kind}}}")
    used = {e for c in draft.claims for e in (c.subject, c.object)}
    out.append("entities:" if used else "entities: {}")
    for eid in sorted(used):
        e = draft.entities[eid]
        if e.review:
            out.append(f"  # review: {e.review}")
        out += [f"  {eid}:", f"    label: {_q(e.label)}", f"    type: {e.type}"]
        if e.synonyms:
            out.append(f"    synonyms: [{', '.join(_q(s) for s in e.synonyms)}]")
        if e.groundings:
            out.append("    groundings:")
            for vocabulary, gid, label, match in e.groundings:
                out.append(
                    f"      - {{vocabulary: {vocabulary}, id: {_q(gid)}, label: {_q(label)}, match: {match}}}"
                )
    out.append("claims:" if draft.claims else "claims: []")
    for c in draft.claims:
        out.append(f"  # confidence: {c.confidence:.2f}")
        out += [f"  # review: {r}" for r in c.reviews]
        out += [f"  - id: {c.id}", f"    subject: {c.subject}", f"    relation: {c.relation}",
                f"    object: {c.object}", f"    quote: {_q(c.quote)}"]  # fmt: skip
        if c.occurrence:
            out.append(f"    occurrence: {c.occurrence}")
        if c.cues:
            out.append("    hedges:")
            out += [f"      - {{text: {_q(words)}, type: {kind}}}" for words, kind in c.cues]
        out.append(f"    polarity: {c.polarity}")
        out.append(f"    support: {c.support}")
        if c.attributed_to:
            out.append(f"    attributed_to: {c.attributed_to}")
        out.append(
            f"    rationale: {_q('Drafted from the cues: ' + (', '.join(k for _, k in c.cues) or 'none') + '.')}"
        )
    return "\n".join(out) + "\n"


def relative_text_path(text: Path, out: Path) -> str:
    """The text file's path as the draft at ``out`` names it."""
    return Path(os.path.relpath(text.resolve(), out.resolve().parent)).as_posix()


def load_extractor(corpus: Sequence[CorpusEntity] = ()) -> Extractor:
    """The pipeline over every vocabulary name (cached on disk by ``medkg lookup``) and ``corpus``'s entities."""
    from graph_builder.lookup.cache import load_names

    return Extractor(*load_names(), corpus=corpus)


def extract_file(extractor: Extractor, text: Path, out: Path | None, source_id: str | None = None) -> str:
    """The draft of one text file, as written to ``out`` (or, without it, as it would be beside ``text``)."""
    from graph_builder.ingest.reader import ReadRefused, read_text

    try:
        body = read_text(text, "an article")
    except ReadRefused as err:
        raise ValueError(f"{text}: expected {err.expected}; found {err.found}") from None
    sid = source_id or slug(text.stem)
    title = next((line.strip() for line in body.splitlines() if line.strip()), sid)
    where = out if out is not None else text.with_suffix(".yaml")
    draft = extractor.extract(body)
    if not draft.claims:
        # An annotation file holds at least one claim (the format's rule): no draft rather than one
        # that `medkg build` refuses.
        raise ValueError(
            f"{text}: expected at least one claim to draft; found none (no relation cue between two "
            "recognised entities in any sentence): nothing was written"
        )
    return draft_yaml(draft, sid, title, relative_text_path(text, where))
