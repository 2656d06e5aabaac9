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

from collections.abc import Iterable, Iterator

from whoosh.analysis import Analyzer, Filter, Token

from resosearch.analysis import exact_analyzer

SEPARATOR = " "


class PairFilter(Filter):
    """Replaces a token stream by the pairs of terms at adjacent positions."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        previous: list[str] = []
        current: list[str] = []
        current_pos = None
        out = None
        for token in tokens:
            if token.pos != current_pos:
                if current_pos is not None:
                    previous = current if token.pos == current_pos + 1 else []
                current, current_pos = [], token.pos
            current.append(token.text)
            for before in previous:
                out = token.copy() if out is None else out
                out.text = before + SEPARATOR + token.text
                out.pos = token.pos - 1
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
