"""KGX export: every node and edge checked against the Biolink Model's own schema and the annotation files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml

from graph_builder.cli import main
from graph_builder.core.identifiers import compress, expand
from graph_builder.core.model import Annotation, Claim
from graph_builder.core.paths import ANNOTATIONS_DIR, ARTICLES_DIR, SEED_ANNOTATION
from graph_builder.core.vocabulary import load_vocabulary
from graph_builder.ingest.annotations import load_annotation, load_annotations
from graph_builder.kg.build import build_from_files
from graph_builder.kg.kgx import EDGES_FILE, NODES_FILE, kgx_edges, to_kgx
from graph_builder.kg.rdf import assertion_of
from tests.biolink_schema import load_biolink_model

#: KGX's required fields (KGX format specification: nodes need id and category; edges id, subject,
#: predicate, object, and Biolink 4 associations knowledge_level and agent_type).
NODE_REQUIRED = {"id", "category"}
EDGE_REQUIRED = {"id", "subject", "predicate", "object", "knowledge_level", "agent_type"}


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def exported(
    tmp_path_factory: pytest.TempPathFactory, seed_store: ox.Store
) -> tuple[list[dict[str, Any]], ...]:
    """The seed's KGX files, as ``medkg export --format kgx`` writes them."""
    out = tmp_path_factory.mktemp("kgx")
    graph = out / "seed.trig"
    graph.write_bytes(ox.serialize(seed_store, format=ox.RdfFormat.TRIG) or b"")
    assert main(["export", "--format", "kgx", "--graph", str(graph), "--out", str(out)]) == 0
    return _read(out / NODES_FILE), _read(out / EDGES_FILE)


def test_every_biolink_term_medkg_maps_to_exists() -> None:
    """The ontology's mapping (relations to predicates, entity types to classes) names real Biolink terms."""
    model = load_biolink_model()
    vocab = load_vocabulary()
    predicates = {compress(r.biolink) for r in vocab.relations.values()}
    categories = {compress(t.biolink) for t in vocab.entity_types.values()}
    assert predicates <= model.predicates, sorted(predicates - model.predicates)
    assert categories <= set(model.class_curies), sorted(categories - set(model.class_curies))
    for curie in categories:  # a node category is a named thing, never an association or an attribute
        name = model.class_curies[curie]
        assert name == "named thing" or "named thing" in model.ancestors(name, "classes"), curie
    levels = {level.knowledge_level for level in vocab.evidence.values()}
    assert levels <= model.enum("KnowledgeLevelEnum")


def test_nodes_are_valid_biolink_nodes(exported: tuple[list[dict[str, Any]], ...]) -> None:
    model = load_biolink_model()
    nodes, _ = exported
    for node in nodes:
        assert set(node) >= NODE_REQUIRED, node
        assert expand(node["id"]) is not None, node["id"]
        assert node["category"] and set(node["category"]) <= set(model.class_curies), node
        for key in node:
            assert f"biolink:{key}" in model.slot_curies or key.startswith("medkg_"), key
        for curie in node.get("xref", []) + node.get("medkg_close_match", []):
            assert expand(curie) is not None, curie


def test_edges_are_valid_biolink_associations(exported: tuple[list[dict[str, Any]], ...]) -> None:
    model = load_biolink_model()
    nodes, edges = exported
    ids = {n["id"] for n in nodes}
    for edge in edges:
        assert set(edge) >= EDGE_REQUIRED, edge
        assert edge["predicate"] in model.predicates
        assert edge["subject"] in ids and edge["object"] in ids
        assert edge["knowledge_level"] in model.enum("KnowledgeLevelEnum")
        assert edge["agent_type"] in model.enum("AgentTypeEnum")
        assert set(edge["category"]) <= set(model.class_curies)
        for key in edge:
            assert f"biolink:{key}" in model.slot_curies or key.startswith("medkg_"), key


def test_edges_are_the_claims_of_the_annotation_file(exported: tuple[list[dict[str, Any]], ...]) -> None:
    """One edge per claim, each with its quote, its relation's predicate and its polarity as ``negated``."""
    vocab = load_vocabulary()
    ann = load_annotation(SEED_ANNOTATION)
    nodes, edges = exported
    expected = {
        (
            f"entity:{c.subject}",
            compress(vocab.relations[c.relation].biolink),
            f"entity:{c.object}",
            c.quote.text,
            c.polarity == "negated",
        )
        for c in ann.claims
    }
    found = {
        (e["subject"], e["predicate"], e["object"], e["supporting_text"][0], e["negated"]) for e in edges
    }
    assert len(edges) == len(ann.claims) and found == expected
    categories = {
        f"entity:{e.id}": [compress(vocab.entity_types[e.type].biolink)] for e in ann.entities.values()
    }
    assert {n["id"]: n["category"] for n in nodes} == categories


def _edge_ids(annotations: list[Annotation], keep: Callable[[Claim], bool]) -> set[str | None]:
    vocab = load_vocabulary()
    return {
        compress(assertion_of(c, ann.source.id, vocab)) for ann in annotations for c in ann.claims if keep(c)
    }


def test_a_claim_the_source_disclaims_is_no_knowledge_assertion(
    exported: tuple[list[dict[str, Any]], ...],
) -> None:
    """The seed's "not supported with any medical researches" claims are read as predictions, never as
    knowledge assertions: what a consumer filtering on knowledge_level sees."""
    disclaimed = _edge_ids([load_annotation(SEED_ANNOTATION)], lambda c: c.support == "disclaimed")
    _, edges = exported
    levels = {e["knowledge_level"] for e in edges if e["id"] in disclaimed}
    assert disclaimed and levels == {"prediction"}


def test_negated_claims_are_negated_edges(corpus_store: ox.Store, corpus_files: list[Path]) -> None:
    negated = _edge_ids(load_annotations(corpus_files), lambda c: c.polarity == "negated")
    assert negated and {e["id"] for e in kgx_edges(corpus_store) if e["negated"]} == negated


def test_qualifiers_keep_the_source_words(tmp_path: Path) -> None:
    name = "heat-beats-ice-for-back-pain"
    data = yaml.safe_load((ANNOTATIONS_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    data["source"]["text"] = str(ARTICLES_DIR / f"{name}.txt")
    claim = next(c for c in data["claims"] if c["id"] == "muscle-stiffness-causes-back-pain")
    claim["qualifiers"] = [{"type": "frequency", "text": "most"}]
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    edges = kgx_edges(build_from_files([path]))
    qualified = [e for e in edges if "medkg_qualifiers" in e]
    assert [e["supporting_text"] for e in qualified] == [[claim["quote"]]]
    assert qualified[0]["medkg_qualifiers"] == [{"type": "qualifier:frequency", "text": "most"}]


def test_output_is_deterministic(seed_store: ox.Store) -> None:
    assert to_kgx(seed_store) == to_kgx(seed_store)


def test_a_graph_without_named_graphs_gives_the_same_files(seed_store: ox.Store) -> None:
    """A Turtle file's graph has everything in the default graph; its KGX is that of the store it came from."""
    merged = ox.Store()
    merged.extend(ox.Quad(q.subject, q.predicate, q.object) for q in seed_store)
    assert to_kgx(merged) == to_kgx(seed_store)


def test_a_key_for_an_unsigned_format_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "key.pem"
    assert main(["export", "--format", "kgx", "--key", str(key), "--out", str(tmp_path)]) == 1
    assert "--key signs nanopublications" in capsys.readouterr().err
    assert not (tmp_path / NODES_FILE).exists()
