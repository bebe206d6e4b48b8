"""Noun phrases beside a relation cue: the argument a cue takes where no dictionary name stands.

There is no parser model (spaCy's blank English has no parts of speech), so a phrase is read by rule:
from the cue outwards, over auxiliaries and adverbs ("can", "often", "are prescribed to"), then the run
of content words up to a stop word (a determiner, a preposition, a conjunction, a pronoun, a verb form
of "be", "have" or "do") or punctuation, at most :data:`MAX_WORDS` words, less its leading generic
modifiers ("everyday", "common"). Its head (last word) gives a guessed entity type.

>>> s = "An Epsom bath can often soothe sore feet and hands."
>>> [s[a:b] for a, b in (before(s, s.index("can")), after(s, s.index("soothe") + 6))]
['Epsom bath', 'sore feet']
"""

from __future__ import annotations

import re

#: The longest phrase drafted as an entity, in words.
MAX_WORDS = 4


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_WORD = re.compile(r"[^\W\d_][\w'’-]*|\d+|[^\w\s]")
_STOP = _set("""
a an the this these those that which who whom whose what your their its his her our my some any no
and or but nor as of in on at to for from with by about into onto over under after before than then so
because since while if when once unless whether until during through without within between around
is are was were be been being am do does did has have had having can could may might must shall should
will would not never also only just even still already it they them he she we you i me us him there
here how why where more most less least very much many few all both each every other such same one
along across among against toward towards throughout via per like near behind beyond below above beside
inside outside upon better worse faster longer say says said think thinks feel feels need needs get gets
make makes go goes recover recovers heal heals hurt hurts work works appear appears become becomes
caused rather instead
""")
#: Prepositions: a phrase right after one is its object, not the subject of the verb that follows.
PREPOSITIONS = _set("""
of in on at to for from with by about into onto over under after before than during through without
within between around along across among against toward towards throughout via per like near behind
beyond below above beside inside outside upon
""")
#: Words that point back to something named before ("these illnesses", "the mentioned illnesses"):
#: coreference, not a new entity.
_ANAPHORIC = frozenset({"this", "these", "those", "such", "mentioned", "said", "same", "aforementioned"})
_DETERMINERS = frozenset(
    {
        "a",
        "an",
        "the",
        "this",
        "these",
        "those",
        "your",
        "their",
        "its",
        "his",
        "her",
        "our",
        "my",
        "some",
        "any",
    }
)
#: Verb forms ending in -ing that open an object clause ("the chance of getting shingles").
_GERUNDS = _set("""
getting having developing acquiring experiencing catching mitigating easing relieving reducing
extending feeling suffering preventing avoiding treating
""")
#: Words between a subject and its verb: auxiliaries, adverbs, "are prescribed to".
_BRIDGE = _set("""
can could may might must shall should will would do does did is are was were be been has have had not
n't also often usually sometimes rarely generally typically commonly probably possibly perhaps really
actually still even only just further then truly to prescribed used given taken recommended thought
known said believed shown meant designed likely able tends tend
""")
#: Leading modifiers that say how common or usual a thing is, not what it is.
_GENERIC_MODIFIERS = _set("""
everyday ordinary common usual typical general certain various known mentioned different new whole
simple plain regular normal same main major minor most many several first second last early
""")
#: How often a treatment is taken: "daily antiviral treatment" is the treatment a name says.
FREQUENCY_MODIFIERS = _set("daily nightly weekly monthly regular occasional suppressive long-term short-term")
#: Heads that never name an entity of a medical claim by themselves.
_GENERIC_HEADS = _set("""
people person doctors doctor experts expert research studies study explanation thing things way ways
part lot kind type types time times day days reason reasons fact idea case cases one ones someone
anyone everyone anything something everything nothing plenty number amount side sides chance chances
risk area areas matter issue issues point others problem problems result results effect effects
symptom symptoms sign signs method methods health water
""")
#: Parts of the body: an entity with a modifier ("stiff joints"), not alone ("relaxes the muscles").
_BODY_PARTS = _set("back muscle muscles skin body legs leg arms arm nerves nerve joints joint blood")


def body_part(word: str) -> bool:
    """Whether ``word`` names a part of the body (:data:`_BODY_PARTS`)."""
    return word.casefold() in _BODY_PARTS


