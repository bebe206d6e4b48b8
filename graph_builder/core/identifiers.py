"""CURIEs and IRIs of the terms medkg names: one ``curies`` converter over Bioregistry's prefixes.

``prefixes.json`` (beside this module) is an extended prefix map taken from Bioregistry for the
vocabularies medkg grounds to and the namespaces its queries declare, plus medkg's own namespaces;
a test checks it against the ``bioregistry`` package. Every CURIE medkg prints or reads goes through it.

>>> compress("http://id.nlm.nih.gov/mesh/D017116"), compress("http://purl.obolibrary.org/obo/HP_0003419")
('mesh:D017116', 'HP:0003419')
>>> expand("MESH:D017116"), expand("hpo:0003419")
('http://id.nlm.nih.gov/mesh/D017116', 'http://purl.obolibrary.org/obo/HP_0003419')
>>> shorten("https://w3id.org/medkg/entity/herpes"), shorten("http://example.org/x")
('entity:herpes', 'http://example.org/x')
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from graph_builder.core.paths import PREFIX_MAP_FILE

if TYPE_CHECKING:
    import curies


@lru_cache(maxsize=1)
def converter() -> curies.Converter:
    """The converter read from the shipped prefix map (imported on first use: ``curies`` loads pydantic)."""
    import curies

    return curies.Converter.from_extended_prefix_map(PREFIX_MAP_FILE)


def compress(iri: str) -> str | None:
    """The CURIE of an IRI with its preferred prefix, or None when no prefix covers it (or it is a bare
    namespace, which has no local part to write)."""
    curie = converter().compress(iri)
    if curie is None or curie.endswith(":"):
        return None
    return curie


def shorten(iri: str) -> str:
    """The CURIE of an IRI, or the IRI unchanged: how medkg shows an IRI to people."""
    return compress(iri) or iri


#: Names repeat across a corpus (every file grounds its entities again): a lookup costs curies a new
#: prefix map each time, so answers are kept (strings in, strings out).
_CACHE = 1 << 16


@lru_cache(maxsize=_CACHE)
def expand(curie: str) -> str | None:
    """The IRI of a CURIE whose prefix (preferred or a synonym) is known, or None."""
    return converter().expand(curie)


@lru_cache(maxsize=_CACHE)
def standardize(curie: str) -> str:
    """A CURIE written with its preferred prefix (``MESH:D017116`` → ``mesh:D017116``).

    Raises ``ValueError`` naming the CURIE when its prefix is unknown.

    >>> standardize("hp:0003419")
    'HP:0003419'
    """
    found = converter().standardize_curie(curie)
    if found is None:
        raise ValueError(f"unknown prefix in CURIE {curie!r}")
    return found
