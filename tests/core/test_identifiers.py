"""CURIEs and IRIs: the shipped prefix map is Bioregistry's, and every path that writes a CURIE agrees."""

from __future__ import annotations

import json
from typing import Any

import bioregistry
import pyoxigraph as ox
import pytest

from graph_builder.analysis.network import to_networkx
from graph_builder.core import identifiers
from graph_builder.core import namespaces as ns
from graph_builder.core.model import VOCABULARIES, Grounding
from graph_builder.core.paths import PREFIX_MAP_FILE, SEED_ANNOTATION
from graph_builder.core.results import ResultTable
from graph_builder.core.tables import shorten_iri, to_table
from graph_builder.ingest.annotations import load_annotation
from graph_builder.quality.groundings import GroundingProblem
from graph_builder.quality.validate import shacl_violations
from graph_builder.sparql.parameters import Parameter, to_term

RECORDS: list[dict[str, Any]] = json.loads(PREFIX_MAP_FILE.read_text(encoding="utf-8"))
OURS = [r for r in RECORDS if r["uri_prefix"].startswith(ns.BASE)]
THEIRS = [r for r in RECORDS if not r["uri_prefix"].startswith(ns.BASE)]

#: The IRIs medkg emitted before Bioregistry's prefixes were used; a change here would change every graph.
EMITTED = {
    "mesh": ("D017116", "http://id.nlm.nih.gov/mesh/D017116", "mesh:D017116"),
    "icd10cm": ("M54.50", "http://purl.bioontology.org/ontology/ICD10CM/M54.50", "icd10cm:M54.50"),
    "hpo": ("HP:0003419", "http://purl.obolibrary.org/obo/HP_0003419", "HP:0003419"),
    "doid": ("DOID:8566", "http://purl.obolibrary.org/obo/DOID_8566", "DOID:8566"),
}

#: Where medkg writes a URI prefix Bioregistry lists but does not put first, and Bioregistry's first one.
#: Kept so that graphs already built stay valid; a new difference must be added here knowingly.
KEPT_URI_PREFIXES = {
    "mesh": "https://meshb.nlm.nih.gov/record/ui?ui=",
    "icd10cm": "https://www.icd10data.com/search?s=",
    "biolink": "https://biolink.github.io/biolink-model/",
    "schema": "https://schema.org/",
}

BIOREGISTRY = bioregistry.get_converter()


def _theirs(prefix: str) -> Any:
    record = BIOREGISTRY.get_record(prefix)
    assert record is not None, f"{PREFIX_MAP_FILE.name}: prefix {prefix!r} is not in Bioregistry"
    return record


@pytest.mark.parametrize("record", THEIRS, ids=[r["prefix"] for r in THEIRS])
def test_every_shipped_record_is_bioregistrys(record: dict[str, Any]) -> None:
    theirs = _theirs(record["prefix"])
    preferred = bioregistry.get_preferred_prefix(theirs.prefix) or theirs.prefix
    if record["prefix"] in ns.PREFIXES:
        # Declared in every query: shown as declared, so that a shown CURIE pastes into a query.
        assert record["prefix"] in {theirs.prefix, preferred}
    else:
        assert record["prefix"] == preferred
    assert set(record.get("prefix_synonyms", [])) <= {theirs.prefix, *theirs.prefix_synonyms}
    uris = {theirs.uri_prefix, *theirs.uri_prefix_synonyms}
    assert record["uri_prefix"] in uris
    assert set(record.get("uri_prefix_synonyms", [])) <= uris
    if record["uri_prefix"] != theirs.uri_prefix:
        assert KEPT_URI_PREFIXES.get(theirs.prefix) == theirs.uri_prefix
        assert theirs.uri_prefix in record["uri_prefix_synonyms"]


def test_kept_uri_prefixes_are_still_needed() -> None:
    shipped = {_theirs(r["prefix"]).prefix: r["uri_prefix"] for r in THEIRS}
    for prefix, first in KEPT_URI_PREFIXES.items():
        assert shipped[prefix] != first, f"{prefix}: medkg now writes Bioregistry's first URI prefix"


def test_medkg_namespaces_are_its_own_and_clash_with_no_bioregistry_prefix() -> None:
    assert {r["prefix"]: r["uri_prefix"] for r in OURS} == {
        p: iri for p, iri in ns.PREFIXES.items() if iri.startswith(ns.BASE)
    }
    assert all(BIOREGISTRY.get_record(r["prefix"]) is None for r in OURS)


