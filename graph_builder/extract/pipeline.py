"""``medkg extract``: sentences, dictionary mentions, relation cues and claim cues of an article, as
draft claims whose polarity, certainty and support follow from the cues by the codebook's rules.

Sentences come from pysbd, tokens from spaCy's rule-based English tokenizer (no model weights); a
mention is the longest run of tokens whose normal form is a name of a corpus entity or a vocabulary term.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph_builder.core.vocabulary import load_vocabulary
from graph_builder.extract import cues as cue_rules
from graph_builder.extract import phrases
from graph_builder.extract.relations import Mention, Pair, cue_spans, pairs
from graph_builder.lookup.corpus import CorpusEntity
from graph_builder.lookup.index import normalize
from graph_builder.lookup.search import TYPE_OF_VOCABULARY, slug
from graph_builder.lookup.terms import TermName

#: The longest mention, in tokens.
MAX_TOKENS = 8
# Vocabulary names that are everyday words in running text far more often than the term they name.
_GENERIC = frozenset({
    "time", "method", "back", "muscle", "disease", "ice", "heat", "help", "people", "study", "way", "side",
    "one", "band", "role", "case", "form", "report", "result", "state", "task", "control", "cold", "area", "hand", "face",
    "will", "rest", "health", "food", "movement", "medicine", "frequent", "joint", "body", "life", "work", "water",
    "light", "weight", "age", "risk", "sign", "phase", "episode", "link", "virus", "nerve", "skin", "tissue",
    "right", "left", "while", "minute", "pass", "place",
})  # fmt: skip
#: Head words that add nothing to the name before them ("herpes infection" is herpes).
_NAME_HEADS = frozenset({"infection", "infections", "virus", "viruses", "disease", "condition", "conditions"})
#: A definite noun phrase pointing back to an illness or a pathogen named before (singular: "these
#: illnesses" stands for a list, the antecedent of relations.pairs).
_DEFINITE = re.compile(
    r"\b(?:the|this|that|these|those)\s+(?:same\s+|mentioned\s+)?"
    r"(?P<noun>infection|virus|illness|disease|condition)\b(?!-)",
    re.I,
)
_DEFINITE_NOUNS = frozenset({"infection", "virus", "illness", "disease", "condition"})
#: An episode of an illness is the illness ("shorten an attack of gout"); with no "of", the latest illness
#: named ("Antivirals can shorten an episode").
_EPISODE = re.compile(
    r"(?:\b(?P<det>an?|the|this|that|each|every)\s+(?:\w+\s+)?)?\b(?P<noun>episodes?|attacks?|bouts?)\b"
    r"(?P<of>\s+of\s+(?:an?\s+|the\s+)?)?",
    re.I,
)
#: A definite noun phrase whose relative clause a copula follows: "the virus that does cause X is a
#: different one: Y" names Y (cataphora), not an entity before it.
_SPECIFIED = re.compile(r"\s+(?:that|which)\s+[^,.;:]*?\b(?:is|was)\b(?P<rest>[^.;]*)", re.I)
_NOT_AN_INFECTION = frozenset({"sign-or-symptom", "intervention", "lifestyle", "drug-class"})
#: An ache in a part of the body: "aching in the lower back or buttocks" is lower back pain and buttock pain.
_PAIN_IN = re.compile(
    r"\b(?:aches?|aching|pains?|soreness)\s+(?P<low>(?:low|lower|high|upper)\s+)?(?:in|on|along|across)\s+"
    # where on the part: "in a band on one side of the back"
    r"(?:(?:a|an|one|either|each|band|strip|patch|side|sides|area|part|of|on|in|along|around)\s+){0,7}?"
    r"(?:the|your|his|her|their|my)\s+(?P<part>(?:lower\s+|upper\s+)?[^\W\d]+)"
    r"(?:\s+(?:or|and)\s+(?:the\s+|your\s+)?(?P<part2>[^\W\d]+))?",
    re.I,
)
#: A part of the body that hurts: "your back hurts" is back pain (where a name says so).
_PART_HURTS = re.compile(
    r"\b(?:the|your|his|her|their|my)\s+(?P<part>(?:lower\s+|upper\s+)?[^\W\d]+)\s+(?:hurts|aches|hurt|ache)\b",
    re.I,
)
#: A body part a relaxing verb acts on: "relaxes the muscles" relieves the muscles' stiffness (where a name
#: says so: "muscle stiffness", "stiff muscles", "tight muscles").
_PART_RELAXED = re.compile(
    r"\b(?:relax|loosen)(?:s|es|ed)?\s+(?:the|your|his|her|their|my|tight|stiff|tense)\s+(?P<part>[^\W\d]+)\b",
    re.I,
)
#: A body part an irritating verb acts on: "irritate the sacral nerves" causes the nerves' inflammation
#: (irritation in its medical sense: a tissue made sore or inflamed), where a name says so
#: (:meth:`Extractor._irritated_parts`).
_PART_IRRITATED = re.compile(
    r"\birritat(?:e|es|ed|ing)\s+(?:the|your|his|her|their|my|its)\s+"
    r"(?P<part>(?:[^\W\d]+\s+)?[^\W\d]+)\b",
    re.I,
)
#: "That irritation", "this inflammation": the inflammation a verb of the sentence or the two before named.
_INFLAMMATION_ANAPHOR = re.compile(r"\b(?:this|that|the|such)\s+(?P<noun>irritation|inflammation)\b", re.I)
#: A relaxing verb whose object is "them" (:meth:`Extractor._stiff_parts`).
_THEM_RELAXED = re.compile(r"\b(?:relax|loosen)(?:s|es|ed)?\s+(?P<part>them)\b", re.I)
#: "The two are (un)related": an association between the two entities named before it.
_RECIPROCAL = re.compile(
    r"\bthe\s+two\s+(?:are|were|is|seem|appear)\s+(?:[\w-]+\s+){0,3}?(?P<cue>unrelated|related|linked|connected)\b",
    re.I,
)
#: A short form in brackets, and the words of a long form before it (at most six, no punctuation).
_BRACKETED = re.compile(r"\(([^()]{2,15})\)")
_LONG_FORM = re.compile(r"(?:[\w-]+\s+){0,5}[\w-]+\s*")
#: An adjective and a comma before a noun phrase that opens its clause: "Tight, overworked muscles".
_COORDINATED_ADJECTIVE = re.compile(
    r"(?:^|[.;:]\s*|\b(?:a|an|the|your|their|most|many|some)\s+)(?P<adjective>[^\W\d]+),\s*$", re.I
)
#: Verbs whose object is a food or a drink: a habit ("eat nutritious foods").
_CONSUMES = re.compile(r"\b(?:eat|eats|eating|drink|drinks|drinking)\b", re.I)
#: A plural noun pointing back to the means named in the sentence before ("these methods"), and the
#: entity types it can stand for.
_PLURAL_ANAPHOR = re.compile(
    r"\b(?:these|those|such|both|all\s+these)\s+(?:\w+\s+)?(?:methods|measures|remedies|treatments|therapies|"
    r"steps|habits|tips|changes|approaches|strategies|options|interventions)\b",
    re.I,
)
_MEANS_TYPES = frozenset({"intervention", "lifestyle", "drug-class"})
#: A disclaimer pointing back to the claim before it: opening or ending on a demonstrative or "it"
#: ("this is not supported by research", "there is little evidence for this").
_POINTS_BACK = re.compile(r"^(?:this|that|these|it)\b|\b(?:this|that|these|it)$", re.I)
_NEXT_WORD = re.compile(r"\s*\S+")
#: Between the last two names of a list ("A, B, and C"), and between the others.
_LIST_END = re.compile(r"\s*,?\s*(?:and|or)\s+", re.I)
_LIST_LINK = re.compile(r"\s*,\s*|\s*,?\s*(?:and|or)\s+", re.I)
#: Relations whose subject is a means (a treatment, a drug, a habit), and those whose subject never is:
#: what "it" can stand for as their subject.
#: The remedies (the ontology's group, read from the vocabulary) and strengthens; the causal relations and
#: symptom-of.
_RELATIONS = load_vocabulary().relations
MEANS_RELATIONS = frozenset({slug for slug, r in _RELATIONS.items() if r.remedy} | {"strengthens"})
_CAUSAL_RELATIONS = frozenset({slug for slug, r in _RELATIONS.items() if r.causal} | {"symptom-of"})
#: A subordinate clause put before the main clause, up to its comma: "once X is …, it …".
_SUBORDINATE = re.compile(
    r"(?:^|[,;:]\s*)\W*(?:once|when|whenever|if|since|because|while|after|before|as\s+soon\s+as|although|"
    r"though|until|unless)\b(?P<clause>[^,;:]*),\s*$",
    re.I,
)
#: A mention named "<illness> virus": the illness's words and the head.
_NAMED_VIRUS = re.compile(
    r"(?:the\s+)?(?P<illness>[^\W\d][\w'-]*(?:\s+[\w'-]+){0,3}?)\s+(?P<virus>virus(?:es)?)", re.I
)
#: "virus" right after an illness's name: "the chickenpox virus" names a pathogen (:meth:`Extractor._illness_viruses`).
_VIRUS_AFTER = re.compile(r"\s+virus(?:es)?\b(?![\w-])", re.I)
#: Where in the body a process is: "inflammation in the nerves" (:meth:`Extractor._processes_in`).
_IN_PART = re.compile(
    r"\s+(?:in|of|around|along)\s+(?:the|your|his|her|their|my)\s+(?P<part>[^\W\d]+)\b", re.I
)
#: Complications a subject has that the clause does not name ("X has many complications" and no more): the
#: subject's complications as such (:func:`_unnamed_complications`).
_UNNAMED_COMPLICATIONS = re.compile(
    r"\s+(?:(?:also|still|often|\w+ly)\s+)*(?:has|have|had)\b[^,.;:]{0,40}?\b(?P<cue>complications?)\s*(?:[.;:]|$)",
    re.I,
)
#: An outbreak with no "of" after it, and no name right before it (:meth:`Extractor._resolve_outbreaks`).
_OUTBREAK = re.compile(r"\b(?P<noun>outbreaks?)\b(?!\s+of\b|-)", re.I)
#: Study designs a citation may name, and the support level each gives (docs/codebook.md, Support).
DESIGNS = (
    (re.compile(r"systematic review|meta-analys", re.I), "systematic-reviews"),
    (re.compile(r"randomi[sz]ed|controlled trial", re.I), "randomized-trials"),
    (re.compile(r"cohort|case-control|observational", re.I), "observational-studies"),
    (re.compile(r"case report|case series", re.I), "case-reports"),
)


@dataclass
class DraftEntity:
    id: str
    label: str
    type: str
    synonyms: tuple[str, ...] = ()
    groundings: tuple[tuple[str, str, str, str], ...] = ()
    review: str | None = None


@dataclass
class DraftClaim:
    id: str
    subject: str
    relation: str
    object: str
    quote: str
    occurrence: int | None
    cues: list[tuple[str, str]]
    polarity: str
    support: str
    attributed_to: str | None
    confidence: float
    reviews: list[str] = field(default_factory=list)
    premise: bool = False
    """Stated inside a condition clause: a disclaimer of its sentence does not cover it (codebook, Support)."""


@dataclass
class Draft:
    entities: dict[str, DraftEntity]
    claims: list[DraftClaim]
    agents: dict[str, tuple[str, str]]


class Extractor:
    """The loaded pipeline: tokenizer, sentence splitter and the dictionary of names."""

    def __init__(
        self, names: Sequence[TermName], keys: Sequence[str], corpus: Sequence[CorpusEntity] = ()
    ) -> None:
        import warnings

        import pysbd

        with warnings.catch_warnings():  # spaCy's own command line imports a name Click deprecates
            warnings.simplefilter("ignore", DeprecationWarning)
            import spacy

        self.nlp = spacy.blank("en")
        self.segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
        self.corpus = {e.id: e for e in corpus}
        self.names: dict[str, list[Any]] = {}
        #: The head word (singular) of each corpus name of two words ("herpes outbreaks") → the entities.
        self.heads: dict[str, set[str]] = {}
        for e in corpus:  # the corpus's entities first: their ids are reused
            for n in (e.label, *e.synonyms):
                self.names.setdefault(normalize(n), []).append(e)
                words = normalize(n).split()
                if len(words) == 2 and not words[0].endswith("ing"):
                    self.heads.setdefault(_singular(words[1]), set()).add(e.id)
        for term, key in zip(names, keys, strict=True):
            if (
                len(key) < 4
                or key in _GENERIC
                or (key in self.names and isinstance(self.names[key][0], CorpusEntity))
            ):
                continue
            self.names.setdefault(key, []).append(term)
            if term.vocabulary == "mesh" and term.name.count(", ") == 1:
                # MeSH inverts a descriptor's modifier ("Neuralgia, Postherpetic"): text writes it first
                head, modifier = term.name.split(", ")
                inverted = normalize(f"{modifier} {head}")
                if len(inverted.split()) <= MAX_TOKENS and inverted not in self.names:
                    self.names[inverted] = [term]

    def mentions(self, sentence: str) -> list[tuple[int, int, list[Any]]]:
        doc = self.nlp.make_doc(sentence)
        found: list[tuple[int, int, list[Any]]] = []
        cues = cue_spans(sentence)
        i = 0
        while i < len(doc):
            hit = None
            if not doc[i].is_punct and doc[i].lower_ not in ("the", "a", "an"):  # "the flu": flu
                for j in range(min(len(doc), i + MAX_TOKENS), i, -1):
                    span = doc[i:j]
                    if doc[j - 1].is_punct:
                        continue  # a name never ends on punctuation, or "A, B" would read as one name
                    named = self.names.get(normalize(span.text))
                    if named and isinstance(named[0], TermName) and not span.text.isupper():
                        # an acronym ("WILL", "HELP") names its term only when written in capitals
                        named = [t for t in named if not t.name.isupper()]
                    if named and any(a < span.end_char and span.start_char < b for a, b in cues):
                        break  # a relation cue's word ("ease", "complications of") names no entity
                    if named:
                        hit = (span.start_char, span.end_char, named, j)
                        break
            if not hit and self._bare_head(
                doc, i
            ):  # "if outbreaks are frequent": the corpus's "herpes outbreaks"
                e = self.corpus[next(iter(self.heads[_singular(doc[i].text)]))]
                hit = (doc[i].idx, doc[i].idx + len(doc[i]), [e], i + 1)
            if hit and found and not sentence[found[-1][1] : hit[0]].strip():
                # a name right after a name: "herpes infection" is herpes; "shingles vaccine" is a
                # compound, drafted as one phrase (no names: _phrase_entity)
                if not all(w.casefold() in _NAME_HEADS for w in sentence[hit[0] : hit[1]].split()):
                    found[-1] = (found[-1][0], hit[1], [])
                i = hit[3]
            elif hit:
                found.append(hit[:3])
                i = hit[3]
            else:
                i += 1
        return found

    def _bare_head(self, doc: Any, i: int) -> bool:
        """Whether token ``i`` is a noun alone (no modifier before it, none after) that is the head word of
        one corpus entity's two-word name only (:meth:`_phrase_entity`)."""
        word = doc[i].text
        if not word.isalpha() or len(self.heads.get(_singular(word), ())) != 1:
            return False
        before = doc[i - 1].text if i else ""
        after = doc[i + 1].text if i + 1 < len(doc) else ""
        return not (before and phrases.content_word(before)) and not (after and phrases.content_word(after))

    def extract(self, text: str) -> Draft:
        draft = Draft({}, [], {})
        self._ids: set[str] = set()
        self._seen: set[tuple[str, str, str, int]] = set()
        by_grounding: dict[tuple[str, str], str] = {}
        disclaimed_pairs: dict[frozenset[str], str] = {}
        previous: list[DraftClaim] = []
        recent: list[list[Mention]] = []  # the mentions of the sentences before, the last two
        prior: list[Mention] = []  # the mentions of the two sentences before this one
        antecedent: list[Mention] = []
        inflamed: set[str] = set()  # the entities :meth:`_irritated_parts` named
        every: list[Mention] = []  # the mentions of every sentence before this one
        defined = abbreviations(text)
        for seg in self.segmenter.segment(text):
            raw = text[seg.start : seg.end]
            start = seg.start + len(raw) - len(raw.lstrip())
            sentence = raw.strip()
            if not sentence or sentence.endswith("?"):
                continue  # a question puts nothing forward
            mentions = [Mention(a, b, self._entity(draft, by_grounding, sentence[a:b], named) if named
                                else self._phrase_entity(draft, by_grounding, sentence[a:b]))
                        for a, b, named in self.mentions(sentence)]  # fmt: skip
            mentions = self._illness_viruses(draft, by_grounding, sentence, mentions)
            mentions = self._abbreviated(draft, by_grounding, sentence, mentions, defined)
            mentions = self._with_phrases(draft, by_grounding, sentence, mentions)
            mentions = _long_forms(sentence, mentions)
            mentions = self._pains_in(draft, by_grounding, sentence, mentions)
            mentions = self._stiff_parts(draft, by_grounding, sentence, mentions)
            mentions = self._irritated_parts(
                draft, by_grounding, sentence, mentions, [m for ms in recent for m in ms], inflamed
            )
            mentions = self._processes_in(draft, by_grounding, sentence, mentions)
            mentions = self._habits(draft, by_grounding, sentence, mentions)
            mentions = self._resolve_definite(
                draft, sentence, mentions, [m for ms in recent for m in ms], every
            )
            mentions = self._resolve_outbreaks(
                draft, by_grounding, sentence, mentions, [m for ms in recent for m in ms]
            )
            mentions = self._resolve_episodes(draft, sentence, mentions, [m for ms in recent for m in ms])
            mentions = self._resolve_plural(draft, sentence, mentions, recent[-1] if recent else [])
            mentions = _resolve_them(sentence, mentions)
            prior = [m for ms in recent for m in ms]
            last = recent[-1] if recent else []  # the sentence before's
            recent = [*recent[-1:], mentions]
            every.extend(mentions)
            found = cue_rules.find_cues(sentence)
            claims = []
            for p in [
                *pairs(
                    sentence,
                    mentions,
                    antecedent,
                    self._pronoun_resolver(draft, sentence, mentions, prior, last),
                ),
                *self._named_after(draft, by_grounding, sentence, mentions),
                *_reciprocal(sentence, mentions),
                *self._unnamed_complications(draft, by_grounding, sentence, mentions),
            ]:
                if (p.subject.key, p.relation, p.object.key, start) in self._seen:
                    continue  # two cues stating the same link in one sentence: one claim
                self._seen.add((p.subject.key, p.relation, p.object.key, start))
                claims.append(self._claim(draft, text, start, sentence, p, found, mentions))
            own = pairs(sentence, mentions)
            if own:  # what "it" or "these illnesses" in the next sentence stands for
                antecedent = list({p.subject.key: p.subject for p in own if p.cue == own[0].cue}.values())
            for a, b in [(a, b) for t, a, b in found if t == "disclaimer"]:
                d = _cue_words(sentence, a, b)
                asserted = [c for c in claims if not c.premise]
                named = {m.key for m in mentions if a <= m.start and m.end <= b}
                # "this" points back; a sentence with no claim of its own disclaims the claims before it
                # that it names an entity of ("X eases Y. However, no research shows that X reaches …")
                back = [
                    c
                    for c in previous
                    if _POINTS_BACK.search(d) or (not claims and {c.subject, c.object} & named)
                ]
                reach = asserted + back
                for c in reach:
                    _add_cue(c, d, "disclaimer")
                    disclaimed_pairs.setdefault(frozenset((c.subject, c.object)), d)
                pairs_now = {frozenset((c.subject, c.object)) for c in reach}
                for c in draft.claims:  # restatements before it, in either direction (codebook, Support)
                    if frozenset((c.subject, c.object)) in pairs_now and (d, "disclaimer") not in c.cues:
                        _add_cue(c, d, "disclaimer")
                        c.reviews.append("disclaimed as a restatement of a link the source disclaims later")
                        if c not in previous and c.support in ("none-stated", "attributed"):
                            c.support = "disclaimed"  # settled already: its support is the disclaimer's
            for c in claims:
                earlier = disclaimed_pairs.get(frozenset((c.subject, c.object)))
                if earlier and (earlier, "disclaimer") not in c.cues:
                    _add_cue(c, earlier, "disclaimer")
                    c.reviews.append("disclaimed as a restatement of a link the source disclaimed earlier")
            for c in previous:
                _settle(c)
            previous = claims
            draft.claims.extend(claims)
        for c in previous:
            _settle(c)
        return draft

    def _named_after(
        self, draft: Draft, by_grounding: dict[tuple[str, str], str], sentence: str, mentions: list[Mention]
    ) -> list[Pair]:
        """A virus named after the illness it causes ("the measles virus"): the virus causes the illness,
        when the words before "virus" name an illness (an entity the rules do not read as an intervention,
        a lifestyle or a symptom)."""
        out = []
        for m in mentions:
            named = _NAMED_VIRUS.fullmatch(sentence, m.start, m.end)
            if not named:
                continue
            a, b = named.span("illness")
            found = self.names.get(normalize(sentence[a:b]))
            if not found:
                continue
            key = self._entity(draft, by_grounding, sentence[a:b], found)
            if key == m.key or phrases.guess_type(draft.entities[key].label) in _NOT_AN_INFECTION:
                continue
            out.append(Pair(m, "causes", Mention(a, b, key), named.span("virus"), 0.6,
                            'a virus named after the illness it causes ("the D virus")'))  # fmt: skip
        return out

    def _unnamed_complications(
        self, draft: Draft, by_grounding: dict[tuple[str, str], str], sentence: str, mentions: list[Mention]
    ) -> list[Pair]:
        """ "Gout has a number of complications", none named in the clause: gout has-complication
        "complications of gout", an entity drafted for the unnamed set (the curator may name them)."""
        out = []
        for m in mentions:
            has = _UNNAMED_COMPLICATIONS.match(sentence, m.end)
            if not has:
                continue
            label = f"complications of {draft.entities[m.key].label}"
            key = self._phrase_entity(draft, by_grounding, label)
            e = draft.entities[key]
            if e.review and e.review.startswith("drafted from a noun phrase"):
                e.type = "disease"
                e.review = "drafted for complications the text does not name: check the id and the label"
            out.append(Pair(m, "has-complication", Mention(*has.span("cue"), key), has.span("cue"), 0.5,
                            "complications the clause does not name, drafted as one entity"))  # fmt: skip
        return out

    def _entity(
        self, draft: Draft, by_grounding: dict[tuple[str, str], str], words: str, named: list[Any]
    ) -> str:
        if isinstance(named[0], CorpusEntity):
            e = named[0]
            if e.id not in draft.entities:
                gr = tuple((g.vocabulary, g.id, g.label, g.match) for g in e.groundings)
                draft.entities[e.id] = DraftEntity(e.id, e.label, e.type, e.synonyms, gr)
            return e.id
        best: dict[str, TermName] = {}
        for t in named:
            best.setdefault(t.vocabulary, t)
        groundings = tuple((t.vocabulary, t.id, t.label, t.match) for t in best.values())
        for v, i, _, _ in groundings:
            if (v, i) in by_grounding:
                return by_grounding[(v, i)]
        label = " ".join(words.split()).casefold() if not words.isupper() else words
        eid = slug(label)
        while eid in draft.entities:
            eid += "-x"
        guessed = TYPE_OF_VOCABULARY[next(iter(best))]
        draft.entities[eid] = DraftEntity(
            eid, label, guessed, (), groundings, f"the type {guessed} is a guess"
        )
        for v, i, _, _ in groundings:
            by_grounding[(v, i)] = eid
        return eid

    def _with_phrases(
        self, draft: Draft, by_grounding: dict[tuple[str, str], str], sentence: str, mentions: list[Mention]
    ) -> list[Mention]:
        """``mentions`` and the noun phrases beside the sentence's relation cues that are no name: a
        phrase holding a name as a modifier ("Epsom salt bath", "trouble passing urine") replaces it,
        unless all it adds is a generic head ("herpes infection" stays herpes)."""
        spans = set()
        cues = cue_spans(sentence)
        for start, end in cues:
            spans |= {phrases.before(sentence, start), *phrases.listed_after(sentence, end)}
        spans |= {phrases.means(sentence, m.start()) for m in re.finditer(r"\bby\b", sentence, re.I)}
        # an item of a list of names that no name covers ("X, cervical disc disease, and Y")
        spans |= set(phrases.list_gaps(sentence, [(m.start, m.end) for m in mentions]))
        # what one eats or drinks is a habit ("eat nutritious foods"): "these methods" may stand for it
        spans |= {phrases.after(sentence, m.end()) for m in _CONSUMES.finditer(sentence)}
        out = list(mentions)
        for a, b in sorted(s for s in spans if s):
            if any(x < b and a < y for x, y in cues):
                continue  # "… and ease neck pain": another cue, and its object
            if any(x.start <= a and b <= x.end for x in out):
                continue  # the phrase is (inside) a name
            inside = [x for x in out if a <= x.start and x.end <= b]
            if any(x.start < b and a < x.end for x in out if x not in inside):
                continue  # it crosses a name
            rest = sentence[inside[-1].end : b].split() if inside else []
            if inside and inside[0].start == a and all(w.casefold() in _NAME_HEADS for w in rest):
                continue
            if (
                inside
                and inside[-1].end == b
                and all(
                    w.casefold() in phrases.FREQUENCY_MODIFIERS for w in sentence[a : inside[0].start].split()
                )
            ):
                continue  # "daily antiviral treatment": the name, taken daily
            key = self._phrase_entity(draft, by_grounding, sentence[a:b])
            adjective = _COORDINATED_ADJECTIVE.search(sentence, 0, a)
            head = sentence[a:b].split()[-1]
            named = adjective and self.names.get(normalize(f"{adjective.group('adjective')} {head}"))
            if adjective and named:  # "Tight, overworked muscles": tight muscles, as a name says
                a = adjective.start("adjective")
                key = self._entity(draft, by_grounding, f"{adjective.group('adjective')} {head}", named)
            out = sorted([x for x in out if x not in inside] + [Mention(a, b, key)], key=lambda x: x.start)
        return out

    def _illness_viruses(
        self, draft: Draft, by_grounding: dict[tuple[str, str], str], sentence: str, mentions: list[Mention]
    ) -> list[Mention]:
        """ "The chickenpox virus", where no name says so: a mention of a pathogen named after the illness
        it causes, drafted from the words (the illness alone is a disease; :meth:`_named_after` states that
        the virus causes it)."""
        out = list(mentions)
        for x in mentions:
            virus = _VIRUS_AFTER.match(sentence, x.end)
            if not virus or not self._names_kind(draft, x.key, "", True):
                continue
            if any(x.end < y.end and y.start < virus.end() for y in out):
                continue  # another name covers "virus"
            words = sentence[x.start : virus.end()]
            key = self._named_or_typed(
                draft, by_grounding, words, words, "pathogen", "a virus named after the illness it causes"
            )
            out = _widened(out, x, virus.end(), key)
        return out

    def _pains_in(
        self, draft: Draft, by_grounding: dict[tuple[str, str], str], sentence: str, mentions: list[Mention]
    ) -> list[Mention]:
        """ "An ache low in the back" names low back pain, "aching in the lower back or buttocks" lower back
        pain and buttock pain: the part's pain, where a name says so (no name, no mention)."""
        out = list(mentions)
        found = [[(m.start("part"), m.end(), m.group("part"))] for m in _PART_HURTS.finditer(sentence)]
        for m in _PAIN_IN.finditer(sentence):
            low = (m.group("low") or "").strip()
            found.append([
                (m.start(), m.end("part"), f"{low} {m.group('part')}"),
                (*m.span("part2"), m.group("part2")),
            ])  # fmt: skip
        for spans in found:
            for a, b, part in spans:
                if part is None:
                    continue
                words = f"{part} pain"
                named = self.names.get(normalize(words)) or self.names.get(normalize(_singular(words)))
                if not named:
                    break  # "ache in the X or Y": Y is the part only if X is one
                key = self._entity(
                    draft, by_grounding, _singular(words) if part.endswith("s") else words, named
                )
                out = _placed(out, a, b, key)
        return out

    def _processes_in(
        self, draft: Draft, by_grounding: dict[tuple[str, str], str], sentence: str, mentions: list[Mention]
    ) -> list[Mention]:
        """ "Inflammation in the nerves": a pathological process named with the part of the body it is in,
        one mention of the part's process (named if "nerve inflammation" is a name, else drafted from
        the words), not the process anywhere."""
        out = list(mentions)
        for x in mentions:
            e = draft.entities[x.key]
            where = _IN_PART.match(sentence, x.end)
            if not where or not phrases.body_part(where.group("part")):
                continue
            if "pathological-process" not in (e.type, phrases.guess_type(e.label)):
                continue
            if any(y.start < where.end() and x.end < y.end for y in out if y != x):
                continue
            words = sentence[x.start : where.end()]
            name = f"{_singular(where.group('part'))} {sentence[x.start : x.end]}"
            key = self._named_or_typed(
                draft,
                by_grounding,
                name,
                words,
                "pathological-process",
                "a process and where in the body it is",
            )
            out = _widened(out, x, where.end(), key)
        return out

    def _stiff_parts(
        self, draft: Draft, by_grounding: dict[tuple[str, str], str], sentence: str, mentions: list[Mention]
    ) -> list[Mention]:
        """ "Relaxes the muscles", "loosen tight muscles": the part's stiffness, named at the part's words,
        where a name says so ("muscle stiffness", "stiff muscles", "tight muscles"; no name, no mention);
        "loosens them" after a mention of a part in the plural ("the sore muscles"), that part's."""
        out = list(mentions)
        found = [(*m.span("part"), m.group("part")) for m in _PART_RELAXED.finditer(sentence)]
        for m in _THEM_RELAXED.finditer(sentence):
            before = [x for x in out if x.end <= m.start("part")]
            last = sentence[before[-1].start : before[-1].end].split()[-1] if before else ""
            if phrases.body_part(last) and last.casefold().endswith("s"):
                found.append((*m.span("part"), last))
        for a, b, part in found:
            for words in (f"{_singular(part)} stiffness", f"stiff {part}", f"tight {part}"):
                named = self.names.get(normalize(words))
                if named:
                    key = self._entity(draft, by_grounding, words, named)
                    out = _placed(out, a, b, key)
                    break
        return out

    def _irritated_parts(
        self,
        draft: Draft,
        by_grounding: dict[tuple[str, str], str],
        sentence: str,
        mentions: list[Mention],
        before: list[Mention],
        inflamed: set[str],
    ) -> list[Mention]:
        """ "Irritate the sacral nerves", "irritates the joints": the part's inflammation, named at the part's
        words where a name says so ("nerve inflammation", "inflammation in the nerves", the "-itis" word of
        :data:`phrases.INFLAMMATION_OF`; no name, no mention); its keys are added to ``inflamed``. Then "that
        irritation", "this inflammation" stand for the latest of them named before, in this sentence or the two
        before (``before``)."""
        out = list(mentions)
        for m in _PART_IRRITATED.finditer(sentence):
            words = m.group("part").split()
            part = _singular(words[-1]).casefold()
            if not phrases.body_part(words[-1]):
                continue
            tried = [f"{part} inflammation", f"inflammation in the {words[-1]}"]
            tried += [phrases.INFLAMMATION_OF[part]] if part in phrases.INFLAMMATION_OF else []
            for name in tried:
                named = self.names.get(normalize(name))
                if named:
                    key = self._entity(draft, by_grounding, name, named)
                    if key not in self.corpus:  # an inflammation is a process (docs/codebook.md), no illness
                        e = draft.entities[key]  # with outbreaks of its own
                        e.type = "pathological-process"
                        e.review = f'read as the inflammation of "{m.group("part")}": check it and the type'
                    a, b = m.span("part")
                    out = _placed(out, a, b, key)
                    inflamed.add(key)
                    break
        for m in _INFLAMMATION_ANAPHOR.finditer(sentence):
            a, b = m.span()
            earlier = [x for x in [*before, *(x for x in out if x.end <= a)] if x.key in inflamed]
            if not earlier:
                continue
            key = earlier[-1].key
            out = _placed(out, a, b, key)
        return out

    def _abbreviated(
        self,
        draft: Draft,
        by_grounding: dict[tuple[str, str], str],
        sentence: str,
        mentions: list[Mention],
        defined: dict[str, str],
    ) -> list[Mention]:
        """Each occurrence of a short form the text defines (:func:`abbreviations`) that no name covers,
        as a mention of its long form's entity: named if the long form is a name, else drafted with the
        short form as label and the long form as synonym (the long form's words at the definition are
        merged with it by :func:`_long_forms`)."""
        out = list(mentions)
        for short, long in defined.items():
            for m in re.finditer(rf"(?<![\w-]){re.escape(short)}(?![\w-])", sentence):
                a, b = m.span()
                if any(x.start < b and a < x.end for x in out):
                    continue
                key, e = self._named_or_drafted(draft, by_grounding, long, short)
                if e is not None:
                    e.synonyms = (long,)
                    e.type = phrases.guess_type(long)
                    e.review = (
                        f"drafted from an abbreviation the text defines ({long} ({short})): check the id, "
                        f"the type ({e.type}, a guess) and whether a corpus entity is meant"
                    )
                out = sorted([*out, Mention(a, b, key)], key=lambda x: x.start)
        return out

    def _habits(
        self, draft: Draft, by_grounding: dict[tuple[str, str], str], sentence: str, mentions: list[Mention]
    ) -> list[Mention]:
        """ "Remain healthy", "stay active": a habit (phrases.habits), named by its gerund ("remaining
        healthy") as a name says or else drafted as a lifestyle; it replaces a name of the state word alone
        (HPO's "Healthy"), not one that crosses it."""
        out = list(mentions)
        for a, b, name in phrases.habits(sentence):
            inside = [x for x in out if a <= x.start and x.end <= b]
            if any(x.start < b and a < x.end for x in out if x not in inside):
                continue
            out = [x for x in out if x not in inside]
            key, e = self._named_or_drafted(draft, by_grounding, name, name)
            if e is not None:
                e.type = "lifestyle"
                e.review = (
                    f"drafted from a verb of keeping a state ({sentence[a:b]!r}) as a habit: check "
                    "the id and whether a corpus entity is meant"
                )
            out = sorted([*out, Mention(a, b, key)], key=lambda x: x.start)
        return out

    def _resolve_definite(
        self,
        draft: Draft,
        sentence: str,
        mentions: list[Mention],
        before: list[Mention],
        earlier: Sequence[Mention] = (),
    ) -> list[Mention]:
        """ "The infection", "the same virus": the most recent entity before it, in this sentence or the
        two before, of a kind the noun can name (a pathogen for "virus", a disease or pathogen otherwise).
        "The virus" with no pathogen there is the latest one of the text before (``earlier``, every mention
        of the sentences before): a text names few viruses, and "the virus" is the one it is about; "the
        infection", "the illness" stay within the two sentences (a text names many illnesses)."""
        out = list(mentions)
        for m in _DEFINITE.finditer(sentence):
            a, b = m.span("noun")
            noun = m.group("noun").casefold()
            candidates = [*before, *(x for x in out if x.end <= m.start())]
            specified = _SPECIFIED.match(sentence, m.end())
            if specified:  # the antecedent comes after: the first entity of the kind after the copula
                candidates = [x for x in reversed(out) if x.start >= specified.start("rest")]
            # "the infection" is an illness before it is a pathogen: the latest disease, else the latest pathogen
            antecedent = next(
                (x for x in reversed(candidates) if self._names_kind(draft, x.key, noun, True)), None
            )
            antecedent = antecedent or next(
                (x for x in reversed(candidates) if self._names_kind(draft, x.key, noun)), None
            )
            if antecedent is None and noun.startswith("virus") and not specified:
                antecedent = next(
                    (x for x in reversed(earlier) if self._names_kind(draft, x.key, noun)), None
                )
            if antecedent is None:
                continue
            out = _placed(out, a, b, antecedent.key)
        return out

    def _resolve_outbreaks(
        self,
        draft: Draft,
        by_grounding: dict[tuple[str, str], str],
        sentence: str,
        mentions: list[Mention],
        before: list[Mention],
    ) -> list[Mention]:
        """ "An outbreak", "outbreaks" with no "of" and no name of their own: outbreaks of the latest illness
        named before, in this sentence or the two before ("herpes outbreaks"), named if a name says so,
        else drafted; not where the word alone names a corpus entity already."""
        out = list(mentions)
        for m in _OUTBREAK.finditer(sentence):
            a, b = m.span("noun")
            covering = [x for x in out if x.start < b and a < x.end]
            if any(x.key in self.corpus or (x.start, x.end) != (a, b) for x in covering):
                continue  # a corpus entity, or a longer name ("herpes outbreaks")
            candidates = [*before, *(x for x in out if x.end <= a)]
            illness = next(
                (x.key for x in reversed(candidates) if self._names_kind(draft, x.key, "", True)), None
            )
            if illness is None:
                continue
            words = f"{draft.entities[illness].label} {m.group('noun').casefold()}"
            key, e = self._named_or_drafted(draft, by_grounding, words, words)
            if e is not None:
                e.type = "disease"
                e.review = (
                    f"read as outbreaks of the illness named before {m.group('noun')!r}: check the id and "
                    "whether a corpus entity is meant"
                )
            out = sorted([x for x in out if x not in covering] + [Mention(a, b, key)], key=lambda x: x.start)
        return out

    def _resolve_episodes(
        self, draft: Draft, sentence: str, mentions: list[Mention], before: list[Mention]
    ) -> list[Mention]:
        """ "An episode of X", "an attack of X": X; "an episode" alone: the latest disease named before it,
        in this sentence or the two before."""
        out = list(mentions)
        for m in _EPISODE.finditer(sentence):
            a, b = m.span("noun")
            if not m.group("det") and not m.group("of"):
                continue  # "episodes" alone, with no determiner: no episode of an illness named
            if m.group("of"):
                named = next((x for x in out if x.start == m.end()), None)
                key, b = (named.key, named.end) if named else (None, b)
            else:
                candidates = [*before, *(x for x in out if x.end <= m.start())]
                key = next(
                    (x.key for x in reversed(candidates) if self._names_kind(draft, x.key, "", True)), None
                )
            if key is None:
                continue
            out = _placed(out, a, b, key)
        return out

    @staticmethod
    def _pronoun_resolver(
        draft: Draft, sentence: str, mentions: list[Mention], before: list[Mention], last: list[Mention]
    ) -> Callable[[int, int, str], list[Mention]]:
        """What "it" stands for as a relation's subject, as mentions at the pronoun's offsets: after a
        fronted subordinate clause ("once X is linked to Y, it can cause Z"), each entity that clause
        names (its subject or its object: the curator picks); else the latest mention before it, in this
        sentence or the two before, of a kind the relation takes as subject (a means for "alleviates").
        An anaphoric means ("that way", "by doing so": relations.MANNER_ANAPHOR) stands for what the
        sentence before (``last``) advises doing: each intervention, drug or habit it names."""

        def fits(key: str, relation: str) -> bool:
            means = _is_means(draft.entities[key])
            return means if relation in MEANS_RELATIONS else not means or relation not in _CAUSAL_RELATIONS

        def resolve(start: int, end: int, relation: str) -> list[Mention]:
            if sentence[start:end].casefold() != "it":  # "that way": a means of the sentence before
                keys = dict.fromkeys(m.key for m in last if _is_means(draft.entities[m.key]))
                return [Mention(start, end, k) for k in keys]
            clause = _SUBORDINATE.search(sentence, 0, start)
            found: list[str] = []
            if clause:
                a, b = clause.span("clause")
                inner = re.search(r"\bit\b", sentence[a:b], re.I)
                if inner:  # "when it reactivates as X, it …": what the clause's own "it" stands for, too
                    found += [m.key for m in resolve(a + inner.start(), a + inner.end(), "")]
                found += [m.key for m in mentions if a <= m.start and m.end <= b]
                found = [k for k in dict.fromkeys(found) if fits(k, relation)]
            if not found:
                candidates = [*before, *(m for m in mentions if m.end <= start)]
                found = [next((m.key for m in reversed(candidates) if fits(m.key, relation)), "")]
            return [Mention(start, end, k) for k in found if k]

        return resolve

    @staticmethod
    def _resolve_plural(
        draft: Draft, sentence: str, mentions: list[Mention], before: list[Mention]
    ) -> list[Mention]:
        """ "These methods", "such remedies": every intervention, drug or habit the sentence before named, as
        mentions at the same offsets (one argument, expanded to each, as a list is: relations.pairs)."""
        out = list(mentions)
        for m in _PLURAL_ANAPHOR.finditer(sentence):
            means = [x for x in before if _is_means(draft.entities[x.key])]
            if not means or any(x.start < m.end() and m.start() < x.end for x in out):
                continue
            keys = dict.fromkeys(x.key for x in means)
            out = sorted([*out, *(Mention(m.start(), m.end(), k) for k in keys)], key=lambda x: x.start)
        return out

    @staticmethod
    def _names_kind(draft: Draft, key: str, noun: str, strict: bool = False) -> bool:
        """Whether the entity ``key`` is of a kind ``noun`` can name; ``strict``: only the kind the noun
        names first (a pathogen for "virus", a disease for "infection", "illness", "disease", "condition")."""
        e = draft.entities[key]
        guessed = phrases.guess_type(e.label)
        if (
            normalize(e.label) in _DEFINITE_NOUNS
            or guessed in _NOT_AN_INFECTION
            or _OUTBREAK.search(e.label)
            or e.type == "pathological-process"
        ):  # "infection" itself, a symptom, a treatment, an illness's outbreaks, or a process (an inflammation)
            return False
        if noun.startswith("virus"):
            return "pathogen" in (e.type, guessed)
        if strict:  # a disease, unless its head word says pathogen ("mumps virus": MeSH's terms are all typed disease)
            return guessed != "pathogen" and "disease" in (e.type, guessed)
        return e.type in ("disease", "pathogen") or guessed in ("disease", "pathogen")

    def _named_or_drafted(
        self, draft: Draft, by_grounding: dict[tuple[str, str], str], name: str, words: str
    ) -> tuple[str, DraftEntity | None]:
        """The entity that ``name`` names, else the one :meth:`_phrase_entity` makes of ``words``; with
        it, an entity just drafted from a noun phrase, for the caller to say what it was drafted from."""
        named = self.names.get(normalize(name))
        if named:
            return self._entity(draft, by_grounding, name, named), None
        key = self._phrase_entity(draft, by_grounding, words)
        e = draft.entities[key]
        return key, e if e.review and e.review.startswith("drafted from a noun phrase") else None

    def _named_or_typed(
        self,
        draft: Draft,
        by_grounding: dict[tuple[str, str], str],
        name: str,
        words: str,
        kind: str,
        origin: str,
    ) -> str:
        """The key of :meth:`_named_or_drafted`; an entity it drafted gets the type ``kind`` and a review
        note saying it was drafted from ``origin``."""
        key, drafted = self._named_or_drafted(draft, by_grounding, name, words)
        if drafted is not None:
            drafted.type = kind
            drafted.review = (
                f"drafted from {origin} ({words!r}): check the id and whether a corpus entity is meant"
            )
        return key

    def _phrase_entity(self, draft: Draft, by_grounding: dict[tuple[str, str], str], words: str) -> str:
        # a name in its singular form too ("daily activities" is the corpus's "daily activity")
        named = self.names.get(normalize(words)) or self.names.get(normalize(_singular(words)))
        if named:
            return self._entity(draft, by_grounding, words, named)
        heads = self.heads.get(_singular(words), set()) if len(words.split()) == 1 else set()
        if len(heads) == 1:  # "an outbreak" where the corpus names only "herpes outbreaks" with that head
            e = self.corpus[next(iter(heads))]
            if e.id not in draft.entities:
                self._entity(draft, by_grounding, words, [e])
                draft.entities[
                    e.id
                ].review = f"named by its head word only ({words!r}): check this entity is meant"
            return e.id
        label = " ".join(words.split())
        label = label if label.isupper() else label.casefold()
        same = next((e.id for e in draft.entities.values() if _singular(e.label) == _singular(label)), None)
        if same:  # "Epsom salt baths" after "an Epsom salt bath": the entity drafted before
            return same
        eid = slug(label)
        while eid in draft.entities and draft.entities[eid].label != label:
            eid += "-x"
        if eid not in draft.entities:
            kind = phrases.guess_type(label)
            draft.entities[eid] = DraftEntity(
                eid,
                label,
                kind,
                _singular_synonym(label),
                review=f"drafted from a noun phrase no vocabulary names: check the id, "
                f"the type ({kind}, a guess) and whether a corpus entity is meant",
            )
        return eid

    def _claim(self, draft: Draft, text: str, start: int, sentence: str, p: Pair,
               found: list[tuple[str, int, int]], mentions: list[Mention]) -> DraftClaim:  # fmt: skip
        cid = base = f"{p.subject.key}-{p.relation}-{p.object.key}"
        n = 1
        while cid in self._ids:
            n += 1
            cid = f"{base}-{n}"
        self._ids.add(cid)
        before = text.count(sentence, 0, start)
        occurrence = before + 1 if text.count(sentence) > 1 else None
        claim = DraftClaim(cid, p.subject.key, p.relation, p.object.key, sentence, occurrence, [],
                           "affirmed", "none-stated", None, p.confidence, [p.review] if p.review else [])  # fmt: skip
        ends = (
            [p.object, p.subject] if p.subject in mentions else [p.object]
        )  # an antecedent's offsets are another sentence's
        lo, hi = min(*(m.start for m in ends), p.cue[0]), max(*(m.end for m in ends), p.cue[1])
        names = [(m.start, m.end) for m in mentions]
        lo = _list_start(sentence, names, lo)
        verbs = [c for c in cue_spans(sentence) if c != p.cue]
        claim.premise = any(k == "condition" and a <= p.cue[0] < b for k, a, b in found)
        for kind, a, b in found:
            words = sentence[a:b]
            if kind == "disclaimer":
                continue  # given by its reach (extract), which leaves out a premise in a condition
            if kind in ("negation", "speculation", "likelihood") and not (lo - 25 <= a and b <= hi):
                continue  # a negation or hedge elsewhere in the sentence is another link's
            if (
                kind in ("negation", "speculation", "likelihood")
                and a < lo
                and any(a < y and x < lo for x, y in verbs)
            ):
                continue  # before another relation cue: that verb's ("A may ease B, and C relieves D")
            if kind != "attribution" and not cue_rules.governs(sentence, (a, b), (lo, hi), names):
                continue  # another clause's: "if …" after ", and Y causes Z", "A may …, and B causes C"
            if kind == "attribution":
                if a > p.cue[0] and not words.casefold().startswith("according"):
                    continue
                agent = slug(cue_rules.agent_name(words))
                draft.agents.setdefault(agent, (cue_rules.agent_name(words), cue_rules.agent_type(words)))
                claim.attributed_to = agent
            _add_cue(claim, _cue_words(sentence, a, b), kind)
        for a, b in cue_rules.citations(sentence):
            level = next((lvl for rx, lvl in DESIGNS if rx.search(sentence)), None)
            if level:
                claim.support = level
            claim.reviews.append(f"a citation marker {sentence[a:b]!r}: check what it supports")
        return claim


