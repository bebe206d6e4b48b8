"""``python -m graph_builder.cli``: the ``medkg`` command without its console script."""

from __future__ import annotations

import sys

from graph_builder.cli import main

if __name__ == "__main__":  # importing it (pkgutil.walk_packages does) must not run a command
    sys.exit(main())
