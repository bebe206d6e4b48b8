"""``medkg evaluate``: how far a drafted annotation file (``medkg extract``) agrees with a curated one.

Precision, recall and F1 for entities, propositions, polarity, certainty, support and cue spans.

A predicted entity is the gold entity with the same id, else the one sharing a grounding (vocabulary and
id), else the one whose label or a synonym has the same normal form (:func:`~graph_builder.lookup.index.normalize`).
Propositions are (subject, relation, object) after that mapping; "up to the hierarchy" also lets a
subject or object be a broader or narrower entity of the gold one (the gold file's ``broader`` links).
Polarity, certainty and support are scored as (proposition, value) pairs, so a missed proposition
costs their recall too. Cues are (type, span) pairs over the source text; a predicted cue counts when it
overlaps a gold cue of the same type. "Cues per claim" counts them on the claim pairs of :func:`pair_claims`
only, each cue against the cues of its own pair's claim: a cue a draft puts on another claim of the sentence
than the curator did scores there, where the text-wide measure counts it once for the whole text.

:func:`pair_claims` pairs the claims themselves by the same rules, for ``medkg extract --against``'s list
of differences (:mod:`graph_builder.extract.diff`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph_builder.core.model import Annotation, Claim, Entity
from graph_builder.ingest.annotations import read_annotation
from graph_builder.ingest.problems import AnnotationError
from graph_builder.lookup.index import normalize

#: Cue groups the targets are stated for, beside each cue type alone.
CUE_GROUPS: dict[str, frozenset[str]] = {"hedge": frozenset({"speculation", "likelihood"})}


@dataclass(frozen=True)
class Score:
    """Counts of one measure: true positives among predictions and among gold items, and both totals."""

    matched_pred: int
    pred: int
    matched_gold: int
    gold: int

    @property
    def precision(self) -> float:
        return self.matched_pred / self.pred if self.pred else 1.0

    @property
    def recall(self) -> float:
        return self.matched_gold / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(
    pred: Iterable[object], gold: Iterable[object], same: Callable[[Any, Any], bool] | None = None
) -> Score:
    """Score two collections; without ``same``, as sets of equal items."""
    p, g = list(dict.fromkeys(pred)), list(dict.fromkeys(gold))
    if same is None:
        gs, ps = set(g), set(p)
        return Score(len(ps & gs), len(ps), len(gs & ps), len(gs))
    return Score(
        sum(any(same(x, y) for y in g) for x in p), len(p), sum(any(same(x, y) for x in p) for y in g), len(g)
    )


def load(path: Path) -> Annotation:
    """One annotation file, checked alone; raises :class:`AnnotationError` listing its problems."""
    annotation, problems = read_annotation(path)
    if problems or annotation is None:
        raise AnnotationError(problems)
    return annotation


def _names(e: Entity) -> set[str]:
    return {normalize(n) for n in (e.label, *e.synonyms)}


def entity_map(pred: Annotation, gold: Annotation) -> dict[str, str]:
    """Each predicted entity id → the gold entity id it is (by id, then grounding, then name), or itself."""
    by_grounding: dict[tuple[str, str], list[str]] = {}
    for g_entity in gold.entities.values():
        for g in g_entity.groundings:
            by_grounding.setdefault((g.vocabulary, g.id), []).append(g_entity.id)
    by_name = {n: e.id for e in gold.entities.values() for n in _names(e)}
    out = {}
    for e in pred.entities.values():
        if e.id in gold.entities:
            out[e.id] = e.id
            continue
        grounded = [i for g in e.groundings for i in by_grounding.get((g.vocabulary, g.id), [])]
        named = [by_name[n] for n in sorted(_names(e)) if n in by_name]
        # several gold entities share a term (two kinds of inflammation): the one of the same name wins
        out[e.id] = ([i for i in grounded if i in named] or grounded or named or [e.id])[0]
    return out


def _related(gold: Annotation) -> Callable[[str, str], bool]:
    """Whether two entity ids are the same or one is broader than the other (transitively)."""
    up: dict[str, set[str]] = {}

    def ancestors(eid: str) -> set[str]:
        if eid not in up:
            up[eid] = set()
            entity = gold.entities.get(eid)
            for b in entity.broader if entity else ():
                up[eid] |= {b, *ancestors(b)}
        return up[eid]

    return lambda a, b: a == b or a in ancestors(b) or b in ancestors(a)


Triple = tuple[str, str, str]


def proposition(claim: Claim, ids: Mapping[str, str] | None = None) -> Triple:
    """A claim's (subject, relation, object), its entities mapped by ``ids`` (:func:`entity_map`) if given."""
    if ids is None:
        return (claim.subject, claim.relation, claim.object)
    return (ids[claim.subject], claim.relation, ids[claim.object])


def overlaps(x: Any, y: Any) -> bool:
    """Whether two ``(type, start, end)`` cues are of the same type and overlap in the text."""
    (t1, a1, b1), (t2, a2, b2) = x, y
    return bool(t1 == t2 and a1 < b2 and a2 < b1)


@dataclass(frozen=True)
class ClaimPairs:
    """The claims of a draft and a gold file paired: ``matched`` as (pred, gold), and those left over.

    ``ids`` maps each predicted entity id to the gold one it is (:func:`entity_map`); ``related`` says
    whether two gold entity ids are the same or one is broader than the other."""

    matched: tuple[tuple[Claim, Claim], ...]
    pred_only: tuple[Claim, ...]
    gold_only: tuple[Claim, ...]
    ids: Mapping[str, str]
    related: Callable[[str, str], bool]


