"""Nanopublications of a store's claims: one per assertion, signed offline with a local RSA key.

Signing and trusty URIs are the ``nanopub`` package's (an optional extra: ``pip install 'medkg[nanopub]'``);
nothing is published and nothing goes over the network.

A nanopublication's assertion graph is read as what its author holds true, so it never states
``subject relation object``: medkg holds true that a source makes a claim. The assertion graph is the
claim as medkg records it: the ``medkg:Assertion`` node with its proposition (a node whose
``medkg:subject``, ``medkg:relation`` and ``medkg:object`` say what is claimed), polarity, certainty,
support, hedges, qualifiers and attribution, the entities' labels, and the Biolink reading as an
``rdf:Statement`` (a reification, which asserts nothing; ``biolink:negated`` true for a negated claim),
derived with the selectors below by :mod:`graph_builder.kg.views`.
A negated or disclaimed claim is there with its polarity and support, never as an affirmed triple. The
provenance graph says where the claim was read: the assertion graph ``prov:wasDerivedFrom`` the source,
the verbatim quote with its offsets and W3C Web Annotation selectors, the curator's rationale, the ECO
assertion method and agent type, and the source's title, identifier, URL and text checksum. The
publication info holds a label and the signature.

RSA PKCS#1 v1.5 signatures are deterministic and no timestamp is written, so the same graph and the
same key give the same bytes; a new key gives new signatures and so new trusty URIs.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from graph_builder.core import namespaces as ns
from graph_builder.core.errors import MedkgError
from graph_builder.core.vocabulary import load_vocabulary
from graph_builder.kg.export import sorted_quads
from graph_builder.kg.views import with_views

if TYPE_CHECKING:
    import rdflib

NANOPUB_FILE = "medkg.nanopub.trig"
#: The nanopub namespaces, written as prefixes beside medkg's.
NP = "http://www.nanopub.org/nschema#"
NPX = "http://purl.org/nanopub/x/"
PREFIXES = {**ns.PREFIXES, "np": NP, "npx": NPX}

_N = ox.NamedNode
Graph = ox.NamedNode | ox.DefaultGraph


def _v(local: str) -> ox.NamedNode:
    return _N(ns.MEDKG_VOCAB + local)


RDF_TYPE = _N(ns.RDF + "type")
RDFS_LABEL = _N(ns.RDFS + "label")
ASSERTION = _v("Assertion")
#: What an assertion node says about where and how it was read: the provenance graph's, not the claim's.
PROVENANCE = frozenset(
    _v(p) for p in ("quote", "quoteStart", "quoteEnd", "evidenceRationale", "assertionMethod", "agentType")
) | {_N(ns.OA + "hasTarget")}
#: The nodes an assertion's claim hangs together with, in its source's graph.
PARTS = (_v("hedge"), _v("qualifier"), _v("attributedTo"))
#: What the provenance graph repeats of the source (never its full text: the checksum stands for it).
SOURCE_FIELDS = frozenset(
    (RDF_TYPE, _N(ns.DCTERMS + "title"), _N(ns.DCTERMS + "identifier"), _N(ns.SCHEMA + "url"))
) | {_v("textSha256"), _v("textLength")}


class KeyFileError(MedkgError, ValueError):
    """A signing key file that is not an RSA private key."""


@dataclass(frozen=True)
class SigningKey:
    """An RSA key pair in the form nanopub writes it: base64 DER without PEM armour."""

    private: str
    public: str


def generate_key() -> bytes:
    """A new 2048-bit RSA private key, as PKCS#8 PEM."""
    from Crypto.PublicKey import RSA

    pem: bytes = RSA.generate(2048).export_key("PEM", pkcs=8)
    return pem + b"\n"


def load_key(path: Path) -> SigningKey:
    """Read an RSA private key: PEM (PKCS#1 or PKCS#8), or the armourless base64 ``id_rsa`` of nanopub.

    Raises :class:`KeyFileError` naming the file when it holds no RSA private key.
    """
    from base64 import b64decode

    from Crypto.PublicKey import RSA

    text = path.read_text(encoding="utf-8", errors="replace").strip()
    try:
        key = RSA.import_key(text if text.startswith("-----") else b64decode(text, validate=False))
    except (ValueError, IndexError, TypeError) as err:
        raise KeyFileError(
            f"{path}: expected an RSA private key (PEM, or the base64 id_rsa nanopub writes); found {_kind(text)}"
        ) from err
    if not key.has_private():
        raise KeyFileError(f"{path}: expected an RSA private key; found a public key")
    public = key.publickey()  # type: ignore[no-untyped-call]
    return SigningKey(_bare(key.export_key("PEM", pkcs=8)), _bare(public.export_key("PEM")))


