"""Wording over time: how often a query matches, year by year and session by session.

:func:`timeline` runs the query exactly as ``Index.search`` does (same
syntax: words, "phrases", OR, NOT…), over *every* matching paragraph, and
counts them by year of adoption and by session; it also gives the first
and the last occurrence by adoption date (ties: resolution number, then
paragraph order).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from itertools import compress
from typing import TYPE_CHECKING, Any

from resosearch.chronology import SegmentOrder, segment_order
from resosearch.columns import column_values
from resosearch.count import live_ids
from resosearch.errors import QueryError
from resosearch.filters import filter_queries

if TYPE_CHECKING:
    from resosearch.search import Index

__all__ = ["Occurrence", "Timeline", "timeline"]


@dataclass(frozen=True)
class Occurrence:
    """One matching paragraph: resolution ``number``, paragraph ``ref``, date."""

    number: str
    ref: str
    adopted: date | None
    symbol: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "ref": self.ref,
                "adopted": self.adopted.isoformat() if self.adopted else None}


@dataclass(frozen=True)
class Timeline:
    """Counts of the paragraphs matching ``query``.

    ``years`` and ``sessions`` are ``(year, count)`` / ``(session, count)``
    pairs in increasing order, only where there are matches; paragraphs of
    resolutions without a known date count in ``total`` but in no year.
    ``first`` and ``last`` are None when nothing matches.
    """

    query: str
    total: int
    years: tuple[tuple[int, int], ...]
    sessions: tuple[tuple[int, int], ...]
    first: Occurrence | None
    last: Occurrence | None
    resolutions: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "years": [{"year": year, "count": count} for year, count in self.years],
            "first": self.first.to_dict() if self.first else None,
            "last": self.last.to_dict() if self.last else None,
        }


def timeline(
    index: Index,
    query: str,
    *,
    kind: str | None = None,
    verb: str | None = None,
    resolution: str | Iterable[str] | None = None,
    session: int | Iterable[int] | None = None,
    years: int | str | tuple[int, int] | None = None,
) -> Timeline:
    """Every paragraph matching ``query`` counted by year and session, with
    the first and last occurrence. Filters are those of ``Index.search``.
    Raises QueryError for a malformed or empty query."""
    if not query.strip():
        raise QueryError("empty query: type some words or a \"phrase\"")
    filters = filter_queries(session, years, kind, verb, resolution)
    with index.matching(query, filters) as (searcher, _compiled, main, filter_query):
        if main is None:
            return Timeline(query, 0, (), (), None, None)
        total = 0
        by_year: Counter = Counter()
        by_session: Counter = Counter()
        numbers: set[str] = set()
        first = last = None  # sort keys (see _sort_key), the document number last
        for leaf, offset in searcher.leaf_searchers():
            ids = list(live_ids(leaf, main, filter_query))
            if not ids:
                continue
            total += len(ids)
            reader = leaf.reader()
            order = segment_order(reader)
            year_of, session_of = column_values(reader, "year"), column_values(reader, "session")
            days = order.days
            dated = list(compress(ids, map(days.__getitem__, ids)))
            by_year.update(filter(None, map(year_of.__getitem__, dated)))
            by_session.update(filter(None, map(session_of.__getitem__, ids)))
            numbers.update(map(order.numbers.__getitem__, ids))
            key = _sort_key(order, session_of, year_of, offset)
            undated = set(ids).difference(dated)
            earliest = _on_day(dated, days, min) if dated else list(undated)
            latest = list(undated) if undated else _on_day(dated, days, max)
            here = min(map(key, earliest)), max(map(key, latest))
            first = here[0] if first is None else min(first, here[0])
            last = here[1] if last is None else max(last, here[1])
        found_first = _occurrence(searcher, first) if first else None
        found_last = _occurrence(searcher, last) if last else None
    return Timeline(
        query=query,
        total=total,
        years=tuple(sorted(by_year.items())),
        sessions=tuple(sorted(by_session.items())),
        first=found_first,
        last=found_last,
        resolutions=len(numbers),
    )


def _sort_key(order: SegmentOrder, session_of: list, year_of: list,
              offset: int) -> Callable[[int], tuple]:
    """A segment's documents' key for first and last: by date, undated last;
    then number, paragraph order, session, year, document number."""
    days, numbers, orders = order.days, order.numbers, order.orders

    def key(docnum: int) -> tuple:
        day = days[docnum]
        return (day == 0, day, numbers[docnum], orders[docnum], session_of[docnum],
                year_of[docnum], docnum + offset)

    return key


def _on_day(docnums: list[int], days, pick) -> list[int]:
    """The documents of ``docnums`` adopted on the earliest or latest (``pick``) day."""
    day = pick(map(days.__getitem__, docnums))
    return [docnum for docnum in docnums if days[docnum] == day]


def _occurrence(searcher, row: tuple) -> Occurrence:
    fields = searcher.stored_fields(row[-1])
    adopted = fields.get("adopted")
    return Occurrence(fields["number"], fields["ref"],
                      date.fromisoformat(adopted) if adopted else None, fields.get("symbol", ""))
