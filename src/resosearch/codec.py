"""Whoosh's default codec, minus a file-system call per posting.

When Whoosh writes a segment it looks up each posting's field length; for a
field without lengths (IDs, numbers, keywords) it asks the file system
whether the length column exists — again for every posting, about ten times
per paragraph here. Remembering the answer makes builds markedly faster.
Segments written with this codec are ordinary W3 segments.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3Codec, W3PerDocReader


class PerDocReader(W3PerDocReader):
    """A W3 per-document reader that remembers which columns are missing."""

    def __init__(self, storage, segment):
        super().__init__(storage, segment)
        self._missing: set[str] = set()

    def has_column(self, fieldname: str) -> bool:
        if fieldname in self._missing:
            return False
        if super().has_column(fieldname):
            return True
        self._missing.add(fieldname)  # segments never change once written
        return False


class Codec(W3Codec):
    """W3Codec whose per-document reader caches missing columns."""

    def per_document_reader(self, storage, segment):
        return PerDocReader(storage, segment)
