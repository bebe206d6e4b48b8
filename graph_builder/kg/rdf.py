"""Turn checked annotations into RDF quads: the two-layer claim model of docs/data-model.md.

What every source shares (entities, groundings, propositions) goes to the shared graph; what one source
says goes to that source's named graph; the claim links between entities go to the claimed graph.

>>> from graph_builder.ingest.annotations import load_annotation
>>> from graph_builder.core.paths import SEED_ANNOTATION
>>> quads = list(iter_quads(load_annotation(SEED_ANNOTATION)))
>>> len(quads) > 500
True
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from pyoxigraph import Literal, NamedNode, Quad

from graph_builder.core import namespaces as ns
from graph_builder.core.model import MATCHES, Annotation, Claim, Entity, Grounding, Span
from graph_builder.core.names import normalize
from graph_builder.core.vocabulary import Vocabulary, load_vocabulary
from graph_builder.kg.hierarchy import Term, broader_terms
from graph_builder.kg.statistics import Tally, source_statistics, tally, total_statistics

_N = NamedNode
#: The IRIs that recur from claim to claim and file to file (the vocabularies' terms, entities,
#: propositions, groundings), each made once: making a NamedNode checks its IRI, 1 us, and a build makes
#: millions. IRIs of one node each (assertions, cues, records) are made with ``_N``. A plain dict, emptied
#: when full: the entries of an ``lru_cache`` are lists the garbage collector walks (with 65k of them,
#: reading YAML took a third longer).
_IRIS: dict[str, NamedNode] = {}
_INTEGERS: dict[int, Literal] = {}
_CACHED = 2**16
_K = TypeVar("_K")
_T = TypeVar("_T")


def _made_once(cache: dict[_K, _T], key: _K, make: Callable[[_K], _T]) -> _T:
    """``make(key)``, kept in ``cache`` (emptied when it holds ``_CACHED`` entries)."""
    made = cache.get(key)
    if made is None:
        if len(cache) >= _CACHED:
            cache.clear()
        made = cache[key] = make(key)
    return made


def _iri(value: str) -> NamedNode:
    return _made_once(_IRIS, value, NamedNode)


@functools.cache
def _v(local: str) -> NamedNode:
    return _N(ns.MEDKG_VOCAB + local)


RDF_TYPE = _N(ns.RDF + "type")
RDFS_LABEL = _N(ns.RDFS + "label")
XSD_INTEGER = _N(ns.XSD + "integer")
SHARED = _N(ns.SHARED_GRAPH)
CLAIMED = _N(ns.CLAIMED_GRAPH)
DESCRIBES = _v("describes")
ENTITY_TYPE = _v("entityType")
CURIE = _v("curie")
VOCABULARY = _v("vocabulary")
SKOS_PREF_LABEL = _N(ns.SKOS + "prefLabel")
SKOS_ALT_LABEL = _N(ns.SKOS + "altLabel")
SKOS_DEFINITION = _N(ns.SKOS + "definition")
SKOS_BROADER = _N(ns.SKOS + "broader")
#: The normal form (:func:`graph_builder.core.names.normalize`) of an entity's label and of each synonym,
#: written once at build time so a name is found by an index lookup, never by a scan over every label.
NAME_KEY = _v("nameKey")
#: The SKOS mapping property of each grounding ``match`` value, from the entity to the term.
SKOS_MATCHES = {match: _N(ns.SKOS + prop) for match, prop in MATCHES.items()}
#: The fields of an entity record carried over to the entity as they are.
ENTITY_FIELDS = (SKOS_ALT_LABEL, SKOS_DEFINITION, *SKOS_MATCHES.values(), SKOS_BROADER)
#: The predicates of an entity's shared description (what ``describe_entity`` makes).
ENTITY_DESCRIPTION = (RDF_TYPE, RDFS_LABEL, SKOS_PREF_LABEL, NAME_KEY, *ENTITY_FIELDS)
#: The fields of a term's shared description (``skos:broader``: the vocabulary's own hierarchy,
#: :mod:`graph_builder.kg.hierarchy`).
TERM_FIELDS = (RDFS_LABEL, CURIE, VOCABULARY, SKOS_BROADER)
#: The fields every source gives alike, kept in the shared description only, not in each source's record:
#: an entity's label and type (the cross-file checks refuse a file that differs, ``ingest.checks``), and a
#: term's CURIE and vocabulary (functions of its IRI; a term's label is the file's, and can differ). While
#: some source still records the node, its shared values of these stand (``store.corpus`` recomputes the
#: rest from the records).
ENTITY_AGREED = (RDFS_LABEL, ENTITY_TYPE)
TERM_AGREED = (CURIE, VOCABULARY)


class _Writer:
    """Accumulates quads of one graph at a time."""

    def __init__(self) -> None:
        self.quads: list[Quad] = []
        self.graph = _N(ns.SHARED_GRAPH)

    def add(self, s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> None:
        self.quads.append(Quad(s, p, o, self.graph))

    def text(self, s: NamedNode, p: NamedNode, value: str) -> None:
        self.add(s, p, Literal(value))

    def integer(self, s: NamedNode, p: NamedNode, value: int) -> None:
        self.add(s, p, _integer(value))


def _integer(value: int) -> Literal:
    """An xsd:integer literal; offsets and positions recur, and a literal is as costly to make as an IRI."""
    return _made_once(_INTEGERS, value, lambda v: Literal(str(v), datatype=XSD_INTEGER))


def proposition_of(claim: Claim, vocab: Vocabulary) -> str:
    """The proposition IRI a claim states."""
    return ns.proposition_iri(
        ns.entity_iri(claim.subject), vocab.relations[claim.relation].iri, ns.entity_iri(claim.object)
    )


def assertion_of(claim: Claim, source_id: str, vocab: Vocabulary) -> str:
    """The assertion IRI of a claim made by a source."""
    return ns.assertion_iri(
        proposition_of(claim, vocab), ns.source_iri(source_id), claim.quote.start, claim.quote.end
    )


def _quote(w: _Writer, node: NamedNode, span: Span) -> None:
    """Anchor a span in the source: its verbatim text and code-point start, stored once.

    Its end is the start plus the quote's length in code points, derived where it is asked for
    (``medkg:quoteEnd``: ``queries/derived-values.rq``), and so are the W3C Web Annotation selectors,
    from these and the source's text (``queries/annotation-selectors.rq``, :mod:`graph_builder.kg.views`).
    """
    w.text(node, _v("quote"), span.text)
    w.integer(node, _v("quoteStart"), span.start)


Record = list[tuple[NamedNode, NamedNode | Literal]]


def _entity_record(ent: Entity, vocab: Vocabulary) -> Record:
    """What one source says about an entity: kept in its graph as an entity record."""
    record: Record = [(RDFS_LABEL, Literal(ent.label)), (ENTITY_TYPE, _iri(vocab.entity_types[ent.type].iri))]
    record += [(SKOS_ALT_LABEL, Literal(syn)) for syn in ent.synonyms]
    if ent.definition:
        record.append((SKOS_DEFINITION, Literal(ent.definition)))
    record += [(SKOS_MATCHES[g.match], _iri(g.iri)) for g in ent.groundings]
    record += [(SKOS_BROADER, _iri(ns.entity_iri(b))) for b in ent.broader]
    return record


def _term_record(g: Grounding) -> Record:
    """What one source says about a term: of a grounding, or above one in its vocabulary's hierarchy."""
    return [(RDFS_LABEL, Literal(g.label)), (CURIE, Literal(g.curie)), (VOCABULARY, Literal(g.vocabulary))]


