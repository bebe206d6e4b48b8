"""Annotations to quads, a store with the ontology and the claims, and canonical (RDFC-1.0) output."""
