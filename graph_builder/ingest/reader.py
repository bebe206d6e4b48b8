"""Read annotation files safely: size, alias-expansion and depth limits, duplicate keys, before any value
is built. A refusal is a :class:`ReadRefused`; :mod:`graph_builder.ingest.annotations` (and
:mod:`graph_builder.ingest.checker`, for a source text) report it as a problem.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# libyaml's parser when PyYAML was built with it: the same values, and five times faster on a corpus
# (YAML parsing was most of the build time of a 100k-claim corpus; see benchmarks/README.md).
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Limits on one annotation file (docs/annotation-format.md, "Limits"). An alias may repeat a value (the
# seed file repeats quotes so), but ten nested aliases in a few hundred bytes stand for a billion values
# (such a 22 KB file grew past 5 GB when read): a file is measured as if its aliases were expanded, before
# any value is made from it, and must stay within what a file of the largest size would hold.
MAX_FILE_BYTES = 16 * 2**20  # of an annotation file, and of a source text
MAX_VALUES = 2_000_000  # scalars, lists and mappings; a 16 MiB file of annotations holds about 1M
MAX_TEXT = 2 * MAX_FILE_BYTES  # characters in scalars
MAX_DEPTH = 64  # lists and mappings inside each other (the format needs 6; libyaml stops at 1,000)


def short(value: Any, limit: int = 80) -> str:
    """A value as JSON, cut to ``limit`` characters: how a problem quotes what it found."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ReadRefused(Exception):
    """A file that cannot be read, or is beyond the limits: its problem's field, expected and found parts."""

    def __init__(self, expected: str, found: str, field: str = "(YAML)") -> None:
        super().__init__(found)
        self.expected, self.found, self.field = expected, found, field


