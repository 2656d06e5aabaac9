"""The index's Whoosh codec: W3, Whoosh's default, with its costs removed.

Whoosh stays the engine — its segments, term index, matchers and scoring
— and the files keep W3's layout. What changes:

* Posting blocks are stored compactly and read a block at a time
  (resosearch.postings).
* A compound segment is read in place from its memory map instead of being
  copied into memory at open (resosearch.mapped).
* Stored fields are JSON compressed against a dictionary drawn from the
  segment's first documents: Whoosh compresses each document's pickle on
  its own, and a paragraph is too short for that to find much repetition;
  with the dictionary they take about half the space, and reading them
  unpickles nothing.
* Sortable columns and field lengths are written in one go per column when
  the segment is written (resosearch.columns), not a value at a time.
* Field lengths (a byte per document and field) are kept in memory: Whoosh
  reads the column file once per posting when it writes a segment and once
  per match when it scores.
* Each segment also keeps a byte-per-document map of its common terms
  (resosearch.dense), for and-queries of common words.
* Whoosh asks the file system whether a length column exists once per
  posting of a field without lengths (IDs, numbers) when it writes; the
  answer is remembered.
"""

from __future__ import annotations

import contextlib
import json
import os
import struct
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from typing import Any

from whoosh import columns
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3Codec,
    W3FieldWriter,
    W3PerDocReader,
    W3PerDocWriter,
    W3Segment,
    W3TermsReader,
    _lenfield,
)
from whoosh.filedb.filetables import OrderedHashReader
from whoosh.filedb.filetables import _lengths as _ROW_LENGTHS
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length

from resosearch.columns import ColumnValues
from resosearch.dense import DENSE_EXT, DENSE_FIELDS, DenseMaps, DenseWriter
from resosearch.mapped import MappedCompoundStorage
from resosearch.postings import (
    INLINE_POSTINGS,
    LENGTH_BYTES,
    LeafMatcher,
    PostingsWriter,
    inlined_term_info,
    length_range,
    present,
)

# Stored fields: a column of compressed JSON, and the dictionary it is
# compressed against (the last bytes of the first documents' JSON: zlib
# looks back 32 kB).
STORED_JSON = "_json"
_STORED_COLUMN = columns.VarBytesColumn()
DICTIONARY_SAMPLE = 2000
DICTIONARY_BYTES = 16 * 1024


def segment_maps(reader) -> DenseMaps | None:
    """An open segment's term maps (resosearch.dense); None for a segment
    written without them, or by another codec."""
    perdoc = reader._perdoc  # noqa: SLF001
    return perdoc.dense_maps() if isinstance(perdoc, PerDocReader) else None


def term_map(reader, fieldname: str, btext: bytes | None) -> bytes | None:
    """A term's map in an open segment (a byte per document, its frequency
    there: resosearch.dense); None when it has none."""
    maps = segment_maps(reader) if btext is not None else None
    return maps.tf_map(fieldname, btext) if maps else None


class PerDocReader(W3PerDocReader):
    """A W3 per-document reader that remembers which columns are missing and
    keeps each field's length column in memory (one byte per document)."""

    def __init__(self, storage, segment):
        super().__init__(storage, segment)
        self._missing: set[str] = set()
        self._length_bytes: dict[str, bytes | None] = {}
        self._dense: DenseMaps | None | bool = False  # False: not read yet

    def dense_maps(self) -> DenseMaps | None:
        """The segment's term maps (resosearch.dense), or None for a segment
        written without them."""
        if self._dense is False:
            name = self._segment.make_filename(DENSE_EXT)
            maps = None
            if self._storage.file_exists(name):
                dbfile = self._storage.open_file(name)
                data = getattr(dbfile, "_buf", None)
                maps = DenseMaps(dbfile.read() if data is None else data, self._doccount)
            self._dense = maps
        return self._dense

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

    def stored_fields(self, docnum):
        dictionary = getattr(self._segment, "stored_dictionary", None)
        if dictionary is None:
            return super().stored_fields(docnum)  # a W3 segment, or nothing stored
        data = self._cached_reader(STORED_JSON, _STORED_COLUMN)[docnum]
        if not data:
            return {}
        decompressor = zlib.decompressobj(zdict=dictionary)
        return json.loads(decompressor.decompress(data) + decompressor.flush())

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


