"""A corpus in a persistent on-disk Oxigraph store: open it, add or replace a source, remove one, and find
the annotation files to put in it. The streaming bulk build is :mod:`graph_builder.store.bulk`.

The shared graph is a pure function of the set of sources (docs/data-model.md), so replacing or
removing a source recomputes only the shared facts of the entities and propositions it touched, and
``add`` then ``remove`` of a source leaves the store as it was.

>>> import tempfile
>>> from graph_builder.ingest.annotations import load_annotation
>>> from graph_builder.core.paths import SEED_ANNOTATION
>>> store = new_store(None)
>>> add_annotations(store, [load_annotation(SEED_ANNOTATION)]).added
['does-herpes-cause-lower-back-pain']
>>> remove_source(store, "does-herpes-cause-lower-back-pain").removed
'does-herpes-cause-lower-back-pain'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph_builder.core import namespaces as ns
from graph_builder.core.errors import MedkgError
from graph_builder.core.model import Annotation
from graph_builder.core.vocabulary import (
    Vocabulary,
    load_ontology,
    load_vocabulary,
    vocabulary_from_store,
)
from graph_builder.ingest.annotations import AnnotationError, Problem, read_annotation
from graph_builder.ingest.checks import CrossFileChecks, FileSummary, read_summary, summarise
from graph_builder.kg.rdf import (
    CLAIMED,
    DESCRIBES,
    ENTITY_AGREED,
    ENTITY_DESCRIPTION,
    ENTITY_TYPE,
    SHARED,
    TERM_AGREED,
    TERM_FIELDS,
    claim_links,
    describe_entity,
    describe_proposition,
    describe_term,
    iter_quads,
)
from graph_builder.kg.statistics import (
    Tally,
    recounted_totals,
    remove_source_statistics,
    replace_totals,
    stored_statistics,
    stored_totals,
    tally,
)

_N = ox.NamedNode


class StoreError(MedkgError, ValueError):
    """A store folder that cannot be used: locked, not an Oxigraph store, or not a medkg corpus."""


@dataclass
class AddReport:
    """What ``add_annotations`` did."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    quads: int = 0


@dataclass(frozen=True)
class RemoveReport:
    """What ``remove_source`` did."""

    removed: str
    entities_recomputed: int
    propositions_dropped: int


def new_store(path: Path | None) -> ox.Store:
    """An empty store with the ontology loaded: in memory, or on disk at ``path``."""
    store = ox.Store() if path is None else ox.Store(str(path))
    load_ontology(store)
    return store


def is_store(path: Path) -> bool:
    """A folder holding an Oxigraph (RocksDB) store: what ``medkg build --store`` makes."""
    return (path / "CURRENT").is_file()


def open_store(path: Path, *, read_only: bool = False) -> ox.Store:
    """Open an existing on-disk store made by ``medkg build --store``."""
    if not is_store(path):
        raise StoreError(
            f"{path}: expected an Oxigraph store folder made by 'medkg build --store'; found no store there"
        )
    try:
        return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except OSError as err:
        raise StoreError(f"{path}: cannot open the store: {err}") from None
    except RuntimeError as err:  # RocksDB's "Corruption: ..." (a damaged file, or another program's folder)
        raise StoreError(f"{path}: the store is corrupt or not a medkg store: {err}") from None


def source_ids(store: ox.Store) -> list[str]:
    """The ids of the sources in the store, sorted."""
    prefix = ns.SOURCE_GRAPH
    return sorted(
        g.value[len(prefix) :]
        for g in store.named_graphs()
        if isinstance(g, ox.NamedNode) and g.value.startswith(prefix)
    )


