"""Whoosh's default codec (W3), with four costs removed.

* When Whoosh writes a segment it looks up each posting's field length; for
  a field without lengths (IDs, numbers, keywords) it asks the file system
  whether the length column exists — again for every posting, about ten
  times per paragraph here. Remembering the answer makes builds markedly
  faster.
* Whoosh reads a document's field length from the column file each time it
  needs it — per posting when it writes, per match when it scores. The
  lengths (a byte per document and field) are kept in memory instead.
* When Whoosh opens a compound segment it memory-maps it, then copies every
  sub-file it opens into a ``BytesIO`` — the whole postings file among them,
  which made opening an archive-sized index take most of a second. Here a
  sub-file is read straight from the map, and only the bytes asked for are
  copied.

* W3 pickles each block of postings as tuples of Python ints and floats
  (2 and 9 bytes apiece before compression). Here a block's document
  numbers are one array of deltas in the smallest integer type that holds
  them, and whole-number weights (term frequencies) one byte each: the
  postings take about half the space, and decode at C speed.

The files are otherwise W3's: same layout, same term index, same columns.
Whoosh internals this module relies on (block data, length columns) are
used nowhere else: ``block_ids`` and ``block_weights`` are how the rest of
resosearch reads a block.
"""

from __future__ import annotations

import sys
import zlib
from array import array
from collections.abc import Iterable, Iterator
from itertools import accumulate, chain, repeat

from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3LeafMatcher,
    W3PerDocReader,
    W3PostingsWriter,
    W3Segment,
    W3TermInfo,
    _lenfield,
)
from whoosh.compat import dumps  # writing only; reading is Whoosh's own code
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.util.numeric import byte_to_length, length_to_byte


class PerDocReader(W3PerDocReader):
    """A W3 per-document reader that remembers which columns are missing and
    keeps each field's length column in memory (one byte per document)."""

    def __init__(self, storage, segment):
        super().__init__(storage, segment)
        self._missing: set[str] = set()
        self._length_bytes: dict[str, bytes | None] = {}

    def length_bytes(self, fieldname: str) -> bytes | None:
        """The field's encoded length (Whoosh's length byte) of every document,
        or None for a field without lengths."""
        if fieldname not in self._length_bytes:
            column = self._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            lengths = None
            if column is not None:
                raw = bytes(column._dbfile.get(column._basepos, column._count))  # noqa: SLF001
                lengths = raw + bytes(max(0, self._doccount - len(raw)))
            self._length_bytes[fieldname] = lengths
        return self._length_bytes[fieldname]

    def doc_field_length(self, docnum, fieldname, default=0):
        # Whoosh reads the column file for each call: once per posting when
        # it writes a segment, once per match when it scores.
        if docnum > self._doccount:
            raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
        lengths = self.length_bytes(fieldname)
        if lengths is None:
            return default
        lbyte = lengths[docnum] if docnum < len(lengths) else 0
        return byte_to_length(lbyte) if lbyte else None

    def has_column(self, fieldname: str) -> bool:
        if fieldname in self._missing:
            return False
        if super().has_column(fieldname):
            return True
        self._missing.add(fieldname)  # segments never change once written
        return False


class Codec(W3Codec):
    """W3Codec with compact posting blocks, in-memory field lengths and
    compound files read in place."""

    def per_document_reader(self, storage, segment):
        return PerDocReader(storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                              compression=self._compression, inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term, scorer)
        offset, length = terminfo.extent()
        return LeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)

    def new_segment(self, storage, indexname):
        return Segment(self, indexname)


class Segment(W3Segment):
    """A W3 segment that opens its compound file as views onto a memory map."""

    def open_compound_file(self, storage):
        dbfile = storage.open_file(self.make_filename(self.COMPOUND_EXT))
        return MappedCompoundStorage(dbfile, use_mmap=storage.supports_mmap)


class MappedCompoundStorage(CompoundStorage):
    """Compound storage whose sub-files read the memory map in place."""

    def open_file(self, name, *args, **kwargs):
        if self._source is None or self.is_closed:
            return super().open_file(name, *args, **kwargs)
        offset, length = self.range(name)
        return MappedFile(self._source, offset, length, name)


class MappedFile(BufferFile):
    """Whoosh's BufferFile over part of a memory map, without its BytesIO copy."""

    def __init__(self, source, offset: int, length: int, name: str | None = None):
        super().__init__(b"", name=name)
        self._buf = memoryview(source)[offset:offset + length]
        self.file = _MapReader(source, offset, length)


class _MapReader:
    """A read-only file over ``length`` bytes of ``source`` at ``offset``."""

    __slots__ = ("_source", "_start", "_end", "_pos")

    def __init__(self, source, offset: int, length: int):
        self._source = source
        self._start = offset
        self._end = offset + length
        self._pos = offset

    def read(self, size: int = -1) -> bytes:
        start = self._pos
        end = self._end if size is None or size < 0 else min(start + size, self._end)
        self._pos = max(start, end)
        return self._source[start:end]

    def peek(self, size: int = 0) -> bytes:
        # The unpickler reads ahead through peek(), then consumes what it used:
        # two calls per pickle instead of one per opcode.
        return self._source[self._pos:min(self._pos + max(size, 4096), self._end)]

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def readline(self, size: int = -1) -> bytes:
        limit = self._end if size is None or size < 0 else min(self._pos + size, self._end)
        newline = self._source.find(b"\n", self._pos, limit)
        return self.read((newline + 1 if newline >= 0 else limit) - self._pos)

    def seek(self, position: int, whence: int = 0) -> int:
        base = (self._start, self._pos, self._end)[whence]
        self._pos = min(max(self._start, base + position), self._end)
        return self._pos - self._start

    def tell(self) -> int:
        return self._pos - self._start

    def close(self) -> None:
        pass


# -- compact posting blocks ------------------------------------------------------

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


def blocks(matcher) -> Iterator[tuple[list[int], Iterable[float], tuple | None]]:
    """Every block of ``matcher`` from where it stands, decoded whole: a
    LeafMatcher's blocks as stored, any other matcher's postings (a term's
    inlined postings, another codec's) as one block."""
    if isinstance(matcher, LeafMatcher):
        while matcher.is_active():
            yield matcher.read_block()
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
