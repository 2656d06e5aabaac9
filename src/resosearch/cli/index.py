"""`resosearch build`, `add` and `remove`: make and change an index."""

from __future__ import annotations

import argparse

from resosearch.build import add, build_index, remove
from resosearch.cli.output import ProgressBar, print_json

INDEX_HELP = "index folder (default: $RESOSEARCH_INDEX, else ./index)"


def register(subparsers: argparse._SubParsersAction) -> None:
    build = subparsers.add_parser(
        "build", help="build an index from resolution files (default: the bundled corpus)")
    build.add_argument("paths", nargs="*", metavar="PATH", help="files or folders")
    build.add_argument("--index", metavar="DIR", help=INDEX_HELP)
    build.add_argument("--strict", action="store_true",
                       help="fail on the first bad file and leave the existing index untouched")
    build.add_argument("--json", action="store_true", help="print the report as JSON")
    build.set_defaults(run=run_build)

    add_command = subparsers.add_parser(
        "add", help="add resolution files to an index (an indexed number is replaced)")
    add_command.add_argument("paths", nargs="+", metavar="FILE")
    add_command.add_argument("--index", metavar="DIR", help=INDEX_HELP)
    add_command.add_argument("--strict", action="store_true",
                             help="fail on the first bad file and change nothing")
    add_command.add_argument("--json", action="store_true", help="print the report as JSON")
    add_command.set_defaults(run=run_add)

    remove_command = subparsers.add_parser("remove", help="remove resolutions from an index")
    remove_command.add_argument("numbers", nargs="+", metavar="NUMBER", help="e.g. 68/230")
    remove_command.add_argument("--index", metavar="DIR", help=INDEX_HELP)
    remove_command.add_argument("--json", action="store_true", help="print the report as JSON")
    remove_command.set_defaults(run=run_remove)


def _report(report, as_json: bool, verb: str = "") -> int:
    if as_json:
        print_json(report.to_dict())
    else:
        print(verb + report.summary())
    return 0


def run_build(args: argparse.Namespace) -> int:
    report = build_index(args.paths or None, args.index, strict=args.strict,
                         progress=ProgressBar("building"))
    return _report(report, args.json)


def run_add(args: argparse.Namespace) -> int:
    report = add(args.paths, args.index, strict=args.strict, progress=ProgressBar("adding"))
    return _report(report, args.json, "added: ")


def run_remove(args: argparse.Namespace) -> int:
    report = remove(args.numbers, args.index)
    if args.json:
        print_json(report.to_dict() | {"removed": list(report.numbers)})
    else:
        print(f"removed {', '.join(report.numbers)} ({report.paragraphs} paragraphs) "
              f"from {report.index_dir}")
    return 0