def _select(store: ox.Store, sparql: str, **bind: ox.NamedNode) -> list[ox.QuerySolution]:
    result = store.query(
        ns.sparql_prefixes() + sparql,
        use_default_graph_as_union=True,
        substitutions={ox.Variable(k): v for k, v in bind.items()},
    )
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def _problems_with_store(
    store: ox.Store, summaries: Sequence[FileSummary | None], vocab: Vocabulary
) -> list[Problem]:
    """The cross-file problems of new files, among themselves and with the sources they do not replace."""
    checks = CrossFileChecks()
    replaced = {s.source_id for s in summaries if s is not None}
    entities = {e[0] for s in summaries if s is not None for e in s.entities}
    entities |= {link[2] for s in summaries if s is not None for link in s.broader}
    slugs = {t.iri: t.slug for t in vocab.entity_types.values()}
    for ident in sorted(entities):
        rows = _select(
            store,
            """SELECT ?entity ?g ?label ?type WHERE {
                 GRAPH ?g { ?record medkg:describes ?entity . }
                 GRAPH graph:shared { ?entity rdfs:label ?label ; a ?type . }
                 FILTER(?type != medkg:Entity)
               } ORDER BY ?g""",
            entity=_N(ns.entity_iri(ident)),
        )
        for row in rows:
            source = str(row["g"].value).removeprefix(ns.SOURCE_GRAPH)
            if source not in replaced:  # the sources agree with each other: the first one will do
                cls = str(row["type"].value)
                checks.know_entity(
                    ident, str(row["label"].value), slugs.get(cls, cls), f"source {source} in the store"
                )
                break
    problems = []
    defined = {e[0] for s in summaries if s is not None for e in s.entities}
    files = {s.source_id: s.file for s in summaries if s is not None}
    for source, ident, broader, definers in _broader_links(store):
        if source in replaced:
            continue
        checks.know_broader(ident, broader)
        lost = definers and definers <= replaced and broader not in defined
        if lost:  # the files replacing the sources that define it drop the entity another source needs
            problems.append(
                Problem(
                    files[min(definers)],
                    f"entity {broader}",
                    "entities",
                    f"an entity {broader!r}: source {source} in the store names it broader than {ident}",
                    "no such entity in the file replacing the sources that define it",
                )
            )
    return problems + [p for s in summaries if s is not None for p in checks.check(s)] + checks.finish()


def _broader_links(store: ox.Store) -> list[tuple[str, str, str, set[str]]]:
    """The curated broader links of the sources in the store: (source, entity, broader entity, the
    sources that define the broader entity)."""
    rows = _select(
        store,
        """SELECT ?g ?entity ?broader ?h WHERE {
             GRAPH ?g { ?record medkg:describes ?entity ; skos:broader ?broader . }
             FILTER(STRSTARTS(STR(?entity), STR(entity:)))
             OPTIONAL { GRAPH ?h { ?other medkg:describes ?broader . } }
           }""",
    )
    links: dict[tuple[str, str, str], set[str]] = {}
    for row in rows:
        key = (
            row["g"].value.removeprefix(ns.SOURCE_GRAPH),
            row["entity"].value.removeprefix(ns.ENTITY),
            row["broader"].value.removeprefix(ns.ENTITY),
        )
        definers = links.setdefault(key, set())
        if row["h"] is not None:
            definers.add(row["h"].value.removeprefix(ns.SOURCE_GRAPH))
    return [(*key, links[key]) for key in sorted(links)]


def _touched(
    store: ox.Store, graph: ox.NamedNode
) -> tuple[set[ox.NamedNode], set[ox.NamedNode], set[ox.NamedNode]]:
    """Entities, grounding terms and propositions a source graph refers to."""
    entities: set[ox.NamedNode] = set()
    terms: set[ox.NamedNode] = set()
    for q in store.quads_for_pattern(None, DESCRIBES, None, graph):
        target = q.object
        if isinstance(target, ox.NamedNode):
            (entities if target.value.startswith(ns.ENTITY) else terms).add(target)
    propositions = {
        q.object
        for q in store.quads_for_pattern(None, _N(ns.MEDKG_VOCAB + "proposition"), None, graph)
        if isinstance(q.object, ox.NamedNode)
    }
    for p in list(propositions):
        for pred in ("subject", "object"):
            for q in store.quads_for_pattern(p, _N(ns.MEDKG_VOCAB + pred), None, SHARED):
                if isinstance(q.object, ox.NamedNode):
                    entities.add(q.object)
    return entities, terms, propositions


def _object(store: ox.Store, subject: ox.NamedNode, predicate: ox.NamedNode, graph: ox.NamedNode) -> Any:
    """The object of the first matching quad, or None."""
    quad = next(store.quads_for_pattern(subject, predicate, None, graph), None)
    return None if quad is None else quad.object


def _affirmed(store: ox.Store, prop: ox.NamedNode) -> bool:
    """Whether some assertion of the proposition is not negated (its polarity is affirmed)."""
    affirmed = _N(ns.POLARITY + "affirmed")
    return any(
        next(store.quads_for_pattern(a.subject, _N(ns.MEDKG_VOCAB + "polarity"), affirmed, None), None)
        for a in store.quads_for_pattern(None, _N(ns.MEDKG_VOCAB + "proposition"), prop, None)
    )


