"""Sorted runs of postings on disk: building a segment larger than memory.

A building process gathers postings in memory (resosearch.bulk); past a
number of documents it writes them out as a run — every (field, term) in
sorted order with its document numbers and encoded values — and
starts afresh. When the segment is finished, the runs and what is still in
memory are merged term by term: documents are numbered in order, so a
term's postings are those of each run, one run after the other.

The files are temporary, read back by the process that wrote them, in a
plain binary layout (no pickling): per term its document numbers and the
numbers of its values in the run's table of distinct values.
"""

from __future__ import annotations

import heapq
import struct
from array import array
from collections.abc import Iterable, Iterator
from itertools import accumulate
from pathlib import Path

# Postings gathered in memory, per field and term: one list of document
# number, encoded value, document number, encoded value… (one list per term
# rather than two halves the cost of adding a posting). A term is bytes, or
# a string for its UTF-8 bytes (analysed text: see schema.AnalyzedText.postings);
# strings sort as their UTF-8 bytes do.
Terms = dict[str, dict[bytes | str, list]]
# One term of a run: field name, term, document numbers, encoded values.
Entry = tuple[str, bytes, array, list[bytes]]

# Per term: field name length, term length, number of postings.
_HEADER = struct.Struct("<HHI")
# At the end of a run: where its table of values starts.
_FOOTER = struct.Struct("<Q")


def entries(terms: Terms) -> Iterator[Entry]:
    """Postings gathered in memory, by field name then term."""
    for name in sorted(terms):
        field_terms = terms[name]
        for term in sorted(field_terms):
            postings = field_terms[term]
            yield (name, term.encode() if isinstance(term, str) else term,
                   array("I", postings[0::2]), postings[1::2])


class _ValueNumbers(dict):
    """Each distinct encoded value → its number in a run's table of values."""

    def __missing__(self, value: bytes) -> int:
        number = self[value] = len(self)
        return number


def write_run(path: Path, terms: Terms) -> None:
    """Write postings gathered in memory to ``path``, in sorted order.

    Each posting's value is written as a number in a table of the run's
    distinct values (a few positions each, and the same few recur), kept
    at the end: reading a run back then makes no bytes object per posting."""
    numbers = _ValueNumbers()
    with open(path, "wb") as out:
        for name, btext, ids, values in entries(terms):
            out.write(b"".join((
                _HEADER.pack(len(name), len(btext), len(ids)), name.encode(), btext,
                ids.tobytes(), array("I", map(numbers.__getitem__, values)).tobytes())))
        table_at = out.tell()
        out.write(array("I", [len(numbers)]).tobytes())
        out.write(array("I", map(len, numbers)).tobytes())
        out.write(b"".join(numbers))
        out.write(_FOOTER.pack(table_at))


def _read_table(file) -> tuple[list[bytes], int]:
    """A run's table of values, and where its terms end."""
    file.seek(-_FOOTER.size, 2)
    end = file.tell()
    (table_at,) = _FOOTER.unpack(file.read(_FOOTER.size))
    file.seek(table_at)
    count, lengths = array("I"), array("I")
    count.frombytes(file.read(count.itemsize))
    lengths.frombytes(file.read(lengths.itemsize * count[0]))
    data = file.read(end - file.tell())
    ends = list(accumulate(lengths))
    return [data[stop - size:stop] for stop, size in zip(ends, lengths, strict=True)], table_at


def read_run(path: Path) -> Iterator[Entry]:
    """The entries of a run written by :func:`write_run`, in order."""
    with open(path, "rb") as file:
        values, table_at = _read_table(file)
        file.seek(0)
        read, value_of = file.read, values.__getitem__
        at = 0
        while at < table_at:
            name_length, term_length, count = _HEADER.unpack(read(_HEADER.size))
            name = read(name_length).decode()
            btext = read(term_length)
            ids, numbers = array("I"), array("I")
            ids.frombytes(read(ids.itemsize * count))
            numbers.frombytes(read(numbers.itemsize * count))
            at += _HEADER.size + name_length + term_length + (ids.itemsize + numbers.itemsize) * count
            yield name, btext, ids, list(map(value_of, numbers))


def merged(sources: Iterable[Iterator[Entry]]) -> Iterator[Entry]:
    """The entries of ``sources`` (each sorted, documents of a source all
    before those of the next) merged by field and term: a term found in
    several sources gets their postings joined, in source order."""
    current: Entry | None = None
    for entry in heapq.merge(*sources, key=lambda e: (e[0], e[1])):  # ties: source order
        if current is not None and entry[0] == current[0] and entry[1] == current[1]:
            current[2].extend(entry[2])
            current[3].extend(entry[3])
            continue
        if current is not None:
            yield current
        current = entry
    if current is not None:
        yield current
