"""The `resosearch` command line: the library's operations under the same names."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from resosearch import __version__
from resosearch.errors import ResosearchError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="resosearch",
        description="Search the French text of UN resolutions paragraph by paragraph.",
    )
    parser.add_argument("--version", action="version", version=f"resosearch {__version__}")
    parser.add_subparsers(dest="command", metavar="COMMAND")
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