def _recompute_shared(
    store: ox.Store,
    entities: Iterable[ox.NamedNode],
    terms: Iterable[ox.NamedNode],
    propositions: Iterable[ox.NamedNode],
) -> int:
    """Make these nodes' shared facts what the sources now in the store say; return propositions dropped.

    Each node's shared facts are removed and made again by ``rdf``'s ``describe_*`` from the records
    and assertions of the sources left: the rule a fresh build follows.
    """
    dropped = 0
    vocab = vocabulary_from_store(store)
    links = {r.iri: vocab.claim_links(r) for r in vocab.relations.values()}
    ends: set[tuple[ox.NamedNode, ox.NamedNode]] = set()
    for prop in propositions:
        s, r, o = (
            _object(store, prop, _N(ns.MEDKG_VOCAB + part), SHARED)
            for part in ("subject", "relation", "object")
        )
        assertions = list(store.quads_for_pattern(None, _N(ns.MEDKG_VOCAB + "proposition"), prop, None))
        for q in list(store.quads_for_pattern(prop, None, None, SHARED)):
            store.remove(q)
        if isinstance(s, ox.NamedNode) and isinstance(r, ox.NamedNode) and isinstance(o, ox.NamedNode):
            ends.add((s, o))
            if assertions:
                # affirmed=False: the claim links are made per pair of entities below.
                store.extend(describe_proposition(prop, s, r, o, affirmed=False))
        if not assertions:
            dropped += 1
    # The claim links between two entities are those of the propositions between them that some
    # source still affirms (several propositions can share a link: causes and triggers, say).
    for s, o in sorted(ends, key=lambda e: (e[0].value, e[1].value)):
        for q in list(store.quads_for_pattern(s, None, o, CLAIMED)):
            store.remove(q)
        for q in list(store.quads_for_pattern(None, _N(ns.MEDKG_VOCAB + "subject"), s, SHARED)):
            between = q.subject
            if not isinstance(between, ox.NamedNode):
                continue
            if _object(store, between, _N(ns.MEDKG_VOCAB + "object"), SHARED) != o or not _affirmed(
                store, between
            ):
                continue
            relation = _object(store, between, _N(ns.MEDKG_VOCAB + "relation"), SHARED)
            store.extend(claim_links(s, links.get(relation.value, ()), o))
    for nodes, fields, agreed_fields, describe in (
        (entities, ENTITY_DESCRIPTION, ENTITY_AGREED, describe_entity),
        (terms, TERM_FIELDS, TERM_AGREED, describe_term),
    ):
        for node in nodes:
            agreed = _agreed(store, node, agreed_fields)
            records = list(store.quads_for_pattern(None, DESCRIBES, node, None))
            for pred in fields:
                for q in list(store.quads_for_pattern(node, pred, None, SHARED)):
                    store.remove(q)
            if records:  # what every source gives alike stands while some source records the node
                store.extend(describe(node, agreed))
            for record in records:
                pairs = store.quads_for_pattern(record.subject, None, None, record.graph_name)
                store.extend(describe(node, [(q.predicate, q.object) for q in pairs]))
    return dropped


def _agreed(
    store: ox.Store, node: ox.NamedNode, fields: Sequence[ox.NamedNode]
) -> list[tuple[ox.NamedNode, Any]]:
    """A node's shared values of the fields every source gives alike (``rdf.ENTITY_AGREED``,
    ``rdf.TERM_AGREED``), as the record pairs they were made from."""
    entity = _N(ns.MEDKG_VOCAB + "Entity")
    pairs: list[tuple[ox.NamedNode, Any]] = []
    for q in store.quads_for_pattern(node, None, None, SHARED):
        if q.predicate == _N(ns.RDF + "type") and ENTITY_TYPE in fields and q.object != entity:
            pairs.append((ENTITY_TYPE, q.object))
        elif q.predicate in fields:
            pairs.append((q.predicate, q.object))
    return pairs


def remove_source(store: ox.Store, source_id: str) -> RemoveReport:
    """Remove a source's named graph and whatever of the shared graph only it supported.

    Refused while another source names an entity only this one defines as broader than its own.
    """
    [report] = remove_sources(store, [source_id])
    return report


