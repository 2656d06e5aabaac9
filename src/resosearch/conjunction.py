"""Rank an and-query of common words from the segments' term maps.

``développement note`` matches over a hundred thousand paragraphs of an
archive. Read from postings, both words' blocks are decoded nearly whole
(resosearch.rank), and block bounds skip little: a block of a common word
nearly always holds a paragraph scoring close to the word's best.

Here each term is a byte per document (resosearch.dense: a common term's
stored map, or a rarer term's postings laid out the same way), and the
work on every document is done by C-level operations on bytes and big
integers, a lane per document (resosearch.lanes):

1. The matches are the and of the parts' lanes: their number is exact.
2. A match holding a rare term of a word besides its main one (a footnote
   also holds the word) is scored exactly; there are few.
3. For the others, each term's score is bounded from above by its
   frequency (1 to 6, or 7 and more) and the paragraph's length (in 32
   buckets), scaled to a byte; the bytes are summed in 16-bit lanes, then
   kept to 7 bits (a coarse bound).
4. The matches with the highest bounds are scored exactly; their
   ``window``-th best score is a floor the best must reach, and the
   matches whose bound reaches it are scored too, from the highest bounds
   down, the floor rising as they are.

The scores are the ones resosearch.rank computes, added in the same order
(tests/test_conjunction.py compares both); ``rank.best`` then keeps the best.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass
from itertools import compress

from whoosh import query as q

from resosearch.bounded import postings_count, summed_terms
from resosearch.codec import segment_maps, term_map
from resosearch.columns import kept
from resosearch.count import matching_ids
from resosearch.dense import tf_map
from resosearch.lanes import Sums, count_reaching, lanes, members, reaching, scattered
from resosearch.postings import blocks, raw_postings, term_bytes
from resosearch.scoring import (
    NEGATED_SCORE,
    Leaf,
    Scores,
    TermScoring,
    constant_of,
    length_bytes,
)

# Up to this many matches, all are scored: bounds would save nothing.
SCORE_ALL = 5000
# Paragraph lengths are grouped in this many buckets for the bounds (an
# archive's paragraphs have some 65 distinct length bytes).
BUCKETS = 32
# Frequencies from 1 to LEVELS - 1 are told apart in the bounds; the others
# are bounded by the term's highest.
LEVELS = 7
# A word alone (a sum of terms, not an And) is ranked here when it is in at
# least 1 document in this many (see resosearch.bounded for the others).
ALONE_SHARE = 8
# ... or when its largest terms in two fields each are in at least 1 in this many.
ALONE_PAIR_SHARE = 32
# A term with no map is laid out from its postings when it has at most 1 in
# this many of the segment's documents.
LAID_OUT_SHARE = 8
# A word's other terms (its footnote terms) with at most this many postings
# have their documents scored exactly rather than bounded.
FEW_POSTINGS = 1000
# A document's key in a term's bound: its frequency level (3 bits; 0 when
# the term is absent) above its length bucket (5 bits).
_LEVEL_KEYS = bytes(min(tf, LEVELS) << 5 for tf in range(256))


@dataclass(frozen=True)
class _Term:
    """A term of one of the And's words, as laid out for this segment."""

    scoring: TermScoring
    frequencies: bytes  # a byte per document
    largest: int  # its highest frequency
    postings: int
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


# With the search's filters, a sum of more terms than this (a prefix's
# dozens) is ranked by block bounds: ``prése*`` with kind=operative took 118
# ms from the maps, 77 ms by bounds (22,000 resolutions).
FILTERED_SUM_TERMS = 8


