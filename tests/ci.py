"""One rule for a test whose dependency is absent: it skips on a developer's machine and fails in CI
(environment variable ``CI`` set to anything but empty, 0, false or no), where nothing may be skipped."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def absent(what: str, reason: str) -> NoReturn:
    """Skip (or, in CI, fail) ``what`` because of ``reason``: a missing package, say."""
    if in_ci():
        pytest.fail(f"CI must run {what}, but {reason}", pytrace=False)
    pytest.skip(reason)
