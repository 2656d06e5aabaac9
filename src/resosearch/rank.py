"""Rank the matches of a query by scoring whole posting blocks at once.

A query for a common word matches tens of thousands of paragraphs, and the
total must be exact, so every match is visited. Whoosh scores them one
posting at a time through a tree of matcher objects (several Python calls
per posting). Here each term's postings are decoded a block at a time and
scored with the same BM25F formula in one tight loop over the block, and
the query's structure (or, and, and-not, constant-score filters, phrases
found through their word pairs) is applied to whole dictionaries of
scores. Scores equal Whoosh's up to the order of floating-point additions
(tests/test_rank.py runs both). A query of another shape — a negation
inside ``And``, another weighting model — returns None and is left to
Whoosh's matchers.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_right
from collections.abc import Iterable
from itertools import compress, repeat
from operator import add, getitem

from whoosh import formats
from whoosh import query as q
from whoosh.query.wrappers import ConstantScoreQuery
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from resosearch.codec import PerDocReader
from resosearch.count import POSITIONAL, matching_ids
from resosearch.pairs import PairPhrase
from resosearch.postings import LeafMatcher, blocks, raw_postings

Scores = dict[int, float]

# Below this many postings, a term is scored whole: bounds would skip little.
BOUNDED_MIN_POSTINGS = 512
# A filter and-ed with words is read whole when neither is this many times the other.
FILTER_RATIO = 4
# A block's bound is computed as its postings' scores are; the margin keeps
# a rounding difference from ever skipping a block that could tie.
_BOUND_MARGIN = 1 + 1e-9


class Unsupported(Exception):
    """The query has a shape this module does not score; Whoosh will."""


def best(searcher: Searcher, query: q.Query, filter_query: q.Query | None,
         window: int) -> tuple[int, list[tuple[float, int]]] | None:
    """The number of matches and the best ``window`` (score, docnum), best
    first (ties: lower docnum first, as Whoosh), or None for a query shape
    left to Whoosh."""
    if not isinstance(searcher.weighting, BM25F):
        return None
    total = 0
    candidates: list[tuple[float, int]] = []
    summed, condition = _filtered_sum(query, searcher.schema)
    try:
        for leaf, offset in searcher.leaf_searchers():
            bounded = None if summed is None else \
                _bounded(_Leaf(leaf, searcher), summed, condition, filter_query, window)
            if bounded is not None:
                count, scores = bounded
            else:
                scores = _scores(_Leaf(leaf, searcher), query)
                if scores and filter_query is not None:
                    scores = _kept(scores, matching_ids(leaf, filter_query))
                deleted = leaf.reader().deleted_docs_set if scores else None
                if deleted:
                    for docnum in scores.keys() & deleted:
                        del scores[docnum]
                count = len(scores)
            total += count
            if scores:
                # The window-th best score, then everything at or above it (ties
                # included), ordered as Whoosh does: score, then docnum.
                floor = heapq.nlargest(window, scores.values())[-1]
                candidates.extend((-s, d + offset) for d, s in
                                  compress(scores.items(), map(floor.__le__, scores.values())))
    except Unsupported:
        return None
    candidates.sort()
    return total, [(-negative, docnum) for negative, docnum in candidates[:window]]


def _summed_terms(query: q.Query) -> list[q.Term] | None:
    """The terms of a query scored as the sum of its terms' scores (a term,
    an Or of terms), else None."""
    if type(query) is q.Term:
        return [query]
    if type(query) is q.Or and query.boost == 1.0 and query.subqueries \
            and all(type(child) is q.Term for child in query.subqueries):
        return list(query.subqueries)
    return None


def _filtered_sum(query: q.Query, schema) -> tuple[list[q.Term] | None, q.Query | None]:
    """The terms of a sum of terms (see _summed_terms), alone or in an And
    with one filter (a part that scores a constant, such as
    ``kind:operative``), and that filter."""
    summed = _summed_terms(query)
    if summed is not None:
        return summed, None
    if type(query) is q.And and query.boost == 1.0 and len(query.subqueries) == 2:
        for this, other in (query.subqueries, reversed(query.subqueries)):
            summed = _summed_terms(this)
            if summed is not None and _constant_of(schema, other) is not None:
                return summed, other
    return None, None


def _bounded(leaf: _Leaf, terms: list[q.Term], condition: q.Query | None,
             filter_query: q.Query | None, window: int) -> tuple[int, Scores] | None:
    """_best_of_sum for a sum of terms, with the constant-score ``condition``
    it is and-ed with (its score added to each match) and the search's
    filter; None when that does not apply."""
    constant = 0.0
    allowed = None
    if condition is not None:
        found = _constant_score(leaf, condition)
        if found is None:
            return None
        constant = found
        # Only for a filter about as large as the words: reading all of a far
        # larger one costs more than scoring the words whole and reading the
        # filter's blocks that hold them; a far smaller one is better read
        # first, then the words' blocks that hold its documents (_scores).
        largest = max(_postings_count(leaf.reader, term) for term in terms)
        if type(condition) is q.Term and not _comparable(
                _postings_count(leaf.reader, condition), largest):
            return None
        allowed = matching_ids(leaf.searcher, condition)
        if not _comparable(len(allowed), largest):
            return None
    if filter_query is not None:
        kept = matching_ids(leaf.searcher, filter_query)
        allowed = kept if allowed is None else allowed & kept
    bounded = _best_of_sum(leaf, terms, window, allowed)
    if bounded is None or not constant:
        return bounded
    total, scores = bounded
    # After the sum, as _scores adds a filter's score to an And's other part.
    return total, dict(zip(scores, map(add, scores.values(), repeat(constant)), strict=False))


def _comparable(filter_size: int, words_size: int) -> bool:
    return words_size <= FILTER_RATIO * filter_size and filter_size <= FILTER_RATIO * words_size


def _best_of_sum(leaf: _Leaf, terms: list[q.Term], window: int,
                 allowed: set[int] | None = None) -> tuple[int, Scores] | None:
    """For the sum of ``terms``: the number of matches (deleted documents
    left out) and the exact scores of enough of them that the best
    ``window`` are among them — None when the largest term is too small to
    gain anything (then everything is scored).

    The smaller terms are scored whole, and so are their documents in the
    largest term's blocks that hold one (only those postings are scored);
    the blocks holding deleted documents are read to leave them out. The
    largest term's other documents score its score alone, at most the
    block's bound (the best score of its frontier, see resosearch.postings):
    the blocks are scored best bound first until the next one cannot reach
    the window-th best score found. The largest term's number of documents
    comes from its term info.
    """
    reader = leaf.reader
    sizes = [_postings_count(reader, term) for term in terms]
    # As _scores does for an Or: the parts by size, the largest one first.
    order = sorted(range(len(terms)), key=sizes.__getitem__)
    largest = terms[order[-1]]
    if sizes[order[-1]] < BOUNDED_MIN_POSTINGS:
        return None
    scoring = _TermScoring.of(leaf, largest)
    if scoring is None or not isinstance(scoring.matcher, LeafMatcher):
        return None
    parts = [_term_scores(leaf, terms[i], None) for i in order[:-1]]
    deleted = reader.deleted_docs_set
    partial: Scores = {}  # the smaller terms' sum: the exact score where the largest is absent
    for part in parts:
        _add_part(partial, part)
    for docnum in partial.keys() & deleted:
        del partial[docnum]
    if allowed is not None:
        partial = _kept(partial, allowed)
    matcher = scoring.matcher
    layout = matcher.block_frontiers()
    # What each block holds that is not the largest term's score alone: the
    # smaller terms' documents (scored exactly here), the deleted ones and,
    # with a filter, the documents it leaves out.
    excluded: dict[int, set[int]] = {}
    empty: set[int] = set()
    shared: Scores = {}  # the largest term's score of the smaller terms' documents
    if allowed is None:
        watched = sorted(partial.keys() | deleted)
        gone = 0
        i, count = 0, len(watched)
        for position, last, _edge in layout:
            if i == count:
                break
            if watched[i] <= last:
                end = bisect_right(watched, last, i)
                ids, weights = matcher.read_block_at(position)
                inside = set(watched[i:end]).intersection(ids)
                if inside:
                    excluded[position] = inside
                    live = list(inside - deleted) if deleted else list(inside)
                    gone += len(inside) - len(live)
                    _score_some(scoring, ids, weights, live, shared)
                i = end
        total = sizes[order[-1]] - gone + len(partial) - len(shared)
    else:
        # Which of the largest term's documents the filter keeps: every block.
        alone = 0
        for position, _last, _edge in layout:
            ids, weights = matcher.read_block_at(position)
            kept = allowed.intersection(ids)
            if deleted:
                kept -= deleted
            live = list(kept & partial.keys())
            _score_some(scoring, ids, weights, live, shared)
            alone += len(kept) - len(live)
            if not len(kept) - len(live):
                empty.add(position)  # nothing left to score in it
            elif len(kept) - len(live) < len(ids):
                excluded[position] = set(ids) - kept | set(live)
        total = len(partial) + alone
    for part in parts:  # added to the largest term's score in _scores' order
        both = shared.keys() & part.keys()
        shared.update(zip(both, map(add, map(shared.__getitem__, both),
                                    map(part.__getitem__, both)), strict=True))
    found = dict(partial)
    found.update(shared)
    best: list[float] = heapq.nlargest(window, found.values())
    heapq.heapify(best)
    # The largest term's other documents: its score alone, at most the block's bound.
    for bound, position in sorted(((scoring.bound(edge), position)
                                   for position, _last, edge in layout
                                   if position not in empty), reverse=True):
        if len(best) == window and bound * _BOUND_MARGIN < best[0]:
            break  # no document of this block or the next can reach the window
        ids, weights = matcher.read_block_at(position)
        block = dict(zip(ids, scoring.scores(ids, weights), strict=True))
        for docnum in excluded.get(position, ()):
            del block[docnum]  # scored above, deleted or filtered out
        found.update(block)
        floor = best[0] if len(best) == window else -math.inf
        for score in [score for score in block.values() if score > floor]:
            if len(best) < window:
                heapq.heappush(best, score)
            elif score > best[0]:
                heapq.heapreplace(best, score)
    return total, found


def _score_some(scoring: _TermScoring, ids: list[int], weights: Iterable[float],
                docnums: list[int], into: Scores) -> None:
    """Score ``docnums`` (some of a block's ``ids``) into ``into``."""
    if docnums:
        weight_of = dict(zip(ids, weights, strict=True))
        into.update(zip(docnums, scoring.scores(docnums, list(map(weight_of.__getitem__,
                                                                    docnums))), strict=True))


def _postings_count(reader, term: q.Term) -> int:
    """How many postings ``term`` has in the segment (deleted documents included)."""
    field = reader.schema[term.fieldname] if term.fieldname in reader.schema else None
    if field is None:
        return 0
    try:
        btext = field.to_bytes(term.text)
    except ValueError:
        return 0
    if (term.fieldname, btext) not in reader:
        return 0
    return reader.doc_frequency(term.fieldname, btext)


def _add_part(found: Scores, part: Scores) -> None:
    """Add the scores of one part of an Or to ``found`` (in place)."""
    both = found.keys() & part.keys()
    summed = list(map(add, map(found.__getitem__, both), map(part.__getitem__, both)))
    found.update(part)
    found.update(zip(both, summed, strict=True))


def scores_for(searcher: Searcher, query: q.Query, docnums: list[int]) -> dict[int, float] | None:
    """``query``'s score for each of ``docnums`` that it matches (None for a
    query shape left to Whoosh): only the posting blocks holding one of
    them are read."""
    if not isinstance(searcher.weighting, BM25F):
        return None
    wanted = sorted(docnums)
    found: dict[int, float] = {}
    try:
        for leaf, offset in searcher.leaf_searchers():
            end = offset + leaf.doc_count_all()
            inside = [d - offset for d in wanted if offset <= d < end]
            if inside:
                for docnum, score in _scores(_Leaf(leaf, searcher), query, inside).items():
                    found[docnum + offset] = score
    except Unsupported:
        return None
    return found


class _Leaf:
    """One segment's searcher with the collection-wide statistics of its parent."""

    def __init__(self, leaf: Searcher, parent: Searcher):
        self.searcher = leaf
        self.reader = leaf.reader()
        self.parent = parent


def _scores(leaf: _Leaf, query: q.Query, within: list[int] | None = None) -> Scores:
    """Scores of the documents matching ``query`` — only those among
    ``within`` (sorted document numbers) when it is given, which lets a
    term skip every posting block holding none of them."""
    if isinstance(query, q.Term):
        return _term_scores(leaf, query, within)
    if query is q.NullQuery or isinstance(query, type(q.NullQuery)):
        return {}
    if isinstance(query, PairPhrase):
        return _phrase_scores(leaf, query, within)
    if isinstance(query, POSITIONAL):
        return _restricted(_matched_scores(leaf, query), within)
    if isinstance(query, (q.Or, q.And)) and not query.subqueries:
        return {}
    if query.boost != 1.0 and isinstance(query, (q.Or, q.And)):
        # Whoosh wraps a boosted compound's matcher: its score times the boost.
        boost = query.boost
        return {d: s * boost for d, s in _scores(leaf, query.with_boost(1.0), within).items()}
    if isinstance(query, q.Or) and type(query) is q.Or:
        parts = sorted((_scores(leaf, child, within) for child in query.subqueries), key=len)
        found = parts.pop()  # the largest; the others are merged into it
        for part in parts:
            _add_part(found, part)
        return found
    if type(query) is q.And:
        if any(isinstance(child, q.Not) for child in query.subqueries):
            raise Unsupported  # Whoosh scores the negated part too
        # The rarest part first; each next part is scored only where all
        # the previous ones matched.
        reader = leaf.reader
        children = sorted(query.subqueries, key=lambda child: child.estimate_size(reader))
        found = _scores(leaf, children[0], within)
        for child in children[1:]:
            if not found:
                break
            constant = _constant_score(leaf, child)
            if constant is not None:
                # A filter (kind:, verb:, session:): which documents, not scores.
                kept = found.keys() & _constant_ids(leaf, child, sorted(found))
                found = dict(zip(kept, map(constant.__add__, map(found.__getitem__, kept)),
                                 strict=True))
                continue
            part = _scores(leaf, child, sorted(found))
            both = found.keys() & part.keys()
            found = dict(zip(both, map(add, map(found.__getitem__, both),
                                       map(part.__getitem__, both)), strict=True))
        return found
    if type(query) is q.AndNot:
        positive = _scores(leaf, query.a, within)
        if not positive:
            return positive
        for docnum in positive.keys() & matching_ids(leaf.searcher, query.b):
            del positive[docnum]
        return positive
    if isinstance(query, (ConstantScoreQuery, q.NumericRange)):
        # Filters (session:, year:): a constant score for each match.
        ids = matching_ids(leaf.searcher, query)
        if within is not None:
            ids.intersection_update(within)
        return dict.fromkeys(ids, _constant_score(leaf, query))
    raise Unsupported


def _constant_score(leaf: _Leaf, query: q.Query) -> float | None:
    """The score each match of ``query`` gets when it is the same for all
    (a filter, or a term of a field that only records presence), else None."""
    return _constant_of(leaf.reader.schema, query)


def _constant_of(schema, query: q.Query) -> float | None:
    if isinstance(query, ConstantScoreQuery):
        return float(query.score)
    if isinstance(query, q.NumericRange):
        return float(query.boost)
    if type(query) is q.Term and query.fieldname in schema and not query.minquality \
            and isinstance(schema[query.fieldname].format, formats.Existence):
        return 1.0 * query.boost  # Whoosh's score: the posting's weight (1) times the boost
    return None


def _constant_ids(leaf: _Leaf, query: q.Query, within: list[int]) -> set[int]:
    """The documents among ``within`` (sorted) that a constant-score query
    matches; a term reads only the posting blocks holding one of them."""
    if type(query) is not q.Term:
        return matching_ids(leaf.searcher, query).intersection(within)
    reader = leaf.reader
    try:
        btext = reader.schema[query.fieldname].to_bytes(query.text)
    except ValueError:
        return set()
    matcher = raw_postings(reader, query.fieldname, btext)
    ids: set[int] = set()
    if matcher is not None:
        for block, _weights, _values in blocks(matcher, within):
            ids.update(block)
    return ids


def _kept(scores: Scores, allowed: set[int]) -> Scores:
    """``scores`` of the documents in ``allowed`` only (set operations, so
    that Python loops over the smaller side)."""
    dropped = scores.keys() - allowed
    if len(dropped) <= len(scores) // 2:
        for docnum in dropped:
            del scores[docnum]
        return scores
    return {d: scores[d] for d in scores.keys() & allowed}


def _restricted(scores: Scores, within: list[int] | None) -> Scores:
    if within is None:
        return scores
    return _kept(scores, set(within))


def _phrase_scores(leaf: _Leaf, phrase: PairPhrase, within: list[int] | None) -> Scores:
    """The pairs' scores of the candidates that hold the words side by side."""
    candidates = _scores(leaf, phrase.child, within)
    if not candidates:
        return candidates
    matches = phrase.matches(leaf.reader, sorted(candidates))
    return {d: candidates[d] for d in matches}


def _matched_scores(leaf: _Leaf, query: q.Query) -> Scores:
    """A query whose matches need positions checked, through its Whoosh matcher."""
    matcher = query.matcher(leaf.searcher, leaf.searcher.context())
    found: Scores = {}
    while matcher.is_active():
        found[matcher.id()] = matcher.score()
        matcher.next()
    return found


def _term_scores(leaf: _Leaf, term: q.Term, within: list[int] | None) -> Scores:
    scoring = _TermScoring.of(leaf, term)
    if scoring is None:
        return {}
    found: Scores = {}
    wanted = None if within is None else set(within)
    for ids, weights, _values in blocks(scoring.matcher, within):
        if wanted is not None:  # this block holds at least one wanted document
            mask = list(map(wanted.__contains__, ids))
            ids, weights = list(compress(ids, mask)), list(compress(weights, mask))
        found.update(zip(ids, scoring.scores(ids, weights), strict=True))
    return found


class _TermScoring:
    """One term's postings in a segment, and how they score: BM25F as
    Whoosh computes it, from a table of the score of each (term frequency,
    length byte) so that a block is scored by C-level maps; or, for a field
    without lengths, the posting's weight times the boost (Whoosh's
    WeightScorer)."""

    def __init__(self, matcher, boost: float, table: _ScoreTable | None,
                 length_bytes: bytes | None):
        self.matcher = matcher
        self._boost = boost
        self._table = table
        self._length_of = None if length_bytes is None else length_bytes.__getitem__

    @classmethod
    def of(cls, leaf: _Leaf, term: q.Term) -> _TermScoring | None:
        """The scoring of ``term`` in ``leaf``, or None when the segment lacks it."""
        reader = leaf.reader
        schema = reader.schema
        if term.fieldname not in schema:
            return None
        field = schema[term.fieldname]
        try:
            btext = field.to_bytes(term.text)
        except ValueError:
            return None
        if term.minquality:
            raise Unsupported
        matcher = raw_postings(reader, term.fieldname, btext)
        if matcher is None:
            return None
        boost = term.boost
        if not field.scorable:
            return cls(matcher, boost, None, None)
        parent = leaf.parent
        weighting = parent.weighting
        idf = parent.idf(term.fieldname, btext)
        avgfl = parent.avg_field_length(term.fieldname) or 1
        b = weighting._field_B.get(term.fieldname, weighting.B)  # noqa: SLF001
        k1 = weighting.K1
        k1_plus_one = k1 + 1
        # Whoosh's bm25(): idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl))),
        # with the length term looked up per length byte.
        norm = _norms(k1, b, avgfl)
        table = _ScoreTable(lambda tf: [idf * ((tf * k1_plus_one) / (tf + n)) for n in norm]
                            if boost == 1.0 else
                            [idf * ((tf * k1_plus_one) / (tf + n)) * boost for n in norm])
        return cls(matcher, boost, table, _lengths(reader, term.fieldname))

    def scores(self, ids: list[int], weights: Iterable[float]) -> Iterable[float]:
        """The scores of one block's postings."""
        if self._table is None:
            boost = self._boost
            return (w * boost for w in weights) if boost != 1.0 else weights
        return map(getitem, map(self._table.__getitem__, weights), map(self._length_of, ids))

    def bound(self, frontier: bytes | None) -> float:
        """The best score a posting of a block with this frontier can have."""
        if frontier is None or self._table is None:
            return math.inf
        table = self._table
        return max(table[float(frontier[i])][frontier[i + 1]]
                   for i in range(0, len(frontier), 2))


class _ScoreTable(dict):
    """Term frequency → the score of each length byte, made when first asked."""

    def __init__(self, row):
        super().__init__()
        self._row = row

    def __missing__(self, tf: float) -> list[float]:
        self[tf] = row = self._row(tf)
        return row


def _norms(k1: float, b: float, avgfl: float) -> list[float]:
    return [k1 * ((1 - b) + b * byte_to_length(lb) / avgfl) for lb in range(256)]


def _lengths(reader, fieldname: str) -> bytes:
    """The length byte of each document of the segment, for ``fieldname``."""
    perdoc = reader._perdoc  # noqa: SLF001
    if not isinstance(perdoc, PerDocReader):
        raise Unsupported  # a segment written by another codec
    return perdoc.length_bytes(fieldname) or bytes(reader.doc_count_all())
