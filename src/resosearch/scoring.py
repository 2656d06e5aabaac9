"""How a term's postings score, and how the scores of a query's parts combine.

Whoosh scores matches one posting at a time through a tree of matcher
objects (several Python calls per posting). Here a term's postings are
decoded a block at a time and scored with the same BM25F formula, looked up
in a table of the score of each (term frequency, length byte), by C-level
maps; the parts of a query combine as whole dictionaries of scores, added
in the order Whoosh's matchers add them, so that scores are Whoosh's to
the last bit (tests/test_rank.py runs both). Used by resosearch.rank and
resosearch.bounded.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache
from itertools import compress
from operator import add, getitem

from whoosh import formats
from whoosh import query as q
from whoosh.query.wrappers import ConstantScoreQuery
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from resosearch.codec import PerDocReader, term_map
from resosearch.postings import blocks, raw_postings, term_bytes

Scores = dict[int, float]

# The score of a document a negation lets through (Whoosh's InverseMatcher,
# whatever the negation's boost).
NEGATED_SCORE = 1.0


class Unsupported(Exception):
    """The query has a shape resosearch.rank does not score; Whoosh will."""


class Leaf:
    """One segment's searcher with the collection-wide statistics of its parent."""

    def __init__(self, leaf: Searcher, parent: Searcher):
        self.searcher = leaf
        self.reader = leaf.reader()
        self.parent = parent


# From this many documents ``within``, a term with a map (resosearch.dense)
# is scored from it: a byte per document looked up in C, where its posting
# blocks holding them would each be decoded.
MAP_WITHIN = 256


def term_scores(leaf: Leaf, term: q.Term, within: list[int] | None) -> Scores:
    """The scores of ``term``'s documents (only those among ``within``, sorted
    document numbers, when it is given: the other blocks are not read)."""
    scoring = TermScoring.of(leaf, term)
    if scoring is None:
        return {}
    if within is not None and len(within) >= MAP_WITHIN and scoring.table is not None:
        frequencies = term_map(leaf.reader, term.fieldname,
                               term_bytes(leaf.reader.schema, term.fieldname, term.text))
        if frequencies is not None:
            frequency = frequencies.__getitem__
            present = list(compress(within, map(frequency, within)))
            return dict(zip(present, scoring.scores(present, map(float, map(frequency, present))),
                            strict=True))
    found: Scores = {}
    wanted = None if within is None else set(within)
    for ids, weights, _values in blocks(scoring.matcher, within):
        if wanted is not None:  # this block holds at least one wanted document
            mask = list(map(wanted.__contains__, ids))
            ids, weights = list(compress(ids, mask)), list(compress(weights, mask))
        found.update(zip(ids, scoring.scores(ids, weights), strict=True))
    return found


class TermScoring:
    """One term's postings in a segment, and how they score: BM25F as
    Whoosh computes it, from a table of the score of each (term frequency,
    length byte) so that a block is scored by C-level maps; or, for a field
    without lengths, the posting's weight times the boost (Whoosh's
    WeightScorer)."""

    def __init__(self, matcher, boost: float, table: ScoreTable | None,
                 length_bytes: bytes | None):
        self.matcher = matcher
        self._boost = boost
        self.table = table  # None for a field without lengths
        self._length_of = None if length_bytes is None else length_bytes.__getitem__

    @classmethod
    def of(cls, leaf: Leaf, term: q.Term) -> TermScoring | None:
        """The scoring of ``term`` in ``leaf``, or None when the segment lacks it."""
        reader = leaf.reader
        btext = term_bytes(reader.schema, term.fieldname, term.text)
        if btext is None:
            return None
        field = reader.schema[term.fieldname]
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
        table = ScoreTable(idf, weighting.K1, _norms(weighting.K1, b, avgfl), boost)
        return cls(matcher, boost, table, length_bytes(reader, term.fieldname))

    def scores(self, ids: list[int], weights: Iterable[float]) -> Iterable[float]:
        """The scores of one block's postings."""
        if self.table is None:
            boost = self._boost
            return (w * boost for w in weights) if boost != 1.0 else weights
        return map(getitem, map(self.table.__getitem__, weights), map(self._length_of, ids))

    def bound(self, frontier: bytes | None) -> float:
        """The best score a posting of a block with this frontier can have."""
        if frontier is None or self.table is None:
            return math.inf
        table = self.table
        return max(table[float(frontier[i])][frontier[i + 1]]
                   for i in range(0, len(frontier), 2))


