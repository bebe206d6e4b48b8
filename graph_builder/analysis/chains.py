"""Which chains of claims lead from one entity to another, each with its weakest link. Pure functions
over :func:`graph_builder.analysis.network.to_networkx`; rankings are in :mod:`graph_builder.analysis.rank`.

>>> from graph_builder.kg.build import build_example
>>> from graph_builder.analysis.network import to_networkx
>>> g = to_networkx(build_example())
>>> best = find_chains(g, "herpes", "lower back pain")[0]
>>> best.labels, best.kind, best.weakest.value
(('herpes', 'nerve pain', 'lower back pain'), 'stated', 1)
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeAlias, cast

import networkx as nx

from graph_builder.analysis.chain_values import ChainList, ChainResult, Evidence, Hop, StatedChain, Strength
from graph_builder.analysis.chain_values import format_chains as format_chains
from graph_builder.analysis.network import ChainData, ClaimGraph, EdgeData, NameGraph
from graph_builder.core import codebook
from graph_builder.core.names import EntityName, resolve_name
from graph_builder.core.names import normalize as _norm
from graph_builder.core.vocabulary import load_vocabulary

#: The longest chain :func:`find_chains` searches: simple paths explode combinatorially past this.
MAX_HOPS = 6

#: What these functions search: the projection, or the entities alone to resolve names against.
_Graph: TypeAlias = "ClaimGraph | NameGraph"


def resolve_entity(graph: _Graph, text: str) -> str:
    """Return the IRI of the entity ``text`` names: its IRI, ``entity:`` id, label or a synonym.

    The rule is :func:`graph_builder.core.names.resolve_name`, the one the named queries use: case and
    runs of whitespace are ignored; an IRI or id beats a label, which beats a synonym; two entities
    matching at the best tier, or none at all, raise a ValueError naming the candidates.

    >>> from graph_builder.kg.build import build_example
    >>> from graph_builder.analysis.network import to_networkx
    >>> g = to_networkx(build_example())
    >>> resolve_entity(g, "Low  Back Pain")
    'https://w3id.org/medkg/entity/lower-back-pain'
    >>> resolve_entity(g, "herpse")
    Traceback (most recent call last):
    ...
    graph_builder.core.names.UnknownEntityError: unknown entity 'herpse'; close matches: herpes
    """
    candidates = (
        EntityName(node, str(data.get("label", node)), tuple(data.get("synonyms", ())))
        for node, data in graph.nodes(data=True)
    )
    return resolve_name(text, candidates)


def resolve_evidence(text: str | int) -> int:
    """Return the rank of an evidence level given by slug, label or rank.

    >>> resolve_evidence("uncited-assertion"), resolve_evidence("Case reports"), resolve_evidence("7")
    (3, 5, 7)
    """
    levels = load_vocabulary().evidence_by_rank()
    key = _norm(str(text))
    for level in levels:
        if key in (level.slug, _norm(level.label), str(level.rank)):
            return level.rank
    choices = ", ".join(f"{e.rank}={e.slug}" for e in levels)
    raise ValueError(f"unknown evidence level {text!r}; expected one of {choices}")


def strongest() -> int:
    """The highest strength a claim can have: the strongest support, stated with certainty.

    >>> strongest()
    21
    """
    vocab = load_vocabulary()
    levels = len(vocab.certainties)
    return codebook.strength(len(vocab.supports), levels, levels)


# --- chains ------------------------------------------------------------------------------------------


def _hop(graph: _Graph, u: str, v: str, key: str, d: EdgeData, climb: tuple[str, ...] = ()) -> Hop:
    return Hop(
        subject=u,
        subject_label=graph.nodes[u].get("label", u),
        relation=d["relation"],
        relation_label=d.get("relation_label", d["relation"]),
        object=v,
        object_label=graph.nodes[v].get("label", v),
        assertion=key,
        claim_id=d["claim_id"],
        strength=Strength(
            d["strength"], d["support"], d["support_label"], d["certainty"], d["certainty_label"]
        ),
        conditional=codebook.conditional(h["type"] for h in d["hedges"]),
        evidence=Evidence(d["evidence"], d["evidence_label"], d["rank"]),
        stance=d["stance"],
        quote=d["quote"],
        source=d["source"],
        source_title=d.get("source_title", ""),
        climb=climb,
        climb_labels=tuple(graph.nodes[e].get("label", e) for e in climb),
    )


def _evidence_labels(graph: _Graph) -> dict[str, str]:
    """Evidence labels by slug: from the graph, else from the shipped vocabulary (chains carry only slugs)."""
    labels = {slug: e.label for slug, e in load_vocabulary().evidence.items()}
    labels.update({d["evidence"]: d["evidence_label"] for _, _, d in graph.edges(data=True)})
    return labels


def _stated_chain(
    graph: _Graph, path: list[tuple[str, str, str]], labels: dict[str, str]
) -> StatedChain | None:
    """The stated chain whose steps are exactly this path's assertions, in order, if there is one."""
    n = len(path)
    if n < 2:
        return None
    candidates: set[str] | None = None
    entries: dict[str, ChainData] = {}
    for position, (u, v, key) in enumerate(path, start=1):
        here = {
            c["chain"]
            for c in graph.edges[u, v, key]["chains"]
            if c["position"] == position and c["length"] == n
        }
        for c in graph.edges[u, v, key]["chains"]:
            entries.setdefault(c["chain"], c)
        candidates = here if candidates is None else candidates & here
        if not candidates:
            return None
    iri = min(candidates or ())
    c = entries[iri]
    u, v, key = path[0]
    evidence = Evidence(c["evidence"], labels.get(c["evidence"], c["evidence"]), c["rank"])
    return StatedChain(iri, c["id"], graph.edges[u, v, key]["source"], evidence)