def _kind(text: str) -> str:
    first = text.splitlines()[0][:60] if text else ""
    return f"a file starting {first!r}" if first else "an empty file"


def _bare(pem: bytes) -> str:
    return "".join(line for line in pem.decode("ascii").splitlines() if not line.startswith("-----"))


def default_key_path() -> Path:
    """Where a key is kept when none is given: the user's configuration folder, never the checkout."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "medkg" / "nanopub-signing-key.pem"


def ensure_key(path: Path) -> bool:
    """Generate a key at path unless a file is there; True when one was generated. Only its owner may
    read it (mode 0600), and an existing file is never overwritten."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(generate_key())
    return True


def _triples(store: ox.Store, subject: ox.NamedNode, graph: Graph | None) -> list[ox.Triple]:
    return [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(subject, None, None, graph)
    ]


def _objects(
    store: ox.Store, subject: ox.NamedNode, predicate: ox.NamedNode, graph: Graph | None
) -> list[ox.NamedNode]:
    return [
        q.object
        for q in store.quads_for_pattern(subject, predicate, None, graph)
        if isinstance(q.object, ox.NamedNode)
    ]


@dataclass(frozen=True)
class Parts:
    """The three graphs of one assertion's nanopublication, before signing (no head yet)."""

    assertion: list[ox.Triple]
    provenance: list[ox.Triple]
    label: str


def nanopub_parts(store: ox.Store, node: ox.NamedNode, graph: Graph, assertion_graph: ox.NamedNode) -> Parts:
    """The claim and its provenance for assertion ``node`` of source graph ``graph``.

    ``assertion_graph`` is the IRI of the assertion graph, which the provenance graph speaks about.
    """
    own = _triples(store, node, graph)
    claim = [t for t in own if t.predicate not in PROVENANCE]
    provenance = [t for t in own if t.predicate in PROVENANCE]
    for part in (o for p in PARTS for o in _objects(store, node, p, graph)):
        claim += _triples(store, part, graph)
    propositions = _objects(store, node, _v("proposition"), graph)
    for prop in propositions:
        claim += _triples(store, prop, None)
    ends = {
        o for prop in propositions for p in ("subject", "object") for o in _objects(store, prop, _v(p), None)
    }
    claim += [
        ox.Triple(e, RDFS_LABEL, q.object)
        for e in ends
        for q in store.quads_for_pattern(e, RDFS_LABEL, None, None)
    ]
    for target in _objects(store, node, _N(ns.OA + "hasTarget"), graph):
        provenance += _triples(store, target, graph)
        for selector in _objects(store, target, _N(ns.OA + "hasSelector"), graph):
            provenance += _triples(store, selector, graph)
    sources = _objects(store, node, _v("source"), graph)
    for source in sources:
        provenance.append(ox.Triple(assertion_graph, _N(ns.PROV + "wasDerivedFrom"), source))
        provenance += [t for t in _triples(store, source, graph) if t.predicate in SOURCE_FIELDS]
    return Parts(
        sorted(set(claim), key=str),
        sorted(set(provenance), key=str),
        _label(claim, node),
    )


def _value(triples: Iterable[ox.Triple], subject: str, predicate: ox.NamedNode) -> str:
    """The smallest object of subject and predicate among triples, as text ("?" when there is none)."""
    found = [
        t.object.value
        for t in triples
        if t.subject == ox.NamedNode(subject)
        and t.predicate == predicate
        and isinstance(t.object, ox.NamedNode | ox.Literal)
    ]
    return min(found, default="?")


