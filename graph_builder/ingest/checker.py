"""The checks within one annotation file: its data turned into model values (source, entities, claims,
chains) while every problem is collected, one :class:`Problem` per finding (file, item, field,
expected, found), and every quote located in the source text. Schema errors become problems too
(:func:`schema_problem`)."""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jsonschema

from graph_builder.core import codebook
from graph_builder.core.model import (
    VOCABULARIES,
    Agent,
    Chain,
    Claim,
    Entity,
    Grounding,
    HedgeCue,
    Qualifier,
    Source,
    Span,
)
from graph_builder.core.vocabulary import Vocabulary
from graph_builder.ingest.problems import Problem
from graph_builder.ingest.reader import ReadRefused, read_text, short


def item_name(data: Any, path: Sequence[Any]) -> str:
    """Name the part of the file a schema path points into: a claim, chain, entity or section."""
    if not path:
        return "file"
    section = path[0]
    if section in ("claims", "chains") and len(path) > 1 and isinstance(path[1], int):
        kind = "claim" if section == "claims" else "chain"
        try:
            ident = data[section][path[1]].get("id")
        except (AttributeError, IndexError, KeyError, TypeError):
            ident = None
        return f"{kind} {ident}" if isinstance(ident, str) else f"{kind} #{path[1] + 1}"
    if section == "entities" and len(path) > 1:
        return f"entity {path[1]}"
    return str(section)


def field_name(path: Sequence[Any]) -> str:
    section = path[0] if path else None
    skip = 2 if section in ("claims", "chains", "entities") else 1
    rest = [str(p) if not isinstance(p, int) else f"[{p}]" for p in path[skip:]]
    return ".".join(rest).replace(".[", "[") or (str(section) if section else "(top level)")


def schema_problem(file: str, data: Any, error: jsonschema.ValidationError) -> Problem:
    path = list(error.absolute_path)
    item = item_name(data, path)
    field = field_name(path)
    validator = error.validator
    if validator == "required":
        missing = re.search(r"'([^']+)' is a required property", error.message)
        name = missing.group(1) if missing else error.message
        field = field_name([*path, name])
        return Problem(file, item, field, "a value (the field is required)", "nothing")
    if validator == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)  # type: ignore[union-attr]
        return Problem(file, item, field, f"one of: {allowed}", short(error.instance))
    if validator == "type":
        return Problem(file, item, field, f"a value of type {error.validator_value}", short(error.instance))
    if validator == "pattern":
        return Problem(file, item, field, f"text matching {error.validator_value}", short(error.instance))
    if validator == "additionalProperties":
        extra = re.findall(r"'([^']+)'", error.message.split("(")[-1])
        schema = error.schema if isinstance(error.schema, Mapping) else {}
        known = ", ".join(sorted(schema.get("properties", {})))
        return Problem(file, item, field, f"only the fields {known}", "unknown field " + ", ".join(extra))
    if validator in ("minItems", "minLength", "minimum"):
        return Problem(file, item, field, f"{validator} {error.validator_value}", short(error.instance))
    return Problem(file, item, field, error.message, short(error.instance))


def occurrences(text: str, needle: str) -> list[int]:
    found, i = [], text.find(needle)
    while i >= 0 and needle:
        found.append(i)
        i = text.find(needle, i + 1)
    return found


def _normalise(text: str) -> str:
    table = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
    return re.sub(r"\s+", " ", text.translate(table)).strip().lower()


def list_items(value: Any) -> list[Any]:
    """A list field's items; nothing when it holds something else (the schema check reports that)."""
    return value if isinstance(value, list) else []