def _size(n: int) -> str:
    for unit, scale in (("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:.{0 if n % scale == 0 else 1}f} {unit}"
    return f"{n} bytes"


def _read_bytes(path: Path) -> bytes:
    """A file's bytes, at most one past ``MAX_FILE_BYTES``: enough to refuse it, even when it never ends."""
    with path.open("rb") as stream:
        # The size it has, not the limit: read(n) allocates n bytes first.
        data = bytearray(stream.read(min(os.fstat(stream.fileno()).st_size, MAX_FILE_BYTES) + 1))
        while len(data) <= MAX_FILE_BYTES and (more := stream.read(2**16)):  # a pipe, /dev/zero: size 0
            data += more
        return bytes(data)


def _unreadable(err: OSError) -> str:
    """What was found at a path that could not be read, in a few words."""
    if isinstance(err, FileNotFoundError):
        return "no such file"
    if isinstance(err, IsADirectoryError):
        return "a folder"
    return f"cannot read it: {err.strerror or type(err).__name__}"


def read_text(path: Path, unreadable: str) -> str:
    """A UTF-8 text file within ``MAX_FILE_BYTES``; ``unreadable`` is what was expected if it cannot be read."""
    try:
        data = _read_bytes(path)
    except OSError as err:
        raise ReadRefused(unreadable, _unreadable(err), "(file)") from None
    except ValueError:  # a NUL character, which no path can hold
        raise ReadRefused(unreadable, "a path with a NUL character", "(file)") from None
    if len(data) > MAX_FILE_BYTES:
        raise ReadRefused(
            f"a file of at most {_size(MAX_FILE_BYTES)}", f"more than {_size(MAX_FILE_BYTES)}", "(file)"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ReadRefused("UTF-8 text", f"{err.reason} at byte {err.start}", "(file)") from None


class _Loader(_YAML_LOADER):  # type: ignore[misc]
    """The safe loader, with scalars their tag cannot hold reported as YAML errors at their position.

    ``!!int x``, ``!!bool maybe``, the date ``2021-02-30``, an integer of 5,000 digits: the constructors
    raised plain ValueError, KeyError or AttributeError (tests/ingest/test_fuzz_annotations.py).
    """


def _guard(construct: Callable[[Any, yaml.Node], Any]) -> Callable[[Any, yaml.Node], Any]:
    def guarded(loader: Any, node: yaml.Node) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as err:
            kind = str(node.tag).rsplit(":", 1)[-1]
            raise yaml.constructor.ConstructorError(
                None, None, f"{short(node.value)} is not a valid {kind} ({err})", node.start_mark
            ) from None

    return guarded


for _kind in ("bool", "int", "float", "timestamp"):  # the constructors that can fail on a value
    _Loader.add_constructor(
        f"tag:yaml.org,2002:{_kind}", _guard(_YAML_LOADER.yaml_constructors[f"tag:yaml.org,2002:{_kind}"])
    )

_MERGE = "tag:yaml.org,2002:merge"
_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
#: Keys the safe constructor rewrites before it builds a mapping: merges (``<<``) and values (``=``).
_REWRITTEN_KEYS = frozenset({_MERGE, "tag:yaml.org,2002:value"})


class _Unusual(Exception):
    """A node the quick construction leaves to PyYAML's constructor."""


def _construct(loader: Any, root: yaml.Node) -> Any:
    """The values of a composed document: what ``loader.construct_document(root)`` returns, quicker.

    PyYAML builds each value through a generic dispatch in Python, a third of the time a file takes to
    read. Plain strings, lists and mappings (all an annotation file holds) are built here directly; other
    scalars go to the loader's own constructors; merges, value keys, keys that are lists or mappings, and
    explicit tags on collections go back to ``construct_document`` whole. An alias is its node's value,
    shared, as PyYAML shares it (``_measure`` has refused an alias inside its own value).
    """
    made: dict[int, Any] = {}
    scalar, sequence, mapping = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode

    def build(node: yaml.Node) -> Any:
        cls = node.__class__
        if cls is scalar:
            return node.value if node.tag == _STR else loader.construct_object(node)
        key = id(node)
        if key in made:
            return made[key]
        if cls is sequence and node.tag == _SEQ:
            items: list[Any] = []
            made[key] = items
            items.extend(build(child) for child in node.value)
            return items
        if cls is mapping and node.tag == _MAP:
            values: dict[Any, Any] = {}
            made[key] = values
            for key_node, value_node in node.value:
                if key_node.__class__ is not scalar or key_node.tag in _REWRITTEN_KEYS:
                    raise _Unusual
                try:
                    values[build(key_node)] = build(value_node)
                except TypeError:  # a key that cannot be a dict key (a timestamp can): PyYAML's error
                    raise _Unusual from None
            return values
        raise _Unusual

    try:
        return build(root)
    except _Unusual:
        return loader.construct_document(root)


_VALUE_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent, yaml.AliasEvent)


def _where(node: yaml.Node) -> str:
    return f"line {node.start_mark.line + 1}, column {node.start_mark.column + 1}"


def _measure(root: yaml.CollectionNode) -> tuple[int, int, list[yaml.Node]]:
    """Values and characters of a composed document with its aliases expanded; its repeated keys.

    An alias is the node it names, shared: each node is measured once, so this takes time in the size
    of the file, not of its expansion. Raises ReadRefused for a node nested too deep, or inside itself.
    Returns the mappings where a key may occur twice (``_repeated_keys`` tells).
    """
    sizes: dict[int, tuple[int, int, int]] = {}  # node id: values, characters, depth
    entered: set[int] = set()  # and not measured yet: an alias to one of these is inside it
    repeated: list[yaml.Node] = []
    chain = itertools.chain.from_iterable
    scalar, sequence = yaml.ScalarNode, yaml.SequenceNode

    def too_deep(node: yaml.Node) -> ReadRefused:
        return ReadRefused(f"values nested at most {MAX_DEPTH} deep", f"deeper nesting at {_where(node)}")

    def measure(node: yaml.Node, depth: int) -> tuple[int, int, int]:
        # Written for speed: it sees every value of every file, in a tenth of the time YAML takes.
        key = id(node)
        if key in entered:
            raise ReadRefused(
                "aliases to values that do not contain them", f"an alias inside its value at {_where(node)}"
            )
        if depth > MAX_DEPTH:
            raise too_deep(node)
        entered.add(key)
        n, c, d = 1, 0, 0
        if node.__class__ is sequence:
            children = node.value
        else:
            pairs = node.value
            children = chain(pairs)
            try:  # a quick test; _repeated_keys tells keys apart by tag too, and leaves out merges
                if len({k.value for k, _ in pairs}) != len(pairs):
                    repeated.append(node)
            except TypeError:  # a list or mapping as a key: the constructor refuses it
                pass
        for child in children:
            if child.__class__ is scalar:
                n += 1
                c += len(child.value)
            else:
                size = sizes.get(id(child)) or measure(child, depth + 1)
                n += size[0]
                c += size[1]
                d = max(d, size[2])
        if depth + d > MAX_DEPTH:  # an alias made it deeper than its text
            raise too_deep(node)
        size = sizes[key] = (n, c, d + 1)
        return size

    values, characters, _ = measure(root, 1)
    return values, characters, repeated


def _paths(root: yaml.Node, targets: set[int]) -> dict[int, list[Any]]:
    """A path (keys and indexes) from the root to each of the target nodes."""
    found: dict[int, list[Any]] = {}
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, list[Any]]] = [(root, [])]
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if id(node) in targets:
            found[id(node)] = path
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, [*path, i]) for i, child in enumerate(node.value))
        elif isinstance(node, yaml.MappingNode):
            stack.extend(
                (v, [*path, k.value if isinstance(k, yaml.ScalarNode) else "?"]) for k, v in node.value
            )
    return found


