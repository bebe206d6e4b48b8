"""``medkg extract --against GOLD``: only what differs between a draft and a curated file of the same text.

Claims are paired by :func:`graph_builder.extract.evaluate.pair_claims` (the rules ``medkg evaluate``
scores with). What is left is one :class:`Difference` per line: a claim only in the draft, a claim only
in the gold file, and, for a paired claim, each part that differs (subject, relation, object, polarity,
certainty, support, and each cue found in one file only), with the claim's quote.

>>> Difference("support", "a", "a", "none-stated", "disclaimed", "X may cause Y", 4).line()
'differs   a: support: draft none-stated, gold disclaimed  "X may cause Y"'
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from graph_builder.core.model import Annotation, Claim
from graph_builder.extract.evaluate import ClaimPairs, overlaps, pair_claims

#: A paired claim's fields compared one by one (certainty is derived from the cues; docs/codebook.md).
FIELDS = ("subject", "relation", "object", "polarity", "certainty", "support")
#: How long a quote may be in a line before it is cut (the JSON keeps it whole).
QUOTE_WIDTH = 90


@dataclass(frozen=True)
class Difference:
    """One difference: ``field`` is ``only in draft``, ``only in gold``, a claim field, or ``cue``.

    ``draft`` and ``gold`` are the claim ids on each side (``None`` on the side it is missing from);
    ``draft_value`` and ``gold_value`` what each side records (for a claim only in one file, its
    proposition; for a cue, ``type "text"`` on the side that has it)."""

    field: str
    draft: str | None
    gold: str | None
    draft_value: str | None
    gold_value: str | None
    quote: str
    start: int

    def line(self) -> str:
        quote = self.quote if len(self.quote) <= QUOTE_WIDTH else self.quote[: QUOTE_WIDTH - 1] + "…"
        quoted = json.dumps(quote, ensure_ascii=False)
        if self.gold is None:
            return f"draft     {self.draft}: only in the draft: {self.draft_value}  {quoted}"
        if self.draft is None:
            return f"gold      {self.gold}: only in gold: {self.gold_value}  {quoted}"
        name = self.draft if self.draft == self.gold else f"{self.draft} (gold {self.gold})"
        if self.field == "cue":
            side = "draft" if self.gold_value is None else "gold"
            return f"differs   {name}: cue only in {side}: {self.draft_value or self.gold_value}  {quoted}"
        return f"differs   {name}: {self.field}: draft {self.draft_value}, gold {self.gold_value}  {quoted}"


def _proposition(c: Claim) -> str:
    return f"{c.subject} {c.relation} {c.object}"


def _cue(type_: str, text: str) -> str:
    return f"{type_} {json.dumps(text, ensure_ascii=False)}"


def _entity_note(draft_id: str, gold_id: str, pairs: ClaimPairs) -> str:
    mapped = pairs.ids.get(draft_id, draft_id)
    if mapped == gold_id:
        return f"{gold_id} (the same entity by grounding or name)"
    if pairs.related(mapped, gold_id):
        return f"{gold_id} (one is broader than the other)"
    return gold_id


def _pair_differences(p: Claim, g: Claim, pairs: ClaimPairs) -> list[Difference]:
    out = []
    for field in FIELDS:
        mine, theirs = getattr(p, field), getattr(g, field)
        if mine == theirs:
            continue
        if field in ("subject", "object"):
            theirs = _entity_note(mine, theirs, pairs)
        out.append(Difference(field, p.id, g.id, mine, theirs, p.quote.text, p.quote.start))
    p_cues = [(h.type, h.span.start, h.span.end, h.span.text) for h in p.hedges]
    g_cues = [(h.type, h.span.start, h.span.end, h.span.text) for h in g.hedges]
    for t, a, b, text in p_cues:
        if not any(overlaps((t, a, b), x[:3]) for x in g_cues):
            out.append(Difference("cue", p.id, g.id, _cue(t, text), None, p.quote.text, p.quote.start))
    for t, a, b, text in g_cues:
        if not any(overlaps((t, a, b), x[:3]) for x in p_cues):
            out.append(Difference("cue", p.id, g.id, None, _cue(t, text), p.quote.text, p.quote.start))
    return out


def diff_annotations(draft: Annotation, gold: Annotation) -> list[Difference]:
    """Every difference of ``draft`` from ``gold`` (two annotations of the same text), in text order."""
    pairs = pair_claims(draft, gold)
    out = [Difference("only in draft", c.id, None, _proposition(c), None, c.quote.text, c.quote.start)
           for c in pairs.pred_only]  # fmt: skip
    out += [Difference("only in gold", None, c.id, None, _proposition(c), c.quote.text, c.quote.start)
            for c in pairs.gold_only]  # fmt: skip
    for p, g in pairs.matched:
        out += _pair_differences(p, g, pairs)
    # stable: within one place in the text, the order above (unmatched first, then the fields in order)
    return sorted(out, key=lambda d: d.start)


def format_lines(differences: Sequence[Difference]) -> str:
    """One line per difference, and nothing when there is none."""
    return "".join(d.line() + "\n" for d in differences)


def to_json(differences: Sequence[Difference]) -> str:
    return json.dumps({"differences": [asdict(d) for d in differences]}, ensure_ascii=False, indent=2) + "\n"
