"""Rank a sum of terms without scoring every match.

A word is searched as the sum of two terms (``text`` and ``notes``), a
prefix or a fuzzy word as the sum of its expansions, a two-word phrase as
the sum of its pair in the text and in the footnotes. For such a query the
total comes from the largest term's term info, plus the smaller terms'
documents it lacks; only the largest term's posting blocks that can reach
the best ``window`` are scored, best bound first. A block's bound is the
best score of its frontier (see resosearch.postings). Scores and order are
those of scoring every match (tests/test_rank.py).
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import repeat
from operator import add

from whoosh import query as q

from resosearch.count import matching_ids
from resosearch.postings import LeafMatcher, term_bytes
from resosearch.scoring import (
    NEGATED_SCORE,
    Leaf,
    Scores,
    TermScoring,
    add_part,
    constant_of,
    constant_score,
    kept_only,
    term_scores,
)

# Below this many postings, a term is scored whole: bounds would skip little.
BOUNDED_MIN_POSTINGS = 512
# A filter and-ed with words is read whole when neither is this many times the other.
FILTER_RATIO = 4
# A block's bound is computed as its postings' scores are; the margin keeps
# a rounding difference from ever skipping a block that could tie.
_BOUND_MARGIN = 1 + 1e-9


def summed_terms(query: q.Query) -> list[q.Term] | None:
    """The terms of a query scored as the sum of its terms' scores (a term,
    an Or of terms), else None."""
    if type(query) is q.Term:
        return [query]
    if type(query) is q.Or and query.boost == 1.0 and query.subqueries \
            and all(type(child) is q.Term for child in query.subqueries):
        return list(query.subqueries)
    return None


@dataclass(frozen=True)
class SumShape:
    """A sum of terms, maybe and-ed with a filter and with negations."""

    terms: list[q.Term]
    condition: q.Query | None = None  # a part that scores a constant (``kind:operative``)
    negations: tuple[q.Query, ...] = ()  # what the And's ``Not`` parts exclude


def filtered_sum(query: q.Query, schema) -> SumShape | None:
    """The shape of a sum of terms (see summed_terms), alone or in an And
    with at most one filter (a part that scores a constant) and any number
    of negations; None for a query of another shape."""
    summed = summed_terms(query)
    if summed is not None:
        return SumShape(summed)
    if type(query) is not q.And or query.boost != 1.0 or len(query.subqueries) < 2:
        return None
    sums, conditions, negations = [], [], []
    for child in query.subqueries:
        if type(child) is q.Not:
            negations.append(child.query)
        elif constant_of(schema, child) is not None:
            conditions.append(child)
        elif (summed := summed_terms(child)) is not None:
            sums.append(summed)
        else:
            return None
    if len(sums) != 1 or len(conditions) > 1:
        return None
    return SumShape(sums[0], conditions[0] if conditions else None, tuple(negations))


def ranked(leaf: Leaf, shape: SumShape, filter_query: q.Query | None,
           window: int) -> tuple[int, Scores] | None:
    """:func:`best_of_sum` for a sum of terms, with the constant-score
    condition and the negations it is and-ed with (their scores added to
    each match) and the search's filter; None when that does not apply."""
    terms, condition = shape.terms, shape.condition
    constant = NEGATED_SCORE * len(shape.negations)
    allowed = None
    if condition is not None:
        found = constant_score(leaf, condition)
        if found is None:
            return None
        constant += found
        # Only for a filter about as large as the words: reading all of a far
        # larger one costs more than scoring the words whole and reading the
        # filter's blocks that hold them; a far smaller one is better read
        # first, then the words' blocks that hold its documents (_scores).
        largest = max(postings_count(leaf.reader, term) for term in terms)
        if type(condition) is q.Term and not _comparable(
                postings_count(leaf.reader, condition), largest):
            return None
        allowed = matching_ids(leaf.searcher, condition)
        if not _comparable(len(allowed), largest):
            return None
    if filter_query is not None:
        kept = matching_ids(leaf.searcher, filter_query)
        allowed = kept if allowed is None else allowed & kept
    # A negation's matches are left out as deleted documents are.
    excluded = set().union(*(matching_ids(leaf.searcher, negated)
                             for negated in shape.negations))
    bounded = best_of_sum(leaf, terms, window, allowed, excluded)
    if bounded is None or not constant:
        return bounded
    total, scores = bounded
    # After the sum, as _scores adds a filter's score to an And's other part.
    return total, dict(zip(scores, map(add, scores.values(), repeat(constant)), strict=False))


def _comparable(filter_size: int, words_size: int) -> bool:
    return words_size <= FILTER_RATIO * filter_size and filter_size <= FILTER_RATIO * words_size


