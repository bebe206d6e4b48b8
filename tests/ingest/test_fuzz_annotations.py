"""Fuzzing the annotation loader: whatever the bytes, a list of one-line problems, in bounded time and memory.

Random YAML documents, random text and bytes, and random edits of the seed file (lines deleted,
repeated, swapped, truncated; scalars turned into other types; anchors and aliases added; bytes
inserted) must each give either an annotation or problems, never another exception; every problem is
one line naming the file; reading takes at most ``deadline`` and ``_MEMORY`` bytes of Python memory;
and a failed ``medkg build --out`` leaves the previous outputs as they were. Derandomized: CI runs
the same examples every time.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import tempfile
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph_builder.cli import main
from graph_builder.core.paths import ARTICLES_DIR, SEED_ANNOTATION, SEED_SOURCE_ID
from graph_builder.core.vocabulary import load_vocabulary
from graph_builder.ingest.annotations import AnnotationError, Problem, read_annotation

_VOCAB = load_vocabulary()
_MEMORY = 128 * 2**20  # Python memory one file may take to read; the seed takes about 3 MiB
_ARTICLE = ARTICLES_DIR / f"{SEED_SOURCE_ID}.txt"
_SEED_LINES = re.sub(
    r"(?m)^  text: .*$",
    f"  text: {_ARTICLE}",
    SEED_ANNOTATION.read_text(encoding="utf-8"),
    count=1,
).splitlines(keepends=True)

_FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="medkg-fuzz-") as name:
        yield Path(name)


def _check_problems(path: Path, problems: list[Problem]) -> None:
    """Each problem is one line that starts with the file's name; the error message has one line each."""
    for problem in problems:
        line = str(problem)
        assert "\n" not in line and "\r" not in line and len(line.splitlines()) == 1, line
        assert line.startswith(f"{path}: "), line
    if problems:
        message = str(AnnotationError(problems)).splitlines()
        assert len(message) == 1 + len(problems)
        assert all(m.startswith(f"  - {path}: ") for m in message[1:])


def _read_within_limits(path: Path) -> tuple[Any, list[Problem]]:
    """read_annotation, asserting it raised nothing else and stayed under the memory ceiling."""
    tracemalloc.start()
    try:
        annotation, problems = read_annotation(path, _VOCAB)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < _MEMORY, f"reading took {peak / 2**20:.0f} MiB"
    assert (annotation is None) == bool(problems)
    _check_problems(path, problems)
    return annotation, problems


# --- (a) random documents and random text ---------------------------------------------------------

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["medkg", "source", "claims", "entities", "chains", "id", "quote", "text", "1", ""])
)
_keys = st.sampled_from(
    ["medkg", "source", "entities", "claims", "chains", "curation", "id", "text", "quote", "subject",
     "object", "relation", "evidence", "stance", "hedges", "groundings", "synonyms", "steps", "label",
     "type", "occurrence", "negated", "mechanism", "rationale", "title", "description"]
) | st.text(max_size=10)  # fmt: skip
_documents = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(_keys, children, max_size=6),
    max_leaves=40,
)
_yaml_alphabet = st.sampled_from(list("-:?[]{},&*!|>'\"#%@`~=<.\\ \t\n\r\x00\x85\u2028\ufeffaz019é"))


@_FUZZ
@given(document=_documents)
def test_random_yaml_documents_give_problems_not_exceptions(workdir: Path, document: Any) -> None:
    path = workdir / "document.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    _read_within_limits(path)


