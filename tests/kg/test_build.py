"""Building the graph: content-derived identities, byte-identical outputs, independent parsers agree."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib

from graph_builder.core import namespaces as ns
from graph_builder.core.paths import SEED_ANNOTATION
from graph_builder.core.vocabulary import load_vocabulary
from graph_builder.ingest.annotations import load_annotation
from graph_builder.kg.build import build_example, build_from_files
from graph_builder.kg.export import render_outputs, sorted_quads, sorted_triples, write_atomic, write_outputs
from graph_builder.kg.rdf import assertion_of, proposition_of
from graph_builder.kg.views import exported_quads


def _count(store: ox.Store, sparql: str) -> int:
    rows = list(store.query(ns.sparql_prefixes() + sparql, use_default_graph_as_union=True))  # type: ignore[arg-type]
    return int(rows[0][0].value)


def test_identities_are_content_hashes() -> None:
    vocab = load_vocabulary()
    claim = load_annotation(SEED_ANNOTATION).claim("herpes-causes-lower-back-pain")
    prop = proposition_of(claim, vocab)
    expected = ns.content_hash(ns.ENTITY + "herpes", ns.MEDKG_VOCAB + "causes", ns.ENTITY + "lower-back-pain")
    assert prop == ns.PROPOSITION + expected
    source = ns.SOURCE + "does-herpes-cause-lower-back-pain"
    assert assertion_of(claim, "does-herpes-cause-lower-back-pain", vocab) == ns.ASSERTION + ns.content_hash(
        prop, source, claim.quote.start, claim.quote.end
    )


def test_identity_does_not_depend_on_claim_id_or_file_order(write_annotation: Callable[..., Path]) -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["claims"].reverse()
        for c in d["claims"]:
            c["id"] = "renamed-" + c["id"]
        d["chains"][0]["steps"] = ["renamed-" + s for s in d["chains"][0]["steps"]]

    original = {str(q.subject) for q in build_example() if str(q.subject).startswith("<" + ns.ASSERTION)}
    variant = {
        str(q.subject)
        for q in build_from_files([write_annotation(mutate)])
        if str(q.subject).startswith("<" + ns.ASSERTION)
    }
    assert original == variant and len(original) > 20


def test_one_named_graph_per_source_plus_shared_claimed_statistics_and_ontology(seed_store: ox.Store) -> None:
    graphs = {g.value for g in seed_store.named_graphs()}
    assert graphs == {
        ns.ONTOLOGY_GRAPH,
        ns.SHARED_GRAPH,
        ns.CLAIMED_GRAPH,
        ns.STATISTICS_GRAPH,
        ns.SOURCE_GRAPH + "does-herpes-cause-lower-back-pain",
    }


def test_a_claim_is_never_stated_as_a_fact(seed_store: ox.Store) -> None:
    # The seed claims herpes causes lower back pain (and disclaims it): no relation triple says so.
    assert _count(seed_store, "SELECT (COUNT(*) AS ?n) WHERE { ?x medkg:causes entity:lower-back-pain }") == 0
    assert _count(seed_store, "SELECT (COUNT(*) AS ?n) WHERE { ?x medkg:causallyInfluences+ ?y }") == 0
    link = "GRAPH graph:claimed { entity:herpes claimed:causes entity:lower-back-pain }"
    assert _count(seed_store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {link} }}") == 1
    group = "GRAPH graph:claimed { entity:herpes claimed:causallyInfluences entity:lower-back-pain }"
    assert _count(seed_store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {group} }}") == 1


def test_negated_claim_has_no_claim_link(write_annotation: Callable[..., Path]) -> None:
    def mutate(d: dict[str, Any]) -> None:
        c = next(c for c in d["claims"] if c["id"] == "cancer-causes-back-pain")
        c.update(polarity="negated", hedges=[*c.get("hedges", []), {"text": "cause", "type": "negation"}])

    store = build_from_files([write_annotation(mutate)])
    assert (
        _count(store, "SELECT (COUNT(*) AS ?n) WHERE { entity:cancer claimed:causes entity:back-pain }") == 0
    )
    assert _count(store, "SELECT (COUNT(*) AS ?n) WHERE { entity:cancer ?link entity:back-pain }") == 0
    assert _count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?a medkg:polarity polarity:negated }") == 1


def test_biolink_reading_of_an_assertion(seed_store: ox.Store) -> None:
    """The reading is derived (``kg.views``): what ``medkg export`` writes, and the endpoint's view."""
    exported = ox.Store()
    exported.extend(exported_quads(seed_store))
    n = _count(
        exported,
        """SELECT (COUNT(*) AS ?n) WHERE {
             ?a a rdf:Statement ; medkg:claimId "herpes-causes-lower-back-pain" ;
                rdf:subject entity:herpes ; rdf:predicate biolink:causes ; rdf:object entity:lower-back-pain ;
                biolink:agent_type "manual_agent" ; biolink:negated false }""",
    )
    assert n == 1


