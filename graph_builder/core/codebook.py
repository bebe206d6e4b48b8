"""The codebook's derivation rules (docs/codebook.md), written once.

A curator records polarity, support, cues, attribution and qualifiers; everything else follows from
them here: certainty and the conditional flag from the cues, strength from support and certainty, and
the format 1 readings (stance, evidence level) that the graph still carries for the queries and views
written against them. The ranks come from the ontology (``medkg:rank`` on the certainty and support
concepts of ``ontology/evidence.ttl``), through :class:`~graph_builder.core.vocabulary.Vocabulary`.

>>> certainty(["condition", "speculation"]), conditional(["condition", "speculation"])
('possible', True)
>>> certainty(["likelihood"]), certainty([])
('probable', 'certain')
>>> stance("affirmed", "disclaimed", ["speculation", "condition", "disclaimer"])
'disclaimed'
>>> evidence_level("none-stated", "possible"), evidence_level("attributed", "certain")
('speculative', 'expert-opinion')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

#: Support levels whose format 1 evidence level has another slug (the rest keep theirs).
_EVIDENCE_OF_SUPPORT = {"disclaimed": "explicitly-unsupported", "attributed": "expert-opinion"}


def certainty(cue_types: Iterable[str]) -> str:
    """``possible`` with a speculation cue, else ``probable`` with a likelihood cue, else ``certain``."""
    types = set(cue_types)
    if "speculation" in types:
        return "possible"
    if "likelihood" in types:
        return "probable"
    return "certain"


def conditional(cue_types: Iterable[str]) -> bool:
    """Whether the claim holds only under a condition the source states (a condition cue)."""
    return "condition" in set(cue_types)


def strength(support_rank: int, certainty_rank: int, certainty_levels: int) -> int:
    """Support dominates, certainty orders within a support level: 1 (weakest) upwards.

    >>> strength(1, 1, 3), strength(2, 3, 3), strength(7, 3, 3)
    (1, 6, 21)
    """
    return certainty_levels * (support_rank - 1) + certainty_rank


def stance(polarity: str, support: str, cue_types: Iterable[str]) -> str:
    """The format 1 stance: the first of negated, disclaimed, conditional, hedged that applies, else asserted."""
    types = set(cue_types)
    if polarity == "negated":
        return "negated"
    if support == "disclaimed":
        return "disclaimed"
    if "condition" in types:
        return "conditional"
    if types & {"speculation", "likelihood"}:
        return "hedged"
    return "asserted"


def evidence_level(support: str, certainty_value: str) -> str:
    """The format 1 evidence level of a support level (and, for ``none-stated``, the certainty)."""
    if support == "none-stated":
        return "speculative" if certainty_value == "possible" else "uncited-assertion"
    return _EVIDENCE_OF_SUPPORT.get(support, support)


#: The problems a claim's cues can have with its recorded dimensions: (cue type, field, rule).
CUE_RULES: tuple[tuple[str, str, str], ...] = (
    ("negation", "polarity", "negated"),
    ("disclaimer", "support", "disclaimed"),
)


def cue_disagreements(fields: Mapping[str, str], cue_types: Iterable[str]) -> list[tuple[str, str, str]]:
    """Where the cues and the recorded polarity/support disagree: (field, expected, found) each.

    A negation cue goes with polarity ``negated`` and the reverse; a disclaimer cue with support
    ``disclaimed`` and the reverse.

    >>> cue_disagreements({"polarity": "negated", "support": "none-stated"}, [])
    [('polarity', 'affirmed (no negation cue)', 'negated')]
    """
    types = set(cue_types)
    out = []
    for cue, field, value in CUE_RULES:
        recorded = fields.get(field)
        if cue in types and recorded != value:
            out.append((field, f"{value} (the claim has a {cue} cue)", str(recorded)))
        elif cue not in types and recorded == value:
            default = "affirmed" if field == "polarity" else "another support level"
            out.append((field, f"{default} (no {cue} cue)", str(recorded)))
    return out
