"""Glued footnote numbers: the markers of the PDF text layout, printed as
digits glued to the text (``Sud-Sud2``, ``20021`` = 2002 + note 1,
``63/2332`` = 63/233 + note 2), found and turned into sentinels
(resosearch.chars.marker).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

from resosearch.chars import OPEN, is_letter, marker

# Words after which a lone number is a quantity or a reference, not a marker.
_NUMBER_WORDS = frozenset(
    "article articles paragraphe paragraphes par alinéa alinéas point points section "
    "sections chapitre chapitres chap annexe annexes résolution résolutions décision "
    "décisions session sessions objectif objectifs cible cibles numéro no n° vol volume "
    "tome partie parties protocole recommandation recommandations règle règles étape phase "
    "catégorie principe principes groupe annexe page pages de des du le la les l à au aux "
    "et ou sur par pour en dans entre plus moins environ sont soit quelque tous toutes "
    "année années an ans jour jours mois semaine semaines heure heures fois mille millions "
    "milliards pour cent".split()
)


def separate_markers(texts: Sequence[str], notes: Sequence[int]) -> list[str]:
    """Turn footnote numbers glued into the text into marker sentinels.

    ``texts`` are the segments in document order, ``notes`` the footnote
    numbers the document defines. Markers are printed in note order, so the
    next expected number is searched after the previous marker, in these
    forms (for note 2): a word ending in it (``Sud-Sud2``, ``Sud »2``), a
    year followed by it (``20022``), a resolution number followed by it
    (``63/2332`` — resolution numbers have at most three digits), or standing
    alone after a word and before punctuation (``développement 2,``) unless
    the word is one that numbers follow (``article``, ``par.``, ``des``…).
    A number never found is skipped. Then a word with an already seen note
    number glued to it (``Sud-Sud3`` again) is also a marker.
    """
    if not notes or not texts:
        return list(texts)
    sep = "\n"
    whole = sep.join(texts)
    if OPEN in whole:  # the document marks its notes explicitly
        return list(texts)
    pending = sorted(set(notes))
    seen: list[int] = []
    pos = 0
    while pending:
        found = None
        for index, number in enumerate(pending[:3]):
            hit = _find_marker(whole, number, pos)
            if hit is not None:
                found = (hit, index, number)
                break
        if found is None:
            break
        (start, end), index, number = found
        whole = whole[:start] + marker(number) + whole[end:]
        pos = start + len(marker(number))
        seen.append(number)
        del pending[: index + 1]
    if seen:
        numbers = "|".join(str(n) for n in sorted(seen, key=lambda n: -len(str(n))))
        pattern = re.compile(rf"(?<=[^\W\d_])({numbers})(?![\w/])")
        whole = pattern.sub(lambda m: _repeat(m, whole), whole)
    return whole.split(sep)


def _word_before(text: str, end: int) -> str:
    """The run of word characters, apostrophes and hyphens ending at ``end``
    (what ``[\\w’'-]*$`` finds in ``text[:end]``, without a regex search
    that retries from every position of the text before)."""
    start = end
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_’'-"):
        start -= 1
    return text[start:end]


def _repeat(match: re.Match[str], whole: str) -> str:
    word = _word_before(whole, match.start())
    letters = word.split("-")[-1]
    if not any(c.islower() for c in letters) or len(letters) < 2:
        return match.group(0)
    return marker(int(match.group(1)))


def _find_marker(text: str, number: int, pos: int) -> tuple[int, int] | None:
    """Where note ``number`` is printed in ``text`` after ``pos``: the
    earliest of the first match of each form (see :func:`_marker_patterns`).

    Every form holds the number itself, so the search starts a few
    characters before its first occurrence; once a form has been found, the
    next ones are only searched up to it. (Searching the rest of the
    document for each form, for each note, cost more than the rest of
    parsing.)"""
    digits = str(number)
    rest = text[pos:]
    first = rest.find(digits)
    if first == -1:
        return None
    best: tuple[int, int] | None = None
    for kind, pattern in enumerate(_marker_patterns(digits)):
        if kind == 3:
            matches = _alone_matches(rest, digits, pattern, first)
        else:
            # The end leaves room for the few characters a match can begin
            # with and look at after (a form found after ``best`` cannot do
            # better).
            end = len(rest) if best is None else best[0] - pos + len(digits) + _MARKER_LEAD + 1
            matches = pattern.finditer(rest, max(0, first - _MARKER_LEAD), end)
        for match in matches:
            # (A number alone takes the spaces before it with it.)
            start, stop = pos + (match.start() if kind == 3 else match.start(1)), pos + match.end(1)
            if best is not None and start >= best[0]:
                break
            if kind == 0 and not _glued_ok(text, start):
                continue
            if kind == 2:
                tail = match.group(0).split("/")[1]
                if len(tail) <= 3 or len(tail) - len(digits) < 1:
                    continue
            if kind == 3 and _letters_before(text, start).lower() in _NUMBER_WORDS:
                continue  # "article 2,"
            best = (start, stop)
            break
    return best


# The most characters a glued marker's match takes before the number
# (a resolution number's "123/45"), and one more.
_MARKER_LEAD = 8


def _alone_matches(rest: str, digits: str, pattern: re.Pattern[str],
                   first: int) -> Iterator[re.Match[str]]:
    """The matches of the last form (the number alone after a word, before
    punctuation) in ``rest``, in order, as ``pattern.finditer`` finds them:
    only the spaces before each occurrence of the number (from ``first``)
    are tried, not every space of the document."""
    at = first
    while at != -1:
        start = at
        while start and rest[start - 1] != "\n" and rest[start - 1].isspace():
            start -= 1
        if 0 < start < at and is_letter(rest[start - 1]):
            match = pattern.match(rest, start)
            if match is not None:
                yield match
        at = rest.find(digits, at + 1)


def _letters_before(text: str, end: int) -> str:
    """The run of letters ending at ``end``."""
    start = end
    while start and is_letter(text[start - 1]):
        start -= 1
    return text[start:end]


@lru_cache(maxsize=256)
def _marker_patterns(digits: str) -> tuple[re.Pattern[str], ...]:
    """Where footnote number ``digits`` may be printed, in :func:`_find_marker`'s
    order of kinds. Each pattern starts with what it must match rather than
    with a lookbehind (which the regex engine would try at every position
    of the text): the check on the character before the match comes after
    its first characters, looking back over them."""
    return tuple(re.compile(pattern, re.M) for pattern in (
        # glued to a word or a closing quote/bracket
        rf"({digits})(?<=[^\W\d_]{digits}|[»”)’]{digits})(?![\w/])",
        # glued to a year (nothing of a number before it)
        rf"(?:1[89]|20)(?<![\w/.,]..)\d\d({digits})(?![\w/])",
        # glued to a resolution number
        rf"\d(?<![\w/.]\d)\d{{0,2}}/\d{{1,3}}({digits})(?![\w/])",
        # alone after a word, before punctuation
        # (never across the newline that separates segments here)
        rf"[^\S\n](?<=[^\W\d_][^\S\n])[^\S\n]*({digits})(?=[^\S\n]*[,;.:)]|[^\S\n]*$)",
    ))


def _glued_ok(text: str, start: int) -> bool:
    word = _word_before(text, start)
    letters = word.split("-")[-1]
    if not letters:
        return True  # after a bracket or quote
    if re.fullmatch(r"[A-Z]{1,4}", letters):
        return False  # CO2, G20, H1N1
    return True
