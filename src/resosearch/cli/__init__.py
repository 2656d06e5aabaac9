"""The `resosearch` command line: the library's operations under the same names.

Each module of this package registers its subcommands with ``register``;
a subcommand sets ``run`` to a function taking the parsed arguments and
returning an exit code. Errors the user can act on (ResosearchError) print
on one line and exit 2; never a traceback.
"""

from __future__ import annotations

import argparse
import gc
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
    # Also taken before the command (`resosearch --index DIR search …`), for
    # any command that has them; the command's own wins.
    parser.add_argument("--index", dest="index_before", metavar="DIR",
                        help="index folder, for any command that reads or writes one")
    parser.add_argument("--json", dest="json_before", action="store_true",
                        help="print JSON, for any command")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"resosearch.cli.{name}").register(subparsers)
    return parser


def _take_options_before(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Hand ``--index`` and ``--json`` given before the command to it."""
    if args.index_before is not None:
        if not hasattr(args, "index"):
            parser.error(f"argument --index: `{args.command}` reads no index")
        if args.index is None:
            args.index = args.index_before
    if args.json_before:
        if getattr(args, "akn", False):
            parser.error("argument --json: not allowed with argument --akn")
        args.json = True


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    _take_options_before(parser, args)
    # A command runs for a moment and leaves next to no reference cycles,
    # while the cyclic collector would walk the open index's columns and
    # term samples again and again: a tenth of a search's time at archive
    # size. (Re-enabled on return, for callers that go on running.)
    collecting = gc.isenabled()
    gc.disable()
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
    finally:
        if collecting:
            gc.enable()
