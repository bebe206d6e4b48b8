"""Checks on a built graph: SHACL and the qa queries, groundings against shipped vocabularies, counts."""
