"""Sorted runs of postings on disk: building a segment larger than memory.

A building process gathers postings in memory (resosearch.bulk); past a
number of documents it writes them out as a run — every (field, term) in
sorted order with its document numbers and encoded values — and
starts afresh. When the segment is finished, the runs and what is still in
memory are merged term by term: documents are numbered in order, so a
term's postings are those of each run, one run after the other.

The files are temporary, read back by the process that wrote them, in a
plain binary layout (no pickling).
"""

from __future__ import annotations

import heapq
import struct
from array import array
from collections.abc import Iterable, Iterator
from itertools import accumulate
from pathlib import Path

# Postings gathered in memory, per field: each term's document numbers,
# and each term's encoded values.
Terms = dict[str, tuple[dict[bytes, list[int]], dict[bytes, list[bytes]]]]
# One term of a run: field name, term, document numbers, encoded values.
Entry = tuple[str, bytes, array, list[bytes]]

# Per term: field name length, term length, number of postings, value bytes.
_HEADER = struct.Struct("<HHII")


def entries(terms: Terms) -> Iterator[Entry]:
    """Postings gathered in memory, by field name then term."""
    for name in sorted(terms):
        ids, values = terms[name]
        for btext in sorted(ids):
            yield name, btext, array("I", ids[btext]), values[btext]


def write_run(path: Path, terms: Terms) -> None:
    """Write postings gathered in memory to ``path``, in sorted order."""
    with open(path, "wb") as out:
        for name, btext, ids, values in entries(terms):
            data = b"".join(values)
            out.write(b"".join((
                _HEADER.pack(len(name), len(btext), len(ids), len(data)), name.encode(), btext,
                ids.tobytes(), array("I", map(len, values)).tobytes(), data)))


def read_run(path: Path) -> Iterator[Entry]:
    """The entries of a run written by :func:`write_run`, in order."""
    with open(path, "rb") as file:
        read = file.read
        while header := read(_HEADER.size):
            name_length, term_length, count, data_length = _HEADER.unpack(header)
            name = read(name_length).decode()
            btext = read(term_length)
            ids, lengths = array("I"), array("I")
            ids.frombytes(read(ids.itemsize * count))
            lengths.frombytes(read(lengths.itemsize * count))
            data = read(data_length)
            ends = list(accumulate(lengths))
            yield name, btext, ids, [data[end - size:end]
                                     for end, size in zip(ends, lengths, strict=True)]


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
