"""Matches in date order (newest or oldest first), without Whoosh's sorting.

Whoosh sorts by collecting every match and asking each one for its key; for
a reversed text column it looks the value up in the sorted list of every
distinct value, one ``list.index`` per match (``coopération`` newest first
took 30 s at 22,000 resolutions). Here each segment's documents are put in
order once — adoption date, then resolution number, then paragraph order,
the keys ``Index.search`` has always sorted on (resosearch.columns) — and
kept while the segment is open; a query's matches (resosearch.count) are
then ordered by that place at C speed.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Callable
from operator import neg

from whoosh import query as q
from whoosh.searching import Searcher

from resosearch.columns import column_values, kept
from resosearch.count import live_ids


class SegmentOrder:
    """One segment's sort keys, and each document's place in each order."""

    def __init__(self, reader):
        adopted = column_values(reader, "adopted")
        # The adoption date as a number (20130620; 0 when the document has none).
        day_of = {value: int(value.replace("-", "")) if value else 0 for value in set(adopted)}
        self.days = array("I", map(day_of.__getitem__, adopted))
        self.numbers = column_values(reader, "number")
        self.orders = column_values(reader, "order")
        self._places: dict[bool, array] = {}

    def key(self, newest_first: bool) -> Callable[[int], tuple]:
        """The sort key of a document of this segment: its date (newest or
        oldest first; undated documents last or first), number, order."""
        days, numbers, orders = self.days, self.numbers, self.orders
        if newest_first:
            return lambda docnum: (-days[docnum], numbers[docnum], orders[docnum])
        return lambda docnum: (days[docnum], numbers[docnum], orders[docnum])

    def places(self, newest_first: bool) -> array:
        """Each document's place in the segment's order."""
        if newest_first not in self._places:
            days = map(neg, self.days) if newest_first else self.days
            # Tuples compared by C code (a key function would be a Python call each).
            ordered = sorted(zip(days, self.numbers, self.orders, range(len(self.days)),
                                 strict=True))
            places = array("I", bytes(4 * len(ordered)))
            for place, (_day, _number, _order, docnum) in enumerate(ordered):
                places[docnum] = place
            self._places[newest_first] = places
        return self._places[newest_first]


def segment_order(reader) -> SegmentOrder:
    """The sort keys of an open segment's documents (read once)."""
    return kept(reader, "date order", lambda: SegmentOrder(reader))


def by_date(searcher: Searcher, query: q.Query, filter_query: q.Query | None,
            newest_first: bool, wanted: int) -> tuple[int, list[int]]:
    """The number of live matches of ``query`` (and ``filter_query``) and the
    first ``wanted`` of them in date order (ties: resolution number,
    paragraph order, document number)."""
    total = 0
    candidates: list[tuple[tuple, int]] = []
    for leaf, offset in searcher.leaf_searchers():
        ids = live_ids(leaf, query, filter_query)
        if not ids:
            continue
        total += len(ids)
        order = segment_order(leaf.reader())
        first = heapq.nsmallest(wanted, ids, key=order.places(newest_first).__getitem__)
        key = order.key(newest_first)
        candidates.extend((key(docnum), docnum + offset) for docnum in first)
    candidates.sort()
    return total, [docnum for _key, docnum in candidates[:wanted]]
