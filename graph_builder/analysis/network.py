"""Project the claims graph into networkx: entities as nodes, assertions as edges.

The one projection the CLI, the notebooks and the interactive view share. Edge keys are assertion IRIs,
so two sources stating the same proposition give two parallel edges; each edge says whether the
assertions of its proposition conflict (:mod:`graph_builder.analysis.conflicts`).

>>> from graph_builder.kg.build import build_example
>>> g = to_networkx(build_example())
>>> g.nodes["https://w3id.org/medkg/entity/herpes"]["label"]
'herpes'
>>> edge = next(d for _, _, d in g.edges(data=True) if d["claim_id"] == "herpes-causes-lower-back-pain")
>>> edge["relation"], edge["evidence"], edge["rank"]
('causes', 'explicitly-unsupported', 1)
>>> edge["polarity"], edge["certainty"], edge["support"], edge["strength"], edge["conflict"]
('affirmed', 'possible', 'disclaimed', 1, [])
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal

import networkx as nx
import pyoxigraph as ox

from graph_builder.analysis.conflicts import Stand, conflict
from graph_builder.analysis.graph_data import ChainData as ChainData
from graph_builder.analysis.graph_data import ClaimGraph as ClaimGraph
from graph_builder.analysis.graph_data import EdgeData as EdgeData
from graph_builder.analysis.graph_data import GroundingData as GroundingData
from graph_builder.analysis.graph_data import HedgeData as HedgeData
from graph_builder.analysis.graph_data import NameData as NameData
from graph_builder.analysis.graph_data import NameGraph as NameGraph
from graph_builder.analysis.graph_data import NodeData as NodeData
from graph_builder.core import namespaces as ns
from graph_builder.core.vocabulary import CAUSAL, CHAIN_LINK, GROUPS, REMEDY, vocabulary_from_store
from graph_builder.sparql import inline
from graph_builder.sparql.inline import Select as _Select

_ENTITIES = _Select(
    "SELECT ?entity ?label ?type ?typeSlug ?typeLabel",
    """  ?entity a medkg:Entity ; rdfs:label ?label ; a ?type .
  ?type rdfs:subClassOf medkg:Entity ; skos:notation ?typeSlug ; rdfs:label ?typeLabel .""",
)

_SYNONYMS = _Select("SELECT ?entity ?synonym", "  ?entity a medkg:Entity ; skos:altLabel ?synonym .")

# The curated hierarchy between entities (not the vocabulary terms' own, which links terms).
_BROADER = _Select(
    "SELECT ?entity ?broader", "  ?entity a medkg:Entity ; skos:broader ?broader . ?broader a medkg:Entity ."
)

# One branch per mapping property: a VALUES list of them made the engine read every triple of the
# store (5.8 s at 100k claims, for a focused projection as for the whole one; 0.07 s and 1 s this way).
_GROUNDINGS = _Select(
    "SELECT ?entity ?curie ?vocabLabel ?match",
    """  { ?entity skos:exactMatch ?term BIND(skos:exactMatch AS ?match) } UNION
  { ?entity skos:closeMatch ?term BIND(skos:closeMatch AS ?match) } UNION
  { ?entity skos:broadMatch ?term BIND(skos:broadMatch AS ?match) } UNION
  { ?entity skos:narrowMatch ?term BIND(skos:narrowMatch AS ?match) }
  ?entity a medkg:Entity . ?term medkg:curie ?curie ; rdfs:label ?vocabLabel .""",
)

#: The ``match`` value of an annotation file for each SKOS mapping property (core.model.MATCHES).
_MATCH_KINDS: dict[str, Literal["exact", "close", "narrower", "broader"]] = {
    ns.SKOS + "exactMatch": "exact",
    ns.SKOS + "closeMatch": "close",
    ns.SKOS + "broadMatch": "narrower",
    ns.SKOS + "narrowMatch": "broader",
}

_ASSERTIONS = _Select(
    """SELECT ?assertion ?claimId ?subject ?object ?relation ?relationSlug ?relationLabel
       ?evidence ?evidenceSlug ?evidenceLabel ?rank ?stance ?stanceSlug ?stanceLabel
       ?quote ?start ?end ?source ?sourceTitle ?rationale ?proposition
       ?polarity ?certainty ?support ?strength""",
    """  ?assertion medkg:proposition ?proposition ; medkg:claimId ?claimId ; medkg:source ?source ;
             medkg:evidenceLevel ?evidence ; medkg:stance ?stance ; medkg:quote ?quote ;
             medkg:quoteStart ?start ; medkg:evidenceRationale ?rationale ;
             medkg:polarity ?polarity ; medkg:certainty ?certainty ; medkg:support ?support .
  ?strengthCell medkg:strengthSupport ?support ; medkg:strengthCertainty ?certainty ;
                medkg:strengthValue ?strength .
  ?proposition medkg:subject ?subject ; medkg:relation ?relation ; medkg:object ?object .
  ?relation skos:notation ?relationSlug ; rdfs:label ?relationLabel .
  ?evidence skos:notation ?evidenceSlug ; skos:prefLabel ?evidenceLabel ; medkg:rank ?rank .
  ?stance skos:notation ?stanceSlug ; skos:prefLabel ?stanceLabel .
  ?source dcterms:title ?sourceTitle .
  BIND(?start + STRLEN(?quote) AS ?end)""",
)

_HEDGES = _Select(
    "SELECT ?assertion ?text ?typeSlug ?start",
    """  ?assertion medkg:hedge ?cue . ?cue medkg:cueText ?text ; medkg:cueType ?type ; medkg:cueStart ?start .
  ?type skos:notation ?typeSlug .""",
)

_MECHANISMS = _Select("SELECT ?assertion ?mechanism", "  ?assertion medkg:mechanism ?mechanism .")

_AGENTS = _Select(
    "SELECT ?assertion ?name", "  ?assertion medkg:attributedTo ?agent . ?agent rdfs:label ?name ."
)

_SOURCES = _Select("SELECT ?source ?title", "  ?source a medkg:SourceDocument ; dcterms:title ?title .")

# Every assertion an entity takes part in, once per end (a claim about itself counts twice, as in the
# whole projection).
_CLAIM_COUNTS = _Select(
    "SELECT ?entity (COUNT(?assertion) AS ?claims)",
    """  { ?proposition medkg:subject ?entity } UNION { ?proposition medkg:object ?entity }
  ?assertion medkg:proposition ?proposition .""",
    " GROUP BY ?entity",
)

# Entities one claim away from ?node, either direction (negated claims too: they are drawn).
_NEIGHBOURS = _Select(
    "SELECT DISTINCT ?next",
    """  { ?proposition medkg:subject ?node ; medkg:object ?next } UNION
  { ?proposition medkg:object ?node ; medkg:subject ?next }""",
)

# One hop along the claim links (written for claims that are not negated), forwards or back; ?link
# is kept to the claim links of the relations a search may use (inline.in_filter: as a VALUES block
# beside a longer frontier it became the start, and every claim link of those relations in the store was
# read: 0.44 s for the second level from the hub at 10k claims, 0.08 s now).
_FORWARD = _Select(
    "SELECT DISTINCT ?next", "  GRAPH graph:claimed { ?node ?link ?next } FILTER(?next != ?node)"
)
_BACKWARD = _Select(
    "SELECT DISTINCT ?next", "  GRAPH graph:claimed { ?next ?link ?node } FILTER(?next != ?node)"
)

# The chains with a step on one of these assertions: a lean query to start from (with the full step
# pattern, the engine read every chain step for each chunk of assertions: 1.8 s a chunk at 100k claims).
_TOUCHED_CHAINS = _Select(
    "SELECT DISTINCT ?chain", "  ?step medkg:assertion ?assertion . ?chain medkg:step ?step ."
)

_CHAIN_STEPS = _Select(
    "SELECT ?chain ?claimId ?position ?assertion ?evidenceSlug ?rank",
    """  ?chain a medkg:Chain ; medkg:claimId ?claimId ; medkg:step ?step ; medkg:evidenceLevel ?evidence .
  ?step medkg:position ?position ; medkg:assertion ?assertion .
  ?evidence skos:notation ?evidenceSlug ; medkg:rank ?rank .""",
)


def _rows(
    store: ox.Store, query: _Select, values: Mapping[str, Iterable[str]] | None = None
) -> list[dict[str, Any]]:
    """The records of a query (:func:`graph_builder.sparql.inline.select`: ``values`` binds variables to
    IRIs, a long list sent a chunk at a time)."""
    return inline.select(store, query, values).to_records()


def _both_ends(entities: list[str] | None) -> dict[str, list[str]] | None:
    """What binds the assertions a projection of ``entities`` reads: those with both ends among them.

    Binding the subject alone read every claim of each entity (34,000 rows for the 20,800 claims between
    the 230 entities of a chain search from a hub at 100k claims). When both lists do not fit in one
    query, the subject alone is bound and the caller keeps the assertions whose object is in the set.
    """
    if entities is None:
        return None
    if 2 * len(entities) <= inline.VALUES_CHUNK:
        return {"subject": entities, "object": entities}
    return {"subject": entities}


def _ends(groups: Sequence[tuple[Collection[str], Collection[str]]]) -> Iterator[dict[str, list[str]]]:
    """What binds the assertions of each group of (subjects, objects): both lists when the shorter is
    short enough to go whole beside chunks of the other (the query guard bounds a text's size), else the
    subjects alone (the caller keeps the assertions whose object is in the group)."""
    for subjects, objects in groups:
        if not subjects or not objects:
            continue
        if min(len(subjects), len(objects)) <= inline.VALUES_CHUNK // 4:
            yield {"subject": sorted(subjects), "object": sorted(objects)}
        else:
            yield {"subject": sorted(subjects)}


def to_networkx(
    store: ox.Store,
    entities: Iterable[str] | None = None,
    *,
    ends: Sequence[tuple[Collection[str], Collection[str]]] | None = None,
) -> ClaimGraph:
    """Return entities as nodes and assertions as edges, with everything a view or analysis needs.

    ``entities`` (IRIs) restricts the projection to those entities and the assertions between two of
    them, so that a focused view of a large store reads only what it shows (:func:`entities_near`,
    :func:`entities_between` choose them); nodes and edges are then those of the whole projection.
    ``None`` (the default) projects the whole store. ``ends``, groups of (subjects, objects) among
    ``entities``, restricts the edges further to the assertions from a group's subject to one of its
    objects (:func:`chain_projection`).

    Node attributes are a :class:`NodeData`, edge attributes an :class:`EdgeData` (key: the assertion IRI).
    ``graph.graph["sources"]`` maps every source document of the store, in IRI order, to its title, so
    that a view of a few sources can still give each source the place it has in the whole store.
    """
    only = None if entities is None else sorted(set(entities))
    by_entity = None if only is None else {"entity": only}
    # Polarity, certainty and support are looked up in the store's own ontology graph (as relation
    # groups are) rather than joined in the query: the joins made 20,000 claims project 14% slower.
    vocab = vocabulary_from_store(store)
    polarities = {t.iri: t for t in vocab.polarities.values()}
    certainties = {t.iri: t for t in vocab.certainties.values()}
    supports = {t.iri: t for t in vocab.supports.values()}
    if ends is None:
        read = _rows(store, _ASSERTIONS, _both_ends(only))
    else:
        # Groups have distinct subjects: no assertion is read twice.
        objects = {u: set(objs) for subs, objs in ends for u in subs}
        read = [
            r
            for values in _ends(ends)
            for r in _rows(store, _ASSERTIONS, values)
            if r["object"] in objects.get(r["subject"], ())
        ]
    assertions = [
        r
        for r in read
        if r["polarity"] in polarities and r["certainty"] in certainties and r["support"] in supports
    ]
    by_assertion = None
    if only is not None:
        keep = set(only)
        assertions = [r for r in assertions if r["subject"] in keep and r["object"] in keep]
        by_assertion = {"assertion": [r["assertion"] for r in assertions]}
    nodes: dict[str, NodeData] = {
        r["entity"]: NodeData(
            label=r["label"],
            type=r["typeSlug"],
            type_label=r["typeLabel"],
            synonyms=[],
            broader=[],
            groundings=[],
            claims=0,
        )
        for r in sorted(_rows(store, _ENTITIES, by_entity), key=lambda r: r["entity"])
    }
    for r in sorted(_rows(store, _SYNONYMS, by_entity), key=lambda r: (r["entity"], r["synonym"])):
        if r["entity"] in nodes:
            nodes[r["entity"]]["synonyms"].append(r["synonym"])
    for r in sorted(_rows(store, _BROADER, by_entity), key=lambda r: (r["entity"], r["broader"])):
        if r["entity"] in nodes:
            nodes[r["entity"]]["broader"].append(r["broader"])
    for r in sorted(_rows(store, _GROUNDINGS, by_entity), key=lambda r: (r["entity"], r["curie"])):
        if r["entity"] in nodes:
            nodes[r["entity"]]["groundings"].append(
                GroundingData(curie=r["curie"], label=r["vocabLabel"], match=_MATCH_KINDS[r["match"]])
            )
    if by_entity is None:
        for r in assertions:
            for end in (r["subject"], r["object"]):
                if end in nodes:
                    nodes[end]["claims"] += 1
    else:  # in a focused projection an entity's claims are counted in the whole store, as without focus
        for r in _rows(store, _CLAIM_COUNTS, by_entity):
            if r["entity"] in nodes:
                nodes[r["entity"]]["claims"] = r["claims"]
    # Relation groups from the store's own ontology graph, which is what its triples were built with.
    # A graph without the ontology (loaded from elsewhere) has relations in no group.
    relations = vocab.relations.values()
    groups = {g: {r.iri for r in relations if g in r.groups} for g in GROUPS}
    hedges: dict[str, list[HedgeData]] = defaultdict(list)
    for r in sorted(
        _rows(store, _HEDGES, by_assertion), key=lambda r: (r["assertion"], r["start"], r["text"])
    ):
        hedges[r["assertion"]].append(HedgeData(text=r["text"], type=r["typeSlug"]))
    mechanisms = {r["assertion"]: r["mechanism"] for r in _rows(store, _MECHANISMS, by_assertion)}
    agents = {r["assertion"]: r["name"] for r in _rows(store, _AGENTS, by_assertion)}
    # Every assertion of a proposition is here whenever one is: they share its subject and object.
    stands: dict[str, list[Stand]] = defaultdict(list)
    for r in assertions:
        support = supports[r["support"]]
        stands[r["proposition"]].append(
            Stand(r["source"], polarities[r["polarity"]].slug, support.slug, support.rank)
        )
    conflicts = {p: conflict(s) for p, s in stands.items()}
    if by_assertion is None:
        chain_rows = _rows(store, _CHAIN_STEPS)
    else:  # every step of the chains touched, so that chain lengths stay whole
        touched = sorted({r["chain"] for r in _rows(store, _TOUCHED_CHAINS, by_assertion)})
        chain_rows = _rows(store, _CHAIN_STEPS, {"chain": touched})
    lengths: dict[str, int] = defaultdict(int)
    for r in chain_rows:
        lengths[r["chain"]] += 1
    chains: dict[str, list[ChainData]] = defaultdict(list)
    for r in sorted(chain_rows, key=lambda r: (r["chain"], r["position"])):
        chains[r["assertion"]].append(
            ChainData(
                chain=r["chain"],
                id=r["claimId"],
                position=r["position"],
                length=lengths[r["chain"]],
                evidence=r["evidenceSlug"],
                rank=r["rank"],
            )
        )
    graph: ClaimGraph = nx.MultiDiGraph()
    graph.graph["sources"] = {
        r["source"]: r["title"] for r in sorted(_rows(store, _SOURCES), key=lambda r: r["source"])
    }
    for node, data in nodes.items():
        graph.add_node(node, **data)
    for r in sorted(assertions, key=lambda r: r["assertion"]):
        a = r["assertion"]
        edge = EdgeData(
            claim_id=r["claimId"],
            relation=r["relationSlug"],
            relation_label=r["relationLabel"],
            relation_iri=r["relation"],
            causal=r["relation"] in groups[CAUSAL],
            remedy=r["relation"] in groups[REMEDY],
            chain_link=r["relation"] in groups[CHAIN_LINK],
            evidence=r["evidenceSlug"],
            evidence_label=r["evidenceLabel"],
            rank=r["rank"],
            stance=r["stanceSlug"],
            stance_label=r["stanceLabel"],
            quote=r["quote"],
            start=r["start"],
            end=r["end"],
            source=r["source"],
            source_title=r["sourceTitle"],
            rationale=r["rationale"],
            negated=polarities[r["polarity"]].slug == "negated",
            polarity=polarities[r["polarity"]].slug,
            polarity_label=polarities[r["polarity"]].label,
            certainty=certainties[r["certainty"]].slug,
            certainty_label=certainties[r["certainty"]].label,
            support=supports[r["support"]].slug,
            support_label=supports[r["support"]].label,
            support_rank=supports[r["support"]].rank,
            strength=r["strength"],
            agent=agents.get(a),
            proposition=r["proposition"],
            conflict=list(conflicts[r["proposition"]]),
            hedges=hedges.get(a, []),
            mechanism=mechanisms.get(a),
            chains=chains.get(a, []),
        )
        graph.add_edge(r["subject"], r["object"], key=a, **edge)
    return graph


def entity_names(store: ox.Store) -> NameGraph:
    """Entities only, with labels and synonyms (a :class:`NameData`): enough to resolve a name without
    projecting claims.

    >>> from graph_builder.analysis.chains import resolve_entity
    >>> from graph_builder.kg.build import build_example
    >>> resolve_entity(entity_names(build_example()), "lumbago")
    'https://w3id.org/medkg/entity/lower-back-pain'
    """
    names = {
        r["entity"]: NameData(label=r["label"], synonyms=[])
        for r in sorted(_rows(store, _ENTITIES), key=lambda r: r["entity"])
    }
    for r in sorted(_rows(store, _SYNONYMS), key=lambda r: (r["entity"], r["synonym"])):
        if r["entity"] in names:
            names[r["entity"]]["synonyms"].append(r["synonym"])
    graph: NameGraph = nx.MultiDiGraph()
    for node, data in names.items():
        graph.add_node(node, **data)
    return graph


def entities_near(store: ox.Store, centre: str, depth: int = 1) -> set[str]:
    """The entity ``centre`` (an IRI) and every entity at most ``depth`` claims away, either direction.

    Projecting these gives the same view of ``centre`` as projecting the whole store and focusing.

    >>> from graph_builder.kg.build import build_example
    >>> sorted(e.rsplit("/", 1)[1] for e in entities_near(build_example(), "https://w3id.org/medkg/entity/hsv-1"))
    ['hsv-1', 'lower-back-pain']
    """
    seen, frontier = {centre}, [centre]
    for _ in range(depth):
        found = {r["next"] for r in _rows(store, _NEIGHBOURS, {"node": frontier})} - seen
        if not found:
            break
        seen |= found
        frontier = sorted(found)
    return seen


def entities_between(
    store: ox.Store, start: str, end: str, max_hops: int, relations: Iterable[str]
) -> set[str]:
    """Entities on some path of at most ``max_hops`` hops from ``start`` to ``end`` (IRIs) along claims
    of these relations (IRIs) that are not negated: those with d(start, v) + d(v, end) ≤ max_hops.

    A breadth-first search from both ends, one query per level. Projecting these entities gives
    :func:`~graph_builder.analysis.chains.find_chains` the same chains as projecting the whole store, as long
    as ``relations`` holds every relation it may use.
    """
    from_start, to_end = _distances_between(store, start, end, max_hops, relations)
    keep = {v for v, d in from_start.items() if d + to_end.get(v, max_hops + 1) <= max_hops}
    return keep | {start, end}


def chain_projection(
    store: ox.Store, start: str, end: str, max_hops: int, relations: Iterable[str]
) -> ClaimGraph:
    """The projection a chain search from ``start`` to ``end`` needs: the entities of
    :func:`entities_between`, and only the assertions from ``u`` to ``v`` that can lie on a path of at most
    ``max_hops`` hops, d(start, u) + 1 + d(v, end) ≤ max_hops (distances along the claim links of
    ``relations``, as there). Every hop of such a path passes that test, so
    :func:`~graph_builder.analysis.chains.find_chains` finds the same chains as in the whole projection;
    from a hub the claims between two entities of the set that lead away from ``end`` are not read.

    >>> from graph_builder.kg.build import build_example
    >>> from graph_builder.core.vocabulary import load_vocabulary
    >>> e = "https://w3id.org/medkg/entity/"
    >>> rels = [r.iri for r in load_vocabulary().relations.values() if r.chain_link]
    >>> g = chain_projection(build_example(), e + "herpes", e + "lower-back-pain", 2, rels)
    >>> sorted({(u.removeprefix(e), v.removeprefix(e)) for u, v in g.edges()})
    [('herpes', 'lower-back-pain'), ('herpes', 'nerve-pain'), ('nerve-pain', 'lower-back-pain')]
    """
    from_start, to_end = _distances_between(store, start, end, max_hops, relations)
    keep = {v for v, d in from_start.items() if d + to_end.get(v, max_hops + 1) <= max_hops} | {start, end}
    groups = [
        (
            {u for u in keep if from_start.get(u) == level},
            {v for v in keep if to_end.get(v, max_hops + 1) <= max_hops - 1 - level},
        )
        for level in range(max_hops)
    ]
    return to_networkx(store, entities=keep, ends=groups)


def _distances_between(
    store: ox.Store, start: str, end: str, max_hops: int, relations: Iterable[str]
) -> tuple[dict[str, int], dict[str, int]]:
    """Hops from ``start`` to each entity, and from each to ``end``, along the claim links of
    ``relations``: a breadth-first search from both ends, one query per level, to ``max_hops - 1``."""
    forms = vocabulary_from_store(store).claimed_forms
    links = inline.in_filter("link", sorted({forms[r] for r in relations if r in forms}))

    def distances(origin: str, hop: _Select) -> dict[str, int]:
        query = _Select(hop.head, hop.where + "\n" + links, hop.tail)
        dist, frontier = {origin: 0}, [origin]
        for level in range(1, max_hops):
            found = {r["next"] for r in _rows(store, query, {"node": frontier})} - dist.keys()
            if not found:
                break
            dist.update(dict.fromkeys(found, level))
            frontier = sorted(found)
        return dist

    return distances(start, _FORWARD), distances(end, _BACKWARD)
