"""Clean: raw text of either layout → logical segments and footnotes.

Two layouts reach us (see the corpus README):

* **Markdown** — ``#`` headings, ``*italic*`` verbs, ``[64/222](#)`` links,
  ``<sup>n</sup>`` or superscript digits (``¹``) as footnote markers, footnote
  definitions as lines ``<sup>n</sup> text`` / ``¹ text`` (maybe after ``---``).
* **PDF text** — hard-wrapped lines, first line of a paragraph indented,
  footnote blocks after a ``_______________`` rule printed in the middle of a
  paragraph, footnote numbers glued to the preceding word (``Sud-Sud2``,
  ``20021`` = 2002 + note 1, ``63/2332`` = 63/233 + note 2).

Every rule here applies to both layouts, so the same resolution laid out
either way cleans to the same segments. Each stage is a pure function:

``normalize`` → ``split_lines`` → ``strip_markup`` (per line) →
``extract_footnotes`` → ``segment`` (joins hard-wrapped lines, rejoins
hyphenated words) → ``separate_markers`` (glued footnote numbers).

Footnote markers travel inside segment text as :func:`marker` sentinels
(private-use characters); :func:`take_markers` removes them and reports the
footnote numbers.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

from resosearch.models import Footnote

# --------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class Line:
    """One physical line of the source, 1-based ``number``."""

    number: int
    text: str


@dataclass(frozen=True)
class Segment:
    """A run of lines that belong together (a paragraph or part of one).

    ``line`` is the source line where it starts; ``text`` has hard-wrapped
    lines joined, markup removed and footnote markers as sentinels;
    ``italic`` says whether it began with an emphasised phrase (Markdown).
    ``end_line`` is the last source line.
    """

    line: int
    text: str
    italic: bool = False
    end_line: int = 0


@dataclass(frozen=True)
class Cleaned:
    """The output of :func:`clean`."""

    layout: str  # "markdown" or "pdf"
    segments: tuple[Segment, ...]
    footnotes: tuple[Footnote, ...]
    # The words seen in the document, for join_lines.
    vocabulary: Vocabulary | None = None

    @property
    def hyphenated(self) -> Container[str]:
        """Hyphenated compounds seen in the document (``sous-régional``)."""
        return self.vocabulary.hyphenated if self.vocabulary else frozenset()

    @property
    def words(self) -> Container[str]:
        """Plain words seen in the document, lower case."""
        return self.vocabulary.words if self.vocabulary else frozenset()


class Vocabulary:
    """The hyphenated compounds and plain words of some lines, as two
    collections: ``"sous-régional" in vocabulary.hyphenated``, ``"développement"
    in vocabulary.words`` (lower case).

    Only a line ending with a hyphen asks, and a document asks a few times
    at most: each form asked for is looked for in the text, rather than
    every word of the document listed (which cost more than the rest of
    parsing such a document).
    """

    def __init__(self, lines: Sequence[Line]) -> None:
        self._lines = lines

    # (Made when asked for: kept here, they would make a reference cycle,
    # which a building process, running without the garbage collector,
    # would never free.)
    @property
    def hyphenated(self) -> Container[str]:
        return _Forms(self, compound=True)

    @property
    def words(self) -> Container[str]:
        return _Forms(self, compound=False)

    @cached_property
    def text(self) -> str:
        """The lines, lower case, one per line (no word crosses a newline)."""
        return "\n".join(line.text for line in self._lines).lower()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocabulary) and self.text == other.text

    def __hash__(self) -> int:
        return hash(self.text)


class _Forms(Container[str]):
    """A :class:`Vocabulary`'s compounds (``a-b``: two runs of letters joined
    by a hyphen, within a compound of any length) or its plain words (a run
    of letters followed by no word character or hyphen)."""

    def __init__(self, vocabulary: Vocabulary, compound: bool) -> None:
        self._vocabulary = vocabulary
        self._compound = compound

    def __contains__(self, form: object) -> bool:
        if not isinstance(form, str):
            return False
        parts = form.split("-") if self._compound else [form]
        if len(parts) != (2 if self._compound else 1) or not all(map(_letters, parts)):
            return False
        text = self._vocabulary.text
        at = text.find(form)
        while at != -1:
            end = at + len(form)
            after = text[end:end + 1]
            if not (at and _letter(text[at - 1])) and not (
                    after and (_letter(after) if self._compound else _word_or_hyphen(after))):
                return True
            at = text.find(form, at + 1)
        return False


def _letter(char: str) -> bool:
    # What the regex class [^\W\d_] matches: \w is str.isalnum() and "_",
    # \d is str.isdecimal().
    return char.isalnum() and not char.isdecimal()


def _letters(text: str) -> bool:
    return bool(text) and all(map(_letter, text))


def _word_or_hyphen(char: str) -> bool:
    return char.isalnum() or char in "_-"


# --------------------------------------------------------------------------
# Footnote-marker sentinels

_OPEN, _CLOSE = "\ue000", "\ue001"
_MARKER_RE = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
_ITALIC = "\ue002"  # marks where an emphasised phrase began (Markdown)
_PRIVATE_RE = re.compile("[\ue000-\ue00f]")


def marker(number: int) -> str:
    """The sentinel standing for footnote marker ``number`` inside text."""
    return f"{_OPEN}{number}{_CLOSE}"


def take_markers(text: str) -> tuple[str, tuple[int, ...]]:
    """Remove the marker sentinels from ``text``; return it and their numbers.

    Spaces before a marker go with it, and so do spaces between a marker and
    a following comma, full stop or closing bracket (``développement 3,`` →
    ``développement,``); French spacing before ``;`` and ``:`` stays.
    """
    if _OPEN not in text:  # most paragraphs
        return tidy(text), ()
    numbers: list[int] = []
    for match in _MARKER_RE.finditer(text):
        number = int(match.group(1))
        if number not in numbers:
            numbers.append(number)
    text = _TAKEN_MARKER_RE.sub("", text)
    return tidy(text), tuple(numbers)


_TAKEN_MARKER_RE = re.compile(f"\\s*{_OPEN}(\\d+){_CLOSE}(?:\\s+(?=[,.)\\]]))?")


def tidy(text: str) -> str:
    """Collapse whitespace and strip; remove leftover sentinels."""
    # (str.split splits at what the regex \s matches, and costs far less.)
    return " ".join(_PRIVATE_RE.sub("", text).split())


# --------------------------------------------------------------------------
# Characters and lines

# (Regexes rather than str.translate, which looks up every character of a
# non-ASCII text in its table: ~2 ms a resolution.)
_SPACES_RE = re.compile("[\t\v\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_DROP_RE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")


def normalize(text: str) -> str:
    """Line endings to ``\\n``; odd spaces (no-break, tabs…) to spaces.

    Soft hyphens, zero-width characters and byte order marks go; other
    control characters become spaces; form feeds (page breaks) become line
    breaks. Letters and punctuation (’ œ « » é) are kept as they are.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = _DROP_RE.sub("", _SPACES_RE.sub(" ", text))
    text = _PRIVATE_RE.sub("", text)
    return re.sub(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]", " ", text)