def abbreviations(text: str) -> dict[str, str]:
    """The short forms a text defines in brackets after their long form, and the long forms: "herpes
    simplex virus type 2 (HSV-2)" defines HSV-2. Schwartz and Hearst's rule (PSB 2003): a short form of two
    to ten characters with a capital letter, no space, starting with a letter or digit, whose letters and
    digits are found in order, right to left, in the words before the bracket, its first one opening a
    word; the long form is at most min(n + 5, 2n) words (n the short form's length), and starts at that word.

    >>> abbreviations("It is rare (CBD) but gout (G) and carpal tunnel syndrome (CTS) are not.")
    {'CTS': 'carpal tunnel syndrome'}
    """
    out: dict[str, str] = {}
    for m in _BRACKETED.finditer(text):
        short = m.group(1)
        if not (
            2 <= len(short) <= 10
            and " " not in short
            and short[0].isalnum()
            and any(c.isupper() for c in short)
            and short not in out
        ):
            continue
        words = re.findall(r"\S+", text[: m.start()].rsplit(".", 1)[-1])
        window = " ".join(words[-min(len(short) + 5, 2 * len(short)) :])
        long = _long_form(short, window)
        if long and len(long.split()) > 1 and long.casefold() != short.casefold():
            out[short] = long
    return out


