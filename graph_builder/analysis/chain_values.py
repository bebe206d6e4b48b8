"""The values a chain search returns: evidence levels and strengths, hops (one claim each, with its
source and quote), chains stated by a source or found by the search (and where a found one joins the
claims of different sources), the list of them with how it was searched, and that list as text.
:func:`graph_builder.analysis.chains.find_chains` makes them."""

from __future__ import annotations

import itertools
import json
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from graph_builder.core import namespaces as ns


@dataclass(frozen=True)
class Evidence:
    """An evidence level: slug, label and rank (1 is the weakest)."""

    slug: str
    label: str
    rank: int

    def __str__(self) -> str:
        return f"{self.label} (rank {self.rank})"


@dataclass(frozen=True)
class Strength:
    """How strongly a source makes a claim (docs/codebook.md, Strength): the derived number, 1 the
    weakest, with the support and certainty it is derived from (slugs and labels)."""

    value: int
    support: str
    support_label: str
    certainty: str
    certainty_label: str

    def __str__(self) -> str:
        return f"strength {self.value} ({self.support_label}, {self.certainty_label})"

    def to_dict(self) -> dict[str, Any]:
        return {"strength": self.value, "support": self.support, "certainty": self.certainty}


@dataclass(frozen=True)
class Hop:
    """One step of a chain: one source's assertion of ``subject relation object``."""

    subject: str
    subject_label: str
    relation: str
    relation_label: str
    object: str
    object_label: str
    assertion: str
    claim_id: str
    strength: Strength
    #: Whether the source makes the claim only under a condition it states.
    conditional: bool
    #: The format 1 reading of the claim's support and stance (the evidence-level scheme).
    evidence: Evidence
    stance: str
    quote: str
    source: str
    source_title: str
    #: With the hierarchy followed: the entities the chain goes up to after the object, each broader
    #: than the one before (IRIs, then labels); the next hop starts, or the chain ends, at the last.
    climb: tuple[str, ...] = ()
    climb_labels: tuple[str, ...] = ()

    @property
    def source_id(self) -> str:
        return self.source.removeprefix(ns.SOURCE)

    @property
    def end(self) -> str:
        """Where the chain is after this hop: the object, or the last entity it went up to."""
        return self.climb[-1] if self.climb else self.object

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "subject_label": self.subject_label,
            "relation": self.relation,
            "object": self.object,
            "object_label": self.object_label,
            "assertion": self.assertion,
            "claim_id": self.claim_id,
            **self.strength.to_dict(),
            "conditional": self.conditional,
            "evidence": self.evidence.slug,
            "evidence_label": self.evidence.label,
            "rank": self.evidence.rank,
            "stance": self.stance,
            "quote": self.quote,
            "source": self.source_id,
            "source_title": self.source_title,
            "then_broader": [
                {"entity": e, "label": label} for e, label in zip(self.climb, self.climb_labels, strict=True)
            ],
        }


@dataclass(frozen=True)
class StatedChain:
    """A medkg:Chain: a multi-hop claim a source states as one unit, with its own evidence level (its
    strength is its weakest step's, :attr:`ChainResult.weakest`)."""

    iri: str
    claim_id: str
    source: str
    evidence: Evidence


