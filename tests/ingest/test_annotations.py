"""Reading annotation files: every quote is located, and every kind of bad input is reported."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graph_builder.core.paths import SEED_ANNOTATION
from graph_builder.ingest.annotations import AnnotationError, Problem, load_annotation, load_annotations


def _problems(path: Path) -> list[Problem]:
    with pytest.raises(AnnotationError) as info:
        load_annotation(path)
    return info.value.problems


def _claim(data: dict[str, Any], claim_id: str) -> dict[str, Any]:
    return next(c for c in data["claims"] if c["id"] == claim_id)


def test_seed_loads_with_every_quote_verbatim_at_its_offsets() -> None:
    ann = load_annotation(SEED_ANNOTATION)
    assert 20 <= len(ann.claims) <= 40
    text = ann.source.text
    for claim in ann.claims:
        assert text[claim.quote.start : claim.quote.end] == claim.quote.text, claim.id
        for cue in claim.hedges:
            assert text[cue.span.start : cue.span.end] == cue.span.text, (claim.id, cue)
        if claim.mechanism:
            assert text[claim.mechanism.start : claim.mechanism.end] == claim.mechanism.text


def test_hedge_inside_the_quote_is_preferred_to_an_earlier_occurrence() -> None:
    ann = load_annotation(SEED_ANNOTATION)
    claim = ann.claim("nerve-pain-causes-lower-back-pain")
    cue = next(h for h in claim.hedges if h.type == "speculation")
    assert claim.quote.start <= cue.span.start < cue.span.end <= claim.quote.end


def test_headline_claim_is_explicitly_unsupported_and_disclaimed() -> None:
    claim = load_annotation(SEED_ANNOTATION).claim("herpes-causes-lower-back-pain")
    assert (claim.subject, claim.relation, claim.object) == ("herpes", "causes", "lower-back-pain")
    assert claim.evidence == "explicitly-unsupported"
    assert (claim.polarity, claim.support, claim.certainty, claim.conditional) == (
        "affirmed",
        "disclaimed",
        "possible",
        True,
    )
    assert claim.stance == "disclaimed" and claim.strength == 1
    assert "not supported with any medical researches" in claim.quote.text
    assert {h.type for h in claim.hedges} >= {"disclaimer", "speculation"}


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("medkg: 1\nsource: [unclosed\n", encoding="utf-8")
    [problem] = _problems(bad)
    assert problem.file == str(bad)
    assert problem.expected == "valid YAML"
    assert "line" in problem.found


def test_missing_field(write_annotation: Callable[..., Path]) -> None:
    path = write_annotation(lambda d: _claim(d, "spondylosis-causes-back-pain").pop("quote"))
    [problem] = _problems(path)
    assert (problem.item, problem.field) == ("claim spondylosis-causes-back-pain", "quote")
    assert "required" in problem.expected and problem.found == "nothing"


def test_unknown_relation_lists_the_known_ones(write_annotation: Callable[..., Path]) -> None:
    path = write_annotation(lambda d: _claim(d, "cancer-causes-back-pain").update(relation="cures"))
    [problem] = _problems(path)
    assert (problem.item, problem.field) == ("claim cancer-causes-back-pain", "relation")
    assert "causes" in problem.expected and "alleviates" in problem.expected
    assert problem.found == '"cures"'


def test_unknown_support_level(write_annotation: Callable[..., Path]) -> None:
    path = write_annotation(lambda d: _claim(d, "cancer-causes-back-pain").update(support="gospel"))
    [problem] = _problems(path)
    assert problem.field == "support"
    assert "none-stated" in problem.expected and problem.found == '"gospel"'


def test_quote_not_in_article(write_annotation: Callable[..., Path]) -> None:
    path = write_annotation(
        lambda d: _claim(d, "cancer-causes-back-pain").update(quote="Cancer never hurts.")
    )
    [problem] = _problems(path)
    assert (problem.item, problem.field) == ("claim cancer-causes-back-pain", "quote")
    assert "verbatim" in problem.expected and "Cancer never hurts." in problem.found


def test_quote_with_straight_apostrophe_gets_a_hint(write_annotation: Callable[..., Path]) -> None:
    claim_id = "cold-compress-alleviates-soreness"
    path = write_annotation(
        lambda d: _claim(d, claim_id).update(quote=_claim(d, claim_id)["quote"].replace("’", "'"))
    )
    [problem] = _problems(path)
    assert "quote marks" in problem.found


def test_duplicate_claim_id(write_annotation: Callable[..., Path]) -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["claims"][1]["id"] = d["claims"][0]["id"]

    [problem] = _problems(write_annotation(mutate))
    assert problem.field == "id" and "once" in problem.expected


def test_entity_referenced_but_not_defined(write_annotation: Callable[..., Path]) -> None:
    path = write_annotation(lambda d: _claim(d, "cancer-causes-back-pain").update(subject="tumour"))
    [problem] = _problems(path)
    assert (problem.item, problem.field) == ("claim cancer-causes-back-pain", "subject")
    assert "entities" in problem.expected and "tumour" in problem.found


def test_every_problem_is_reported_at_once(write_annotation: Callable[..., Path]) -> None:
    def mutate(d: dict[str, Any]) -> None:
        _claim(d, "cancer-causes-back-pain").update(relation="cures")
        _claim(d, "spondylosis-causes-back-pain").update(quote="not in the text")
        _claim(d, "osteomyelitis-causes-back-pain").update(object="nowhere")
        _claim(d, "epidural-abscess-causes-back-pain").update(polarity="shouted")

    problems = _problems(write_annotation(mutate))
    assert {(p.item, p.field) for p in problems} == {
        ("claim cancer-causes-back-pain", "relation"),
        ("claim spondylosis-causes-back-pain", "quote"),
        ("claim osteomyelitis-causes-back-pain", "object"),
        ("claim epidural-abscess-causes-back-pain", "polarity"),
    }


def test_ambiguous_quote_needs_an_occurrence(write_annotation: Callable[..., Path]) -> None:
    path = write_annotation(lambda d: _claim(d, "cancer-causes-back-pain").update(quote="lower back pain"))
    [problem] = _problems(path)
    assert problem.field == "occurrence" and "occurs" in problem.expected
    fixed = write_annotation(
        lambda d: _claim(d, "cancer-causes-back-pain").update(quote="lower back pain", occurrence=2),
        name="fixed.yaml",
    )
    claim = load_annotation(fixed).claim("cancer-causes-back-pain")
    assert claim.quote.start > load_annotation(SEED_ANNOTATION).source.text.find("lower back pain")


def test_chain_steps_must_join(write_annotation: Callable[..., Path]) -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["chains"][0]["steps"] = ["herpes-associated-with-nerve-pain", "cancer-causes-back-pain"]

    [problem] = _problems(write_annotation(mutate))
    assert problem.item.startswith("chain ") and problem.field == "steps[1]"
    assert "nerve-pain" in problem.expected


def test_grounding_id_must_look_like_its_vocabulary(write_annotation: Callable[..., Path]) -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["entities"]["back-pain"]["groundings"][0]["id"] = "0003418"

    [problem] = _problems(write_annotation(mutate))
    assert problem.item == "entity back-pain" and "D017116" in problem.expected


def test_corpus_entity_defined_two_ways(write_annotation: Callable[..., Path]) -> None:
    first = write_annotation(name="a.yaml")

    def mutate(d: dict[str, Any]) -> None:
        d["source"]["id"] = "another-article"
        d["entities"]["herpes"]["type"] = "pathogen"

    second = write_annotation(mutate, name="b.yaml")
    with pytest.raises(AnnotationError) as info:
        load_annotations([first, second])
    [problem] = info.value.problems
    assert (problem.file, problem.item, problem.field) == (str(second), "entity herpes", "type")


def test_problem_message_names_file_item_field_expected_found(write_annotation: Callable[..., Path]) -> None:
    path = write_annotation(lambda d: _claim(d, "cancer-causes-back-pain").update(support="gospel"))
    with pytest.raises(AnnotationError) as info:
        load_annotation(path)
    text = str(info.value)
    for part in (
        str(path),
        "claim cancer-causes-back-pain",
        "field 'support'",
        "expected one of",
        'found "gospel"',
    ):
        assert part in text


def _mutants(data: Any, path: tuple[Any, ...] = ()) -> Any:
    """Every single-edit variant of the data: drop a key, change a value's type, empty it, add a key."""
    if isinstance(data, dict):
        yield (*path, "+extra"), {**data, "unexpectedField": 1}
        for key, value in data.items():
            yield (*path, key, "-"), {k: v for k, v in data.items() if k != key}
            for wrong in (None, 7, -1, "", [], {}, "not-a-known-value"):
                if wrong != value:
                    yield (*path, key, repr(wrong)), {**data, key: wrong}
            for sub_path, sub in _mutants(value, (*path, key)):
                yield sub_path, {**data, key: sub}
    elif isinstance(data, list):
        yield (*path, "[]"), []
        for i, value in enumerate(data[:2]):  # the first two items stand for the rest
            for sub_path, sub in _mutants(value, (*path, i)):
                yield sub_path, [*data[:i], sub, *data[i + 1 :]]


