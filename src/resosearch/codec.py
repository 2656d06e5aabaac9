"""Whoosh's default codec, with three costs removed.

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

Segments written with this codec are ordinary W3 segments.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3Codec,
    W3PerDocReader,
    W3Segment,
    _lenfield,
)
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.util.numeric import byte_to_length


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
    """W3Codec whose per-document reader caches missing columns and whose
    segments open their compound file without copying it."""

    def per_document_reader(self, storage, segment):
        return PerDocReader(storage, segment)

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
