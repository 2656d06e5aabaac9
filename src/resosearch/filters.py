"""The filters of a search (``session``, ``years``, ``kind``, ``verb``,
``resolution``) as Whoosh queries: which paragraphs, never their scores.
Shared by ``Index.search``, ``Index.timeline`` and ``Index.similar``."""

from __future__ import annotations

from collections.abc import Iterable

from whoosh import query as q

from resosearch.build import normalize_number
from resosearch.errors import QueryError
from resosearch.query import KIND_ALIASES
from resosearch.schema import fold_keyword


def filter_queries(session: int | Iterable[int] | None = None,
                   years: int | str | tuple[int, int] | None = None,
                   kind: str | None = None, verb: str | None = None,
                   resolution: str | Iterable[str] | None = None) -> list[q.Query]:
    """One query per filter given (see ``Index.search``). Raises QueryError
    for a malformed one."""
    filters: list[q.Query] = []
    if session is not None:
        sessions = [session] if isinstance(session, int) else list(session)
        filters.append(q.Or([q.NumericRange("session", int(s), int(s)) for s in sessions]))
    if years is not None:
        start, end = year_range(years)
        filters.append(q.NumericRange("year", start, end))
    if kind is not None:
        value = KIND_ALIASES.get(fold_keyword(kind))
        if value is None:
            raise QueryError(f"kind must be 'operative' or 'preambular', not {kind!r}")
        filters.append(q.Term("kind", value))
    if verb is not None:
        filters.append(q.Term("verb", fold_keyword(verb)))
    if resolution is not None:
        numbers = [resolution] if isinstance(resolution, str) else list(resolution)
        filters.append(q.Or([q.Term("number", normalize_number(n)) for n in numbers]))
    return filters


def combine(filters: list[q.Query]) -> q.Query | None:
    """One Whoosh filter from several (None for none)."""
    if not filters:
        return None
    return filters[0] if len(filters) == 1 else q.And(filters)


def year_range(years: int | str | tuple[int, int]) -> tuple[int, int]:
    """(first, last) year from 2013, "2010-2015", "2010..2015" or (2010, 2015)."""
    try:
        if isinstance(years, int):
            return years, years
        if isinstance(years, str):
            parts = years.replace("..", "-").split("-")
            if len(parts) == 1:
                return int(parts[0]), int(parts[0])
            if len(parts) == 2:
                return int(parts[0]), int(parts[1])
            raise ValueError(years)
        start, end = years
        return int(start), int(end)
    except (TypeError, ValueError):
        raise QueryError(f"years must be a year or a range like 2010-2015, not {years!r}") from None