def chain_link_relations() -> list[str]:
    """The slugs of the relations a chain follows by default (the ``medkg:chainsTo`` group)."""
    return sorted(r.slug for r in load_vocabulary().relations.values() if r.chain_link)


def _rule(relations: frozenset[str] | None, causal_only: bool) -> str:
    if relations is not None:
        return "relations " + ", ".join(sorted(relations))
    if causal_only:
        return "relations under medkg:chainsTo (" + ", ".join(sorted(chain_link_relations())) + ")"
    return "every relation"


def find_chains(
    graph: _Graph,
    source: str,
    target: str,
    *,
    max_hops: int = 3,
    min_strength: int | None = None,
    min_rank: int | None = None,
    causal_only: bool = True,
    relations: Iterable[str] | None = None,
    limit: int = 100,
    hierarchy: bool = False,
) -> ChainList:
    """Return every chain of assertions leading from ``source`` to ``target``, best first.

    A chain is a simple path of at most ``max_hops`` edges (assertions; parallel assertions of one hop
    give separate chains). A hop may use a relation of the ``medkg:chainsTo`` group (the causal
    relations and association: sources state chains whose premise is an association); with
    ``causal_only=False`` any relation, and ``relations`` names the allowed relation slugs exactly.
    Negated assertions are never hops; nor, with ``min_strength``, assertions of a lower strength, or
    with ``min_rank``, of a lower evidence rank (the format 1 reading).
    ``source`` and ``target`` are resolved with :func:`resolve_entity`.

    With ``hierarchy``, chains follow the entities' ``broader`` links: a chain may start at ``source``
    or an entity narrower than it and end at ``target`` or one narrower than it (going up to it), and
    after a hop it may go on from an entity broader than the hop's object (``through_general`` says
    where: a claim about a general entity read as holding for a narrower one, an inference no source
    made).

    Order: stated chains first; then the strongest weakest link (strength, docs/codebook.md); then fewer hops; then the labels of
    the path and the assertion IRIs. The search finds stated chains first and then goes through
    paths by increasing length, pruned to nodes that can still reach the target in the hops left, and
    stops once more than ``limit`` chains exist (``truncated`` is then set), so hub entities cannot
    make it explode. The chains it did not follow are then counted without being listed
    (:func:`count_paths`): ``total`` says how many exist (``total_exact`` false: at most that many).
    """
    if not 1 <= max_hops <= MAX_HOPS:
        raise ValueError(f"max_hops: expected 1 to {MAX_HOPS}; found {max_hops}")
    if limit < 1:
        raise ValueError(f"limit: expected at least 1; found {limit}")
    if min_strength is not None and not 1 <= min_strength <= strongest():
        raise ValueError(f"min_strength: expected 1 to {strongest()}; found {min_strength}")
    start, end = resolve_entity(graph, source), resolve_entity(graph, target)
    if start == end:
        raise ValueError(f"source and target are the same entity ({start}); a chain needs two")
    allowed = None if relations is None else frozenset(relations)
    if allowed is not None:
        known = set(load_vocabulary().relations) | {d["relation"] for _, _, d in graph.edges(data=True)}
        if unknown := sorted(allowed - known):
            raise ValueError(
                f"unknown relation(s) {', '.join(unknown)}; expected some of {', '.join(sorted(known))}"
            )

    def usable(d: EdgeData) -> bool:
        if d.get("negated") or (min_rank is not None and d["rank"] < min_rank):
            return False
        if min_strength is not None and d["strength"] < min_strength:
            return False
        if allowed is not None:
            return d["relation"] in allowed
        return not causal_only or bool(d["chain_link"])

    # Each usable assertion, as a move from its subject to its object or, following the hierarchy, to
    # an entity broader than its object (then ``climbs`` holds the way up).
    up = _ways_up(graph) if hierarchy else {}
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    objects: dict[str, str] = {}
    climbs: dict[tuple[str, str], tuple[str, ...]] = {}
    # The sources with a usable claim from one entity to another: who could make each hop.
    linking: dict[tuple[str, str], set[str]] = defaultdict(set)
    for u, v, key, d in graph.edges(keys=True, data=True):
        if u != v and usable(d):
            objects[key] = v
            for to, climb in [(v, ()), *up.get(v, {}).items()]:
                if to != u:
                    out[u].append((to, key))
                    linking[u, to].add(d["source"])
                    climbs[key, to] = climb
    for edges in out.values():
        edges.sort()
    # Hops from each node to the target: a node farther than the hops left can be skipped.
    reach = nx.DiGraph((u, v) for u, edges in out.items() for v, _ in edges)
    dist: dict[str, int] = {}
    if end in reach:
        dist = dict(nx.single_source_shortest_path_length(reach.reverse(copy=False), end, cutoff=max_hops))

    labels = _evidence_labels(graph)
    found: dict[tuple[tuple[str, str], ...], ChainResult] = {}

    def add(path: list[tuple[str, str, str]]) -> bool:
        """Record a path (of moves); False once more than ``limit`` chains are known."""
        key = tuple((k, to) for _, to, k in path)
        if key not in found:
            claims = [(u, objects[k], k) for u, _, k in path]
            hops = tuple(
                _hop(graph, u, v, k, graph.edges[u, v, k], climbs[k, to])
                for (u, v, k), (_, to, _) in zip(claims, path, strict=True)
            )
            found[key] = ChainResult(hops, _stated_chain(graph, claims, labels), _meets_at(path, linking))
        return len(found) <= limit

    def paths(length: int, first: str) -> Iterator[list[tuple[str, str, str]]]:
        path: list[tuple[str, str, str]] = []
        on_path = {first}

        def walk(node: str) -> Iterator[list[tuple[str, str, str]]]:
            left = length - len(path) - 1
            for v, key in out.get(node, ()):
                if v in on_path or dist.get(v, MAX_HOPS + 1) > left or (v == end) != (left == 0):
                    continue
                path.append((node, v, key))
                if v == end:
                    yield list(path)
                else:
                    on_path.add(v)
                    yield from walk(v)
                    on_path.discard(v)
                path.pop()

        yield from walk(first)

    # Following the hierarchy, a chain may also start at an entity narrower than the source.
    firsts = [start, *sorted(e for e, ways in up.items() if start in ways and e != end)]
    complete = all(add(p) for p in _stated_paths(graph, start, end, max_hops, usable))
    for length in range(1, max_hops + 1):
        if not complete:
            break
        complete = all(add(p) for first in firsts for p in paths(length, first))
    chains = sorted(found.values(), key=_chain_order)[:limit]
    total = len(found)
    if not complete:  # how many the search did not follow: counted, not listed
        total = max(total, sum(count_paths(out, first, end, max_hops) for first in firsts))
    return ChainList(
        chains,
        source=start,
        target=end,
        source_label=graph.nodes[start].get("label", start),
        target_label=graph.nodes[end].get("label", end),
        max_hops=max_hops,
        rule=_rule(allowed, causal_only) + (", following broader entities" if hierarchy else ""),
        limit=limit,
        truncated=not complete,
        total=total,
        # Up to 3 hops a path has at most two inner entities, which count_paths keeps apart from
        # its ends and (no claim links an entity to itself) from each other: the count is exact.
        total_exact=complete or max_hops <= 3,
    )