def test_fast_schema_check_accepts_only_what_jsonschema_accepts(seed_data: dict[str, Any]) -> None:
    # The loader trusts fastjsonschema's "valid" and asks jsonschema for the errors only when it says
    # "invalid": the two must agree on every variant, or a broken file would slip through unreported.
    import fastjsonschema

    from graph_builder.core.vocabulary import load_vocabulary
    from graph_builder.ingest.annotations import _schema_check

    check = _schema_check(load_vocabulary())
    mutants = list(_mutants(seed_data))
    rejected = 0
    for where, mutant in mutants:
        full = check.full.is_valid(mutant)
        try:
            check.fast(mutant)
        except fastjsonschema.JsonSchemaException:
            fast = False
        else:
            fast = True
        assert fast == full, f"fastjsonschema says {fast}, jsonschema says {full}: {where}"
        rejected += not full
    assert check.errors(seed_data) == []
    assert len(mutants) > 1000 and rejected > 500, (len(mutants), rejected)


# --- format 2: polarity, support and the cues (docs/codebook.md) -----------------------------------


def test_a_format_1_file_gets_one_line_naming_the_version_and_the_way_out(tmp_path: Path) -> None:
    text = SEED_ANNOTATION.read_text(encoding="utf-8").replace("medkg: 2", "medkg: 1", 1)
    path = tmp_path / "old.yaml"
    path.write_text(text.replace("../articles/", str(SEED_ANNOTATION.parent.parent / "articles") + "/"))
    [problem] = _problems(path)
    assert (problem.item, problem.field, problem.found) == ("file", "medkg", "1")
    assert "format version 2" in problem.expected and "medkg migrate" in problem.expected


