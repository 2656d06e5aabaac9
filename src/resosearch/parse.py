"""Parse: cleaned segments → a :class:`~resosearch.models.Resolution`.

The structure follows the UN editorial rules rather than any one file:

* **Preface** — lines before the opening ``L'Assemblée générale,``: the
  distribution date (``Distr. générale`` + date), the session in words
  (``Soixante et onzième session`` → 71), the agenda item (``Point 24, b, de
  l'ordre du jour`` → ``"24 b"``), the adoption date (``Résolution adoptée
  par l'Assemblée générale le 20 décembre 2013``), the bracketed line naming
  the report (see :func:`find_report`) and the title line ``68/230. Title``.
* **Preamble** — unnumbered paragraphs, each opening with a participle or an
  adjective (``Rappelant``, ``Consciente``, ``Profondément préoccupée``),
  ending with a comma. ``PP1``, ``PP2``… by position.
* **Operative part** — paragraphs numbered ``1.``, ``2.``… in order (a skip
  or a step back is a ParseError naming the line and the number expected),
  opening with a present-tense verb; sub-paragraphs ``a)``, ``b)``… and under
  them ``i)``, ``ii)``… (``OP1(d)(i)``). A resolution with a single,
  unnumbered operative paragraph has it as ``OP1``.
* **Conclusions** — ``71e séance plénière`` and the date of adoption; text
  after them (annexes) is not part of the resolution's paragraphs.

A paragraph runs on across blank lines, page breaks and footnote blocks until
the next paragraph starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from resosearch.chars import take_markers, tidy
from resosearch.clean import TITLE_HEAD, Cleaned, Segment, clean, join_lines
from resosearch.errors import ParseError
from resosearch.models import OPERATIVE, PREAMBULAR, Kind, Paragraph, Resolution
from resosearch.read import read_file

__all__ = [
    "find_citations",
    "find_report",
    "leading_verb",
    "parse_date",
    "parse_file",
    "parse_session_words",
    "parse_text",
]

# --------------------------------------------------------------------------
# Dates and numbers in words

_MONTHS = {
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
}
_DATE_RE = re.compile(
    r"\b(\d{1,2})\s*(?:er|re)?\s+(" + "|".join(_MONTHS) + r")\s+(\d{4})\b", re.I
)


def parse_date(text: str) -> date | None:
    """The first French date in ``text`` (``1er octobre 2009``), or None."""
    for match in _DATE_RE.finditer(text):
        try:
            return date(int(match.group(3)), _MONTHS[match.group(2).lower()], int(match.group(1)))
        except ValueError:
            continue
    return None


_UNITS = {
    "un": 1, "une": 1, "premier": 1, "première": 1, "unième": 1, "deux": 2, "deuxième": 2,
    "second": 2, "seconde": 2, "trois": 3, "troisième": 3, "quatre": 4, "quatrième": 4,
    "cinq": 5, "cinquième": 5, "six": 6, "sixième": 6, "sept": 7, "septième": 7, "huit": 8,
    "huitième": 8, "neuf": 9, "neuvième": 9, "dix": 10, "dixième": 10, "onze": 11,
    "onzième": 11, "douze": 12, "douzième": 12, "treize": 13, "treizième": 13, "quatorze": 14,
    "quatorzième": 14, "quinze": 15, "quinzième": 15, "seize": 16, "seizième": 16,
    "vingt": 20, "vingts": 20, "vingtième": 20, "trente": 30, "trentième": 30, "quarante": 40,
    "quarantième": 40, "cinquante": 50, "cinquantième": 50, "soixante": 60, "soixantième": 60,
    "cent": 100, "centième": 100,
}


def parse_session_words(text: str) -> int | None:
    """A French ordinal in words → int: ``Soixante et onzième`` → 71.

    Handles ``quatre-vingt`` (80) and ``soixante-dix-septième`` (77); None if
    a word is not a number word.
    """
    words = [w for w in re.split(r"[\s\-‑]+", text.lower().strip()) if w and w != "et"]
    if not words:
        return None
    total = 0
    i = 0
    while i < len(words):
        word = words[i]
        if word not in _UNITS:
            return None
        value = _UNITS[word]
        if word == "quatre" and i + 1 < len(words) and words[i + 1].startswith("vingt"):
            value, i = 80, i + 1
        elif value == 100 and total:
            total, value = total * 100, 0
        total += value
        i += 1
    return total or None


# --------------------------------------------------------------------------
# Verbs

# Verbal locutions: a verb and the noun (or phrase) that makes its meaning.
_LOCUTIONS: dict[str, tuple[tuple[str, ...], ...]] = {}
for _heads, _tails in (
    (("prend", "prenant", "prendre"),
     (("note",), ("acte",), ("en", "considération"), ("en", "compte"), ("part",),
      ("position",), ("connaissance",))),
    (("tient", "tenant"), (("compte",),)),
    (("rend", "rendant"), (("hommage",),)),
    (("met", "mettant"), (("l'accent",), ("l’accent",), ("en", "garde"))),
    (("fait", "faisant"), (("sien",), ("siens",), ("sienne",), ("siennes",), ("appel",),
                           ("observer",))),
    (("lance", "lançant"), (("un", "appel"),)),
    (("garde", "gardant"), (("à", "l'esprit"), ("à", "l’esprit"), ("présent", "à", "l'esprit"),
                            ("présent", "à", "l’esprit"))),
    (("ayant",), (("à", "l'esprit"), ("à", "l’esprit"), ("présent", "à", "l'esprit"),
                  ("présent", "à", "l’esprit"), ("pris", "note"), ("pris", "acte"),
                  ("pris", "connaissance"))),
    (("compte",), (("tenu",),)),
    (("eu",), (("égard",),)),
    (("donne", "donnant"), (("suite",),)),
):
    for _head in _heads:
        _LOCUTIONS[_head] = _tails

_PAST_PARTICIPLE_RE = re.compile(r".*(?:é|ée|és|ées|i|is|ie|u|us|ue|it|ert|int)$")
_FUNCTION_WORDS = frozenset(
    "le la les l un une des du de d ce cet cette ces son sa ses leur leurs notre nos "
    "tout toute tous toutes en à au aux dans pour par sur avec sans entre chaque plusieurs "
    "certains certaines il elle ils elles on qui que quand si lorsque dont où y "
    "mon ma mes votre vos aucun aucune".split()
)
_NOUN_ENDINGS = ("tion", "tions", "sion", "sions", "ment", "ments", "ité", "ités", "isme",
                 "eur", "eurs", "ance", "ances", "ence", "ences")
_VERB_ENDINGS_OK = ("commence", "recommence", "lance", "relance", "avance", "renforce",
                    "déplore")


_LONGEST_LOCUTION = max(len(tail) for tails in _LOCUTIONS.values() for tail in tails)


def _word(token: str) -> str:
    return token.strip(",;:.!?()«»\"“”")


def leading_verb(text: str, subparagraph: bool = False) -> str | None:
    """The leading verb of a paragraph, as written.

    Rule (the same for both layouts; italics are not consulted):

    * the first word, with a reflexive pronoun before it (``Se félicitant``,
      ``S'inquiète``) — or, when the first word is an adverb in ``-ment``
      (``Profondément préoccupée``), that adverb and the next word;
    * plus the noun of a verbal locution that follows it: ``Prend note``,
      ``Prend acte``, ``Prenant note``, ``Tenant compte``, ``Rend hommage``,
      ``Mettant l'accent``, ``Fait siennes``, ``Ayant à l'esprit``,
      ``Ayant examiné`` (``Ayant`` + past participle), ``Compte tenu``…;
    * nothing else: adverbs and adverbial phrases (``également``, ``en
      outre``, ``de nouveau``, ``avec satisfaction``), objects (``Réaffirme
      son soutien`` → ``Réaffirme``) and coordinated verbs (``Salue et
      encourage`` → ``Salue``) are left out.

    For a sub-paragraph (``subparagraph=True``) the verb is None when the text
    does not open with a verb: a lower-case word (``de renforcer…``), an
    article or other function word (``Le renforcement…``, ``L'élimination…``),
    a number, or a word with a noun ending (``-tion``, ``-ment``, ``-ité``…).
    """
    tokens = text.split()
    if not tokens:
        return None
    first = _word(tokens[0])
    if not first or not first[0].isalpha():
        return None
    if subparagraph:
        lower = first.lower()
        if (
            first[0].islower()
            or lower in _FUNCTION_WORDS
            or _ELIDED_RE.match(lower) and not lower.startswith(("s'", "s’"))
            or lower.endswith(_NOUN_ENDINGS) and lower not in _VERB_ENDINGS_OK
        ):
            return None
    taken = [first]
    # Past the first word, at most a pronoun's or adverb's word and the
    # longest locution's words are read.
    rest = [_word(t) for t in tokens[1:2 + _LONGEST_LOCUTION]]
    if first.lower() in ("se", "s'", "s’") and rest:
        taken.append(rest.pop(0))
    elif _REFLEXIVE_RE.match(first):
        pass  # "S'inquiétant" is one token already
    elif first.lower().endswith("ment") and rest and not subparagraph:
        taken.append(rest.pop(0))  # Profondément préoccupée
    head = _REFLEXIVE_HEAD_RE.sub("", taken[-1]).lower()
    tails = _LOCUTIONS.get(head, ())
    lowered = [t.lower() for t in rest]
    for tail in sorted(tails, key=len, reverse=True):
        if tuple(lowered[: len(tail)]) == tail:
            taken.extend(rest[: len(tail)])
            break
    else:
        if head == "ayant" and rest and _PAST_PARTICIPLE_RE.match(lowered[0]):
            taken.append(rest[0])
    return " ".join(t for t in taken if t)


_ELIDED_RE = re.compile(r"^[ldcsjmnt]['’]\w")
_REFLEXIVE_RE = re.compile(r"^[Ss]['’]\w")
_REFLEXIVE_HEAD_RE = re.compile(r"^[Ss]['’]")


# --------------------------------------------------------------------------
# Citations

# (Its first digit comes before the look back at the character before it,
# so that the regex engine tries only the digits of a text.)
_CITE_RE = re.compile(r"(\d(?<![\w/.\-]\d)\d?)/(\d{1,3})(?:\s?([A-Z])(?![\w/.\-]))?(?![\w/])")
_CONTEXT_RE = re.compile(r"\b(résolutions?|décisions?)\b", re.I)
_FILLER_RE = re.compile(
    r"\b(?:du|des|de|d|et|ou|en|date|ainsi|que|l|Assemblée|générale|adoptées?|le|la|les|ses|"
    r"sa|son|leurs?|ci-dessus|précitées?|susmentionnées?|respectivement|notamment|"
    r"janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|"
    r"décembre|\d{1,4}|er)\b",
    re.I,
)


_SEPARATORS_RE = re.compile(r"[\s,'’]+")


def find_citations(text: str) -> tuple[str, ...]:
    """The General Assembly resolutions cited in ``text``, in order, unique.

    A citation is a ``session/number`` (``64/222``), with an optional part
    letter (``57/270 B``), in a run that follows the word ``résolution(s)``:
    between that word and the number there may only be other such numbers,
    dates and connecting words (``ses résolutions 57/270 B du 23 juin 2003,
    60/212 du 22 décembre 2005 et 62/209``; ``sa résolution 70/1 de
    l'Assemblée générale``). Document symbols (``A/57/444``,
    ``DP/2003/2``), decisions (``décision 2002/18``, ``décision 17/1``,
    ``1/CP.21``) and dates are not resolution citations.
    """
    found: list[str] = []
    for match in _CITE_RE.finditer(text):
        before = text[max(0, match.start() - 600) : match.start()]
        contexts = list(_CONTEXT_RE.finditer(before))
        context = contexts[-1] if contexts else None
        if context is None or not context.group(1).lower().startswith("résolution"):
            continue
        between = before[context.end():]
        between = _CITE_RE.sub(" ", between)
        between = _FILLER_RE.sub(" ", between)
        if _SEPARATORS_RE.sub("", between):
            continue
        cite = f"{match.group(1)}/{match.group(2)}"
        if match.group(3):
            cite += f" {match.group(3)}"
        if cite not in found:
            found.append(cite)
    return tuple(found)


# --------------------------------------------------------------------------
# Preface


_TITLE_RE = re.compile(TITLE_HEAD + r"(.+)$", re.S)
_OPENING_RE = re.compile(r"^\s*L\s*['’]\s*Assembl[ée]e\s+g[ée]n[ée]rale\s*[,.:]?\s*$", re.I)
_MEETING_RE = re.compile(r"^\s*(\d{1,3})\s*(?:e|ème|eme|re|er)\s+séance\s+plénière\b", re.I)
_ANNEX_RE = re.compile(r"^\s*Annexes?(?:\s+[IVXLC\d]+)?\s*$")
_SYMBOL_RE = re.compile(r"\b([A-Z]{1,2}/\d+/[^\s,;()\[\]]+(?:(?<=\.)\s?\d+)?)")


def find_report(text: str) -> str | None:
    """The document symbol in the bracketed line under the adoption line.

    ``[sur la base du rapport de la Deuxième Commission (A/68/443/Add.2)]``
    → ``"A/68/443/Add.2"``; ``(A/75/463/Add.2, par. 7)`` →
    ``"A/75/463/Add.2"``. For a resolution adopted ``[sans renvoi à une
    grande commission (A/71/L.83)]`` there is no committee report; the symbol
    given is that of the draft resolution, and it is what ``report`` holds —
    the document the resolution was adopted on.
    """
    bracket = re.search(r"\[([^\]]*)\]", text)
    if bracket:
        symbol = _SYMBOL_RE.search(bracket.group(1))
        if symbol:
            return symbol.group(1).rstrip(".")
    match = re.search(r"rapport\s+de\s+la\s+[^()]*?Commission\s*\(([^)]*)\)", text)
    if match:
        symbol = _SYMBOL_RE.search(match.group(1))
        if symbol:
            return symbol.group(1).rstrip(".")
    return None


def _preface(lines: list[str]) -> dict[str, object]:
    text = "\n".join(lines)
    meta: dict[str, object] = {}
    distr = re.search(r"Distr\.(.{0,80})", text, re.S)
    if distr:
        meta["distributed"] = parse_date(distr.group(1))
    for match in re.finditer(r"([^\W\d_][\w\s\-‑]*?)\s+session\b", text):
        words = match.group(1).split("\n")[-1].strip()
        number = parse_session_words(words)
        if number:
            meta["session"] = number
            break
    agenda = re.search(r"\bPoints?\s+(.+?)\s+de\s+l\s*['’]\s*ordre\s+du\s+jour", text, re.S)
    if agenda:
        item = re.sub(r"[,()]", " ", agenda.group(1))
        item = re.sub(r"\s+", " ", item).strip()
        meta["agenda_item"] = item or None
    adopted = re.search(r"adoptée\s+par\s+l\s*['’]\s*Assemblée\s+générale\s+le\s+(.{0,40})", text)
    if adopted:
        meta["adopted"] = parse_date(adopted.group(1))
    meta["report"] = find_report(text)
    return meta


# --------------------------------------------------------------------------
# Paragraph structure

_NUMBER_RE = re.compile(r"^(\d{1,3})\s*\.\s+(.*)$", re.S)
_LABEL_RE = re.compile(r"^\(?([a-z]{1,2}|[ivxlc]{1,6})\)\s+(.*)$", re.S)
# How the last paragraph of a complete text ends.
_ENDED_RE = re.compile(r"[.;:!?»…)]\s*$")
# The closing meeting line or date in a form _MEETING_RE missed
# (e.g. "23e^ séance plénière", or mojibake): the text is not cut off.
_MEETING_HINT_RE = re.compile(r"(?i)\bs\S{0,3}ance\s+pl\S{0,4}re\b|\b(?:1[89]|20)\d\d\W*$")
_TERMINATED_RE = re.compile(r"[,;:.]\s*(?:\ue000\d+\ue001\s*)*$")
_ROMANS = [
    "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv",
    "xv", "xvi", "xvii", "xviii", "xix", "xx", "xxi", "xxii", "xxiii", "xxiv", "xxv",
]
_OPENER_WORDS = frozenset(
    "consciente conscientes convaincue convaincues préoccupée préoccupées alarmée soucieuse "
    "résolue déterminée désireuse persuadée reconnaissante inquiète satisfaite encouragée "
    "guidée attachée décidée sensible confiante certaine heureuse profondément gravement "
    "vivement sérieusement fermement très extrêmement particulièrement vu eu compte ayant "
    "se s rappelant notant sachant tenant prenant".split()
)


def _is_opener(text: str) -> bool:
    first = _word(text.split(" ", 1)[0]) if text else ""
    if not first or not first[0].isupper():
        return False
    lower = re.sub(r"^s['’]", "s ", first.lower()).split()[0]
    return lower.endswith(("ant", "ants")) or lower in _OPENER_WORDS or lower.endswith("ment")


def _next_letter(letter: str | None) -> str:
    if letter is None:
        return "a"
    if letter[-1] == "z":
        return "a" * (len(letter) + 1)
    return letter[:-1] + chr(ord(letter[-1]) + 1)


def _next_roman(roman: str | None) -> str | None:
    if roman is None:
        return "i"
    index = _ROMANS.index(roman) if roman in _ROMANS else -1
    return _ROMANS[index + 1] if 0 <= index < len(_ROMANS) - 1 else None


@dataclass
class _Draft:
    ref: str
    kind: Kind
    number: int | str
    parent: str | None
    line: int
    parts: list[str] = field(default_factory=list)
    sub: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.parts)


@dataclass
class _Top:
    """Sub-paragraph numbering state under one PP or OP."""

    ref: str
    kind: Kind
    letter: str | None = None  # last first-level label
    letter_ref: str | None = None
    roman: str | None = None  # last second-level label under the current letter
    scheme: str | None = None  # "letter" or "roman" for the first level


def _structure(body: list[Segment], source: str | None, cleaned: Cleaned) -> list[_Draft]:
    drafts: list[_Draft] = []
    top: _Top | None = None
    expected_op = 1
    pp_count = 0
    in_operative = False
    for seg in body:
        text = seg.text.strip()
        if not text:
            continue
        previous = drafts[-1].text if drafts else ""
        terminated = bool(_TERMINATED_RE.search(previous)) or not drafts
        numbered = _NUMBER_RE.match(text)
        if numbered and (terminated or int(numbered.group(1)) == expected_op):
            number = int(numbered.group(1))
            if number != expected_op:
                what = "first operative paragraph 1" if expected_op == 1 else (
                    f"operative paragraph {expected_op} after {expected_op - 1}")
                raise ParseError(
                    f"expected {what}, found paragraph {number}", source, seg.line)
            ref = f"OP{number}"
            drafts.append(_Draft(ref, OPERATIVE, number, None, seg.line, [numbered.group(2)]))
            top = _Top(ref, OPERATIVE)
            expected_op += 1
            in_operative = True
            continue
        label = _LABEL_RE.match(text)
        if label and top is not None and terminated:
            drafts.append(_subparagraph(top, label.group(1), label.group(2), seg, drafts, source))
            continue
        if not in_operative and (not drafts or _starts_preambular(seg, previous)):
            pp_count += 1
            ref = f"PP{pp_count}"
            drafts.append(_Draft(ref, PREAMBULAR, pp_count, None, seg.line, [text]))
            top = _Top(ref, PREAMBULAR)
            continue
        parts = drafts[-1].parts
        if "-" in parts[-1][-2:] and _HYPHEN_END_RE.search(parts[-1]):
            # A word hyphenated across a page break or footnote block.
            parts[-1] = join_lines([parts[-1], text], cleaned.hyphenated, cleaned.words)
        else:
            parts.append(text)
    return drafts


_HYPHEN_END_RE = re.compile(r"[^\W\d_]-$")
_PARTICIPLE_START_RE = re.compile(r"^(?:Se\s+|S['’])?[A-ZÉÈÀÂÎÔ]\w*ant\b")
_COMMA_END_RE = re.compile(r",\s*(?:\ue000\d+\ue001\s*)*$")


def _starts_preambular(seg: Segment, previous: str) -> bool:
    text = seg.text.lstrip()
    if not text or not text[0].isupper():
        return False
    if seg.italic or _PARTICIPLE_START_RE.match(text):
        return True
    previous = previous.rstrip()
    if _COMMA_END_RE.search(previous):
        return True
    return _is_opener(text) and bool(_TERMINATED_RE.search(previous))


def _subparagraph(
    top: _Top, label: str, text: str, seg: Segment, drafts: list[_Draft], source: str | None
) -> _Draft:
    next_letter = _next_letter(top.letter) if top.scheme != "roman" else None
    next_first_roman = _next_roman(top.letter) if top.scheme == "roman" else None
    next_roman = _next_roman(top.roman) if top.letter is not None else None
    as_first = label == next_letter or label == next_first_roman or (
        top.scheme is None and label == "i")
    as_second = top.scheme == "letter" and label == next_roman
    if as_first and as_second:
        # "i)" after "h)": a new letter, unless item h) introduced a list.
        letter_text = next((d.text for d in reversed(drafts) if d.ref == top.letter_ref), "")
        as_first = not letter_text.rstrip().endswith(":")
    if as_first:
        if top.scheme is None:
            top.scheme = "letter" if label == "a" else "roman"
        top.letter, top.roman = label, None
        top.letter_ref = f"{top.ref}({label})"
        return _Draft(top.letter_ref, top.kind, label, top.ref, seg.line, [text], sub=True)
    if as_second and top.letter_ref:
        top.roman = label
        ref = f"{top.letter_ref}({label})"
        return _Draft(ref, top.kind, label, top.letter_ref, seg.line, [text], sub=True)
    expected = [x for x in (next_letter, next_first_roman, next_roman) if x]
    wanted = " or ".join(f"{x})" for x in expected) or "a)"
    raise ParseError(
        f"expected sub-paragraph {wanted} in {top.ref}, found {label})", source, seg.line
    )


def _finish(draft: _Draft) -> Paragraph:
    text, notes = take_markers(draft.text)
    return Paragraph(
        ref=draft.ref,
        kind=draft.kind,
        number=draft.number,
        text=text,
        verb=leading_verb(text, subparagraph=draft.sub),
        parent=draft.parent,
        footnotes=notes,
        cites=find_citations(text),
    )


# --------------------------------------------------------------------------
# Entry points


def parse_text(text: str, source: str | None = None) -> Resolution:
    """Parse the text of a resolution in either layout.

    ``source`` names the file in errors and in ``Resolution.source``.
    Raises ParseError when the text is not a resolution we can read.
    """
    if not isinstance(text, str):
        raise ParseError("expected text (str), got bytes or another type", source)
    if not text.strip():
        raise ParseError("empty text: expected the text of a resolution", source)
    cleaned = clean(text)
    segments = list(cleaned.segments)

    opening = next((i for i, s in enumerate(segments) if _OPENING_RE.match(s.text)), None)
    title_index = next(
        (i for i, s in enumerate(segments[: opening if opening is not None else len(segments)])
         if _TITLE_RE.match(s.text)),
        None,
    )
    if opening is None:
        line = segments[title_index].line if title_index is not None else None
        raise ParseError(
            "not a resolution: expected the opening « L'Assemblée générale, » "
            "before the paragraphs", source, line)
    if title_index is None:
        raise ParseError(
            "not a resolution: expected a title line such as « 68/230. Coopération Sud-Sud » "
            "before « L'Assemblée générale, »", source, segments[opening].line)
    title_match = _TITLE_RE.match(segments[title_index].text)
    assert title_match is not None
    session_number, res_number, part, title_raw = title_match.groups()
    number = f"{int(session_number)}/{int(res_number)}" + (f" {part}" if part else "")
    title, _ = take_markers(title_raw)
    meta = _preface([s.text for s in segments[:title_index]])

    body: list[Segment] = []
    meeting: int | None = None
    adopted_end: date | None = None
    rest = segments[opening + 1 :]
    closed = False  # a meeting line or an annex follows the paragraphs
    for i, seg in enumerate(rest):
        found = _MEETING_RE.match(seg.text)
        if found:
            meeting = int(found.group(1))
            adopted_end = parse_date(seg.text)
            if adopted_end is None and i + 1 < len(rest):
                adopted_end = parse_date(rest[i + 1].text)
            closed = True
            break
        if _ANNEX_RE.match(seg.text):
            closed = True
            break
        body.append(seg)

    drafts = _structure(body, source, cleaned)
    if not any(d.kind == OPERATIVE for d in drafts) and drafts:
        # A single operative paragraph is not numbered: the last paragraph,
        # the one that ends with a full stop rather than a comma.
        last = drafts[-1]
        if not last.sub and tidy(take_markers(last.text)[0]).endswith("."):
            drafts[-1] = replace(last, ref="OP1", kind=OPERATIVE, number=1)
    if not drafts:
        raise ParseError(
            "not a resolution: expected paragraphs after « L'Assemblée générale, »",
            source, segments[opening].line)
    if (not closed and not _ENDED_RE.search(tidy(take_markers(drafts[-1].text)[0]))
            and not _MEETING_HINT_RE.search(body[-1].text)):
        # A cut-off download: indexing it would hide the missing paragraphs.
        raise ParseError(
            "truncated: the last paragraph stops mid-sentence and no "
            "« NNe séance plénière » line follows", source, body[-1].line)
    paragraphs = tuple(_finish(d) for d in drafts)

    session = meta.get("session") or int(session_number)
    return Resolution(
        symbol=f"A/RES/{number.replace(' ', '')}",
        number=number,
        session=int(session),  # type: ignore[arg-type]
        title=title,
        paragraphs=paragraphs,
        footnotes=cleaned.footnotes,
        adopted=adopted_end or meta.get("adopted"),  # type: ignore[arg-type]
        meeting=meeting,
        agenda_item=meta.get("agenda_item"),  # type: ignore[arg-type]
        distributed=meta.get("distributed"),  # type: ignore[arg-type]
        report=meta.get("report"),  # type: ignore[arg-type]
        source=source,
    )


def parse_file(path: str | Path) -> Resolution:
    """Read and parse the resolution in the file at ``path``.

    ``Resolution.source`` is the file name; ``Resolution.encoding`` the
    encoding its bytes were decoded with. Errors are ParseErrors naming the
    file (and the line, when there is one).
    """
    path = Path(path)
    text, encoding = read_file(path)
    resolution = parse_text(text, source=path.name)
    return replace(resolution, encoding=encoding)
