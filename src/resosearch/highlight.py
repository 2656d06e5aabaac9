"""Mark the words of a paragraph that a query matched.

The stored text is analyzed again with the index's analyzers; a token whose
term the query looked for is marked at its original character offsets, so
"Coopération" is marked in the text, not its stem.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from resosearch.analysis import word_spans
from resosearch.pairs import SEPARATOR

Span = tuple[int, int]

def find_spans(text: str, terms: Iterable[tuple[str, str | bytes]]) -> list[Span]:
    """Character spans of ``text`` whose terms are among ``terms`` ((field, term) pairs).

    Terms of the stemmed ``text`` field, of the unstemmed ``exact`` field and
    of ``pairs`` (two adjacent exact terms) are recognised, from one pass of
    the tokenizer that both analyzers share.
    """
    wanted: dict[str, set[str]] = {"text": set(), "exact": set(), "pairs": set()}
    for fieldname, term in terms:
        if fieldname in wanted:
            wanted[fieldname].add(term if isinstance(term, str) else term.decode("utf-8"))
    stemmed, exact, pairs = wanted["text"], wanted["exact"], wanted["pairs"]
    if not (stemmed or exact or pairs):
        return []
    spans: list[Span] = []
    by_position: dict[int, list[tuple[str, int, int]]] = {}
    for pos, start, end, exact_term, stemmed_terms in word_spans(text):
        if exact_term in exact or not stemmed.isdisjoint(stemmed_terms):
            spans.append((start, end))
        if pairs:
            by_position.setdefault(pos, []).append((exact_term, start, end))
    if pairs:
        spans.extend(_pair_spans(by_position, pairs))
    return merge_spans(text, spans)


def _pair_spans(by_position: dict[int, list[tuple[str, int, int]]], pairs: set[str]) -> list[Span]:
    """Spans of the two words of each wanted pair where they stand side by side."""
    spans: list[Span] = []
    for pos, left in by_position.items():
        for a, a_start, a_end in left:
            for b, b_start, b_end in by_position.get(pos + 1, ()):
                if a + SEPARATOR + b in pairs:
                    spans += [(a_start, a_end), (b_start, b_end)]
    return spans


def merge_spans(text: str, spans: list[Span]) -> list[Span]:
    """Sort, and join spans that overlap or are separated only by spaces."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and (start <= merged[-1][1] or not text[merged[-1][1]:start].strip()):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def render(text: str, spans: list[Span], before: str = "<mark>", after: str = "</mark>",
           escape: bool = True) -> str:
    """``text`` with each span wrapped; HTML-escaped unless ``escape`` is False."""
    out: list[str] = []
    cursor = 0
    quote = html.escape if escape else (lambda s: s)
    for start, end in spans:
        out.append(quote(text[cursor:start]))
        out.append(before + quote(text[start:end]) + after)
        cursor = end
    out.append(quote(text[cursor:]))
    return "".join(out)


def snippet(text: str, spans: list[Span], width: int = 280) -> tuple[str, list[Span]]:
    """A window of about ``width`` characters around the first marks, on word edges."""
    if len(text) <= width:
        return text, spans
    first = spans[0][0] if spans else 0
    start = max(0, first - width // 4)
    if start:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    prefix = "…" if start else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - start
    inside = [(max(s, start) + shift, min(e, end) + shift) for s, e in spans if e > start and s < end]
    return prefix + text[start:end] + suffix, inside