class ScoreTable(dict):
    """Term frequency → the score of each length byte, made when first asked.

    Whoosh's bm25(): idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl))),
    times the term's boost, with the length term looked up per length byte.
    """

    def __init__(self, idf: float, k1: float, norms: tuple[float, ...], boost: float):
        super().__init__()
        self._idf = idf
        self._k1_plus_one = k1 + 1
        self._norms = norms
        self._boost = boost

    def __missing__(self, tf: float) -> list[float]:
        idf, k1_plus_one, boost = self._idf, self._k1_plus_one, self._boost
        if boost == 1.0:
            row = [idf * ((tf * k1_plus_one) / (tf + n)) for n in self._norms]
        else:
            row = [idf * ((tf * k1_plus_one) / (tf + n)) * boost for n in self._norms]
        self[tf] = row
        return row

    def score(self, tf: float, length_byte: int) -> float:
        """The score of one (frequency, length byte), as its row has it,
        without making the row."""
        row = self.get(tf)
        if row is not None:
            return row[length_byte]
        score = self._idf * ((tf * self._k1_plus_one) / (tf + self._norms[length_byte]))
        return score if self._boost == 1.0 else score * self._boost


@lru_cache(maxsize=64)
def _norms(k1: float, b: float, avgfl: float) -> tuple[float, ...]:
    """K1's length term for each length byte (made once per field's statistics)."""
    return tuple(k1 * ((1 - b) + b * byte_to_length(lb) / avgfl) for lb in range(256))


def length_bytes(reader, fieldname: str) -> bytes:
    """The length byte of each document of the segment, for ``fieldname``."""
    perdoc = reader._perdoc  # noqa: SLF001
    if not isinstance(perdoc, PerDocReader):
        raise Unsupported  # a segment written by another codec
    return perdoc.length_bytes(fieldname) or bytes(reader.doc_count_all())


def add_part(found: Scores, part: Scores) -> None:
    """Add the scores of one part of an Or to ``found`` (in place)."""
    both = found.keys() & part.keys()
    summed = list(map(add, map(found.__getitem__, both), map(part.__getitem__, both)))
    found.update(part)
    found.update(zip(both, summed, strict=True))


def kept_only(scores: Scores, allowed: set[int]) -> Scores:
    """``scores`` of the documents in ``allowed`` only (set operations, so
    that Python loops over the smaller side)."""
    dropped = scores.keys() - allowed
    if len(dropped) <= len(scores) // 2:
        for docnum in dropped:
            del scores[docnum]
        return scores
    return {d: scores[d] for d in scores.keys() & allowed}


def constant_score(leaf: Leaf, query: q.Query) -> float | None:
    """The score each match of ``query`` gets when it is the same for all
    (a filter, or a term of a field that only records presence), else None."""
    return constant_of(leaf.reader.schema, query)


def constant_of(schema, query: q.Query) -> float | None:
    if isinstance(query, ConstantScoreQuery):
        return float(query.score)
    if isinstance(query, q.NumericRange):
        return float(query.boost)
    if type(query) is q.Term and query.fieldname in schema and not query.minquality \
            and isinstance(schema[query.fieldname].format, formats.Existence):
        return 1.0 * query.boost  # Whoosh's score: the posting's weight (1) times the boost
    return None