def best_of_and(leaf: Leaf, query: q.Query, window: int,
                filter_query: q.Query | None = None) -> tuple[int, Scores] | None:
    """For an And of words (sums of terms: ``w1 w2``) and filters
    (``kind:operative w``), or a very common word alone (``"nations unies"``
    is the sum of its word pair's terms), in one segment: the number of
    live matches and the exact scores of enough of them that the best
    ``window`` are among them; None when the query has another shape or the
    segment has no term map for it (the caller then reads postings).
    ``filter_query`` (the search's own filters: ``kind=``, ``years=``…)
    narrows the matches and adds nothing to their scores."""
    parts = _parts(leaf, query, filtered=filter_query is not None)
    if parts is None:
        return None
    reader = leaf.reader
    size = reader.doc_count_all()
    matched = _matched(parts)
    if filter_query is not None:
        matched &= _filter_lanes(leaf, filter_query, size)
    if reader.has_deletions():
        matched &= ~scattered(reader.deleted_docs_set, size)
    total = matched.bit_count()
    if total <= max(SCORE_ALL, window):
        return total, _exact(parts, members(matched))
    bounded: list[_Term] = []
    few = 0  # the documents of the words' other terms with few postings
    for part in parts:
        for term in part.terms:
            if term is not part.terms[0] and term.postings <= FEW_POSTINGS:
                few |= lanes(term.frequencies)
            else:
                bounded.append(term)
    found = _exact(parts, members(matched & few)) if few else {}
    bounds = _bounds(leaf, bounded)
    if bounds is None:
        return None
    sums, scale = bounds
    rest = matched & ~few
    sums.keep(rest)
    # The highest coarse bound that at least ``window`` matches reach...
    shift = max(0, (255 * len(bounded)).bit_length() - 7)
    coarse = sums.coarse(shift)
    low, high = 1, 127
    while low < high:
        middle = (low + high + 1) // 2
        if count_reaching(coarse, middle, size) >= window:
            low = middle
        else:
            high = middle - 1
    found.update(_exact(parts, reaching(coarse, low, size)))
    # ... their window-th best score is a floor the best must reach. The
    # matches whose bound reaches it are scored, half of the way down at a
    # time: the floor rises as they are, and what it asks for with it.
    constant = sum(part.constant for part in parts if part.constant is not None)
    scored_from = low  # every match whose coarse bound is at least this is scored
    while scored_from > 0:
        floor = heapq.nlargest(window, found.values())[-1] if len(found) >= window else None
        # (Above the floor's bound, whatever rounding: minus 1.)
        needed = 0 if floor is None else max(0, math.floor((floor - constant) * scale) - 1)
        needed >>= shift
        if needed >= scored_from:
            break
        scored_from = (needed + scored_from) // 2
        more = reaching(coarse, scored_from, size) if scored_from else members(rest)
        found.update(_exact(parts, [docnum for docnum in more if docnum not in found]))
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
    return members(_matched(parts)), lambda docnums: _exact(parts, docnums)


def _matched(parts: list[_Part]) -> int:
    """A lane of 1 per document all ``parts`` match."""
    matched = parts[0].matches
    for part in parts[1:]:
        matched &= part.matches
    return matched


def _parts(leaf: Leaf, query: q.Query, filtered: bool = False) -> list[_Part] | None:
    """The And's children as parts, in the order resosearch.rank adds their
    scores (by estimated size); None for another shape, or when no part
    has a stored map (reading postings is then as fast). ``filtered``: the
    search's own filters will narrow the matches."""
    summed = summed_terms(query)
    alone = summed is not None
    if not alone and (type(query) is not q.And or query.boost != 1.0
                      or len(query.subqueries) < 2):
        return None
    reader = leaf.reader
    maps = segment_maps(reader)
    if not maps:
        return None
    size = reader.doc_count_all()
    if alone and filtered:
        # With the search's filters the best of a word's blocks may all be
        # filtered out: the maps, whatever its size; not for a prefix's
        # dozens of terms, which block bounds rank faster.
        if len(summed) > FILTERED_SUM_TERMS:
            return None
    elif alone:
        # A word alone: only one in many documents, else block bounds are
        # faster; but bounds skip nothing in a sum of large terms of two
        # fields holding the same occurrences (a compound: its joined form in
        # text, its word pair in pairs). Not so the many terms of one field
        # that a prefix gives (``prése*``).
        largest: dict[str, int] = {}
        for term in summed:
            largest[term.fieldname] = max(largest.get(term.fieldname, 0),
                                          postings_count(reader, term))
        counts = sorted(largest.values())
        if counts[-1] * ALONE_SHARE < size and (
                len(counts) < 2 or counts[-2] * ALONE_PAIR_SHARE < size):
            return None
    parts: list[_Part] = []
    stored = 0
    children = [query] if alone else sorted(query.subqueries,
                                            key=lambda child: child.estimate_size(reader))
    for child in children:
        if type(child) is q.Not:
            # Whoosh's matcher of a negation scores NEGATED_SCORE for each
            # document it lets through.
            everything = int.from_bytes(b"\1" * size, "little")
            parts.append(_Part(everything & ~_lanes_of(leaf, child.query, size),
                               constant=NEGATED_SCORE))
            continue
        constant = constant_of(reader.schema, child)
        if constant is not None:
            frequencies = _stored_map(reader, child)
            if frequencies is None:
                matches = scattered(matching_ids(leaf.searcher, child), size)
            else:
                matches = lanes(frequencies)
                stored += 1
            parts.append(_Part(matches, constant=constant))
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
            matches |= lanes(term.frequencies)
        parts.append(_Part(matches, tuple(terms)))
    if not stored or not any(part.terms for part in parts):
        return None
    return parts


