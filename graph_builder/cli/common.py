"""What every command group shares: failing with one line, OS errors for people, common arguments.

Each command module adds its parsers through :data:`AddCommand`, so ``medkg --help`` reads the same.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

Handler = Callable[[argparse.Namespace], int]
#: ``command(name, help, examples, handler)``: adds a subcommand whose description is its help.
AddCommand = Callable[[str, str, str, Handler | None], argparse.ArgumentParser]

FORMATTER = argparse.RawDescriptionHelpFormatter

GRAPH_HELP = (
    "graph file (.trig, .ttl, .nq, .jsonld) or on-disk store folder to read; "
    "default: $MEDKG_STORE, $MEDKG_GRAPH, out/medkg.trig, or the seed example"
)


def fail(message: str) -> int:
    print(f"medkg: {message}", file=sys.stderr)
    return 1


def os_error_message(err: OSError) -> str:
    """One line naming the path and the reason: ``cannot write out/medkg.ttl: No space left on device``.

    pyoxigraph's errors carry no ``filename``; their text already names the path.
    """
    from graph_builder.kg.export import WriteError

    reason = err.strerror or str(err)
    if err.filename is None:
        return reason
    where = str(err.filename) + (f" -> {err.filename2}" if err.filename2 is not None else "")
    return f"{'cannot write ' if isinstance(err, WriteError) else ''}{where}: {reason}"


def parse_params(pairs: Sequence[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise ValueError(f"--param expected name=value; found {pair!r}")
        params[name] = value
    return params


def graph_path(args: argparse.Namespace) -> Path | None:
    """The ``--graph`` given, or ``None`` for ``open_graph``'s default."""
    return Path(args.graph) if args.graph else None


def command_adder(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> AddCommand:
    """The :data:`AddCommand` of a parser's subcommands: ``examples:`` heads each epilog."""

    def command(name: str, help_: str, epilog: str, handler: Handler | None) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name, help=help_, description=help_, epilog="examples:\n" + epilog, formatter_class=FORMATTER
        )
        if handler is not None:
            p.set_defaults(handler=handler)
        return p

    return command


def add_auth_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--user", metavar="NAME", help="user name for HTTP authentication")
    p.add_argument("--auth", choices=["basic", "digest", "bearer"],
                   help="HTTP authentication (default: basic with --user)")  # fmt: skip
    p.add_argument("--password-env", default="MEDKG_PASSWORD", metavar="VAR",
                   help="variable holding the password or token (default: MEDKG_PASSWORD)")  # fmt: skip
