"""The relation cues of ``medkg extract`` and how they pair the entity mentions of one sentence.

A verbal cue ("causes", "mitigates") takes the mentions before it as subjects and after it as
objects; a passive one ("caused by") the reverse; a nominal one ("complications of herpes", "the
causes of back pain") takes the mention after "of" as one argument and the nearest other mentions as
the other. Coordinated mentions ("A, B, C and D") count as one argument, expanded to each.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_I = re.IGNORECASE

#: (relation, rule, how the arguments are read): ``forward`` subject cue object, ``reverse`` object cue
#: subject, ``of-object``/``of-subject`` a nominal cue whose "of" argument is the object/subject.
RULES: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    (rel, re.compile(rx, _I), how)
    for rel, rx, how in (
        ("has-complication", r"\bcomplications?\s+of\b", "of-subject"),
        ("causes", r"\bcauses?\s+of\b", "of-object"),
        ("symptom-of", r"\b(?:symptoms?|signs?)\s+of\b", "of-object-subject-first"),
        (
            "causes",
            r"\b(?:caused by|results? from|resulting from|comes? from|due to|stems? from)\b",
            "reverse",
        ),
        ("reduces-risk-of", r"\b(?:reduc|lower)\w*\s+(?:your\s+|the\s+)?(?:risk|chances?)\s+of\b", "forward"),
        (
            "predisposes-to",
            r"\b(?:rais|increas)\w*\s+(?:your\s+|the\s+)?risk\s+of\b|\bpredispos\w*",
            "forward",
        ),
        ("contributes-to", r"\bcontribut\w*\s+to\b|\badds?\s+to\b", "forward"),
        ("associated-with", r"\b(?:associated|linked|connected)\s+(?:with|to)\b|\brelated to\b", "forward"),
        ("has-complication", r"\bha(?:s|ve)\b[^,.;]{0,30}\bcomplications?\b", "forward"),
        ("triggers", r"\btrigger(?:s|ed|ing)?\b|\bsets?\s+off\b|\bflares?\s+up\b", "forward"),
        (
            "causes",
            r"\b(?:caus(?:e|es|ed|ing)|leads?\s+to|led\s+to|results?\s+in|gives?\s+rise\s+to|brings?\s+on)\b",
            "forward",
        ),
        (
            "exacerbates",
            r"\b(?:worsen\w*|aggravat\w*|exacerbat\w*)\b|\bmakes?\b[^,.;]{0,25}\bworse\b",
            "forward",
        ),
        (
            "alleviates",
            r"\b(?:alleviat\w*|eas(?:e|es|ed|ing)|reliev\w*|mitigat\w*|sooth\w*|calm\w*|relax\w*|help(?:s|ed)?\s+(?:in|with)|help(?:s|ed)?)\b",
            "forward",
        ),
        ("prevents", r"\bprevent(?:s|ed|ing)?\b", "forward"),
        ("strengthens", r"\b(?:strengthen\w*|boost\w*|bolster\w*)\b", "forward"),
        ("treats", r"\b(?:treats?|cures?)\b", "forward"),
    )
)
_COORDINATION = re.compile(
    r"^\s*(?:,|,?\s*(?:and|or|as well as|and/or))\s*(?:the\s+|a\s+|an\s+|other\s+)?$", _I
)
_BOUNDARY = re.compile(r"[,;:()]")
_PRONOUN_BEFORE = re.compile(r"\b(?:it|this|they|these|that)\s+(?:\w+\s+){0,3}$", _I)


@dataclass(frozen=True)
class Mention:
    """An entity mention: sentence offsets and the key of the entity it names."""

    start: int
    end: int
    key: str


@dataclass(frozen=True)
class Pair:
    """A proposition a relation cue states between two mentions, and how sure the rule is."""

    subject: Mention
    relation: str
    object: Mention
    cue: tuple[int, int]
    confidence: float
    review: str | None = None


def _group(mentions: list[Mention], at: int, step: int, text: str) -> list[Mention]:
    """The mention at index ``at`` and the ones coordinated with it, going in direction ``step``."""
    group = [mentions[at]]
    i = at
    while 0 <= i + step < len(mentions):
        a, b = (mentions[i + step], mentions[i]) if step < 0 else (mentions[i], mentions[i + step])
        if not _COORDINATION.match(text[a.end : b.start]):
            break
        i += step
        group.append(mentions[i])
    return group


def _before(mentions: list[Mention], pos: int, text: str) -> list[Mention]:
    idx = [i for i, m in enumerate(mentions) if m.end <= pos]
    return _group(mentions, idx[-1], -1, text) if idx else []


def _after(mentions: list[Mention], pos: int, text: str) -> list[Mention]:
    idx = [i for i, m in enumerate(mentions) if m.start >= pos]
    return _group(mentions, idx[0], 1, text) if idx else []


def pairs(text: str, mentions: list[Mention], antecedent: Sequence[Mention] = ()) -> list[Pair]:
    """The propositions the relation cues of ``text`` (one sentence) state between its mentions.

    ``antecedent`` stands for a pronoun ("it", "these illnesses") in subject position with no mention
    before the cue: the subjects of the previous sentence's first proposition.
    """
    taken: list[tuple[int, int]] = []
    out: list[Pair] = []
    for relation, rule, how in RULES:
        for m in rule.finditer(text):
            a, b = m.start(), m.end()
            if any(x < b and a < y for x, y in taken):
                continue
            left, right = _before(mentions, a, text), _after(mentions, b, text)
            review = None
            confidence = 0.8
            if how.startswith("of-"):
                if not right:
                    continue
                of_arg = right[:1]
                rest = _after(mentions, right[0].end, text)
                other = left or rest
                if not other:
                    continue
                if how == "of-subject":
                    subjects, objects = of_arg, other
                elif how == "of-object":
                    subjects, objects = other, of_arg
                else:  # "symptoms of X": the symptom named elsewhere is the subject
                    subjects, objects = other, of_arg
                confidence = 0.6
                review = "a nominal cue: check which side is the subject"
            else:
                # an argument across a clause boundary (a comma, a colon) belongs to another clause
                left = left if left and not _BOUNDARY.search(text[left[0].end : a]) else []
                right = right if right and not _BOUNDARY.search(text[b : right[0].start]) else []
                if not left and antecedent and _PRONOUN_BEFORE.search(text[:a]):
                    left = list(antecedent)
                    review = "the subject is a pronoun, read as the previous claim's subject"
                    confidence = 0.5
                if not left or not right:
                    continue
                subjects, objects = (left, right) if how == "forward" else (right, left)
                if (
                    review is None and a - left[0].end > 60
                ):  # (an antecedent's offsets are another sentence's)
                    confidence -= 0.2
                    review = review or "the subject is far from the relation cue"
            taken.append((a, b))
            for s in subjects:
                for o in objects:
                    if s.key != o.key:
                        out.append(Pair(s, relation, o, (a, b), confidence, review))
    return out