def count_paths(out: Mapping[str, list[tuple[str, str]]], first: str, end: str, max_hops: int) -> int:
    """How many move sequences of at most ``max_hops`` moves lead from ``first`` to ``end`` without
    passing ``first`` or ``end`` in between, counted level by level (never listed).

    ``out`` maps an entity to its moves (the entity moved to, the assertion). Every simple path is
    counted; from four hops on, so are some that pass an inner entity twice, so the count is an upper
    bound there.

    >>> moves = {"a": [("b", "1"), ("c", "2"), ("z", "3")], "b": [("z", "4"), ("c", "5")], "c": [("z", "6")]}
    >>> count_paths(moves, "a", "z", 1), count_paths(moves, "a", "z", 3)
    (1, 4)
    """
    ways = {end: 1}  # moves to end in exactly this many steps, ending there
    total = 0
    for _ in range(max_hops):
        ahead = {
            node: n
            for node, moves in out.items()
            if node != end and (n := sum(ways.get(to, 0) for to, _ in moves))
        }
        total += ahead.get(first, 0)
        ways = {node: n for node, n in ahead.items() if node != first}
    return total


def _ways_up(graph: _Graph) -> dict[str, dict[str, tuple[str, ...]]]:
    """For each entity, every entity broader than it (``broader`` links, followed up) with the way up
    from it: the entities passed, ending with that one. The first way found, breadth first, in IRI order.
    """
    # A name graph (entity_names) carries no broader links: then there is nothing to follow.
    broader = {n: sorted(cast("Mapping[str, Any]", d).get("broader", ())) for n, d in graph.nodes(data=True)}
    ways: dict[str, dict[str, tuple[str, ...]]] = {}
    for entity in sorted(broader):
        mine: dict[str, tuple[str, ...]] = {}
        todo: list[tuple[str, tuple[str, ...]]] = [(entity, ())]
        while todo:
            here, way = todo.pop(0)
            for b in broader.get(here, ()):
                if b != entity and b not in mine and b in broader:
                    mine[b] = (*way, b)
                    todo.append((b, (*way, b)))
        if mine:
            ways[entity] = mine
    return ways