class PerDocWriter(W3PerDocWriter):
    """W3's per-document writer, with stored fields as JSON compressed
    against a dictionary drawn from the segment's own first documents.

    Whoosh compresses each document's pickled stored fields on its own; a
    paragraph is too short for that to find much repetition. zlib with a
    preset dictionary (the stored fields of the first documents, which
    share the JSON keys and the drafting vocabulary) stores them in about
    half the space. The dictionary travels with the segment.
    """

    def __init__(self, codec, storage, segment):
        super().__init__(codec, storage, segment)
        del self._colwriters["_stored"]  # replaced by STORED_JSON
        self._pending: list[tuple[int, bytes]] = []
        self._dictionary: bytes | None = None
        self._primed: zlib._Compress | None = None  # a compressor given the dictionary
        self._columns: dict[str, ColumnValues] = {}

    def add_fields(self, stored: dict[str, Any], lengths: dict[str, int]) -> None:
        """What Whoosh's ``add_field`` does for each field of the current
        document, at once: its ``stored`` values (in the order given), and
        the ``lengths`` of its scorable fields."""
        self._storedfields = stored
        for fieldname, length in lengths.items():
            self.add_column_value(_lenfield(fieldname), LENGTHS_COLUMN, LENGTH_BYTES[length])
            self._fieldlengths[fieldname] += length

    def add_column_value(self, fieldname, column, value):
        values = self._columns.get(fieldname)
        if values is None:
            if not ColumnValues.handles(column):
                super().add_column_value(fieldname, column, value)
                return
            values = self._columns[fieldname] = ColumnValues(column)
        values.docnums.append(self._docnum)
        values.values.append(value)

    def finish_doc(self):
        stored = self._storedfields
        if stored:
            data = json.dumps(stored, ensure_ascii=False, separators=(",", ":")).encode()
            stored.clear()
            if self._dictionary is None:
                self._pending.append((self._docnum, data))
                if len(self._pending) >= DICTIONARY_SAMPLE:
                    self._flush_pending()
            else:
                self._write_stored(self._docnum, data)
        self._indoc = False

    def _flush_pending(self) -> None:
        sample = b"".join(data for _, data in self._pending)
        self._dictionary = sample[-DICTIONARY_BYTES:]
        self._segment.stored_dictionary = self._dictionary
        # Copying a compressor that has the dictionary costs less than
        # giving it to a new one (zlib hashes it), with the same output.
        self._primed = zlib.compressobj(6, zdict=self._dictionary)
        for docnum, data in self._pending:
            self._write_stored(docnum, data)
        self._pending.clear()

    def _write_stored(self, docnum: int, data: bytes) -> None:
        if not self._has_column(STORED_JSON):
            self._create_column(STORED_JSON, _STORED_COLUMN)
        compressor = self._primed.copy()
        self._get_column(STORED_JSON).add(docnum, compressor.compress(data) + compressor.flush())

    def close(self):
        if self._indoc:
            self.finish_doc()
        if self._pending:
            self._flush_pending()
        for fieldname, values in self._columns.items():
            self._cols.create_file(fieldname).write(values.encode(self._doccount))
        super().close()
        # W3 leaves its (by now empty) folder of temporary files, INDEX.tmp,
        # in the index. Another writer may still be using it: only removed
        # when empty.
        folder = getattr(self._cols._tempstorage, "folder", None)  # noqa: SLF001
        if folder:
            with contextlib.suppress(OSError):
                os.rmdir(folder)


