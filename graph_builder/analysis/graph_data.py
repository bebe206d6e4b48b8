"""What the networkx projection holds: the attributes of its nodes (entities) and edges (assertions),
typed, so that code reading the graph knows each field. :mod:`graph_builder.analysis.network` makes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, TypeAlias, TypedDict

if TYPE_CHECKING:
    import networkx as nx


class GroundingData(TypedDict):
    """A vocabulary term an entity is grounded in (``NodeData["groundings"]``)."""

    curie: str
    label: str
    match: Literal["exact", "close", "narrower", "broader"]


class HedgeData(TypedDict):
    """A hedge cue of a claim's quote (``EdgeData["hedges"]``)."""

    text: str
    type: str


class ChainData(TypedDict):
    """A chain an assertion is a step of (``EdgeData["chains"]``); ``evidence`` and ``rank`` are the chain's."""

    chain: str
    id: str
    position: int
    length: int
    evidence: str
    rank: int


class NameData(TypedDict):
    """What :func:`~graph_builder.analysis.network.entity_names` gives each entity: enough to resolve a name."""

    label: str
    synonyms: list[str]


class NodeData(NameData):
    """The attributes of an entity in :func:`~graph_builder.analysis.network.to_networkx`."""

    type: str
    type_label: str
    #: The entities it is narrower than (``skos:broader``, curated in annotation files), as IRIs.
    broader: list[str]
    groundings: list[GroundingData]
    claims: int


class EdgeData(TypedDict):
    """The attributes of an assertion in :func:`~graph_builder.analysis.network.to_networkx` (its key is the assertion's IRI)."""

    claim_id: str
    relation: str
    relation_label: str
    relation_iri: str
    causal: bool
    remedy: bool
    chain_link: bool
    evidence: str
    evidence_label: str
    rank: int
    stance: str
    stance_label: str
    quote: str
    start: int
    end: int
    source: str
    source_title: str
    rationale: str
    negated: bool
    polarity: str
    polarity_label: str
    certainty: str
    certainty_label: str
    support: str
    support_label: str
    support_rank: int
    strength: int
    #: The name of the agent the source attributes the claim to; ``None`` for the source's own claim.
    agent: str | None
    proposition: str
    #: Why the assertions of this proposition conflict (:func:`~graph_builder.analysis.conflicts.conflict`);
    #: empty when they do not.
    conflict: list[str]
    hedges: list[HedgeData]
    mechanism: str | None
    chains: list[ChainData]


#: The projection: entities (IRIs) with :class:`NodeData`, assertions (keyed by IRI) with :class:`EdgeData`.
#: A string, because networkx's classes cannot be subscripted at run time.
ClaimGraph: TypeAlias = "nx.MultiDiGraph[str, NodeData, EdgeData]"
#: :func:`~graph_builder.analysis.network.entity_names`: the entities alone, with :class:`NameData`.
NameGraph: TypeAlias = "nx.MultiDiGraph[str, NameData, EdgeData]"