def test_build_is_byte_identical() -> None:
    first, second = render_outputs(build_example()), render_outputs(build_example())
    assert first.keys() == {"medkg.ttl", "medkg.trig", "medkg.jsonld"}
    for name in first:
        assert first[name] == second[name], name


def _ground(triples: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    return {t for t in triples if not any(x.startswith("_:") for x in t)}


@pytest.mark.parametrize(
    ("name", "rdflib_format"), [("medkg.ttl", "turtle"), ("medkg.trig", "trig"), ("medkg.jsonld", "json-ld")]
)
def test_outputs_parse_with_rdflib_and_pyoxigraph_alike(
    seed_store: ox.Store, name: str, rdflib_format: str
) -> None:
    data = render_outputs(seed_store)[name]
    exported = list(exported_quads(seed_store))  # the store and its derived views
    triples = {(str(q.subject), str(q.predicate), str(q.object)) for q in exported}
    dataset = rdflib.Dataset()
    dataset.parse(data=data, format=rdflib_format)
    from_rdflib = {(s.n3(), p.n3(), o.n3()) for s, p, o, _ in dataset.quads((None, None, None, None))}
    fmt = {
        "medkg.ttl": ox.RdfFormat.TURTLE,
        "medkg.trig": ox.RdfFormat.TRIG,
        "medkg.jsonld": ox.RdfFormat.JSON_LD,
    }[name]
    parsed = list(ox.parse(data, format=fmt))
    # Canonical labels are a function of the graph alone, so what is read back is the store and its
    # views, blank nodes included; Turtle has no graphs, so there the triples are compared.
    if fmt == ox.RdfFormat.TURTLE:
        assert sorted_triples(parsed) == sorted_triples(exported)
    else:
        assert sorted_quads(parsed) == sorted_quads(exported)
    assert len(_ground(from_rdflib)) == len(_ground(triples))
    assert len(from_rdflib) == len(triples)


def test_jsonld_is_sorted_json(seed_store: ox.Store) -> None:
    doc = json.loads(render_outputs(seed_store)["medkg.jsonld"])
    ids = [g["@id"] for g in doc]
    assert ids == sorted(ids)


def test_write_outputs_replaces_files_atomically(tmp_path: Path, seed_store: ox.Store) -> None:
    written = write_outputs(seed_store, tmp_path)
    assert sorted(p.name for p in written) == ["medkg.jsonld", "medkg.trig", "medkg.ttl"]
    assert not list(tmp_path.glob(".*.tmp"))


def test_write_atomic_leaves_the_old_file_when_writing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "medkg.ttl"
    target.write_bytes(b"old")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("graph_builder.kg.export.os.replace", broken_replace)
    with pytest.raises(OSError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert not list(tmp_path.glob(".*.tmp"))


def test_descriptions_made_before_are_left_out_and_the_quads_are_the_same() -> None:
    """``iter_quads(..., made=)``, what a build's reader uses: an entity or term described by an earlier
    file is not made again, and the quads of all files together are the same set."""
    from graph_builder.core.paths import ANNOTATIONS_DIR
    from graph_builder.ingest.annotations import load_annotations
    from graph_builder.kg.rdf import iter_quads

    vocab = load_vocabulary()
    annotations = load_annotations(sorted(ANNOTATIONS_DIR.glob("*.yaml")), vocab)
    made: set[Any] = set()
    each = [list(iter_quads(ann, vocab)) for ann in annotations]
    skipping = [list(iter_quads(ann, vocab, made=made)) for ann in annotations]
    assert {q for quads in skipping for q in quads} == {q for quads in each for q in quads}
    assert sum(map(len, skipping)) < sum(map(len, each))  # something was left out
    again = list(iter_quads(annotations[0], vocab, made=made))
    assert not {q.predicate for q in again} & {ox.NamedNode(ns.SKOS + "prefLabel")}  # described before
