"""Content negotiation for ``medkg serve``: the media types it writes, ``Accept`` ranking, ``format`` names.

Also the SPARQL 1.1 Service Description, which names those formats.
"""

from __future__ import annotations

import pyoxigraph as ox

#: Media types of SPARQL results, by the ``format`` name that also picks them; the first is the default.
RESULT_TYPES: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
#: Media types of graphs (CONSTRUCT, DESCRIBE), by ``format`` name; the first is the default.
GRAPH_TYPES: dict[str, str] = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
RESULT_ALIASES = {"application/json": "json", "application/xml": "xml", "text/xml": "xml"}
GRAPH_ALIASES = {"application/x-turtle": "turtle", "text/plain": "ntriples", "application/json": "jsonld"}
FORMAT_NAMES = {
    "json": ("json", "jsonld"), "xml": ("xml", "rdfxml"), "csv": ("csv", None), "tsv": ("tsv", None),
    "turtle": (None, "turtle"), "ttl": (None, "turtle"), "n3": (None, "turtle"), "nt": (None, "ntriples"),
    "ntriples": (None, "ntriples"), "n-triples": (None, "ntriples"), "json-ld": (None, "jsonld"),
    "jsonld": (None, "jsonld"), "rdf+xml": (None, "rdfxml"), "rdfxml": (None, "rdfxml"),
}  # fmt: skip
RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def negotiate(
    accept: str | None, offers: dict[str, str], aliases: dict[str, str] | None = None
) -> str | None:
    """The ``format`` name of the offer the ``Accept`` header ranks best; ``None`` if it accepts none.

    Ties go to the order of ``offers``; no header accepts the first offer.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", RESULT_TYPES)
    'xml'
    >>> negotiate("text/*", GRAPH_TYPES), negotiate("image/png", RESULT_TYPES), negotiate(None, RESULT_TYPES)
    ('turtle', None, 'json')
    """
    if not accept or not accept.strip():
        return next(iter(offers))
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        media, *options = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for option in options:
            key, _, value = option.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media.lower(), quality))
    candidates = [(media, name) for name, media in offers.items()] + list((aliases or {}).items())
    best: tuple[float, int, str] | None = None
    for order, (media, name) in enumerate(candidates):
        kind = media.split("/")[0] + "/*"
        scored = [
            (3 if r == media else 2 if r == kind else 1, q) for r, q in ranges if r in (media, kind, "*/*")
        ]
        if not scored:
            continue
        quality = max(scored)[1]
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, order, name)
    return None if best is None else best[2]


_SD = "http://www.w3.org/ns/sparql-service-description#"
#: W3C format IRIs (https://www.w3.org/ns/formats/) of what the endpoint writes, by ``format`` name.
_FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML", "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV", "turtle": "Turtle", "ntriples": "N-Triples", "jsonld": "JSON-LD",
    "rdfxml": "RDF_XML",
}  # fmt: skip


def rdf_asked(accept: str | None) -> str | None:
    """The graph format an ``Accept`` header names explicitly; wildcards (a browser's ``*/*``) do not count."""
    named = {media: name for name, media in GRAPH_TYPES.items()} | {"application/x-turtle": "turtle"}
    ranges = [part for part in (accept or "").split(",") if part.split(";")[0].strip().lower() in named]
    return negotiate(",".join(ranges), GRAPH_TYPES, GRAPH_ALIASES) if ranges else None


def service_description(endpoint: str, fmt: str) -> bytes:
    """A SPARQL 1.1 Service Description of the endpoint at ``endpoint``, in graph format ``fmt``.

    >>> b"sd:UnionDefaultGraph" in service_description("http://127.0.0.1:7878/sparql", "turtle")
    True
    """
    service, dataset, default = ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
    a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(_SD + name)

    triples = [
        ox.Triple(service, a, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, a, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, a, sd("Graph")),
        ox.Triple(
            service,
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"),
            ox.Literal(
                "medkg: a read-only SPARQL 1.1 endpoint; the default graph is the union of all graphs"
            ),
        ),
    ]
    triples += [
        ox.Triple(service, sd("resultFormat"), ox.NamedNode(f"http://www.w3.org/ns/formats/{name}"))
        for name in _FORMAT_IRIS.values()
    ]
    prefixes = None if fmt == "jsonld" else {"sd": _SD, "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}
    data = ox.serialize(triples, format=RDF_FORMATS[fmt], prefixes=prefixes)
    assert data is not None
    return data
