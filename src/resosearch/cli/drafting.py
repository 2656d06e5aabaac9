"""Drafting tools: `similar`, `cites`, `cited-by` and `timeline`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from resosearch.cli.index import INDEX_HELP
from resosearch.cli.output import print_json, style, use_colour
from resosearch.errors import QueryError
from resosearch.search import open_index
from resosearch.similar import DiffSpan, Match
from resosearch.timeline import Timeline

BAR_WIDTH = 40


def register(subparsers: argparse._SubParsersAction) -> None:
    similar = subparsers.add_parser(
        "similar", help="agreed language: the paragraphs closest to a draft paragraph")
    source = similar.add_mutually_exclusive_group(required=True)
    source.add_argument("text", nargs="?", help="the draft paragraph")
    source.add_argument("--file", metavar="F", help="read the draft from a file (- for stdin)")
    similar.add_argument("--limit", type=int, default=10, metavar="N", help="matches (10)")
    similar.add_argument("--min", type=float, default=0.0, metavar="S", dest="min_similarity",
                         help="only matches with a similarity of at least S (0-1)")
    similar.add_argument("--resolution", metavar="NUMBER", help="only this resolution")
    similar.add_argument("--kind", choices=["operative", "preambular"], help="only this kind")
    similar.add_argument("--no-diff", action="store_true", help="print the paragraphs without the diff")
    similar.add_argument("--json", action="store_true", help="print JSON")
    similar.add_argument("--index", metavar="DIR", help=INDEX_HELP)
    similar.set_defaults(run=run_similar)

    cites = subparsers.add_parser("cites", help="the resolutions a resolution cites, by paragraph")
    cites.add_argument("number", help="e.g. 75/234 or A/RES/75/234")
    cites.add_argument("--json", action="store_true", help="print JSON")
    cites.add_argument("--index", metavar="DIR", help=INDEX_HELP)
    cites.set_defaults(run=run_cites)

    cited_by = subparsers.add_parser("cited-by", help="the indexed paragraphs citing a resolution")
    cited_by.add_argument("number", help="e.g. 64/222 (need not be indexed)")
    cited_by.add_argument("--json", action="store_true", help="print JSON")
    cited_by.add_argument("--index", metavar="DIR", help=INDEX_HELP)
    cited_by.set_defaults(run=run_cited_by)

    timeline = subparsers.add_parser(
        "timeline", help="wording over time: matching paragraphs by year and session")
    timeline.add_argument("query", nargs="+", help='words or a "phrase" (search syntax)')
    timeline.add_argument("--kind", choices=["operative", "preambular"], help="only this kind")
    timeline.add_argument("--json", action="store_true", help="print JSON")
    timeline.add_argument("--index", metavar="DIR", help=INDEX_HELP)
    timeline.set_defaults(run=run_timeline)


# -- similar -------------------------------------------------------------------


def _read_draft(args: argparse.Namespace) -> str:
    if args.file is None:
        return args.text
    if args.file == "-":
        return sys.stdin.read()
    try:
        return Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise QueryError(f"cannot read the draft from {args.file}: {error}") from None


def run_similar(args: argparse.Namespace) -> int:
    draft = _read_draft(args).strip()
    if args.limit < 1:
        raise QueryError("--limit must be at least 1")
    with open_index(args.index) as index:
        found = index.similar(draft, args.limit, min_similarity=args.min_similarity,
                              resolution=args.resolution, kind=args.kind)
    if args.json:
        print_json(found.to_dict())
        return 0
    if not found.matches:
        print("no similar paragraph")
        return 0
    for rank, match in enumerate(found.matches, 1):
        if rank > 1:
            print()
        print_match(rank, match, diff=not args.no_diff)
    return 0


def print_match(rank: int, match: Match, *, diff: bool = True) -> None:
    out = sys.stdout
    date_text = match.adopted.isoformat() if match.adopted else "date unknown"
    print(f"{rank}. {style(match.symbol, '1', out)} · {style(match.ref, '1;36', out)} · "
          f"{date_text} · similarity {style(f'{match.similarity:.2f}', '1', out)}")
    print("   " + (render_diff(match.diff) if diff else match.text))


def render_diff(spans: tuple[DiffSpan, ...]) -> str:
    """The diff for a terminal: inserted words green, deleted words red and struck
    through; without colours, ``{+inserted+}`` and ``[-deleted-]`` (as wdiff)."""
    colour = use_colour(sys.stdout)
    parts = []
    for span in spans:
        text = span.text
        if span.op == "equal":
            parts.append(text)
            continue
        core = text.rstrip()
        tail = text[len(core):]
        if colour:
            code = "32" if span.op == "insert" else "9;31"
            parts.append(f"\x1b[{code}m{core}\x1b[0m{tail}")
        else:
            parts.append(f"{{+{core}+}}{tail}" if span.op == "insert" else f"[-{core}-]{tail}")
    return "".join(parts).rstrip()


# -- citations -----------------------------------------------------------------


def run_cites(args: argparse.Namespace) -> int:
    with open_index(args.index) as index:
        found = index.cites(args.number)
    if args.json:
        print_json(found.to_dict())
        return 0
    out = sys.stdout
    count = len(found.numbers)
    print(style(f"{found.number} cites {count} resolution{'s' if count != 1 else ''}", "1", out))
    for ref, citations in found.by_paragraph().items():
        names = ", ".join(c.number if c.indexed else f"{c.number} {style('(not indexed)', '2', out)}"
                          for c in citations)
        print(f"  {style(ref, '1;36', out)}: {names}")
    if found.not_indexed:
        print(f"not in the index: {', '.join(found.not_indexed)}")
    return 0


def run_cited_by(args: argparse.Namespace) -> int:
    with open_index(args.index) as index:
        found = index.cited_by(args.number)
    if args.json:
        print_json(found.to_dict())
        return 0
    out = sys.stdout
    count = len(found)
    note = "" if found.indexed else " (itself not in the index)"
    print(style(f"{found.number}{note} is cited by {count} paragraph{'s' if count != 1 else ''}",
                "1", out))
    for citing in found:
        date_text = citing.adopted.isoformat() if citing.adopted else "date unknown"
        print(f"  {citing.number} {style(citing.ref, '1;36', out)} · {date_text}")
    return 0


# -- timeline ------------------------------------------------------------------


def run_timeline(args: argparse.Namespace) -> int:
    query = " ".join(args.query)
    with open_index(args.index) as index:
        found = index.timeline(query, kind=args.kind)
    if args.json:
        print_json(found.to_dict())
        return 0
    print_timeline(found)
    return 0


def print_timeline(found: Timeline) -> None:
    out = sys.stdout
    plural = "s" if found.total != 1 else ""
    print(style(f"{found.total} paragraph{plural} in {found.resolutions} resolution"
                f"{'s' if found.resolutions != 1 else ''} for {found.query}", "1", out))
    if not found.total:
        return
    peak = max(count for _year, count in found.years) if found.years else 1
    for year, count in found.years:
        bar = "█" * max(1, round(BAR_WIDTH * count / peak))
        print(f"  {year}  {style(bar, '36', out)} {count}")
    sessions = "  ".join(f"{session}: {count}" for session, count in found.sessions)
    print(f"by session: {sessions}")
    for label, occurrence in (("first", found.first), ("last", found.last)):
        if occurrence is None:
            continue
        date_text = occurrence.adopted.isoformat() if occurrence.adopted else "date unknown"
        print(f"{label}: {occurrence.symbol or occurrence.number} "
              f"{style(occurrence.ref, '1;36', out)} · {date_text}")
