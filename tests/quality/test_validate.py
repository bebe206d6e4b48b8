"""Validation of built graphs: SHACL when the graph is small enough, qa queries always, per source on demand."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from graph_builder.core import namespaces as ns
from graph_builder.core.paths import ARTICLES_DIR
from graph_builder.kg.build import build_from_files
from graph_builder.kg.export import canonical_quads
from graph_builder.quality import validate
from graph_builder.quality.validate import TOTALS_CHECK, ValidationReport, source_subgraph, validate_store
from graph_builder.sparql.queries import query_names

SEED = "does-herpes-cause-lower-back-pain"


def _without_a_quote(store: ox.Store) -> tuple[ox.Store, str]:
    copy = ox.Store()
    copy.extend(store)
    quote = ox.NamedNode(ns.MEDKG_VOCAB + "quote")
    victim = next(
        q for q in copy.quads_for_pattern(None, quote, None) if q.subject.value.startswith(ns.ASSERTION)
    )
    copy.remove(victim)
    return copy, victim.subject.value


def test_source_subgraph_of_a_one_source_graph_is_the_whole_graph(seed_store: ox.Store) -> None:
    whole = {str(q) for q in canonical_quads(seed_store)}
    assert {str(q) for q in canonical_quads(source_subgraph(seed_store, SEED))} == whole


def test_seed_graph_passes_every_check(seed_report: ValidationReport) -> None:
    assert seed_report.conforms, seed_report.summary()
    qa = [n for n in query_names() if n.startswith("qa/")]
    assert set(seed_report.checks) == {"shacl", *qa, TOTALS_CHECK}


def test_source_subgraph_conforms_and_catches_a_missing_quote(
    seed_store: ox.Store, seed_report: ValidationReport
) -> None:
    # With one source, the source's subgraph is the whole graph (the test above), which seed_report
    # validated: it conforms.
    assert seed_report.conforms
    broken, focus = _without_a_quote(seed_store)
    report = validate_store(source_subgraph(broken, SEED))
    assert not report.conforms
    assert any(
        "AssertionShape" in v.check and focus.removeprefix(ns.ASSERTION) in v.focus for v in report.violations
    )


def _claim_link(subject: str, relation: str, obj: str) -> ox.Quad:
    return ox.Quad(
        ox.NamedNode(ns.ENTITY + subject),
        ox.NamedNode(ns.CLAIMED + relation),
        ox.NamedNode(ns.ENTITY + obj),
        ox.NamedNode(ns.CLAIMED_GRAPH),
    )


@pytest.mark.parametrize(
    "source",
    [
        SEED,
        "shingles-and-back-pain",
        "hsv-2-and-the-sacral-nerves",
        "ice-first-for-a-sore-back",
        "heat-beats-ice-for-back-pain",
        "epsom-salt-baths-for-back-pain",
        "myth-check-herpes-and-back-pain",
    ],
)
def test_source_subgraph_of_a_shared_corpus_conforms(corpus_store: ox.Store, source: str) -> None:
    # Regression: a source's subgraph copied every plain triple of its entities, so the seed's
    # `herpes` brought another source's claims along as orphans and `medkg validate --source` failed
    # on any store whose sources share entities.
    report = validate_store(source_subgraph(corpus_store, source))
    assert report.conforms, report.summary()


def test_source_subgraph_keeps_only_the_claim_links_the_source_affirms(corpus_store: ox.Store) -> None:
    # The myth check only denies "herpes causes lower back pain", which the seed affirms: the whole
    # store holds the claim link, the myth check's subgraph does not; the seed's does, with its
    # relation group's link.
    denied = _claim_link("herpes", "causes", "lower-back-pain")
    assert denied in corpus_store
    assert denied not in source_subgraph(corpus_store, "myth-check-herpes-and-back-pain")
    seed = source_subgraph(corpus_store, SEED)
    assert denied in seed
    assert _claim_link("herpes", "causallyInfluences", "lower-back-pain") in seed
    assert _claim_link("herpes-zoster", "causes", "back-pain") in corpus_store
    assert _claim_link("herpes-zoster", "causes", "back-pain") not in seed


def test_unknown_source_is_an_error(seed_store: ox.Store) -> None:
    with pytest.raises(ValueError, match="no source 'nope'"):
        source_subgraph(seed_store, "nope")


def test_big_graphs_skip_shacl_with_a_note_but_still_run_qa(
    seed_store: ox.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(validate, "SHACL_AUTO_LIMIT", 10)
    broken, focus = _without_a_quote(seed_store)
    report = validate_store(broken)
    assert "shacl" not in report.checks and any(c.startswith("qa/") for c in report.checks)
    assert report.notes and "SHACL left out" in report.notes[0]
    # The qa query for quote-less assertions still catches the damage.
    assert any(v.check == "qa/assertions-without-quote" for v in report.violations)
    # Forced, SHACL runs however big the store: the broken assertion's own 20 quads are over the limit
    # and prove it as well as the whole graph, in a twentieth of the time.
    small = ox.Store()
    small.extend(broken.quads_for_pattern(ox.NamedNode(focus), None, None))
    assert len(small) > validate.SHACL_AUTO_LIMIT
    forced = validate_store(small, shacl=True)
    assert "shacl" in forced.checks
    assert any(v.check.endswith("AssertionShape-quote") for v in forced.violations), forced.summary()


def test_a_likelihood_cue_is_read_built_and_valid(
    tmp_path: Path, write_annotation: Callable[..., Path]
) -> None:
    # The hedge type `likelihood` was added for the codebook's certainty `probable`; annotation files
    # may use it at once, so every step from the file to a validated graph must accept it.
    article = tmp_path / "article.txt"
    article.write_text(
        (ARTICLES_DIR / f"{SEED}.txt").read_text(encoding="utf-8") + "\nHerpes likely causes outbreaks.\n",
        encoding="utf-8",
    )

    def add_claim(data: dict[str, Any]) -> None:
        data["source"]["text"] = str(article)
        data["claims"].append({
            "id": "herpes-likely-causes-outbreaks", "subject": "herpes", "relation": "causes",
            "object": "herpes-outbreaks", "quote": "Herpes likely causes outbreaks.",
            "hedges": [{"text": "likely", "type": "likelihood"}],
            "support": "none-stated", "rationale": "A test sentence, hedged by a likelihood cue.",
        })  # fmt: skip

    store = build_from_files([write_annotation(add_claim)])
    cue_type = ox.NamedNode(ns.MEDKG_VOCAB + "cueType")
    assert ox.NamedNode(ns.HEDGE + "likelihood") in {
        q.object for q in store.quads_for_pattern(None, cue_type, None)
    }
    certainty = ox.NamedNode(ns.MEDKG_VOCAB + "certainty")
    assert ox.NamedNode(ns.CERTAINTY + "probable") in {
        q.object for q in store.quads_for_pattern(None, certainty, None)
    }
    report = validate_store(store, shacl=True)
    assert report.conforms, report.summary()


def test_validate_names_a_claim_whose_cues_contradict_its_polarity_and_certainty(
    seed_store: ox.Store,
) -> None:
    store = ox.Store()
    store.extend(seed_store)
    (claim,) = store.quads_for_pattern(
        None, ox.NamedNode(ns.MEDKG_VOCAB + "claimId"), ox.Literal("cancer-causes-back-pain")
    )
    node = claim.subject
    for prop, value in (("polarity", ns.POLARITY + "negated"), ("certainty", ns.CERTAINTY + "possible")):
        p = ox.NamedNode(ns.MEDKG_VOCAB + prop)
        for q in list(store.quads_for_pattern(node, p, None)):
            store.remove(q)
            store.add(ox.Quad(node, p, ox.NamedNode(value), q.graph_name))
    report = validate_store(store, shacl=False)
    assert not report.conforms
    cues = [v for v in report.violations if v.check == "qa/cues-disagree"]
    fields = {f.split("=", 1)[1] for v in cues for f in v.value.split("; ") if f.startswith("field=")}
    # polarity and certainty disagree with the cues; the stance then disagrees with polarity (negated is
    # derived from polarity, so it cannot disagree)
    assert fields == {"polarity", "certainty", "stance"}
    assert all("cancer-causes-back-pain" in v.focus for v in cues)
