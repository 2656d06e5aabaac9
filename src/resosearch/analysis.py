"""The French analyzer: what a user types finds what the resolution says.

One chain of small Whoosh filters, the same for indexing and querying::

    UNTokenizer | ElisionFilter | CompoundFilter | FrenchStopFilter | StemFoldFilter
    UNTokenizer | ElisionFilter | CompoundFilter | FoldFilter

(``text_analyzer()`` and ``exact_analyzer()``; lower case and ligatures are
applied inside the cached stem and fold functions, see :func:`normalize`).

* ``l’Assemblée``, ``L'Assemblée``, ``jusqu’à``: the elided article is dropped
  and takes no position; the offsets point at ``Assemblée``.
* ``Sud-Sud`` gives ``sud`` and ``sud`` at two positions, and the joined
  ``sudsud`` beside the first; ``Sud Sud`` and ``Sud-Sud`` therefore match.
* Lower case, ``œ`` → ``oe``, ``æ`` → ``ae``, accents folded by unidecode.
* Snowball French stems the *accented* word (it needs the accents); its
  folded stem is emitted, and, at the same position when it differs, the stem
  of the folded word: ``sécurité`` → ``secur`` + ``securit``, while
  ``securite`` → ``securit``. Any word and its unaccented spelling therefore
  share a term at the same position.
* Stop words are removed from the stemmed field without renumbering, so
  positions are those of the exact field and phrases keep their gaps.
* Symbols and numbers are units (see :mod:`resosearch.tokenize`):
  ``A/RES/64/222`` is also ``64/222``, never ``64`` nor ``222``.

Alternatives for one word share its ``pos`` and its offsets. A query is the
AND (or phrase) of its positions, each position the OR of its terms:
:func:`query_groups` gives that grouping (for ranked free text, score each
group by its best term: whoosh ``DisjunctionMax``).

Stems, foldings and word shapes are kept in bounded LRU caches of
:data:`CACHE_SIZE` entries each. As in whoosh's own tokenizers and filters,
one token object is reused for every term of a stream: copy it
(``t.copy()``) to keep it beyond the next term.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import chain, repeat

import snowballstemmer
from unidecode import unidecode
from whoosh.analysis import Filter, Token
from whoosh.lang.stopwords import stoplists

from resosearch.tokenize import (
    ELISIONS,
    JOINED,
    TOKEN_RE,
    UNIT,
    UNTokenizer,
    elide,
    scan_words,
    split_compound,
)

__all__ = [
    "ANALYZER_VERSION",
    "CACHE_SIZE",
    "ELISIONS",
    "QUESTION_WORDS",
    "STOP_WORDS",
    "CompoundFilter",
    "ElisionFilter",
    "FoldFilter",
    "FrenchStopFilter",
    "NormalizeFilter",
    "StemFoldFilter",
    "analyze",
    "analyzer_fingerprint",
    "clear_caches",
    "exact_analyzer",
    "exact_columns",
    "exact_terms",
    "fold",
    "query_groups",
    "question_groups",
    "stem_terms",
    "stemmed_columns",
    "stemmed_terms",
    "strip_question_words",
    "text_analyzer",
    "word_columns",
    "words",
]

#: Bump whenever the terms or positions produced for some text change.
ANALYZER_VERSION = 1

#: Entries of each cache of stems and foldings (UN vocabulary: ~200k forms).
CACHE_SIZE = 262_144


#: French stop words, compared after folding (``a`` is ``à``, ``ou`` is ``où``).
STOP_WORDS = frozenset(
    unidecode(w) for w in stoplists["fr"] | {"a", "les", "cet", "cette", "où", "y"}
)

#: Words that only make a question a question; :func:`question_groups` drops them.
QUESTION_WORDS = frozenset(
    """quel quels quelle quelles quoi comment combien pourquoi quand lequel
    laquelle lesquels lesquelles dont est-ce qu'est-ce peut-on doit-on faut-il
    faire""".split()
)

_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "Œ": "oe", "Æ": "ae"})
_STEMMER = snowballstemmer.stemmer("french")


@lru_cache(maxsize=16_384)  # only called on misses of the caches below
def normalize(text: str) -> str:
    """Lower case, NFC, ligatures spelled out; accents kept (for the stemmer)."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text).translate(_LIGATURES)
    return text.lower()