class FieldWriter(W3FieldWriter):
    """W3's field writer, which also takes a term's postings all at once and
    writes the segment's term maps (resosearch.dense)."""

    def __init__(self, codec, storage, segment):
        super().__init__(codec, storage, segment)
        self._dense = DenseWriter()
        self._term_ids: array | None = None  # the current term's postings, for its map
        self._term_weights: array | None = None

    def start_term(self, btext):
        super().start_term(btext)
        if self._fieldname in DENSE_FIELDS:
            self._term_ids, self._term_weights = array("I"), array("f")

    def add(self, docnum, weight, vbytes, length):
        super().add(docnum, weight, vbytes, length)
        if self._term_ids is not None:
            self._term_ids.append(docnum)
            self._term_weights.append(weight)

    def add_all(self, ids, weights, values, lengths) -> None:
        """The current term's postings (see PostingsWriter.add_all)."""
        self._postwriter.add_all(ids, weights, values, lengths)
        self._dense.consider(self._fieldname, self._btext, ids, weights)
        self._term_ids = self._term_weights = None

    def add_term(self, btext: bytes, ids: array, weights: array, values: list[bytes],
                 lengths: array | None) -> None:
        """A whole term: ``start_term``, ``add_all`` and ``finish_term`` in one.
        A term in few documents (most word pairs) has its postings inlined
        in its term info (see PostingsWriter.finish_postings): that term info
        is made here directly, without a posting block being started and
        dropped, which is most of the cost of writing such a term."""
        if len(ids) > INLINE_POSTINGS:
            self.start_term(btext)
            self.add_all(ids, weights, values, lengths)
            self.finish_term()
            return
        shortest, longest = (None, 0) if lengths is None else \
            length_range(list(map(lengths.__getitem__, ids)))
        self._add_row(pack_ushort(self._fieldid) + btext, inlined_term_info(
            ids, weights, present(values), shortest, longest))
        # (Too rare for a map, but it tells the maps how large the segment is.)
        self._dense.consider(self._fieldname, btext, ids, weights)

    def _add_row(self, key: bytes, value: bytes) -> None:
        # What the term table's add (OrderedHashWriter's, then HashWriter's)
        # does, with one write instead of three.
        table = self._tindex
        if key <= table.lastkey:
            raise ValueError(f"Keys must increase: {table.lastkey!r}..{key!r}")
        dbfile = table.dbfile
        at = dbfile.tell()
        table.index.append(at)
        dbfile.write(_ROW_LENGTHS.pack(len(key), len(value)) + key + value)
        digest = table.hashfn(key)
        table.buckets[digest & 255].append((digest, at))
        table.lastkey = key

    def finish_term(self):
        super().finish_term()
        if self._term_ids is not None:
            self._dense.consider(self._fieldname, self._btext, self._term_ids,
                                 self._term_weights)
            self._term_ids = self._term_weights = None

    def close(self):
        super().close()
        if self._dense:
            self._dense.write(self._create_file(DENSE_EXT))


class TermIndex(OrderedHashReader):
    """W3's ordered table of terms, looked up by bisecting its key positions
    with keys read straight from the memory map. Whoosh's own binary search
    makes three Python file reads per step: finding the words near a fuzzy
    term, a few hundred lookups in each segment, took most of the query's
    time."""

    _positions = None
    _sample = None
    # Per stretch looked in: its key positions and its finer sample of keys.
    _stretches: dict[int, tuple[Sequence[int], list[bytes]]]

    def key_at(self, pos):
        buffer = getattr(self.dbfile, "_buf", None)
        if buffer is None:
            return super().key_at(pos)
        (length,) = _KEY_LENGTH.unpack_from(buffer, pos)
        return bytes(buffer[pos + _KEY_HEADER:pos + _KEY_HEADER + length])

    def _key_positions(self) -> Sequence[int]:
        typecode = self.extras["indextype"]
        buffer = getattr(self.dbfile, "_buf", None)
        if buffer is None or struct.calcsize(">" + typecode) != array(typecode).itemsize:
            return self.dbfile.get_array(self.indexbase, typecode, self.indexlen)
        # Read where they lie, a few at a time: copying the whole array (a
        # million terms a segment at archive size) took 7 ms a segment.
        return StoredInts(buffer, self.indexbase, typecode, self.indexlen)

    def closest_key_pos(self, key):
        positions, sample = self._positions, self._sample
        if sample is None:
            positions = self._positions = self._key_positions()
            # Every SAMPLE_EVERY-th key (some 1,000 a segment at archive
            # size), read when the segment's first word is looked up in
            # order (a prefix, a fuzzy word): each is a page of the memory
            # map touched for the first time, which is what a sample costs.
            sample = self._sample = self._keys_every(positions, SAMPLE_EVERY)
            self._stretches = {}
        # sample[j - 1] < key <= sample[j]: the answer is in that stretch,
        # whose key positions are read at once and kept with a finer sample
        # of its own (the words near a fuzzy word, or after a prefix, are
        # looked up in the same few stretches).
        j = bisect_left(sample, key)
        stretch = self._stretches.get(j)
        if stretch is None:
            low, high = _stretch(j, SAMPLE_EVERY, len(positions))
            found = positions[low:high]
            stretch = self._stretches[j] = (found, self._keys_every(found, FINE_SAMPLE_EVERY))
        found, fine = stretch
        low, high = _stretch(bisect_left(fine, key), FINE_SAMPLE_EVERY, len(found))
        at = bisect_left(found, key, low, high, key=self.key_at)
        return found[at] if at < len(found) else None

    def _keys_every(self, positions: Sequence[int], every: int) -> list[bytes]:
        """The key at every ``every``-th of ``positions``."""
        return list(map(self.key_at, positions[::every]))


