"""The review of a drafted annotation file (``medkg review``): its claims with their ``# confidence:`` and
``# review:`` comments, and a curator's decisions (accept, edit, reject) written back into its lines.

The file is edited line by line, as ``medkg migrate`` does, so comments and layout stay: a rejected
claim's lines go (with the comments above it, and the entities only it used); an accepted one keeps its
lines, its ``# review:`` comments give way to ``# reviewed: accepted``; an edited one is accepted and
its fields are written anew (YAML block style, in its place). When no claim is left unreviewed the file's
``curation: agent`` becomes ``manual_validation_of_automated_agent``, the Biolink agent type for an
automated result a person checked. The annotation format has no per-claim review field; the comment is
the mark, and the agent says it of the whole file.

>>> raw = "claims:\\n  # review: unsure\\n  - {id: a, quote: x}\\n  - {id: b, quote: y}\\n"
>>> print(apply_review(raw, {"a": Decision("accept"), "b": Decision("reject")}, "x y"), end="")
claims:
  # reviewed: accepted
  - {id: a, quote: x}
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from graph_builder.core.errors import MedkgError
from graph_builder.ingest.checker import occurrences
from graph_builder.ingest.reader import load_yaml

#: The comment an accepted claim carries.
ACCEPTED = "# reviewed: accepted"
#: The file's agent once every claim is reviewed (Biolink's agent type; ontology/annotation.schema.json).
REVIEWED_AGENT = "manual_validation_of_automated_agent"
#: The fields an edit may set; ``quote`` comes as offsets into the source text (``[start, end]``).
EDITABLE = ("subject", "relation", "object", "polarity", "support", "hedges", "quote")

Verdict = Literal["accept", "reject", "pending"]


class ReviewError(MedkgError, ValueError):
    """A file whose claims cannot be edited line by line, or a decision that names no claim."""


@dataclass(frozen=True)
class Decision:
    """What the curator decided of one claim; ``changes`` are new values of :data:`EDITABLE` fields."""

    verdict: Verdict
    changes: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class _Block:
    """One item of a section: the comment lines just above it, and its own lines."""

    comments: list[str]
    body: list[str]


@dataclass(frozen=True)
class ClaimNotes:
    """A claim's comments: the extractor's confidence, what it was unsure of, and whether it is accepted."""

    id: str
    confidence: float | None
    reviews: tuple[str, ...]
    accepted: bool


_TOP = re.compile(r"^[^\s#-]")
_CONFIDENCE = re.compile(r"#\s*confidence:\s*([0-9.]+)")
_REVIEW = re.compile(r"#\s*review:\s*(.*)")


def _section(lines: Sequence[str], key: str) -> tuple[int, int] | None:
    """The lines of a top-level key's value: from the line after ``key:`` to the next top-level line."""
    for i, line in enumerate(lines):
        if line.startswith(f"{key}:"):
            end = next((j for j in range(i + 1, len(lines)) if _TOP.match(lines[j])), len(lines))
            return i + 1, end
    return None


def _blocks(lines: Sequence[str]) -> tuple[list[_Block], list[str]]:
    """A section's items (each with the comments above it at its indent) and the lines after the last.

    An item starts at a line of the section's smallest indent that is no comment; a comment at that
    indent belongs to the item below it."""
    content = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not content:
        return [], list(lines)
    indent = min(len(line) - len(line.lstrip()) for line in content)
    blocks: list[_Block] = []
    pending: list[str] = []
    for line in lines:
        stripped = line.lstrip()
        at_indent = len(line) - len(stripped) == indent
        if (stripped.startswith("#") and at_indent) or not stripped:
            pending.append(line)
        elif at_indent:
            blocks.append(_Block(pending, [line]))
            pending = []
        elif blocks:
            blocks[-1].body += [*pending, line]
            pending = []
        else:
            raise ReviewError(f"a line indented more than the first item of its section: {line.strip()!r}")
    return blocks, pending


