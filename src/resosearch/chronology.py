"""Matches in date order (newest or oldest first), without Whoosh's sorting.

Whoosh sorts by collecting every match and asking each one for its key; for
a reversed text column it looks the value up in the sorted list of every
distinct value, one ``list.index`` per match (``coopération`` newest first
took 30 s at 22,000 resolutions). Here each segment's documents are put in
order once — adoption date, then resolution number, then paragraph order,
the keys ``Index.search`` has always sorted on — and kept while the segment
is open; a query's matches (resosearch.count) are then ordered by that
place at C speed.
"""

from __future__ import annotations

import heapq
import weakref
from array import array
from collections.abc import Callable

from whoosh import query as q
from whoosh.searching import Searcher

from resosearch.count import matching_ids

# Per open segment reader: its documents' sort keys and places (made when first asked).
_ORDERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class _SegmentOrder:
    """One segment's sort keys, and each document's place in each order."""

    def __init__(self, reader):
        count = reader.doc_count_all()
        # The adoption date as a number (20130620; 0 when the document has none).
        self.days = array("I", (int(value.replace(b"-", b"")) if value else 0
                                for value in _column(reader, "adopted", count, b"")))
        shared: dict[bytes, bytes] = {}
        self.numbers = [shared.setdefault(value, value)
                        for value in _column(reader, "number", count, b"")]
        self.orders = list(_column(reader, "order", count, 0))
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
            ordered = sorted(range(len(self.days)), key=self.key(newest_first))
            places = array("I", bytes(4 * len(ordered)))
            for place, docnum in enumerate(ordered):
                places[docnum] = place
            self._places[newest_first] = places
        return self._places[newest_first]


def _column(reader, fieldname: str, count: int, missing):
    """Every document's value of a sortable field (``missing`` where it has none)."""
    if not reader.has_column(fieldname):
        return [missing] * count
    return reader.column_reader(fieldname, translate=False)


def _order_of(reader) -> _SegmentOrder:
    order = _ORDERS.get(reader)
    if order is None:
        order = _ORDERS[reader] = _SegmentOrder(reader)
    return order


def by_date(searcher: Searcher, query: q.Query, filter_query: q.Query | None,
            newest_first: bool, wanted: int) -> tuple[int, list[int]]:
    """The number of live matches of ``query`` (and ``filter_query``) and the
    first ``wanted`` of them in date order (ties: resolution number,
    paragraph order, document number)."""
    total = 0
    candidates: list[tuple[tuple, int]] = []
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        ids = matching_ids(leaf, query)
        if ids and filter_query is not None:
            ids &= matching_ids(leaf, filter_query)
        if ids and reader.has_deletions():
            ids -= reader.deleted_docs_set
        if not ids:
            continue
        total += len(ids)
        order = _order_of(reader)
        first = heapq.nsmallest(wanted, ids, key=order.places(newest_first).__getitem__)
        key = order.key(newest_first)
        candidates.extend((key(docnum), docnum + offset) for docnum in first)
    candidates.sort()
    return total, [docnum for _key, docnum in candidates[:wanted]]
