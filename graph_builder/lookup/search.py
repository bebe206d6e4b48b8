"""``medkg lookup TEXT``: the corpus's entities that TEXT names, then the vocabulary terms, each ranked by
the rules of :mod:`graph_builder.lookup.index`; and a ready entity block for an annotation file.

The vocabulary index (about 170,000 names) is built once per process and kept
(:func:`vocabulary_index`); a lookup after the first only searches it. (No example runs here: the
first lookup reads every package and writes the disk cache; tests/lookup/ runs them with a cache of
their own.)
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from graph_builder.core.model import Grounding
from graph_builder.core.packages import PACKAGES
from graph_builder.core.tables import printable, table_lines
from graph_builder.lookup.cache import load_names
from graph_builder.lookup.corpus import CorpusEntity, entity_yaml
from graph_builder.lookup.index import TIERS, Found, Name, NameIndex
from graph_builder.lookup.terms import TermName

#: The entity type a new entity block gets from its best grounding's vocabulary (``--type`` overrides).
TYPE_OF_VOCABULARY = {"hpo": "sign-or-symptom", "doid": "disease", "icd10cm": "disease", "mesh": "disease"}


@dataclass(frozen=True)
class TermHit:
    """A vocabulary term the text names; ``kind`` is how (a key of :data:`~graph_builder.lookup.index.TIERS`)."""

    vocabulary: str
    id: str
    label: str
    kind: str
    name: str
    """The name that matched (the label, an inclusion term or a lay synonym)."""
    match: str
    """How well that name fits the term, as a grounding's ``match``: ``exact`` or ``close``."""

    @property
    def grounding(self) -> Grounding:
        return Grounding(self.vocabulary, self.id, self.label, self.match)


@dataclass(frozen=True)
class EntityHit:
    """A corpus entity the text names: by its own label, synonym or id, or through a grounding term
    the text names exactly (``via`` is then that term's CURIE)."""

    entity: CorpusEntity
    kind: str
    name: str
    via: str | None = None


@dataclass(frozen=True)
class Lookup:
    """What one text names: corpus entities first, then vocabulary terms, each best first."""

    text: str
    entities: list[EntityHit]
    terms: list[TermHit]


class VocabularyIndex:
    """Every vocabulary term once, with all its names in one :class:`NameIndex`."""

    def __init__(self, names: Sequence[TermName], keys: Sequence[str] | None = None) -> None:
        self.terms: list[TermName] = []  # the first name of each term: its label
        self.lay_match: dict[tuple[str, str, str], str] = {}
        target: dict[tuple[str, str], int] = {}
        entries = []
        for n in names:  # the ~170,000 names: kept to the plain steps, this is most of a first lookup
            at = target.get((n.vocabulary, n.id))
            if at is None:
                at = target[(n.vocabulary, n.id)] = len(self.terms)
                self.terms.append(n)
            entries.append(Name(n.name, n.kind, at))
            if n.kind == "lay":
                self.lay_match[(n.name, n.vocabulary, n.id)] = n.match
        self.index = NameIndex(entries, keys)

    def search(self, text: str, limit: int | None = None) -> list[TermHit]:
        return [self._hit(f) for f in self.index.search(text, limit)]

    def _hit(self, found: Found) -> TermHit:
        term = self.terms[found.target]
        match = self.lay_match.get((found.name, term.vocabulary, term.id), "exact")
        return TermHit(term.vocabulary, term.id, term.label, found.kind, found.name, match)


@lru_cache(maxsize=1)
def vocabulary_index() -> VocabularyIndex:
    """The index of every vocabulary's names, built on first use and kept for the process (the names
    themselves are cached on disk: :mod:`graph_builder.lookup.cache`)."""
    return VocabularyIndex(*load_names())


def _entity_names(entities: Sequence[CorpusEntity]) -> list[Name]:
    names = []
    for i, e in enumerate(entities):
        names.append(Name(e.label, "label", i))
        names += [Name(s, "synonym", i) for s in e.synonyms]
        names.append(Name(e.id, "synonym", i))
    return names


def lookup(text: str, entities: Sequence[CorpusEntity], *, limit: int = 10) -> Lookup:
    """The entities (of ``entities``) and the vocabulary terms ``text`` names, at most ``limit`` of each."""
    every = vocabulary_index().search(text)  # best first: the exact ones below are its head
    terms = every[:limit]
    found = {f.target: EntityHit(entities[f.target], f.kind, f.name)
             for f in NameIndex(_entity_names(entities)).search(text)}  # fmt: skip
    ranks = {t: (TIERS[h.kind], i) for i, (t, h) in enumerate(found.items())}
    # An entity grounded in a term the text names exactly (a lay synonym, say) is found through it.
    exact = {(h.vocabulary, h.id): h for h in every if TIERS[h.kind] <= TIERS["lay"]}
    for i, e in enumerate(entities):
        term = next(
            (exact[(g.vocabulary, g.id)] for g in e.groundings if (g.vocabulary, g.id) in exact), None
        )
        # ranked as a synonym of the entity, never above its own label or synonyms
        if term is not None and (i not in ranks or ranks[i][0] > TIERS["synonym"]):
            found[i] = EntityHit(e, term.kind, term.name, via=term.grounding.curie)
            ranks[i] = (TIERS["synonym"], len(entities) + i)
    order = sorted(found, key=lambda i: ranks[i])[:limit]
    return Lookup(text, [found[i] for i in order], terms)