#: The inflammation of a part of the body by the medical word for it, the part's combining form and "-itis"
#: ("inflammation of"): a nerve's is neuritis, a joint's arthritis.
INFLAMMATION_OF = {"nerve": "neuritis", "joint": "arthritis", "skin": "dermatitis", "muscle": "myositis"}


#: Hypernyms that name no entity alone ("infections or illnesses"), only with a modifier ("skin conditions").
_HYPERNYMS = _set(
    "illness illnesses disease diseases condition conditions disorder disorders ailment ailments"
)
# Head words and the entity type they suggest (docs/codebook.md, Entities), tried in this order.
_TYPE_OF_HEAD = (
    (re.compile(r"virus|bacteri|fung|parasite", re.I), "pathogen"),
    (
        re.compile(
            r"drug|medicine|medication|supplement|vaccine|antiviral|antibiotic|cream|pill|tablet|"
            r"ointment|inhibitor|agent",
            re.I,
        ),
        "drug-class",
    ),
    (
        re.compile(
            r"bath|soak|pad|compress|pack|wrap|therap|treatment|massage|surgery|stretch|rest$|"
            r"injection|acupuncture|heat|ice",
            re.I,
        ),
        "intervention",
    ),
    (
        re.compile(r"diet|food|sleep|activit|exercis|smoking|alcohol|lifestyle|walking|posture", re.I),
        "lifestyle",
    ),
    (
        re.compile(r"inflammation|irritation|reactivation|damage|degeneration|injury|strain", re.I),
        "pathological-process",
    ),
    (re.compile(r"disease|infection|itis$|osis$|syndrome|disorder|cancer|pox$|outbreak", re.I), "disease"),
    (re.compile(r"age$|stress|obesity|weight|immun", re.I), "risk-factor"),
    (
        re.compile(
            r"pain|ache|soreness|stiff|swelling|rash|fever|itch|numb|tingl|fatigue|symptom|"
            r"cramp|spasm|trouble|difficult",
            re.I,
        ),
        "sign-or-symptom",
    ),
)


def _words(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]


def _content(word: str) -> bool:
    return word[0].isalpha() and re.split(r"['’]", word.casefold())[0] not in _STOP


def noun_like(word: str) -> bool:
    """Whether ``word`` can be a noun phrase's head: a content word that is no auxiliary or adverb."""
    w = word.casefold()
    return w.isalpha() and _content(w) and w not in _BRIDGE and not w.endswith("ly")


def content_word(word: str) -> bool:
    """Whether ``word`` can be part of a noun phrase (no stop word, no punctuation)."""
    return _content(word)


def _trim(run: list[tuple[int, int, str]]) -> tuple[int, int] | None:
    """The run of words less its leading generic modifiers, if its head can name an entity."""
    if run and run[0][2].casefold() in _ANAPHORIC:
        return None
    while run and run[0][2].casefold() in _GENERIC_MODIFIERS:
        run = run[1:]
    head = run[-1][2].casefold() if run else ""
    if (
        not run
        or head in _GENERIC_HEADS
        or head.endswith("ly")
        or (len(run) == 1 and head in _BODY_PARTS | _HYPERNYMS)
    ):
        return None
    return run[0][0], run[-1][1]


#: A reduced relative clause between a subject and its verb: "X taken at the first sign of Y may ease Z",
#: "X applied to the skin relieves Z" (its prepositional phrase is no subject).
REDUCED_RELATIVE = re.compile(
    r"\b(?:taken|applied|used|given|worn|started|rubbed)\s+(?:at|in|on|to|into|onto|during|after|before|within|"
    r"with|for|from|over)\b[^,.;:()]*$",
    re.I,
)


def before(sentence: str, cue_start: int) -> tuple[int, int] | None:
    """The noun phrase that ends before the cue at ``cue_start`` (its subject, for a verbal cue)."""
    words = _words(sentence[:cue_start])
    i = len(words) - 1
    while i >= 0 and (words[i][2].casefold() in _BRIDGE or words[i][2].casefold().endswith("ly")):
        i -= 1
    run: list[tuple[int, int, str]] = []
    while i >= 0 and len(run) < MAX_WORDS and _content(words[i][2]):
        run.insert(0, words[i])
        i -= 1
    if i >= 0 and len(run) == MAX_WORDS and _content(words[i][2]):
        return None  # a longer run than a name: a clause, not a noun phrase
    if i >= 0 and words[i][2].casefold() in _DETERMINERS - _ANAPHORIC:
        i -= 1  # "after a warm shower": look past the article
    if i >= 0 and words[i][2].casefold() in PREPOSITIONS:
        reduced = REDUCED_RELATIVE.search(sentence, 0, cue_start)
        # "X taken at the first sign of Y may ease Z": the subject is before the participle
        return before(sentence, reduced.start()) if reduced else None
    if i >= 0 and words[i][2].casefold() in _ANAPHORIC:
        return None  # "stretching after a warm shower helps": the subject is further back; "these illnesses"
    return _trim(run)


