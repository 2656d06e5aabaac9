"""Compact posting blocks, and reading them a block at a time.

W3 pickles each block of postings (128 at most) with protocol 2, as tuples
of Python ints and floats (2 and 9 bytes apiece before compression) and
each posting's value as a bytes object (about 14 bytes of overhead apiece
in protocol 2). Here a block's document numbers are one array of deltas in
the smallest integer type that holds them, whole-number weights (term
frequencies) one byte each, and blocks are pickled with protocol 4 and
compressed only when that makes them smaller. Terms in one or two
documents keep their postings in their term info. The layout is otherwise
W3's, and W3's reader reads it; :class:`LeafMatcher` decodes the compact
arrays.

``raw_postings`` and ``blocks`` are how resosearch.count, .rank and .pairs
read postings in bulk: Whoosh's block internals are touched only here.
"""

from __future__ import annotations

import sys
import zlib
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from itertools import accumulate, chain, repeat

from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3LeafMatcher,
    W3PostingsWriter,
    W3TermInfo,
)
from whoosh.compat import dumps  # writing only; reading is Whoosh's own code
from whoosh.util.numeric import length_to_byte

# Pickle protocol of the blocks written here (W3 uses 2; Python >= 3.4 reads 4).
PROTOCOL = 4
# Terms with at most this many postings keep them in their term info.
INLINE_POSTINGS = 2


def _pack_ints(values) -> bytes:
    """Non-negative ints as a typecode byte and a little-endian array."""
    largest = max(values, default=0)
    typecode = "B" if largest < 1 << 8 else "H" if largest < 1 << 16 else "I"
    packed = array(typecode, values)
    if sys.byteorder == "big":
        packed.byteswap()
    return typecode.encode() + packed.tobytes()


def _unpack_ints(data: bytes) -> array:
    packed = array(chr(data[0]))
    packed.frombytes(data[1:])
    if sys.byteorder == "big":
        packed.byteswap()
    return packed


class PostingsWriter(W3PostingsWriter):
    """W3's postings writer, with document numbers as an array of deltas,
    whole-number weights as bytes, and blocks pickled with protocol 4."""

    def _mini_ids(self):
        if self._byteids:
            return super()._mini_ids()
        ids = self._ids
        return _pack_ints([b - a for a, b in zip(chain((0,), ids), ids, strict=False)])

    def start_postings(self, format_, terminfo):
        super().start_postings(format_, TermInfo())  # W3's, with compact inlined postings

    def finish_postings(self):
        # A term in one or two documents (most word pairs) keeps its postings
        # in its term info, saving a block's header, info and data. (W3 means
        # to do this below ``inlinelimit``, but its call to the term info is
        # misspelt, so it never does.)
        if not self.written() and len(self) <= INLINE_POSTINGS:
            terminfo = self._terminfo
            terminfo.add_block(self)
            terminfo.set_inlined(self._ids, self._weights, self._values)
            self._terminfo = None
            return terminfo
        return super().finish_postings()

    def add_all(self, ids: array, weights: array, values: list[bytes],
                lengths: array | None) -> None:
        """All of a term's postings at once, as ``add_posting`` one by one
        would: ``ids`` ascending document numbers (``array("I")``), ``weights``
        an ``array("f")``, ``values`` the encoded values, ``lengths`` the
        field's (quantized) length of every document of the segment."""
        limit = self._blocklimit
        for start in range(0, len(ids), limit):
            if self._ids:
                self._write_block()
            block = ids[start:start + limit]
            self._ids = block
            self._weights = weights[start:start + limit]
            self._values = [value for value in values[start:start + limit] if value]
            self._maxweight = max(0, max(self._weights))
            if lengths is None:
                self._minlength, self._maxlength = None, 0
            else:
                found = [lengths[doc] for doc in block]
                present = [length for length in found if length]
                self._minlength = min(present) if present else None
                self._maxlength = max(found)

    def _write_block(self, last=False):
        # W3's block layout (a length, an info tuple, the data tuple), written
        # with a current pickle protocol: W3's protocol 2 has no bytes type
        # and spends some 14 bytes on each posting's value.
        postfile = self._postfile
        if not self._blockcount:
            postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        data = dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), PROTOCOL)
        compression = self._compression
        if compression:
            compressed = zlib.compress(data, compression)
            # A short block often grows when compressed: keep it as it is.
            data, compression = (compressed, compression) if len(compressed) < len(data) \
                else (data, 0)
        ids = self._ids
        info = dumps((len(ids), ids[-1], self._maxweight, compression,  # no bytes: protocol 2
                      length_to_byte(self._minlength), length_to_byte(self._maxlength)), 2)
        length = len(info) + len(data)
        postfile.write_int(-length if last else length)  # negative: the last block
        postfile.write(info)
        postfile.write(data)
        self._blockcount += 1
        self._new_block()

    def _mini_weights(self):
        weights = self._weights
        first = weights[0]
        if all(w == first for w in weights):
            return None if first == 1.0 else first
        if all(w.is_integer() and 0 < w < 256 for w in weights):
            return bytes(int(w) for w in weights)
        return tuple(weights)


