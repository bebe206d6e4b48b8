"""medkg: the medical claims of health articles as an RDF knowledge graph.

>>> from graph_builder import build_example, run_query
>>> store = build_example()
>>> table = run_query("all-claims", store)
>>> len(table) > 20
True
"""

from __future__ import annotations

from graph_builder.core.formats import format_results
from graph_builder.core.results import ResultTable
from graph_builder.kg.build import build_example, build_from_files, build_store
from graph_builder.sparql.queries import get_query, iter_queries
from graph_builder.sparql.runner import run_query, run_sparql
from graph_builder.store.open import load_graph, open_graph

__version__ = "0.1.0"

__all__ = [
    "ResultTable",
    "build_example",
    "build_from_files",
    "build_store",
    "format_results",
    "get_query",
    "iter_queries",
    "load_graph",
    "open_graph",
    "run_query",
    "run_sparql",
]