# --- output -----------------------------------------------------------------------------------------


def _how(kind: str, name: str, via: str | None = None) -> str:
    said = "" if kind in ("label", "prefix", "words") else f" {name!r}"
    return f"{kind}{said}" + (f" via {via}" if via else "")


def format_table(result: Lookup) -> str:
    """Both lists as text tables for people."""
    out = [f"corpus entities named by {result.text!r}:"]
    if result.entities:
        # the graph's text is printed as data: no control character reaches the terminal
        rows = [[printable(h.entity.id), printable(h.entity.label), h.entity.type, _how(h.kind, h.name, h.via),
                 str(len(h.entity.sources))] for h in result.entities]  # fmt: skip
        headers = ["id", "label", "type", "match", "sources"]
        out += ["  " + line for line in table_lines(rows, headers, right=[False] * 4 + [True], max_width=60)]
        for h in result.entities:
            if h.entity.sources:  # a line each, not a cell: source ids are long and hyphenated
                listed = printable(f"{h.entity.id} is used by: {', '.join(h.entity.sources)}")
                out += textwrap.wrap(listed, 108, initial_indent="  ", subsequent_indent="    ",
                                     break_on_hyphens=False)  # fmt: skip
    else:
        out.append("  none")
    out.append("vocabulary terms:")
    if result.terms:
        rows = [[PACKAGES[t.vocabulary].name, t.id, t.label, _how(t.kind, t.name)] for t in result.terms]
        out += [
            "  " + line for line in table_lines(rows, ["vocabulary", "id", "label", "match"], max_width=60)
        ]
    else:
        out.append("  none")
    return "\n".join(out) + "\n"


def format_json(result: Lookup) -> str:
    """Both lists as JSON."""
    data = {
        "text": result.text,
        "entities": [
            {"id": h.entity.id, "label": h.entity.label, "type": h.entity.type, "sources": list(h.entity.sources),
             "match": h.kind, "name": h.name, "via": h.via}
            for h in result.entities
        ],
        "terms": [
            {"vocabulary": t.vocabulary, "id": t.id, "label": t.label, "match": t.kind, "name": t.name,
             "curie": t.grounding.curie}
            for t in result.terms
        ],
    }  # fmt: skip
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def slug(text: str) -> str:
    """An entity id made of the text: lower case, words joined by hyphens.

    >>> slug("  Low Back-Pain (chronic)! ")
    'low-back-pain-chronic'
    """
    return "-".join(re.findall(r"[a-z0-9]+", text.casefold())) or "entity"


def new_entity(result: Lookup, type_: str | None = None) -> CorpusEntity:
    """The entity block ``--format yaml`` proposes: the best corpus entity named by its label, synonym
    or id as it is; otherwise a new entity labelled with the text, grounded in each vocabulary's best
    term the text names exactly (its label, an inclusion term or a lay synonym)."""
    own = [h for h in result.entities if h.via is None and TIERS[h.kind] <= TIERS["synonym"]]
    if own:
        return own[0].entity if type_ is None else replace(own[0].entity, type=type_)
    best: dict[str, TermHit] = {}
    for t in result.terms:
        if TIERS[t.kind] <= TIERS["lay"]:
            best.setdefault(t.vocabulary, t)
    groundings = tuple(t.grounding for t in best.values())
    guessed = TYPE_OF_VOCABULARY[next(iter(best), "mesh")]
    label = " ".join(result.text.split())
    return CorpusEntity(slug(label), label, type_ or guessed, groundings=groundings)


def format_yaml(result: Lookup, type_: str | None = None) -> str:
    """The entity block to paste under ``entities:`` in an annotation file."""
    return entity_yaml(new_entity(result, type_)) + "\n"


def yaml_notes(result: Lookup, type_: str | None = None) -> list[str]:
    """What to check in the block ``--format yaml`` proposes: a guessed type, no groundings.

    (Its id cannot be one the corpus has: an entity's id names it, so it would have been proposed.)
    """
    entity = new_entity(result, type_)
    if any(h.entity is entity or h.entity == entity for h in result.entities):
        return []  # the corpus's own entity, as it is
    notes = []
    if type_ is None:
        notes.append(f"the type {entity.type} is a guess; check it, or set it with --type")
    if not entity.groundings:
        notes.append("no vocabulary term is named exactly by the text, so the block has no groundings")
    return notes