class TermInfo(W3TermInfo):
    """W3's term info; inlined postings are pickled with protocol 4 (bytes
    values without protocol 2's detour through text) and whole-number
    weights as ints. W3's reader reads it as it is."""

    def to_bytes(self):
        if not self.is_inlined():
            return super().to_bytes()
        ids, weights, values = self._inlined
        weights = tuple(int(w) if w.is_integer() else w for w in weights)
        head = super().to_bytes()[:self._struct.size]  # W3's fixed part, then our pickle
        return head + dumps((ids, weights, values), PROTOCOL)


def block_ids(data: tuple) -> Iterable[int]:
    """The document numbers of a block's data (W3's or ours), in order."""
    ids = data[0]
    return accumulate(_unpack_ints(ids) if isinstance(ids, bytes) else ids)


def block_weights(data: tuple, count: int) -> Iterable[float]:
    """The weights of a block's ``count`` postings."""
    weights = data[1]
    if weights is None:
        return repeat(1.0, count)
    if isinstance(weights, float):
        return repeat(weights, count)
    if isinstance(weights, bytes):
        return map(float, weights)
    return weights


class LeafMatcher(W3LeafMatcher):
    """W3's posting reader, for compact blocks."""

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        self._ids = tuple(block_ids(self._data))

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        self._weights = array("f", block_weights(self._data, self._blocklength))

    def read_block(self) -> tuple[list[int], Iterable[float], tuple | None]:
        """The current block, decoded whole: document numbers, weights, values."""
        if self._data is None:
            self._read_data()
        data = self._data
        return list(block_ids(data)), block_weights(data, self._blocklength), data[2]

    def next_block(self) -> None:
        """Move to the next block (past the end after the last one)."""
        self._next_block()


def raw_postings(reader, fieldname: str, btext: bytes):
    """The postings of one term of a segment, deleted documents included (the
    caller subtracts them once), or None for a term the segment lacks. A
    :class:`LeafMatcher` unless the segment was written by another codec."""
    if (fieldname, btext) not in reader:
        return None
    terms = getattr(reader, "_terms", None)
    if terms is None:
        return reader.postings(fieldname, btext)
    return terms.matcher(fieldname, btext, reader.schema[fieldname].format)


def blocks(matcher, within: list[int] | None = None
           ) -> Iterator[tuple[list[int], Iterable[float], tuple | None]]:
    """The blocks of ``matcher`` from where it stands, decoded whole: a
    LeafMatcher's blocks as stored, any other matcher's postings (a term's
    inlined postings, another codec's) as one block. With ``within`` (sorted
    document numbers), only the blocks that may hold one of them: the others
    are skipped on their last document number, without being decoded."""
    if isinstance(matcher, LeafMatcher):
        if within is None:
            while matcher.is_active():
                yield matcher.read_block()
                matcher.next_block()
            return
        i, count = 0, len(within)
        while matcher.is_active() and i < count:
            last = matcher.block_max_id()
            if within[i] <= last:
                yield matcher.read_block()
                i = bisect_right(within, last, i)
            matcher.next_block()
        return
    ids, weights, values = [], [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        values.append(matcher.value())
        matcher.next()
    if ids:
        yield ids, weights, tuple(values)
