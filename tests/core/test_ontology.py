"""Tests of ontology/medkg.ttl and ontology/evidence.ttl: the terms docs/data-model.md promises exist,
carry labels, definitions and honest crosswalks, and the ontology stays consistent under HermiT."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Dataset, Graph, Literal, Namespace, URIRef
from rdflib import namespace as vocabularies
from rdflib.namespace import DCTERMS

from graph_builder.core import namespaces as ns
from graph_builder.core.paths import EVIDENCE_FILE, ONTOLOGY_FILE, SHAPES_FILE

MEDKG = Namespace(ns.MEDKG_VOCAB)
EVIDENCE = Namespace(ns.EVIDENCE)
STANCE = Namespace(ns.STANCE)
HEDGE = Namespace(ns.HEDGE)
POLARITY = Namespace(ns.POLARITY)
CERTAINTY = Namespace(ns.CERTAINTY)
SUPPORT = Namespace(ns.SUPPORT)
AGENT_TYPE = Namespace(ns.AGENT_TYPE)
QUALIFIER = Namespace(ns.QUALIFIER)
ECO = Namespace(ns.ECO)
BIOLINK = Namespace(ns.BIOLINK)
ENTITY = Namespace(ns.ENTITY)
FIXTURE = Path(__file__).parent.parent / "fixtures" / "minimal.ttl"
ROOT = Path(__file__).resolve().parents[2]

# Identifiers verified in the vocabularies' own files: /work/shared/reference/ids.md ("Verified
# identifiers for medkg"). Add one here only after adding it there, with where it was checked.
ALLOWED_ECO = {
    "0000000", "0000035", "0000307", "0000034", "0000303", "0007320", "0000033", "0000304", "0000204",
    "0006151", "0006152", "0006185", "0000205", "0000305", "0006016", "0006017", "0006018", "0000006",
    "0000180", "0000218", "0000203", "0000352", "0000501",
}  # fmt: skip
BIOLINK_PREDICATES = {
    "causes", "contributes_to", "treats", "has_phenotype", "ameliorates_condition",
    "exacerbates_condition", "preventative_for_condition", "predisposes_to_condition",
    "associated_with", "correlated_with", "caused_by",
}  # fmt: skip
BIOLINK_SLOTS = {
    "subject", "predicate", "object", "negated", "publications", "has_evidence", "knowledge_level",
    "agent_type", "supporting_text", "subject_location_in_text", "object_location_in_text",
    "has_confidence_score", "evidence_count", "primary_knowledge_source",
}  # fmt: skip
KNOWLEDGE_LEVELS = {
    "knowledge_assertion", "logical_entailment", "prediction", "statistical_association",
    "text_co_occurrence", "observation", "not_provided",
}  # fmt: skip
GRADE_CERTAINTY = [
    "very-low",
    "low",
    "moderate",
    "high",
]  # http://hl7.org/fhir/certainty-rating, weakest first

# docs/data-model.md, "Relations": slug, property, causal, Biolink mapping.
RELATIONS = [
    ("causes", "causes", True, SKOS.exactMatch, "causes"),
    ("contributes-to", "contributesTo", True, SKOS.exactMatch, "contributes_to"),
    ("has-complication", "hasComplication", True, SKOS.closeMatch, "causes"),
    ("triggers", "triggers", True, SKOS.closeMatch, "contributes_to"),
    ("predisposes-to", "predisposesTo", True, SKOS.exactMatch, "predisposes_to_condition"),
    ("exacerbates", "exacerbates", True, SKOS.exactMatch, "exacerbates_condition"),
    ("associated-with", "associatedWith", False, SKOS.exactMatch, "associated_with"),
    ("symptom-of", "symptomOf", False, SKOS.broadMatch, "associated_with"),
    ("treats", "treats", False, SKOS.exactMatch, "treats"),
    ("alleviates", "alleviates", False, SKOS.closeMatch, "ameliorates_condition"),
    ("prevents", "prevents", False, SKOS.closeMatch, "preventative_for_condition"),
    ("reduces-risk-of", "reducesRiskOf", False, SKOS.closeMatch, "preventative_for_condition"),
    ("strengthens", "strengthens", False, SKOS.broadMatch, "associated_with"),
]

# docs/data-model.md, "Entity types": slug, class, schema.org alignment.
ENTITY_TYPES = [
    ("disease", "Disease", "MedicalCondition"),
    ("pathogen", "Pathogen", None),
    ("sign-or-symptom", "SignOrSymptom", "MedicalSignOrSymptom"),
    ("pathological-process", "PathologicalProcess", None),
    ("intervention", "Intervention", "MedicalTherapy"),
    ("drug-class", "DrugClass", "DrugClass"),
    ("lifestyle", "Lifestyle", "LifestyleModification"),
    ("body-system", "BodySystem", "AnatomicalSystem"),
    ("risk-factor", "RiskFactor", "MedicalRiskFactor"),
]
# docs/data-model.md, "Entity types": the Biolink class of each type (checked against the Biolink
# Model's own schema in tests/kg/test_kgx.py).
BIOLINK_CATEGORIES = {
    "Disease": "Disease", "Pathogen": "OrganismTaxon", "SignOrSymptom": "PhenotypicFeature",
    "PathologicalProcess": "PathologicalProcess", "Intervention": "Treatment", "DrugClass": "ChemicalEntity",
    "Lifestyle": "Behavior", "BodySystem": "AnatomicalEntity", "RiskFactor": "NamedThing",
}  # fmt: skip

# docs/data-model.md, "Evidence levels", weakest first; CEBM 2011 level where one applies.
EVIDENCE_LEVELS = [
    ("explicitly-unsupported", None),
    ("speculative", None),
    ("uncited-assertion", None),
    ("expert-opinion", 5),
    ("case-reports", 4),
    ("observational-studies", 3),
    ("randomized-trials", 2),
    ("systematic-reviews", 1),
]
STANCES = ["asserted", "hedged", "conditional", "disclaimed", "negated"]
HEDGE_TYPES = ["speculation", "likelihood", "condition", "disclaimer", "attribution", "negation"]

# The claim model of format 2 (docs/codebook.md); ordered schemes weakest first.
POLARITIES = ["affirmed", "negated"]
CERTAINTIES = ["possible", "probable", "certain"]
# Support levels: slug, GRADE starting certainty, CEBM 2011 level where one applies.
SUPPORT_LEVELS = [
    ("disclaimed", "very-low", None),
    ("none-stated", "very-low", None),
    ("attributed", "very-low", None),
    ("case-reports", "very-low", 4),
    ("observational-studies", "low", 3),
    ("randomized-trials", "high", 2),
    ("systematic-reviews", "high", 1),
]
AGENT_TYPES = ["self", "person", "organisation", "unnamed-studies", "unnamed-experts", "unnamed-people"]
QUALIFIER_TYPES = ["frequency", "quantity", "temporal", "onset", "population", "anatomical-site"]

# The ECO crosswalk of the support levels: the same identifiers the evidence levels use, plus
# author statement supported by traceable reference for the levels where the source cites a study.
SUPPORT_ECO = [
    ("disclaimed", SKOS.closeMatch, "0000035"),  # no evidence data found
    ("none-stated", SKOS.closeMatch, "0000034"),  # author statement without traceable support
    ("attributed", SKOS.broadMatch, "0000034"),
    ("attributed", SKOS.narrowMatch, "0006152"),  # medical practitioner statement evidence
    *[
        (slug, SKOS.broadMatch, eco)
        for slug, _, cebm in SUPPORT_LEVELS
        if cebm
        for eco in ("0000033", "0000180")
    ],
]

# The ECO crosswalk the evidence levels promise (a level may carry more matches than these).
ECO_CROSSWALK = [
    ("explicitly-unsupported", SKOS.closeMatch, "0000035"),  # no evidence data found
    ("speculative", SKOS.broadMatch, "0000034"),  # author statement without traceable support
    ("uncited-assertion", SKOS.closeMatch, "0000034"),
    ("expert-opinion", SKOS.closeMatch, "0006152"),  # medical practitioner statement evidence
    ("case-reports", SKOS.broadMatch, "0000180"),  # clinical study evidence
    ("observational-studies", SKOS.broadMatch, "0000180"),
    ("randomized-trials", SKOS.broadMatch, "0000180"),
    ("systematic-reviews", SKOS.broadMatch, "0000180"),
]

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
OWN_NAMESPACES = (
    ns.MEDKG_VOCAB, ns.EVIDENCE, ns.STANCE, ns.HEDGE, ns.POLARITY, ns.CERTAINTY, ns.SUPPORT, ns.AGENT_TYPE,
    ns.QUALIFIER,
)  # fmt: skip


def _load(*paths: Path) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


ONTOLOGY = _load(ONTOLOGY_FILE)
EVIDENCE_SCHEMES = _load(EVIDENCE_FILE)
BOTH = _load(ONTOLOGY_FILE, EVIDENCE_FILE)


def _own_terms(graph: Graph) -> list[URIRef]:
    """IRIs in medkg's own namespaces that the file describes."""
    return sorted(
        {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(OWN_NAMESPACES)}, key=str
    )