def best_of_sum(leaf: Leaf, terms: list[q.Term], window: int,
                allowed: set[int] | None = None,
                excluded: set[int] | None = None) -> tuple[int, Scores] | None:
    """For the sum of ``terms``: the number of matches (deleted documents
    left out) and the exact scores of enough of them that the best
    ``window`` are among them — None when the largest term is too small to
    gain anything (then everything is scored). Only documents in
    ``allowed`` count when it is given; never those in ``excluded``.

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
    sizes = [postings_count(reader, term) for term in terms]
    # As _scores does for an Or: the parts by size, the largest one first.
    order = sorted(range(len(terms)), key=sizes.__getitem__)
    largest = terms[order[-1]]
    if sizes[order[-1]] < BOUNDED_MIN_POSTINGS:
        return None
    scoring = TermScoring.of(leaf, largest)
    if scoring is None or not isinstance(scoring.matcher, LeafMatcher):
        return None
    parts = [term_scores(leaf, terms[i], None) for i in order[:-1]]
    deleted = reader.deleted_docs_set  # and, from here on, the excluded ones
    if excluded:
        deleted = deleted | excluded
    partial: Scores = {}  # the smaller terms' sum: the exact score where the largest is absent
    for part in parts:
        add_part(partial, part)
    for docnum in partial.keys() & deleted:
        del partial[docnum]
    if allowed is not None:
        partial = kept_only(partial, allowed)
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


def best_of_union(leaf: Leaf, terms: list[q.Term], window: int, allowed: set[int] | None,
                  exact: Callable[[list[int]], Scores]) -> Scores | None:
    """For the sum of three or more ``terms`` when the number of matches is
    not wanted: the exact scores (from ``exact``, given sorted document
    numbers) of enough documents that the best ``window`` are among them;
    None when that gains nothing (then everything is scored).

    MaxScore: the rarest terms' documents are scored first, and their
    ``window``-th best score is a floor the best must reach. Taken from the
    smallest best possible score (the best bound of a term's blocks) up,
    the terms whose bounds add up to less than that floor cannot bring a
    document to it on their own: only the documents of the other terms can
    reach it, and of those only the ones whose score on those terms, plus
    the bounds of the rest, reaches it are scored whole.
    """
    if len(terms) < 3:
        return None
    reader = leaf.reader
    deleted = reader.deleted_docs_set
    usable = []
    for term in terms:
        scoring = TermScoring.of(leaf, term)
        if scoring is None:
            continue
        if not isinstance(scoring.matcher, LeafMatcher):
            return None
        edges = scoring.matcher.block_frontiers()
        usable.append((postings_count(reader, term),
                       max(scoring.bound(edge) for _position, _last, edge in edges), term))
    if sum(size for size, _bound, _term in usable) < BOUNDED_MIN_POSTINGS:
        return None

    def live(docnums: set[int]) -> set[int]:
        docnums -= deleted
        return docnums if allowed is None else docnums & allowed

    by_size = sorted(usable, key=lambda item: item[0])
    rarest = 1
    while rarest < len(by_size) and sum(size for size, _b, _t in by_size[:rarest]) < window:
        rarest += 1
    first: set[int] = set()
    for _size, _bound, term in by_size[:rarest]:
        first.update(matching_ids(leaf.searcher, term))
    scores = exact(sorted(live(first)))
    if len(scores) < window:
        return None
    floor = heapq.nlargest(window, scores.values())[-1] / _BOUND_MARGIN
    by_bound = sorted(usable, key=lambda item: item[1])
    reach = 0.0  # the most the terms that cannot reach the floor alone add up to
    alone = 0
    while alone < len(by_bound) and reach + by_bound[alone][1] < floor:
        reach += by_bound[alone][1]
        alone += 1
    partial: Scores = {}  # the other terms' sum
    for _size, _bound, term in by_bound[alone:]:
        add_part(partial, term_scores(leaf, term, None))
    needed = floor - reach * _BOUND_MARGIN
    more = live({docnum for docnum, score in partial.items() if score >= needed}) - scores.keys()
    if more:
        scores.update(exact(sorted(more)))
    return scores


def _score_some(scoring: TermScoring, ids: list[int], weights: Iterable[float],
                docnums: list[int], into: Scores) -> None:
    """Score ``docnums`` (some of a block's ``ids``) into ``into``."""
    if docnums:
        weight_of = dict(zip(ids, weights, strict=True))
        into.update(zip(docnums, scoring.scores(docnums, list(map(weight_of.__getitem__,
                                                                    docnums))), strict=True))


def postings_count(reader, term: q.Term) -> int:
    """How many postings ``term`` has in the segment (deleted documents included):
    the size of its scores when scored whole."""
    btext = term_bytes(reader.schema, term.fieldname, term.text)
    if btext is None or (term.fieldname, btext) not in reader:
        return 0
    return reader.doc_frequency(term.fieldname, btext)
