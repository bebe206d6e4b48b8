"""Read annotation files, check them, and locate every quote in its source text.

Every problem in every file is collected before anything is reported, and each names the file, the
claim (or entity, chain, source), the field, what was expected and what was found.

>>> from graph_builder.core.paths import SEED_ANNOTATION
>>> ann = load_annotation(SEED_ANNOTATION)
>>> c = ann.claim("herpes-causes-lower-back-pain")
>>> ann.source.text[c.quote.start:c.quote.end] == c.quote.text
True
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema

from graph_builder.core.model import (
    VOCABULARIES,
    Annotation,
    Chain,
    Claim,
    Entity,
    Grounding,
    HedgeCue,
    Source,
    Span,
)
from graph_builder.core.vocabulary import Vocabulary, load_vocabulary
from graph_builder.ingest.checks import CrossFileChecks, cross_file_problems, read_summary, summarise
from graph_builder.ingest.problems import AnnotationError as AnnotationError  # re-exported: the public names
from graph_builder.ingest.problems import Problem as Problem
from graph_builder.ingest.reader import ReadRefused, RepeatedKey, load_yaml, read_text, short
from graph_builder.ingest.schema import annotation_schema

FORMAT_VERSION = 1


def _item_name(data: Any, path: Sequence[Any]) -> str:
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


def _field_name(path: Sequence[Any]) -> str:
    section = path[0] if path else None
    skip = 2 if section in ("claims", "chains", "entities") else 1
    rest = [str(p) if not isinstance(p, int) else f"[{p}]" for p in path[skip:]]
    return ".".join(rest).replace(".[", "[") or (str(section) if section else "(top level)")


def _schema_problem(file: str, data: Any, error: jsonschema.ValidationError) -> Problem:
    path = list(error.absolute_path)
    item = _item_name(data, path)
    field = _field_name(path)
    validator = error.validator
    if validator == "required":
        missing = re.search(r"'([^']+)' is a required property", error.message)
        name = missing.group(1) if missing else error.message
        field = _field_name([*path, name])
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


def _occurrences(text: str, needle: str) -> list[int]:
    found, i = [], text.find(needle)
    while i >= 0 and needle:
        found.append(i)
        i = text.find(needle, i + 1)
    return found


def _normalise(text: str) -> str:
    table = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
    return re.sub(r"\s+", " ", text.translate(table)).strip().lower()


def _items(value: Any) -> list[Any]:
    """A list field's items; nothing when it holds something else (the schema check reports that)."""
    return value if isinstance(value, list) else []


class _Checker:
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
        hits = _occurrences(text, quote)
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
        hits = _occurrences(text, needle)
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
            for i, g in enumerate(_items(spec.get("groundings"))):
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
                synonyms=tuple(str(s) for s in _items(spec.get("synonyms"))),
                definition=spec.get("definition") if isinstance(spec.get("definition"), str) else None,
                groundings=tuple(groundings),
            )
        return out

    def claims(self, source: Source | None, entities: Mapping[str, Entity]) -> list[Claim]:
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
            for i, h in enumerate(_items(spec.get("hedges"))):
                if isinstance(h, Mapping) and isinstance(h.get("text"), str):
                    span = self.locate_near(item, f"hedges[{i}].text", h["text"], source.text, quote)
                    if span is not None:
                        hedges.append(HedgeCue(span, str(h.get("type"))))
            mechanism = None
            if isinstance(spec.get("mechanism"), str):
                mechanism = self.locate_near(item, "mechanism", spec["mechanism"], source.text, quote)
            if not ok:
                continue
            out.append(
                Claim(
                    id=ident,
                    subject=str(spec.get("subject")),
                    relation=str(spec.get("relation")),
                    object=str(spec.get("object")),
                    quote=quote,
                    stance=str(spec.get("stance")),
                    evidence=str(spec.get("evidence")),
                    rationale=str(spec.get("rationale")),
                    hedges=tuple(sorted(hedges, key=lambda h: (h.span.start, h.span.end, h.type))),
                    negated=bool(spec.get("negated", False)),
                    mechanism=mechanism,
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
            steps = [s for s in _items(spec.get("steps")) if isinstance(s, str)]
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
            if ok:
                out.append(
                    Chain(
                        id=ident,
                        steps=tuple(steps),
                        stance=str(spec.get("stance")),
                        evidence=str(spec.get("evidence")),
                        rationale=str(spec.get("rationale")),
                        quote=quote,
                    )
                )
        return out


@dataclass(frozen=True)
class _SchemaCheck:
    """A vocabulary's annotation schema, compiled twice.

    ``fast`` is fastjsonschema's generated code: a yes/no answer for the common case, a valid file,
    thirteen times faster than jsonschema (benchmarks/README.md). ``full`` is jsonschema, which lists
    every error with its path; it runs only on files the fast check rejects, so what is reported never
    depends on the fast check, and a file it accepts is one jsonschema accepts too (the schema uses only
    keywords both read alike; tests/ingest/test_annotations.py checks them on every broken fixture).
    """

    vocab: Vocabulary
    fast: Callable[[Any], Any]
    full: jsonschema.Draft202012Validator

    def errors(self, data: Any) -> list[jsonschema.ValidationError]:
        try:
            self.fast(data)
        except fastjsonschema.JsonSchemaException:
            return list(self.full.iter_errors(data))
        return []


_SCHEMA_CHECKS: dict[int, _SchemaCheck] = {}


def _schema_check(vocab: Vocabulary) -> _SchemaCheck:
    """The schema check of a vocabulary, made once (building it costs more than checking a file)."""
    cached = _SCHEMA_CHECKS.get(id(vocab))
    if cached is None or cached.vocab is not vocab:
        schema = annotation_schema(vocab)
        cached = _SchemaCheck(vocab, fastjsonschema.compile(schema), jsonschema.Draft202012Validator(schema))
        _SCHEMA_CHECKS[id(vocab)] = cached
    return cached


def parse_annotation(
    path: Path, data: Any, vocab: Vocabulary | None = None
) -> tuple[Annotation | None, list[Problem]]:
    """Check parsed annotation data; return the annotation (None when unusable) and its problems."""
    vocab = vocab or load_vocabulary()
    file = str(path)
    errors = _schema_check(vocab).errors(data)
    problems = [
        _schema_problem(file, data, e)
        for e in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path])
    ]
    if not isinstance(data, Mapping):
        return None, problems
    checker = _Checker(path, data, vocab)
    source = checker.source()
    entities = checker.entities()
    claims = checker.claims(source, entities)
    claim_ids = {
        c["id"] for c in _items(data.get("claims")) if isinstance(c, Mapping) and isinstance(c.get("id"), str)
    }
    chains = checker.chains(source, claims, claim_ids)
    problems.extend(checker.problems)
    if problems or source is None:
        return None, problems
    curation = data.get("curation") or {}
    annotation = Annotation(
        path=path,
        source=source,
        agent=str(curation.get("agent", "manual_agent")),
        curator=curation.get("curator"),
        entities=entities,
        claims=tuple(claims),
        chains=tuple(chains),
    )
    return annotation, []


