"""Word pairs: every two adjacent words indexed as one term.

Whoosh checks a phrase by reading the positions of every document that
holds all its words, which is slow when the words are common ("Nations
Unies" is in a third of all paragraphs). Indexing each pair of adjacent
words as a term — Lucene's CommonGrams idea, applied to every pair — turns a
two-word phrase into one term lookup, and narrows a longer phrase to the few
documents holding all its pairs before positions are checked. Alternatives
at one position (``sud`` / ``sudsud``, ``a/res/64/222`` / ``64/222``) pair with
every alternative at the next, so a pair is never missed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import accumulate, compress, repeat
from operator import add, lshift

from whoosh.analysis import Analyzer, Filter, Token
from whoosh.matching import NullMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import Query
from whoosh.query.wrappers import WrappingQuery

from resosearch.analysis import exact_analyzer
from resosearch.postings import BlockValues, LeafMatcher, blocks, ids_among, raw_postings

SEPARATOR = " "
# The pairs field of each positional field; pairs carry positions too (of
# their first word), so a longer phrase is checked on its pairs.
PAIRS_FIELDS = {"exact": "pairs", "notes_exact": "notes_pairs"}


def adjacent_pairs(terms: Iterable[tuple[str, int]]) -> Iterator[tuple[str, int]]:
    """(pair, position of its first term) for ``terms`` given as (term,
    position) in order: each term paired with every term at the position
    just before it."""
    previous: list[str] = []
    current: list[str] = []
    current_pos = None
    for text, pos in terms:
        if pos != current_pos:
            if current_pos is not None:
                previous = current if pos == current_pos + 1 else []
            current, current_pos = [], pos
        current.append(text)
        for before in previous:
            yield before + SEPARATOR + text, pos - 1


def pair_columns(terms: Sequence[str], positions: Sequence[int]) -> tuple[list[str], list[int]]:
    """:func:`adjacent_pairs` of ``terms`` at ``positions`` (two lists), as
    two lists. Most texts have one term per position, one after the other:
    their pairs are then made without a Python step per pair."""
    count = len(terms)
    if count and positions[-1] - positions[0] == count - 1 and len(set(positions)) == count:
        return list(map(SEPARATOR.join, zip(terms, terms[1:], strict=False))), list(positions[:-1])
    found = list(adjacent_pairs(zip(terms, positions, strict=True)))
    return [pair for pair, _ in found], [pos for _, pos in found]


class PairFilter(Filter):
    """Replaces a token stream by the pairs of terms at adjacent positions."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        last: list[Token] = []

        def terms() -> Iterator[tuple[str, int]]:
            for token in tokens:
                last[:] = [token]
                yield token.text, token.pos

        out = None
        for text, pos in adjacent_pairs(terms()):
            out = last[0].copy() if out is None else out
            out.text, out.pos = text, pos
            yield out


class PairsAnalyzer(Analyzer):
    """The exact field's analysis, as pairs of adjacent terms (always reading
    positions, which Whoosh does not ask for on a field without them)."""

    def __call__(self, value: str, **kwargs) -> Iterator[Token]:
        kwargs["positions"] = True
        return PairFilter()(exact_analyzer()(value, **kwargs))

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))


_PAIRS = PairsAnalyzer()


def pairs_analyzer() -> PairsAnalyzer:
    """The analyzer of the ``pairs`` field."""
    return _PAIRS


def pair_groups(groups: list[list[str]]) -> list[list[str]]:
    """For terms grouped by consecutive position, the pair terms of each
    adjacent couple of positions (alternatives combined)."""
    return [[a + SEPARATOR + b for a in left for b in right]
            for left, right in zip(groups, groups[1:], strict=False)]