def split_lines(text: str) -> list[Line]:
    """Numbered lines of normalized text, trailing spaces removed."""
    return [Line(number, line.rstrip()) for number, line in enumerate(text.split("\n"), 1)]


_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_ORDINAL_SUFFIX = r"(?:e|er|re|ère|ème|eme|es|ers|res)"


def _markdown_marker(match: re.Match[str]) -> str:
    return marker(int(match.group(1).translate(_SUPERSCRIPTS)))


# Only real inline HTML tags: "x<y & y>z" is text.
_HTML_TAG_RE = re.compile(
    r"</?(?:sup|sub|i|b|u|em|strong|span|small|a|p|div|br|hr|abbr|cite|mark)\b[^<>]*/?>", re.I
)
# (The lookahead lets the regex engine skip to a character that can start a match.)
_MARKUP_HINT = re.compile(r"(?=[#\[\\<^*_⁰¹²³⁴⁵⁶⁷⁸⁹=-])(?:[#\[\\<^*_⁰¹²³⁴⁵⁶⁷⁸⁹]|-{3}|={3})")


def strip_markup(text: str) -> str:
    """Remove Markdown and HTML markup from one line.

    Headings, links (their text kept), ``<sup>``/``^`` ordinals (``71<sup>e</sup>``
    → ``71e``, ``95^e`` → ``95e``), emphasis asterisks (a sentinel marks where
    an emphasised phrase began a line), horizontal rules. Footnote markers
    (``<sup>2</sup>``, ``²``) become sentinels.
    """
    if not _MARKUP_HINT.search(text):  # most lines: nothing to strip
        return text.rstrip()
    # Each substitution runs only on a line holding a character it needs.
    if "#" in text:
        text = _HEADING_RE.sub("", text)
    if _RULE_LINE_RE.fullmatch(text):
        return ""
    if "](" in text:
        text = _LINK_RE.sub(r"\1", text)
    if "\\" in text:
        text = _ESCAPE_RE.sub(r"\1", text)  # Markdown escapes
    if "<sup>" in text:
        text = _SUP_ORDINAL_RE.sub(r"\1\2", text)
    if "^" in text:
        # 95^e and Pandoc's 95^e^
        text = _CARET_ORDINAL_RE.sub(r"\1\2", text)
    if "<sup>" in text:
        text = _SUP_MARKER_RE.sub(_markdown_marker, text)
    if "^" in text:
        text = _CARET_MARKER_RE.sub(_markdown_marker, text)
    if _SUPERSCRIPT_RE.search(text):
        text = _SUPERSCRIPT_MARKER_RE.sub(_markdown_marker, text)
    if "<" in text:
        text = _HTML_TAG_RE.sub("", text)
    if "*" in text:
        # Emphasis: remember that the line opens with one (after a number or label).
        text = _OPENING_EMPHASIS_RE.sub(rf"\1{_ITALIC}", text)
        text = _EMPHASIS_RE.sub("", text)
    if "_" in text:
        text = _UNDERSCORES_RE.sub("", text)
    return text.rstrip()


