"""When sources disagree about one proposition: the rule of ``queries/conflicts.rq``, for the projection.

The networkx projection marks every edge with it (``EdgeData["conflict"]``), so that the page can mark
and filter conflicting claims without running a query per view. ``tests/analysis/test_conflicts.py``
checks it against the query, on the corpus and on shuffled variants of it.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

#: The kinds of conflict, in the order :func:`conflict` lists them: the ``kind`` column of the query.
POLARITY = "polarity"
DISCLAIMED = "disclaimed"
SUPPORT = "support"
KINDS = (POLARITY, DISCLAIMED, SUPPORT)
#: Support ranks this far apart, or farther, conflict.
SUPPORT_GAP = 2
_AFFIRMED = "affirmed"


class Stand(NamedTuple):
    """What one assertion says of its proposition: its source (IRI), polarity, and support's slug and rank."""

    source: str
    polarity: str
    support: str
    support_rank: int


def disagreement(a: Stand, b: Stand) -> str | None:
    """The kind of conflict between two assertions of one proposition by different sources, if any.

    - ``polarity``: one affirms the proposition and the other negates it;
    - otherwise, when both affirm it, ``disclaimed``: one has support ``disclaimed`` (its source says
      research does not support the claim) and the other does not;
    - otherwise, when both affirm it and neither disclaims it, ``support``: their support ranks are two
      or more apart.

    Two negations never conflict; certainty, attribution and strength never make a conflict.

    >>> disagreement(Stand("s:1", "affirmed", "none-stated", 2), Stand("s:2", "affirmed", "case-reports", 4))
    'support'
    >>> disagreement(Stand("s:1", "negated", "none-stated", 2), Stand("s:2", "negated", "case-reports", 4))
    """
    if a.polarity != b.polarity:
        return POLARITY
    if a.polarity != _AFFIRMED:
        return None
    if (a.support == "disclaimed") != (b.support == "disclaimed"):
        return DISCLAIMED
    if a.support != "disclaimed" and abs(a.support_rank - b.support_rank) >= SUPPORT_GAP:
        return SUPPORT
    return None


def conflict(stands: Iterable[Stand]) -> list[str]:
    """The kinds of conflict among the assertions of one proposition (empty: none), in :data:`KINDS` order.

    A proposition is in conflict when two of its assertions by different sources disagree
    (:func:`disagreement`); one source's own assertions never conflict with each other.

    >>> conflict([Stand("s:1", "affirmed", "disclaimed", 1), Stand("s:2", "negated", "none-stated", 2)])
    ['polarity']
    >>> conflict([Stand("s:1", "affirmed", "none-stated", 2), Stand("s:1", "negated", "none-stated", 2)])
    []
    """
    # Compare what the assertions say, not each pair of assertions: a proposition many sources state
    # takes at most fourteen distinct stands, whatever the number of sources.
    sources: dict[Stand, set[str]] = defaultdict(set)
    for s in stands:
        sources[s._replace(source="")].add(s.source)
    found = set()
    for (a, of_a), (b, of_b) in itertools.combinations(sources.items(), 2):
        # Two sets of sources hold a pair of different sources unless both are one and the same source.
        if len(of_a | of_b) > 1 and (kind := disagreement(a, b)) is not None:
            found.add(kind)
    return [k for k in KINDS if k in found]
