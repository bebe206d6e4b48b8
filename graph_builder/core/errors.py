"""The base of every error a user can cause, which the command line prints as one ``medkg: …`` line.

Each module defines its errors on it and keeps a builtin base too (``ValueError``, ``OSError``, ...)."""

from __future__ import annotations


class MedkgError(Exception):
    """Bad input, a file or store that cannot be used, an endpoint that refused: the message says which."""
