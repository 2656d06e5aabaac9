"""Agreed-language finder: the indexed paragraphs closest to a draft paragraph.

Two stages:

1. **Candidates through the index.** The draft's stemmed terms (the ``text``
   field's analysis, stop words dropped) are OR-ed, the rarer terms first;
   a word of the draft that the index does not know (a typo) is looked up
   fuzzily on the unstemmed ``exact`` field. BM25 gives a pool of
   candidate paragraphs.
2. **Re-ranking by a word-level similarity.** Draft and candidate are cut
   into words (``Sud-Sud`` is two words, ``l’Assemblée`` is ``l`` and
   ``Assemblée``), compared folded (no case, no accents), and a word of the
   draft that is not in the candidate may still *nearly* match one of its
   words (one edit for words of 5+ letters, two for 9+; a swap of two
   letters is one edit). The words are aligned with difflib, and

   ``similarity = 0.55 × coverage + 0.30 × contiguity + 0.15 × ratio``

   where *coverage* is the share of the draft's words found in order in the
   paragraph, *contiguity* rewards finding them in long unbroken runs
   (Σ run² / draft length²: agreed language is reused as whole phrases), and
   *ratio* is difflib's 2·M / (draft + paragraph words), which penalises
   extra length. A near (typo) match counts :data:`NEAR_WEIGHT` of an exact
   one. The similarity is 1.0 exactly when the paragraph has the draft's
   words in the draft's order and nothing else (case, accents and
   punctuation aside).

The diff (:attr:`Match.diff`) goes *from the draft to the paragraph*, on
the original words:

* ``equal`` — words in both, shown as the paragraph spells them;
* ``insert`` — words of the paragraph that the draft does not have;
* ``delete`` — words of the draft that the paragraph does not have.

A word matched only nearly (a typo) appears as a ``delete`` of the draft's
spelling followed by an ``insert`` of the paragraph's. Each span carries the
text after its words up to the next word (spaces, punctuation), so joining
the ``equal`` and ``insert`` spans gives back the paragraph's text exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any, Literal

from whoosh import query as q

from resosearch import rank
from resosearch.analysis import STOP_WORDS, analyze, fold
from resosearch.errors import QueryError
from resosearch.filters import combine, filter_queries
from resosearch.schema import stored_paragraph

if TYPE_CHECKING:
    from resosearch.search import Index

__all__ = ["DiffSpan", "Match", "NEAR_WEIGHT", "Similar", "find_similar", "similarity"]

#: How much a near (typo) match counts relative to an exact one.
NEAR_WEIGHT = 0.8
#: Weight of a French stop word (``la``, ``que``) relative to another word.
STOP_WEIGHT = 0.4
#: Weights of coverage, contiguity and ratio in the similarity.
WEIGHTS = (0.55, 0.30, 0.15)
#: Candidate paragraphs fetched from the index before re-ranking (at least).
MIN_POOL = 60
#: Most distinct terms of the draft used to fetch candidates.
MAX_TERMS = 80
#: Longest draft accepted, in characters.
MAX_DRAFT_CHARS = 20_000

Op = Literal["equal", "insert", "delete"]
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class DiffSpan:
    """A run of words with the same fate: ``equal``, ``insert`` (only in the
    paragraph) or ``delete`` (only in the draft)."""

    op: Op
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"op": self.op, "text": self.text}


@dataclass(frozen=True)
class Match:
    """An indexed paragraph close to the draft, with its word-level diff."""

    number: str
    symbol: str
    ref: str
    adopted: date | None
    text: str
    similarity: float
    diff: tuple[DiffSpan, ...]

    @property
    def citation(self) -> str:
        """``"A/RES/71/318, PP4"``."""
        return f"{self.symbol}, {self.ref}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "ref": self.ref,
            "similarity": self.similarity,
            "text": self.text,
            "diff": [span.to_dict() for span in self.diff],
        }


@dataclass(frozen=True)
class Similar:
    """The answer of :func:`find_similar`: the draft and its closest paragraphs."""

    draft: str
    matches: tuple[Match, ...]

    def __iter__(self):
        return iter(self.matches)

    def __len__(self) -> int:
        return len(self.matches)

    def __getitem__(self, index: int) -> Match:
        return self.matches[index]

    def to_dict(self) -> dict[str, Any]:
        return {"matches": [m.to_dict() for m in self.matches]}


# -- words ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Word:
    key: str  # folded
    text: str  # as written
    tail: str  # what follows up to the next word


def _words(text: str) -> tuple[str, list[_Word]]:
    """(text before the first word, the words with their trailing text)."""
    matches = list(_WORD.finditer(text))
    if not matches:
        return text, []
    words = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        words.append(_Word(fold(m.group()), m.group(), text[m.end():end]))
    return text[: matches[0].start()], words


def _edits(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap is one edit), capped at ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if (i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]):
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _tolerance(word: str) -> int:
    return 2 if len(word) >= 9 else 1 if len(word) >= 5 else 0


def _near_keys(draft: list[str], paragraph: list[str]) -> dict[str, str]:
    """Draft words absent from the paragraph → the paragraph word they nearly are."""
    present = set(paragraph)
    targets = [w for w in dict.fromkeys(paragraph) if len(w) >= 5 and not w.isdigit()]
    near: dict[str, str] = {}
    for word in set(draft) - present:
        limit = _tolerance(word)
        if not limit or word.isdigit():
            continue
        best, best_distance = None, limit + 1
        for target in targets:
            if abs(len(target) - len(word)) > limit or target[0] != word[0] and limit < 2:
                continue
            cap = min(limit, _tolerance(target))
            distance = _edits(word, target, cap)
            if distance <= cap and distance < best_distance:
                best, best_distance = target, distance
        if best is not None:
            near[word] = best
    return near


def _align(draft: list[_Word], paragraph: list[_Word]):
    """difflib opcodes on folded words, near words mapped onto the paragraph's."""
    dkeys = [w.key for w in draft]
    pkeys = [w.key for w in paragraph]
    near = _near_keys(dkeys, pkeys)
    mapped = [near.get(k, k) for k in dkeys]
    matcher = SequenceMatcher(None, mapped, pkeys, autojunk=False)
    return matcher, near