def _data(raw: str) -> Mapping[str, Any]:
    data, _ = load_yaml(raw)
    if not isinstance(data, Mapping):
        raise ReviewError("expected an annotation file (a mapping); found something else")
    return data


def _claim_blocks(
    lines: list[str], data: Mapping[str, Any]
) -> tuple[tuple[int, int], list[_Block], list[str]]:
    claims = data.get("claims")
    where = _section(lines, "claims")
    if not isinstance(claims, list) or where is None:
        raise ReviewError("expected a list of claims under 'claims:'; found none")
    blocks, tail = _blocks(lines[where[0] : where[1]])
    ids = [c.get("id") if isinstance(c, Mapping) else None for c in claims]
    if len(blocks) != len(claims) or not all(
        b.body[0].lstrip().startswith("-")
        and re.search(rf"\bid:\s*['\"]?{re.escape(str(i))}(?![a-z0-9-])", "".join(b.body))
        for b, i in zip(blocks, ids, strict=True)
    ):
        raise ReviewError(
            "expected each claim as its own list item (block or one-line flow style) under 'claims:'; "
            "found a layout this review cannot edit line by line"
        )
    return where, blocks, tail


def read_notes(raw: str) -> list[ClaimNotes]:
    """Each claim's comments, in the order of the file."""
    lines = raw.splitlines(keepends=True)
    data = _data(raw)
    _, blocks, _ = _claim_blocks(lines, data)
    out = []
    for claim, block in zip(data["claims"], blocks, strict=True):
        text = "".join(block.comments)
        found = _CONFIDENCE.search(text)
        out.append(ClaimNotes(
            id=str(claim["id"]),
            confidence=float(found.group(1)) if found else None,
            reviews=tuple(m.group(1).strip() for line in block.comments if (m := _REVIEW.search(line))),
            accepted=any(line.strip() == ACCEPTED for line in block.comments),
        ))  # fmt: skip
    return out


def quote_at(text: str, start: int, end: int) -> tuple[str, int | None]:
    """The quote ``text[start:end]`` and its ``occurrence`` (``None`` when it occurs once), as the
    checker finds quotes (:func:`graph_builder.ingest.checker.occurrences`).

    >>> quote_at("ice helps. ice helps.", 11, 20)
    ('ice helps', 2)
    """
    if not 0 <= start < end <= len(text):
        raise ReviewError(f"quote: expected offsets 0 <= start < end <= {len(text)}; found {start}, {end}")
    quote = text[start:end]
    hits = occurrences(text, quote)
    return quote, (hits.index(start) + 1 if len(hits) > 1 else None)


def _edited(claim: Mapping[str, Any], changes: Mapping[str, Any], text: str) -> dict[str, Any]:
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ReviewError(
            f"claim {claim['id']}: expected changes of {', '.join(EDITABLE)}; found {', '.join(unknown)}"
        )
    out = dict(claim)
    for key, value in changes.items():
        if key == "quote":
            if not (isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value)):
                raise ReviewError(
                    f"claim {claim['id']}: quote: expected [start, end] offsets; found {value!r}"
                )
            out["quote"], occurrence = quote_at(text, value[0], value[1])
            out.pop("occurrence", None)
            if occurrence is not None:
                out["occurrence"] = occurrence
        elif key == "hedges" and not value:
            out.pop("hedges", None)
        else:
            out[key] = value
    order = list(claim) + [k for k in ("quote", "occurrence", "hedges", "polarity") if k not in claim]
    return {k: out[k] for k in sorted(out, key=lambda k: order.index(k) if k in order else len(order))}


def _dump(claim: Mapping[str, Any], indent: str) -> list[str]:
    """A claim as a block-style list item, its lists of cues and qualifiers one flow mapping a line, as
    ``medkg extract`` writes them.

    >>> print("".join(_dump({"id": "a", "hedges": [{"text": "may", "type": "speculation"}]}, "  ")), end="")
      - id: a
        hedges:
        - {text: may, type: speculation}
    """
    lines: list[str] = []
    for key, value in claim.items():
        text = yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True, width=10**9,
                              default_flow_style=None if isinstance(value, list) else False)  # fmt: skip
        lines += text.splitlines()
    return [indent + ("- " if i == 0 else "  ") + line + "\n" for i, line in enumerate(lines)]