class PairPhrase(WrappingQuery):
    """An exact phrase of three or more words, found through its pairs.

    ``child`` (all the phrase's word pairs) finds the candidates and scores
    them; the candidates are then checked on the positions of the pairs (see
    :meth:`matches`) — much cheaper than Whoosh's span machinery. ``groups``
    are the words' alternatives at consecutive positions in ``fieldname``.
    """

    def __init__(self, child: Query, groups: list[list[str]], fieldname: str = "exact"):
        super().__init__(child)
        self.groups = [list(g) for g in groups]
        self.fieldname = fieldname

    def __repr__(self) -> str:
        return f"PairPhrase({self.child!r}, {self.groups!r})"

    def __eq__(self, other: object) -> bool:
        return (type(other) is type(self) and self.child == other.child
                and self.groups == other.groups and self.fieldname == other.fieldname)

    def __hash__(self) -> int:
        return hash((type(self).__name__, hash(self.child), str(self.groups)))

    def _rewrap(self, child: Query) -> PairPhrase:
        return type(self)(child, self.groups, self.fieldname)

    def matcher(self, searcher, context=None):
        # Whoosh's path (resosearch.rank scores phrases itself): the child's
        # matches, kept where phrase_matches finds the words side by side.
        candidates = self.child.matcher(searcher, context)
        if not candidates.is_active():
            return candidates
        found = self.matches(searcher.reader(), sorted(candidates.all_ids()))
        if not found:
            return NullMatcher()
        return FilterMatcher(self.child.matcher(searcher, context), frozenset(found))


    def matches(self, reader, candidates: list[int]) -> list[int]:
        """The ``candidates`` (sorted document numbers of one segment, the
        child's matches: each holds every pair) that hold the phrase: its
        word pairs one after the other. A pair is far
        rarer than its words (``de``, ``la``), so far fewer positions are read."""
        fieldname = PAIRS_FIELDS[self.fieldname]
        placed = covering(pair_groups(self.groups), documents_holding(reader, fieldname))
        return phrase_matches(reader, fieldname, placed, candidates, hold_every_group=True)


def covering(pairs: list[list[str]], cost: Callable[[list[str]], int] = len,
             ) -> list[tuple[int, list[str]]]:
    """The cheapest pairs (with their offsets in the phrase) that cover every
    word, cheapest first. A word is covered by the pair it starts or the
    one it ends, so the first and last pairs are always taken and no two
    adjacent pairs may both be left out: ``a b c d e`` is ``a b`` at some
    position, ``d e`` three after it, and ``b c`` one after it *or* ``c d``
    two after it — whichever is rarer (``cost``, say the documents holding
    it) is read. Any covering finds the same paragraphs; a rarer one reads
    fewer positions."""
    if not pairs:
        return []
    costs = list(map(cost, pairs))
    # For each pair, the cheapest covering of the pairs up to it that takes
    # it (``taken``), or that leaves it out (``left``: the one before taken).
    taken: list[tuple[int, list[int]]] = [(costs[0], [0])]
    left: list[tuple[int, list[int]] | None] = [None]
    for offset in range(1, len(pairs)):
        before = taken[-1] if left[-1] is None or taken[-1][0] <= left[-1][0] else left[-1]
        left.append(taken[-1])
        taken.append((before[0] + costs[offset], before[1] + [offset]))
    chosen = sorted(taken[-1][1], key=lambda offset: (costs[offset], offset))
    return [(offset, pairs[offset]) for offset in chosen]


def documents_holding(reader, fieldname: str) -> Callable[[list[str]], int]:
    """How many documents of a segment hold any of a group of terms, at
    most: the cost of reading the group's positions (see :func:`covering`)."""
    return lambda group: sum(reader.doc_frequency(fieldname, term) for term in group)


# A phrase start in a document as one integer: the document number shifted
# left, plus the position (paragraphs are far shorter than 2**20 words).
_POSITION_BITS = 20


def phrase_matches(reader, fieldname: str, placed: list[tuple[int, list[str]]],
                   candidates: list[int], hold_every_group: bool = False) -> list[int]:
    """The ``candidates`` (sorted document numbers of one segment) holding
    each group of terms of ``placed`` at its offset from a common start, in
    ``fieldname``. ``hold_every_group``: each candidate is known to hold a
    term of each group (somewhere).

    Each term's postings are read a block at a time, and only the blocks
    that hold a candidate are decoded — far cheaper than moving a matcher
    to each candidate in turn when there are thousands. Each group gives the
    set of (document, phrase start) its positions imply, packed in one
    integer; the phrase's matches are the intersection of those sets, and
    each group is read only for the candidates the previous ones left.
    """
    starts: set[int] | None = None
    wanted = set(candidates)
    span = max(offset for offset, _group in placed) + 1
    for offset, group in placed:
        found = _group_starts(reader, fieldname, group, candidates, wanted, span - offset)
        if starts is None and hold_every_group and len(placed) > 1:
            # Then the first group leaves every candidate: no need to ask
            # which (a set of some 100,000 documents for a common phrase).
            starts = found
            continue
        starts = found if starts is None else starts & found
        alive = {start >> _POSITION_BITS for start in starts}
        if len(alive) < len(wanted):
            wanted = alive
            candidates = sorted(alive)
        if not candidates:
            break
    return candidates


