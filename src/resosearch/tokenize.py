"""Tokenizer for French UN text: words, compounds, numbers and document symbols.

The tokenizer is the only stage that decides what a *unit* is:

* **symbols** of UN documents and resolutions stay one token:
  ``A/RES/68/230``, ``A/68/443/Add.2``, ``A/66/717/Add. 1``,
  ``FCCC/CP/2015/10/Add.1``, ``E/RES/2014/33``, ``DP/2003/2``, the bare
  citation forms ``68/230``, ``2002/18``, ``57/270 B``, and sales numbers
  such as ``F.78.II.A.11``;
* **numbers**: ``3,5`` (and ``3.5``) is one decimal, ``10 000`` written with
  a non-breaking or thin space is one number, ``1er``/``1re``/``1ère`` and
  ``71e``/``71ème`` are ordinals;
* **words**, which may contain apostrophes (``l’Assemblée``,
  ``aujourd’hui``) and hyphens (``Sud-Sud``, ``Convention-cadre``). The
  filters of :mod:`resosearch.analysis` elide and split them.

Each token carries ``t.kind``: :data:`PLAIN`, :data:`JOINED` (apostrophes or
hyphens inside) or :data:`UNIT` (a symbol or number, which later filters
neither split, stem nor stop; its text is normalised by :func:`normalize_unit`
and its citation forms follow it at the same position, see :func:`symbol_terms`).
Offsets (``startchar``/``endchar``) always point into the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from whoosh.analysis import Token, Tokenizer

__all__ = [
    "APOSTROPHES",
    "HYPHENS",
    "JOINED",
    "PLAIN",
    "UNIT",
    "UNTokenizer",
    "normalize_unit",
    "symbol_terms",
]

#: Characters accepted as an apostrophe: ASCII, typographic, modifier letter.
APOSTROPHES = "'\u2019\u02bc"
#: Characters joining the parts of a compound word (not the en dash, a separator).
HYPHENS = "-\u2010\u2011"
# The same, safe inside a regex character class.
AP_CLASS = "'\u2019\u02bc"
HY_CLASS = "\\-\u2010\u2011"

#: Token kinds (``t.kind``): a plain word, a word with apostrophes or hyphens
#: (to elide and split), and a unit (symbol or number: neither split, stopped
#: nor stemmed, its text already normalised).
PLAIN, JOINED, UNIT = 0, 1, 2

_SUP = r"\u00b2\u00b3\u00b9\u2070-\u209f"  # superscripts: footnote marks, skipped
_LETTER = rf"[^\W\d_{_SUP}]"
# Letters, with combining accents after them (NFD input).
_LETTERS = rf"{_LETTER}+(?:[\u0300-\u036f]+{_LETTER}*)*"
_SEG = rf"{_LETTERS}(?:[{AP_CLASS}]{_LETTERS})*"
_WORD = rf"{_SEG}(?:[{HY_CLASS}](?:{_SEG}|\d+(?![\w/])))*"
# The common case, tried first: letters not followed by anything that could
# make them part of a compound, an elision, a symbol or an NFD letter.
_PLAIN = rf"[^\W\d_{_SUP}]+(?![\w{AP_CLASS}{HY_CLASS}/.\u0300-\u036f])"

# A document symbol (as printed, or typed in lower case): a series then /-separated segments; the
# addendum/corrigendum numbers may be written with a space ("Add. 1").
_DOC_SEG = r"(?:(?:Add|Corr|Rev|Amend|Suppl)\.[ \u00a0]?\d+|[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*)"
_DOC_SYMBOL = rf"[A-Za-z](?<![\w/.].)[A-Za-z]{{0,7}}(?:/{_DOC_SEG})+"
# A resolution with its part letter: A/RES/57/270 B.
_RES_PART = r"[A-Za-z](?<![\w/.].)/(?i:res)/\d{1,4}/\d{1,4}[ \u00a0][A-Z](?![\w'\u2019\u2011/-])"
# A bare citation: 68/230, 2002/18, 57/270 B (a part letter, alone), 1/CP.21.
_NUM_SYMBOL = (
    r"\d(?<![\w/.,].)\d{0,3}(?:/(?:\d{1,4}|[A-Z]{1,6}\.\d+))+"
    r"(?:[ \u00a0][A-Z](?![\w'\u2019\u2011-]))?(?![\w/])"
)
# Sales numbers and other dotted references: F.78.II.A.11.
_DOTTED = r"[A-Za-z0-9](?<![\w.].)[A-Za-z0-9]*(?:\.[A-Za-z0-9]+){2,}"
_NUMBER = (
    r"\d+(?:[\u00a0\u202f\u2009]\d{3})*(?:[.,]\d+)?"
    r"(?:(?:er|re|ère|ere|ème|eme|èmes|emes|es|e|è)(?!\w))?"
)

# Every token starts with a word character: the leading lookahead makes the
# scan over spaces and punctuation cheap. Lookbehinds follow the first
# character for the same reason.
TOKEN_RE = re.compile(
    rf"(?=\w)(?:(?P<plain>{_PLAIN})|(?P<sym>{_RES_PART}|{_DOC_SYMBOL}|{_NUM_SYMBOL}|{_DOTTED})"
    rf"|(?P<num>{_NUMBER})|(?P<word>{_WORD}))"
)
#: Elided articles and conjunctions, stripped before a word (any case, ' or ’).
ELISIONS = ("l", "m", "t", "qu", "n", "s", "j", "d", "c",
            "jusqu", "quoiqu", "lorsqu", "puisqu")  # fmt: skip
_ELISION_RE = re.compile(
    r"(?i)^(?:" + "|".join(sorted(ELISIONS, key=len, reverse=True)) + ")[" + AP_CLASS + r"](?=\w)"
)
_SPLIT_RE = re.compile("[" + HY_CLASS + AP_CLASS + "]")

_G_PLAIN, _G_SYM, _G_NUM, _G_WORD = (
    TOKEN_RE.groupindex[g] for g in ("plain", "sym", "num", "word")
)
_WORD_RE = re.compile(rf"{_WORD}|\d+")
_SPACES = re.compile(r"[ \u00a0\u202f\u2009]")
_ORDINAL = re.compile(r"^(\d+)(er|re|ère|ere|ème|eme|èmes|emes|es|e|è)$")
_RES = re.compile(r"^(?:[a-z]+/)*res/(.+)$")
_PART = re.compile(r"^(\d+/\d+)[a-z]$")


@lru_cache(maxsize=262_144)
def elide(word: str) -> tuple[int, str, int]:
    """``(offset, rest, kind)``: the word without its elided article, where
    the rest starts, and whether it is still :data:`JOINED` or now
    :data:`PLAIN`. ``"l’Assemblée"`` → ``(2, "Assemblée", PLAIN)``;
    ``"aujourd’hui"`` → ``(0, "aujourd’hui", JOINED)``."""
    m = _ELISION_RE.match(word)
    if not m:
        return 0, word, JOINED
    rest = word[m.end() :]
    return m.end(), rest, (JOINED if _SPLIT_RE.search(rest) else PLAIN)


@lru_cache(maxsize=262_144)
def split_compound(word: str, maxjoin: int = 3) -> tuple[tuple[tuple[str, int], ...], str | None]:
    """The parts of a word at its hyphens and apostrophes, with their offsets,
    and the joined form (None for one part or more than ``maxjoin``):
    ``"Sud-Sud"`` → ``((("Sud", 0), ("Sud", 4)), "SudSud")``."""
    parts = []
    start = 0
    for m in _SPLIT_RE.finditer(word):
        parts.append((word[start : m.start()], start))
        start = m.end()
    parts.append((word[start:], start))
    parts = [(p, off) for p, off in parts if p]
    joined = "".join(p for p, _ in parts) if 1 < len(parts) <= maxjoin else None
    return tuple(parts), joined


@lru_cache(maxsize=262_144)
def word_positions(word: str) -> int:
    """How many positions a word takes: one per part once elided."""
    return len(split_compound(elide(word)[1])[0])


def normalize_unit(raw: str) -> str:
    """The indexed form of a symbol or number: lower case, no spaces.

    ``"A/66/717/Add. 1"`` → ``"a/66/717/add.1"``; ``"57/270 B"`` →
    ``"57/270b"``; ``"3.5"`` → ``"3,5"``; ``"10 000"`` → ``"10000"``;
    ``"1ère"`` → ``"1er"``; ``"71ème"`` → ``"71e"``.
    """
    text = _SPACES.sub("", raw).lower()
    m = _ORDINAL.match(text)
    if m:
        return m.group(1) + ("er" if m.group(1) == "1" else "e")
    if text.replace(".", "").isdigit() and text.count(".") == 1:
        return text.replace(".", ",")  # a decimal typed the English way
    return text


@lru_cache(maxsize=65536)
def _unit_terms(raw: str) -> tuple[str, ...]:
    return symbol_terms(normalize_unit(raw))


def symbol_terms(unit: str) -> tuple[str, ...]:
    """All the terms a normalised unit is indexed under, the full form first.

    A resolution symbol is also findable by its citation form
    (``a/res/64/222`` → ``64/222``), and a resolution part by the
    resolution (``57/270b`` → ``57/270``). Nothing else is generalised:
    ``64/222`` never yields ``64`` or ``222``, and ``a/68/443/add.2``
    is not ``a/68/443``.
    """
    terms = [unit]
    m = _RES.match(unit)
    if m:
        terms.append(m.group(1))
    m = _PART.match(terms[-1])
    if m:
        terms.append(m.group(1))
    return tuple(terms)


class UNTokenizer(Tokenizer):
    """Yields words, numbers and symbols with positions and character offsets.

    Symbols without any digit (``ONU/PNUD``) are not symbols: their words are
    yielded one by one.
    """

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self).__name__)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            t.kind = PLAIN if value.isalpha() else JOINED
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(value)
            yield t
            return
        # t.boost (1.0) and t.stopped (False) are set by Token(); no filter of
        # ours changes the boost, and the stop filter sets ``stopped`` itself.
        # t.kind stays PLAIN unless changed for one token, and is reset after.
        pos = start_pos
        g_plain, plain = _G_PLAIN, PLAIN
        t.kind = plain
        for m in TOKEN_RE.finditer(value):
            group = m.lastindex
            if group == g_plain:  # most tokens: the short path
                start, end = m.span()
                t.text = text = value[start:end]
                if positions:
                    t.pos = pos
                    pos += 1
                if chars:
                    t.startchar = start_char + start
                    t.endchar = start_char + end
                if keeporiginal:
                    t.original = text
                yield t
                continue
            raw = m.group()
            if group == _G_SYM and not any(c.isdigit() for c in raw):
                # Upper-case words around a slash (ONU/PNUD): words.
                for w in _WORD_RE.finditer(value, m.start(), m.end()):
                    t.text = text = w.group()
                    t.kind = PLAIN if text.isalpha() else JOINED
                    if positions:
                        t.pos = pos
                        pos += 1 if t.kind == PLAIN else word_positions(text)
                    if chars:
                        t.startchar = start_char + w.start()
                        t.endchar = start_char + w.end()
                    if keeporiginal:
                        t.original = text
                    yield t
                    t.kind = plain
                continue
            if positions:
                t.pos = pos
                pos += 1
            if chars:
                t.startchar = start_char + m.start()
                t.endchar = start_char + m.end()
            if keeporiginal:
                t.original = raw
            if group == _G_WORD:
                t.text = raw
                if raw.isalpha():
                    t.kind = PLAIN
                else:
                    # One position per part: the compound filter splits it.
                    t.kind = JOINED
                    pos += word_positions(raw) - 1
                yield t
                t.kind = plain
            else:
                # The full form, then its citation forms at the same position.
                # (positions are reset: a later filter may shift them).
                t.kind = UNIT
                for term in _unit_terms(raw):
                    t.text = term
                    if positions:
                        t.pos = pos - 1
                    yield t
                t.kind = plain


def scan_words(text: str) -> tuple[list[str], list[int]]:
    """The words of ``text`` and their positions, in two lists: what
    ``UNTokenizer | ElisionFilter | CompoundFilter`` gives (elided articles
    dropped, compounds split with the joined form beside the first part,
    symbols followed by their citation forms), without a token object per
    word. Indexing runs this on every paragraph; queries and highlights use
    the filter chain. tests/test_scan.py checks that the two agree."""
    words: list[str] = []
    positions: list[int] = []
    add_word, add_position = words.append, positions.append
    pos = 0
    for plain, symbol, number, word in TOKEN_RE.findall(text):
        if plain:  # most tokens
            add_word(plain)
            add_position(pos)
            pos += 1
            continue
        parts, width = _token_words(symbol, number, word)
        for part, offset in parts:
            add_word(part)
            add_position(pos + offset)
        pos += width
    return words, positions


@lru_cache(maxsize=65536)
def _token_words(symbol: str, number: str, word: str) -> tuple[tuple[tuple[str, int], ...], int]:
    """The words of one token that is not a plain word, each with its offset
    from the token's position, and how many positions the token takes (as
    UNTokenizer gives them, elided and split)."""
    if word:
        return _word_parts(word)
    if symbol and not any(c.isdigit() for c in symbol):
        # Upper-case words around a slash (ONU/PNUD): words.
        parts: list[tuple[str, int]] = []
        offset = 0
        for m in _WORD_RE.finditer(symbol):
            sub, width = _word_parts(m.group())
            parts.extend((part, offset + at) for part, at in sub)
            offset += width
        return tuple(parts), offset
    # A unit: its full form, then its citation forms, at one position.
    return tuple((term, 0) for term in _unit_terms(symbol or number)), 1


def _word_parts(word: str) -> tuple[tuple[tuple[str, int], ...], int]:
    """A word's parts with their offsets, and its width in positions: a
    plain word as it is; one with apostrophes or hyphens elided then split
    (see analysis.ElisionFilter and analysis.CompoundFilter)."""
    if word.isalpha():
        return ((word, 0),), 1
    _offset, rest, kind = elide(word)
    if kind == PLAIN:
        return ((rest, 0),), 1
    parts, joined = split_compound(rest)
    out: list[tuple[str, int]] = []
    for i, (part, _start) in enumerate(parts):
        out.append((part, i))
        if i == 0 and joined:
            out.append((joined, 0))
    return tuple(out), len(parts)