def _entities_left(
    data: Mapping[str, Any], kept: Sequence[Mapping[str, Any]], dropped: Sequence[Mapping[str, Any]]
) -> set[str]:
    """Entities to remove: used by a rejected claim, by no claim kept, and named as broader by no entity."""
    used = {c.get(k) for c in kept for k in ("subject", "object")}
    entities = data.get("entities") or {}
    broader = {b for e in entities.values() if isinstance(e, Mapping) for b in e.get("broader") or ()}
    return {str(c.get(k)) for c in dropped for k in ("subject", "object")} - used - broader


def apply_review(raw: str, decisions: Mapping[str, Decision], text: str) -> str:
    """The file ``raw`` with ``decisions`` (by claim id) applied; ``text`` is its source text (for quotes).

    Claims without a decision stay as they are. Raises :class:`ReviewError` for a file this cannot edit
    line by line and for a decision about no claim of the file."""
    lines = raw.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    data = _data(raw)
    (start, end), blocks, tail = _claim_blocks(lines, data)
    claims: list[Mapping[str, Any]] = data["claims"]
    unknown = sorted(set(decisions) - {str(c["id"]) for c in claims})
    if unknown:
        raise ReviewError(f"expected decisions about claims of the file; found {', '.join(unknown)}")
    out: list[str] = []
    kept, dropped, pending = [], [], 0
    for claim, block in zip(claims, blocks, strict=True):
        decision = decisions.get(str(claim["id"]))
        accepted = any(line.strip() == ACCEPTED for line in block.comments)
        if decision is not None and decision.verdict == "reject":
            dropped.append(claim)
            continue
        body = block.body
        indent = body[0][: len(body[0]) - len(body[0].lstrip())]
        if decision is not None and decision.changes:
            claim = _edited(claim, decision.changes, text)
            body = _dump(claim, indent)
        comments = block.comments
        if decision is not None and decision.verdict == "accept" and not accepted:
            comments = [c for c in comments if not _REVIEW.search(c)] + [indent + ACCEPTED + "\n"]
            accepted = True
        pending += not accepted
        kept.append(claim)
        out += comments + body
    lines[start:end] = out + tail
    if not kept:  # every claim rejected: an empty list, as the draft writes it
        lines[start - 1] = "claims: []\n"
    lines = _drop_entities(lines, _entities_left(data, kept, dropped))
    if not pending and kept:
        lines = _mark_reviewed(lines)
    return "".join(lines)


def _drop_entities(lines: list[str], gone: set[str]) -> list[str]:
    where = _section(lines, "entities")
    if not gone or where is None:
        return lines
    blocks, tail = _blocks(lines[where[0] : where[1]])
    key = re.compile(r"^\s*['\"]?([a-z0-9][a-z0-9-]*)['\"]?\s*:")
    kept = [b for b in blocks if not ((m := key.match(b.body[0])) and m.group(1) in gone)]
    body = [line for b in kept for line in b.comments + b.body]
    if not kept:
        return [*lines[: where[0] - 1], "entities: {}\n", *tail, *lines[where[1] :]]
    return [*lines[: where[0]], *body, *tail, *lines[where[1] :]]


def _mark_reviewed(lines: list[str]) -> list[str]:
    where = _section(lines, "curation")
    if where is None:
        return lines
    start = where[0] - 1  # the `curation:` line itself, for the flow style `curation: {agent: …}`
    return [
        *lines[:start],
        *(
            re.sub(r"(\bagent:\s*)text_mining_agent\b", rf"\g<1>{REVIEWED_AGENT}", line)
            for line in lines[start : where[1]]
        ),
        *lines[where[1] :],
    ]