def _term_records(ann: Annotation) -> Iterator[tuple[Grounding, Record]]:
    """The term records of a source: its grounding terms, then the vocabulary hierarchy above them.

    A grounding term keeps the label the file gives it (``medkg groundings`` checks it against the
    vocabulary); a term above one has the package's own label.
    """
    groundings = [g for ent in ann.entities.values() for g in ent.groundings]
    for g in groundings:
        yield g, _term_record(g)
    grounded = {(g.vocabulary, g.id) for g in groundings}
    for term in broader_terms(groundings):
        record = [] if (term.vocabulary, term.id) in grounded else _term_record(term.grounding)
        yield term.grounding, record + [(SKOS_BROADER, _iri(p.iri)) for p in _parents(term)]


def _parents(term: Term) -> list[Grounding]:
    return [Grounding(term.vocabulary, p, "") for p in term.parents]


# The shared graph is the union over sources of what these three functions make of each source's
# records and claims: a fresh build (``iter_quads``) and a recomputation after a source is replaced or
# removed (``corpus``) both call them, so the two cannot disagree.


def describe_entity(entity: NamedNode, record: Iterable[tuple[Any, Any]]) -> Iterator[Quad]:
    """An entity's shared description from one source's record (pairs of predicate and object).

    Other predicates of a record (its own type, what it describes) are not part of the description.
    """
    for p, o in record:
        if p in (RDFS_LABEL, SKOS_ALT_LABEL):
            yield Quad(entity, NAME_KEY, Literal(normalize(o.value)), SHARED)
        if p == RDFS_LABEL:
            yield Quad(entity, RDFS_LABEL, o, SHARED)
            yield Quad(entity, SKOS_PREF_LABEL, o, SHARED)
        elif p == ENTITY_TYPE:
            yield Quad(entity, RDF_TYPE, _v("Entity"), SHARED)
            yield Quad(entity, RDF_TYPE, o, SHARED)
        elif p in ENTITY_FIELDS:
            yield Quad(entity, p, o, SHARED)