def _all_iris(graph: Graph) -> set[URIRef]:
    return {t for triple in graph for t in triple if isinstance(t, URIRef)}


def _level(slug: str) -> URIRef:
    return EVIDENCE[slug]


# --- the ontology header --------------------------------------------------------------------------


def test_ontology_header() -> None:
    onto = URIRef("https://w3id.org/medkg/vocab")
    assert (onto, RDF.type, OWL.Ontology) in ONTOLOGY
    assert ONTOLOGY.value(onto, DCTERMS.title) and ONTOLOGY.value(onto, DCTERMS.description)
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert ONTOLOGY.value(onto, OWL.versionInfo) == Literal(version) == Literal("0.1.0")


# --- every term is documented ---------------------------------------------------------------------


@pytest.mark.parametrize("term", _own_terms(ONTOLOGY), ids=lambda t: t.fragment)
def test_vocabulary_term_has_label_and_definition(term: URIRef) -> None:
    assert len(list(ONTOLOGY.objects(term, RDFS.label))) == 1, f"{term} needs exactly one rdfs:label"
    definition = ONTOLOGY.value(term, SKOS.definition)
    assert definition is not None and len(str(definition)) > 20, f"{term} needs a skos:definition"


@pytest.mark.parametrize("term", _own_terms(EVIDENCE_SCHEMES), ids=lambda t: str(t).split("/medkg/")[1])
def test_concept_has_label_and_definition(term: URIRef) -> None:
    g = EVIDENCE_SCHEMES
    assert len(list(g.objects(term, SKOS.prefLabel))) == 1, f"{term} needs exactly one skos:prefLabel"
    assert g.value(term, RDFS.label) == g.value(term, SKOS.prefLabel)
    assert g.value(term, SKOS.definition) is not None, f"{term} needs a skos:definition"


