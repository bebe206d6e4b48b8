"""The cross-file checks, written once: a source id used by one file only, an entity defined one way,
broader links to entities of the corpus, of the same type, without a cycle.

Every build path (``load_annotations``, the streaming ``build_corpus_store``, ``add_annotations``)
feeds a :class:`FileSummary` of each file to one :class:`CrossFileChecks`, as the files arrive, and
asks for the problems only the whole corpus shows (``finish``) after the last one.

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
    broader: tuple[tuple[str, int, str], ...] = ()  # (entity id, position in its list, broader id)


def summarise(annotation: Annotation) -> FileSummary:
    """The summary of a file that passed its own checks."""
    return FileSummary(
        str(annotation.path),
        annotation.source.id,
        tuple((e.id, e.label, e.type) for e in annotation.entities.values()),
        tuple((e.id, i, b) for e in annotation.entities.values() for i, b in enumerate(e.broader)),
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
    broader = tuple(
        (str(ident), i, target)
        for ident, spec in (raw.items() if isinstance(raw, Mapping) else ())
        if isinstance(spec, Mapping) and isinstance(spec.get("broader"), list)
        for i, target in enumerate(spec["broader"])
        if isinstance(target, str) and target != ident  # a self-link is the file's own problem
    )
    return FileSummary(str(path), source_id if isinstance(source_id, str) else None, entities, broader)


class CrossFileChecks:
    """The files seen so far; ``check`` each new one against them (memory: the summaries only)."""

    def __init__(self) -> None:
        self._sources: dict[str, str] = {}  # source id -> the file that used it first
        self._entities: dict[str, tuple[str, str, str]] = {}  # entity id -> (label, type, where)
        self._links: list[tuple[str, str, int, str]] = []  # (file, entity, position, broader) of files
        self._known_links: set[tuple[str, str]] = set()  # (entity, broader) of sources outside them

    def know_entity(self, ident: str, label: str, kind: str, where: str) -> None:
        """An entity defined outside the files being checked (by a source already in a store)."""
        self._entities.setdefault(ident, (label, kind, where))

    def know_broader(self, ident: str, broader: str) -> None:
        """A broader link made outside the files being checked (by a source already in a store)."""
        self._known_links.add((ident, broader))

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
        self._links += [(summary.file, *link) for link in summary.broader]
        return problems

    def finish(self) -> list[Problem]:
        """The problems only the whole corpus shows: broader links to no entity, to an entity of
        another type, and cycles of broader links."""
        problems = []
        for file, ident, i, target in self._links:
            item, field = f"entity {ident}", f"broader[{i}]"
            if target not in self._entities:
                problems.append(
                    Problem(
                        file, item, field, "the id of an entity defined in a file of the corpus", repr(target)
                    )
                )
                continue
            kind, target_kind = self._entities.get(ident, ("", "", ""))[1], self._entities[target][1]
            if kind and kind != target_kind:  # a file's entity without a type is its own problem
                problems.append(
                    Problem(
                        file,
                        item,
                        field,
                        f"an entity of type {kind!r} like {ident} (a broader entity is a more general one "
                        "of the same kind)",
                        f"{target!r} of type {target_kind!r}",
                    )
                )
        return problems + self._cycles()

    def _cycles(self) -> list[Problem]:
        """One problem per cycle of broader links, on the link of a checked file that came last: the
        one that closed it (with the sources of a store, a link of the files being added)."""
        where: dict[tuple[str, str], tuple[int, str, int]] = {}  # link -> (order, file, position)
        for order, (file, ident, i, target) in enumerate(self._links):
            where.setdefault((ident, target), (order, file, i))
        edges: dict[str, set[str]] = {}
        for ident, target in [*where, *self._known_links]:
            edges.setdefault(ident, set()).add(target)
        problems, seen = [], set()
        for cycle in _find_cycles(edges):
            key = tuple(sorted(cycle))
            links = enumerate(zip(cycle, [*cycle[1:], cycle[0]], strict=True))
            ours = [(where[link], n) for n, link in links if link in where]
            if key in seen or not ours:
                continue
            seen.add(key)
            (_, file, i), n = max(ours)
            path = _path([*cycle[n:], *cycle[:n], cycle[n]])
            problems.append(
                Problem(file, f"entity {cycle[n]}", f"broader[{i}]", "broader links without a cycle", path)
            )
        return problems


def _path(nodes: list[str], shown: int = 8) -> str:
    """A cycle as text, its middle left out when it is long (a problem stays one readable line)."""
    if len(nodes) > shown:
        nodes = [*nodes[: shown - 2], f"… {len(nodes) - shown + 1} more", *nodes[-1:]]
    return " -> ".join(nodes)


def _find_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Cycles met by a depth-first walk of the graph, each from its smallest node; iterative, so a long
    chain of broader links cannot exhaust the stack."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles = []
    for root in sorted(edges):
        if root in state:
            continue
        path: list[str] = [root]
        todo = [iter(sorted(edges.get(root, ())))]
        state[root] = 1
        while todo:
            nxt = next(todo[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                todo.pop()
            elif state.get(nxt) == 1:
                cycle = path[path.index(nxt) :]
                low = cycle.index(min(cycle))
                cycles.append(cycle[low:] + cycle[:low])
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                todo.append(iter(sorted(edges.get(nxt, ()))))
    return cycles


def cross_file_problems(summaries: Iterable[FileSummary]) -> list[Problem]:
    """Every cross-file problem of these files, each reported on the later file."""
    checks = CrossFileChecks()
    return [p for summary in summaries for p in checks.check(summary)] + checks.finish()
