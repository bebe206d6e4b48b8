"""A ranked index of names: what a piece of text matches exactly, by prefix or by shared words.

Pure and in memory: the vocabulary terms and the corpus entities are each one :class:`NameIndex`.

How a name matches, best first (the ``tier`` of a :class:`Found`):

0. ``label``: the text is the thing's own label;
1. ``synonym`` (an entity's synonym, an ICD-10-CM inclusion term) or ``lay`` (a row of medkg's
   lay-synonym table): the text is another name of it;
2. ``prefix``: a label or other name starts with the text; one where the text ends at a word boundary
   ranks above one where it ends inside a word (``pain`` finds "Pain in hip" before "Paint");
3. ``words``: a name shares words with the text; more of them shared (the Jaccard index of the two
   sets of words, leaving out words such as "of" and "the" when the text has others) ranks higher.

Texts are compared after :func:`normalize`. Within a tier a higher score, then a shorter name, then
the order the names were given in (the caller's tie-break) comes first; a thing named several times
is found once, by its best name.

>>> index = NameIndex([Name("Low Back Pain", "label", 0), Name("Back Pain", "label", 1),
...                    Name("backache", "lay", 1), Name("Low back pain, unspecified", "label", 2)])
>>> [(f.target, f.kind) for f in index.search("low back pain")]
[(0, 'label'), (2, 'prefix'), (1, 'words')]
>>> [(f.target, f.kind) for f in index.search("Backaches")]
[(1, 'lay')]
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple

#: The match kinds in tier order (``synonym`` and ``lay`` share a tier).
TIERS: dict[str, int] = {"label": 0, "synonym": 1, "lay": 1, "prefix": 2, "words": 3}

# Words too common to find candidates by (they still count in the score). "nos" is ICD-10-CM's
# "not otherwise specified", which closes many inclusion terms ("Lumbago NOS").
_STOPWORDS = frozenset(
    {"of", "the", "and", "or", "in", "on", "with", "without", "to", "for", "by", "a", "an", "nos"}
)
_NON_WORD = re.compile(r"[^\w]+")


def normalize(text: str) -> str:
    """The form names are compared in: case folded, punctuation a space, plurals lightly made singular.

    A word loses a final ``s`` when it is longer than three letters and does not end in ``ss``, ``us``
    or ``is`` (so ``backaches`` → ``backache`` but ``abscess``, ``herpes virus``, ``arthritis`` stay);
    both sides are normalised alike, so ``herpes`` → ``herpe`` still matches itself.

    >>> normalize("  Low-Back PAINS, unspecified ")
    'low back pain unspecified'
    >>> normalize("Abscess"), normalize("Arthritis"), normalize("Virus")
    ('abscess', 'arthritis', 'virus')
    """
    return " ".join(_singular(w) for w in _NON_WORD.sub(" ", text.casefold()).replace("_", " ").split())


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


class Name(NamedTuple):
    """One name of a thing: its text, its kind (``label``, ``synonym`` or ``lay``) and the thing's index."""

    text: str
    kind: str
    target: int


class Found(NamedTuple):
    """A thing the text matches, by its best name."""

    target: int
    kind: str
    """``label``, ``synonym``, ``lay``, ``prefix`` or ``words``."""
    name: str
    """The name that matched, as written."""
    score: float
    """1.0 for an exact match; for ``words`` the share of words in common; for ``prefix`` the share of
    the name the text covers, plus 1 when the text ends at a word boundary of the name."""

    @property
    def tier(self) -> int:
        return TIERS[self.kind]


def _words(key: str) -> frozenset[str]:
    """The words a name is scored by: its words less the stopwords, unless it has no others."""
    words = frozenset(key.split())
    return words - _STOPWORDS or words


def _prefix_score(key: str, name: str) -> float:
    return len(key) / len(name) + (1.0 if name[len(key)] == " " else 0.0)