def _stated_paths(
    graph: _Graph, start: str, end: str, max_hops: int, usable: Callable[[EdgeData], bool]
) -> Iterator[list[tuple[str, str, str]]]:
    """The stated chains from start to end whose every step is a usable hop, as edge paths."""
    steps: dict[str, dict[int, tuple[str, str, str]]] = defaultdict(dict)
    lengths: dict[str, int] = {}
    for u, v, key, d in graph.edges(keys=True, data=True):
        for c in d["chains"]:
            steps[c["chain"]][c["position"]] = (u, v, key)
            lengths[c["chain"]] = c["length"]
    for iri in sorted(steps):
        path = [steps[iri].get(i) for i in range(1, lengths[iri] + 1)]
        if len(path) > max_hops or any(p is None for p in path):
            continue
        edges = [p for p in path if p is not None]
        linked = all(a[1] == b[0] for a, b in itertools.pairwise(edges))
        if (
            linked
            and edges[0][0] == start
            and edges[-1][1] == end
            and all(usable(graph.edges[e]) for e in edges)
        ):
            yield edges


def _meets_at(path: list[tuple[str, str, str]], linking: dict[tuple[str, str], set[str]]) -> tuple[str, ...]:
    """The entities inside the path that no one source links: none has a usable claim both into the
    entity from the path's entity before and out of it to the path's entity after."""
    return tuple(
        into[1]
        for into, out in itertools.pairwise(path)
        if not linking[into[0], into[1]] & linking[out[0], out[1]]
    )


def _chain_order(c: ChainResult) -> tuple[Any, ...]:
    return (
        not c.stated,
        -c.weakest.value,
        c.hop_count,
        c.climbs,
        tuple(_norm(x) for x in c.labels),
        tuple(h.assertion for h in c.hops),
    )
