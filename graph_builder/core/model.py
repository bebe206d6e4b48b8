"""The claims of a source document as plain Python values, before they become RDF.

An :class:`Annotation` is what one annotation file says once it has been checked: the source and its
text, the entities, and the claims with their quotes already located in the text.

>>> g = Grounding("mesh", "D017116", "Low Back Pain")
>>> g.curie, g.iri
('mesh:D017116', 'http://id.nlm.nih.gov/mesh/D017116')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from graph_builder.core import identifiers


@dataclass(frozen=True)
class VocabularySpec:
    """How one external vocabulary writes its identifiers; ``prefix`` is Bioregistry's (see
    :mod:`graph_builder.core.identifiers`), which an id written without one is put under."""

    prefix: str
    pattern: str
    example: str

    def matches(self, identifier: str) -> bool:
        return re.fullmatch(self.pattern, identifier) is not None


#: The vocabularies an entity may be grounded in, keyed by the name annotation files use.
VOCABULARIES: dict[str, VocabularySpec] = {
    "mesh": VocabularySpec("mesh", r"D\d{6}(\d{3})?", "D017116"),
    "icd10cm": VocabularySpec("icd10cm", r"[A-Z]\d[0-9A-Z](\.[0-9A-Z]{1,4})?", "M54.50"),
    "hpo": VocabularySpec("HP", r"HP:\d{7}", "HP:0003419"),
    "doid": VocabularySpec("DOID", r"DOID:\d+", "DOID:8566"),
}


#: How a grounding's term relates to the entity, by the value annotation files give: its SKOS mapping
#: property, from the entity to the term. An entity narrower than the term has it as a broad match.
MATCHES: dict[str, str] = {
    "exact": "exactMatch",
    "close": "closeMatch",
    "narrower": "broadMatch",
    "broader": "narrowMatch",
}


@dataclass(frozen=True)
class Grounding:
    """A link from an entity to a term of an external vocabulary, with that term's own label.

    ``match`` is ``exact`` or ``close``, or ``narrower``/``broader`` when the entity is narrower or
    broader than the term (:data:`MATCHES` gives the SKOS property of each).
    """

    vocabulary: str
    id: str
    label: str
    match: str = "exact"

    @property
    def curie(self) -> str:
        """The compact identifier with Bioregistry's prefix, e.g. ``mesh:D017116`` or ``HP:0003419``."""
        written = self.id if ":" in self.id else f"{VOCABULARIES[self.vocabulary].prefix}:{self.id}"
        return identifiers.standardize(written)

    @property
    def iri(self) -> str:
        """The vocabulary's IRI for the term."""
        iri = identifiers.expand(self.curie)
        assert iri is not None, self.curie  # curie is standardized, so its prefix is known
        return iri


@dataclass(frozen=True)
class Entity:
    """Something claims are made about: a disease, a symptom, a remedy, …"""

    id: str
    label: str
    type: str
    synonyms: tuple[str, ...] = ()
    definition: str | None = None
    groundings: tuple[Grounding, ...] = ()
    broader: tuple[str, ...] = ()
    """Ids of entities this one is narrower than (curated; each is an entity of the corpus)."""


@dataclass(frozen=True)
class Span:
    """A verbatim piece of the source text and its code-point offsets (end exclusive)."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class HedgeCue:
    """Words that weaken or qualify a claim ("can possibly", "not supported with …")."""

    span: Span
    type: str


@dataclass(frozen=True)
class Qualifier:
    """What narrows a claim (how often, how much, when, in whom, where), after Biolink's qualifiers."""

    type: str
    span: Span
    value: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class Agent:
    """Someone a source credits a claim to, as the source names them (docs/codebook.md, Attribution)."""

    id: str
    name: str
    type: str


@dataclass(frozen=True)
class Claim:
    """One claim of the source: subject, relation, object, and how the source makes it.

    The curator records ``polarity``, ``support``, the cues (``hedges``), ``attributed_to`` and
    ``qualifiers``; ``certainty``, ``conditional``, ``strength`` and the format 1 readings ``stance``,
    ``evidence`` and ``negated`` are derived from them by :mod:`graph_builder.core.codebook`.
    """

    id: str
    subject: str
    relation: str
    object: str
    quote: Span
    stance: str
    evidence: str
    rationale: str
    hedges: tuple[HedgeCue, ...] = ()
    negated: bool = False
    mechanism: Span | None = None
    polarity: str = "affirmed"
    support: str = "none-stated"
    certainty: str = "certain"
    conditional: bool = False
    strength: int = 0
    attributed_to: str | None = None
    qualifiers: tuple[Qualifier, ...] = ()


@dataclass(frozen=True)
class Chain:
    """A multi-hop claim the source states as one unit; steps are claim ids in order."""

    id: str
    steps: tuple[str, ...]
    stance: str
    evidence: str
    rationale: str
    quote: Span | None = None
    support: str = "none-stated"


@dataclass(frozen=True)
class Source:
    """The document the claims come from, with its full text."""

    id: str
    title: str
    text: str
    description: str
    kind: str = "web-page"
    url: str | None = None


@dataclass(frozen=True)
class Annotation:
    """One checked annotation file."""

    path: Path
    source: Source
    agent: str
    entities: dict[str, Entity] = field(default_factory=dict)
    claims: tuple[Claim, ...] = ()
    chains: tuple[Chain, ...] = ()
    curator: str | None = None
    agents: dict[str, Agent] = field(default_factory=dict)

    def claim(self, claim_id: str) -> Claim:
        """Return the claim with this id.

        Raises KeyError naming the id when there is none.
        """
        for c in self.claims:
            if c.id == claim_id:
                return c
        raise KeyError(claim_id)
