"""Rank the matches of a query by scoring whole posting blocks at once.

The total must be exact and the order Whoosh's. A sum of terms (a word, a
prefix, a fuzzy word, a two-word phrase, maybe with a filter) is ranked by
resosearch.bounded, which scores only the blocks that can reach the top;
any other shape has every match scored a block at a time
(resosearch.scoring), the query's structure (or, and, and-not, negations,
constant-score filters, phrases found through their word pairs) applied to
whole dictionaries of scores. A query of another shape (another weighting
model) returns None and is left to Whoosh's matchers.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from itertools import compress
from operator import add

from whoosh import query as q
from whoosh.query.wrappers import ConstantScoreQuery
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from resosearch.bounded import best_of_union, filtered_sum, postings_count, ranked
from resosearch.conjunction import best_of_and, scored_subset
from resosearch.count import POSITIONAL, among, live_ids, matching_ids
from resosearch.pairs import PairPhrase, near_matches
from resosearch.postings import blocks, raw_postings, term_bytes
from resosearch.scoring import (
    NEGATED_SCORE,
    Leaf,
    Scores,
    Unsupported,
    add_part,
    constant_of,
    constant_score,
    kept_only,
    term_scores,
)


def best(searcher: Searcher, query: q.Query, filter_query: q.Query | None,
         window: int, exact_total: bool = True) -> tuple[int, list[tuple[float, int]]] | None:
    """The number of matches and the best ``window`` (score, docnum), best
    first (ties: lower docnum first, as Whoosh), or None for a query shape
    left to Whoosh. With ``exact_total`` False, the number may be short (a
    sum of many terms then scores only the documents that can reach the
    best: resosearch.bounded.best_of_union)."""
    if not isinstance(searcher.weighting, BM25F):
        return None
    total = 0
    candidates: list[tuple[float, int]] = []
    shape = filtered_sum(query, searcher.schema)
    # MaxScore needs three terms or more (see best_of_union).
    union = None if exact_total or shape is None or shape.condition or shape.negations \
        or len(shape.terms) < 3 else shape.terms
    constant = is_constant(searcher.schema, query)
    try:
        for leaf, offset in searcher.leaf_searchers():
            part = Leaf(leaf, searcher)
            bounded = None
            if constant:
                # Every match scores the same: the best are the first ones.
                count, first = _first_matches(leaf, query, filter_query, window)
                bounded = count, _scores(part, query, first) if first else {}
            else:
                # Words and filters and-ed, or a common word: the term maps
                # (the search's filters narrow their matches).
                bounded = best_of_and(part, query, window, filter_query)
            if bounded is None and union is not None:
                allowed = None if filter_query is None else matching_ids(leaf, filter_query)
                found = best_of_union(part, union, window, allowed,
                                      lambda within, part=part: _scores(part, query, within))
                bounded = None if found is None else (len(found), found)
            if bounded is None and shape is not None:
                bounded = ranked(part, shape, filter_query, window)
            if bounded is not None:
                count, scores = bounded
            else:
                scores = _scores(part, query)
                if scores and filter_query is not None:
                    scores = kept_only(scores, matching_ids(leaf, filter_query))
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


def _first_matches(leaf: Searcher, query: q.Query, filter_query: q.Query | None,
                   window: int) -> tuple[int, list[int]]:
    """The number of live matches of ``query`` in a segment, and the first
    ``window`` of them (lowest document numbers)."""
    reader = leaf.reader()
    if type(query) is q.Term and filter_query is None and not reader.has_deletions():
        # A term alone (``*``, ``kind:operative``): its term info, its first block.
        btext = term_bytes(reader.schema, query.fieldname, query.text)
        matcher = None if btext is None else raw_postings(reader, query.fieldname, btext)
        if matcher is None:
            return 0, []
        first: list[int] = []
        for block, _weights, _values in blocks(matcher):
            first += block
            if len(first) >= window:
                break
        return postings_count(reader, query), first[:window]
    matches = live_ids(leaf, query, filter_query)
    return len(matches), heapq.nsmallest(window, matches)


def is_constant(schema, query: q.Query) -> bool:
    """Whether every match of ``query`` scores the same: a filter alone
    (``kind:operative``, ``session:68``, ``*``), negations, an And of those."""
    if type(query) is q.Not or constant_of(schema, query) is not None:
        return True
    return type(query) is q.And and query.boost == 1.0 and bool(query.subqueries) \
        and all(is_constant(schema, child) for child in query.subqueries)


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
                for docnum, score in _scores(Leaf(leaf, searcher), query, inside).items():
                    found[docnum + offset] = score
    except Unsupported:
        return None
    return found


def _scores(leaf: Leaf, query: q.Query, within: list[int] | None = None) -> Scores:
    """Scores of the documents matching ``query`` — only those among
    ``within`` (sorted document numbers) when it is given, which lets a
    term skip every posting block holding none of them."""
    if isinstance(query, q.Term):
        return term_scores(leaf, query, within)
    if query is q.NullQuery or isinstance(query, type(q.NullQuery)):
        return {}
    if isinstance(query, PairPhrase):
        return _phrase_scores(leaf, query, within)
    if type(query) is q.Phrase:
        return _near_scores(leaf, query, within)
    if isinstance(query, POSITIONAL):
        return _restricted(_matched_scores(leaf, query), within)
    if isinstance(query, (q.Or, q.And)) and not query.subqueries:
        return {}
    if query.boost != 1.0 and isinstance(query, (q.Or, q.And)):
        # Whoosh wraps a boosted compound's matcher: its score times the boost.
        boost = query.boost
        return {d: s * boost for d, s in _scores(leaf, query.with_boost(1.0), within).items()}
    if isinstance(query, q.Or) and type(query) is q.Or:
        parts = [(_scores(leaf, child, within), child) for child in query.subqueries]
        # By size, smallest first. A term's size is that of its scores when
        # scored whole even when they are not: the scores then add up in the
        # same order, to the same last bit.
        parts.sort(key=lambda part: postings_count(leaf.reader, part[1])
                   if within is not None and type(part[1]) is q.Term else len(part[0]))
        found = parts.pop()[0]  # the largest; the others are merged into it
        for part, _child in parts:
            add_part(found, part)
        return found
    if type(query) is q.And:
        # The rarest part first; each next part is scored only where all
        # the previous ones matched.
        reader = leaf.reader
        children = sorted(query.subqueries, key=lambda child: child.estimate_size(reader))
        found = _scores(leaf, children[0], within)
        for child in children[1:]:
            if not found:
                break
            if type(child) is q.Not:
                # Whoosh's matcher of a negation scores NEGATED_SCORE for each
                # document it lets through (whatever its boost).
                kept = found.keys() - among(leaf.searcher, child.query, set(found))
                found = dict(zip(kept, map(NEGATED_SCORE.__add__, map(found.__getitem__, kept)),
                                 strict=True))
                continue
            constant = constant_score(leaf, child)
            if constant is not None:
                # A filter (kind:, verb:, session:): which documents, not scores.
                kept = among(leaf.searcher, child, set(found))
                found = dict(zip(kept, map(constant.__add__, map(found.__getitem__, kept)),
                                 strict=True))
                continue
            part = _scores(leaf, child, sorted(found))
            both = found.keys() & part.keys()
            found = dict(zip(both, map(add, map(found.__getitem__, both),
                                       map(part.__getitem__, both)), strict=True))
        return found
    if type(query) is q.Not:  # alone, or the rarest part of an And
        excluded = matching_ids(leaf.searcher, query.query)
        everything = set(range(leaf.reader.doc_count_all()) if within is None else within)
        return dict.fromkeys(everything - excluded, NEGATED_SCORE)
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
        return dict.fromkeys(ids, constant_score(leaf, query))
    raise Unsupported


def _restricted(scores: Scores, within: list[int] | None) -> Scores:
    if within is None:
        return scores
    return kept_only(scores, set(within))


def _phrase_scores(leaf: Leaf, phrase: PairPhrase, within: list[int] | None) -> Scores:
    """The pairs' scores of the candidates that hold the words side by side."""
    subset = None if within is not None else scored_subset(leaf, phrase.child)
    if subset is not None:  # the candidates from the term maps, only the matches scored
        candidates, scored = subset
        return scored(phrase.matches(leaf.reader, candidates)) if candidates else {}
    candidates = _scores(leaf, phrase.child, within)
    if not candidates:
        return candidates
    matches = phrase.matches(leaf.reader, sorted(candidates))
    return {d: candidates[d] for d in matches}