def _repeated_keys(file: str, data: Any, repeats: Sequence[RepeatedKey]) -> list[Problem]:
    """A key given twice in a mapping is a problem: YAML would keep the last value and say nothing."""
    problems = []
    for repeat in repeats:
        path = [*repeat.path, repeat.key]
        item = _item_name(data, path) if len(path) > 1 else "file"
        where = repeat.lines
        times = "twice" if len(where) == 2 else f"{len(where)} times"
        listed = ", ".join(map(str, where[:-1])) + f" and {where[-1]}"
        found = f"{_quoted(repeat.key)} {times} (lines {listed})"
        problems.append(Problem(file, item, _field_name(path), "each key once", found))
    return problems


def _quoted(text: str, limit: int = 80) -> str:
    quoted = repr(text)
    return quoted if len(quoted) <= limit else quoted[: limit - 1] + "…"


def read_annotation(path: Path, vocab: Vocabulary | None = None) -> tuple[Annotation | None, list[Problem]]:
    """Read and check one file; never raises for bad content, returns its problems instead."""
    file = str(path)
    try:
        data, repeats = load_yaml(read_text(path, "an annotation file"))
    except ReadRefused as err:
        return None, [Problem(file, "file", err.field, err.expected, err.found)]
    annotation, problems = parse_annotation(path, data, vocab)
    if repeats:
        return None, [*_repeated_keys(file, data, repeats), *problems]
    return annotation, problems


def load_annotation(path: Path, vocab: Vocabulary | None = None) -> Annotation:
    """Read and check one annotation file; raise :class:`AnnotationError` listing every problem."""
    return load_annotations([path], vocab)[0]


def load_annotations(paths: Iterable[Path], vocab: Vocabulary | None = None) -> list[Annotation]:
    """Read and check annotation files as one corpus.

    Besides each file's own checks, a source id may appear in one file only, and an entity id defined
    in several files must have the same label and type in each (``graph_builder.ingest.checks``). A file
    with problems of its own is checked against the others too: every problem shows in one run.
    """
    # checks builds on Problem, defined here: imported when called, not at import time

    vocab = vocab or load_vocabulary()
    checks = CrossFileChecks()
    annotations: list[Annotation] = []
    problems: list[Problem] = []
    for path in paths:
        ann, found = read_annotation(Path(path), vocab)
        problems.extend(found)
        summary = summarise(ann) if ann is not None else read_summary(Path(path))
        if summary is not None:
            problems.extend(checks.check(summary))
        if ann is not None:
            annotations.append(ann)
    if problems:
        raise AnnotationError(problems)
    return annotations


def corpus_problems(annotations: Sequence[Annotation]) -> list[Problem]:
    """Problems that only show across files: a repeated source id, an entity defined two ways."""

    return cross_file_problems(summarise(ann) for ann in annotations)