@pytest.mark.parametrize(("prefix", "namespace"), sorted(ns.PREFIXES.items()))
def test_every_declared_prefix_is_in_the_map_as_declared(prefix: str, namespace: str) -> None:
    assert identifiers.converter().prefix_map[prefix] == namespace


def test_vocabulary_prefixes_are_the_maps() -> None:
    assert {spec.prefix for spec in VOCABULARIES.values()} <= set(identifiers.converter().prefix_map)
    assert set(EMITTED) == set(VOCABULARIES)


@pytest.mark.parametrize("vocabulary", sorted(EMITTED))
def test_groundings_keep_their_iris_and_round_trip(vocabulary: str) -> None:
    id, iri, curie = EMITTED[vocabulary]
    grounding = Grounding(vocabulary, id, "a label")
    assert (grounding.iri, grounding.curie) == (iri, curie)
    assert identifiers.compress(iri) == curie
    assert identifiers.expand(identifiers.compress(iri) or "") == iri
    assert identifiers.compress(identifiers.expand(curie) or "") == curie


@pytest.mark.parametrize(
    ("written", "iri"),
    [
        ("MESH:D017116", EMITTED["mesh"][1]),
        ("MeSH:D017116", EMITTED["mesh"][1]),
        ("ICD10CM:M54.50", EMITTED["icd10cm"][1]),
        ("hp:0003419", EMITTED["hpo"][1]),
        ("hpo:0003419", EMITTED["hpo"][1]),
        ("doid:8566", EMITTED["doid"][1]),
        ("ECO:0000033", ns.ECO + "0000033"),
    ],
)
def test_bioregistry_synonyms_expand_and_standardize(written: str, iri: str) -> None:
    assert identifiers.expand(written) == iri
    assert identifiers.standardize(written) == identifiers.compress(iri)
    assert to_term(Parameter("term", "iri", None, ""), written) == ox.NamedNode(iri)


def test_other_iris_and_bare_namespaces_stay_whole() -> None:
    assert identifiers.shorten("http://example.org/x") == "http://example.org/x"
    assert identifiers.shorten("http://purl.obolibrary.org/obo/HP_") == "http://purl.obolibrary.org/obo/HP_"
    assert identifiers.expand("nope:1") is None
    with pytest.raises(ValueError, match="nope:1"):
        identifiers.standardize("nope:1")


def test_a_term_is_written_alike_by_every_path(seed_store: ox.Store) -> None:
    # The issue this pins: MeSH ids were printed bare (D017116) and HPO ones prefixed (HP:0003419).
    annotation = load_annotation(SEED_ANNOTATION)
    groundings = {g.iri: g for e in annotation.entities.values() for g in e.groundings}
    assert {g.vocabulary for g in groundings.values()} >= {"mesh", "hpo"}
    stored = {
        row["term"].value: row["curie"].value
        for row in seed_store.query(
            f"SELECT DISTINCT ?term ?curie WHERE {{ ?term <{ns.MEDKG_VOCAB}curie> ?curie }}",
            use_default_graph_as_union=True,
        )  # type: ignore[union-attr]
        if not row["term"].value.startswith(ns.SOURCE)
    }
    drawn = {g["curie"] for _, data in to_networkx(seed_store).nodes(data=True) for g in data["groundings"]}
    for iri, grounding in groundings.items():
        curie = identifiers.shorten(iri)
        table = to_table(ResultTable(("term",), ((ox.NamedNode(iri),),)))
        problem = GroundingProblem(grounding.vocabulary, grounding.id, "label", "x", "y")
        assert curie == grounding.curie == stored[iri] == shorten_iri(iri)
        assert table.splitlines()[2] == curie
        assert str(problem).startswith(f"{curie}: label:")
        assert curie in drawn

    # validate's messages: a term with a second medkg:curie is named by its CURIE.
    hpo = next(iri for iri, g in groundings.items() if g.vocabulary == "hpo")
    broken = ox.Store()
    broken.extend(seed_store)
    broken.add(ox.Quad(ox.NamedNode(hpo), ox.NamedNode(ns.MEDKG_VOCAB + "curie"), ox.Literal("HP:1")))
    focus = {v.focus for v in shacl_violations(broken)}
    assert identifiers.shorten(hpo) in focus and hpo not in focus