_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}(?=\s|$)\s*")
_RULE_LINE_RE = re.compile(r"\s*(?:-{3,}|\*{3,}|(?:\* ){2,}\*|={3,})\s*")
_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_ESCAPE_RE = re.compile(r"\\([*_\[\]#<>])")
_SUP_ORDINAL_RE = re.compile(rf"(\d)\s*<sup>\s*({_ORDINAL_SUFFIX})\s*</sup>")
_CARET_ORDINAL_RE = re.compile(rf"(\d)\s*\^\s*({_ORDINAL_SUFFIX})(?:\^|\b)")
_SUP_MARKER_RE = re.compile(r"<sup>\s*(\d{1,3})\s*</sup>")
_CARET_MARKER_RE = re.compile(r"\^\s*(\d{1,3})\b")
_SUPERSCRIPT_RE = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹]")
_SUPERSCRIPT_MARKER_RE = re.compile(r"(?<![⁰¹²³⁴⁵⁶⁷⁸⁹])([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3})")
_OPENING_EMPHASIS_RE = re.compile(r"^(\s*(?:\d{1,3}\s*\.\s*|\(?[a-z]{1,4}\)\s*)?)\*{1,3}(?=\S)")
_EMPHASIS_RE = re.compile(r"\*{1,3}")
_UNDERSCORES_RE = re.compile(r"(?<![\w_])__?(?=\w)|(?<=\w)__?(?![\w_])")


# --------------------------------------------------------------------------
# Footnotes

_RULE_RE = re.compile(r"^\s*_{5,}\s*$")
_MD_NOTE_RE = re.compile(f"^\\s*{_OPEN}(\\d+){_CLOSE}\\s*(\\S.*)?$")
_PDF_NOTE_RE = re.compile(r"^\s{0,3}(\d{1,3})\s+(\S.*)$")
# A line that opens a numbered paragraph, a sub-paragraph or the conclusions.
_PARA_START_RE = re.compile(
    r"^\s*(?:\d{1,3}\s*\.\s+\S|\(?(?:[a-z]{1,2}|[ivxlc]{1,6})\)\s+\S|\d{1,3}\s*e\s+séance\b)"
)