def _weight(word: _Word) -> float:
    return STOP_WEIGHT if word.key in STOP_WORDS else 1.0


def _score(draft: list[_Word], paragraph: list[_Word]) -> tuple[float, SequenceMatcher, dict]:
    matcher, near = _align(draft, paragraph)
    if not draft or not paragraph:
        return 0.0, matcher, near
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    if len(blocks) == 1 and blocks[0].size == len(draft) == len(paragraph) and not near:
        return 1.0, matcher, near
    matched = 0.0
    runs = 0.0
    for block in blocks:
        weight = sum(_weight(draft[i]) * (NEAR_WEIGHT if draft[i].key in near else 1.0)
                     for i in range(block.a, block.a + block.size))
        matched += weight
        runs += weight * weight
    n = sum(_weight(w) for w in draft)
    coverage = matched / n
    contiguity = runs / (n * n)
    ratio = 2 * matched / (n + sum(_weight(w) for w in paragraph))
    value = WEIGHTS[0] * coverage + WEIGHTS[1] * contiguity + WEIGHTS[2] * ratio
    return min(round(value, 4), 0.9999), matcher, near


def similarity(draft: str, text: str) -> float:
    """The word-level similarity of ``text`` to ``draft``, in [0, 1] (see the module doc)."""
    return _score(_words(draft)[1], _words(text)[1])[0]


def _diff(draft: list[_Word], paragraph: list[_Word], lead: str, matcher: SequenceMatcher,
          near: dict[str, str]) -> tuple[DiffSpan, ...]:
    spans: list[list[str]] = []  # [op, text]

    def emit(op: str, text: str) -> None:
        if not text:
            return
        if spans and spans[-1][0] == op:
            spans[-1][1] += text
        else:
            spans.append([op, text])

    if lead:
        emit("equal", lead)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                if draft[i].key in near:  # a typo: show both spellings
                    emit("delete", draft[i].text + " ")
                    emit("insert", paragraph[j].text + paragraph[j].tail)
                else:
                    emit("equal", paragraph[j].text + paragraph[j].tail)
            continue
        if tag in ("delete", "replace"):
            emit("delete", "".join(w.text + (w.tail if w.tail.strip() else " ")
                                   for w in draft[i1:i2]))
        if tag in ("insert", "replace"):
            emit("insert", "".join(w.text + w.tail for w in paragraph[j1:j2]))
    return tuple(DiffSpan(op, text) for op, text in spans)  # type: ignore[arg-type]