def describe_term(term: NamedNode, record: Iterable[tuple[Any, Any]]) -> Iterator[Quad]:
    """A grounding term's shared description from one source's term record."""
    for p, o in record:
        if p in TERM_FIELDS:
            yield Quad(term, p, o, SHARED)


def describe_proposition(
    prop: NamedNode,
    subject: NamedNode,
    relation: NamedNode,
    obj: NamedNode,
    *,
    affirmed: bool,
    links: Iterable[str] = (),
) -> Iterator[Quad]:
    """A proposition some source makes, and its claim links when some source affirms it.

    The proposition is a node: the graph never states ``subject relation object`` as a fact. ``links``
    are the claim-link properties (``claimed:``, :meth:`Vocabulary.claim_links
    <graph_builder.core.vocabulary.Vocabulary.claim_links>`) of the relation and its groups, written
    in the claimed graph between the two entities when ``affirmed``, so that a path query can follow
    what is claimed (``claimed:causallyInfluences+``) in words that say it is claimed.
    """
    yield Quad(prop, RDF_TYPE, _v("Proposition"), SHARED)
    yield Quad(prop, _v("subject"), subject, SHARED)
    yield Quad(prop, _v("relation"), relation, SHARED)
    yield Quad(prop, _v("object"), obj, SHARED)
    if affirmed:
        yield from claim_links(subject, links, obj)


def claim_links(subject: NamedNode, links: Iterable[str], obj: NamedNode) -> Iterator[Quad]:
    """The claim-link triples between two entities, in the claimed graph."""
    for link in sorted(links):
        yield Quad(subject, _iri(link), obj, CLAIMED)


def _shared(w: _Writer, ann: Annotation, vocab: Vocabulary, made: set[Any] | None) -> None:
    """The shared facts of a source; an entity's or term's description whose key is in ``made`` is left
    out (its quads are a function of the key: the entity itself, the term's IRI and record)."""
    for ent in ann.entities.values():
        if made is None or ent not in made:
            w.quads.extend(describe_entity(_iri(ns.entity_iri(ent.id)), _entity_record(ent, vocab)))
            if made is not None:
                made.add(ent)
    for g, record in _term_records(ann):
        key = (g.iri, tuple(record))
        if made is None or key not in made:
            w.quads.extend(describe_term(_iri(key[0]), record))
            if made is not None:
                made.add(key)
    for claim in ann.claims:
        w.quads.extend(
            describe_proposition(
                _iri(proposition_of(claim, vocab)),
                _iri(ns.entity_iri(claim.subject)),
                _iri(vocab.relations[claim.relation].iri),
                _iri(ns.entity_iri(claim.object)),
                affirmed=not claim.negated,
                links=vocab.claim_links(vocab.relations[claim.relation]),
            )
        )