def _overlap(words: frozenset[str], theirs: frozenset[str]) -> float:
    return len(words & theirs) / len(words | theirs)


def _rank(found: Found) -> tuple[int, float, int, int, str]:
    # the same order whichever path found it and in whatever order: tier, score, length of the name,
    # the caller's order, and last the name itself (two names of one thing can tie on the rest)
    return (found.tier, -found.score, len(found.name), found.target, found.name)


def _best(found: Iterable[Found], limit: int | None) -> list[Found]:
    best: dict[int, Found] = {}
    for f in found:
        if f.target not in best or _rank(f) < _rank(best[f.target]):
            best[f.target] = f
    ranked = sorted(best.values(), key=_rank)
    return ranked if limit is None else ranked[:limit]


class NameIndex:
    """The names of many things, indexed by normal form, in sorted order (prefixes) and by word."""

    def __init__(self, names: Iterable[Name], keys: Iterable[str] | None = None) -> None:
        """``keys``, when given, are the names' normal forms (:func:`normalize`), computed before."""
        self.names: list[Name] = list(names)
        normal = keys if keys is not None else (normalize(n.text) for n in self.names)
        self.keys: list[str] = list(normal)
        if len(self.keys) != len(self.names):
            raise ValueError(
                f"expected a normal form for each of {len(self.names)} names; found {len(self.keys)}"
            )
        exact: defaultdict[str, list[int]] = defaultdict(list)
        by_word: defaultdict[str, list[int]] = defaultdict(list)
        stop = _STOPWORDS
        for i, key in enumerate(self.keys):  # kept to plain steps: ~170,000 names, most of a first lookup
            exact[key].append(i)
            for word in key.split():
                if word not in stop:
                    by_word[word].append(i)  # a word twice in a name is listed twice: candidates are a set
        exact.pop("", None)  # a name with no letters or digits is never found
        self.exact: dict[str, list[int]] = exact
        self.by_word: dict[str, list[int]] = by_word
        self.sorted_keys: list[str] = sorted(self.exact)

    def __len__(self) -> int:
        return len(self.names)

    def search(self, text: str, limit: int | None = None) -> list[Found]:
        """The things ``text`` names, best first (see the module's docstring), at most ``limit``."""
        key = normalize(text)
        if not key:
            return []
        found = [self._found(i, self.names[i].kind, 1.0) for i in self.exact.get(key, ())]
        start = bisect.bisect_left(self.sorted_keys, key)
        for k in self.sorted_keys[start:]:
            if not k.startswith(key):
                break
            if k != key:
                found += [self._found(i, "prefix", _prefix_score(key, k)) for i in self.exact[k]]
        words = _words(key)
        candidates = {i for w in words for i in self.by_word.get(w, ())}
        for i in candidates:
            found.append(self._found(i, "words", _overlap(words, _words(self.keys[i]))))
        return _best(found, limit)

    def _found(self, i: int, kind: str, score: float) -> Found:
        name = self.names[i]
        return Found(name.target, kind, name.text, score)


def scan(names: Sequence[Name], text: str, limit: int | None = None) -> list[Found]:
    """The same answer as :meth:`NameIndex.search`, by normalising and comparing every name in turn:
    the baseline of the lookup benchmark, and the independent path its tests compare against.

    >>> [f.target for f in scan([Name("Back Pain", "label", 7)], "back")]
    [7]
    """
    key = normalize(text)
    if not key:
        return []
    words = _words(key)
    found = []
    for name in names:
        theirs = normalize(name.text)
        if not theirs:
            continue
        if theirs == key:
            found.append(Found(name.target, name.kind, name.text, 1.0))
        elif theirs.startswith(key):
            found.append(Found(name.target, "prefix", name.text, _prefix_score(key, theirs)))
        if words & (set(theirs.split()) - _STOPWORDS):
            found.append(Found(name.target, "words", name.text, _overlap(words, _words(theirs))))
    return _best(found, limit)
