"""Common terms as a byte per document: a segment's *term maps*.

An and-query of common words (``développement note``) has tens of
thousands of matches in an archive: counting them exactly and ranking them
by reading the words' postings means decoding nearly every block of each
word, about 20 µs a block in Python. Here, when a segment is written, each
term found in at least one document in ``DENSE_SHARE`` of a field in
``DENSE_FIELDS`` also gets a map: one byte per document, its frequency in
that document (0: absent). The maps are stored zlib-compressed in the
segment's ``.dns`` file; a query combines them with C-level byte and
big-integer operations (resosearch.conjunction) instead of reading postings.

The maps are an addition: postings stay as they were, and a segment
without the file (written before it existed) is searched as before.
"""

from __future__ import annotations

import json
import struct
import threading
import zlib
from collections import OrderedDict, deque

# The fields whose common terms get a map: the words of the paragraph and
# of its footnotes, its word pairs (two-word phrases), and the filters that
# are and-ed with them (kind:, verb:).
DENSE_FIELDS = frozenset({"text", "notes", "pairs", "kind", "verb"})
# A term gets a map when at least 1 document in this many holds it...
DENSE_SHARE = 32
# ... and it has at least this many postings (small segments need no maps).
DENSE_MIN_POSTINGS = 2048
DENSE_EXT = ".dns"
_MAGIC = b"RSDN1"
_FOOTER = struct.Struct("<Q")  # where the directory starts
# Compression level: the maps compress about 4 to 10 times at level 1, and
# level 6 costs ten times the time for 15 % less.
_LEVEL = 1
# Decompressed maps kept per open segment (each is a byte per document).
_KEPT_MAPS = 48


def tf_map(ids, weights, size: int) -> bytearray | None:
    """A byte per document up to ``size``: the weight of each posting (its
    frequency), 0 elsewhere; None when a weight is not a whole number from 1
    to 255 (then the term gets no map)."""
    try:
        frequencies = bytes(map(int, weights))
    except ValueError:  # a weight of 256 or more, or negative
        return None
    # int() rounds a positive weight down: the sums differ if one is not whole.
    if 0 in frequencies or sum(frequencies) != sum(weights):
        return None
    found = bytearray(size)
    deque(map(found.__setitem__, ids, frequencies), maxlen=0)
    return found


class DenseWriter:
    """Collects the maps of one segment's common terms, then writes them."""

    def __init__(self) -> None:
        self._blobs: list[bytes] = []
        self._directory: list[list] = []
        self._offset = len(_MAGIC)
        self._documents = 0  # the highest document number seen, plus one

    def consider(self, fieldname: str, btext: bytes, ids, weights) -> None:
        """A term's postings (ascending document numbers and their weights):
        a map is kept when the term is common enough (the segment's size is
        estimated from the highest document number seen so far)."""
        if fieldname not in DENSE_FIELDS or not len(ids):
            return
        size = ids[-1] + 1
        self._documents = max(self._documents, size)
        if len(ids) < DENSE_MIN_POSTINGS or len(ids) * DENSE_SHARE < self._documents:
            return
        found = tf_map(ids, weights, size)
        if found is None:
            return
        blob = zlib.compress(found, _LEVEL)
        self._directory.append([fieldname, btext.hex(), self._offset, len(blob), max(found)])
        self._blobs.append(blob)
        self._offset += len(blob)

    def write(self, dbfile) -> None:
        """Write the maps collected (to a file of the segment)."""
        dbfile.write(_MAGIC)
        for blob in self._blobs:
            dbfile.write(blob)
        dbfile.write(json.dumps(self._directory, separators=(",", ":")).encode())
        dbfile.write(_FOOTER.pack(self._offset))
        dbfile.close()

    def __bool__(self) -> bool:
        return bool(self._directory)


class DenseMaps:
    """The term maps of one segment, read from its ``.dns`` file."""

    def __init__(self, data, size: int) -> None:
        if bytes(data[:len(_MAGIC)]) != _MAGIC:
            raise ValueError("not a term-map file")
        (start,) = _FOOTER.unpack_from(data, len(data) - _FOOTER.size)
        self._data = data
        self._size = size  # the segment's documents: each map is padded to a byte for each
        self._where: dict[tuple[str, bytes], tuple[int, int, int]] = {
            (fieldname, bytes.fromhex(text)): (offset, length, largest)
            for fieldname, text, offset, length, largest
            in json.loads(bytes(data[start:len(data) - _FOOTER.size]))}
        self._kept: OrderedDict[tuple[str, bytes], bytes] = OrderedDict()
        self._lock = threading.Lock()  # searches may share a segment across threads

    def __contains__(self, term: tuple[str, bytes]) -> bool:
        return term in self._where

    def __len__(self) -> int:
        return len(self._where)

    def largest(self, fieldname: str, btext: bytes) -> int:
        """The term's highest frequency in a document."""
        return self._where[fieldname, btext][2]

    def tf_map(self, fieldname: str, btext: bytes) -> bytes | None:
        """The term's map (a byte per document of the segment), or None for
        a term without a map."""
        key = (fieldname, btext)
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found
        where = self._where.get(key)
        if where is None:
            return None
        offset, length, _largest = where
        # Stored up to the term's last document; padded once, here.
        found = zlib.decompress(self._data[offset:offset + length]).ljust(self._size, b"\0")
        with self._lock:
            self._kept[key] = found
            if len(self._kept) > _KEPT_MAPS:
                self._kept.popitem(last=False)
        return found