@dataclass
class _Note:
    number: int
    line: int
    parts: list[str]


def extract_footnotes(lines: Sequence[Line]) -> tuple[list[Line], list[Footnote]]:
    """Take footnote definitions out of the lines.

    Returns the body lines (footnote lines replaced by blank lines, so
    nothing is renumbered) and the footnotes in number order.

    * Markdown: a line that starts with a marker (``<sup>3</sup> Ibid.``,
      ``³ Ibid.``) defines a note; following non-blank lines continue it.
    * PDF: after a ``_______________`` rule, lines ``3 Ibid.`` define notes,
      numbered one after the other through the document; a line continues the
      previous note when it is not indented and the note has not ended with a
      full stop (``18-22 mars 2002 …`` after ``Monterrey (Mexique),``). The
      block ends at a blank line or at an indented line or new paragraph: the
      paragraph it interrupted goes on there.
    """
    body = list(lines)
    notes: list[_Note] = []
    next_pdf = 1
    i = 0
    while i < len(body):
        text = body[i].text
        md = _MD_NOTE_RE.match(text)
        if md and md.group(2) and not _looks_like_paragraph_after_marker(md.group(2)):
            note = _Note(int(md.group(1)), body[i].number, [md.group(2)])
            body[i] = Line(body[i].number, "")
            i += 1
            while i < len(body) and body[i].text.strip() and not _starts_something(body[i].text):
                note.parts.append(body[i].text)
                body[i] = Line(body[i].number, "")
                i += 1
            notes.append(note)
            next_pdf = max(next_pdf, note.number + 1)
            continue
        if _RULE_RE.match(text):
            body[i] = Line(body[i].number, "")
            i += 1
            current: _Note | None = None
            while i < len(body):
                text = body[i].text
                if not text.strip():
                    break
                pdf = _PDF_NOTE_RE.match(text)
                if pdf and int(pdf.group(1)) == next_pdf:
                    current = _Note(next_pdf, body[i].number, [pdf.group(2)])
                    notes.append(current)
                    next_pdf += 1
                elif md := _MD_NOTE_RE.match(text):
                    current = _Note(int(md.group(1)), body[i].number, [md.group(2) or ""])
                    notes.append(current)
                    next_pdf = max(next_pdf, current.number + 1)
                elif (
                    current is not None
                    and not text[:1].isspace()
                    and not _PARA_START_RE.match(text)
                    and (
                        not current.parts[-1].rstrip().endswith(".")
                        or text[:1].islower() and _ends_with_abbreviation(current.parts[-1])
                        or _next_note_follows(body, i + 1, next_pdf)
                    )
                ):
                    current.parts.append(text)
                else:
                    break
                body[i] = Line(body[i].number, "")
                i += 1
            continue
        i += 1
    by_number: dict[int, Footnote] = {}
    for note in notes:
        if note.number not in by_number:
            text, _ = take_markers(join_lines(note.parts))
            by_number[note.number] = Footnote(note.number, text.replace(_ITALIC, ""))
    return body, [by_number[n] for n in sorted(by_number)]


def _ends_with_abbreviation(text: str) -> bool:
    # "chap.", "par.", "vol.", "p." end a line without ending the note.
    return bool(re.search(r"(?:^|[\s(])[a-zé]{1,4}\.$", text.rstrip()))


def _next_note_follows(body: Sequence[Line], start: int, number: int) -> bool:
    # Is the note numbered ``number`` still to come in this block?
    for line in body[start:]:
        if not line.text.strip() or line.text[:1].isspace():
            return False
        found = _PDF_NOTE_RE.match(line.text)
        if found and int(found.group(1)) == number:
            return True
    return False


def _looks_like_paragraph_after_marker(text: str) -> bool:
    # "¹ text" defines a note; a marker followed by ", " is a marker in running text.
    return text[:1] in ",;.:)"


def _starts_something(text: str) -> bool:
    return bool(_MD_NOTE_RE.match(text) or _RULE_RE.match(text) or _PARA_START_RE.match(text))