def diff(draft: str, text: str) -> tuple[DiffSpan, ...]:
    """The word-level diff from ``draft`` to ``text`` (see the module doc)."""
    dwords = _words(draft)[1]
    lead, pwords = _words(text)
    _value, matcher, near = _score(dwords, pwords)
    return _diff(dwords, pwords, lead, matcher, near)


# -- candidates ----------------------------------------------------------------


def _candidate_query(draft: str, reader) -> q.Query | None:
    """OR of the draft's stemmed terms (rarest first, capped), plus fuzzy
    lookups of the words the index does not know."""
    terms = list(dict.fromkeys(analyze(draft)))
    known = [(reader.doc_frequency("text", t), t) for t in terms]
    known = sorted((df, t) for df, t in known if df > 0)
    leaves: list[q.Query] = [q.Term("text", t) for _df, t in known[:MAX_TERMS]]
    unknown = [w for w in dict.fromkeys(analyze(draft, exact=True))
               if len(w) >= 5 and not w.isdigit() and reader.doc_frequency("exact", w) == 0]
    for word in unknown[:20]:  # each as the index's words within its edit distance
        near = list(dict.fromkeys(reader.terms_within("exact", word, min(2, _tolerance(word)),
                                                      prefix=1)))
        if near:
            leaves.append(q.Or([q.Term("exact", found) for found in near]) if len(near) > 1
                          else q.Term("exact", near[0]))
    if not leaves:
        return None
    return q.Or(leaves)


def find_similar(
    index: Index,
    text: str,
    limit: int = 10,
    *,
    min_similarity: float = 0.0,
    resolution: str | Iterable[str] | None = None,
    kind: str | None = None,
    session: int | Iterable[int] | None = None,
    years: int | str | tuple[int, int] | None = None,
    pool: int | None = None,
) -> Similar:
    """The indexed paragraphs closest to the draft ``text``, best first.

    Candidates come from the index (``pool`` of them, by default
    ``max(60, 6 × limit)``) and are re-ranked by :func:`similarity`; ties
    keep the older paragraph first. Filters are those of ``Index.search``.
    Raises QueryError for an empty or overlong draft or a bad limit.
    """
    if limit < 1:
        raise QueryError("limit must be at least 1")
    if len(text) > MAX_DRAFT_CHARS:
        raise QueryError(f"the draft is {len(text)} characters long; the limit is {MAX_DRAFT_CHARS}")
    lead, dwords = _words(text)
    if not dwords:
        raise QueryError("the draft has no words to compare")
    # The words are the paragraphs' own: no need to leave out the resolutions' documents.
    filter_query = combine(filter_queries(session, years, kind, None, resolution))
    size = pool or max(MIN_POOL, 6 * limit)
    with index.reading() as searcher:
        main = _candidate_query(text, searcher.reader())
        if main is None:
            return Similar(text, ())
        found = rank.best(searcher, main, filter_query, size, exact_total=False)
        if found is None:  # a shape resosearch.rank leaves to Whoosh
            hits = searcher.search(main, limit=size, filter=filter_query, terms=False)
            docnums = [hit.docnum for hit in hits]
        else:
            docnums = [docnum for _score, docnum in found[1]]
        candidates = [searcher.stored_fields(docnum) for docnum in docnums]
    scored = []
    for fields in candidates:
        paragraph = stored_paragraph(fields)
        plead, pwords = _words(paragraph.text)
        value, matcher, near = _score(dwords, pwords)
        if value < min_similarity:
            continue
        adopted = fields.get("adopted")
        scored.append((value, adopted or "9999", fields["number"], fields.get("order", 0),
                       fields, paragraph, plead, pwords, matcher, near))
    scored.sort(key=lambda s: (-s[0], s[1], s[2], s[3]))
    matches = []
    for value, adopted, number, _order, fields, paragraph, plead, pwords, matcher, near \
            in scored[:limit]:
        matches.append(Match(
            number=number,
            symbol=fields["symbol"],
            ref=paragraph.ref,
            adopted=date.fromisoformat(adopted) if adopted != "9999" else None,
            text=paragraph.text,
            similarity=value,
            diff=_diff(dwords, pwords, plead, matcher, near),
        ))
    return Similar(text, tuple(matches))