def _records(w: _Writer, ann: Annotation, source: NamedNode, vocab: Vocabulary) -> None:
    """What this source says about its entities and grounding terms, kept in its own graph.

    The shared graph holds the union of these records over all sources, so it can be recomputed for
    the entities a source touched when that source is replaced or removed (see ``corpus``). What every
    source gives alike (:data:`ENTITY_AGREED`, :data:`TERM_AGREED`) is left out of the records: the shared graph has it.
    A record is typed by the domain of ``medkg:describes`` (``medkg:EntityRecord`` or
    ``medkg:TermRecord``), which is not written.
    """
    for ent in ann.entities.values():
        record = _N(f"{source.value}#entity/{ent.id}")
        w.add(record, DESCRIBES, _iri(ns.entity_iri(ent.id)))
        for p, o in _entity_record(ent, vocab):
            if p not in ENTITY_AGREED:
                w.add(record, p, o)
    for g, pairs in _term_records(ann):
        term = _N(f"{source.value}#term/{g.curie}")
        w.add(term, DESCRIBES, _iri(g.iri))
        for p, o in pairs:
            if p not in TERM_AGREED:
                w.add(term, p, o)


def _dimensions(w: _Writer, node: NamedNode, claim: Claim, source: NamedNode, vocab: Vocabulary) -> None:
    """The codebook's dimensions of a claim: recorded (polarity, support, attribution, qualifiers)
    and derived (certainty). The conditional flag, true exactly when the claim has a condition cue, and
    the strength, a function of support and certainty, are not stored: they are derived where they are
    asked for (``queries/derived-values.rq``; a query joins support and certainty with the strength
    table of ``ontology/evidence.ttl``, generated from the codebook's rule).

    The parts of a claim (qualifiers here; hedge cues, agents and chain steps in ``_source``) are not
    typed: the domain of the property that links them or that only they carry makes them
    ``medkg:Qualifier``, ``medkg:HedgeCue``, ``medkg:Agent``, ``medkg:ChainStep`` (the SHACL shapes
    find them by those properties).
    """
    w.add(node, _v("polarity"), _iri(vocab.polarities[claim.polarity].iri))
    w.add(node, _v("certainty"), _iri(vocab.certainties[claim.certainty].iri))
    w.add(node, _v("support"), _iri(vocab.supports[claim.support].iri))
    if claim.attributed_to is not None:
        w.add(node, _v("attributedTo"), _N(f"{source.value}#agent/{claim.attributed_to}"))
    for q in claim.qualifiers:
        qualifier = _N(f"{node.value}#qualifier-{q.span.start}-{q.span.end}")
        w.add(node, _v("qualifier"), qualifier)
        w.add(qualifier, _v("qualifierType"), _iri(vocab.qualifier_types[q.type].iri))
        w.text(qualifier, _v("cueText"), q.span.text)
        w.integer(qualifier, _v("cueStart"), q.span.start)
        if q.value is not None:
            w.text(qualifier, _v("qualifierValue"), q.value)
        if q.unit is not None:
            w.text(qualifier, _v("qualifierUnit"), q.unit)