def test_every_property_used_is_declared() -> None:
    """OWL 2 DL needs every property that appears on a term declared with its kind."""
    declared = set()
    for kind in (OWL.AnnotationProperty, OWL.ObjectProperty, OWL.DatatypeProperty):
        declared |= set(BOTH.subjects(RDF.type, kind))
    builtin = (str(RDF), str(RDFS), str(OWL))
    used = {p for p in BOTH.predicates() if not str(p).startswith(builtin)}
    assert used <= declared, f"undeclared: {sorted(used - declared)}"


# --- entity types ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("slug", "local", "schema_term"), ENTITY_TYPES, ids=[e[0] for e in ENTITY_TYPES])
def test_entity_type(slug: str, local: str, schema_term: str | None) -> None:
    cls = MEDKG[local]
    assert (cls, RDF.type, OWL.Class) in ONTOLOGY
    assert (cls, RDFS.subClassOf, MEDKG.Entity) in ONTOLOGY
    assert ONTOLOGY.value(cls, SKOS.notation) == Literal(slug)
    if schema_term is not None:
        assert (cls, SKOS.closeMatch, URIRef(ns.SCHEMA + schema_term)) in ONTOLOGY
    assert ONTOLOGY.value(cls, MEDKG.biolinkCategory) == BIOLINK[BIOLINK_CATEGORIES[local]]


def test_no_other_entity_types() -> None:
    subclasses = set(ONTOLOGY.subjects(RDFS.subClassOf, MEDKG.Entity))
    assert subclasses == {MEDKG[local] for _, local, _ in ENTITY_TYPES}


def test_schema_org_terms_exist_in_rdflib() -> None:
    """Every schema.org term we use exists (rdflib's SDO is https://schema.org/; we write http://)."""
    graphs = [BOTH, Graph().parse(SHAPES_FILE), Graph().parse(FIXTURE)]
    used = {t for g in graphs for t in _all_iris(g) if re.match(r"https?://schema\.org/", str(t))}
    assert used, "expected schema.org alignments"
    sdo = vocabularies.SDO
    missing = [t for t in used if URIRef(str(sdo) + str(t).split("schema.org/")[1]) not in sdo]
    assert not missing, f"not schema.org terms: {missing}"