def after(sentence: str, cue_end: int) -> tuple[int, int] | None:
    """The noun phrase that starts after the cue ending at ``cue_end`` (its object, for a verbal cue)."""
    words = [(a + cue_end, b + cue_end, w) for a, b, w in _words(sentence[cue_end:])]
    i = 0
    while i < len(words) and words[i][2].casefold() in _GERUNDS | _STOP - {"and", "or", "but", "not", "no"}:
        if words[i][2].casefold() in _ANAPHORIC:
            return None
        if words[i][2].casefold() not in _GERUNDS | _DETERMINERS | {"other", "more"}:
            return None  # a preposition or a verb right after the cue: no object phrase there
        i += 1
    run: list[tuple[int, int, str]] = []
    while i < len(words) and len(run) < MAX_WORDS and _content(words[i][2]):
        run.append(words[i])
        i += 1
    if i < len(words) and len(run) == MAX_WORDS and _content(words[i][2]):
        return None
    return _trim(run)


#: Gerunds of light verbs: in "by applying heat", the means is their object, not the verb.
LIGHT_GERUNDS = _set(
    "applying using taking wearing eating drinking getting doing having putting adding keeping"
)


def means(sentence: str, at: int) -> tuple[int, int] | None:
    """The means a "by" at ``at`` names: "by applying a warm pack" → "warm pack" (a light verb's object);
    "by walking briskly" → "walking briskly" (the gerund and its adverbs or object)."""
    words = [(a + at, b + at, w) for a, b, w in _words(sentence[at:])]
    if len(words) < 2 or words[0][2].casefold() != "by" or not words[1][2].casefold().endswith("ing"):
        return None
    if words[1][2].casefold() in LIGHT_GERUNDS:
        return after(sentence, words[1][1])
    run = [words[1]]
    for w in words[2:]:
        if len(run) == MAX_WORDS or not _content(w[2]) or w[2].casefold().endswith("ing"):
            break
        run.append(w)
    following = words[1 + len(run)][2].casefold() if len(words) > 1 + len(run) else ""
    if following in _DETERMINERS:
        return None  # "by loosening the tissues": a verb and its object, not a named means
    return run[0][0], run[-1][1]


#: A verb of keeping a state and the one word of the state, at the end of its clause (for "remain" and
#: "stay", which take no object, also before a preposition): a habit ("remain healthy", "stay active in
#: winter", "keeping fit"), named by the verb's gerund ("remaining healthy").
_STATE = re.compile(
    r"\b(?P<verb>remain|stay|keep)(?:s|ed|ing)?\s+(?P<state>[^\W\d_][\w-]*)(?=\s*(?P<next>\w+|[^\w\s]|$))",
    re.I,
)
#: Words that end the clause of a state ("stay active and …", "keep warm, but …").
_CLAUSE_WORDS = _set("and or but by to so while if when until")
#: Words after such a verb that are no state: a reflexive object, a particle ("stay away from").
_NO_STATE = _set(
    "yourself yourselves himself herself itself themselves myself ourselves away out up off back"
)


def habits(sentence: str) -> list[tuple[int, int, str]]:
    """A habit a verb of keeping a state names, as (start, end, name): "try to stay active" → "staying
    active"; "keep it warm", "keep pain at bay" (an object), "stay in bed" (a stop word) name none.

    >>> s = "Try to remain active and keep warm, but stay in bed if the fever rises."
    >>> [(s[a:b], name) for a, b, name in habits(s)]
    [('remain active', 'remaining active'), ('keep warm', 'keeping warm')]
    """
    out = []
    for m in _STATE.finditer(sentence):
        state, after, verb = m.group("state"), m.group("next").casefold(), m.group("verb").casefold()
        if not _content(state) or state.casefold() in _NO_STATE or state.casefold().endswith("ly"):
            continue
        if after.isalnum() and after not in _CLAUSE_WORDS and (verb == "keep" or after not in PREPOSITIONS):
            continue  # the clause goes on: "keep pain at bay", "stay active people"
        out.append((m.start(), m.end(), f"{verb}ing {state.casefold()}"))
    return out


