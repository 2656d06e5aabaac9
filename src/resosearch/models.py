"""The data model: small frozen dataclasses shared by every stage.

Vocabulary follows AKN4UN: a resolution has a *preface* (symbol, title,
session…), a *preamble* of preambular paragraphs (PP), a *mainBody* of
operative paragraphs (OP) with their sub-paragraphs, and *conclusions*
(plenary meeting and date of adoption).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

Kind = Literal["preambular", "operative"]

PREAMBULAR: Kind = "preambular"
OPERATIVE: Kind = "operative"


@dataclass(frozen=True)
class Footnote:
    """A footnote of the resolution, numbered as printed."""

    number: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "text": self.text}


@dataclass(frozen=True)
class Paragraph:
    """One paragraph or sub-paragraph, as drafters cite it.

    ``ref`` is the citation form: ``"PP3"``, ``"OP11"``, ``"OP1(a)"``,
    ``"OP1(d)(i)"``. ``number`` is the paragraph's own number as printed
    (an int for PP and OP — PP numbers are positions — and the letter or
    roman numeral for a sub-paragraph). ``verb`` is the leading verb as
    written (``"Réaffirmant"``, ``"Prend note"``), without the adverbs that
    may follow it. ``text`` is the clean text, original characters kept.
    """

    ref: str
    kind: Kind
    number: int | str
    text: str
    verb: str | None = None
    parent: str | None = None
    footnotes: tuple[int, ...] = ()
    cites: tuple[str, ...] = ()

    @property
    def is_subparagraph(self) -> bool:
        return self.parent is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "kind": self.kind,
            "number": self.number,
            "parent": self.parent,
            "verb": self.verb,
            "text": self.text,
            "footnotes": list(self.footnotes),
            "cites": list(self.cites),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Paragraph:
        """Rebuild a Paragraph from :meth:`to_dict` output."""
        return cls(
            ref=data["ref"],
            kind=data["kind"],
            number=data["number"],
            parent=data.get("parent"),
            verb=data.get("verb"),
            text=data["text"],
            footnotes=tuple(data.get("footnotes", ())),
            cites=tuple(data.get("cites", ())),
        )


@dataclass(frozen=True)
class Resolution:
    """A parsed resolution: its preface metadata, paragraphs and footnotes."""

    symbol: str
    number: str
    session: int
    title: str
    paragraphs: tuple[Paragraph, ...]
    footnotes: tuple[Footnote, ...] = ()
    adopted: date | None = None
    meeting: int | None = None
    agenda_item: str | None = None
    distributed: date | None = None
    report: str | None = None
    source: str | None = None
    # Which text encoding the source bytes were read with (utf-8, utf-8-sig, cp1252).
    encoding: str | None = field(default=None, compare=False)

    @property
    def year(self) -> int | None:
        return self.adopted.year if self.adopted else None

    @property
    def preamble(self) -> tuple[Paragraph, ...]:
        return tuple(p for p in self.paragraphs if p.kind == PREAMBULAR)

    @property
    def operative(self) -> tuple[Paragraph, ...]:
        return tuple(p for p in self.paragraphs if p.kind == OPERATIVE)

    def paragraph(self, ref: str) -> Paragraph:
        """The paragraph cited as ``ref`` (``"OP1(a)"``); KeyError if absent."""
        wanted = normalize_ref(ref)
        for paragraph in self.paragraphs:
            if paragraph.ref == wanted:
                return paragraph
        raise KeyError(f"{self.number} has no paragraph {ref!r}")

    def footnote(self, number: int) -> Footnote:
        for note in self.footnotes:
            if note.number == number:
                return note
        raise KeyError(f"{self.number} has no footnote {number}")

    def to_akn(self) -> str:
        """The resolution as Akoma Ntoso 3.0 XML (AKN4UN style); see :mod:`resosearch.akn`."""
        from resosearch.akn import to_akn

        return to_akn(self)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``resosearch parse --json`` and ``show --json``."""
        return {
            "symbol": self.symbol,
            "number": self.number,
            "session": self.session,
            "title": self.title,
            "adopted": self.adopted.isoformat() if self.adopted else None,
            "meeting": self.meeting,
            "agenda_item": self.agenda_item,
            "distributed": self.distributed.isoformat() if self.distributed else None,
            "report": self.report,
            "source": self.source,
            "paragraphs": [p.to_dict() for p in self.paragraphs],
            "footnotes": [n.to_dict() for n in self.footnotes],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Resolution:
        """Rebuild a Resolution from :meth:`to_dict` output."""
        return cls(
            symbol=data["symbol"],
            number=data["number"],
            session=data["session"],
            title=data["title"],
            adopted=date.fromisoformat(data["adopted"]) if data.get("adopted") else None,
            meeting=data.get("meeting"),
            agenda_item=data.get("agenda_item"),
            distributed=(
                date.fromisoformat(data["distributed"]) if data.get("distributed") else None
            ),
            report=data.get("report"),
            source=data.get("source"),
            paragraphs=tuple(Paragraph.from_dict(p) for p in data["paragraphs"]),
            footnotes=tuple(Footnote(n["number"], n["text"]) for n in data.get("footnotes", ())),
        )


def normalize_ref(ref: str) -> str:
    """Canonical form of a paragraph citation: ``"op1 a)"`` → ``"OP1(a)"``."""
    import re

    text = ref.strip()
    match = re.fullmatch(r"(?i)\s*(pp|op)\s*(\d+)\s*(.*)", text)
    if not match:
        return text
    head = match.group(1).upper() + match.group(2)
    parts = re.findall(r"[A-Za-z]+", match.group(3))
    return head + "".join(f"({part.lower()})" for part in parts)
