"""Annotation files in: read within limits, checked against the generated schema, one problem per
finding, and the cross-file checks every build path runs."""