# --------------------------------------------------------------------------
# Joining lines

# Words that form hyphenated compounds at a line break ("sous-" + "régional").
_HYPHEN_LEFT = frozenset(
    "sous non vice ex après avant demi mi semi quasi contre arrière grand grande haut haute "
    "bas basse nord sud est ouest extra anti auto néo post pré co inter intra multi pluri "
    "celle celui ceux celles lui elle eux elles soi-même dix vingt trente quarante cinquante "
    "soixante quatre cent porte chef peut-être c'est c’est libre plus moins pseudo vis à "
    "socio politico bien au".split()
)
_HYPHEN_RIGHT = frozenset(
    "ci là même mêmes clef clé clefs clés cadre cadres unies membre membres "
    "être ils elles il elle on nous vous t-il t-elle dire delà dessus dessous".split()
)
_WORD_RE = re.compile(r"[^\W\d_][\w’'-]*")
_LEFT_HALF_RE = re.compile(r"([^\W\d_][\w’'-]*)-$")


def join_lines(parts: Iterable[str], hyphenated: Container[str] = frozenset(),
               words: Container[str] = frozenset()) -> str:
    """Join hard-wrapped lines into one string.

    A word split by a hyphen at a line end is rejoined: the hyphen is kept
    when the compound exists hyphenated elsewhere in the document
    (``hyphenated``), when either half is capitalised (``Sud-`` + ``Sud``) or
    a number, or a known compound element (``sous-``, ``-ci``); it is dropped
    when the joined word exists elsewhere (``words``) or otherwise.
    """
    out = ""
    for raw in parts:
        line = raw.strip()
        if not line:
            continue
        if not out:
            out = line
            continue
        # (Searched only when it can match: a search of the whole paragraph
        # so far, for each of its lines, costs more than the rest.)
        left = _LEFT_HALF_RE.search(out) if out.endswith("-") else None
        right = _WORD_RE.match(line)
        if left and right and not out.endswith("--"):
            head, tail = left.group(1), right.group(0)
            if _keep_hyphen(head, tail, hyphenated, words):
                out += line
            else:
                out = out[:-1] + line
        elif out.endswith("-") and line[:1].isdigit():
            out += line  # "Sud-" + "2030"? keep as written
        else:
            out += " " + line
    return out


def _keep_hyphen(head: str, tail: str, hyphenated: Container[str], words: Container[str]) -> bool:
    last = head.split("-")[-1]
    first = re.split(r"[-’']", tail)[0]
    compound = f"{last}-{first}".lower()
    if compound in hyphenated:
        return True
    if (last + first).lower() in words:
        return False
    if last[:1].isupper() or first[:1].isupper():
        return True
    return last.lower() in _HYPHEN_LEFT or first.lower() in _HYPHEN_RIGHT




# --------------------------------------------------------------------------
# Segments

# The title line "68/230. Coopération Sud-Sud" (groups: session, number, part).
TITLE_HEAD = r"^\s*(?:A/RES/)?(\d{1,3})/(\d{1,4})(?:\s?([A-Z]))?\s*\.\s+"
_TITLE_RE = re.compile(TITLE_HEAD + r"\S")
_OPENING_RE = re.compile(r"^\s*L\s*['’]\s*Assembl[ée]e\s+g[ée]n[ée]rale\s*[,.:]?\s*$", re.I)
_MEETING_RE = re.compile(r"^\s*(\d{1,3})\s*(?:e|ème|eme|re|er)\s+séance\s+plénière\b", re.I)
_NUMBERED_RE = re.compile(r"^\s*\d{1,3}\s*\.\s+\S")
_SUB_RE = re.compile(r"^\s*\(?(?:[a-z]{1,2}|[ivxlc]{1,6})\)\s+\S")
_PARTICIPLE_RE = re.compile(r"^\s*(?:Se\s+|S['’])?[A-ZÉÈÊÀÂÎÔ][a-zéèêëàâîïôöûüç]+ant\b")
_TERMINATED_RE = re.compile(r"[,;:.]\s*(?:\ue000\d+\ue001)?\s*$")