def _label(claim: list[ox.Triple], node: ox.NamedNode) -> str:
    """``SOURCE claims: herpes causes lower back pain (polarity affirmed, certainty possible, support
    disclaimed)``: the claim in words that say it is a claim, for the publication info."""
    vocab = load_vocabulary()
    terms = (vocab.polarities, vocab.certainties, vocab.supports, vocab.relations)
    slugs = {t.iri: t.slug for scheme in terms for t in scheme.values()}
    prop = _value(claim, node.value, _v("proposition"))
    ends = [_value(claim, prop, _v(p)) for p in ("subject", "object")]
    subject, obj = (_value(claim, e, RDFS_LABEL) if e != "?" else e for e in ends)
    relation = slugs.get(_value(claim, prop, _v("relation")), "?")
    framing = ", ".join(
        f"{k} {slugs.get(_value(claim, node.value, _v(k)), '?')}"
        for k in ("polarity", "certainty", "support")
    )
    source = _value(claim, node.value, _v("source")).rpartition("/")[2]
    return f"{source} claims: {subject} {relation} {obj} ({framing})"


def _to_rdflib(term: ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple) -> rdflib.term.Identifier:
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == ns.XSD + "string":
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise TypeError(f"no blank nodes or quoted triples in a nanopublication: {term}")


def _to_ox(term: rdflib.term.Node) -> ox.NamedNode | ox.Literal:
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return _N(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=_N(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unexpected term in a signed nanopublication: {term!r}")


def sign(parts: Parts, key: SigningKey) -> list[ox.Quad]:
    """Sign one nanopublication (offline) and return its quads, under its trusty URI."""
    import rdflib
    from nanopub.definitions import DUMMY_NAMESPACE
    from nanopub.nanopub import Nanopub
    from nanopub.nanopub_conf import NanopubConf
    from nanopub.profile import Profile

    graphs = []
    for triples in (parts.assertion, parts.provenance):
        g = rdflib.Graph()
        for t in triples:
            g.add((_to_rdflib(t.subject), _to_rdflib(t.predicate), _to_rdflib(t.object)))
        graphs.append(g)
    pubinfo = rdflib.Graph()
    pubinfo.add((DUMMY_NAMESPACE[""], rdflib.RDFS.label, rdflib.Literal(parts.label)))
    profile = Profile(orcid_id="", name="medkg", private_key=key.private, public_key=key.public)
    with (
        warnings.catch_warnings()
    ):  # nanopub 2.0.1 builds on rdflib's ConjunctiveGraph, deprecated in rdflib 7
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        np = Nanopub(
            assertion=graphs[0], provenance=graphs[1], pubinfo=pubinfo, conf=NanopubConf(profile=profile)
        )
        np.sign()
    quads = []
    for s, p, o, c in np.rdf.quads((None, None, None, None)):
        if not isinstance(s, rdflib.URIRef) or c is None:  # every node and graph is named once signed
            raise TypeError(f"unexpected quad in a signed nanopublication: {s} {p} {o} {c}")
        quads.append(ox.Quad(_N(str(s)), _N(str(p)), _to_ox(o), _N(str(c.identifier))))
    return quads


def assertions(store: ox.Store) -> list[tuple[ox.NamedNode, Graph]]:
    """Every assertion node with the graph it is in (its source's; the default graph of a Turtle file), sorted."""
    found = {
        (q.subject, q.graph_name)
        for q in store.quads_for_pattern(None, RDF_TYPE, ASSERTION, None)
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.graph_name, ox.NamedNode | ox.DefaultGraph)
    }
    return sorted(found, key=lambda pair: (pair[0].value, str(pair[1])))


def iter_nanopubs(store: ox.Store, key: SigningKey) -> Iterator[list[ox.Quad]]:
    """The signed quads of each assertion's nanopublication, in the order of :func:`assertions`."""
    from nanopub.definitions import DUMMY_NAMESPACE

    assertion_graph = _N(str(DUMMY_NAMESPACE["assertion"]))
    store = with_views(store)  # the Biolink reading and the selectors are derived, not stored
    for node, graph in assertions(store):
        yield sign(nanopub_parts(store, node, graph, assertion_graph), key)


def to_nanopub_trig(nanopubs: Iterable[list[ox.Quad]]) -> bytes:
    """Nanopublications as one TriG document, each one's four graphs side by side."""
    quads = sorted_quads(q for np in nanopubs for q in np)
    data = ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
    assert data is not None  # no output file given, so the bytes are returned
    return data
