"""The `resosearch` command line: the library's operations under the same names.

Each module of this package registers its subcommands with ``register``;
a subcommand sets ``run`` to a function taking the parsed arguments and
returning an exit code. Errors the user can act on (ResosearchError) print
on one line and exit 2; never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from resosearch import __version__
from resosearch.errors import ResosearchError

# Command modules, in the order their commands appear in --help.
COMMAND_MODULES = ("search", "index", "parse", "drafting")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="resosearch",
        description="Search the French text of UN resolutions paragraph by paragraph.",
    )
    parser.add_argument("--version", action="version", version=f"resosearch {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"resosearch.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(args.run(args) or 0)
    except ResosearchError as error:
        print(f"resosearch: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("resosearch: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