class Checker:
    """Collects the problems of one file while turning its data into model values."""

    def __init__(self, path: Path, data: Any, vocab: Vocabulary) -> None:
        self.path = path
        self.file = str(path)
        self.data = data
        self.vocab = vocab
        self.problems: list[Problem] = []
        self.text_file = "(source text)"

    def problem(self, item: str, field: str, expected: str, found: str) -> None:
        self.problems.append(Problem(self.file, item, field, expected, found))

    def locate_quote(
        self, item: str, field: str, quote: str, text: str, occurrence: int | None
    ) -> Span | None:
        hits = occurrences(text, quote)
        if not hits:
            near = _normalise(quote) in _normalise(text)
            hint = " (it differs from the text only in spacing, case or quote marks)" if near else ""
            self.problem(item, field, f"text that occurs verbatim in {self.text_file}", short(quote) + hint)
            return None
        if occurrence is None:
            if len(hits) > 1:
                self.problem(
                    item,
                    "occurrence",
                    f"an occurrence number 1..{len(hits)}, since the quote occurs {len(hits)} times",
                    "nothing",
                )
                return None
            occurrence = 1
        if not 1 <= occurrence <= len(hits):
            self.problem(item, "occurrence", f"a number from 1 to {len(hits)}", str(occurrence))
            return None
        start = hits[occurrence - 1]
        return Span(quote, start, start + len(quote))

    def locate_near(self, item: str, field: str, needle: str, text: str, anchor: Span) -> Span | None:
        """Find a cue inside the quote, or else its occurrence nearest to the quote."""
        inside = text.find(needle, anchor.start, anchor.end)
        if inside >= 0 and inside + len(needle) <= anchor.end:
            return Span(needle, inside, inside + len(needle))
        hits = occurrences(text, needle)
        if not hits:
            self.problem(item, field, f"text that occurs verbatim in {self.text_file}", short(needle))
            return None

        def distance(i: int) -> int:
            return max(anchor.start - (i + len(needle)), i - anchor.end, 0)

        best = min(hits, key=lambda i: (distance(i), i))
        return Span(needle, best, best + len(needle))

    def source(self) -> Source | None:
        raw = self.data.get("source")
        if not isinstance(raw, Mapping):
            return None
        text_ref = raw.get("text")
        if not isinstance(text_ref, str):
            return None
        text_path = self.path.parent / text_ref
        with contextlib.suppress(OSError, ValueError, RuntimeError):  # a NUL, a symlink loop: read as given
            text_path = text_path.resolve()  # for the messages
        self.text_file = str(text_path)
        try:
            text = read_text(text_path, "a path to the source text, relative to the annotation file")
        except ReadRefused as err:
            self.problem("source", "text", err.expected, f"{text_ref} ({err.found})")
            return None
        # Universal newlines, as the text was always read: offsets count a line end as one "\n".
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if not text.strip():
            self.problem("source", "text", "a non-empty text", f"{text_ref} (empty)")
            return None
        return Source(
            id=str(raw.get("id")),
            title=str(raw.get("title")),
            text=text,
            description=str(raw.get("description")),
            kind=str(raw.get("kind", "web-page")),
            url=raw.get("url") if isinstance(raw.get("url"), str) else None,
        )

    def entities(self) -> dict[str, Entity]:
        raw = self.data.get("entities")
        out: dict[str, Entity] = {}
        if not isinstance(raw, Mapping):
            return out
        for ident, spec in raw.items():
            if not isinstance(spec, Mapping):
                continue
            groundings = []
            for i, g in enumerate(list_items(spec.get("groundings"))):
                if not isinstance(g, Mapping):
                    continue
                vocab, gid = g.get("vocabulary"), g.get("id")
                if not isinstance(vocab, str) or not isinstance(gid, str) or vocab not in VOCABULARIES:
                    continue
                vspec = VOCABULARIES[vocab]
                if not vspec.matches(gid):
                    self.problem(
                        f"entity {ident}",
                        f"groundings[{i}].id",
                        f"a {vocab} identifier like {vspec.example}",
                        short(gid),
                    )
                    continue
                groundings.append(Grounding(vocab, gid, str(g.get("label")), str(g.get("match", "exact"))))
            out[str(ident)] = Entity(
                id=str(ident),
                label=str(spec.get("label")),
                type=str(spec.get("type")),
                synonyms=tuple(str(s) for s in list_items(spec.get("synonyms"))),
                definition=spec.get("definition") if isinstance(spec.get("definition"), str) else None,
                groundings=tuple(groundings),
                broader=self.broader(str(ident), spec.get("broader")),
            )
        return out

    def broader(self, ident: str, raw: Any) -> tuple[str, ...]:
        """An entity's broader entities, each once; whether they exist is a cross-file check."""
        out: list[str] = []
        for i, target in enumerate(list_items(raw)):
            if not isinstance(target, str):
                continue
            if target == ident:
                self.problem(
                    f"entity {ident}",
                    f"broader[{i}]",
                    "the id of another entity (none is broader than itself)",
                    repr(target),
                )
            elif target in out:
                self.problem(
                    f"entity {ident}", f"broader[{i}]", "each broader entity once", f"{target!r} again"
                )
            else:
                out.append(target)
        return tuple(out)

    def agents(self) -> dict[str, Agent]:
        raw = self.data.get("agents")
        if not isinstance(raw, Mapping):
            return {}
        return {
            str(ident): Agent(str(ident), str(spec.get("name")), str(spec.get("type")))
            for ident, spec in raw.items()
            if isinstance(spec, Mapping)
        }

    def _dimensions(
        self, item: str, spec: Mapping[str, Any], hedges: Sequence[HedgeCue], agents: Mapping[str, Agent]
    ) -> dict[str, Any] | None:
        """Polarity, support and attribution as recorded, checked against the cues; and what follows
        from them (docs/codebook.md). None when a problem was found."""
        polarity = str(spec.get("polarity", "affirmed"))
        support = str(spec.get("support"))
        agent = spec.get("attributed_to")
        types = [h.type for h in hedges]
        found = len(self.problems)
        for field, expected, value in codebook.cue_disagreements(
            {"polarity": polarity, "support": support}, types
        ):
            self.problem(item, field, expected, value)
        if isinstance(agent, str) and agent not in agents:
            known = ", ".join(sorted(agents)) or "none declared"
            self.problem(item, "attributed_to", f"an agent id of the file's 'agents' ({known})", short(agent))
        if agent is None and (support == "attributed" or "attribution" in types):
            why = "support 'attributed'" if support == "attributed" else "an attribution cue"
            self.problem(
                item, "attributed_to", f"the agent the claim is attributed to (it has {why})", "nothing"
            )
        if support not in self.vocab.supports or len(self.problems) > found:
            return None  # an unknown support level is a schema problem, reported already
        certainty = codebook.certainty(types)
        return {
            "polarity": polarity,
            "support": support,
            "attributed_to": agent if isinstance(agent, str) else None,
            "certainty": certainty,
            "conditional": codebook.conditional(types),
            "strength": self.vocab.strength(support, certainty),
            "stance": codebook.stance(polarity, support, types),
            "evidence": codebook.evidence_level(support, certainty),
            "negated": polarity == "negated",
        }

    def claims(
        self, source: Source | None, entities: Mapping[str, Entity], agents: Mapping[str, Agent]
    ) -> list[Claim]:
        raw = self.data.get("claims")
        out: list[Claim] = []
        if not isinstance(raw, list):
            return out
        seen: dict[str, int] = {}
        for n, spec in enumerate(raw, start=1):
            if not isinstance(spec, Mapping) or not isinstance(spec.get("id"), str):
                continue
            ident = spec["id"]
            item = f"claim {ident}"
            if ident in seen:
                self.problem(
                    item,
                    "id",
                    "a claim id used once in the file",
                    f"the id again (first used by claim #{seen[ident]}, again by #{n})",
                )
                continue
            seen[ident] = n
            ok = True
            for role in ("subject", "object"):
                ref = spec.get(role)
                if isinstance(ref, str) and ref not in entities:
                    self.problem(item, role, "an entity id defined under 'entities'", short(ref))
                    ok = False
            quote_raw, occurrence = spec.get("quote"), spec.get("occurrence")
            if source is None or not isinstance(quote_raw, str) or not quote_raw:
                continue
            quote = self.locate_quote(
                item, "quote", quote_raw, source.text, occurrence if isinstance(occurrence, int) else None
            )
            if quote is None:
                continue
            hedges = []
            for i, h in enumerate(list_items(spec.get("hedges"))):
                if isinstance(h, Mapping) and isinstance(h.get("text"), str):
                    span = self.locate_near(item, f"hedges[{i}].text", h["text"], source.text, quote)
                    if span is not None:
                        hedges.append(HedgeCue(span, str(h.get("type"))))
            mechanism = None
            if isinstance(spec.get("mechanism"), str):
                mechanism = self.locate_near(item, "mechanism", spec["mechanism"], source.text, quote)
            qualifiers = []
            for i, q in enumerate(list_items(spec.get("qualifiers"))):
                if isinstance(q, Mapping) and isinstance(q.get("text"), str):
                    span = self.locate_near(item, f"qualifiers[{i}].text", q["text"], source.text, quote)
                    if span is not None:
                        value, unit = q.get("value"), q.get("unit")
                        qualifiers.append(
                            Qualifier(
                                str(q.get("type")),
                                span,
                                None if value is None else str(value),
                                unit if isinstance(unit, str) else None,
                            )
                        )
            hedges.sort(key=lambda h: (h.span.start, h.span.end, h.type))
            dims = self._dimensions(item, spec, hedges, agents)
            if not ok or dims is None:
                continue
            out.append(
                Claim(
                    id=ident,
                    subject=str(spec.get("subject")),
                    relation=str(spec.get("relation")),
                    object=str(spec.get("object")),
                    quote=quote,
                    rationale=str(spec.get("rationale")),
                    hedges=tuple(hedges),
                    mechanism=mechanism,
                    qualifiers=tuple(sorted(qualifiers, key=lambda q: (q.span.start, q.span.end, q.type))),
                    **dims,
                )
            )
        return out

    def chains(self, source: Source | None, claims: Sequence[Claim], claim_ids: set[str]) -> list[Chain]:
        raw = self.data.get("chains")
        out: list[Chain] = []
        if not isinstance(raw, list):
            return out
        by_id = {c.id: c for c in claims}
        seen: set[str] = set()
        for spec in raw:
            if not isinstance(spec, Mapping) or not isinstance(spec.get("id"), str):
                continue
            ident = spec["id"]
            item = f"chain {ident}"
            if ident in seen or ident in claim_ids:
                self.problem(
                    item, "id", "an id used once among the file's claims and chains", f"{ident!r} again"
                )
                continue
            seen.add(ident)
            steps = [s for s in list_items(spec.get("steps")) if isinstance(s, str)]
            ok = len(steps) >= 2
            for i, step in enumerate(steps):
                if step not in claim_ids:
                    self.problem(item, f"steps[{i}]", "the id of a claim in this file", short(step))
                    ok = False
            if ok and all(s in by_id for s in steps):
                for i, (a, b) in enumerate(itertools.pairwise(steps)):
                    if by_id[a].object != by_id[b].subject:
                        self.problem(
                            item,
                            f"steps[{i + 1}]",
                            f"a claim whose subject is {by_id[a].object!r}, the object of step {i + 1} ({a})",
                            f"{b} with subject {by_id[b].subject!r}",
                        )
                        ok = False
            elif ok:
                ok = False  # a step claim failed its own checks; those problems are reported already
            quote = None
            if isinstance(spec.get("quote"), str) and source is not None:
                quote = self.locate_quote(item, "quote", spec["quote"], source.text, None)
            support = str(spec.get("support"))
            if ok and support in self.vocab.supports:
                # A chain's cues are its steps': it is as hedged and conditional as they are.
                types = [h.type for step in steps for h in by_id[step].hedges]
                out.append(
                    Chain(
                        id=ident,
                        steps=tuple(steps),
                        stance=codebook.stance("affirmed", support, types),
                        evidence=codebook.evidence_level(support, codebook.certainty(types)),
                        rationale=str(spec.get("rationale")),
                        quote=quote,
                        support=support,
                    )
                )
        return out