@pytest.mark.parametrize(
    ("change", "field"),
    [
        # polarity negated without a negation cue: the stance/negated conflict, now one field
        ({"polarity": "negated"}, "polarity"),
        # a negation cue on an affirmed claim
        ({"hedges": [{"text": "causes", "type": "negation"}]}, "polarity"),
        # support disclaimed without the source saying so
        ({"support": "disclaimed"}, "support"),
        # attributed support needs an agent
        ({"support": "attributed"}, "attributed_to"),
        # an agent the file does not declare
        ({"attributed_to": "cdc"}, "attributed_to"),
    ],
    ids=[
        "negated-without-cue",
        "cue-without-negated",
        "disclaimed-without-cue",
        "attributed-no-agent",
        "unknown-agent",
    ],
)
def test_cues_and_dimensions_must_agree(
    write_annotation: Callable[..., Path], change: dict[str, Any], field: str
) -> None:
    path = write_annotation(lambda d: _claim(d, "cancer-causes-back-pain").update(change))
    problems = _problems(path)
    assert [(p.item, p.field) for p in problems] == [("claim cancer-causes-back-pain", field)]


def test_certainty_and_strength_follow_from_the_cues(write_annotation: Callable[..., Path]) -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["agents"] = {"therapists": {"name": "some physical therapists", "type": "unnamed-experts"}}
        _claim(d, "cancer-causes-back-pain").update(support="attributed", attributed_to="therapists")

    ann = load_annotation(write_annotation(mutate))
    claim = ann.claim("cancer-causes-back-pain")
    assert (claim.certainty, claim.conditional, claim.support, claim.attributed_to) == (
        "certain",
        False,
        "attributed",
        "therapists",
    )
    assert claim.strength == 3 * (3 - 1) + 3  # support attributed (rank 3), certainty certain (rank 3)
    assert (claim.stance, claim.evidence) == ("asserted", "expert-opinion")
    assert ann.agents["therapists"].type == "unnamed-experts"
    headline = ann.claim("herpes-causes-lower-back-pain")
    assert (headline.certainty, headline.conditional, headline.strength) == ("possible", True, 1)
