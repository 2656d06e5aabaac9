"""Wording over time: how often a query matches, year by year and session by session.

:func:`timeline` runs the query exactly as ``Index.search`` does (same
syntax: words, "phrases", OR, NOT…), over *every* matching paragraph, and
counts them by year of adoption and by session; it also gives the first
and the last occurrence by adoption date (ties: resolution number, then
paragraph order).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from resosearch.errors import QueryError

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
    from resosearch.search import _filters

    if not query.strip():
        raise QueryError("empty query: type some words or a \"phrase\"")
    filters = _filters(session, years, kind, verb, resolution)
    with index.matching(query, filters) as (searcher, _compiled, main, filter_query):
        if main is None:
            return Timeline(query, 0, (), (), None, None)
        results = searcher.search(main, limit=None, filter=filter_query, terms=False)
        docnums = list(results.docs())
        reader = searcher.reader()
        columns = {name: reader.column_reader(name)
                   for name in ("adopted", "number", "order", "session", "year")}
        rows = []
        for docnum in docnums:
            adopted = columns["adopted"][docnum]
            rows.append((
                adopted.decode() if isinstance(adopted, bytes) else (adopted or ""),
                _text(columns["number"][docnum]),
                columns["order"][docnum],
                columns["session"][docnum],
                columns["year"][docnum],
                docnum,
            ))
        rows.sort(key=lambda row: (not row[0], row))  # undated last
        first = _occurrence(searcher, rows[0]) if rows else None
        last = _occurrence(searcher, rows[-1]) if rows else None
    year_counts = Counter(row[4] for row in rows if row[0] and row[4])
    session_counts = Counter(row[3] for row in rows if row[3])
    return Timeline(
        query=query,
        total=len(rows),
        years=tuple(sorted(year_counts.items())),
        sessions=tuple(sorted(session_counts.items())),
        first=first,
        last=last,
        resolutions=len({row[1] for row in rows}),
    )


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _occurrence(searcher, row: tuple) -> Occurrence:
    fields = searcher.stored_fields(row[-1])
    adopted = fields.get("adopted")
    return Occurrence(fields["number"], fields["ref"],
                      date.fromisoformat(adopted) if adopted else None, fields.get("symbol", ""))
