"""`resosearch parse FILE [--json]` (placeholder until the parser lands)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    command = subparsers.add_parser("parse", help="parse a resolution file and print its structure")
    command.add_argument("file")
    command.add_argument("--json", action="store_true", help="print JSON")
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    raise NotImplementedError
