"""A draft in ``medkg extract``'s own format made from a curated file, for tests that need one without the
nlp extra: the file's claims and entities written by :func:`graph_builder.extract.draft.draft_yaml`, each
with a confidence and a ``# review:`` comment, as the extractor writes them."""

from __future__ import annotations

from pathlib import Path

from graph_builder.core.model import Annotation
from graph_builder.extract.draft import draft_yaml, relative_text_path
from graph_builder.extract.pipeline import Draft, DraftClaim, DraftEntity
from graph_builder.ingest.checker import occurrences


def draft_of(annotation: Annotation, article: Path, out: Path) -> str:
    """The draft text of ``annotation``'s claims, to be written at ``out``, for the text at ``article``."""
    text = annotation.source.text
    claims = []
    for c in annotation.claims:
        hits = occurrences(text, c.quote.text)
        claims.append(DraftClaim(
            id=c.id, subject=c.subject, relation=c.relation, object=c.object, quote=c.quote.text,
            occurrence=hits.index(c.quote.start) + 1 if len(hits) > 1 else None,
            cues=[(h.span.text, h.type) for h in c.hedges], polarity=c.polarity, support=c.support,
            attributed_to=c.attributed_to, confidence=0.5, reviews=[f"is {c.relation} right?"],
        ))  # fmt: skip
    entities = {e.id: DraftEntity(id=e.id, label=e.label, type=e.type, review="type guessed")
                for e in annotation.entities.values()}  # fmt: skip
    agents = {a.id: (a.name, a.type) for a in annotation.agents.values()}
    draft = Draft(entities=entities, claims=claims, agents=agents)
    return draft_yaml(draft, annotation.source.id, annotation.source.title, relative_text_path(article, out))