@_FUZZ
@given(
    raw=st.binary(max_size=300)
    | st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass"))
    | st.text(_yaml_alphabet, max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass"))
)
def test_random_text_and_bytes_give_problems_not_exceptions(workdir: Path, raw: bytes) -> None:
    path = workdir / "random.yaml"
    path.write_bytes(raw)
    _read_within_limits(path)


# --- (b) random edits of the seed file -------------------------------------------------------------

_other_values = st.sampled_from(
    ["", "~", "null", "true", "no", "0", "-1", "99999999999999999999", "1e999", ".nan", "2021-02-30",
     "!!int x", "!!bool maybe", "!!timestamp x", "!!float y", "!!binary ===", "!!python/object:os.system x",
     "[]", "{}", "[a, [b, {c: d}]]", "{id: x, quote: y}", "'quoted'", '"\\u0000"', "|\n  block", "*nowhere",
     "&a [*a]", "!!set {a, b}", "!!omap [a: 1]", "<<: *x", "? [a]", "'" + "x" * 300 + "'"]
)  # fmt: skip


def _edit(lines: list[str], op: str, i: int, j: int, value: str, blob: bytes) -> bytes:
    """One edit of the seed's lines (indexes are taken modulo the line count)."""
    lines = list(lines)
    n = len(lines)
    i, j = i % n, j % n
    if op == "delete":
        del lines[i]
    elif op == "duplicate":
        lines.insert(i, lines[i])
    elif op == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "truncate":
        text = "".join(lines)
        return text[: (i * 997) % max(len(text), 1)].encode("utf-8")
    elif op == "retype":  # a scalar becomes a value of another type
        lines[i] = re.sub(r"^(\s*-?\s*[\w-]+:)\s.*$", lambda m: f"{m.group(1)} {value}", lines[i], count=1)
    elif op == "anchor":  # name a line's value, and repeat it elsewhere
        lines[i] = re.sub(r"^(\s*-?\s*[\w-]+:)\s", r"\1 &fz ", lines[i], count=1)
        lines[j] = re.sub(r"^(\s*-?\s*[\w-]+:)\s.*$", r"\1 *fz", lines[j], count=1)
    elif op == "bytes":
        raw = "".join(lines).encode("utf-8")
        k = (i * 997) % max(len(raw), 1)
        return raw[:k] + blob + raw[k:]
    return "".join(lines).encode("utf-8")


_edits = st.lists(
    st.tuples(
        st.sampled_from(["delete", "duplicate", "swap", "truncate", "retype", "anchor", "bytes"]),
        st.integers(0, 10**6),
        st.integers(0, 10**6),
        _other_values,
        st.binary(min_size=1, max_size=8),
    ),
    min_size=1,
    max_size=4,
)


def _apply(edits: list[tuple[str, int, int, str, bytes]]) -> bytes:
    raw = "".join(_SEED_LINES).encode("utf-8")
    for op, i, j, value, blob in edits:
        lines = raw.decode("utf-8", "replace").splitlines(keepends=True) or [""]
        raw = _edit(lines, op, i, j, value, blob)
    return raw


@_FUZZ
@given(edits=_edits)
def test_edits_of_the_seed_give_problems_not_exceptions(
    workdir: Path, edits: list[tuple[str, int, int, str, bytes]]
) -> None:
    path = workdir / "seed-edit.yaml"
    path.write_bytes(_apply(edits))
    _read_within_limits(path)


def _paths(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every value in parsed data; of lists, the first two items stand for the rest."""
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data[:2]):
            yield from _paths(value, (*path, i))


_SEED_DATA = yaml.safe_load("".join(_SEED_LINES))
_SEED_JSON = json.dumps(_SEED_DATA)
_SEED_PATHS = list(_paths(_SEED_DATA))[1:]
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_DELETE = object()
_replacements = (
    _documents
    | st.dates()
    | st.binary(max_size=5)
    | st.frozensets(st.integers(0, 3), max_size=3)
    | st.just(_DELETE)
    | st.text(st.characters(codec="utf-8"), max_size=20)
)


def _replace(data: Any, path: tuple[Any, ...], value: Any) -> None:
    """Set (or delete) the value at path, if the path still leads somewhere."""
    parent = data
    for key in path[:-1]:
        try:
            parent = parent[key]
        except (KeyError, IndexError, TypeError):
            return
    if not isinstance(parent, (dict, list)):
        return
    if isinstance(parent, list) and not (isinstance(path[-1], int) and path[-1] < len(parent)):
        return
    if value is _DELETE:
        with contextlib.suppress(KeyError, IndexError):
            del parent[path[-1]]
    else:
        parent[path[-1]] = set(value) if isinstance(value, frozenset) else value


@_FUZZ
@given(
    changes=st.lists(st.tuples(st.integers(0, len(_SEED_PATHS) - 1), _replacements), min_size=1, max_size=3)
)
def test_values_of_the_seed_changed_to_other_types_give_problems_not_exceptions(
    workdir: Path, changes: list[tuple[int, Any]]
) -> None:
    data = json.loads(_SEED_JSON)  # a deep copy, ten times faster than copy.deepcopy
    for index, value in changes:
        _replace(data, _SEED_PATHS[index], value)
    path = workdir / "seed-values.yaml"
    path.write_text(yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _read_within_limits(path)


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


@settings(_FUZZ, max_examples=25)
@given(edits=_edits)
def test_a_failed_build_of_an_edited_seed_writes_nothing(
    workdir: Path, edits: list[tuple[str, int, int, str, bytes]]
) -> None:
    out = workdir / "out"
    out.mkdir(exist_ok=True)
    sentinels = {name: f"previous {name}\n".encode() for name in ("medkg.ttl", "medkg.trig", "medkg.jsonld")}
    for name, content in sentinels.items():
        (out / name).write_bytes(content)
    path = workdir / "build-edit.yaml"
    path.write_bytes(_apply(edits))
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["build", str(path), "--out", str(out), "--no-validate"])
    if code != 0:
        assert _outputs(out) == sentinels
        assert stderr.getvalue().startswith("medkg: ") and "Traceback" not in stderr.getvalue()
    else:
        assert _outputs(out) != sentinels


# --- regressions the fuzzer found (each raised, or printed a problem over two lines, before) -------


def _seed_with(old: str, new: str) -> bytes:
    text = "".join(_SEED_LINES)
    assert old in text
    return text.replace(old, new, 1).encode("utf-8")


_HERPES_SYNONYMS = "synonyms: [herpes infection, herpes simplex, HSV infection]"
_REGRESSIONS: dict[str, tuple[bytes, str]] = {
    # a list field holding a scalar: TypeError 'bool' / 'int' object is not iterable
    "claims-true": (b"medkg: 1\nclaims: true\n", "claims"),
    "synonyms-int": (_seed_with(_HERPES_SYNONYMS, "synonyms: 1"), "synonyms"),
    "groundings-int": (
        _seed_with(
            "    groundings:\n      - {vocabulary: mesh, id: D006561",
            "    groundings: 1\n    x:\n      - {vocabulary: mesh, id: D006561",
        ),
        "groundings",
    ),
    "hedges-int": (_seed_with("    hedges:\n", "    hedges: 1\n    x:\n"), "hedges"),
    "steps-int": (_seed_with("    steps: [", "    steps: 1\n    x: ["), "steps"),
    # a scalar its tag cannot hold: ValueError, KeyError, AttributeError out of PyYAML's constructors
    "impossible-date": (_seed_with("rationale: ", "rationale: 2021-02-30\n    x: "), "line"),
    "int-tag-on-text": (b"medkg: !!int x\n", "line 1"),
    "bool-tag-on-text": (b"medkg: !!bool maybe\n", "line 1"),
    "timestamp-tag-on-text": (b"medkg: !!timestamp x\n", "line 1"),
    "integer-of-5000-digits": (b"medkg: " + b"9" * 5000 + b"\n", "line 1"),
    # a character YAML refuses: the reader's message was two lines
    "nul-character": (b"\x00", "character 1"),
    # a key holding a line separator (NEL): the problem printed over two lines
    "key-with-a-line-separator": (
        yaml.safe_dump([{" \x85": None}], allow_unicode=True).encode(),
        "top level",
    ),
    # a source text path holding a NUL: ValueError out of open()
    "nul-in-the-text-path": (_seed_with(f"  text: {_ARTICLE}", '  text: "a\\0b"'), "NUL"),
}


@pytest.mark.parametrize("name", list(_REGRESSIONS))
def test_regression(workdir: Path, name: str) -> None:
    raw, mentioned = _REGRESSIONS[name]
    path = workdir / f"{name}.yaml"
    path.write_bytes(raw)
    annotation, problems = _read_within_limits(path)
    assert annotation is None and any(mentioned in str(p) for p in problems), [str(p) for p in problems]
