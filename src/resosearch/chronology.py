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
from collections import Counter
from collections.abc import Callable
from itertools import compress
from operator import gt, itemgetter, ne, neg, or_

from whoosh import query as q
from whoosh.searching import Searcher

from resosearch.columns import column_values, first_look, kept, some_values
from resosearch.count import live_ids


class SegmentOrder:
    """One segment's sort keys, and each document's place in each order."""

    def __init__(self, reader):
        adopted = column_values(reader, "adopted")
        day_of = {value: day_number(value) for value in set(adopted)}
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
            self._places[newest_first] = self.places_by_resolution(newest_first) \
                or self.places_by_document(newest_first)
        return self._places[newest_first]

    def places_by_document(self, newest_first: bool) -> array:
        """The places, every document sorted on its keys."""
        days = map(neg, self.days) if newest_first else self.days
        # Tuples compared by C code (a key function would be a Python call each).
        ordered = sorted(zip(days, self.numbers, self.orders, range(len(self.days)),
                             strict=True))
        places = array("I", bytes(4 * len(ordered)))
        for place, (_day, _number, _order, docnum) in enumerate(ordered):
            places[docnum] = place
        return places

    def places_by_resolution(self, newest_first: bool) -> array | None:
        """The same places, from the resolutions sorted on their keys, when
        each resolution's documents lie together, in paragraph order (as
        resosearch writes them): a few thousand keys sorted instead of
        hundreds of thousands. None when they do not."""
        days, numbers, orders = self.days, self.numbers, self.orders
        count = len(days)
        if not count:
            return array("I")
        # (C-level maps throughout: a segment of an archive-sized index has
        # some 280,000 documents.)
        changes = map(or_, map(ne, numbers[1:], numbers[:-1]), map(ne, days[1:], days[:-1]))
        starts = [0, *compress(range(1, count), changes)]
        ends = [*starts[1:], count]
        if not set(compress(range(1, count), map(gt, orders[:-1], orders[1:]))).issubset(starts):
            return None  # paragraphs out of order
        keys = list(zip(map(days.__getitem__, starts), map(numbers.__getitem__, starts),
                        strict=True))
        # A key in several places (the resolutions' own documents: no date,
        # no number) keeps document order only if all its orders are one.
        repeated = {key for key, times in Counter(keys).items() if times > 1}
        if repeated and len({order for key, start, end in zip(keys, starts, ends, strict=True)
                             if key in repeated for order in orders[start:end]}) > 1:
            return None  # a resolution in two places
        if newest_first:
            keys = list(zip(map(neg, map(itemgetter(0), keys)), map(itemgetter(1), keys),
                            strict=True))
        places = array("I", bytes(4 * count))
        counting = array("I", range(count))
        place = 0
        # A stable sort: runs of one key stay in document order.
        for run in sorted(range(len(starts)), key=keys.__getitem__):
            start, end = starts[run], ends[run]
            places[start:end] = counting[place:place + end - start]
            place += end - start
        return places


def day_number(adopted: str | None) -> int:
    """An adoption date as a number (20130620; 0 when there is none)."""
    return int(adopted.replace("-", "")) if adopted else 0


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
        reader = leaf.reader()
        if first_look(reader, "date order", ids):
            # The matches' own keys cost less than putting the whole segment in order.
            first = _first_by_own_keys(reader, ids, newest_first, wanted)
            if first is not None:
                candidates.extend((key, docnum + offset) for key, docnum in first)
                continue
        order = segment_order(reader)
        first = heapq.nsmallest(wanted, ids, key=order.places(newest_first).__getitem__)
        key = order.key(newest_first)
        candidates.extend((key(docnum), docnum + offset) for docnum in first)
    candidates.sort()
    return total, [docnum for _key, docnum in candidates[:wanted]]


def _first_by_own_keys(reader, ids: set[int], newest_first: bool, wanted: int
                       ) -> list[tuple[tuple, int]] | None:
    """The first ``wanted`` of ``ids`` in date order, with their keys (as
    SegmentOrder.key gives them), from the matches' own values."""
    docnums = list(ids)
    adopted = some_values(reader, "adopted", docnums)
    numbers = some_values(reader, "number", docnums)
    if adopted is None or numbers is None:
        return None
    sign = -1 if newest_first else 1
    days = [sign * day_number(value) for value in adopted]
    orders = map(column_values(reader, "order").__getitem__, docnums)
    # Ties: the document number, as the segment's order has them.
    return heapq.nsmallest(wanted, zip(zip(days, numbers, orders, strict=True), docnums,
                                       strict=True))