# --- disjointness ---------------------------------------------------------------------------------


def _disjoint_groups(graph: Graph) -> list[set[URIRef]]:
    groups = []
    for node in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = graph.value(node, OWL.members)
        groups.append(set(graph.items(members)))
    return groups


@pytest.mark.parametrize(
    "classes",
    [
        {
            "Proposition",
            "Assertion",
            "Chain",
            "ChainStep",
            "HedgeCue",
            "SourceDocument",
            "Entity",
            "EntityRecord",
            "TermRecord",
        },
        {local for _, local, _ in ENTITY_TYPES},
    ],
    ids=["top-level", "entity-types"],
)
def test_classes_are_pairwise_disjoint(classes: set[str]) -> None:
    wanted = {MEDKG[c] for c in classes}
    assert any(wanted <= group for group in _disjoint_groups(ONTOLOGY))


# --- relations ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "local", "causal", "match", "predicate"), RELATIONS, ids=[r[0] for r in RELATIONS]
)
def test_relation(slug: str, local: str, causal: bool, match: URIRef, predicate: str) -> None:
    prop = MEDKG[local]
    g = ONTOLOGY
    assert (prop, RDF.type, OWL.ObjectProperty) in g
    assert g.value(prop, SKOS.notation) == Literal(slug)
    assert g.value(prop, RDFS.label) == Literal(slug.replace("-", " "))
    assert g.value(prop, MEDKG.biolinkPredicate) == BIOLINK[predicate]
    assert (prop, match, BIOLINK[predicate]) in g
    assert ((prop, RDFS.subPropertyOf, MEDKG.causallyInfluences) in g) is causal
    assert g.value(prop, RDFS.domain) == MEDKG.Entity and g.value(prop, RDFS.range) == MEDKG.Entity


def test_no_other_relations() -> None:
    relations = set(ONTOLOGY.subjects(MEDKG.biolinkPredicate, None))
    assert relations == {MEDKG[local] for _, local, *_ in RELATIONS}


def test_slugs_are_slugs() -> None:
    notations = [str(n) for n in BOTH.objects(None, SKOS.notation)]
    assert notations and all(SLUG.match(n) for n in notations), notations


def _kind(term: URIRef) -> object:
    """Where a slug must be unique: its concept scheme, or the relations, or the entity types."""
    scheme = BOTH.value(term, SKOS.inScheme)
    if scheme is not None:
        return scheme
    return "entity type" if (term, RDFS.subClassOf, MEDKG.Entity) in BOTH else "relation"


def test_a_slug_names_one_term_of_its_kind() -> None:
    # Unique per scheme, as SKOS notations are: format 2's support and format 1's evidence levels share
    # case-reports .. systematic-reviews, and polarity and stance share negated.
    seen: dict[tuple[object, str], URIRef] = {}
    for term, notation in BOTH.subject_objects(SKOS.notation):
        key = (_kind(term), str(notation))  # type: ignore[arg-type]
        assert key not in seen, f"{notation} names {seen[key]} and {term}"
        seen[key] = term  # type: ignore[assignment]


# --- external identifiers -------------------------------------------------------------------------


def test_every_eco_iri_is_verified() -> None:
    used = {str(t)[len(ns.ECO) :] for t in _all_iris(BOTH) | _all_iris(Graph().parse(SHAPES_FILE))
            if str(t).startswith(ns.ECO)}  # fmt: skip
    assert used and used <= ALLOWED_ECO, f"not in ids.md: {sorted(used - ALLOWED_ECO)}"


def test_every_biolink_iri_is_verified() -> None:
    iris = _all_iris(BOTH) | _all_iris(Graph().parse(SHAPES_FILE))
    used = {str(t)[len(ns.BIOLINK) :] for t in iris if str(t).startswith(ns.BIOLINK)}
    # The classes are checked against the shipped Biolink Model (tests/kg/test_kgx.py), not ids.md.
    known = BIOLINK_PREDICATES | BIOLINK_SLOTS | set(BIOLINK_CATEGORIES.values())
    assert used <= known, f"not in ids.md: {sorted(used - known)}"
    mapping = (MEDKG.biolinkPredicate, SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch)
    targets = {
        str(o)[len(ns.BIOLINK) :]
        for p in mapping
        for o in BOTH.objects(None, p)
        if str(o).startswith(ns.BIOLINK)
    }
    assert targets and targets <= BIOLINK_PREDICATES, (
        f"not Biolink predicates: {sorted(targets - BIOLINK_PREDICATES)}"
    )


