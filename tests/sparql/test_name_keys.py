"""Names resolved once (issue 14): a name key per label and synonym written at build time, looked up by
the resolver that binds entity parameters, and no named query matching labels in SPARQL."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph_builder.core import namespaces as ns
from graph_builder.core.model import Annotation
from graph_builder.core.names import EntityNameError, normalize, resolve_name
from graph_builder.core.paths import ANNOTATIONS_DIR, QUERIES_DIR
from graph_builder.ingest.annotations import load_annotations
from graph_builder.kg.build import build_store
from graph_builder.kg.rdf import NAME_KEY
from graph_builder.sparql.parameters import resolve_in_store, store_entity_names
from graph_builder.store.corpus import add_annotations, new_store, remove_source

ANNOTATIONS = load_annotations(sorted(ANNOTATIONS_DIR.glob("*.yaml")))

#: Case mapping of a label (or of its string) inside a query: the per-query scan over every name.
_CASE_OVER_LABEL = re.compile(r"\b[LU]CASE\s*\(", re.IGNORECASE)


def _label_scans(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if _CASE_OVER_LABEL.search(line)]


def test_the_label_scan_check_finds_a_scan() -> None:
    scan = "FILTER(LCASE(STR(?label)) = LCASE(?name))\n"
    assert _label_scans(scan) == [scan.strip()]
    assert _label_scans("?entity medkg:nameKey ?key .") == []


@pytest.mark.parametrize("path", sorted(QUERIES_DIR.rglob("*.rq")), ids=lambda p: p.name)
def test_no_named_query_lower_cases_labels(path: Path) -> None:
    assert _label_scans(path.read_text(encoding="utf-8")) == []


def _keys(store: ox.Store) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {}
    for q in store.quads_for_pattern(None, NAME_KEY, None, None):
        keys.setdefault(q.subject.value, set()).add(q.object.value)  # type: ignore[union-attr]
    return keys


def _expected_keys(annotations: list[Annotation]) -> dict[str, set[str]]:
    """Every entity's keys, read from the annotation files with the one name rule."""
    keys: dict[str, set[str]] = {}
    for ann in annotations:
        for ident, ent in ann.entities.items():
            names = keys.setdefault(ns.entity_iri(ident), set())
            names |= {normalize(ent.label), *(normalize(s) for s in ent.synonyms)}
    return keys


def test_every_label_and_synonym_has_its_key() -> None:
    assert _keys(build_store(ANNOTATIONS)) == _expected_keys(ANNOTATIONS)


def test_keys_follow_add_and_remove() -> None:
    store = new_store(None)
    add_annotations(store, ANNOTATIONS)
    assert _keys(store) == _expected_keys(ANNOTATIONS)
    # the last source whose removal the broader links allow
    for ann in reversed(ANNOTATIONS):
        try:
            remove_source(store, ann.source.id)
        except ValueError:
            continue
        kept = [a for a in ANNOTATIONS if a is not ann]
        assert _keys(store) == _expected_keys(kept)
        break
    else:
        pytest.fail("no source could be removed")


def _names(annotations: list[Annotation]) -> list[str]:
    """What people type: every id, IRI, label and synonym, as given and in other case and spacing."""
    typed = []
    for ann in annotations:
        for ident, ent in ann.entities.items():
            for name in (ident, f"entity:{ident}", ns.entity_iri(ident), ent.label, *ent.synonyms):
                typed += [name, f"  {name.upper()} ", name.replace(" ", "   ")]
    return [*typed, "no such thing", "herpse", "", "entity:", ns.ENTITY, "ENTITY:Herpes Zoster"]


def _outcome(resolve: Callable[[str], str], text: str) -> str:
    try:
        return resolve(text)
    except EntityNameError as error:
        return f"error: {error}"


def test_resolving_through_keys_agrees_with_comparing_every_name() -> None:
    store = build_store(ANNOTATIONS)
    everything = store_entity_names(store)
    for text in _names(ANNOTATIONS):
        full = _outcome(lambda t: resolve_name(t, everything), text)
        assert _outcome(lambda t: resolve_in_store(store, t), text) == full, text


def test_a_graph_without_keys_still_resolves_names() -> None:
    store = build_store(ANNOTATIONS)
    for q in list(store.quads_for_pattern(None, NAME_KEY, None, None)):
        store.remove(q)
    ent = ANNOTATIONS[0].entities[next(iter(ANNOTATIONS[0].entities))]
    assert resolve_in_store(store, ent.label.upper()) == resolve_name(ent.label, store_entity_names(store))