@dataclass(frozen=True)
class ChainResult:
    """A path of assertions from one entity to another.

    ``kind`` is ``stated`` when its hops are, in order, the steps of one stated chain (``chain``);
    ``direct`` for a single assertion; ``inferred`` when it joins separate claims. ``meets_at`` holds
    the entities (IRIs, in path order) the chain passes through only because claims of different
    sources meet there: no one source has a claim into the entity and a claim out of it along the path.
    ``through_general`` holds the entities (IRIs) a chain that follows the hierarchy goes on from only
    because the entity before them is narrower (a hop's ``climb`` before the next hop).
    """

    hops: tuple[Hop, ...]
    chain: StatedChain | None = None
    meets_at: tuple[str, ...] = ()

    @property
    def stated(self) -> bool:
        return self.chain is not None

    @property
    def kind(self) -> str:
        return "stated" if self.stated else "direct" if len(self.hops) == 1 else "inferred"

    @property
    def hop_count(self) -> int:
        return len(self.hops)

    @property
    def weakest_hop(self) -> Hop:
        """The hop of the weakest link: the lowest strength (the first such hop on a tie)."""
        return min(self.hops, key=lambda h: h.strength.value)

    @property
    def weakest(self) -> Strength:
        """The weakest link: the lowest strength of any hop, which is the chain's strength."""
        return self.weakest_hop.strength

    @property
    def nodes(self) -> tuple[str, ...]:
        return (self.hops[0].subject, *(e for h in self.hops for e in (h.object, *h.climb)))

    @property
    def labels(self) -> tuple[str, ...]:
        return (
            self.hops[0].subject_label,
            *(e for h in self.hops for e in (h.object_label, *h.climb_labels)),
        )

    @property
    def through_general(self) -> tuple[str, ...]:
        """The broader entities the chain goes on from after a hop whose object is narrower."""
        return tuple(h.end for h in self.hops[:-1] if h.climb)

    @property
    def climbs(self) -> int:
        """How many steps up the hierarchy the chain takes."""
        return sum(len(h.climb) for h in self.hops)

    @property
    def sources(self) -> tuple[str, ...]:
        """The ids of the sources of its hops, in order of first appearance."""
        return tuple(dict.fromkeys(h.source_id for h in self.hops))

    @property
    def cross_source(self) -> bool:
        """Whether its hops come from more than one source."""
        return len(self.sources) > 1

    @property
    def across_sources(self) -> bool:
        """Whether it is inferred across sources: some entity on it joins only different sources' claims."""
        return bool(self.meets_at)

    def meeting_labels(self) -> tuple[str, ...]:
        """The labels of the entities of ``meets_at``."""
        label = dict(zip(self.nodes, self.labels, strict=True))
        return tuple(label[e] for e in self.meets_at)

    def to_dict(self) -> dict[str, Any]:
        chain = self.chain
        return {
            "path": list(self.labels),
            "nodes": list(self.nodes),
            "hops": self.hop_count,
            "kind": self.kind,
            "stated": self.stated,
            "chain": None
            if chain is None
            else {
                "iri": chain.iri,
                "id": chain.claim_id,
                "source": chain.source.removeprefix(ns.SOURCE),
                "evidence": chain.evidence.slug,
                "evidence_label": chain.evidence.label,
                "rank": chain.evidence.rank,
            },
            "sources": list(self.sources),
            "cross_source": self.cross_source,
            "inferred_across_sources": self.across_sources,
            "through_general": [
                {"entity": e, "label": self.labels[self.nodes.index(e)]} for e in self.through_general
            ],
            "meets_at": [
                {"entity": e, "label": label}
                for e, label in zip(self.meets_at, self.meeting_labels(), strict=True)
            ],
            "weakest_link": {**self.weakest.to_dict(), "claim_id": self.weakest_hop.claim_id},
            "steps": [h.to_dict() for h in self.hops],
        }


