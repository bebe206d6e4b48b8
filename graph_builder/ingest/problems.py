"""What is wrong with annotation input: one :class:`Problem` per finding, raised together.

A problem names the file, the item (claim, entity, chain, section), the field, what was expected and
what was found, and always prints as one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graph_builder.core.errors import MedkgError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an annotation file."""

    file: str
    item: str
    field: str
    expected: str
    found: str

    def __str__(self) -> str:
        parts = (_one_line(p) for p in (self.file, self.item, self.field, self.expected, self.found))
        return "{}: {}: field '{}': expected {}; found {}".format(*parts)


def _one_line(text: str) -> str:
    """A problem is one line of output, even when a file name or a key holds a line break."""
    return "\\n".join(text.splitlines())


class AnnotationError(MedkgError, ValueError):
    """Raised with every problem found in one or more annotation files."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        n = len(self.problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} in annotation input:\n{lines}")