@dataclass(frozen=True)
class RepeatedKey:
    """A key given more than once in one mapping: YAML would keep the last value and say nothing."""

    path: tuple[Any, ...]  # keys and indexes from the root to the mapping
    key: str
    lines: tuple[int, ...]  # of each occurrence, from 1


def _repeated_keys(root: yaml.Node, mappings: list[yaml.Node]) -> list[RepeatedKey]:
    """The keys given twice in the candidate mappings, by tag and value, merges left out, by first line."""
    paths = _paths(root, {id(m) for m in mappings})
    repeats: list[RepeatedKey] = []
    for mapping in mappings:
        lines: dict[tuple[str, str], list[int]] = {}
        for k, _ in mapping.value:
            if isinstance(k, yaml.ScalarNode) and k.tag != _MERGE:
                lines.setdefault((k.tag, k.value), []).append(k.start_mark.line + 1)
        repeats.extend(
            RepeatedKey(tuple(paths[id(mapping)]), key, tuple(where))
            for (_, key), where in lines.items()
            if len(where) > 1
        )
    return sorted(repeats, key=lambda r: r.lines[0])


def load_yaml(raw: str) -> tuple[Any, list[RepeatedKey]]:
    """The values of a YAML document, and the keys given twice in its mappings.

    Raises ReadRefused for invalid YAML and for a document beyond the limits, before its values are made.

    >>> load_yaml("a: 1\\nb: {c: 2, c: 3}\\n")
    ({'a': 1, 'b': {'c': 3}}, [RepeatedKey(path=('b',), key='c', lines=(2, 2))])
    """
    values = (
        f"at most {MAX_VALUES:,} values (scalars, lists, mappings), an alias counting as those it repeats"
    )
    try:
        if len(raw) > MAX_VALUES // 2:
            # Without an alias a value takes a byte or more of text, so only a text this long can hold
            # too many: count them from the parser's events, which builds nothing, before building them.
            count = 0
            for event in yaml.parse(raw, Loader=_YAML_LOADER):
                count += isinstance(event, _VALUE_EVENTS)
                if count > MAX_VALUES:
                    raise ReadRefused(values, f"more than {MAX_VALUES:,} values")
        loader = _Loader(raw)
        try:
            root = loader.get_single_node()
            candidates: list[yaml.Node] = []
            if isinstance(root, yaml.CollectionNode):
                n, c, candidates = _measure(root)
                if n > MAX_VALUES:
                    raise ReadRefused(values, f"{n:,} values once its aliases are expanded")
                if c > MAX_TEXT:
                    text = (
                        f"at most {MAX_TEXT:,} characters in scalars, an alias counting as those it repeats"
                    )
                    raise ReadRefused(text, f"{c:,} characters once its aliases are expanded")
            data = _construct(loader, root) if root is not None else None
            # After construction: building a mapping with a merge (<<) rewrites its node in place, so a
            # merged key is compared with the mapping's own keys too.
            repeats = _repeated_keys(root, candidates) if candidates else []
        finally:
            loader.dispose()
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        position = getattr(err, "position", None)  # a ReaderError: a character the YAML reader refuses
        if mark is not None:
            where = f"line {mark.line + 1}, column {mark.column + 1}"
        else:
            where = f"character {position + 1}" if isinstance(position, int) else "unknown position"
        reason = getattr(err, "problem", None) or getattr(err, "reason", None) or str(err)
        raise ReadRefused("valid YAML", f"{reason} at {where}") from None
    return data, repeats
