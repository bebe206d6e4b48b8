"""Benchmarks of medkg against rdflib and raw pyoxigraph, over a synthetic corpus generated on demand.

``python -m benchmarks.run`` (or ``make bench``) runs them; ``benchmarks/README.md`` has the results.
"""
