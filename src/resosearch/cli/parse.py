"""`resosearch parse FILE [--json]`: parse one resolution file and print it.

By default a readable outline: the metadata, then one line per paragraph
(ref, leading verb, first words, footnote numbers), then the footnotes.
With ``--json`` the exact shape of :meth:`Resolution.to_dict`. Errors
(missing file, not a resolution…) are ParseErrors: one line, exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys

from resosearch.models import Resolution
from resosearch.parse import parse_file

FIRST_WORDS = 10


def register(subparsers: argparse._SubParsersAction) -> None:
    command = subparsers.add_parser("parse", help="parse a resolution file and print its structure")
    command.add_argument("file", help="a resolution in Markdown or PDF-text layout")
    command.add_argument("--json", action="store_true", help="print JSON")
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    resolution = parse_file(args.file)
    if args.json:
        print(json.dumps(resolution.to_dict(), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(outline(resolution))
    return 0


def outline(resolution: Resolution) -> str:
    """The readable outline printed by ``resosearch parse FILE``."""
    lines = [f"{resolution.symbol}  {resolution.title}"]
    facts = [
        ("session", resolution.session),
        ("adopted", resolution.adopted.isoformat() if resolution.adopted else None),
        ("meeting", resolution.meeting),
        ("agenda item", resolution.agenda_item),
        ("distributed", resolution.distributed.isoformat() if resolution.distributed else None),
        ("report", resolution.report),
        ("source", resolution.source),
    ]
    lines.extend(f"  {name}: {value}" for name, value in facts if value is not None)
    lines.append("")
    width = max((len(p.ref) for p in resolution.paragraphs), default=4)
    for paragraph in resolution.paragraphs:
        words = paragraph.text.split()
        start = " ".join(words[:FIRST_WORDS]) + (" …" if len(words) > FIRST_WORDS else "")
        verb = f"[{paragraph.verb}] " if paragraph.verb else ""
        notes = ""
        if paragraph.footnotes:
            notes = "  (notes " + ", ".join(map(str, paragraph.footnotes)) + ")"
        lines.append(f"{paragraph.ref:<{width}}  {verb}{start}{notes}")
    if resolution.footnotes:
        lines.append("")
        lines.append("Footnotes")
        lines.extend(f"  {note.number}. {note.text}" for note in resolution.footnotes)
    return "\n".join(lines) + "\n"
