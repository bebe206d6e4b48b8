"""medkg: the medical claims of health articles as an RDF knowledge graph.

>>> from graph_builder import build_example, run_query
>>> store = build_example()
>>> rows = run_query("all-claims", store=store)
>>> len(rows) > 20
True
"""

from __future__ import annotations

__version__ = "0.1.0"
