"""Rank an and-query of common words from the segments' term maps.

``développement note`` matches over a hundred thousand paragraphs of an
archive. Read from postings, both words' blocks are decoded nearly whole
(resosearch.rank), and block bounds skip little: a block of a common word
nearly always holds a paragraph scoring close to the word's best.

Here each part of the And is a byte per document (resosearch.dense: a
common term's stored map, or a rarer term's postings laid out the same
way), and the work on every document is done by C-level operations on
bytes and big integers, one lane per document:

1. The matches are the and of the parts' lanes: their number is exact.
2. A match whose score comes from more than each word's main term (a
   footnote also holds the word) is scored exactly; there are few.
3. For the others, each main term's score is bounded from above by its
   frequency (1 to 7, or 8 and more) and the paragraph's length (in 32
   buckets), scaled to a byte; the bytes are added in 16-bit lanes.
4. The lanes with the highest bounds are scored exactly; their
   ``window``-th best score is a floor the best must reach, and every
   lane whose bound reaches it is scored exactly too.

The scores are the ones resosearch.rank computes, added in the same order
(tests/test_conjunction.py compares both); ``best`` then keeps the best.
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress

from whoosh import query as q

from resosearch.bounded import postings_count, summed_terms
from resosearch.codec import PerDocReader
from resosearch.columns import kept
from resosearch.count import matching_ids
from resosearch.dense import tf_map
from resosearch.postings import blocks, raw_postings, term_bytes
from resosearch.scoring import Leaf, Scores, TermScoring, constant_of, length_bytes

# Up to this many matches, all are scored: bounds would save nothing.
SCORE_ALL = 2000
# Paragraph lengths are grouped in this many buckets for the bounds (an
# archive's paragraphs have some 65 distinct length bytes).
BUCKETS = 32
# Frequencies from 1 to LEVELS - 1 are told apart in the bounds; the others
# are bounded by the term's highest.
LEVELS = 8
# A word alone (a sum of terms, not an And) is ranked here when it is in at
# least 1 document in this many (see resosearch.bounded for the others).
ALONE_SHARE = 8
# A term with no map is laid out from its postings when it has at most 1 in
# this many of the segment's documents.
LAID_OUT_SHARE = 8
_NONZERO = bytes(1) + bytes((1,)) * 255
_ALL_ONES = bytes(1) + bytes((0xFF,)) * 255
# A posting's key in a bound: its frequency level (3 bits) above its length
# bucket (5 bits).
_LEVELS = bytes(1) + bytes((min(tf, LEVELS) - 1) << 5 for tf in range(1, 256))


@dataclass(frozen=True)
class _Term:
    """A term of one of the And's words, as laid out for this segment."""

    scoring: TermScoring
    frequencies: bytes  # a byte per document
    largest: int  # its highest frequency
    fieldname: str
    stored: bool  # whether the map is the segment's own (not laid out at query time)


@dataclass(frozen=True)
class _Part:
    """One child of the And: a word (a sum of terms, in the order their
    scores are added: the largest first, then the others smallest first) or
    a filter (``constant``: what each of its matches scores)."""

    matches: int  # a lane of 1 per document it matches
    terms: tuple[_Term, ...] = ()
    constant: float | None = None


def best_of_and(leaf: Leaf, query: q.Query, window: int) -> tuple[int, Scores] | None:
    """For an And of words (sums of terms: ``w1 w2``) and filters
    (``kind:operative w``), or a very common word alone (``"nations unies"``
    is the sum of its word pair's terms), in one segment: the number of
    live matches and the exact scores of enough of them that the best
    ``window`` are among them; None when the query has another shape or the
    segment has no term map for it (the caller then reads postings)."""
    parts = _parts(leaf, query)
    if parts is None:
        return None
    reader = leaf.reader
    matched = _matched(parts)
    if reader.has_deletions():
        matched &= ~_lanes(_scattered(reader.deleted_docs_set, reader.doc_count_all()))
    total = matched.bit_count()
    if total <= max(SCORE_ALL, window):
        return total, _exact(parts, _set_lanes(matched))
    words = [part for part in parts if part.terms]
    size = reader.doc_count_all()
    # The matches a word's other terms (its footnote terms) also match.
    others = 0
    for part in words:
        for term in part.terms[1:]:
            others |= _lanes(term.frequencies)
    found = _exact(parts, _set_lanes(matched & others)) if others else {}
    rest = matched & ~others
    bounds = _bounds(leaf, [part.terms[0] for part in words], size)
    if bounds is None:
        return None
    sums, scale = bounds
    sums &= _widened(rest.to_bytes(size, "little").translate(_ALL_ONES), both=True)
    constant = sum(part.constant for part in parts if part.constant is not None)
    # The highest threshold that at least ``window`` bounds reach...
    low, high = 1, 255 * len(words)
    while low < high:
        middle = (low + high + 1) // 2
        if _reaching(sums, middle, size).bit_count() >= window:
            low = middle
        else:
            high = middle - 1
    first = _reached(sums, low, size)
    found.update(_exact(parts, first))
    # ... their window-th best score is a floor; every bound reaching it is scored.
    floor = heapq.nlargest(window, found.values())[-1]
    threshold = max(1, math.floor((floor - constant) * scale) - 1)
    if threshold < low:
        more = set(_reached(sums, threshold, size)).difference(found)
        found.update(_exact(parts, sorted(more)))
    return total, found


