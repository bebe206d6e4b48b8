"""Nanopublication export: one signed nanopublication per claim, each passing the nanopub package's own
check of its trusty URI and signature, with the claim framed as a claim (never as a fact)."""

from __future__ import annotations

import stat
import warnings
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from graph_builder.cli import main
from graph_builder.core import namespaces as ns
from graph_builder.core.paths import SEED_ANNOTATION
from graph_builder.core.vocabulary import load_vocabulary
from graph_builder.ingest.annotations import load_annotation
from graph_builder.kg.nanopubs import NANOPUB_FILE, NP, default_key_path, ensure_key, load_key

pytest.importorskip("nanopub", reason="pip install 'medkg[nanopub]'")
from nanopub.nanopub import Nanopub
from nanopub.utils import MalformedNanopubError

FIXTURE = Path(__file__).parent.parent / "fixtures" / "minimal.ttl"
HAS_ASSERTION = rdflib.URIRef(NP + "hasAssertion")


def split(path: Path) -> dict[str, rdflib.ConjunctiveGraph]:
    """The nanopublications of a TriG file, by URI: each one's four graphs, found from its head."""
    with warnings.catch_warnings():  # nanopub 2.0.1 works on rdflib's ConjunctiveGraph, deprecated since 7.0
        warnings.simplefilter("ignore", DeprecationWarning)
        everything = rdflib.ConjunctiveGraph()
        everything.parse(path, format="trig")
        found = {}
        for np in everything.subjects(HAS_ASSERTION, None):
            one = rdflib.ConjunctiveGraph()
            for graph in everything.contexts():
                if str(graph.identifier).startswith(f"{np}#"):
                    for s, p, o in graph:
                        one.add((s, p, o, rdflib.Graph(one.store, graph.identifier)))
            found[str(np)] = one
    return found


def assertion_graph(np: rdflib.ConjunctiveGraph) -> rdflib.Graph:
    head = next(one for one in np.contexts() if str(one.identifier).endswith("#Head"))
    return np.get_context(next(head.objects(None, HAS_ASSERTION)))  # type: ignore[arg-type]


def verified(np: rdflib.ConjunctiveGraph) -> bool:
    """The nanopub package's own check: the trusty URI is the hash of the content, the signature verifies."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        pub = Nanopub(rdf=np)
        return bool(pub.has_valid_trusty and pub.has_valid_signature)


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("key") / "signing.pem"
    assert ensure_key(path)
    return path


@pytest.fixture(scope="module")
def seed_trig(tmp_path_factory: pytest.TempPathFactory, seed_store: ox.Store) -> Path:
    path = tmp_path_factory.mktemp("seed") / "medkg.trig"
    path.write_bytes(ox.serialize(seed_store, format=ox.RdfFormat.TRIG) or b"")
    return path


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, seed_trig: Path, key: Path) -> Path:
    """``medkg export --format nanopub`` of the seed."""
    out = tmp_path_factory.mktemp("nanopubs")
    args = ["export", "--format", "nanopub", "--graph", str(seed_trig), "--key", str(key), "--out", str(out)]
    assert main(args) == 0
    return out / NANOPUB_FILE


def test_one_verified_nanopub_per_claim(exported: Path) -> None:
    ann = load_annotation(SEED_ANNOTATION)
    nanopubs = split(exported)
    assert len(nanopubs) == len(ann.claims)
    claim_ids = set()
    for uri, np in nanopubs.items():
        assert uri.startswith("http://purl.org/np/RA"), uri  # a trusty URI
        assert verified(np), uri
        claim_ids |= {
            str(o) for o in assertion_graph(np).objects(None, rdflib.URIRef(ns.MEDKG_VOCAB + "claimId"))
        }
    assert claim_ids == {c.id for c in ann.claims}


def test_a_changed_nanopub_fails_the_check(exported: Path) -> None:
    """The check can fail: one word of a quote changed after signing breaks the signature or the hash."""
    np = next(iter(split(exported).values()))
    quote = rdflib.URIRef(ns.MEDKG_VOCAB + "quote")
    s, _, o, graph = next(np.quads((None, quote, None, None)))
    np.remove((s, quote, o, graph))
    np.add((s, quote, rdflib.Literal(f"{o} Not."), graph))
    with pytest.raises(MalformedNanopubError):
        verified(np)


def test_assertion_graphs_hold_claims_never_facts(exported: Path) -> None:
    """No assertion graph relates two entities directly (no ``entity relation entity`` triple, in any
    vocabulary); each holds its claim's polarity and support as the annotation file records them."""
    vocab = load_vocabulary()
    ann = load_annotation(SEED_ANNOTATION)
    by_id = {c.id: c for c in ann.claims}
    medkg = rdflib.Namespace(ns.MEDKG_VOCAB)
    for np in split(exported).values():
        graph = assertion_graph(np)
        direct = [
            (s, p, o) for s, p, o in graph if str(s).startswith(ns.ENTITY) and str(o).startswith(ns.ENTITY)
        ]
        assert direct == []
        node, claim_id = next(graph.subject_objects(medkg.claimId))
        claim = by_id[str(claim_id)]
        assert graph.value(node, medkg.polarity) == rdflib.URIRef(vocab.polarities[claim.polarity].iri)
        assert graph.value(node, medkg.support) == rdflib.URIRef(vocab.supports[claim.support].iri)
        negated = graph.value(node, rdflib.URIRef(ns.BIOLINK + "negated"))
        assert negated is not None and negated.toPython() is (claim.polarity == "negated")


def test_without_a_key_one_is_generated_outside_the_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    where = default_key_path()
    out = tmp_path / "out"
    assert main(["export", "--format", "nanopub", "--graph", str(FIXTURE), "--out", str(out)]) == 0
    assert f"generated a signing key at {where}" in capsys.readouterr().err
    assert stat.S_IMODE(where.stat().st_mode) == 0o600
    load_key(where)  # an RSA private key
    first = (out / NANOPUB_FILE).read_bytes()
    assert main(["export", "--format", "nanopub", "--graph", str(FIXTURE), "--out", str(out)]) == 0
    assert "generated" not in capsys.readouterr().err  # the kept key is used again
    assert (out / NANOPUB_FILE).read_bytes() == first  # same graph, same key: same bytes
    nanopubs = split(out / NANOPUB_FILE)
    assertions = FIXTURE.read_text(encoding="utf-8").count("a medkg:Assertion")
    assert len(nanopubs) == assertions and all(verified(np) for np in nanopubs.values())


def test_a_file_that_is_no_key_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "key.pem"
    bad.write_text("not a key\n", encoding="utf-8")
    args = [
        "export",
        "--format",
        "nanopub",
        "--graph",
        str(FIXTURE),
        "--key",
        str(bad),
        "--out",
        str(tmp_path),
    ]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(bad) in err and "expected an RSA private key" in err
    assert not (tmp_path / NANOPUB_FILE).exists()
