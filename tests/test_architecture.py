"""The layers of docs/architecture.md hold: every module is in the table, and imports only go down it.

The table in the document is the one statement of the layering; this test reads it rather than keeping
a second copy, so the document cannot drift from the tree.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "graph_builder"
DOC = ROOT / "docs" / "architecture.md"


def layers(text: str) -> dict[str, int]:
    """Module (dotted, ``core.errors``) or package (written ``core/``) → its layer's position in the table."""
    found: dict[str, int] = {}
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| layer")]
    for position, row in enumerate(rows):
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        for name in re.findall(r"`([\w./]+)`", cells[1]):
            found[name.rstrip("/")] = position
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(p for p in parts if p != "__init__")


def owner(module: str, table: dict[str, int]) -> str | None:
    """The table entry a module belongs to: itself, or the package it is in (``cli.query`` → ``cli``)."""
    while module:
        if module in table:
            return module
        module = module.rpartition(".")[0]
    return None


def listed(module: str, table: dict[str, int]) -> bool:
    """A module is named in the table, or sits in a package the table lists without naming its modules.

    ``core/`` names ``core.errors`` and the rest, so a new module in ``core/`` must be added to the table;
    ``cli/`` names none, so every ``cli.*`` module belongs to it.
    """
    if module in table:
        return True
    there = owner(module, table)
    return there is not None and not any(name.startswith(f"{there}.") for name in table)


def is_module(parts: list[str]) -> bool:
    where = PACKAGE.joinpath(*parts)
    return where.with_suffix(".py").is_file() or (where / "__init__.py").is_file()


def imports(path: Path, package: str | None = None) -> set[str]:
    """The graph_builder modules a file imports, at the top or inside functions, without the prefix.

    ``package`` is the package the file is in (dotted, without ``graph_builder``), for relative imports.
    """
    found: set[str] = set()
    if package is None:
        name = module_name(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the file's own package, or one above it
                parts = package.split(".") if package else []
                module = [*parts[: len(parts) - node.level + 1], *(node.module or "").split(".")]
            elif node.module == "graph_builder" or (node.module or "").startswith("graph_builder."):
                module = (node.module or "").split(".")[1:]
            else:
                continue
            module = [part for part in module if part]
            for alias in node.names:  # from X import y: y is a module of X, or a name in X
                found.add(".".join([*module, alias.name] if is_module([*module, alias.name]) else module))
        elif isinstance(node, ast.Import):
            found.update(
                alias.name.removeprefix("graph_builder.")
                for alias in node.names
                if alias.name.startswith("graph_builder.")
            )
    return found


FILES = sorted(p for p in PACKAGE.rglob("*.py") if "_data" not in p.parts)
TABLE = layers(DOC.read_text(encoding="utf-8"))


def test_the_document_names_layers() -> None:
    assert len(set(TABLE.values())) >= 8 and "cli" in TABLE and "core.errors" in TABLE


def test_each_module_is_in_the_row_of_its_package() -> None:
    misplaced = [name for name in TABLE if TABLE[name] != TABLE.get(name.split(".")[0].split("/")[0])]
    assert not misplaced, f"{DOC.name} lists modules outside the row of their package: {misplaced}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_module_is_in_the_document(path: Path) -> None:
    if path.name == "__init__.py" and path.parent == PACKAGE:
        return  # the package's public face re-exports from every layer
    assert listed(module_name(path), TABLE), f"{module_name(path)} is not in {DOC.name}"


def test_every_module_in_the_document_exists() -> None:
    names = {module_name(p) for p in FILES}
    missing = [m for m in TABLE if m not in names and not (PACKAGE / m).is_dir()]
    assert not missing, f"{DOC.name} names modules that do not exist: {missing}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_only_go_down_the_layers(path: Path) -> None:
    if path.name == "__init__.py" and path.parent == PACKAGE:
        return
    here = owner(module_name(path), TABLE)
    assert here is not None
    upward = []
    for target in sorted(imports(path)):
        there = owner(target, TABLE)
        if there is not None and TABLE[there] > TABLE[here]:
            upward.append(f"{target} ({there} is below {here} in {DOC.name})")
    assert not upward, f"{module_name(path)} imports back up the flow: {upward}"


def test_no_import_cycles_between_modules() -> None:
    graph = {module_name(p): {t for t in imports(p) if owner(t, TABLE)} for p in FILES}
    graph.pop("", None)
    cycles = []
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if target not in graph:
                continue
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, f"import cycles: {cycles}"


def test_a_back_edge_is_caught(tmp_path: Path) -> None:
    # The check itself can fail: vocabulary (core) importing queries (sparql) goes back up.
    fake = tmp_path / "vocabulary.py"
    fake.write_text(
        "from graph_builder.sparql.queries import run_sparql\nfrom graph_builder.sparql import query_guard\n",
        encoding="utf-8",
    )
    targets = imports(fake, package="core")
    assert targets == {"sparql.queries", "sparql.query_guard"}
    assert all(TABLE[owner(t, TABLE) or ""] > TABLE["core.vocabulary"] for t in targets)


def test_a_module_missing_from_a_listed_package_is_caught() -> None:
    assert listed("core.errors", TABLE) and listed("cli.query", TABLE) and listed("core", TABLE)
    assert not listed("core.new_module", TABLE) and not listed("nowhere", TABLE)