def guess_type(phrase: str) -> str:
    """The entity type a phrase's head word suggests (a guess for the curator to check)."""
    head = phrase.split()[-1] if phrase.split() else phrase
    for rule, kind in _TYPE_OF_HEAD:
        if rule.search(head):
            return kind
    for rule, kind in _TYPE_OF_HEAD:
        if rule.search(phrase):
            return kind
    return "risk-factor"


#: A list's link between two items, and the link that closes it ("A, B, and C").
_ITEM_LINK = re.compile(r"\s*,\s*(?:(?:and|or)\s+)?|\s+(?:and|or)\s+", re.I)


def list_gaps(sentence: str, names: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The items of a list of names that are no name: "X are gout, cervical disc disease, and arthritis"
    (two names or more, the list closed by "and" or "or") → "cervical disc disease", a run of at most
    :data:`MAX_WORDS` content words between two of its links, or before its first one.

    >>> s = "Causes are whiplash, cervical disc disease, arthritis, and gout."
    >>> [s[a:b] for a, b in list_gaps(s, [(11, 19), (44, 53), (59, 63)])]
    ['cervical disc disease']
    """
    out: list[tuple[int, int]] = []
    names = sorted(names)
    i = 0
    while i < len(names):
        # the names linked into one list from names[i], with the gaps between them
        j, gaps = i, list[tuple[int, int]]()
        while j + 1 < len(names):
            between = sentence[names[j][1] : names[j + 1][0]]
            if _ITEM_LINK.fullmatch(between):
                j += 1
                continue
            m = re.fullmatch(
                r"(\s*,\s*)([^,;:.()]+?)(\s*,\s*(?:(?:and|or)\s+)?|\s+(?:and|or)\s+)", between, re.I
            )
            gap = _words(m.group(2)) if m else []
            if not (m and gap and len(gap) <= MAX_WORDS and all(_content(w) for _, _, w in gap)):
                break
            start = names[j][1] + m.end(1)
            gaps.append((start, start + len(m.group(2))))
            j += 1
        links = [sentence[names[k][1] : names[k + 1][0]] for k in range(i, j)]
        closed = bool(links) and re.search(r"\b(?:and|or)\b", links[-1], re.I) is not None
        if closed and j - i + 1 >= 2:
            out += gaps
            comma = re.search(r",\s*$", sentence[: names[i][0]])
            words = _words(sentence[: comma.start()]) if comma else []
            run: list[tuple[int, int, str]] = []
            while words and len(run) <= MAX_WORDS and _content(words[-1][2]):
                run.insert(0, words.pop())
            span = _trim(run) if 0 < len(run) <= MAX_WORDS else None
            if span:  # an item before the list's first name: its content words, back to a stop word
                out.append(span)
        i = j + 1
    return sorted(set(out))


_LIST_SEPARATOR = re.compile(r"^\s*(?:,\s*(?:and\s+|or\s+)?|\s(?:and|or)\s+)")


def listed_after(sentence: str, cue_end: int) -> list[tuple[int, int]]:
    """The noun phrase after a cue and those listed with it ("strained muscles, worn discs or stiff joints")."""
    out: list[tuple[int, int]] = []
    span = after(sentence, cue_end)
    closed = True  # whether the last separator was "and" or "or": a bare comma leaves the list open
    while span and len(out) < 8:
        out.append(span)
        sep = _LIST_SEPARATOR.match(sentence[span[1] :])
        if not sep:
            break
        closed = bool(re.search(r"\b(?:and|or)\b", sep.group()))
        nxt = span[1] + sep.end()
        first = _words(sentence[nxt:])[:1]
        # "swelling, applying a compress": a clause starts after the comma, not a list item
        span = None if first and first[0][2].casefold().endswith("ing") else after(sentence, nxt)
    if not closed:
        return out[:1]  # "A, B …" never closed by "and"/"or": not a list
    return out