def _long_form(short: str, window: str) -> str | None:
    """The shortest end of ``window`` holding ``short``'s letters and digits in order, the first at a word's
    start (Schwartz and Hearst's findBestLongForm), or None."""
    s, i = len(short) - 1, len(window) - 1
    while s >= 0:
        c = short[s].casefold()
        if not c.isalnum():
            s -= 1
            continue
        while i >= 0 and (window[i].casefold() != c or (s == 0 and i > 0 and window[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i -= 1
        s -= 1
    start = window.rfind(" ", 0, i + 1) + 1
    return window[start:].strip(" ,;:") or None


def _is_means(entity: DraftEntity) -> bool:
    """Whether an entity is an intervention, a drug or a habit (its head word says so where its type is a guess)."""
    guessed = entity.review is not None and phrases.guess_type(entity.label) in _MEANS_TYPES
    return entity.type in _MEANS_TYPES or guessed


def _list_start(sentence: str, names: list[tuple[int, int]], start: int) -> int:
    """Where the list of names ending with the one at ``start`` begins ("gout, obesity and smoking" for
    smoking), so that a cue before the list reaches each of its names alike; ``start`` if there is none."""
    link = _LIST_END
    while (
        x := next((x for x, y in names if y <= start and link.fullmatch(sentence, y, start)), None)
    ) is not None:
        start, link = x, _LIST_LINK
    return start


def _cue_words(sentence: str, a: int, b: int) -> str:
    """A cue's words as the draft writes them, long enough that their first occurrence in the sentence
    (the claim's quote, where ``medkg build`` looks first) is the cue's own: "can" in "Spinal cancer can
    worsen it" would be found inside "cancer", so it is written "can worsen" (words added after, then before)."""
    while sentence.find(sentence[a:b]) != a and b < len(sentence):
        b = _NEXT_WORD.match(sentence, b).end()  # type: ignore[union-attr]
    while sentence.find(sentence[a:b]) != a and a > 0:
        a = sentence.rindex(" ", 0, a - 1) + 1 if " " in sentence[: a - 1] else 0
    return sentence[a:b]


def _reciprocal(sentence: str, mentions: list[Mention]) -> list[Pair]:
    """ "If you have gout and your knee hurts, the two are unrelated": the two entities named last before
    "the two", associated (the negation is a cue's to mark)."""
    out = []
    for m in _RECIPROCAL.finditer(sentence):
        before = list({x.key: x for x in mentions if x.end <= m.start()}.values())
        if len(before) >= 2:
            first, second = sorted(before[-2:], key=lambda x: x.start)
            out.append(Pair(first, "associated-with", second, m.span("cue"), 0.5,
                            '"the two" read as the last two entities named before it'))  # fmt: skip
    return out


def _resolve_them(sentence: str, mentions: list[Mention]) -> list[Mention]:
    """ "Them": the latest mention before it in the sentence written in the plural ("if outbreaks are
    frequent, X can make them less common")."""
    out = list(mentions)
    for m in re.finditer(r"\bthem\b", sentence, re.I):
        plural = [x for x in out if x.end <= m.start() and re.search(r"[^s's]s$", sentence[x.start : x.end])]
        if plural and not any(x.start < m.end() and m.start() < x.end for x in out):
            out = sorted([*out, Mention(m.start(), m.end(), plural[-1].key)], key=lambda x: x.start)
    return out


def _long_forms(sentence: str, mentions: list[Mention]) -> list[Mention]:
    """A long form and its short form in brackets ("herpes simplex virus type 2 (HSV-2)"): one mention,
    of the entity the short form names (the long form's words may name a broader one: herpes)."""
    out = list(mentions)
    for m in _BRACKETED.finditer(sentence):
        inner = [x for x in out if m.start(1) <= x.start and x.end <= m.end(1)]
        words = [x for x in out if x.end <= m.start() and _LONG_FORM.fullmatch(sentence[x.start : m.start()])]
        if len(inner) == 1 and words:
            start = min(x.start for x in words)
            out = [x for x in out if x not in words and x not in inner]
            out = sorted([*out, Mention(start, m.end(), inner[0].key)], key=lambda x: x.start)
    return out


def _singular_synonym(label: str) -> tuple[str, ...]:
    """A plural label's singular, as a synonym (as curated files list "backache" and "backaches"): its last
    word less "ies" or an "s" after a consonant ("daily activities" → "daily activity", "worn discs" →
    "worn disc"); none where the plural's ending is ambiguous ("muscles", "herpes": "-es")."""
    head = label.rsplit(" ", 1)[-1]
    singular = (
        re.sub(r"(?<=\w\w)ies$", "y", head)
        if head.endswith("ies")
        else re.sub(r"(?<=[^\Waeiousy])s$", "", head)
    )
    return (label[: len(label) - len(head)] + singular,) if singular != head else ()


def _placed(mentions: list[Mention], a: int, b: int, key: str) -> list[Mention]:
    """``mentions`` without those that overlap ``a``..``b``, and a mention of ``key`` there, in order."""
    kept = [x for x in mentions if not (x.start < b and a < x.end)]
    return sorted([*kept, Mention(a, b, key)], key=lambda x: x.start)


def _widened(mentions: list[Mention], x: Mention, end: int, key: str) -> list[Mention]:
    """``mentions`` with ``x`` replaced by a mention of ``key`` from ``x``'s start to ``end``, in order."""
    return sorted([y for y in mentions if y != x] + [Mention(x.start, end, key)], key=lambda y: y.start)


def _singular(phrase: str) -> str:
    """A phrase's words without their plural endings ("ginger compresses" → "ginger compress")."""
    return " ".join(
        re.sub(r"(?:(?<=ss)|(?<=sh)|(?<=ch)|(?<=x))es$|(?<=[^su])s$", "", re.sub(r"(?<=\w\w)ies$", "y", w))
        for w in re.findall(r"\w+", phrase.casefold())
    )


def _add_cue(claim: DraftClaim, words: str, kind: str) -> None:
    if (words, kind) not in claim.cues:
        claim.cues.append((words, kind))


def _settle(claim: DraftClaim) -> None:
    """Polarity and support from the cues, as docs/codebook.md says (certainty is medkg's to derive)."""
    kinds = {k for _, k in claim.cues}
    claim.polarity = "negated" if "negation" in kinds else "affirmed"
    if "disclaimer" in kinds:
        claim.support = "disclaimed"
    elif claim.support == "none-stated" and claim.attributed_to:
        claim.support = "attributed"
    if "negation" in kinds and "disclaimer" in kinds:
        claim.reviews.append("both a negation and a disclaimer: is the claim denied, or only unsupported?")
        claim.confidence -= 0.2
    claim.confidence = round(max(0.05, claim.confidence), 2)
