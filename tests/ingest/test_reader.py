"""The quick construction of YAML values in :func:`graph_builder.ingest.reader.load_yaml` gives what PyYAML's
safe loader gives, for every document: the same values (aliases shared alike) or a refusal where it fails.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_builder.core.paths import EXAMPLE_CORPUS, SEED_ANNOTATION
from graph_builder.ingest.reader import ReadRefused, load_yaml

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Scalars of every kind the safe loader resolves or is told, keys included: strings, numbers, booleans,
# nulls, dates, value keys (=), merges (<<), explicit tags; and, more rarely, ones that fail.
_GOOD = [
    "a", "quote", "'1'", '"two words"', "1", "-3", "0x1f", "1.5", ".inf", "true", "no", "~", "null",
    "2021-02-03", "2001-12-14t21:59:43.10-05:00", "=", "!!str 7", "!!float 2", "!!binary aGVsbG8=", "''",
    "[]", "{}", "!!set {a, b}", "!!omap [a: 1]", "[1, 2]", "{a: 1}",
]  # fmt: skip
_FAILING = ["2021-02-30", "!!int x", "!!bool maybe", "!!python/name:os.system", "<<"]
_SCALARS = st.sampled_from(_GOOD * 8 + _FAILING)


@st.composite
def _documents(draw: st.DrawFn) -> str:
    """A YAML document in block style, some of its values anchored and later aliased or merged."""
    anchors: list[str] = []

    def value(depth: int) -> list[str]:
        kind = draw(
            st.sampled_from(["scalar", "scalar", "alias", "list", "map"] if depth < 3 else ["scalar"])
        )
        if kind == "alias" and anchors:
            return [f"*{draw(st.sampled_from(anchors))}"]
        if kind in ("scalar", "alias"):
            return [draw(_SCALARS)]
        anchor = ""
        if draw(st.booleans()):
            anchor = f"&a{len(anchors)} "
        lines: list[str] = []
        for _ in range(draw(st.integers(1, 3))):
            if kind == "list":
                item = value(depth + 1)
                lines += [f"- {item[0]}", *(f"  {line}" for line in item[1:])]
            else:
                key = draw(_SCALARS | st.just("<<"))
                item = [f"*{draw(st.sampled_from(anchors))}"] if key == "<<" and anchors else value(depth + 1)
                lines += [f"{key}: {item[0]}", *(f"  {line}" for line in item[1:])]
        if anchor:
            anchors.append(anchor[1:-1])
            return [f"{anchor}", *lines] if len(lines) > 0 else [anchor]
        return ["", *lines]

    first, *rest = value(0)
    return "\n".join([f"--- {first}".rstrip(), *rest]) + "\n"


def _pyyaml(text: str) -> tuple[str, Any]:
    try:
        return "values", yaml.load(text, Loader=_LOADER)  # the safe loader
    except (yaml.YAMLError, ValueError, TypeError, KeyError, AttributeError, OverflowError):
        return "refused", None


def _ours(text: str) -> tuple[str, Any]:
    try:
        return "values", load_yaml(text)[0]
    except ReadRefused:
        return "refused", None


@settings(max_examples=400, derandomize=True, deadline=None)
@given(_documents())
def test_values_are_those_of_the_safe_loader(text: str) -> None:
    assert _ours(text) == _pyyaml(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x [1, {b: c}]\nd: *x\n",  # an alias to a list
        "base: &b {k: 1, j: 2}\nmore:\n  <<: *b\n  k: 3\n",  # a merge, its own key wins
        "=: v\n",  # a value key, a string to PyYAML
        "? [1, 2]\n: v\n",  # a list as a key: refused
        "2021-02-03: day\n",  # a date as a key
        "!!set {a, b}\n",
        "- !!omap [a: 1, b: 2]\n",
    ],
)
def test_documents_outside_the_quick_path_read_as_pyyaml_reads_them(text: str) -> None:
    assert _ours(text) == _pyyaml(text)


def test_an_alias_is_one_shared_value_as_in_pyyaml() -> None:
    values, _ = load_yaml("a: &x [1]\nb: *x\n")
    assert values["a"] is values["b"]


def test_the_shipped_annotation_files_read_as_pyyaml_reads_them() -> None:
    for path in [SEED_ANNOTATION, *sorted(EXAMPLE_CORPUS.glob("*.yaml"))]:
        text = path.read_text(encoding="utf-8")
        assert _ours(text) == _pyyaml(text), path
