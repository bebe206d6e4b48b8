"""Read annotation files and check them, alone (:mod:`graph_builder.ingest.checker`, which also locates
every quote in its source text) and together (:mod:`graph_builder.ingest.checks`).

Every problem in every file is collected before anything is reported, and each names the file, the
claim (or entity, chain, source), the field, what was expected and what was found.

>>> from graph_builder.core.paths import SEED_ANNOTATION
>>> ann = load_annotation(SEED_ANNOTATION)
>>> c = ann.claim("herpes-causes-lower-back-pain")
>>> ann.source.text[c.quote.start:c.quote.end] == c.quote.text
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema

from graph_builder.core.model import (
    Annotation,
)
from graph_builder.core.vocabulary import Vocabulary, load_vocabulary
from graph_builder.ingest.checker import Checker, field_name, item_name, list_items, schema_problem
from graph_builder.ingest.checks import CrossFileChecks, cross_file_problems, read_summary, summarise
from graph_builder.ingest.problems import AnnotationError as AnnotationError  # re-exported: the public names
from graph_builder.ingest.problems import Problem as Problem
from graph_builder.ingest.reader import ReadRefused, RepeatedKey, load_yaml, read_text
from graph_builder.ingest.schema import FORMAT_VERSION, annotation_schema


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
    version = data.get("medkg") if isinstance(data, Mapping) else None
    if isinstance(version, int) and not isinstance(version, bool) and version != FORMAT_VERSION:
        how = "; `medkg migrate FILE` converts a format 1 file" if version == 1 else ""
        expected = f"format version {FORMAT_VERSION} (this medkg reads format {FORMAT_VERSION}{how})"
        return None, [Problem(file, "file", "medkg", expected, str(version))]
    errors = _schema_check(vocab).errors(data)
    problems = [
        schema_problem(file, data, e) for e in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path])
    ]
    if not isinstance(data, Mapping):
        return None, problems
    checker = Checker(path, data, vocab)
    source = checker.source()
    entities = checker.entities()
    agents = checker.agents()
    claims = checker.claims(source, entities, agents)
    claim_ids = {
        c["id"]
        for c in list_items(data.get("claims"))
        if isinstance(c, Mapping) and isinstance(c.get("id"), str)
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
        agents=agents,
    )
    return annotation, []


def _repeated_keys(file: str, data: Any, repeats: Sequence[RepeatedKey]) -> list[Problem]:
    """A key given twice in a mapping is a problem: YAML would keep the last value and say nothing."""
    problems = []
    for repeat in repeats:
        path = [*repeat.path, repeat.key]
        item = item_name(data, path) if len(path) > 1 else "file"
        where = repeat.lines
        times = "twice" if len(where) == 2 else f"{len(where)} times"
        listed = ", ".join(map(str, where[:-1])) + f" and {where[-1]}"
        found = f"{_quoted(repeat.key)} {times} (lines {listed})"
        problems.append(Problem(file, item, field_name(path), "each key once", found))
    return problems


def _quoted(text: str, limit: int = 80) -> str:
    quoted = repr(text)
    return quoted if len(quoted) <= limit else quoted[: limit - 1] + "…"


def read_annotation(path: Path, vocab: Vocabulary | None = None) -> tuple[Annotation | None, list[Problem]]:
    """Read and check one file; never raises for bad content, returns its problems instead."""
    try:
        raw = read_text(path, "an annotation file")
    except ReadRefused as err:
        return None, [Problem(str(path), "file", err.field, err.expected, err.found)]
    return check_text(path, raw, vocab)


def check_text(
    path: Path, raw: str, vocab: Vocabulary | None = None
) -> tuple[Annotation | None, list[Problem]]:
    """Check the text of an annotation file as if it were the file at ``path`` (its source text is found
    relative to it): what :func:`read_annotation` does once the file is read, and what a draft or a
    reviewed file is checked with before it is written."""
    file = str(path)
    try:
        data, repeats = load_yaml(raw)
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

    Besides each file's own checks, a source id may appear in one file only, an entity id defined
    in several files must have the same label and type in each, and a broader entity must be one of
    the corpus, of the same type, without a cycle (``graph_builder.ingest.checks``). A file
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
    problems.extend(checks.finish())
    if problems:
        raise AnnotationError(problems)
    return annotations


def corpus_problems(annotations: Sequence[Annotation]) -> list[Problem]:
    """Problems that only show across files: a repeated source id, an entity defined two ways."""

    return cross_file_problems(summarise(ann) for ann in annotations)
