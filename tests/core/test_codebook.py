"""docs/codebook.md and the ontology agree: every controlled term is in the codebook, under the heading
of its dimension, with the ontology's label, and every example quoted from the seed article is verbatim."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import RDFS, SKOS, Graph, Namespace, URIRef

from graph_builder.core import namespaces as ns
from graph_builder.core.paths import ARTICLES_DIR, EVIDENCE_FILE, ONTOLOGY_FILE, SEED_SOURCE_ID

ROOT = Path(__file__).resolve().parents[2]
CODEBOOK = ROOT / "docs" / "codebook.md"
SEED_TEXT = (ARTICLES_DIR / f"{SEED_SOURCE_ID}.txt").read_text(encoding="utf-8")
MEDKG = Namespace(ns.MEDKG_VOCAB)

ONTOLOGY = Graph()
for _path in (ONTOLOGY_FILE, EVIDENCE_FILE):
    ONTOLOGY.parse(_path, format="turtle")

#: The codebook's "## " heading of each dimension, and the concept scheme whose values it documents.
SCHEME_HEADINGS = {
    "Polarity": ns.POLARITY + "scheme",
    "Certainty": ns.CERTAINTY + "scheme",
    "Support": ns.SUPPORT + "scheme",
    "Attribution": ns.AGENT_TYPE + "scheme",
    "Qualifiers": ns.QUALIFIER + "scheme",
    "Cue types": ns.HEDGE + "scheme",
}
RELATIONS = "Relations"
ENTITY_TYPES = "Entity types"
FORMAT_1 = "Format 1 fields until format 2"
FORMAT_1_SCHEMES = (ns.EVIDENCE + "scheme", ns.STANCE + "scheme")

#: A row of a value table: | `slug` | label | ...
ROW = re.compile(r"^\|\s*`([a-z0-9-]+)`\s*\|\s*([^|]+?)\s*\|", re.MULTILINE)
#: An example quoted from the seed article: text in curly double quotes.
SEED_QUOTE = re.compile(r"“([^”]+)”")


def _sections(text: str) -> dict[str, str]:
    """The text under each level-2 heading, its subsections included."""
    parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
    return {heading.strip(): body for heading, body in zip(parts[1::2], parts[2::2], strict=True)}


def _terms(heading: str) -> dict[str, str]:
    """The ontology's slug -> label for the terms a codebook heading documents."""
    g = ONTOLOGY
    if heading == RELATIONS:
        subjects, label = list(g.subjects(MEDKG.biolinkPredicate, None)), RDFS.label
    elif heading == ENTITY_TYPES:
        subjects, label = list(g.subjects(RDFS.subClassOf, MEDKG.Entity)), RDFS.label
    else:
        schemes = FORMAT_1_SCHEMES if heading == FORMAT_1 else (SCHEME_HEADINGS[heading],)
        subjects = [s for scheme in schemes for s in g.subjects(SKOS.inScheme, URIRef(scheme))]
        label = SKOS.prefLabel
    return {str(g.value(s, SKOS.notation)): str(g.value(s, label)) for s in subjects}


HEADINGS = [*SCHEME_HEADINGS, RELATIONS, ENTITY_TYPES, FORMAT_1]
TERMS = [(heading, slug, label) for heading in HEADINGS for slug, label in sorted(_terms(heading).items())]


@pytest.fixture(scope="module")
def sections() -> dict[str, str]:
    return _sections(CODEBOOK.read_text(encoding="utf-8"))


def _rows(sections: dict[str, str], heading: str) -> dict[str, str]:
    assert heading in sections, f"docs/codebook.md: no '## {heading}' heading"
    rows: dict[str, str] = {}
    for slug, label in ROW.findall(sections[heading]):
        assert slug not in rows, f"docs/codebook.md, {heading}: `{slug}` has two rows"
        rows[slug] = label
    return rows


def test_every_scheme_of_the_claim_model_has_terms() -> None:
    for heading in HEADINGS:
        assert _terms(heading), f"the ontology has no terms for {heading}"
    assert {h for h, *_ in TERMS} == set(HEADINGS)


@pytest.mark.parametrize(("heading", "slug", "label"), TERMS, ids=[f"{h}-{s}" for h, s, _ in TERMS])
def test_term_is_in_the_codebook_under_its_dimension(
    sections: dict[str, str], heading: str, slug: str, label: str
) -> None:
    rows = _rows(sections, heading)
    assert slug in rows, f"docs/codebook.md, {heading}: expected a row for `{slug}`, found {sorted(rows)}"
    assert rows[slug] == label, (
        f"docs/codebook.md, {heading}, `{slug}`: expected label {label!r}, found {rows[slug]!r}"
    )


@pytest.mark.parametrize("heading", HEADINGS)
def test_codebook_documents_no_term_the_ontology_lacks(sections: dict[str, str], heading: str) -> None:
    extra = set(_rows(sections, heading)) - set(_terms(heading))
    assert not extra, f"docs/codebook.md, {heading}: not in the ontology: {sorted(extra)}"


@pytest.mark.parametrize("heading", [*SCHEME_HEADINGS, RELATIONS, ENTITY_TYPES])
def test_every_dimension_has_an_example_from_the_seed(sections: dict[str, str], heading: str) -> None:
    assert SEED_QUOTE.search(sections[heading]), (
        f"docs/codebook.md, {heading}: no example from the seed article"
    )


def _normalised(text: str) -> str:
    # Markdown wraps long quotes over lines; the article keeps a paragraph on one.
    return " ".join(text.split())


def _seed_quotes() -> list[str]:
    return sorted(set(SEED_QUOTE.findall(CODEBOOK.read_text(encoding="utf-8"))))


def test_the_codebook_quotes_the_seed() -> None:
    assert len(_seed_quotes()) >= 20
    # The hard case the issue names is quoted whole.
    hedged_conditional_disclaimed = (
        "While this is not supported with any medical researches, once the herpes infection is already "
        "associated with nerve pain, it can possibly cause lower back pain."
    )
    assert hedged_conditional_disclaimed in {_normalised(q) for q in _seed_quotes()}


@pytest.mark.parametrize("quote", _seed_quotes())
def test_seed_quote_is_verbatim_in_the_article(quote: str) -> None:
    assert _normalised(quote) in _normalised(SEED_TEXT), (
        f"docs/codebook.md: not in the seed article: “{quote}”"
    )
