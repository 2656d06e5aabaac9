"""Citations between resolutions: what a resolution cites, and who cites it.

Both directions read what the parser stored: each paragraph's ``cites``
(the resolution numbers it names, e.g. ``"64/222"`` or ``"57/270 B"``).
:func:`cites` reads the paragraphs of one resolution (``Index.get``);
:func:`cited_by` queries the ``cites`` keyword field of every indexed
paragraph. A cited resolution that is not in the index is still listed,
marked ``indexed=False``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from whoosh import query as q

from resosearch.build import normalize_number
from resosearch.schema import PARAGRAPH

if TYPE_CHECKING:
    from resosearch.search import Index

__all__ = ["Cites", "Citation", "CitedBy", "Citing", "cited_by", "cites"]


@dataclass(frozen=True)
class Citation:
    """Paragraph ``ref`` of the citing resolution names resolution ``number``."""

    ref: str
    number: str
    indexed: bool

    def to_dict(self) -> dict[str, Any]:
        return {"ref": self.ref, "number": self.number, "indexed": self.indexed}


@dataclass(frozen=True)
class Cites:
    """What resolution ``number`` cites, paragraph by paragraph (in text order)."""

    number: str
    citations: tuple[Citation, ...]

    @property
    def numbers(self) -> tuple[str, ...]:
        """The cited resolutions, each once, in order of first citation."""
        return tuple(dict.fromkeys(c.number for c in self.citations))

    @property
    def not_indexed(self) -> tuple[str, ...]:
        """The cited resolutions that are not in the index."""
        return tuple(dict.fromkeys(c.number for c in self.citations if not c.indexed))

    def by_paragraph(self) -> dict[str, tuple[Citation, ...]]:
        """``{"PP1": (Citation, …), …}`` in text order."""
        grouped: dict[str, list[Citation]] = {}
        for citation in self.citations:
            grouped.setdefault(citation.ref, []).append(citation)
        return {ref: tuple(items) for ref, items in grouped.items()}

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "cites": [c.to_dict() for c in self.citations]}


@dataclass(frozen=True)
class Citing:
    """Paragraph ``ref`` of indexed resolution ``number`` cites the resolution."""

    number: str
    ref: str
    symbol: str = ""
    adopted: date | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "ref": self.ref}


@dataclass(frozen=True)
class CitedBy:
    """The indexed paragraphs citing resolution ``number``, oldest first.

    ``indexed`` tells whether the cited resolution itself is in the index.
    """

    number: str
    indexed: bool
    cited_by: tuple[Citing, ...]

    def __len__(self) -> int:
        return len(self.cited_by)

    def __iter__(self):
        return iter(self.cited_by)

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """``[(number, ref), …]``."""
        return [(c.number, c.ref) for c in self.cited_by]

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "cited_by": [c.to_dict() for c in self.cited_by]}


def cites(index: Index, number: str) -> Cites:
    """What resolution ``number`` (which must be indexed) cites, paragraph by
    paragraph; raises IndexStateError if it is not in the index."""
    resolution = index.get(number)
    citations = []
    for paragraph in resolution.paragraphs:
        for cited in paragraph.cites:
            key = normalize_number(cited)
            citations.append(Citation(paragraph.ref, key, key in index))
    return Cites(resolution.number, tuple(citations))


def cited_by(index: Index, number: str) -> CitedBy:
    """The indexed paragraphs that cite resolution ``number`` (indexed or not),
    oldest resolution first, then in text order."""
    key = normalize_number(number)
    with index.reading() as searcher:
        found = searcher.search(
            q.And([q.Term("doctype", PARAGRAPH), q.Term("cites", key)]), limit=None, terms=False)
        rows = []
        for hit in found:
            fields = hit.fields()
            rows.append((fields.get("adopted") or "9999", fields["number"], fields["order"],
                         fields["ref"], fields["symbol"]))
    rows.sort()
    citing = tuple(
        Citing(number=num, ref=ref, symbol=symbol,
               adopted=date.fromisoformat(adopted) if adopted != "9999" else None)
        for adopted, num, _order, ref, symbol in rows
    )
    return CitedBy(key, key in index, citing)