def _fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    return "".join(unidecode(normalize(text)).lower().split())


@lru_cache(maxsize=CACHE_SIZE)
def fold(text: str) -> str:
    """``text`` lower-cased, ligatures spelled out, accents folded:
    ``États`` → ``etats``, ``Œuvre`` → ``oeuvre``."""
    return _fold(text)


@lru_cache(maxsize=CACHE_SIZE)
def stem_terms(word: str) -> tuple[str, ...]:
    """The terms of a word (any case): the folded stem of its accented form,
    then the stem of its folded form when that differs.

    ``"Sécurité"`` → ``("secur", "securit")``; ``"securite"`` → ``("securit",)``.
    """
    word = normalize(word)
    if not word.isalpha():  # a symbol or number: kept as it is
        return (word,)
    stem = _STEMMER.stemWord(word)
    if word.isascii():
        return (stem,)
    first = _fold(stem)  # stems stay out of the cache of word forms
    second = _STEMMER.stemWord(fold(word))
    return (first,) if first == second else (first, second)


class ElisionFilter(Filter):
    """Drops an elided article or conjunction glued to the word
    (:data:`ELISIONS`, any case, ``'`` or ``’``): ``l’Assemblée`` →
    ``Assemblée``, its offsets moved to the word. Takes no position."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        joined_kind = JOINED
        for t in tokens:
            if t.kind == joined_kind:
                offset, rest, kind = elide(t.text)
                if offset:
                    t.text = rest
                    t.kind = kind
                    if t.chars:
                        t.startchar += offset
            yield t


class CompoundFilter(Filter):
    """Splits ``Sud-Sud``/``aujourd’hui`` into parts at consecutive positions,
    emitting the joined form (``sudsud``) beside the first part, with the
    offsets of the whole compound. Compounds of more than ``maxjoin`` parts
    are only split.

    :class:`~resosearch.tokenize.UNTokenizer` has already reserved one
    position per part (after elision), so no later token moves; put
    :class:`ElisionFilter` before this filter, as in both chains.
    """

    def __init__(self, maxjoin: int = 3):
        self.maxjoin = maxjoin

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        maxjoin, joined_kind = self.maxjoin, JOINED
        for t in tokens:
            if t.kind != joined_kind:
                yield t
                continue
            parts, joined = split_compound(t.text, maxjoin)
            positions, chars = t.positions, t.chars
            pos = t.pos if positions else 0
            start = t.startchar if chars else 0
            end = t.endchar if chars else 0
            for i, (part, off) in enumerate(parts):
                t.text = part
                if positions:
                    t.pos = pos + i
                if chars:
                    t.startchar = start + off
                    t.endchar = start + off + len(part)
                yield t
                if i == 0 and joined:
                    # The token is reused, as whoosh's own filters do.
                    t.text = joined
                    if chars:
                        t.startchar, t.endchar = start, end
                    yield t


class NormalizeFilter(Filter):
    """Lower case and ligatures (``Œuvre`` → ``oeuvre``); accents kept.

    Not in the two chains: :class:`StemFoldFilter` and :class:`FoldFilter`
    normalise inside their caches, which saves a stage per token. Use it to
    build a chain that keeps accents.
    """

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for t in tokens:
            if t.kind != UNIT:
                t.text = normalize(t.text)
            yield t


class FrenchStopFilter(Filter):
    """Removes :data:`STOP_WORDS` (compared folded) without renumbering.

    Honours ``removestops=False`` (whoosh's highlighter) by marking
    ``stopped`` instead of removing.
    """

    def __init__(self, stoplist: Iterable[str] = STOP_WORDS):
        self.stops = frozenset(fold(w) for w in stoplist)

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        # Units (symbols, numbers) need no test: with a digit or a slash, none
        # of them is a stop word.
        is_stop = self.is_stop
        for t in tokens:
            if not is_stop(t.text):
                yield t
            elif not t.removestops:
                t.stopped = True
                yield t
                t.stopped = False  # the token object is reused for the next word


    def is_stop(self, text: str) -> bool:
        """Whether ``text`` (as tokenized, any case or accents) is a stop word."""
        if text in _surface_forms(self.stops):
            return True
        return not (text.isascii() and text.islower()) and fold(text) in self.stops


@lru_cache(maxsize=8)
def _surface_forms(stops: frozenset[str]) -> frozenset[str]:
    """Stop words as typed: lower case, capitalised, upper case (a fast path;
    anything else is compared folded)."""
    return frozenset(f for w in stops for f in (w, w.capitalize(), w.upper()))


class StemFoldFilter(Filter):
    """Snowball French stems, folded; both variants at the same position."""

    is_morph = True

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        stem = stem_terms  # symbols and numbers come back unchanged
        for t in tokens:
            terms = stem(t.text)
            t.text = terms[0]
            yield t
            if len(terms) > 1:
                # Same position and offsets; the token is reused, as whoosh's
                # own filters (DoubleMetaphoneFilter) do.
                t.text = terms[1]
                yield t


class FoldFilter(Filter):
    """Accents folded, no stemming (the exact field)."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        fold_ = fold  # symbols and numbers are already folded: unchanged
        for t in tokens:
            t.text = fold_(t.text)
            yield t


_TEXT = UNTokenizer() | ElisionFilter() | CompoundFilter() | FrenchStopFilter() | StemFoldFilter()
_EXACT = UNTokenizer() | ElisionFilter() | CompoundFilter() | FoldFilter()
# The part both chains share, and what each adds to a word.
_WORDS = UNTokenizer() | ElisionFilter() | CompoundFilter()
_STOPS = FrenchStopFilter()


@lru_cache(maxsize=16)
def word_columns(text: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The words of ``text`` and their positions, as both chains see them
    before stemming or folding (elided articles dropped, compounds split).

    When several fields index the same text (a paragraph is indexed stemmed,
    exact and in pairs) it is scanned once: see :func:`stemmed_columns` and
    :func:`exact_columns`. The few most recent texts are cached."""
    found, positions = scan_words(text)
    return tuple(found), tuple(positions)


def words(text: str) -> tuple[tuple[str, int], ...]:
    """:func:`word_columns` as (word, position) pairs."""
    return tuple(zip(*word_columns(text), strict=True))


@lru_cache(maxsize=CACHE_SIZE)
def _word_stems(word: str) -> tuple[str, ...]:
    """A word's terms in the stemmed chain (none for a stop word)."""
    return () if _STOPS.is_stop(word) else stem_terms(word)


def _word_terms(word: str) -> tuple[str, tuple[str, ...]]:
    """A word's term in the exact chain, and its terms in the stemmed chain."""
    return fold(word), _word_stems(word)


def word_spans(text: str) -> Iterator[tuple[int, int, int, str, tuple[str, ...]]]:
    """Each word of ``text`` (as :func:`words`) with its position, its
    character offsets, its term in the exact chain and its terms in the
    stemmed chain: one tokenizer pass for what the two analyzers give."""
    for token in _WORDS(text, positions=True, chars=True):
        exact, stemmed = _word_terms(token.text)
        yield token.pos, token.startchar, token.endchar, exact, stemmed


def stemmed_columns(text: str) -> tuple[list[str], list[int]]:
    """The terms of ``text`` in the stemmed chain and their positions: what
    ``text_analyzer()`` gives, without running the tokenizer again."""
    found, positions = word_columns(text)
    stems = list(map(_word_stems, found))
    # A word gives zero (a stop word), one or two terms, each at its position.
    return (list(chain.from_iterable(stems)),
            list(chain.from_iterable(map(repeat, positions, map(len, stems)))))


@lru_cache(maxsize=16)
def exact_columns(text: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The terms of ``text`` in the exact chain and their positions: what
    ``exact_analyzer()`` gives, without running the tokenizer again. (The
    few most recent texts are cached: a paragraph's exact terms are also
    its pairs'.)"""
    found, positions = word_columns(text)
    return tuple(map(fold, found)), positions


def stemmed_terms(text: str) -> list[tuple[str, int]]:
    """:func:`stemmed_columns` as (term, position) pairs."""
    return list(zip(*stemmed_columns(text), strict=True))


def exact_terms(text: str) -> list[tuple[str, int]]:
    """:func:`exact_columns` as (term, position) pairs."""
    return list(zip(*exact_columns(text), strict=True))


def clear_caches() -> None:
    """Empties every cache of stems, foldings and word shapes (to give their
    memory back after a large build, or to measure a cold start)."""
    from resosearch import tokenize

    for cached in (normalize, fold, stem_terms, word_columns, exact_columns, _word_stems, tokenize.elide,
                   tokenize.split_compound, tokenize.word_positions, tokenize._unit_terms,
                   tokenize._token_words):  # fmt: skip
        cached.cache_clear()


def text_analyzer():
    """The analyzer of the main (stemmed) field, for indexing and querying."""
    return _TEXT


def exact_analyzer():
    """The same chain without stemming nor stop words (exact phrases, spelling)."""
    return _EXACT


def analyze(text: str, *, exact: bool = False) -> list[str]:
    """The terms of ``text``, in order (alternatives follow their word)."""
    analyzer = _EXACT if exact else _TEXT
    return [t.text for t in analyzer(text)]


def query_groups(text: str, *, exact: bool = False) -> list[list[str]]:
    """The terms of ``text`` grouped by position: OR within a group, AND (or
    phrase) across groups. Duplicate terms within a group are dropped."""
    analyzer = _EXACT if exact else _TEXT
    groups: dict[int, list[str]] = {}
    for t in analyzer(text, positions=True, mode="query"):
        group = groups.setdefault(t.pos, [])
        if t.text not in group:
            group.append(t.text)
    return [groups[p] for p in sorted(groups)]


def strip_question_words(text: str) -> str:
    """``text`` without the words that only make it a question
    (:data:`QUESTION_WORDS`, any case or accents): ``"Comment renouveler son
    passeport ?"`` → ``"renouveler son passeport ?"``."""
    return " ".join(
        m.group()
        for m in re.finditer(r"\S+", text)
        if fold(m.group().strip('?!.,;:«»"()')) not in _QUESTION_FOLDED
    )


def question_groups(text: str) -> list[list[str]]:
    """:func:`query_groups` of a question typed in full, without its question
    words (:func:`strip_question_words`). For free-text, OR-ed ranking, make
    each group one disjunction scored by its best term (whoosh
    ``DisjunctionMax``): the two stems of one word then count once."""
    return query_groups(strip_question_words(text))


_QUESTION_FOLDED = frozenset(fold(w) for w in QUESTION_WORDS)


def _describe(analyzer) -> str:
    """A deterministic description of a chain (repr of sets is not)."""
    parts = []
    for item in analyzer.items:
        attrs = sorted(
            (k, sorted(v) if isinstance(v, (set, frozenset)) else v) for k, v in vars(item).items()
        )
        parts.append(f"{type(item).__module__}.{type(item).__name__}{attrs}")
    return ">".join(parts)


#: A text run through both analyzers by :func:`analyzer_fingerprint`: if a new
#: stemmer, unidecode or regex changes any of its terms, the fingerprint moves.
_PROBE = (
    "L’Assemblée générale, rappelant ses résolutions 57/270 B et A/RES/64/222, "
    "le rapport A/66/717/Add. 1 et FCCC/CP/2015/10/Add.1, souligne que la coopération "
    "Sud-Sud ne saurait se substituer à la coopération Nord-Sud ; d’inspection, "
    "jusqu’à l’œuvre des États Membres, sécurité, intérêts, développements, humanité, "
    "secrétaires, sous-régionales, non-ingérence, Convention-cadre, aujourd’hui, "
    "3,5 millions, 1er, 71e, 10\u00a0000, F.78.II.A.11, COVID-19, Æther, naïveté, "
    "opérationnelles, nationalisation, gouvernements, économiques, considérablement."
)


@lru_cache(maxsize=1)
def analyzer_fingerprint() -> str:
    """A short, stable hash of the analyzers: version, configuration, and the
    terms, positions and offsets they give a probe text (so a stemmer or
    unidecode that behaves differently is caught, a mere upgrade is not).

    An index built with another fingerprint may give other terms for the
    same text: rebuild it.
    """
    probe = [
        f"{t.text}@{t.pos}:{t.startchar}-{t.endchar}"
        for an in (_TEXT, _EXACT)
        for t in an(_PROBE, positions=True, chars=True)
    ]
    config = "|".join(
        [
            str(ANALYZER_VERSION),
            _describe(_TEXT),
            _describe(_EXACT),
            ",".join(sorted(STOP_WORDS)),
            ",".join(ELISIONS),
            TOKEN_RE.pattern,
            " ".join(probe),
        ]
    )
    return hashlib.sha256(config.encode()).hexdigest()[:16]