def _stretch(j: int, every: int, count: int) -> tuple[int, int]:
    """Where among ``count`` sorted keys, sampled every ``every``, a key
    lies when sample ``j`` is the first not below it (``len(sample)``: none)."""
    return ((j - 1) * every + 1 if j else 0), min(j * every, count - 1) + 1


class StoredInts(Sequence):
    """An array of big-endian ints (as W3 writes them) in a buffer, read
    where it lies when asked for: an int, or a slice (a native array, as
    compact as the stored one)."""

    __slots__ = ("_buffer", "_offset", "_typecode", "_size", "_count", "_unpack")

    def __init__(self, buffer, offset: int, typecode: str, count: int):
        unpacker = struct.Struct(">" + typecode)
        self._buffer, self._offset, self._typecode = buffer, offset, typecode
        self._size, self._count, self._unpack = unpacker.size, count, unpacker.unpack_from

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, i):
        if isinstance(i, slice):
            start, stop, step = i.indices(self._count)
            if step != 1:
                return array(self._typecode, map(self.__getitem__, range(start, stop, step)))
            return array(self._typecode, struct.unpack_from(
                f">{max(0, stop - start)}{self._typecode}", self._buffer,
                self._offset + start * self._size))
        if i < 0:
            i += self._count
        if not 0 <= i < self._count:
            raise IndexError(i)
        return self._unpack(self._buffer, self._offset + i * self._size)[0]


# One key in this many of the term table is kept in memory for lookups.
SAMPLE_EVERY = 1024
# And one in this many of a stretch between two of those, once it is looked in.
FINE_SAMPLE_EVERY = 32
# A key's entry: its length and its value's length (big-endian), then the key.
_KEY_LENGTH = struct.Struct("!I")
_KEY_HEADER = 8


class TermsReader(W3TermsReader):
    """W3's terms reader over a :class:`TermIndex`."""

    def __init__(self, codec, dbfile, length, postfile):  # W3's, with our table
        self._codec = codec
        self._dbfile = dbfile
        self._tindex = TermIndex(dbfile, length)
        self._fieldmap = self._tindex.extras["fieldmap"]
        self._postfile = postfile
        self._fieldunmap = [None] * len(self._fieldmap)
        for fieldname, num in self._fieldmap.items():
            self._fieldunmap[num] = fieldname


class Codec(W3Codec):
    """W3Codec with compact posting blocks, in-memory field lengths and
    compound files read in place."""

    def per_document_writer(self, storage, segment):
        return PerDocWriter(self, storage, segment)

    def per_document_reader(self, storage, segment):
        return PerDocReader(storage, segment)

    def terms_reader(self, storage, segment):  # W3's, with our terms reader
        name = segment.make_filename(self.TERMS_EXT)
        return TermsReader(self, storage.open_file(name), storage.file_length(name),
                           segment.open_file(storage, self.POSTS_EXT))

    def field_writer(self, storage, segment):
        return FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                              compression=self._compression, inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term, scorer)
        offset, length = terminfo.extent()
        if isinstance(length, tuple):  # W3's term info reads its length back as a 1-tuple
            (length,) = length
        return LeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)

    def new_segment(self, storage, indexname):
        return Segment(self, indexname)


class Segment(W3Segment):
    """A W3 segment that opens its compound file as views onto a memory map."""

    def open_compound_file(self, storage):
        dbfile = storage.open_file(self.make_filename(self.COMPOUND_EXT))
        return MappedCompoundStorage(dbfile, use_mmap=storage.supports_mmap)
