"""Count the paragraphs a query matches, without scoring them.

Ranking needs only the best few documents, and Whoosh finds those while
skipping posting blocks that cannot reach the top (block-max scoring). The
total number of matches needs every match — but not its score. Here each
term's posting list is read a block at a time, decoded at C speed
(resosearch.postings), and the query's structure is applied with set
operations. Queries whose matches must be checked on word positions
(phrases) are counted through their own matcher.

resosearch.rank scores and counts in one pass; this module serves the
queries it leaves to Whoosh (block-max skipping finds the best few, this
counts the rest) and the filters.
"""

from __future__ import annotations

from itertools import compress

from whoosh import query as q
from whoosh.query.wrappers import ConstantScoreQuery, WeightingQuery
from whoosh.searching import Searcher

from resosearch.codec import term_map
from resosearch.columns import kept
from resosearch.pairs import PairPhrase, near_matches
from resosearch.postings import blocks, ids_among, raw_postings, term_bytes

# Fields of a few values, each matching a large part of a segment: which
# documents hold each value is read once per open segment and kept, as
# Lucene's query cache keeps the filters it sees often (kind:operative is
# the same half of the index for every query that asks for it).
CACHED_FIELDS = frozenset({"kind", "doctype"})
# Below one document in this many of the segment, a set of documents is
# looked up in the blocks holding them rather than against all the matches.
SPARSE = 8
# Positional queries: their matches are only known after checking positions.
POSITIONAL = (q.Phrase, q.Sequence, PairPhrase)


def needs_positions(query: q.Query) -> bool:
    """Whether counting ``query`` means checking word positions."""
    if isinstance(query, POSITIONAL):
        return True
    return any(needs_positions(child) for child in query.children())


def count(searcher: Searcher, query: q.Query, filter_query: q.Query | None = None) -> int:
    """How many live documents match ``query`` and ``filter_query``."""
    return sum(len(live_ids(leaf, query, filter_query)) for leaf, _offset in searcher.leaf_searchers())


def live_ids(leaf: Searcher, query: q.Query, filter_query: q.Query | None = None) -> set[int]:
    """The live documents of one segment matching ``query`` and ``filter_query``."""
    ids = matching_ids(leaf, query)
    if ids and filter_query is not None:
        ids &= matching_ids(leaf, filter_query)
    reader = leaf.reader()
    if ids and reader.has_deletions():
        ids -= reader.deleted_docs_set
    return ids


def matching_ids(leaf: Searcher, query: q.Query) -> set[int]:
    """Document numbers matching ``query`` in one segment (deleted ones included)."""
    reader = leaf.reader()
    if isinstance(query, q.Term):
        return term_ids(leaf, query.fieldname, query.text)
    if query is q.NullQuery or isinstance(query, type(q.NullQuery)):
        return set()
    if isinstance(query, q.Every) and not query.fieldname:
        return set(range(reader.doc_count_all()))
    if isinstance(query, q.AndNot):
        positive = matching_ids(leaf, query.a)
        return positive - matching_ids(leaf, query.b) if positive else positive
    if isinstance(query, (q.AndMaybe,)):
        return matching_ids(leaf, query.a)
    if isinstance(query, q.Require):
        return _intersection(leaf, [query.a, query.b])
    if isinstance(query, q.And):
        return _intersection(leaf, query.subqueries)
    if isinstance(query, (q.Or, q.DisjunctionMax)):
        found: set[int] = set()
        for child in query.subqueries:
            found |= matching_ids(leaf, child)
        return found
    if isinstance(query, q.Not):
        return set(range(reader.doc_count_all())) - matching_ids(leaf, query.query)
    if isinstance(query, (ConstantScoreQuery, WeightingQuery)):
        return matching_ids(leaf, query.child)
    if isinstance(query, (q.MultiTerm, q.NumericRange, q.TermRange)) and not isinstance(
            query, POSITIONAL):
        simpler = query.simplify(reader)
        if simpler is not query:
            return matching_ids(leaf, simpler)
    if type(query) is q.Phrase and query.fieldname in reader.schema \
            and reader.schema[query.fieldname].format.supports("positions"):
        terms = [q.Term(query.fieldname, word) for word in query.words]
        candidates = _intersection(leaf, terms) if terms else set()
        return set(near_matches(reader, query.fieldname, query.words, query.slop,
                                sorted(candidates))) if candidates else set()
    # Anything else (exact phrases, whose positions must be checked): its own matcher.
    matcher = query.matcher(leaf, leaf.context())
    return set(matcher.all_ids()) if matcher.is_active() else set()


def _intersection(leaf: Searcher, subqueries: list[q.Query]) -> set[int]:
    negative = [c.query for c in subqueries if isinstance(c, q.Not)]
    positive = [c for c in subqueries if not isinstance(c, q.Not)]
    if not positive:
        found = set(range(leaf.reader().doc_count_all()))
    else:
        # Cheapest first: an empty set ends the work early.
        positive.sort(key=lambda c: c.estimate_size(leaf.reader()))
        found = matching_ids(leaf, positive[0])
        for child in positive[1:]:
            if not found:
                return found
            found &= matching_ids(leaf, child)
    for child in negative:
        if not found:
            break
        found -= among(leaf, child, found)
    return found


def among(leaf: Searcher, query: q.Query, docnums: set[int]) -> set[int]:
    """The documents of ``docnums`` matching ``query``. For a term or an OR
    of terms, only the posting blocks holding one of them are read (what a
    few documents exclude, in ``session:68 -coopération``)."""
    reader = leaf.reader()
    terms = _terms(query)
    if terms is None or len(docnums) * SPARSE > reader.doc_count_all() \
            or any(term.fieldname in CACHED_FIELDS for term in terms):
        return matching_ids(leaf, query) & docnums
    found: set[int] = set()
    within = sorted(docnums)
    for term in terms:
        btext = term_bytes(reader.schema, term.fieldname, term.text)
        if btext is not None:
            found |= ids_among(reader, term.fieldname, btext, docnums, within)
    return found


def _terms(query: q.Query) -> list[q.Term] | None:
    """The terms of a term or of ORs of terms (whatever their boosts), else None."""
    if type(query) is q.Term:
        return [query]
    if type(query) is q.Or:
        found = []
        for child in query.subqueries:
            terms = _terms(child)
            if terms is None:
                return None
            found += terms
        return found
    return None


def term_ids(leaf: Searcher, fieldname: str, text: object) -> set[int]:
    """The documents holding one term, read a posting block at a time."""
    reader = leaf.reader()
    if fieldname not in reader.schema:
        return set()
    btext = reader.schema[fieldname].to_bytes(text)
    if fieldname in CACHED_FIELDS:
        # A copy: callers narrow the set they are given in place.
        return set(kept(reader, ("ids", fieldname, btext),
                        lambda: frozenset(_read_ids(reader, fieldname, btext))))
    return _read_ids(reader, fieldname, btext)


def _read_ids(reader, fieldname: str, btext: bytes) -> set[int]:
    frequencies = term_map(reader, fieldname, btext)
    if frequencies is not None:
        # A common term's map (a byte per document) read at C speed rather
        # than its thousands of posting blocks decoded: at 22,000
        # resolutions, coopération's 378,151 matches in 56 ms, not 104.
        return set(compress(range(len(frequencies)), frequencies))
    matcher = raw_postings(reader, fieldname, btext)
    if matcher is None:
        return set()
    found: set[int] = set()
    for ids, _weights, _values in blocks(matcher):
        found.update(ids)
    return found