def scored_subset(leaf: Leaf, query: q.Query
                  ) -> tuple[list[int], Callable[[list[int]], Scores]] | None:
    """The documents of one segment matching an And of words (deleted ones
    included), and how to score some of them — for a phrase, whose matches
    are then found among them (resosearch.rank): the And's documents come
    from the term maps, and only the phrase's matches are scored. None as
    for :func:`best_of_and`."""
    parts = _parts(leaf, query)
    if parts is None:
        return None
    return _set_lanes(_matched(parts)), lambda docnums: _exact(parts, docnums)


def _matched(parts: list[_Part]) -> int:
    """A lane of 1 per document all ``parts`` match."""
    matched = parts[0].matches
    for part in parts[1:]:
        matched &= part.matches
    return matched


def _parts(leaf: Leaf, query: q.Query) -> list[_Part] | None:
    """The And's children as parts, in the order resosearch.rank adds their
    scores (by estimated size); None for another shape, or when no word
    has a stored map (reading postings is then as fast)."""
    alone = summed_terms(query) is not None
    if not alone and (type(query) is not q.And or query.boost != 1.0
                      or len(query.subqueries) < 2):
        return None
    reader = leaf.reader
    perdoc = reader._perdoc  # noqa: SLF001
    maps = perdoc.dense_maps() if isinstance(perdoc, PerDocReader) else None
    if not maps:
        return None
    size = reader.doc_count_all()
    if alone:
        # A word alone: only one in many documents, else block bounds are faster.
        largest = max(postings_count(reader, term) for term in summed_terms(query))
        if largest * ALONE_SHARE < size:
            return None
    parts: list[_Part] = []
    stored = 0
    children = [query] if alone else sorted(query.subqueries,
                                            key=lambda child: child.estimate_size(reader))
    for child in children:
        constant = constant_of(reader.schema, child)
        if constant is not None:
            frequencies = _stored_map(maps, reader, child)
            if frequencies is None:
                frequencies = _scattered(matching_ids(leaf.searcher, child), size)
            parts.append(_Part(_lanes(frequencies), constant=constant))
            continue
        summed = summed_terms(child)
        if summed is None:
            return None
        # As resosearch.rank adds an Or's parts: the largest, then the others
        # smallest first (a stable sort on the number of postings).
        order = sorted(summed, key=lambda term: postings_count(reader, term))
        terms = []
        for term in order[-1:] + order[:-1]:
            laid_out = _term(leaf, maps, term, size)
            if laid_out is False:
                return None
            if laid_out is not None:
                terms.append(laid_out)
                stored += laid_out.stored
        if not terms:  # a word the segment lacks: no matches
            return [_Part(0)]
        matches = 0
        for term in terms:
            matches |= _lanes(term.frequencies)
        parts.append(_Part(matches, tuple(terms)))
    if not stored or not any(part.terms for part in parts):
        return None
    return parts


def _stored_map(maps, reader, term: q.Query) -> bytes | None:
    if type(term) is not q.Term:
        return None
    btext = term_bytes(reader.schema, term.fieldname, term.text)
    return None if btext is None else maps.tf_map(term.fieldname, btext)


def _term(leaf: Leaf, maps, term: q.Term, size: int) -> _Term | None | bool:
    """A word's term laid out for the segment: None when the segment lacks
    it, False when it cannot be (a common term without a stored map, a
    weight that is not a frequency, a score without BM25's table)."""
    scoring = TermScoring.of(leaf, term)
    if scoring is None:
        return None
    if scoring.table is None or term.boost <= 0:
        return False
    btext = term_bytes(leaf.reader.schema, term.fieldname, term.text)
    frequencies = maps.tf_map(term.fieldname, btext)
    if frequencies is not None:
        return _Term(scoring, frequencies.ljust(size, b"\0"),
                     maps.largest(term.fieldname, btext), term.fieldname, True)
    if postings_count(leaf.reader, term) * LAID_OUT_SHARE > size:
        return False  # too many postings to lay out here
    ids: list[int] = []
    weights: list[float] = []
    for block_ids, block_weights, _values in blocks(raw_postings(leaf.reader, term.fieldname,
                                                                 btext)):
        ids += block_ids
        weights += block_weights
    frequencies = tf_map(ids, weights, size)
    if frequencies is None:
        return False
    return _Term(scoring, bytes(frequencies), int(max(weights)), term.fieldname, False)