def pair_claims(pred: Annotation, gold: Annotation) -> ClaimPairs:
    """Pair each gold claim with at most one predicted claim, in two rounds.

    First the same proposition (subject, relation, object after :func:`entity_map`), as the
    ``propositions`` score counts it; then, among those left, claims whose quotes overlap in the text
    and agree on two of the three parts (an entity up to the hierarchy), so that one wrong part shows as
    a difference of a matched claim rather than as two unmatched ones. Within a round the candidate whose
    quote overlaps most wins, then the first in the file.
    """
    ids = entity_map(pred, gold)
    related = _related(gold)

    def triple(c: Claim, mapped: bool) -> Triple:
        return proposition(c, ids if mapped else None)

    def overlap(p: Claim, g: Claim) -> int:
        return max(0, min(p.quote.end, g.quote.end) - max(p.quote.start, g.quote.start))

    def close(p: Claim, g: Claim) -> bool:
        (s1, r1, o1), (s2, r2, o2) = triple(p, True), triple(g, False)
        return overlap(p, g) > 0 and related(s1, s2) + (r1 == r2) + related(o1, o2) >= 2

    rounds: tuple[Callable[[Claim, Claim], bool], ...] = (
        lambda p, g: triple(p, True) == triple(g, False),
        close,
    )
    left = list(pred.claims)
    matched: list[tuple[Claim, Claim]] = []
    unmatched_gold = list(gold.claims)
    for same in rounds:
        still: list[Claim] = []
        for g in unmatched_gold:
            candidates = [p for p in left if same(p, g)]
            if not candidates:
                still.append(g)
                continue
            best = max(candidates, key=lambda p: (overlap(p, g), -left.index(p)))
            left.remove(best)
            matched.append((best, g))
        unmatched_gold = still
    order = {c.id: i for i, c in enumerate(gold.claims)}
    matched.sort(key=lambda pair: order[pair[1].id])
    return ClaimPairs(tuple(matched), tuple(left), tuple(unmatched_gold), ids, related)


def _used(a: Annotation) -> set[str]:
    return {e for c in a.claims for e in (c.subject, c.object)}


def _cues(a: Annotation) -> set[tuple[str, int, int]]:
    return {(h.type, h.span.start, h.span.end) for c in a.claims for h in c.hedges}


def evaluate(pred: Annotation, gold: Annotation) -> dict[str, Score]:
    """Every measure, by name, of ``pred`` against ``gold`` (two annotations of the same text)."""
    ids = entity_map(pred, gold)
    p_claims = [(proposition(c, ids), c) for c in pred.claims]
    g_claims = [(proposition(c), c) for c in gold.claims]
    related = _related(gold)

    def up_to_hierarchy(x: Any, y: Any) -> bool:
        (s1, r1, o1), (s2, r2, o2) = x, y
        return bool(r1 == r2 and related(s1, s2) and related(o1, o2))

    out = {
        "entities": score({ids[e] for e in _used(pred)}, _used(gold)),
        "propositions": score((t for t, _ in p_claims), (t for t, _ in g_claims)),
        "propositions (hierarchy)": score(
            (t for t, _ in p_claims), (t for t, _ in g_claims), up_to_hierarchy
        ),
    }
    for field in ("polarity", "certainty", "support"):
        out[field] = score(
            ((t, getattr(c, field)) for t, c in p_claims), ((t, getattr(c, field)) for t, c in g_claims)
        )
    p_cues, g_cues = _cues(pred), _cues(gold)

    types = sorted({t for t, _, _ in p_cues | g_cues})
    groups: Mapping[str, frozenset[str]] = {**{t: frozenset({t}) for t in types}, **CUE_GROUPS}
    for name, members in groups.items():
        # within a group the types count as one: which hedge it is shows in certainty's score
        out[f"cues: {name}"] = score(
            {(name, a, b) for t, a, b in p_cues if t in members},
            {(name, a, b) for t, a, b in g_cues if t in members},
            overlaps,
        )
    matched = pair_claims(pred, gold).matched
    for name, members in groups.items():
        out[f"cues per claim: {name}"] = score(
            {(i, name, h.span.start, h.span.end) for i, (p, _) in enumerate(matched) for h in p.hedges
             if h.type in members},
            {(i, name, h.span.start, h.span.end) for i, (_, g) in enumerate(matched) for h in g.hedges
             if h.type in members},
            lambda x, y: x[0] == y[0] and overlaps(x[1:], y[1:]),
        )  # fmt: skip
    return out


def format_table(scores: Mapping[str, Score]) -> str:
    width = max(len(k) for k in scores)
    lines = [f"{'measure':<{width}}  precision  recall     F1   pred   gold"]
    for name, s in scores.items():
        lines.append(
            f"{name:<{width}}  {s.precision:9.2f}  {s.recall:6.2f}  {s.f1:5.2f}  {s.pred:5d}  {s.gold:5d}"
        )
    return "\n".join(lines) + "\n"


def to_json(scores: Mapping[str, Score]) -> str:
    rows = {
        name: {"precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4),
               "pred": s.pred, "gold": s.gold, "matched_pred": s.matched_pred, "matched_gold": s.matched_gold}
        for name, s in scores.items()
    }  # fmt: skip
    return json.dumps(rows, indent=2, sort_keys=False) + "\n"
