"""`resosearch search` and `resosearch show`: read an index."""

from __future__ import annotations

import argparse
import sys

from resosearch.cli.index import INDEX_HELP
from resosearch.cli.output import print_json, style
from resosearch.errors import QueryError
from resosearch.highlight import render, snippet
from resosearch.results import Hit, Results
from resosearch.search import open_index


def register(subparsers: argparse._SubParsersAction) -> None:
    search = subparsers.add_parser("search", help="search paragraphs (see README for the syntax)")
    search.add_argument("query", nargs="+", help='words, "phrases", OR, NOT, -, prefix*, fuzzy~, field:value')
    search.add_argument("--limit", type=int, default=10, metavar="N", help="hits per page (10)")
    search.add_argument("--page", type=int, default=1, metavar="N", help="page number (1)")
    search.add_argument("--json", action="store_true", help="print JSON")
    search.add_argument("--index", metavar="DIR", help=INDEX_HELP)
    search.add_argument("--session", type=int, metavar="S", help="only this session")
    years = search.add_mutually_exclusive_group()
    years.add_argument("--year", type=int, metavar="Y", help="only this year of adoption")
    years.add_argument("--years", metavar="A-B", help="only these years, e.g. 2010-2015")
    search.add_argument("--kind", choices=["operative", "preambular"], help="only this kind")
    search.add_argument("--verb", metavar="V", help="only paragraphs led by this verb, e.g. prie")
    search.add_argument("--resolution", metavar="NUMBER", help="only this resolution, e.g. 68/230")
    search.add_argument("--sort", choices=["relevance", "date", "oldest"], default="relevance",
                        help="relevance (default), date (newest first) or oldest")
    search.add_argument("--context", type=int, default=0, metavar="N",
                        help="show N neighbouring paragraphs before and after each hit")
    search.set_defaults(run=run_search)

    show = subparsers.add_parser("show", help="print an indexed resolution")
    show.add_argument("number", help="e.g. 68/230 or A/RES/68/230")
    show_format = show.add_mutually_exclusive_group()
    show_format.add_argument("--json", action="store_true", help="print JSON (as `parse --json`)")
    show_format.add_argument("--akn", action="store_true", help="print Akoma Ntoso (AKN4UN) XML")
    show.add_argument("--index", metavar="DIR", help=INDEX_HELP)
    show.set_defaults(run=run_show)


def run_search(args: argparse.Namespace) -> int:
    if args.limit < 1 or args.page < 1:
        raise QueryError("--limit and --page must be at least 1")
    years = args.year if args.year is not None else args.years
    with open_index(args.index) as index:
        results = index.search(
            " ".join(args.query), limit=args.limit, page=args.page, session=args.session,
            years=years, kind=args.kind, verb=args.verb, resolution=args.resolution,
            sort=args.sort, neighbours=args.context,
        )
        if args.json:
            print_json(results.to_dict())
            if results.notice:
                print(f"resosearch: {results.notice}", file=sys.stderr)
        else:
            print_results(results)
    return 0


def print_results(results: Results) -> None:
    out = sys.stdout
    if results.notice:
        print(results.notice)
    header = f"{results.total} paragraph{'s' if results.total != 1 else ''}"
    if results.total > len(results.hits) or results.page > 1:
        header += f" (page {results.page} of {results.pages})"
    print(style(header, "1", out))
    if results.suggestion:
        print(f"did you mean: {style(results.suggestion, '1', out)}")
    first = (results.page - 1) * results.limit
    for rank, hit in enumerate(results.hits, first + 1):
        print()
        print_hit(rank, hit)
    if results.total and len(results.facets["resolution"]) > 1:
        counts = ", ".join(f"{n} ({c})" for n, c in list(results.facets["resolution"].items())[:8])
        print()
        print(f"by resolution: {counts}")


def print_hit(rank: int, hit: Hit) -> None:
    out = sys.stdout
    date_text = hit.adopted.isoformat() if hit.adopted else "date unknown"
    print(f"{rank}. {style(hit.symbol, '1', out)} · {style(hit.ref, '1;36', out)} · "
          f"{date_text} · {hit.title}")
    for paragraph in hit.before:
        print(style(f"   {paragraph.ref}: {_shorten(paragraph.text)}", "2", out))
    if hit.chapeau:
        print(style(f"   (chapeau) {_shorten(hit.chapeau)}", "2", out))
    text, spans = snippet(hit.text, list(hit.spans))
    marked = render(text, spans, before="\x1b[1;33m", after="\x1b[0m", escape=False) \
        if style("x", "0", out) != "x" else render(text, spans, "[", "]", escape=False)
    print(f"   {marked}")
    for paragraph in hit.after:
        print(style(f"   {paragraph.ref}: {_shorten(paragraph.text)}", "2", out))
    for note in hit.footnotes:
        print(style(f"   {note.number} {_shorten(note.text, 160)}", "2", out))


def _shorten(text: str, width: int = 120) -> str:
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + "…"


def run_show(args: argparse.Namespace) -> int:
    with open_index(args.index) as index:
        resolution = index.get(args.number)
    if args.json:
        print_json(resolution.to_dict())
    elif getattr(args, "akn", False):
        sys.stdout.write(resolution.to_akn())
    else:
        from resosearch.cli.parse import outline

        print(outline(resolution))
    return 0