def remove_sources(store: ox.Store, source_ids_: Sequence[str]) -> list[RemoveReport]:
    """Remove several sources together: all of them, or (on a refusal) none.

    Refused while a source that stays names, as broader than its own entity, an entity that only
    sources being removed define; the sources removed together may name each other's entities.
    """
    gone = list(dict.fromkeys(source_ids_))
    graphs = [_N(ns.source_graph_iri(source_id)) for source_id in gone]
    for source_id, graph in zip(gone, graphs, strict=True):
        if not store.contains_named_graph(graph):
            known = ", ".join(source_ids(store)) or "none"
            raise StoreError(f"no source {source_id!r} in the store; sources: {known}")
    refusals = [
        f"cannot remove {', '.join(repr(d) for d in sorted(definers))}: "
        + ("it alone defines" if len(definers) == 1 else "only they define")
        + f" the entity {broader!r}, which source {source} names as broader than {ident!r}; "
        f"remove or change {source} first"
        for source, ident, broader, definers in _broader_links(store)
        if source not in gone and definers and definers <= set(gone)
    ]
    if refusals:
        raise StoreError("\n".join(dict.fromkeys(refusals)))
    totals = _totals(store)
    reports = [_remove(store, graph, totals) for graph in graphs]
    replace_totals(store, totals)
    return reports


def _totals(store: ox.Store) -> Tally:
    """The store's totals, to update: as stored, or summed from the sources' statistics when there are
    none (a store built before they were kept) or they do not hold together (``stored_totals``)."""
    totals = stored_totals(store)
    return recounted_totals(store) if totals is None else totals


def _remove(store: ox.Store, graph: ox.NamedNode, totals: Tally) -> RemoveReport:
    """Take a source out, and its statistics out of ``totals``."""
    source_id = graph.value.removeprefix(ns.SOURCE_GRAPH)
    entities, terms, propositions = _touched(store, graph)
    totals.subtract(tally(stored_statistics(store, source_id)))
    store.remove_graph(graph)
    remove_source_statistics(store, source_id)
    dropped = _recompute_shared(store, entities, terms, propositions)
    return RemoveReport(source_id, len(entities), dropped)


def add_annotations(
    store: ox.Store, annotations: Sequence[Annotation], vocab: Vocabulary | None = None
) -> AddReport:
    """Add sources to the store, replacing any source with the same id.

    The cross-file checks run first, over the new files and the sources they do not replace.
    """
    vocab = vocab or load_vocabulary()
    problems = _problems_with_store(store, [summarise(ann) for ann in annotations], vocab)
    if problems:
        raise AnnotationError(problems)
    return _add(store, annotations, vocab)


def add_annotation_files(
    store: ox.Store, paths: Sequence[Path], vocab: Vocabulary | None = None
) -> AddReport:
    """Read annotation files (or folders of them) and add them to the store, as ``medkg add`` does.

    Each file's own problems and the cross-file ones (among the files, and with the store) are
    reported together, and nothing is added unless there are none.
    """
    vocab = vocab or load_vocabulary()
    annotations, problems, summaries = [], [], []
    for path in annotation_files(paths):
        ann, found = read_annotation(path, vocab)
        problems += found
        summaries.append(summarise(ann) if ann is not None else read_summary(path))
        if ann is not None:
            annotations.append(ann)
    problems += _problems_with_store(store, summaries, vocab)
    if problems:
        raise AnnotationError(problems)
    return _add(store, annotations, vocab)


def _add(store: ox.Store, annotations: Sequence[Annotation], vocab: Vocabulary) -> AddReport:
    report = AddReport()
    existing = set(source_ids(store))
    totals = _totals(store)
    for ann in annotations:
        if ann.source.id in existing:  # the checks made sure no other source loses an entity it needs
            _remove(store, _N(ns.source_graph_iri(ann.source.id)), totals)
            report.replaced.append(ann.source.id)
        else:
            report.added.append(ann.source.id)
        quads = list(iter_quads(ann, vocab))
        totals.update(tally(quads))
        store.extend(quads)
        report.quads += len(quads)
    replace_totals(store, totals)
    return report


#: The suffixes of annotation files in a folder, in any case (``seed.YAML`` too).
ANNOTATION_SUFFIXES = (".yaml", ".yml")


class NoAnnotationFiles(MedkgError, ValueError):
    """Folders with no annotation file in them, where a build would make an empty graph."""


def iter_annotation_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Expand folders into the ``*.yaml``/``*.yml`` files under them, sorted; files pass through."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.suffix.lower() in ANNOTATION_SUFFIXES and p.is_file()
            )
        else:
            yield path


def annotation_files(paths: Sequence[Path], *, allow_empty: bool = False) -> list[Path]:
    """The files ``iter_annotation_files`` finds; none is an error unless ``allow_empty``.

    An empty folder (or one of ``.txt`` files) given by mistake would otherwise build an empty graph in
    place of the old one and report success.
    """
    files = list(iter_annotation_files(paths))
    if not files and not allow_empty:
        where = ", ".join(str(p) for p in paths) or "no paths given"
        raise NoAnnotationFiles(f"{where}: found no annotation files (*.yaml or *.yml, in any case)")
    return files