# --- evidence levels ------------------------------------------------------------------------------


def test_evidence_levels_are_ranked_weakest_first() -> None:
    g = EVIDENCE_SCHEMES
    levels = set(g.subjects(SKOS.inScheme, EVIDENCE.scheme))
    assert levels == {_level(slug) for slug, _ in EVIDENCE_LEVELS}
    ranks = {level: g.value(level, MEDKG.rank) for level in levels}
    assert all(isinstance(r, Literal) and r.datatype == vocabularies.XSD.integer for r in ranks.values())
    by_rank = sorted(levels, key=lambda level: int(ranks[level]))  # type: ignore[arg-type]
    assert [str(g.value(level, SKOS.notation)) for level in by_rank] == [slug for slug, _ in EVIDENCE_LEVELS]
    assert sorted(int(r) for r in ranks.values()) == list(range(1, 9))  # type: ignore[arg-type]


@pytest.mark.parametrize(("slug", "cebm"), EVIDENCE_LEVELS, ids=[e[0] for e in EVIDENCE_LEVELS])
def test_evidence_level(slug: str, cebm: int | None) -> None:
    g, level = EVIDENCE_SCHEMES, _level(slug)
    assert g.value(level, SKOS.notation) == Literal(slug)
    assert (level, SKOS.topConceptOf, EVIDENCE.scheme) in g
    assert (EVIDENCE.scheme, SKOS.hasTopConcept, level) in g
    assert str(g.value(level, MEDKG.knowledgeLevel)) in KNOWLEDGE_LEVELS
    assert str(g.value(level, MEDKG.gradeCertainty)) in GRADE_CERTAINTY
    found = g.value(level, MEDKG.cebmLevel)
    if cebm is None:
        assert found is None
        assert "CEBM" in str(g.value(level, SKOS.scopeNote)), "say why no CEBM level applies"
    else:
        assert found == Literal(cebm)
    eco = [
        o
        for p in (SKOS.closeMatch, SKOS.broadMatch)
        for o in g.objects(level, p)
        if str(o).startswith(ns.ECO)
    ]
    assert eco, f"{slug} needs an ECO crosswalk"


@pytest.mark.parametrize(("slug", "match", "eco"), ECO_CROSSWALK, ids=[c[0] for c in ECO_CROSSWALK])
def test_eco_crosswalk(slug: str, match: URIRef, eco: str) -> None:
    assert (_level(slug), match, ECO[eco]) in EVIDENCE_SCHEMES


def test_certainty_never_drops_as_evidence_gets_stronger() -> None:
    g = EVIDENCE_SCHEMES
    grades = [
        GRADE_CERTAINTY.index(str(g.value(_level(slug), MEDKG.gradeCertainty))) for slug, _ in EVIDENCE_LEVELS
    ]
    assert grades == sorted(grades)
    cebm = [c for _, c in EVIDENCE_LEVELS if c is not None]
    assert cebm == sorted(cebm, reverse=True)


def test_explicitly_unsupported_means_the_source_says_so() -> None:
    definition = str(EVIDENCE_SCHEMES.value(_level("explicitly-unsupported"), SKOS.definition))
    assert "source itself states that research does not support the claim" in definition


# --- stances and hedge-cue types ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "namespace", "slugs"),
    [(EVIDENCE.scheme, EVIDENCE, [s for s, _ in EVIDENCE_LEVELS]), (STANCE.scheme, STANCE, STANCES),
     (HEDGE.scheme, HEDGE, HEDGE_TYPES), (POLARITY.scheme, POLARITY, POLARITIES),
     (CERTAINTY.scheme, CERTAINTY, CERTAINTIES), (SUPPORT.scheme, SUPPORT, [s for s, *_ in SUPPORT_LEVELS]),
     (AGENT_TYPE.scheme, AGENT_TYPE, AGENT_TYPES), (QUALIFIER.scheme, QUALIFIER, QUALIFIER_TYPES)],
    ids=["evidence", "stance", "hedge", "polarity", "certainty", "support", "agent-type", "qualifier-type"],
)  # fmt: skip
def test_concept_scheme(scheme: URIRef, namespace: Namespace, slugs: list[str]) -> None:
    g = EVIDENCE_SCHEMES
    assert (scheme, RDF.type, SKOS.ConceptScheme) in g
    assert g.value(scheme, SKOS.prefLabel) and g.value(scheme, SKOS.definition)
    assert set(g.subjects(SKOS.inScheme, scheme)) == {namespace[s] for s in slugs}
    for slug in slugs:
        concept = namespace[slug]
        assert (concept, RDF.type, SKOS.Concept) in g
        assert g.value(concept, SKOS.notation) == Literal(slug)
        assert (concept, SKOS.topConceptOf, scheme) in g and (scheme, SKOS.hasTopConcept, concept) in g


