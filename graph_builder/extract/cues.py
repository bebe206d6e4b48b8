"""The cue rules of ``medkg extract``: hedges, negations, conditions, disclaimers, attributions and
citation markers found in a sentence, after ConText's idea of a trigger and the scope it reaches.

medkg's own rules rather than medspacy's defaults, which miss "possibly" and let an "is not" inside a
subordinate clause negate the main claim (docs/codebook.md, Polarity). Each rule is a regular
expression over the sentence, case-insensitive; a cue is ``(type, start, end)`` in sentence offsets.

>>> s = "While this is not supported by research, it can possibly cause pain."
>>> [(t, s[a:b]) for t, a, b in find_cues(s)]
[('disclaimer', 'this is not supported by research'), ('speculation', 'can possibly cause')]
>>> s = "Pain appears when the infection is not treated well."
>>> [(t, s[a:b]) for t, a, b in find_cues(s)]
[('condition', 'when the infection is not treated well')]
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_I = re.IGNORECASE
_SUPPORTED = r"(?:supported|backed(?: up)?|proven|confirmed|established|substantiated)"
#: A disclaimer: the source says support is missing (the whole clause is the cue).
DISCLAIMER = re.compile(
    r"\b(?:(?:this|that|it|these|the claim|the link)\s+)?(?:is|are|has|have|was)\s+(?:not|never)\s+(?:been\s+)?"
    + _SUPPORTED
    + r"(?:\s+(?:by|with|in)\s+[^,.;:]*)?"
    r"|\b(?:there is|there's|with)\s+(?:little|no)\s+(?:good\s+|scientific\s+|medical\s+)?(?:evidence|research|proof)\s+(?:to support|that supports|for)[^,.;:]*"
    r"|\b(?:medical\s+)?science is still out[^,.;:]*|\bthe jury is still out[^,.;:]*"
    r"|\b(?:research|science|studies|evidence)\s+(?:does|do|did)\s*(?:not|n't)\s+(?:support|back)[^,.;:]*"
    r"|\bno\s+(?:good\s+|scientific\s+|medical\s+)?(?:research|studies|study|evidence|trials?)\s+(?:shows?|has shown|have shown|supports?|suggests?|proves?)\b[^,.;:]*"
    r"|\bnot\s+"
    + _SUPPORTED
    + r"\s+by\s+(?:any\s+)?(?:medical\s+|scientific\s+)?(?:research|studies|evidence|science)\w*",
    _I,
)
#: A condition: the subordinate clause from its subordinator to the next comma or the sentence end.
CONDITION = re.compile(
    r"\b(?:if|once|unless|as long as|provided that|when(?!\s+(?:you|they|people|patients)\s+(?:are|were)\s+diagnosed))\s+[^,.;:?!]+"
    r"|\bshould\s+\w+\s+(?:is|are|be)\b[^,.;:?!]*",
    _I,
)
SPECULATION = re.compile(
    r"\b(?:can|could|may|might)\b(?:\s+(?:possibly|potentially|also|sometimes|even))?(?:\s+(?:not\s+)?(?:happen|help|become|cause|lead|prevent|trigger|occur|be|make|ease|reduce|develop)\b)?"
    r"|\b(?:possibly|perhaps|potentially|sometimes|occasionally|rarely|in some cases|it is possible|is thought to|suggests?)\b",
    _I,
)
#: "most often", "most commonly": a superlative frequency picks the object out among others ("most often
#: caused by X": X is the usual cause), a frequency qualifier only, no hedge (docs/codebook.md, Certainty).
LIKELIHOOD = re.compile(
    r"\b(?:most\s+)?likely\b|(?<!\bmost\s)\b(?:probably|usually|often|generally|typically|commonly|tends? to)\b"
    r"|\bin most cases\b",
    _I,
)
NEGATION = re.compile(
    r"\b(?:does|do|did|is|are|was|were|has|have|will|can)\s*(?:not|n['’]t)\b(?!\s+only)"
    # "is not a lasting problem" classifies, it denies no link; "is not a cause of" does
    r"(?!\s+(?:an?|the)\s+(?!(?:\w+\s+){0,2}(?:cause|sign|symptom|complication|risk|trigger|result|treatment|cure|link)s?\b))"
    r"|\b(?:never|unrelated|no evidence that|no link between|not linked to|not a cause of)\b",
    _I,
)
ATTRIBUTION = re.compile(
    r"\baccording to\s+(?:the\s+)?[A-Z][\w.&-]*(?:\s+(?:of\s+)?[A-Z][\w.&-]*)*"
    r"|\b(?:Dr\.?|Doctor|Professor)\s+[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?\s+(?:says|said|explains|notes|adds)"
    r"|(?i:\b(?:(?:some|many|most|plenty of|the)\s+)?(?:(?!which\b|that\b)[\w-]+\s+){0,2}?"
    r"(?:experts|doctors|physicians|therapists|agencies|organi[sz]ations|researchers|scientists|studies|research|people|they)"
    r"(?:\s+who\s+[^,.;]*?)?\s+(?:\w+ly\s+)?(?:say|says|said|suggest|suggests|show|shows|found|find|recommend|advise|believe|swear|claim)\b)",
    re.UNICODE,
)
#: Citation markers: a numbered reference, a dated study, an author-year citation (support, not a cue type).
CITATION = re.compile(
    r"\[\d+(?:[,–-]\s*\d+)*\]|\ba\s+(?:19|20)\d\d\s+(?:study|trial|review|meta-analysis|survey)\b|\(\w+ et al\.?,? \d{4}\)",
    _I,
)
#: A relative clause open before a cue: from "whereby", "who" or "which" to the cue with no clause
#: boundary between (a negation there is the relative clause's, not the claim's).
_RELATIVE_CLAUSE = re.compile(r"\b(?:whereby|who|whom|which)\b[^,;:.]*$", _I)
#: Where a sentence's clause ends and the next begins: a comma before a coordinator, a relative pronoun or
#: a subordinator of contrast or reason, a semicolon or colon, a dash between spaces ("Ice may ease it, and
#: heat relaxes …", "Rest may slow recovery, while walking helps": two clauses).
_CLAUSE_BOUNDARY = re.compile(
    r",\s*(?P<list>and|or)\b|,\s*(?:but|so|yet|whereas|while|although|though|because|which|who|whom|whereby)\b"
    r"|[;:]|\s[–—-]\s",
    _I,
)
#: Cue types and their rules, in the order overlapping cues are resolved (an earlier one wins).
RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("disclaimer", DISCLAIMER),
    ("attribution", ATTRIBUTION),
    ("condition", CONDITION),
    ("speculation", SPECULATION),
    ("likelihood", LIKELIHOOD),
    ("negation", NEGATION),
)


def find_cues(sentence: str) -> list[tuple[str, int, int]]:
    """Every cue of the sentence, by start; a cue inside a cue found by an earlier rule is dropped, except
    hedges inside a condition (the condition "if it can spread" still hedges), and a negation inside a
    condition or a disclaimer belongs to them, never to the claim."""
    found: list[tuple[str, int, int]] = []
    for kind, rule in RULES:
        for m in rule.finditer(sentence):
            a, b = m.start(), m.end()
            if kind == "negation" and a == 0 and m.group().casefold().startswith("do"):
                continue  # "Do not put ice on it": denying advice is not denying a relation
            if kind == "negation" and _RELATIVE_CLAUSE.search(sentence[:a]):
                continue  # "…, whereby the patient does not follow …": the relative clause's own verb
            inside = [t for t, x, y in found if x <= a and b <= y]
            if inside and not (kind in ("speculation", "likelihood") and set(inside) == {"condition"}):
                continue
            if any(x < b and a < y and not (x <= a and b <= y) for _, x, y in found):
                continue
            found.append((kind, a, b))
    return sorted(found, key=lambda c: (c[1], c[2]))


def governs(
    sentence: str, cue: tuple[int, int], claim: tuple[int, int], names: Sequence[tuple[int, int]] = ()
) -> bool:
    """Whether a cue (sentence offsets) can govern the claim stated over ``claim`` (the words from its
    first argument to its last, relation cue included): it lies inside them, or beside them with no
    clause boundary between, as ConText's scope ends at a terminator (docs/codebook.md, Cue types: a
    cue belongs to the claim it hedges, conditions or negates, not to every claim of its sentence).
    ", and" or ", or" right after one of ``names`` (the spans of the sentence's entity mentions) closes a
    list ("gout, obesity, and smoking"), not a clause.

    >>> s = "Ice may ease pain, and heat relaxes muscles if used early."
    >>> governs(s, (4, 7), (s.index("heat"), s.index(" if"))), governs(s, (s.index("if"), len(s) - 1), (0, 17))
    (False, False)
    >>> s = "Rarely, gout, obesity, and smoking cause pain."
    >>> governs(s, (0, 6), (s.index("smoking"), len(s) - 1), [(8, 12), (14, 21), (27, 34)])
    True
    """
    (a, b), (lo, hi) = cue, claim
    if a < hi and lo < b:
        return True
    start, end = (b, lo) if b <= lo else (hi, a)
    for m in _CLAUSE_BOUNDARY.finditer(sentence, start, end):
        item = sentence.rfind(",", 0, m.start()) + 1  # the words before the comma, back to the one before
        item += len(sentence[item : m.start()]) - len(sentence[item : m.start()].lstrip())
        if not (m.group("list") and (item, m.start()) in names):
            return False
    return True


def citations(sentence: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in CITATION.finditer(sentence)]


def agent_type(text: str) -> str:
    """The agent type of an attribution cue's words (docs/codebook.md, Attribution)."""
    low = text.casefold()
    if re.match(r"(dr\.?|doctor|professor)\s+[a-z]", low) and not low.startswith("doctors"):
        return "person"
    if low.startswith("according to") or re.search(r"\b(agencies|organi[sz]ations)\b", low):
        return "organisation"
    if re.search(r"\b(studies|research)\b", low):
        return "unnamed-studies"
    if re.search(r"\bpeople\b", low):
        return "unnamed-people"
    return "unnamed-experts"


def agent_name(text: str) -> str:
    """The agent as the source names it: the words after "according to", or before the verb."""
    if text.casefold().startswith("according to"):
        return re.sub(r"^according to\s+", "", text, flags=_I)
    words = re.sub(
        r"\s+(?:\w+ly\s+)?(?:say|says|said|suggest|suggests|show|shows|found|find|recommend|advise|believe|swear|claim|explains|notes|adds)$",
        "",
        text,
    )
    return words
