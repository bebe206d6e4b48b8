"""The Biolink Model as its own package ships it (``biolink-model``, the YAML schema), for tests of the
Biolink terms medkg uses: classes, predicates, slots and enumerations, by CURIE.

Only the YAML is read (``make test`` installs the package with ``--no-deps``: its Python classes need
linkml-runtime); nothing is downloaded.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest
import yaml


def _camel(name: str) -> str:
    # Biolink writes "phenotypic feature" in the schema and biolink:PhenotypicFeature in data.
    return "".join(word[:1].upper() + word[1:] for word in name.split())


@dataclass(frozen=True)
class BiolinkModel:
    version: str
    classes: dict[str, dict]  # type: ignore[type-arg]
    slots: dict[str, dict]  # type: ignore[type-arg]
    enums: dict[str, dict]  # type: ignore[type-arg]

    def ancestors(self, name: str, kind: str = "slots") -> list[str]:
        """The ``is_a`` chain above a class or slot, nearest first."""
        table = self.slots if kind == "slots" else self.classes
        found: list[str] = []
        parent = table[name].get("is_a")
        while parent:
            found.append(parent)
            parent = table[parent].get("is_a")
        return found

    @property
    def class_curies(self) -> dict[str, str]:
        """``biolink:PhenotypicFeature`` → ``phenotypic feature``."""
        return {f"biolink:{_camel(name)}": name for name in self.classes}

    @property
    def slot_curies(self) -> dict[str, str]:
        """``biolink:knowledge_level`` → ``knowledge level``."""
        return {f"biolink:{name.replace(' ', '_')}": name for name in self.slots}

    @property
    def predicates(self) -> set[str]:
        """The CURIEs of the slots under ``related to``: what may be an edge's predicate."""
        return {curie for curie, name in self.slot_curies.items() if "related to" in self.ancestors(name)}

    def enum(self, name: str) -> set[str]:
        return set(self.enums[name]["permissible_values"])


@lru_cache(maxsize=1)
def load_biolink_model() -> BiolinkModel:
    """The shipped Biolink Model; skips the test when the package is not installed (``make test`` installs it)."""
    spec = importlib.util.find_spec("biolink_model")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("the Biolink Model is not installed: pip install --no-deps 'biolink-model==4.4.6'")
    # A namespace package (no __init__.py), which importlib.resources cannot open in Python 3.11.
    schema = Path(next(iter(spec.submodule_search_locations))) / "schema" / "biolink_model.yaml"
    data = yaml.safe_load(schema.read_text(encoding="utf-8"))
    return BiolinkModel(str(data["version"]), data["classes"], data["slots"], data["enums"])
