"""The cross-file checks, written once: a source id used by one file only, an entity defined one way.

Every build path (``load_annotations``, the streaming ``build_corpus_store``, ``add_annotations``)
feeds a :class:`FileSummary` of each file to one :class:`CrossFileChecks`, as the files arrive.

>>> checks = CrossFileChecks()
>>> checks.check(FileSummary("a.yaml", "s1", (("herpes", "herpes", "disease"),)))
[]
>>> [p.found for p in checks.check(FileSummary("b.yaml", "s1", (("herpes", "herpes", "pathogen"),)))]
["'s1', also used by a.yaml", "'pathogen'"]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from graph_builder.core.model import Annotation
from graph_builder.ingest.problems import Problem
from graph_builder.ingest.reader import ReadRefused, load_yaml, read_text


@dataclass(frozen=True)
class FileSummary:
    """What the cross-file checks need of one file: its source id and its entities' labels and types."""

    file: str
    source_id: str | None
    entities: tuple[tuple[str, str, str], ...] = ()  # (id, label, type)


def summarise(annotation: Annotation) -> FileSummary:
    """The summary of a file that passed its own checks."""
    return FileSummary(
        str(annotation.path),
        annotation.source.id,
        tuple((e.id, e.label, e.type) for e in annotation.entities.values()),
    )


def read_summary(path: Path) -> FileSummary | None:
    """The summary of a file with problems of its own, from what of it is well-formed.

    Such a file is still checked against the others, so that its clashes show in the same run as its
    own problems, not after they are fixed. None when the file cannot be read at all.
    """
    try:
        data, _ = load_yaml(read_text(path, "an annotation file"))
    except ReadRefused:
        return None
    if not isinstance(data, Mapping):
        return None
    source = data.get("source")
    source_id = source.get("id") if isinstance(source, Mapping) else None
    raw = data.get("entities")
    entities = tuple(
        (str(ident), spec["label"], spec["type"])
        for ident, spec in (raw.items() if isinstance(raw, Mapping) else ())
        if isinstance(spec, Mapping)
        and isinstance(spec.get("label"), str)
        and isinstance(spec.get("type"), str)
    )
    return FileSummary(str(path), source_id if isinstance(source_id, str) else None, entities)


class CrossFileChecks:
    """The files seen so far; ``check`` each new one against them (memory: the summaries only)."""

    def __init__(self) -> None:
        self._sources: dict[str, str] = {}  # source id -> the file that used it first
        self._entities: dict[str, tuple[str, str, str]] = {}  # entity id -> (label, type, where)

    def know_entity(self, ident: str, label: str, kind: str, where: str) -> None:
        """An entity defined outside the files being checked (by a source already in a store)."""
        self._entities.setdefault(ident, (label, kind, where))

    def check(self, summary: FileSummary) -> list[Problem]:
        """The problems of this file against the files before it; then it counts as seen."""
        problems = []
        if summary.source_id is not None:
            if summary.source_id in self._sources:
                problems.append(
                    Problem(
                        summary.file,
                        "source",
                        "id",
                        "a source id used by one file only",
                        f"{summary.source_id!r}, also used by {self._sources[summary.source_id]}",
                    )
                )
            self._sources.setdefault(summary.source_id, summary.file)
        for ident, *defined in summary.entities:
            first = self._entities.setdefault(ident, (defined[0], defined[1], summary.file))
            for i, field in enumerate(("label", "type")):
                if first[i] != defined[i]:
                    problems.append(
                        Problem(
                            summary.file,
                            f"entity {ident}",
                            field,
                            f"{first[i]!r} as defined in {first[2]}",
                            repr(defined[i]),
                        )
                    )
        return problems


def cross_file_problems(summaries: Iterable[FileSummary]) -> list[Problem]:
    """Every cross-file problem of these files, each reported on the later file."""
    checks = CrossFileChecks()
    return [p for summary in summaries for p in checks.check(summary)]
