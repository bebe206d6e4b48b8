"""The parameters of a named query bound as typed RDF terms: values checked against their declared types,
defaults filled in, and names of entities resolved to IRIs in a store (or by any resolver).

Values are always passed to pyoxigraph as RDF terms (``substitutions``), never pasted into the query text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeAlias, get_args

import pyoxigraph as ox

from graph_builder.core import identifiers
from graph_builder.core.names import (
    ENTITY_NAMES_SPARQL,
    EntityName,
    EntityNameError,
    entity_names,
    named_iri,
    normalize,
    resolve_name,
)
from graph_builder.core.namespaces import MEDKG_VOCAB, SOURCE, XSD, source_iri
from graph_builder.core.results import Term
from graph_builder.kg.rdf import NAME_KEY, RDF_TYPE, RDFS_LABEL, SKOS_ALT_LABEL
from graph_builder.sparql.query_guard import QueryError

ParameterType: TypeAlias = Literal["string", "iri", "integer", "entity", "source"]
PARAMETER_TYPES: tuple[str, ...] = get_args(ParameterType)
#: Turns the name of an entity (IRI, id, label or synonym) into its IRI, against some store.
Resolver: TypeAlias = Callable[[str], str]

_INTEGER = re.compile(r"[+-]?[0-9]+")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")


class ParameterError(QueryError, ValueError):
    """A parameter is unknown, missing, or its value does not fit its declared type."""


@dataclass(frozen=True)
class Parameter:
    """A declared query parameter: the SPARQL variable ``?name`` that a value replaces.

    ``default`` is the string form of the default value, ``None`` when the parameter is required or
    ``optional``: an optional parameter given no value (or an empty one, as a form sends) is left unbound,
    and the query answers for every value (grlc's optional parameters).
    """

    name: str
    type: ParameterType
    default: str | None
    description: str
    optional: bool = False


def _expand_iri(value: str) -> str:
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    if value.partition(":")[2].startswith("//"):
        return value  # an absolute IRI, even one whose scheme happened to be a known prefix
    return identifiers.expand(value) or value


def to_term(param: Parameter, value: str | int, resolve: Resolver | None = None) -> Term:
    """Turn a parameter value into the RDF term its declared type asks for.

    ``integer`` gives an ``xsd:integer``; ``iri`` an IRI (``<…>``, absolute, or a CURIE such as
    ``entity:herpes`` or ``HP:0003419``); ``string`` a plain ``xsd:string`` literal, whatever it contains;
    ``entity`` the IRI of the entity the value names (IRI, id, label or synonym), found by
    ``resolve`` (:func:`resolve_in_store` for a local store) with :func:`graph_builder.core.names.resolve_name`;
    ``source`` the IRI of a source document, named by its id (as in its annotation file), its CURIE
    (``source:…``) or its IRI.

    >>> to_term(Parameter("maxRank", "integer", "2", "rank"), " 3 ")
    <Literal value=3 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>
    >>> to_term(Parameter("e", "iri", None, "entity"), "entity:herpes")
    <NamedNode value=https://w3id.org/medkg/entity/herpes>
    >>> to_term(Parameter("a", "source", None, "a source"), "shingles-and-back-pain")
    <NamedNode value=https://w3id.org/medkg/source/shingles-and-back-pain>
    >>> to_term(Parameter("maxRank", "integer", "2", "rank"), "two")
    Traceback (most recent call last):
    ...
    graph_builder.sparql.parameters.ParameterError: parameter 'maxRank' must be an integer, found 'two'
    """
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ParameterError(f"parameter {param.name!r} must be given as a string, found {value!r}")
    text = str(value)
    if param.type == "integer":
        if not _INTEGER.fullmatch(text.strip()):
            raise ParameterError(f"parameter {param.name!r} must be an integer, found {text!r}")
        return ox.Literal(str(int(text.strip())), datatype=ox.NamedNode(XSD + "integer"))
    if param.type == "iri":
        try:
            return ox.NamedNode(_expand_iri(text))
        except ValueError as error:
            raise ParameterError(
                f"parameter {param.name!r} must be an absolute IRI, found {text!r}: {error}"
            ) from None
    if param.type == "source":
        name = text.strip()
        if _SLUG.fullmatch(name):
            return ox.NamedNode(source_iri(name))
        try:
            iri = _expand_iri(name)
        except ValueError:  # not a CURIE either
            iri = name
        if not iri.startswith(SOURCE) or not _SLUG.fullmatch(iri[len(SOURCE) :]):
            raise ParameterError(
                f"parameter {param.name!r} names a source: expected its id (e.g. shingles-and-back-pain), "
                f"source:ID or its IRI; found {text!r}"
            )
        return ox.NamedNode(iri)
    if param.type == "entity":
        if resolve is None:
            raise ParameterError(
                f"parameter {param.name!r} names an entity: resolving {text!r} needs a store "
                "(or a resolver, such as functools.partial(resolve_in_store, store))"
            )
        try:
            return ox.NamedNode(resolve(text))
        except EntityNameError as error:
            raise ParameterError(f"parameter {param.name!r}: {error}") from None
    return ox.Literal(text)


def store_entity_names(store: ox.Store) -> list[EntityName]:
    """Every entity of a store (the union of its graphs) with its label and synonyms."""
    result = store.query(ENTITY_NAMES_SPARQL, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return entity_names((e.value, label.value, None if s is None else s.value) for e, label, s in result)


def _named(store: ox.Store, text: str) -> list[EntityName]:
    """The entities ``text`` could name, found through the name keys written at build time and the
    entity ids: a few index lookups, never a scan over every entity's names."""
    found = {q.subject for q in store.quads_for_pattern(None, NAME_KEY, ox.Literal(normalize(text)), None)}
    if (iri := named_iri(text)) is not None:
        found.add(ox.NamedNode(iri))
    entity_class = ox.NamedNode(MEDKG_VOCAB + "Entity")
    names = []
    for node in sorted((n for n in found if isinstance(n, ox.NamedNode)), key=lambda n: n.value):
        if next(store.quads_for_pattern(node, RDF_TYPE, entity_class, None), None) is None:
            continue
        labels = [_text(q.object) for q in store.quads_for_pattern(node, RDFS_LABEL, None, None)]
        synonyms = {_text(q.object) for q in store.quads_for_pattern(node, SKOS_ALT_LABEL, None, None)}
        names += [EntityName(node.value, label, tuple(sorted(synonyms))) for label in labels[:1]]
    return names


def _text(term: object) -> str:
    return term.value if isinstance(term, ox.Literal) else str(term)


def resolve_in_store(store: ox.Store, text: str) -> str:
    """The IRI of the entity ``text`` names in ``store``, by :func:`graph_builder.core.names.resolve_name`.

    Only the entities whose name key or id matches are read; every name is read only to suggest close
    matches for a name that matches none.

    >>> from graph_builder.kg.build import build_example
    >>> resolve_in_store(build_example(), "  LUMBAGO ")
    'https://w3id.org/medkg/entity/lower-back-pain'
    """
    return resolve_name(text, _named(store, text) or store_entity_names(store))
