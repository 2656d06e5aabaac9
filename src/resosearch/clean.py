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

``normalize`` → ``split_lines`` → ``strip_markup`` (per line;
resosearch.markup) → ``extract_footnotes`` → ``segment`` (joins
hard-wrapped lines, rejoins hyphenated words) → ``separate_markers``
(glued footnote numbers; resosearch.glued).

Footnote markers travel inside segment text as sentinels (private-use
characters: resosearch.chars); the parser takes them out and keeps the
footnote numbers.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from resosearch.chars import CLOSE, ITALIC, OPEN, PRIVATE_RE, is_letter, take_markers
from resosearch.glued import separate_markers
from resosearch.markup import strip_markup
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
            if not (at and is_letter(text[at - 1])) and not (
                    after and (is_letter(after) if self._compound else _word_or_hyphen(after))):
                return True
            at = text.find(form, at + 1)
        return False


def _letters(text: str) -> bool:
    return bool(text) and all(map(is_letter, text))


def _word_or_hyphen(char: str) -> bool:
    return char.isalnum() or char in "_-"


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
    text = PRIVATE_RE.sub("", text)
    return re.sub(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]", " ", text)


def split_lines(text: str) -> list[Line]:
    """Numbered lines of normalized text, trailing spaces removed."""
    return [Line(number, line.rstrip()) for number, line in enumerate(text.split("\n"), 1)]




# --------------------------------------------------------------------------
# Footnotes

_RULE_RE = re.compile(r"^\s*_{5,}\s*$")
_MD_NOTE_RE = re.compile(f"^\\s*{OPEN}(\\d+){CLOSE}\\s*(\\S.*)?$")
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
            by_number[note.number] = Footnote(note.number, text.replace(ITALIC, ""))
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
            italic = ITALIC in run[0].text
            segments.append(
                Segment(run[0].number, text.replace(ITALIC, ""), italic, run[-1].number)
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
        plain = text.replace(ITALIC, "")
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
    previous = previous.replace(ITALIC, "")
    if _TERMINATED_RE.search(previous):
        if _NUMBERED_RE.match(text) or _SUB_RE.match(text) or ITALIC in text[:12]:
            return True
        return previous.rstrip().endswith(",") and bool(_PARTICIPLE_RE.match(text))
    return False


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