def segment(
    lines: Sequence[Line],
    vocabulary: Vocabulary | None = None,
) -> list[Segment]:
    """Group body lines into segments and join each segment's lines.

    Before the opening ``L'Assemblée générale,`` each line is a segment,
    except that a title line (``64/1. Conférence…``) takes the lines that
    follow it up to a blank line. From the opening on, segments are runs of
    non-blank lines, also split where a line opens a numbered paragraph, a
    sub-paragraph or the conclusions after a line that ends a sentence or
    clause, or where the ``séance plénière`` line starts.
    """
    vocabulary = vocabulary if vocabulary is not None else Vocabulary(lines)
    segments: list[Segment] = []
    run: list[Line] = []

    def flush() -> None:
        if run:
            texts = [line.text for line in run]
            # Only a line ending with a hyphen needs the vocabulary.
            text = (join_lines(texts, vocabulary.hyphenated, vocabulary.words)
                    if any(t.rstrip().endswith("-") for t in texts) else join_lines(texts))
            italic = _ITALIC in run[0].text
            segments.append(
                Segment(run[0].number, text.replace(_ITALIC, ""), italic, run[-1].number)
            )
            run.clear()

    in_body = False
    in_title = False
    for line in lines:
        text = line.text
        if not text.strip():
            flush()
            in_title = False
            continue
        plain = text.replace(_ITALIC, "")
        if not in_body:
            if _OPENING_RE.match(plain):
                flush()
                in_body = True
                in_title = False
                run.append(line)
                flush()
                continue
            if _TITLE_RE.match(plain) and not in_title:
                flush()
                in_title = True
                run.append(line)
                continue
            if in_title:
                run.append(line)
                continue
            flush()
            run.append(line)
            flush()
            continue
        if run and _starts_new(plain, run[-1].text):
            flush()
        run.append(line)
    flush()
    return segments


def _starts_new(text: str, previous: str) -> bool:
    if _MEETING_RE.match(text):
        return True
    previous = previous.replace(_ITALIC, "")
    if _TERMINATED_RE.search(previous):
        if _NUMBERED_RE.match(text) or _SUB_RE.match(text) or _ITALIC in text[:12]:
            return True
        return previous.rstrip().endswith(",") and bool(_PARTICIPLE_RE.match(text))
    return False


# --------------------------------------------------------------------------
# Glued footnote numbers (PDF text)

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
    if _OPEN in whole:  # the document marks its notes explicitly
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
        if 0 < start < at and _letter(rest[start - 1]):
            match = pattern.match(rest, start)
            if match is not None:
                yield match
        at = rest.find(digits, at + 1)


def _letters_before(text: str, end: int) -> str:
    """The run of letters ending at ``end``."""
    start = end
    while start and _letter(text[start - 1]):
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


# --------------------------------------------------------------------------
# The whole stage


def detect_layout(text: str) -> str:
    """``"markdown"`` if the text has Markdown or HTML markup, else ``"pdf"``."""
    if re.search(r"<sup>|\]\(|^\s{0,3}#{1,6}\s|[¹²³⁴⁵⁶⁷⁸⁹]|\*\S[^*\n]*\*|\^e\b", text, re.M):
        return "markdown"
    return "pdf"


def clean(text: str) -> Cleaned:
    """Run the whole cleaning stage on decoded text."""
    text = normalize(text)
    layout = detect_layout(text)
    lines = [Line(line.number, strip_markup(line.text)) for line in split_lines(text)]
    body, footnotes = extract_footnotes(lines)
    vocabulary = Vocabulary(body)
    segments = segment(body, vocabulary)
    # Footnote markers are never glued to the title line's number ("57/1001.").
    body_at = [i for i, s in enumerate(segments) if not _TITLE_RE.match(s.text)]
    texts = separate_markers([segments[i].text for i in body_at], [n.number for n in footnotes])
    for i, text in zip(body_at, texts, strict=True):
        segments[i] = replace(segments[i], text=text)
    return Cleaned(layout, tuple(segments), tuple(footnotes), vocabulary)
