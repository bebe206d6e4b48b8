"""Convert a format 1 annotation file to format 2 by editing its lines, so comments and layout stay.

Format 1 recorded ``stance``, ``evidence`` and ``negated``; format 2 records ``polarity`` and
``support`` and derives the rest from the cues (docs/codebook.md). The conversion follows the
codebook's table "Format 1 fields until format 2": ``negated: true`` becomes ``polarity: negated``,
each evidence level becomes its support level, and the stance line goes (format 2 derives it). What
the old fields could not say — a disclaimed claim without a disclaimer cue, an expert-opinion claim
without an agent — is left for the curator: ``medkg build`` names each such claim after the migration.

>>> text = "medkg: 1\\nclaims:\\n  - id: a\\n    stance: negated\\n    evidence: speculative\\n    negated: true\\n"
>>> print(migrate_text(text), end="")
medkg: 2
claims:
  - id: a
    support: none-stated
    polarity: negated
"""

from __future__ import annotations

import re

from graph_builder.core.errors import MedkgError

#: Format 1 evidence levels and the support level format 2 reads them as (the others keep their slug).
SUPPORT_OF_EVIDENCE = {
    "explicitly-unsupported": "disclaimed",
    "speculative": "none-stated",
    "uncited-assertion": "none-stated",
    "expert-opinion": "attributed",
}

_VERSION = re.compile(r"^medkg:\s*1\s*(#.*)?$")
_FIELD = re.compile(
    r"^(?P<indent>\s+(?:-\s+)?)(?P<key>stance|evidence|negated):\s*(?P<value>[^\s#]+)\s*(?P<comment>#.*)?$"
)


class MigrationError(MedkgError, ValueError):
    """A file this line-based conversion cannot convert (not format 1, or fields in flow style)."""


def migrate_text(text: str) -> str:
    """The format 2 text of a format 1 annotation file."""
    lines = text.splitlines(keepends=True)
    if not any(_VERSION.match(line.rstrip("\n")) for line in lines):
        raise MigrationError("expected a format 1 file (a line 'medkg: 1'); found none")
    out = []
    for line in lines:
        body, end = line.rstrip("\n"), line[len(line.rstrip("\n")) :]
        if _VERSION.match(body):
            out.append(body.replace("1", "2", 1) + end)
            continue
        m = _FIELD.match(body)
        if m is None:
            if re.search(r"[{,]\s*(stance|evidence|negated)\s*:", body):
                raise MigrationError(f"fields in flow style cannot be converted line by line: {body.strip()}")
            out.append(line)
            continue
        indent, key, value = m["indent"], m["key"], m["value"]
        comment = f"  {m['comment']}" if m["comment"] else ""
        if key == "stance":
            if indent.rstrip().endswith("-"):  # the item's first field: keep the item marker
                raise MigrationError(
                    f"a list item that starts with its stance cannot be converted: {body.strip()}"
                )
            continue
        if key == "evidence":
            out.append(f"{indent}support: {SUPPORT_OF_EVIDENCE.get(value, value)}{comment}{end}")
        elif value == "true":
            out.append(f"{indent}polarity: negated{comment}{end}")
    return "".join(out)
