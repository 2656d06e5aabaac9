"""Compound segment files read in place from their memory map.

Whoosh memory-maps a compound segment, then copies every sub-file it opens
into a ``BytesIO`` — the whole postings file among them, which made opening
an archive-sized index take most of a second. Here a sub-file is a view
onto the map, and a read copies only the bytes it asks for.
"""

from __future__ import annotations

from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.structfile import BufferFile


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
