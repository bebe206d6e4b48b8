"""Execute the notebooks top to bottom and keep their outputs (``make notebooks`` writes out/notebooks/).

The committed notebooks carry no outputs; this is how to read them with outputs without Jupyter.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat import NotebookNode

import graph_builder
from graph_builder.kg.export import write_atomic

NOTEBOOKS_DIR = Path(__file__).resolve().parent
DEFAULT_OUT_DIR = Path("out/notebooks")
KERNEL_NAME = "python3"
#: Seconds one cell may take before the run fails (the cells here take well under a second each).
CELL_TIMEOUT = 120


def iter_notebooks(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The notebooks of a folder, in name order (their numbers say the reading order)."""
    return sorted(folder.glob("*.ipynb"))


def _kernel_env() -> dict[str, str]:
    # The kernel is a fresh process: put this graph_builder first on its path, so that it runs the
    # checkout the caller runs even when medkg is not installed (as in a bare test environment).
    root = str(Path(graph_builder.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


def execute_notebook(
    path: Path | str, *, timeout: int = CELL_TIMEOUT, kernel_name: str = KERNEL_NAME
) -> NotebookNode:
    """Run a notebook in a new kernel, working directory its folder; return it with its outputs.

    The file is not changed. A cell that raises stops the run with nbclient's CellExecutionError,
    which names the cell and carries its traceback.
    """
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name=kernel_name,
        # No timestamps, and one stream output per cell however the kernel flushed it: the same
        # notebook gives the same file.
        record_timing=False,
        coalesce_streams=True,
        resources={"metadata": {"path": str(path.resolve().parent)}},
    )
    client.execute(env=_kernel_env())
    return notebook


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook in notebooks/")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT_DIR, help="default: %(default)s")
    args = parser.parse_args(argv)
    for path in args.notebooks or iter_notebooks():
        started = time.perf_counter()
        target = args.out / path.name
        write_atomic(target, nbformat.writes(execute_notebook(path)).encode("utf-8"))
        print(f"{target}  ({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
