"""The records behind the claim, entity and source pages of ``medkg serve``: one claim, entity or source
read from the store with the named queries, its IRI bound as a term, as a JSON-ready dict.

A page's id is checked against the shape medkg gives it (an assertion's 16-hex-digit hash, an entity's or
source's slug) before any query runs; anything else names no record.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal, TypeAlias, get_args

import pyoxigraph as ox

from graph_builder.core.namespaces import ASSERTION, ENTITY, SOURCE
from graph_builder.core.results import Value
from graph_builder.sparql.runner import run_query

RecordKind: TypeAlias = Literal["claim", "entity", "source"]
RECORD_KINDS: tuple[str, ...] = get_args(RecordKind)
Record: TypeAlias = dict[str, object]

_HASH = re.compile(r"[0-9a-f]{16}")  # graph_builder.core.namespaces.content_hash
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,199}")  # ids in annotation files (ontology/annotation.schema.json)
_IDS = {"claim": (_HASH, ASSERTION), "entity": (_SLUG, ENTITY), "source": (_SLUG, SOURCE)}


def record_iri(kind: str, ident: str) -> str | None:
    """The IRI a page's id names, or ``None`` when the kind or the id is not one medkg makes.

    >>> record_iri("claim", "2a80eb2911d144db")
    'https://w3id.org/medkg/assertion/2a80eb2911d144db'
    >>> record_iri("entity", "lower-back-pain")
    'https://w3id.org/medkg/entity/lower-back-pain'
    >>> [record_iri("claim", "2A80EB2911D144DB"), record_iri("source", "../x"), record_iri("chain", "x")]
    [None, None, None]
    """
    shape = _IDS.get(kind)
    if shape is None or not shape[0].fullmatch(ident):
        return None
    return shape[1] + ident


def _given(iri: str) -> str:
    """An entity parameter as given: a page's IRI, built from a checked id, needs no look-up among the
    store's entity names; the queries themselves find nothing for an IRI that is no entity."""
    return iri


def _rows(name: str, store: ox.Store, **params: str) -> list[dict[str, Value]]:
    return run_query(name, store, params, resolve=_given).to_records()


def claim_record(store: ox.Store, iri: str) -> Record | None:
    """One assertion: ``claim`` (claim.rq's row, with its source's text), ``cues`` (hedge cues and
    qualifiers) and ``assertions`` (every assertion of its proposition, by any source, itself included)."""
    found = _rows("claim", store, claim=iri)
    if not found:
        return None
    return {
        "claim": found[0],
        "cues": _rows("claim-cues", store, claim=iri),
        "assertions": _rows("same-proposition", store, claim=iri),
    }


def entity_record(store: ox.Store, iri: str) -> Record | None:
    """One entity: ``facts`` (entity.rq: labels, type, groundings, broader, narrower) and ``claims``
    (related-claims: those about it, about narrower entities and about broader ones, as ``via`` says)."""
    facts = _rows("entity", store, entity=iri)
    if not facts:
        return None
    return {"facts": facts, "claims": _rows("related-claims", store, entity=iri)}


def source_record(store: ox.Store, iri: str) -> Record | None:
    """One source: ``source`` (source.rq's row, with its text), ``claims`` (source-claims, in the order
    of the text) and ``profile`` (its rows of source-profile)."""
    found = _rows("source", store, source=iri)
    if not found:
        return None
    claims = _rows("source-claims", store, source=iri)
    return {"source": found[0], "claims": claims, "profile": _rows("source-profile", store, source=iri)}


_READERS: dict[str, Callable[[ox.Store, str], Record | None]] = {
    "claim": claim_record,
    "entity": entity_record,
    "source": source_record,
}


def record_exists(store: ox.Store, kind: str, ident: str) -> bool:
    """Whether the id names a record of the store, without reading the rest of it (what a page's 404 needs).

    >>> from graph_builder.kg.build import build_example
    >>> record_exists(build_example(), "source", "does-herpes-cause-lower-back-pain")
    True
    """
    iri = record_iri(kind, ident)
    if iri is None:
        return False
    # The first query of each record is named after its kind, and takes the IRI as the parameter of that name.
    return bool(_rows(kind, store, **{kind: iri}))


def read_record(store: ox.Store, kind: str, ident: str) -> Record | None:
    """The record a page shows, or ``None`` when the id is malformed or names nothing in the store.

    >>> from graph_builder.kg.build import build_example
    >>> record = read_record(build_example(), "claim", "2a80eb2911d144db")
    >>> record is not None and record["claim"]["claimId"]
    'herpes-causes-lower-back-pain'
    >>> read_record(build_example(), "entity", "no-such-entity") is None
    True
    """
    iri = record_iri(kind, ident)
    return None if iri is None else _READERS[kind](store, iri)
