"""How a resolution becomes Whoosh documents, and back.

One document per paragraph (sub-paragraphs included) carries everything a
hit needs to be shown with its context, so a search never re-reads source
files. One more document per resolution stores the whole parsed resolution
as JSON, for ``Index.get``; it has no searchable paragraph fields, so a
query can only reach it through ``doctype``.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import accumulate
from typing import Any

from whoosh import fields, formats
from whoosh.system import pack_uint

from resosearch.analysis import exact_analyzer, exact_columns, fold, stemmed_columns, text_analyzer
from resosearch.models import Footnote, Paragraph, Resolution
from resosearch.pairs import pair_columns, pairs_analyzer

PARAGRAPH = "p"
RESOLUTION = "r"

# Weights of the searchable fields relative to the paragraph text (BM25F).
NOTES_WEIGHT = 0.35

# The facets of a search: each one's name, and the sortable field it counts.
FACETS = {"resolution": "number", "year": "year", "kind": "kind", "verb": "verb"}


def encode_positions(poslist: Iterable[int]) -> bytes:
    """Ascending positions as varint deltas."""
    out = bytearray()
    base = 0
    for position in poslist:
        delta = position - base
        base = position
        while delta >= 0x80:
            out.append((delta & 0x7F) | 0x80)
            delta >>= 7
        out.append(delta)
    return bytes(out)


class CompactPositions(formats.Positions):
    """Whoosh's Positions format, with each posting's positions stored as
    varint deltas (one byte each, nearly always) instead of a pickled list:
    about a tenth of the bytes, and decoded without unpickling."""

    def encode(self, poslist: list[int]) -> bytes:
        return encode_positions(poslist)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        if not valuestring or max(valuestring) < 0x80:  # every delta in one byte
            return list(accumulate(valuestring))
        positions, position, delta, shift = [], 0, 0, 0
        for byte in valuestring:
            delta |= (byte & 0x7F) << shift
            if byte & 0x80:
                shift += 7
            else:
                position += delta
                positions.append(position)
                delta = shift = 0
        return positions

    def decode_frequency(self, valuestring: bytes) -> int:
        return sum(1 for byte in valuestring if byte < 0x80)

    def decode_weight(self, valuestring: bytes) -> float:
        return self.decode_frequency(valuestring) * self.field_boost

    def decode_position_boosts(self, valuestring: bytes) -> list[tuple[int, float]]:
        return [(position, 1) for position in self.decode_positions(valuestring)]


# How each kind of analyzed field gets its terms and their positions from a text.
_TERMS = {
    "stemmed": stemmed_columns,
    "exact": exact_columns,
    "pairs": lambda text: pair_columns(*exact_columns(text)),
}


class AnalyzedText(fields.TEXT):
    """A TEXT field that indexes a text from its words as
    analysis.word_columns() gives them, shared with the other fields indexing
    the same text: a paragraph is scanned once, not once per field (and a
    resolution's title once, not once per paragraph). The terms are those
    of the field's analyzer, which still analyses queries.
    """

    def __init__(self, analyzer, terms: str, phrase: bool = False):
        super().__init__(analyzer=analyzer, phrase=phrase)
        if phrase:
            self.format = CompactPositions(field_boost=self.format.field_boost)
        self.terms = terms  # a key of _TERMS

    def index(self, value, **kwargs):
        if not isinstance(value, str):
            return super().index(value, **kwargs)
        boost = self.format.field_boost
        terms, frequencies, values = self.postings(value)
        return [(term.encode(), frequency, frequency * boost, encoded)
                for term, frequency, encoded in zip(terms, frequencies, values, strict=True)]

    def postings(self, text: str) -> Postings:
        """``text``'s postings in this field, as three lists: each distinct
        term, its frequency and its encoded value. (The terms are strings,
        not yet UTF-8: a building process keys its postings by them, and the
        same word is the same string object, whose hash is computed once.)"""
        return _postings(text, self.terms, isinstance(self.format, formats.Positions))


# A text's postings in one field: terms, frequencies, encoded values.
Postings = tuple[list[str], list[int], list[bytes]]


@lru_cache(maxsize=16)
def _postings(text: str, terms: str, positional: bool) -> Postings:
    found, positions = _TERMS[terms](text)
    if not positional:
        counts = Counter(found)
        return list(counts), list(counts.values()), list(map(_packed_frequency, counts.values()))
    grouped: defaultdict[str, list[int]] = defaultdict(list)
    # Each term's positions, gathered without a Python step per term.
    deque(map(list.append, map(grouped.__getitem__, found), positions), 0)
    lists = grouped.values()
    return list(grouped), list(map(len, lists)), list(map(_encoded_positions, map(tuple, lists)))


@lru_cache(maxsize=65536)
def _encoded_positions(positions: tuple[int, ...]) -> bytes:
    # Cached: the same few values (one position, early in a paragraph) recur,
    # and each distinct value is then one object in memory.
    return encode_positions(positions)


@lru_cache(maxsize=1024)
def _packed_frequency(frequency: int) -> bytes:
    return pack_uint(frequency)


def build_schema() -> fields.Schema:
    """The Whoosh schema of a resosearch index."""
    text = text_analyzer()
    exact = exact_analyzer()
    return fields.Schema(
        # Kind of document; ``key`` identifies a resolution document ("68/230#").
        key=fields.ID(unique=True, stored=True),
        doctype=fields.ID(),
        # Resolution metadata, repeated on each paragraph for filters (the
        # title and the rest of the metadata are stored once, on the
        # resolution document).
        number=fields.ID(stored=True, sortable=True),
        symbol=fields.STORED(),
        # Few distinct values and small ranges: one term per value (Whoosh's
        # default shift_step of 4 indexes eight, for faster wide ranges).
        session=fields.NUMERIC(int, sortable=True, signed=False, shift_step=0),
        year=fields.NUMERIC(int, sortable=True, signed=False, shift_step=0),
        adopted=fields.ID(stored=True, sortable=True),
        title=AnalyzedText(text, "stemmed"),
        # The paragraph.
        ref=fields.ID(stored=True),
        order=fields.NUMERIC(int, stored=True, sortable=True, signed=False, shift_step=0),
        kind=fields.ID(sortable=True),
        verb=fields.ID(sortable=True),
        cites=fields.KEYWORD(commas=True, scorable=False),
        # Stemmed text for ranking; the unstemmed copy carries positions for
        # exact phrases, proximity and spelling suggestions. The text itself
        # is stored once, in ``paragraph``.
        text=AnalyzedText(text, "stemmed"),
        exact=AnalyzedText(exact, "exact", phrase=True),
        # Adjacent word pairs of the exact field, at their first word's
        # position: fast phrases (see pairs.py).
        pairs=AnalyzedText(pairs_analyzer(), "pairs", phrase=True),
        notes=AnalyzedText(text, "stemmed"),
        notes_exact=AnalyzedText(exact, "exact", phrase=True),
        notes_pairs=AnalyzedText(pairs_analyzer(), "pairs", phrase=True),
        # Display-only context.
        paragraph=fields.STORED(),
        footnotes=fields.STORED(),
        # On the resolution document: its metadata and footnotes. (Stored
        # values are kept as they are, dicts and lists included: the codec
        # writes a document's stored fields as one JSON object.)
        resolution=fields.STORED(),
    )


def fold_keyword(value: str) -> str:
    """Keyword form of a verb or kind: lowercased, unaccented, single-spaced."""
    return " ".join(fold(word) for word in value.split())


def resolution_key(number: str) -> str:
    return f"{number}#"


def resolution_metadata(resolution: Resolution) -> dict[str, Any]:
    """The resolution's preface and conclusions, without paragraphs or notes."""
    data = resolution.to_dict()
    del data["paragraphs"], data["footnotes"]
    return data


def cited_terms(cites: tuple[str, ...]) -> list[str]:
    """The ``cites`` keywords of a paragraph: each citation, and for a part
    (``57/270 B``) the resolution number too, so ``cites:57/270`` finds it."""
    terms = dict.fromkeys(cites)
    for cited in cites:
        terms.setdefault(cited.split(" ")[0])
    return list(terms)


def documents(resolution: Resolution) -> Iterator[dict[str, Any]]:
    """The Whoosh documents of one resolution: its paragraphs, then itself."""
    notes = {note.number: note for note in resolution.footnotes}
    common: dict[str, Any] = {
        "doctype": PARAGRAPH,
        "number": resolution.number,
        "symbol": resolution.symbol,
        "session": resolution.session,
        "title": resolution.title,
    }
    if resolution.year is not None:
        common["year"] = resolution.year
    if resolution.adopted is not None:
        common["adopted"] = resolution.adopted.isoformat()
    for order, paragraph in enumerate(resolution.paragraphs):
        carried = [notes[n] for n in paragraph.footnotes if n in notes]
        note_text = "\n".join(note.text for note in carried)
        doc = dict(common)
        doc.update(
            ref=paragraph.ref,
            order=order,
            kind=paragraph.kind,
            text=paragraph.text,
            exact=paragraph.text,
            pairs=paragraph.text,
            paragraph=paragraph.to_dict(),
            footnotes=[n.to_dict() for n in carried],
        )
        if paragraph.verb:
            doc["verb"] = fold_keyword(paragraph.verb)
        if paragraph.cites:
            doc["cites"] = ",".join(cited_terms(paragraph.cites))
        if note_text:
            doc["notes"] = note_text
            doc["notes_exact"] = note_text
            doc["notes_pairs"] = note_text
        yield doc
    metadata = resolution_metadata(resolution)
    metadata["footnotes"] = [note.to_dict() for note in resolution.footnotes]
    yield {
        "key": resolution_key(resolution.number),
        "doctype": RESOLUTION,
        "resolution": metadata,
    }


def stored_paragraph(fields_: dict[str, Any]) -> Paragraph:
    return Paragraph.from_dict(fields_["paragraph"])


def stored_footnotes(fields_: dict[str, Any]) -> tuple[Footnote, ...]:
    return tuple(Footnote(n["number"], n["text"]) for n in fields_["footnotes"])


def stored_resolution(fields_: dict[str, Any], paragraphs: list[dict[str, Any]]) -> Resolution:
    """Rebuild a resolution from its own document and its paragraph documents."""
    data = dict(fields_["resolution"])
    data["paragraphs"] = [p["paragraph"] for p in paragraphs]
    return Resolution.from_dict(data)