class ChainList(list[ChainResult]):
    """The chains :func:`find_chains` found, best first, and how the search went.

    ``truncated`` is true when more than ``limit`` chains exist and the search stopped early; ``total``
    is then how many chains the rule allows, counted without following them (at most that many when
    ``total_exact`` is false), and :attr:`not_followed` how many of them are not listed.
    """

    def __init__(
        self,
        chains: Iterable[ChainResult],
        *,
        source: str,
        target: str,
        source_label: str,
        target_label: str,
        max_hops: int,
        rule: str,
        limit: int,
        truncated: bool,
        total: int | None = None,
        total_exact: bool = True,
    ) -> None:
        super().__init__(chains)
        self.source, self.target = source, target
        self.source_label, self.target_label = source_label, target_label
        self.max_hops, self.rule, self.limit, self.truncated = max_hops, rule, limit, truncated
        self.total = len(self) if total is None else total
        self.total_exact = total_exact

    @property
    def not_followed(self) -> int:
        """How many chains the search found to exist but did not list (0 unless ``truncated``)."""
        return max(self.total - len(self), 0)

    def not_followed_line(self) -> str:
        """One line saying what the search left out, for people."""
        of = f"{self.total:,}" if self.total_exact else f"at most {self.total:,}"
        return (
            f"showing the first {len(self):,} of {of} chains: {self.not_followed:,} not followed "
            "(raise --limit or lower --max-hops)"
        )

    def to_dict(self) -> dict[str, Any]:
        """The search and its chains, as ``medkg chains --format json`` writes them."""
        return {
            "source": self.source,
            "target": self.target,
            "source_label": self.source_label,
            "target_label": self.target_label,
            "max_hops": self.max_hops,
            "rule": self.rule,
            "limit": self.limit,
            "truncated": self.truncated,
            "total": self.total,
            "total_exact": self.total_exact,
            "not_followed": self.not_followed,
            "chains": [c.to_dict() for c in self],
        }


def format_chains(chains: ChainList, fmt: str = "table") -> str:
    """Chains as text for people (``table``) or as JSON (``json``): the search (source, target, rule,
    limit, how many chains exist and how many were not followed) with its ``chains``, a list of objects."""
    if fmt == "json":
        return json.dumps(chains.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if fmt != "table":
        raise ValueError(f"format: expected table or json; found {fmt!r}")
    scope = f"within {chains.max_hops} hops over {chains.rule}"
    if not chains:
        return f"no chains from {chains.source_label} to {chains.target_label} {scope}\n"
    n = len(chains)
    lines = [f"{n} chain{'s' if n != 1 else ''} from {chains.source_label} to {chains.target_label} {scope}"]
    for c in chains:
        if c.chain is not None:
            how = f"stated by {c.chain.source.removeprefix(ns.SOURCE)}"
        elif c.hop_count == 1:
            how = f"single claim of {c.hops[0].source_id}"
        elif not c.cross_source:
            how = f"inferred: joins {c.hop_count} claims of {', '.join(c.sources)}"
        else:
            kind = "inferred across sources" if c.across_sources else "inferred"
            how = f"{kind}: joins claims of {len(c.sources)} sources ({', '.join(c.sources)})"
            if c.across_sources:
                how += f", meeting at {', '.join(c.meeting_labels())}"
        if c.through_general:
            general = (c.labels[c.nodes.index(e)] for e in c.through_general)
            how += f"; goes on from a broader entity: {', '.join(general)}"
        if c.nodes[0] != chains.source:
            how += f"; starts at {c.labels[0]}, narrower than {chains.source_label}"
        lines += ["", f"{' → '.join(c.labels)}  [{how}]  weakest link: {c.weakest}"]
        if c.chain is not None:
            lines.append(f"  stated chain {c.chain.claim_id}: {c.chain.evidence}")
        for i, h in enumerate(c.hops, start=1):
            step = f"{h.subject_label} —{h.relation}→ {h.object_label}"
            how = f"{h.strength}, conditional" if h.conditional else str(h.strength)
            lines.append(f"  {i}. {step}   {how}  [{h.claim_id}]  from {h.source_id}")
            lines.append(
                textwrap.fill(f"“{h.quote}”", width=100, initial_indent="     ", subsequent_indent="      ")
            )
            for narrower, broader in itertools.pairwise((h.object_label, *h.climb_labels)):
                lines.append(f"     {narrower} is narrower than {broader}")
    if chains.truncated:
        lines += ["", f"({chains.not_followed_line()})"]
    return "\n".join(lines) + "\n"
