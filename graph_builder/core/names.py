"""The one rule that turns what a person types (an IRI, an entity id, a label or a synonym) into an entity IRI.

Pure: the candidates come from a networkx projection (:func:`graph_builder.analysis.chains.resolve_entity`), a
local store (:func:`graph_builder.sparql.parameters.resolve_in_store`) or a remote endpoint, read with
:data:`ENTITY_NAMES_SPARQL`, so Python and the named queries resolve every name alike.

>>> herpes = EntityName("https://w3id.org/medkg/entity/herpes", "herpes", ("cold sores",))
>>> resolve_name("  Cold   SORES ", [herpes])
'https://w3id.org/medkg/entity/herpes'
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import NamedTuple

from graph_builder.core import namespaces as ns
from graph_builder.core.errors import MedkgError

#: Every entity with its label and each synonym (one row per synonym, ``?synonym`` unbound when it has
#: none). Plain SPARQL 1.1 with its prefixes, so a remote endpoint answers it as the local store does.
ENTITY_NAMES_SPARQL = (
    ns.sparql_prefixes()
    + """SELECT ?entity ?label ?synonym WHERE {
  ?entity a medkg:Entity ; rdfs:label ?label .
  OPTIONAL { ?entity skos:altLabel ?synonym }
}
"""
)


class EntityName(NamedTuple):
    """What a name can match of one entity: its IRI (and so its id), its label and its synonyms."""

    iri: str
    label: str
    synonyms: tuple[str, ...] = ()


class EntityNameError(MedkgError, ValueError):
    """A name that resolves to no entity, or to more than one; the message lists what it could mean."""


class UnknownEntityError(EntityNameError, LookupError):
    """No entity has this IRI, id, label or synonym."""


class AmbiguousEntityError(EntityNameError):
    """Several entities match the name equally well."""


def normalize(text: str) -> str:
    """The form names are compared in: case folded, runs of whitespace one space, no outer spaces.

    >>> normalize("  Lower \\t Back  PAIN ")
    'lower back pain'
    """
    return " ".join(text.split()).casefold()


#: Entity ids are lower-case slugs (ingest/schema.py), so a name is an IRI or id only in this form.
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")


def named_iri(text: str) -> str | None:
    """The IRI of the entity ``text`` names if it is written as an IRI, ``entity:`` id or id (whether
    that entity exists is for a store to say); ``None`` when it cannot be one.

    >>> named_iri("Entity:Herpes"), named_iri("lower back pain")
    ('https://w3id.org/medkg/entity/herpes', None)
    """
    key = normalize(text)
    for prefix in ("", ns.ENTITY, "entity:"):
        if key.startswith(prefix) and _SLUG.fullmatch(key[len(prefix) :]):
            return ns.ENTITY + key[len(prefix) :]
    return None


def entity_names(rows: Iterable[tuple[str, str, str | None]]) -> list[EntityName]:
    """Group ``(entity, label, synonym or None)`` rows, as :data:`ENTITY_NAMES_SPARQL` gives them.

    >>> entity_names([("e:1", "a", "b"), ("e:1", "a", "c"), ("e:2", "d", None)])
    [EntityName(iri='e:1', label='a', synonyms=('b', 'c')), EntityName(iri='e:2', label='d', synonyms=())]
    """
    labels: dict[str, str] = {}
    synonyms: dict[str, set[str]] = {}
    for iri, label, synonym in rows:
        labels.setdefault(iri, label)
        found = synonyms.setdefault(iri, set())
        if synonym is not None:
            found.add(synonym)
    return [EntityName(iri, labels[iri], tuple(sorted(synonyms[iri]))) for iri in sorted(labels)]


def resolve_name(text: str, candidates: Iterable[EntityName]) -> str:
    """Return the IRI of the one entity ``text`` names: its IRI, id, ``entity:`` id, label or a synonym.

    Matching ignores case and runs of whitespace. An IRI or id beats a label, which beats a synonym;
    two entities at the best matching tier raise :class:`AmbiguousEntityError` naming both, no match
    raises :class:`UnknownEntityError` with close matches.

    >>> resolve_name("herpse", [EntityName("https://w3id.org/medkg/entity/herpes", "herpes")])
    Traceback (most recent call last):
    ...
    graph_builder.core.names.UnknownEntityError: unknown entity 'herpse'; close matches: herpes
    """
    key = normalize(text)
    tiers: list[set[str]] = [set(), set(), set()]
    labels: dict[str, str] = {}
    names: dict[str, str] = {}  # every label and synonym by its normal form, for close matches
    # Sorted, so that close matches come in the same order whoever listed the candidates.
    for iri, label, synonyms in sorted(candidates):
        labels[iri] = label
        local = iri.removeprefix(ns.ENTITY)
        if key in (normalize(iri), normalize(local), normalize("entity:" + local)):
            tiers[0].add(iri)
        if key == normalize(label):
            tiers[1].add(iri)
        for synonym in synonyms:
            names.setdefault(normalize(synonym), synonym)
            if key == normalize(synonym):
                tiers[2].add(iri)
        names[normalize(label)] = label
    for found in tiers:
        if len(found) == 1:
            return found.pop()
        if found:
            listed = "; ".join(f"{labels[iri]} ({iri})" for iri in sorted(found))
            raise AmbiguousEntityError(
                f"entity {text!r} is ambiguous: it names {listed}; give a label or IRI instead"
            )
    close = difflib.get_close_matches(key, list(names), n=5, cutoff=0.6)
    hint = (
        f"close matches: {', '.join(names[c] for c in close)}"
        if close
        else "no close match; try `medkg rank`"
    )
    raise UnknownEntityError(f"unknown entity {text!r}; {hint}")
