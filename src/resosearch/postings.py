"""Compact posting blocks, and reading them a block at a time.

W3 pickles each block of postings (128 at most) as a tuple of document
numbers, weights and values, behind a pickled info tuple. Reading a block
then costs a pickle load for its header and another for its data, with
every posting's value (its positions) unpickled even when only document
numbers and weights are wanted — most of a query's time for a common word.

Here a block is a fixed binary header, then two chunks, each compressed
only when that makes it smaller: document numbers (an array of deltas in
the smallest integer type that holds them) with the weights (term
frequencies, one byte each when they are whole numbers), then the values.
Ranking and counting read the first chunk only. The header also keeps the
block's (frequency, length) *frontier*: the pairs no other posting of the
block beats on both, enough to compute the best score any posting of the
block can have for any collection statistics (resosearch.rank skips the
blocks that cannot reach the top). Terms in a few documents (up to
``INLINE_POSTINGS``) keep their postings in their term info, as W3 does.

``raw_postings`` and ``blocks`` are how resosearch.count, .rank and .pairs
read postings in bulk: the block layout is known only here.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate, chain, repeat
from operator import sub

from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3LeafMatcher,
    W3PostingsWriter,
    W3TermInfo,
)
from whoosh.compat import dumps  # term infos only; reading is Whoosh's own code
from whoosh.util.numeric import byte_to_length, length_to_byte

# Pickle protocol of inlined postings (W3 uses 2; Python >= 3.4 reads 4).
PROTOCOL = 4
# Terms with at most this many postings keep them in their term info: most
# word pairs, and most words of the long tail. (A block costs its header, two
# tries at compression and a frontier; 2, then 8, gave the same index size.)
INLINE_POSTINGS = 8

# A block's header: its length after this field (negative: the term's last
# block), postings, last document number, largest weight, compression flags,
# shortest and longest length byte, frontier size, length of the first chunk.
_HEADER = struct.Struct("<iHIfBBBBI")
_IDS_COMPRESSED, _VALUES_COMPRESSED = 1, 2
# Frontier size of a block whose frontier is not kept (weights that are not
# whole numbers below 256, or too many pairs): no bound, never skipped.
NO_FRONTIER = 255
_MAX_FRONTIER = 16
# How a block's weights are kept: all 1.0, all one float, a byte each, a float each.
_ONES, _SAME, _BYTES, _FLOATS = 0, 1, 2, 3
_ITEMSIZE = {"B": 1, "H": 2, "I": 4}


def _pack_ints(values) -> bytes:
    """Non-negative ints as a typecode byte and a little-endian array."""
    largest = max(values, default=0)
    typecode = "B" if largest < 1 << 8 else "H" if largest < 1 << 16 else "I"
    packed = array(typecode, values)
    if sys.byteorder == "big":
        packed.byteswap()
    return typecode.encode() + packed.tobytes()


def _unpack_ints(data: bytes, count: int | None = None) -> array:
    """What :func:`_pack_ints` packed: all of it, or its first ``count``
    ints when more bytes follow (they end at ``1 + itemsize * count``)."""
    packed = array(chr(data[0]))
    packed.frombytes(data[1:] if count is None else data[1:1 + packed.itemsize * count])
    if sys.byteorder == "big":
        packed.byteswap()
    return packed


def _pack_weights(weights) -> bytes:
    first = weights[0]
    if weights.count(first) == len(weights):
        return bytes((_ONES,)) if first == 1.0 else bytes((_SAME,)) + struct.pack("<f", first)
    if all(map(float.is_integer, weights)) and 0 < min(weights) and max(weights) < 256:
        return bytes((_BYTES,)) + bytes(map(int, weights))
    floats = array("f", weights)
    if sys.byteorder == "big":
        floats.byteswap()
    return bytes((_FLOATS,)) + floats.tobytes()


def _pack_values(values: list[bytes], fixed_size: int | None) -> bytes:
    """The postings' values: joined when they have a fixed size, else their
    lengths first (an array), then joined."""
    if not values:
        return b""
    if fixed_size is not None and fixed_size > 0:
        return b"".join(values)
    return _pack_ints(list(map(len, values))) + b"".join(values)


def frontier(weights, length_bytes) -> list[tuple[int, int]]:
    """The (weight, length byte) pairs of a block that no other posting
    beats on both (a higher weight and a shorter length): a score that grows
    with the weight and falls with the length is highest at one of them.
    Empty when the block's weights do not fit the header (not whole numbers
    below 256) or the pairs are too many."""
    first = weights[0]
    if weights.count(first) == len(weights):  # most blocks: all weights 1
        return [(int(first), min(length_bytes))] if first.is_integer() and 0 <= first < 256 \
            else []
    found: list[tuple[int, int]] = []
    shortest = 256
    # Only each weight's shortest length can be on the frontier: sorted in
    # reverse, the dict keeps it (the last of its weight), weights descending.
    shortest_at = dict(sorted(zip(weights, length_bytes, strict=True), reverse=True))
    for weight, length in shortest_at.items():
        if length < shortest:
            if not (weight.is_integer() and 0 <= weight < 256) or len(found) == _MAX_FRONTIER:
                return []
            found.append((int(weight), length))
            shortest = length
    return found


class _LengthBytes(dict):
    """Field length → its length byte (Whoosh's ``length_to_byte``), computed
    once per length."""

    def __missing__(self, length: int) -> int:
        self[length] = byte = length_to_byte(length)
        return byte


LENGTH_BYTES = _LengthBytes()


class PostingsWriter(W3PostingsWriter):
    """W3's postings writer, writing the blocks described above."""

    def _new_block(self):
        super()._new_block()
        self._length_bytes: list[int] = []

    def add_posting(self, id_, weight, vbytes, length=None):
        super().add_posting(id_, weight, vbytes, length)  # may write the full block first
        self._length_bytes.append(length_to_byte(length) if length else 0)

    def start_postings(self, format_, terminfo):
        super().start_postings(format_, TermInfo())  # W3's, with compact inlined postings

    def finish_postings(self):
        # A term in a few documents (most word pairs) keeps its postings
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
            self._values = present(values[start:start + limit])
            self._maxweight = max(0, max(self._weights))
            if lengths is None:
                self._minlength, self._maxlength = None, 0
                self._length_bytes = []
            else:
                found = list(map(lengths.__getitem__, block))
                self._minlength, self._maxlength = length_range(found)
                self._length_bytes = list(map(LENGTH_BYTES.__getitem__, found))

    def _write_block(self, last=False):
        if self._byteids:  # term vectors: W3's own layout, read by W3's matcher
            return super()._write_block(last)
        postfile = self._postfile
        if not self._blockcount:
            postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        ids, weights = self._ids, self._weights
        chunks = [
            _pack_ints(list(map(sub, ids, chain((0,), ids))))
            + _pack_weights(weights),
            _pack_values(self._values, self._format.fixed_value_size()),
        ]
        flags = 0
        for i, flag in enumerate((_IDS_COMPRESSED, _VALUES_COMPRESSED)):
            if self._compression and len(chunks[i]) > 16:
                compressed = zlib.compress(chunks[i], self._compression)
                # A short chunk often grows when compressed: kept as it is.
                if len(compressed) < len(chunks[i]):
                    chunks[i] = compressed
                    flags |= flag
        pairs = frontier(weights, self._length_bytes) if self._length_bytes else []
        edge = bytes(chain.from_iterable(pairs))
        length = _HEADER.size - 4 + len(edge) + len(chunks[0]) + len(chunks[1])
        postfile.write(b"".join((_HEADER.pack(
            -length if last else length, len(ids), ids[-1], self._maxweight, flags,
            length_to_byte(self._minlength), length_to_byte(self._maxlength),
            len(pairs) if pairs else NO_FRONTIER, len(chunks[0])), edge, chunks[0], chunks[1])))
        self._blockcount += 1
        self._new_block()


def present(items: list) -> list:
    """``items`` without its empty ones (no value, no length). Mostly there
    are none (a document holding a term has a length in its field), and a
    C-level scan then saves a Python step per posting."""
    return [item for item in items if item] if not all(items) else items


def length_range(found: list[int]) -> tuple[int | None, int]:
    """The shortest and longest of a term's documents' field lengths
    (``found``, 0 for a document without the field, never the shortest)."""
    lengths = present(found)
    return (min(lengths) if lengths else None), max(found, default=0)


class TermInfo(W3TermInfo):
    """W3's term info; inlined postings are pickled with protocol 4 (bytes
    values without protocol 2's detour through text) and whole-number
    weights as ints. W3's reader reads it as it is."""

    def to_bytes(self):
        if not self.is_inlined():
            return super().to_bytes()
        return inlined_term_info(*self._inlined, self._minlength, self._maxlength)


def inlined_term_info(ids: Sequence[int], weights: Sequence[float], values: Sequence[bytes],
                      minlength: int | None, maxlength: int) -> bytes:
    """The bytes of a term info holding its postings: W3's fixed part (the
    statistics of the postings), then the postings pickled."""
    weights = tuple(int(w) if w.is_integer() else w for w in weights)
    head = W3TermInfo._struct.pack(  # noqa: SLF001
        True, sum(weights), len(ids), 0 if minlength is None else length_to_byte(minlength),
        length_to_byte(maxlength), max(0, *weights), ids[0], ids[-1])
    return head + dumps((tuple(ids), weights, tuple(values)), PROTOCOL)


class BlockValues(Sequence):
    """A block's values, each cut from the decoded chunk when asked for (a
    phrase reads the values of a few candidates of a block)."""

    __slots__ = ("_data", "_ends")

    def __init__(self, data: bytes, ends: Sequence[int]):
        self._data = data
        self._ends = ends  # where each value starts, then where the last one ends

    def __len__(self) -> int:
        return len(self._ends) - 1

    def spans(self) -> tuple[bytes, Sequence[int]]:
        """The decoded chunk and where each value starts in it, then where
        the last one ends: value ``i`` is ``data[ends[i]:ends[i + 1]]``."""
        return self._data, self._ends

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        ends = self._ends
        if i < 0:
            i += len(ends) - 1
        if not 0 <= i < len(ends) - 1:
            raise IndexError(i)
        return self._data[ends[i]:ends[i + 1]]


class LeafMatcher(W3LeafMatcher):
    """Reads the blocks described above, with W3's matcher interface."""

    def __init__(self, postfile, startoffset, length, format_, term=None, scorer=None):
        # The block headers are unpacked in place from the file's buffer (a
        # memory map, or the term's postings read once).
        self._buffer = getattr(postfile, "_buf", None)
        self._base = 0
        if self._buffer is None:
            self._buffer = postfile.get(startoffset, length)
            self._base = startoffset
        self._stored = (startoffset - self._base, length)
        super().__init__(postfile, startoffset, length, format_, term=term, scorer=scorer)

    def stored_bytes(self) -> bytes:
        """The term's postings as stored: two terms with the same bytes have
        the same postings (a compound's joined form, always written with
        its hyphen, and its first word)."""
        start, length = self._stored
        return bytes(self._buffer[start:start + length])

    def _goto(self, position):
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        self._position = position
        (length, self._blocklength, self._maxid, self._maxweight, self._flags, minlength,
         maxlength, self._frontier_size, self._chunk_length) = _HEADER.unpack_from(
            self._buffer, position - self._base)
        self._lastblock = length < 0
        length = abs(length)
        self._nextoffset = position + 4 + length
        self._frontier_offset = position + _HEADER.size
        self._dataoffset = self._frontier_offset + (
            0 if self._frontier_size == NO_FRONTIER else 2 * self._frontier_size)
        self._minlength = byte_to_length(minlength)
        self._maxlength = byte_to_length(maxlength)

    def frontier(self) -> bytes | None:
        """The block's frontier as (weight, length byte) byte pairs, or None
        when it was not kept (then the block has no bound)."""
        if self._frontier_size == NO_FRONTIER:
            return None
        start = self._frontier_offset - self._base
        return bytes(self._buffer[start:start + 2 * self._frontier_size])

    def _chunk(self, start: int, end: int, compressed: bool) -> bytes:
        data = self._buffer[start - self._base:end - self._base]
        return zlib.decompress(data) if compressed else bytes(data)

    def _read_data(self):
        # Document numbers and weights: typecode, deltas, weights' kind, weights.
        start = self._dataoffset
        self._data = self._chunk(start, start + self._chunk_length,
                                 self._flags & _IDS_COMPRESSED)

    def _read_ids(self):
        self._ids = tuple(self._decoded_ids())

    def _decoded_ids(self) -> Iterable[int]:
        if self._data is None:
            self._read_data()
        return accumulate(_unpack_ints(self._data, self._blocklength))

    def _decoded_weights(self) -> Iterable[float]:
        if self._data is None:
            self._read_data()
        chunk, count = self._data, self._blocklength
        at = 1 + _ITEMSIZE[chr(chunk[0])] * count
        kind = chunk[at]
        if kind == _ONES:
            return repeat(1.0, count)
        if kind == _SAME:
            return repeat(struct.unpack_from("<f", chunk, at + 1)[0], count)
        if kind == _BYTES:
            return map(float, chunk[at + 1:at + 1 + count])
        floats = array("f")
        floats.frombytes(chunk[at + 1:at + 1 + 4 * count])
        if sys.byteorder == "big":
            floats.byteswap()
        return floats

    def _read_weights(self):
        self._weights = array("f", self._decoded_weights())

    def _read_values(self):
        values = self._decoded_values()
        self._values = (None,) * self._blocklength if values is None else values

    def _decoded_values(self) -> Sequence[bytes] | None:
        start = self._dataoffset + self._chunk_length
        if start == self._nextoffset:
            return None
        data = self._chunk(start, self._nextoffset, self._flags & _VALUES_COMPRESSED)
        size, count = self._fixedsize, self._blocklength
        if size is not None and size > 0:
            return BlockValues(data, range(0, size * (count + 1), size))
        lengths = _unpack_ints(data, count)
        return BlockValues(data, list(accumulate(lengths, initial=1 + lengths.itemsize * count)))

    def read_block(self, values: bool = False
                   ) -> tuple[list[int], Iterable[float], Sequence[bytes] | None]:
        """The current block, decoded whole: document numbers, weights, and
        the values only when asked (None otherwise, or when it has none)."""
        return (list(self._decoded_ids()), self._decoded_weights(),
                self._decoded_values() if values else None)

    def next_block(self) -> None:
        """Move to the next block (past the end after the last one)."""
        self._next_block()

    def block_frontiers(self) -> list[tuple[int, int, bytes | None]]:
        """Where each block from the current one on starts, its last document
        number and its frontier (see :meth:`frontier`); only the headers are
        read. Leaves the matcher past the end: go back with
        :meth:`read_block_at`."""
        found = []
        while self.is_active():
            found.append((self._position, self._maxid, self.frontier()))
            self._next_block()
        return found

    def read_block_at(self, position: int) -> tuple[list[int], Iterable[float]]:
        """Document numbers and weights of the block starting at ``position``
        (from :meth:`block_frontiers`)."""
        self._atend = False
        self._goto(position)
        return list(self._decoded_ids()), self._decoded_weights()


def term_bytes(schema, fieldname: str, text: object) -> bytes | None:
    """A term as the index stores it, or None when the schema lacks the
    field or the field cannot hold ``text``."""
    if fieldname not in schema:
        return None
    try:
        return schema[fieldname].to_bytes(text)
    except ValueError:
        return None


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


def blocks(matcher, within: list[int] | None = None, values: bool = False
           ) -> Iterator[tuple[list[int], Iterable[float], Sequence[bytes] | None]]:
    """The blocks of ``matcher`` from where it stands, decoded whole: a
    LeafMatcher's blocks as stored, any other matcher's postings (a term's
    inlined postings, another codec's) as one block. The postings' values
    only with ``values`` (for a LeafMatcher; None otherwise). With
    ``within`` (sorted document numbers), only the blocks that may hold one
    of them: the others are skipped on their last document number, without
    being decoded."""
    if isinstance(matcher, LeafMatcher):
        if within is None:
            while matcher.is_active():
                yield matcher.read_block(values)
                matcher.next_block()
            return
        i, count = 0, len(within)
        while matcher.is_active() and i < count:
            last = matcher.block_max_id()
            if within[i] <= last:
                yield matcher.read_block(values)
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


def ids_among(reader, fieldname: str, btext: bytes, among: set[int],
              within: list[int] | None = None) -> set[int]:
    """The documents of ``among`` holding one term of a segment: only the
    posting blocks that may hold one of them are decoded (``within``: the
    same documents sorted, when the caller has them)."""
    matcher = raw_postings(reader, fieldname, btext)
    found: set[int] = set()
    if matcher is not None:
        for ids, _weights, _values in blocks(matcher, sorted(among) if within is None else within):
            found.update(among.intersection(ids))
    return found
