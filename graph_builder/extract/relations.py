"""The relation cues of ``medkg extract`` and how they pair the entity mentions of one sentence.

A verbal cue ("causes", "mitigates") takes the mentions before it as subjects and after it as
objects; a passive one ("caused by") the reverse; a nominal one ("complications of herpes", "the
causes of back pain") takes the mention after "of" as one argument and the nearest other mentions as
the other. Coordinated mentions ("A, B, C and D") count as one argument, expanded to each.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from graph_builder.core.paths import RELATION_CUES_FILE
from graph_builder.extract.phrases import (
    FREQUENCY_MODIFIERS,
    LIGHT_GERUNDS,
    PREPOSITIONS,
    REDUCED_RELATIVE,
    noun_like,
)

_I = re.IGNORECASE

#: How a cue's arguments are read (``relation-cues.tsv``'s header says what each means).
READINGS = ("forward", "reverse", "of-subject", "of-object", "of-object-subject-first")
#: (relation, rule, how the arguments are read), in the order they are tried, from
#: ``extract/relation-cues.tsv`` (its header says what each reading means): a data file, so that the
#: cues of many relations are not written in code next to each other (a group's members are the
#: ontology's to name, tests/kg/test_relation_groups.py).
RULES: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    (relation, re.compile(pattern, _I), reading)
    for relation, reading, pattern in (
        line.split("\t")
        for line in RELATION_CUES_FILE.read_text(encoding="utf-8").splitlines()[1:]
        if line and not line.startswith("#")
    )
    if relation != "relation"  # the header row
)
_COORDINATION = re.compile(
    r"^\s*(?:,|,?\s*(?:and|or|as well as|and/or))\s*(?:(?:of|from|to)\s+(?:\w+ing\s+)?)?(?:the\s+|a\s+|an\s+|other\s+)?$",
    _I,
)
_BOUNDARY = re.compile(r"[,;:()]")
#: Between a verb's object and a coordinated verb: "loosen stiff muscles and ease back pain".
_COORDINATED_VERB = re.compile(r"^\s*,?\s*(?:and|or|but)\s+(?:also\s+|then\s+|can\s+|may\s+|will\s+)?$", _I)
#: A renaming apposition before a mention, and the copula after it that resumes the main clause.
_APPOSITION = re.compile(r",\s*(?:also\s+)?(?:called|known\s+as|or)\s+$", _I)
_COPULA = re.compile(r"^\s*,\s*(?:is|are|was|were)\b\s*$", _I)
#: A relative clause between a subject and its verb: "the vaccine, which they say lowers the risk of".
_RELATIVE = re.compile(r"^\s*,\s*(?:which|who)\b[^,;:()]*$", _I)
#: A relative clause opening before a cue, with no boundary until it: ", which also eases …".
_WHICH_CLAUSE = re.compile(r",\s*which\b[^,;:()]*$", _I)
#: What may come before a sentence's first mention when it is the main clause's subject: a determiner, and
#: a frequency modifier ("Regular walking", "Daily antivirals": the name, taken regularly).
_OPENING = re.compile(
    rf"[\W\d]*(?:(?:the|a|an|your|some)\s+)?(?:(?:{'|'.join(sorted(FREQUENCY_MODIFIERS))})\s+)?", _I
)
#: "by" and a gerund after a verb's object, up to the means: "by applying a …", "by walking".
_BY_MEANS = re.compile(
    rf"\s*,?\s*by\s+(?:(?:{'|'.join(sorted(LIGHT_GERUNDS))})\s+(?:(?:a|an|the|your|some|more)\s+)?)?", _I
)
#: A preposition (and a determiner) right before a mention: the mention is a prepositional object.
_AFTER_PREPOSITION = re.compile(
    rf"\b(?:{'|'.join(sorted(PREPOSITIONS))})\s+(?:(?:the|a|an|your|their|its|his|her|our|my|this|these)\s+)?$",
    _I,
)
_BY = re.compile(r"\bby\b", _I)
#: A time expression ("at the first sign of the rash", "at the onset of symptoms"): what it names is
#: when, not an argument, and its "sign of" is no symptom-of cue.
_TIME_EXPRESSION = re.compile(
    r"\b(?:at|from|with)\s+the\s+(?:(?:very\s+)?(?:first|earliest)\s+(?:signs?|symptoms?|hint)|onset|start)\s+of\s+"
    r"(?:the\s+|an?\s+|your\s+)?",
    _I,
)
#: An anaphoric means opening the clause before a cue, with no subject but a person's: "That way, you can
#: prevent X", "By doing so, we may lower the risk of Y", "Doing this eases Z" — what the sentence before
#: advises doing is the subject.
MANNER_ANAPHOR = re.compile(
    r"^\W*(?P<anaphor>(?:in\s+)?(?:this|that)\s+way|(?:(?:by|in)\s+)?doing\s+(?:so|this|that))\b\s*,?\s*"
    r"(?:(?:you|we|they|one|people|patients)\s+)?(?:\w+\s+){0,2}$",
    _I,
)
_PRONOUN_BEFORE = re.compile(r"\b(?P<pronoun>it|this|they|these|that)\s+(?:\w+\s+){0,3}$", _I)
#: A fronted adverbial clause with no subject of its own, up to the cue: "Aside from easing the pain, it …".
_FRONTED = re.compile(
    r"^\W*(?:aside\s+from|apart\s+from|besides|in\s+addition\s+to|as\s+well\s+as|after|before|once|when|"
    r"while|by)\s+[^,;:()]*$",
    _I,
)
#: The subject of the main clause after a fronted clause: a pronoun, or a mention (after a determiner).
_MAIN_SUBJECT = re.compile(r"[^,;:]*,\s*(?:(?P<pronoun>it|they)\b|(?:the|a|an|your|this)?\s*)", _I)


def _reduced_participle(text: str, after: int, cue: int) -> bool:
    """Whether the cue at ``cue`` is a past participle ("associated with", "linked to") right after a noun
    that no mention before it (ending at ``after``) covers: a reduced relative clause on that noun ("the
    symptoms associated with X"), which is the participle's subject, not the mention further back."""
    words = text[after:cue].split()
    return bool(re.match(r"\w+ed\b", text[cue:])) and bool(words) and noun_like(words[-1])


def cue_span(match: re.Match[str]) -> tuple[int, int]:
    """A relation cue's own words: its ``cue`` group if the rule names one (the rest is context), else the match."""
    return match.span("cue") if "cue" in match.re.groupindex else match.span()


def cue_spans(sentence: str) -> list[tuple[int, int]]:
    """The words of every relation cue in ``sentence`` (no entity is named inside one)."""
    return [cue_span(m) for _, rule, _ in RULES for m in rule.finditer(sentence)]


@dataclass(frozen=True)
class Mention:
    """An entity mention: sentence offsets and the key of the entity it names."""

    start: int
    end: int
    key: str


#: Resolves the pronoun (or the anaphoric means, :data:`MANNER_ANAPHOR`) at sentence offsets, for a
#: relation: the mentions it stands for.
Resolver = Callable[[int, int, str], list[Mention]]


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
    links = []
    i = at
    while 0 <= i + step < len(mentions):
        a, b = (mentions[i + step], mentions[i]) if step < 0 else (mentions[i], mentions[i + step])
        if (a.start, a.end) != (b.start, b.end):  # the same words standing for several ("these methods")
            if not _COORDINATION.match(text[a.end : b.start]):
                break
            links.append(text[a.end : b.start])
        i += step
        group.append(mentions[i])
    closing = links[0 if step < 0 else -1] if links else ""
    if links and not re.search(r"\b(?:and|or|as well as)\b", closing, _I):
        return group[:1]  # "postherpetic neuralgia, nerve pain that …": an apposition, not a list
    return group


def _before(mentions: list[Mention], pos: int, text: str) -> list[Mention]:
    idx = [i for i, m in enumerate(mentions) if m.end <= pos]
    return _group(mentions, idx[-1], -1, text) if idx else []


def _after(mentions: list[Mention], pos: int, text: str) -> list[Mention]:
    idx = [i for i, m in enumerate(mentions) if m.start >= pos]
    return _group(mentions, idx[0], 1, text) if idx else []


def _means(mentions: list[Mention], objects: list[Mention], text: str) -> Mention | None:
    """The mention a "by" right after a verb's objects names as the means ("relieve X by applying Y")."""
    if not objects:
        return None
    by = _BY_MEANS.match(text, objects[-1].end)
    return next((m for m in mentions if by and m.start == by.end()), None)


def _main_subject(mentions: list[Mention], text: str, cue: int) -> tuple[list[Mention], str | None, float]:
    """The subject of a cue inside ", which …" when "which" stands for the whole clause before it (no
    mention right before the comma, or a prepositional object): the mentions the sentence opens with.
    "Regular yoga helps in stretching your legs, which also eases back pain": yoga."""
    which = _WHICH_CLAUSE.search(text, 0, cue)
    if not which or not mentions or not _OPENING.fullmatch(text[: mentions[0].start]):
        return [], None, 0.8
    named = [m for m in mentions if m.end <= which.start() and not text[m.end : which.start()].strip()]
    if named and not _AFTER_PREPOSITION.search(text[: named[-1].start]):
        return [], None, 0.8  # "X, which eases Y": the relative clause's own subject is X (read elsewhere)
    subjects = _group(mentions, 0, 1, text)
    if any(m.end > which.start() for m in subjects):
        return [], None, 0.8
    return subjects, '"which" read as the whole clause before it: the subject is that clause\'s', 0.5


def _fronted_subject(
    text: str, mentions: list[Mention], cue: tuple[int, int], relation: str, resolve: Resolver | None
) -> list[Mention]:
    """The subject of a cue inside a fronted clause with none of its own: the main clause's, after the
    comma ("Aside from easing the pain, it relaxes …"; "Once reactivated, the virus causes …")."""
    if not _FRONTED.match(text[: cue[0]]):
        return []
    main = _MAIN_SUBJECT.match(text, cue[1])
    if not main:
        return []
    if main.group("pronoun"):
        return resolve(main.start("pronoun"), main.end("pronoun"), relation) if resolve else []
    return _after(mentions, main.end(), text) if any(m.start == main.end() for m in mentions) else []


def pairs(
    text: str, mentions: list[Mention], antecedent: Sequence[Mention] = (), resolve: Resolver | None = None
) -> list[Pair]:
    """The propositions the relation cues of ``text`` (one sentence) state between its mentions.

    ``antecedent`` stands for a pronoun ("it", "these illnesses") in subject position with no mention
    before the cue: the subjects of the previous sentence's first proposition. ``resolve``, if given, says
    what "it" at given offsets stands for as the subject of a relation (it wins over ``antecedent``).
    """
    times = [m.span() for m in _TIME_EXPRESSION.finditer(text)]
    taken: list[tuple[int, int]] = list(times)  # no cue inside a time expression
    for a, b in times:  # nor an argument: the words after "of" name when
        mentions = [m for m in mentions if not a <= m.start <= b]
    out: list[Pair] = []
    pending: list[tuple[str, str, list[Mention], tuple[int, int]]] = []
    cues = cue_spans(
        text
    )  # a verb's object lies before the next cue ("bolster X but also reduce the risk of Y")
    for relation, rule, how in RULES:
        for m in rule.finditer(text):
            a, b = cue_span(m)
            if any(x < b and a < y for x, y in taken):
                continue
            left, right = _before(mentions, a, text), _after(mentions, b, text)
            if left and _reduced_participle(text, left[-1].end, a):
                left = []  # "the symptoms associated with X": the participle's subject is "the symptoms"
            if not how.startswith("of-") and (reduced := REDUCED_RELATIVE.search(text, 0, a)):
                left = _before(mentions, reduced.start(), text)  # "X applied to the skin eases Y": not "skin"
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
                between = text[left[0].end : a] if left else ""
                if left and _COORDINATED_VERB.match(between) and not _means(mentions, right, text):
                    pending.append((relation, how, right, (a, b)))  # "loosens X and eases Y": the subject
                    taken.append((a, b))  # is the one of the verb before, settled below
                    continue
                if left and _APPOSITION.search(text[: left[0].start]) and _COPULA.match(between):
                    pass  # "Shingles, also called herpes zoster, is caused by": the subject renamed
                elif left and _RELATIVE.match(between) and _AFTER_PREPOSITION.search(text[: left[0].start]):
                    # "brings blood to the muscles, which loosens them": "which" may be the whole clause
                    left, review, confidence = _main_subject(mentions, text, a)
                elif left and _RELATIVE.match(between):
                    review = 'the subject is read through a relative clause ("X, which …")'
                    confidence = 0.6
                elif _BOUNDARY.search(between):
                    left, review, confidence = _main_subject(mentions, text, a)
                if right and (
                    _BOUNDARY.search(text[b : right[0].start])
                    or _BY.search(text[b : right[0].start])
                    or any(b <= x and y <= right[0].start for x, y in cues)
                ):
                    right = []  # "relaxes the muscles by loosening X": X is no object of the verb
                means = _means(mentions, right, text)
                if means and (not left or _BOUNDARY.search(between) or _COORDINATED_VERB.match(between)):
                    left = [means]  # "ease pain by applying heat": the means is the subject
                    review = 'the subject is the means the sentence names ("by …")'
                    confidence = 0.5
                elif not left and resolve and (manner := MANNER_ANAPHOR.match(text[:a])):
                    left = resolve(*manner.span("anaphor"), relation)
                    review = f'the subject is what "{manner.group("anaphor")}" points back to: check it'
                    confidence = 0.5
                elif not left and (pronoun := _PRONOUN_BEFORE.search(text[:a])):
                    word = pronoun.group("pronoun")
                    if resolve and word.casefold() == "it":
                        left = resolve(pronoun.start(), pronoun.start() + len(word), relation)
                        review = f'the subject is a pronoun ("{word}"): check what it stands for'
                    if not left and antecedent:
                        left = list(antecedent)
                        review = "the subject is a pronoun, read as the previous claim's subject"
                    confidence = 0.5
                elif not left and (fronted := _fronted_subject(text, mentions, (a, b), relation, resolve)):
                    left = fronted
                    review = "the subject is the main clause's, after a fronted clause"
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
    for relation, how, right, cue in pending:
        earlier = [p for p in out if p.cue[1] <= cue[0] and not p.review]
        if not right or not earlier or how != "forward":
            continue
        last = max(p.cue for p in earlier)
        for s in dict.fromkeys(p.subject for p in earlier if p.cue == last):
            for o in right:
                if s.key != o.key:
                    review = "the subject is the one of the coordinated verb before"
                    out.append(Pair(s, relation, o, cue, 0.6, review))
    return out