def _near_scores(leaf: Leaf, phrase: q.Phrase, within: list[int] | None) -> Scores:
    """A phrase's scores as Whoosh's SpanNear2 gives them (``"…"~2``): the
    sum of its words' scores (added as its tree of intersections adds
    them, times the phrase's boost) for the documents holding the words in
    order, close enough (resosearch.pairs.near_matches). The rarest word is
    scored whole, the others only where the words before all are."""
    reader = leaf.reader
    field = reader.schema[phrase.fieldname] if phrase.fieldname in reader.schema else None
    if field is None or not field.format or not field.format.supports("positions"):
        raise Unsupported  # Whoosh says what is wrong
    terms = [q.Term(phrase.fieldname, word) for word in phrase.words]
    sizes = [postings_count(reader, term) for term in terms]
    if not terms or not all(sizes):
        return {}  # as Whoosh: a word the segment lacks matches nothing
    scores: list[Scores] = [{}] * len(terms)
    candidates = within
    for i in sorted(range(len(terms)), key=sizes.__getitem__):
        scores[i] = term_scores(leaf, terms[i], candidates)  # only the candidates
        candidates = sorted(scores[i])
        if not candidates:
            return {}
    matches = near_matches(reader, phrase.fieldname, phrase.words, phrase.slop, candidates)
    found = dict(zip(matches, _tree_sum(scores, matches), strict=True))
    if phrase.boost != 1.0:
        found = {docnum: score * phrase.boost for docnum, score in found.items()}
    return found


def _tree_sum(scores: list[Scores], docnums: list[int]) -> Iterable[float]:
    """The words' scores of ``docnums`` added as Whoosh's make_binary_tree of
    matchers adds them: the first half's sum plus the second half's."""
    if len(scores) == 1:
        return map(scores[0].__getitem__, docnums)
    half = len(scores) // 2
    return map(add, _tree_sum(scores[:half], docnums), _tree_sum(scores[half:], docnums))


def _matched_scores(leaf: Leaf, query: q.Query) -> Scores:
    """A query whose matches need positions checked, through its Whoosh matcher."""
    matcher = query.matcher(leaf.searcher, leaf.searcher.context())
    found: Scores = {}
    while matcher.is_active():
        found[matcher.id()] = matcher.score()
        matcher.next()
    return found
