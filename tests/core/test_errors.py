"""Errors a user can cause: one ``MedkgError`` family, printed by the CLI as ``medkg: …``, never a traceback."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

import graph_builder
from graph_builder import cli
from graph_builder.core.errors import MedkgError
from graph_builder.endpoint.jobs import PoolError
from graph_builder.endpoint.remote import RemoteError

# Exceptions that never leave the package, each with where it is caught and turned into a MedkgError or a
# reply. A new exception class must derive from MedkgError or be listed here, saying why.
INTERNAL = {
    "ReadRefused": "reader: annotations turns it into a Problem of an AnnotationError",
    "_Unusual": "reader: a YAML node the quick construction leaves to PyYAML, caught where it is raised",
    "_Refusal": "server: carries an HTTP error reply up the request handler, which sends it",
    "_ServiceError": "jobs: carries a failed SERVICE request up to answer(), which replies 502",
}


def _exception_classes() -> list[type[BaseException]]:
    found = []
    for info in pkgutil.walk_packages(graph_builder.__path__, "graph_builder."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Exception) and cls.__module__ == info.name:
                found.append(cls)
    return found


def test_every_error_of_the_package_is_a_medkg_error() -> None:
    classes = _exception_classes()
    assert {"AnnotationError", "QueryError", "WriteError", "RemoteError"} <= {c.__name__ for c in classes}
    strays = [
        f"{c.__module__}.{c.__qualname__}"
        for c in classes
        if not issubclass(c, MedkgError) and c.__name__ not in INTERNAL
    ]
    assert strays == []


def test_internal_exceptions_are_still_there() -> None:
    """Keeps INTERNAL honest: an entry for a class that is gone or became a MedkgError is dropped."""
    internal = {c.__name__ for c in _exception_classes() if not issubclass(c, MedkgError)}
    assert internal == set(INTERNAL)


def test_errors_keep_their_builtin_bases() -> None:
    """Callers that catch ``ValueError`` or ``OSError`` keep working."""
    from graph_builder.ingest.annotations import AnnotationError
    from graph_builder.kg.export import WriteError
    from graph_builder.sparql.queries import QueryNotFoundError
    from graph_builder.store.open import GraphFileError

    assert issubclass(AnnotationError, ValueError) and issubclass(GraphFileError, ValueError)
    assert issubclass(QueryNotFoundError, LookupError) and issubclass(WriteError, OSError)


def test_invalid_sparql_ends_in_one_line_not_a_traceback(tmp_path: Path, seed_store: ox.Store) -> None:
    """The example of issue 10: a triple pattern missing its object."""
    graph = tmp_path / "seed.nq"
    seed_store.dump(graph, ox.RdfFormat.N_QUADS)
    result = subprocess.run(
        [sys.executable, "-m", "graph_builder.cli", "query", "run", "--graph", str(graph),
         "--sparql", "SELECT ?x WHERE { ?x ?y }"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.startswith("medkg: <sparql>: not valid SPARQL")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "error",
    [RemoteError("POST http://x/sparql: 503 Service Unavailable"), PoolError("store: cannot be opened")],
    ids=["RemoteError", "PoolError"],
)
def test_cli_prints_any_medkg_error_as_one_line(
    error: MedkgError, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Errors with no builtin base the CLI caught before (RuntimeError, Exception) also end in one line."""

    def fails(_: object) -> int:
        raise error

    monkeypatch.setattr(cli.check, "cmd_stats", fails)  # the handler the parser holds
    assert cli.main(["stats"]) == 1
    assert capsys.readouterr().err == f"medkg: {error}\n"