def _filter_lanes(leaf: Leaf, filter_query: q.Query, size: int) -> int:
    """A lane of 1 per document ``filter_query`` (a filter or an And of
    filters) lets through."""
    children = filter_query.subqueries if type(filter_query) is q.And else [filter_query]
    allowed = -1  # every lane
    for child in children:
        allowed &= _lanes_of(leaf, child, size)
    return allowed


def _lanes_of(leaf: Leaf, query: q.Query, size: int) -> int:
    """A lane of 1 per document matching ``query``: from the maps for a
    term or an Or of terms that have them, else from its documents."""
    if type(query) is q.Or and all(type(child) is q.Term for child in query.subqueries):
        found = 0
        for child in query.subqueries:
            found |= _lanes_of(leaf, child, size)
        return found
    frequencies = _stored_map(leaf.reader, query)
    if frequencies is not None:
        return lanes(frequencies)
    return scattered(matching_ids(leaf.searcher, query), size)


def _stored_map(reader, term: q.Query) -> bytes | None:
    if type(term) is not q.Term:
        return None
    return term_map(reader, term.fieldname, term_bytes(reader.schema, term.fieldname, term.text))


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
    postings = postings_count(leaf.reader, term)
    frequencies = maps.tf_map(term.fieldname, btext)
    if frequencies is not None:
        return _Term(scoring, frequencies, maps.largest(term.fieldname, btext), postings,
                     term.fieldname, True)
    if postings * LAID_OUT_SHARE > size:
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
    return _Term(scoring, bytes(frequencies), int(max(weights)), postings, term.fieldname,
                 False)


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


def _bounds(leaf: Leaf, terms: list[_Term]) -> tuple[Sums, float] | None:
    """Each document's bound on the sum of ``terms``' scores, in units of
    1/scale, and the scale; None when a score is not positive."""
    tables = []
    for term in terms:
        smallest, keyed = _buckets(leaf.reader, term.fieldname)
        score = term.scoring.table.score
        # Each level's highest frequency, and each bucket's shortest length.
        bounds = [[score(float(tf), length) for length in smallest]
                  for tf in [*range(1, LEVELS), max(LEVELS, term.largest)]]
        tables.append((bounds, keyed))
    best = max(bounds[-1][0] for bounds, _keyed in tables)
    if not best > 0:
        return None
    scale = 254 / best
    size = leaf.reader.doc_count_all()
    sums = Sums(size)
    for term, (bounds, keyed) in zip(terms, tables, strict=True):
        table = bytearray(256)  # level 0 (the term is absent): 0
        for level, row in enumerate(bounds, start=1):
            for bucket, bound in enumerate(row):
                # Above the score, whatever rounding: floor + 1.
                table[level << 5 | bucket] = min(255, math.floor(bound * scale) + 1)
        keys = int.from_bytes(term.frequencies.translate(_LEVEL_KEYS), "little") | keyed
        sums.add(int.from_bytes(keys.to_bytes(size, "little").translate(table), "little"))
    return sums, scale


def _buckets(reader, fieldname: str) -> tuple[list[int], int]:
    """The segment's length bytes of ``fieldname`` grouped in BUCKETS: each
    bucket's smallest length byte, and each document's bucket in a byte lane."""
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
        return smallest, int.from_bytes(lengths.translate(table), "little")
    return kept(reader, ("length buckets", fieldname), make)