def _source(w: _Writer, ann: Annotation, vocab: Vocabulary) -> None:
    src = ann.source
    source = _N(ns.source_iri(src.id))
    _records(w, ann, source, vocab)
    w.add(source, RDF_TYPE, _v("SourceDocument"))
    if src.kind == "web-page":
        w.add(source, RDF_TYPE, _iri(ns.SCHEMA + "MedicalWebPage"))
    w.text(source, _iri(ns.DCTERMS + "title"), src.title)
    w.text(source, _iri(ns.DCTERMS + "description"), src.description)
    w.text(source, _iri(ns.DCTERMS + "identifier"), src.id)
    w.text(source, _v("text"), src.text)
    w.integer(source, _v("textLength"), len(src.text))
    w.text(source, _v("textSha256"), hashlib.sha256(src.text.encode("utf-8")).hexdigest())
    if src.url:
        w.add(source, _N(ns.SCHEMA + "url"), _N(src.url))
    method = _iri(
        ns.ECO
        + ("0000218" if ann.agent in ("manual_agent", "manual_validation_of_automated_agent") else "0000203")
    )
    # Who made the annotation and how: once per source. The Biolink reading of each assertion, which
    # repeats them, is derived (``queries/biolink-statements.rq``, :mod:`graph_builder.kg.views`).
    w.text(source, _v("agentType"), ann.agent)
    w.add(source, _v("assertionMethod"), method)
    assertions: dict[str, NamedNode] = {}
    for claim in ann.claims:
        level = vocab.evidence[claim.evidence]
        node = _N(assertion_of(claim, src.id, vocab))
        assertions[claim.id] = node
        w.add(node, RDF_TYPE, _v("Assertion"))
        w.add(node, _v("proposition"), _iri(proposition_of(claim, vocab)))
        w.add(node, _v("source"), source)
        w.text(node, _v("claimId"), claim.id)
        _quote(w, node, claim.quote)
        w.add(node, _v("stance"), _iri(vocab.stances[claim.stance].iri))
        w.add(node, _v("evidenceLevel"), _iri(level.iri))
        w.text(node, _v("evidenceRationale"), claim.rationale)
        _dimensions(w, node, claim, source, vocab)
        if claim.mechanism is not None:
            w.text(node, _v("mechanism"), claim.mechanism.text)
        for cue in claim.hedges:
            hedge = _N(f"{node.value}#hedge-{cue.span.start}-{cue.span.end}")
            w.add(node, _v("hedge"), hedge)
            w.text(hedge, _v("cueText"), cue.span.text)
            w.integer(hedge, _v("cueStart"), cue.span.start)
            w.add(hedge, _v("cueType"), _iri(vocab.hedge_types[cue.type].iri))
    for agent in ann.agents.values():
        who = _N(f"{source.value}#agent/{agent.id}")
        w.text(who, RDFS_LABEL, agent.name)
        w.add(who, _v("agentKind"), _iri(vocab.agent_types[agent.type].iri))
    for chain in ann.chains:
        steps = [assertions[s] for s in chain.steps]
        node = _N(ns.chain_iri(source.value, [s.value for s in steps]))
        first, last = ann.claim(chain.steps[0]), ann.claim(chain.steps[-1])
        w.add(node, RDF_TYPE, _v("Chain"))
        w.add(node, _v("source"), source)
        w.text(node, _v("claimId"), chain.id)
        w.add(node, _v("stance"), _iri(vocab.stances[chain.stance].iri))
        w.add(node, _v("evidenceLevel"), _iri(vocab.evidence[chain.evidence].iri))
        w.add(node, _v("support"), _iri(vocab.supports[chain.support].iri))
        w.text(node, _v("evidenceRationale"), chain.rationale)
        w.add(node, _v("chainStart"), _iri(ns.entity_iri(first.subject)))
        w.add(node, _v("chainEnd"), _iri(ns.entity_iri(last.object)))
        if chain.quote is not None:
            _quote(w, node, chain.quote)
        for position, assertion in enumerate(steps, start=1):
            step = _N(f"{node.value}#step-{position}")
            w.add(node, _v("step"), step)
            w.integer(step, _v("position"), position)
            w.add(step, _v("assertion"), assertion)


def iter_quads(
    annotation: Annotation, vocab: Vocabulary | None = None, *, made: set[Any] | None = None
) -> Iterator[Quad]:
    """Yield the quads of one annotation: shared facts first, then the source's named graph, then its
    statistics (:mod:`graph_builder.kg.statistics`).

    ``made``, when given, holds the keys of the entity and term descriptions its caller already has
    (from earlier annotations; the set is updated): those are left out, as a store would keep them
    once anyway, and a build's reader is spared making them. The statistics do not read descriptions.
    """
    vocab = vocab or load_vocabulary()
    w = _Writer()
    _shared(w, annotation, vocab, made)
    w.graph = _N(ns.source_graph_iri(annotation.source.id))
    _source(w, annotation, vocab)
    yield from w.quads
    yield from source_statistics(annotation.source.id, w.quads)


def iter_corpus_quads(annotations: Iterable[Annotation], vocab: Vocabulary | None = None) -> Iterator[Quad]:
    """Yield the quads of many annotations (shared facts repeat; a store keeps each quad once), then
    the store's totals: the sum of their statistics (:func:`graph_builder.kg.statistics.total_statistics`)."""
    vocab = vocab or load_vocabulary()
    totals: Tally = Counter()
    for ann in annotations:
        quads = list(iter_quads(ann, vocab))
        totals.update(tally(quads))
        yield from quads
    yield from total_statistics(totals)