def _group_starts(reader, fieldname: str, terms: list[str], candidates: list[int],
                  wanted: set[int], shift: int) -> set[int]:
    """For each candidate holding one of ``terms``, its positions as packed
    phrase starts (position + ``shift``, so that no start is negative)."""
    found: set[int] = set()
    field = reader.schema[fieldname]
    decode = field.format.decode_positions
    read: set[bytes] = set()
    for term in terms:
        matcher = raw_postings(reader, fieldname, field.to_bytes(term))
        if matcher is None:
            continue
        if len(terms) > 1 and isinstance(matcher, LeafMatcher):
            # Alternatives at one position often hold the same postings
            # (``cooperation sud`` and ``cooperation sudsud`` where Sud-Sud is
            # always hyphenated): their positions are read once.
            stored = matcher.stored_bytes()
            if stored in read:
                continue
            read.add(stored)
        for ids, _weights, values in blocks(matcher, candidates, values=True):
            mask = list(map(wanted.__contains__, ids))
            if True not in mask:
                continue
            if isinstance(values, BlockValues):
                data, ends = values.spans()
                if len(data) - ends[0] == len(ids) and max(data[ends[0]:]) < 0x80:
                    # One position in each document (most pairs): C-level maps
                    # over the block's bytes.
                    found.update(map(add, map(lshift, compress(ids, mask), repeat(_POSITION_BITS)),
                                     map(shift.__add__, compress(data[ends[0]:], mask))))
                    continue
            else:  # a term's inlined postings: their values as they are
                data = b"".join(values)
                ends = list(accumulate(map(len, values), initial=0))
            for i in compress(range(len(ids)), mask):
                start, end = ends[i], ends[i + 1]
                base = (ids[i] << _POSITION_BITS) + shift
                if end - start == 1:  # one position (a one-byte varint): most words
                    found.add(base + data[start])
                else:
                    found.update(map(base.__add__, decode(data[start:end])))
    return found


def near_matches(reader, fieldname: str, words: list[str], slop: int,
                 candidates: list[int]) -> list[int]:
    """The ``candidates`` (sorted document numbers of one segment) holding
    ``words`` in order, each one to ``slop`` positions after the one before
    (Whoosh's ``"…"~slop``: its SpanNear2 with mindist 1).

    The candidates holding the words side by side match whatever the slop:
    for a field with word pairs, those are found on the pairs, and only the
    others have their words' positions read and checked.
    """
    adjacent: set[int] = set()
    pairs_field = PAIRS_FIELDS.get(fieldname)
    if len(words) == 2 and pairs_field in reader.schema:
        # Two words side by side: the documents holding their pair.
        adjacent = ids_among(reader, pairs_field, reader.schema[pairs_field].to_bytes(
            words[0] + SEPARATOR + words[1]), set(candidates))
    elif len(words) > 2 and pairs_field in reader.schema:
        adjacent.update(phrase_matches(reader, pairs_field,
                                       covering(pair_groups([[w] for w in words]),
                                                documents_holding(reader, pairs_field)),
                                       candidates))
    rest = [docnum for docnum in candidates if docnum not in adjacent]
    if not rest:
        return sorted(adjacent)
    # Each word's positions in the rest, packed with their document (as
    # phrase_matches does): the positions each next word reaches are those
    # 1 to slop after one the words before reached, by set operations.
    wanted = set(rest)
    reached = _group_starts(reader, fieldname, [words[0]], rest, wanted, 0)
    for word in words[1:]:
        if not reached:
            break
        following = _group_starts(reader, fieldname, [word], rest, wanted, 0)
        reached = set().union(*(following.intersection(map(step.__add__, reached))
                                for step in range(1, slop + 1)))
    return sorted(adjacent.union({start >> _POSITION_BITS for start in reached}))