def _exact(parts: list[_Part], docnums: list[int]) -> Scores:
    """The scores of ``docnums`` (all matches), added as resosearch.rank adds them."""
    found: Scores = {}
    for part in parts:
        if part.constant is not None:
            values: Scores = dict.fromkeys(docnums, part.constant)
        else:
            values = {}
            for term in part.terms:
                frequency = term.frequencies.__getitem__
                present = list(compress(docnums, map(frequency, docnums)))
                scores = term.scoring.scores(present, list(map(float, map(frequency, present))))
                if not values:
                    values = dict(zip(present, scores, strict=True))
                    continue
                for docnum, score in zip(present, scores, strict=True):
                    values[docnum] = values[docnum] + score if docnum in values else score
        if not found:
            found = values
        else:
            found = {docnum: found[docnum] + values[docnum] for docnum in docnums}
    return found


def _bounds(leaf: Leaf, mains: list[_Term], size: int) -> tuple[int, float] | None:
    """Each document's bound on its main terms' scores, in 16-bit lanes
    (units of 1/scale), and the scale; None when a score is not positive."""
    tables = []
    best = 0.0
    for term in mains:
        buckets, smallest, keyed = _buckets(leaf.reader, term.fieldname)
        rows = [term.scoring.table[float(tf)]
                for tf in [*range(1, LEVELS), max(LEVELS, term.largest)]]
        tables.append((rows, smallest, keyed))
        best = max(best, rows[-1][smallest[0]])
    if not best > 0:
        return None
    scale = 254 / best
    sums = 0
    for term, (rows, smallest, keyed) in zip(mains, tables, strict=True):
        table = bytearray(256)
        for level, row in enumerate(rows):
            for bucket, length in enumerate(smallest):
                table[level << 5 | bucket] = min(255, math.floor(row[length] * scale) + 1)
        keys = int.from_bytes(term.frequencies.translate(_LEVELS), "little") | keyed
        sums += _widened(keys.to_bytes(size, "little").translate(table))
    return sums, scale


def _buckets(reader, fieldname: str) -> tuple[bytes, list[int], int]:
    """The segment's length bytes of ``fieldname`` grouped in BUCKETS (the
    translation table, each bucket's smallest length byte) and each
    document's bucket in the 5 low bits of its lane."""
    def make():
        lengths = length_bytes(reader, fieldname)
        # (0: the document lacks the field, so it matches none of its terms.)
        present = sorted(set(lengths) - {0}) or [1]
        table = bytearray(256)
        smallest = [0] * BUCKETS  # a bucket no length falls in is never looked up
        for i in reversed(range(len(present))):
            bucket = i * BUCKETS // len(present)
            table[present[i]] = bucket
            smallest[bucket] = present[i]
        return bytes(table), smallest, int.from_bytes(lengths.translate(table), "little")
    return kept(reader, ("length buckets", fieldname), make)


def _lanes(frequencies: bytes) -> int:
    """A lane of 1 per document whose byte is not 0."""
    return int.from_bytes(frequencies.translate(_NONZERO), "little")


def _scattered(docnums, size: int) -> bytes:
    found = bytearray(size)
    for docnum in docnums:
        found[docnum] = 1
    return bytes(found)


def _set_lanes(lanes: int) -> list[int]:
    """The documents whose lane is 1, ascending."""
    data = lanes.to_bytes((lanes.bit_length() + 7) // 8, "little")
    return [match.start() for match in re.finditer(b"\x01", data)]


def _widened(data: bytes, both: bool = False) -> int:
    """Each byte in a 16-bit lane (``both``: in its two bytes)."""
    wide = bytearray(2 * len(data))
    wide[0::2] = data
    if both:
        wide[1::2] = data
    return int.from_bytes(wide, "little")


@lru_cache(maxsize=8)
def _steps(size: int) -> tuple[int, int]:
    """1 in each of ``size`` 16-bit lanes, and each lane's top bit."""
    return int.from_bytes(b"\x01\x00" * size, "little"), int.from_bytes(b"\x00\x80" * size,
                                                                          "little")


def _reaching(sums: int, threshold: int, size: int) -> int:
    """The top bit of each lane whose sum is at least ``threshold``
    (sums stay below 0x8000, so adding 0x8000 - threshold sets it)."""
    ones, tops = _steps(size)
    return (sums + (0x8000 - threshold) * ones) & tops


def _reached(sums: int, threshold: int, size: int) -> list[int]:
    """The documents whose sum is at least ``threshold``, ascending."""
    data = _reaching(sums, threshold, size).to_bytes(2 * size, "little")[1::2]
    return [match.start() for match in re.finditer(b"\x80", data)]