# --- OWL reasoning (HermiT through owlready2) -----------------------------------------------------

JAVA = shutil.which("java") or ("/usr/bin/java" if Path("/usr/bin/java").exists() else None)
needs_java = pytest.mark.skipif(JAVA is None, reason="HermiT needs Java")

# No triple is set aside for the reasoner. The Biolink reading of an assertion (rdf:type rdf:Statement;
# rdf:subject, rdf:predicate, rdf:object) loads in owlready2 and HermiT accepts it: HermiT treats
# rdf:Statement as an ordinary class, and the OWL API it bundles turns the rdf:subject/predicate/object
# triples (reification vocabulary) into no axiom, so they add nothing to the reasoning. Strictly,
# rdf:Statement used as a class is reserved vocabulary and takes the data out of OWL 2 DL;
# test_ontology_is_in_owl2_dl_profile checks that everything else is DL.
# owlready2 misreads HermiT's answer for relation IRIs punned as individuals (the values of
# medkg:relation) and "reparents" them to owl:Thing in its in-memory world: harmless in the throwaway
# World used here, but never save such a world.


def _fixture_graph() -> Graph:
    return _load(ONTOLOGY_FILE, EVIDENCE_FILE, FIXTURE)


def _hermit_consistent(graph: Graph, tmp_path: Path) -> bool:
    owlready2 = pytest.importorskip("owlready2")
    owlready2.JAVA_EXE = JAVA
    path = tmp_path / "graph.nt"  # owlready2 reads RDF/XML, OWL/XML and N-Triples, not Turtle
    graph.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(path.as_uri()).load()
    try:
        owlready2.sync_reasoner(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError:
        return False
    finally:
        world.close()
    return True


def _the_assertion(g: Graph) -> URIRef:
    node = g.value(None, MEDKG.claimId, Literal("herpes-associated-with-nerve-pain"))
    assert isinstance(node, URIRef)
    return node


def _typed(cls: URIRef) -> Callable[[Graph], None]:
    return lambda g: g.add((_the_assertion(g), RDF.type, cls))


def _second_quote_end(g: Graph) -> None:
    g.add((_the_assertion(g), MEDKG.quoteEnd, Literal(35)))


def _two_entity_types(g: Graph) -> None:
    g.add((ENTITY.herpes, RDF.type, MEDKG.Pathogen))


@needs_java
def test_reasoner_finds_ontology_and_fixture_consistent(tmp_path: Path) -> None:
    assert _hermit_consistent(_fixture_graph(), tmp_path)


@needs_java
def test_reasoner_finds_ontology_and_seed_graph_consistent(seed_store: ox.Store, tmp_path: Path) -> None:
    # Every graph of the built seed store (shared, source and ontology graphs) merged into one.
    graph = _load(ONTOLOGY_FILE, EVIDENCE_FILE)
    quads = Dataset()
    quads.parse(data=seed_store.dump(format=ox.RdfFormat.N_QUADS).decode(), format="nquads")
    for s, p, o, _ in quads.quads((None, None, None, None)):
        graph.add((s, p, o))
    assert len(graph) > 2000
    assert _hermit_consistent(graph, tmp_path)


@needs_java
@pytest.mark.parametrize(
    "mutate",
    [_typed(MEDKG.Proposition), _typed(MEDKG.Chain), _two_entity_types, _second_quote_end],
    ids=["assertion-also-proposition", "assertion-also-chain", "entity-with-two-types", "two-quote-ends"],
)
def test_reasoner_detects_inconsistency(mutate: Callable[[Graph], None], tmp_path: Path) -> None:
    graph = _fixture_graph()
    mutate(graph)
    assert not _hermit_consistent(graph, tmp_path)


# OWL 2 DL profile check with the OWL API bundled in owlready2's HermiT.jar (Java single-file launch).
_DL_CHECK = """
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.*;
import org.semanticweb.owlapi.profiles.*;
public class DLCheck {
  public static void main(String[] args) throws Exception {
    for (String path : args) {
      OWLOntologyManager m = OWLManager.createOWLOntologyManager();
      OWLOntology o = m.loadOntologyFromOntologyDocument(new File(path));
      for (OWLProfileViolation v : new OWL2DLProfile().checkOntology(o).getViolations())
        System.out.println(new File(path).getName() + ": " + v);
    }
  }
}
"""


@needs_java
def test_ontology_is_in_owl2_dl_profile(tmp_path: Path) -> None:
    owlready2 = pytest.importorskip("owlready2")
    jar = Path(owlready2.__file__).parent / "hermit" / "HermiT.jar"
    ontology = tmp_path / "ontology.nt"
    BOTH.serialize(ontology, format="nt", encoding="utf-8")
    data = tmp_path / "fixture-without-rdf-statement.nt"
    graph = _fixture_graph()
    graph.remove((None, RDF.type, RDF.Statement))  # the one known departure from DL, see above
    graph.serialize(data, format="nt", encoding="utf-8")
    source = tmp_path / "DLCheck.java"
    source.write_text(_DL_CHECK, encoding="utf-8")
    run = subprocess.run(
        [str(JAVA), "-cp", str(jar), str(source), str(ontology), str(data)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "", run.stdout


# --- the claim model of format 2: ordered schemes and the support crosswalk ------------------------


@pytest.mark.parametrize(
    ("scheme", "namespace", "slugs"),
    [(EVIDENCE.scheme, EVIDENCE, [s for s, _ in EVIDENCE_LEVELS]), (SUPPORT.scheme, SUPPORT,
      [s for s, *_ in SUPPORT_LEVELS]), (CERTAINTY.scheme, CERTAINTY, CERTAINTIES)],
    ids=["evidence", "support", "certainty"],
)  # fmt: skip
def test_ordered_scheme_is_ranked_weakest_first(
    scheme: URIRef, namespace: Namespace, slugs: list[str]
) -> None:
    g = EVIDENCE_SCHEMES
    ranks = {slug: g.value(namespace[slug], MEDKG.rank) for slug in slugs}
    assert all(isinstance(r, Literal) and r.datatype == vocabularies.XSD.integer for r in ranks.values())
    assert [int(ranks[slug]) for slug in slugs] == list(range(1, len(slugs) + 1))  # type: ignore[arg-type]


@pytest.mark.parametrize(("slug", "grade", "cebm"), SUPPORT_LEVELS, ids=[s[0] for s in SUPPORT_LEVELS])
def test_support_level(slug: str, grade: str, cebm: int | None) -> None:
    g, level = EVIDENCE_SCHEMES, SUPPORT[slug]
    assert g.value(level, MEDKG.gradeCertainty) == Literal(grade)
    found = g.value(level, MEDKG.cebmLevel)
    if cebm is None:
        assert found is None
        assert "CEBM" in str(g.value(level, SKOS.scopeNote)), "say why no CEBM level applies"
    else:
        assert found == Literal(cebm)
    assert any(
        str(o).startswith(ns.ECO)
        for p in (SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch)
        for o in g.objects(level, p)
    ), f"{slug} needs an ECO crosswalk"


@pytest.mark.parametrize(("slug", "match", "eco"), SUPPORT_ECO, ids=[f"{c[0]}-{c[2]}" for c in SUPPORT_ECO])
def test_support_eco_crosswalk(slug: str, match: URIRef, eco: str) -> None:
    assert (SUPPORT[slug], match, ECO[eco]) in EVIDENCE_SCHEMES


def test_support_grade_never_drops_as_support_gets_stronger() -> None:
    grades = [GRADE_CERTAINTY.index(grade) for _, grade, _ in SUPPORT_LEVELS]
    assert grades == sorted(grades)


def test_support_levels_that_cite_studies_match_the_evidence_levels() -> None:
    """Format 1's evidence levels 5..8 and format 2's support levels 4..7 are the same study designs."""
    g = EVIDENCE_SCHEMES
    for slug, grade, cebm in SUPPORT_LEVELS:
        if cebm is not None:
            assert g.value(EVIDENCE[slug], MEDKG.cebmLevel) == Literal(cebm)
            assert g.value(EVIDENCE[slug], MEDKG.gradeCertainty) == Literal(grade)
