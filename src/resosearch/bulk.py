"""Write a new index in bulk, without Whoosh's posting pool.

Whoosh's writer sends every posting through a sorting pool — a tuple per
posting, sorted runs spilled to disk, a heap merge at commit — and then
into the codec one call per posting. A new index receives its documents in
order, so each term's postings arrive already sorted: here they are
gathered per term in lists (a document's postings appended by C loops, see
``SegmentBuilder.add_document``) and handed to the codec a term at a time.
The files are W3's, written by resosearch.codec as Whoosh's writer would
write them (tests/test_bulk.py compares the two, posting by posting).

Memory stays bounded at any corpus size: past ``RUN_DOCUMENTS`` documents,
the postings in memory are written out as a sorted run, and the runs are
merged when the segment is finished (resosearch.runs). A group of
documents (a resolution's) never straddles two segments.
"""

from __future__ import annotations

from array import array
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from itertools import repeat
from pathlib import Path
from typing import Any

from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.util.numeric import byte_to_length

from resosearch.codec import Codec
from resosearch.postings import LENGTH_BYTES
from resosearch.runs import Terms, entries, merged, read_run, write_run
from resosearch.schema import AnalyzedText

INDEX_NAME = "MAIN"  # Whoosh's default index name
# Postings of this many documents are held in memory (about 400 MB) before
# they are written out as a sorted run (see resosearch.runs).
RUN_DOCUMENTS = 50_000
# A field's postings of one value: terms (bytes, or strings for an analysed
# field: see resosearch.runs.Terms), frequencies, encoded values.
FieldPostings = tuple[list, list[int], list[bytes]]


class SegmentBuilder:
    """One new segment: documents added in order, written by :meth:`finish`."""

    def __init__(self, storage: FileStorage, schema: Schema, codec: Codec,
                 run_documents: int = RUN_DOCUMENTS) -> None:
        self._storage = storage
        self._run_documents = run_documents
        self._runs: list[Path] = []
        self._run_start = 0
        self._schema = schema
        self._codec = codec
        self.segment = codec.new_segment(storage, INDEX_NAME)
        self._perdoc = codec.per_document_writer(storage, self.segment)
        self._terms = _new_terms(schema)
        # Each document's quantized length per scorable field, as the codec
        # reads it back (0: the document lacks the field).
        self._lengths: dict[str, array] = {
            name: array("I") for name, field in schema.items() if field.scorable}
        # The postings of values that recur (a resolution's number on each of
        # its paragraphs, a kind, a verb): computed once.
        self._keyword_postings = _Computed(
            lambda key: _keyword_postings(schema[key[0]], key[1]))
        self._column_values = _Computed(  # their sort-column values, likewise
            lambda key: schema[key[0]].to_column_value(key[1]))
        # What add_document needs of each field, looked up once.
        self._plans = {name: (field, field.indexed, field.scorable, field.stored, field.column_type)
                       for name, field in schema.items()}
        self.doc_count = 0

    def add_document(self, fields: dict[str, Any]) -> None:
        """Index and store one document, as Whoosh's ``add_document(**fields)``."""
        docnum = self.doc_count
        perdoc, all_terms, plans = self._perdoc, self._terms, self._plans
        column_values = self._column_values
        lengths: dict[str, int] = {}
        stored: dict[str, Any] = {}
        perdoc.start_doc(docnum)
        for name in sorted(fields):
            value = fields[name]
            if value is None:
                continue
            field, indexed, scorable, is_stored, column = plans[name]
            if indexed:
                terms, frequencies, values = self._postings(name, field, value)
                # One posting per term, (document number, value) added to the
                # term's list without a Python step per term.
                deque(map(list.extend, map(all_terms[name].__getitem__, terms),
                          zip(repeat(docnum), values)), 0)
                if scorable:
                    length = sum(frequencies)
                    if length:
                        lengths[name] = length
            if is_stored:
                stored[name] = value
            if column:
                perdoc.add_column_value(name, column, column_values[(name, value)])
        perdoc.add_fields(stored, lengths)
        perdoc.finish_doc()
        for name, column in self._lengths.items():
            length = lengths.get(name)
            column.append(byte_to_length(LENGTH_BYTES[length]) if length else 0)
        self.doc_count += 1
        if self.doc_count - self._run_start >= self._run_documents:
            self._write_run()

    def _postings(self, name: str, field: Any, value: Any) -> FieldPostings:
        if isinstance(field, AnalyzedText) and isinstance(value, str):
            return field.postings(value)
        return self._keyword_postings[(name, value)]

    def _write_run(self) -> None:
        # Not named after the segment: its compound file takes every file
        # whose name starts with the segment's.
        path = Path(self._storage.folder) / f"RUN_{self.segment.segid}_{len(self._runs)}"
        write_run(path, self._terms)
        self._runs.append(path)
        self._terms = _new_terms(self._schema)
        self._run_start = self.doc_count

    def finish(self):
        """Write the postings and term index, assemble the compound file and
        return the finished segment."""
        self._perdoc.close()
        writer = self._codec.field_writer(self._storage, self.segment)
        field = lengths = weight_of = None
        sources = [read_run(path) for path in self._runs] + [entries(self._terms)]
        for name, btext, ids, encoded in merged(sources):
            if name != field:
                if field is not None:
                    writer.finish_field()
                writer.start_field(name, self._schema[name])
                field, lengths = name, self._lengths.get(name)
                weight_of = _Computed(self._schema[name].format.decode_weight)
            writer.add_term(btext, ids, array("f", map(weight_of.__getitem__, encoded)), encoded,
                            lengths)
        if field is not None:
            writer.finish_field()
        writer.close()
        self._terms.clear()
        for path in self._runs:
            path.unlink()
        self.segment.set_doc_count(self.doc_count)
        self.segment.create_compound_file(self._storage)
        return self.segment


# Distinct (field, value) postings of keyword fields kept by a builder.
KEYWORD_CACHE = 65_536


def _new_terms(schema: Schema) -> Terms:
    """Per indexed field: each term's postings (see resosearch.runs.Terms)."""
    return {name: defaultdict(list) for name, field in schema.items() if field.indexed}


class _Computed(dict):
    """What ``compute`` gives for each key, computed once (values recur: a
    resolution's number on each of its paragraphs, a posting's encoded
    value); emptied when it holds ``KEYWORD_CACHE`` keys."""

    def __init__(self, compute: Callable[[Any], Any]) -> None:
        super().__init__()
        self._compute = compute

    def __missing__(self, key: Any) -> Any:
        if len(self) >= KEYWORD_CACHE:
            self.clear()
        found = self[key] = self._compute(key)
        return found


def _keyword_postings(field: Any, value: Any) -> FieldPostings:
    """A keyword field's postings of ``value``, as three lists (see
    schema.AnalyzedText.postings; the terms here are bytes, but strings
    for an analysed field, as its other postings)."""
    entries = list(field.index(value))
    terms = [e[0] for e in entries]
    if isinstance(field, AnalyzedText):
        terms = [term.decode() for term in terms]
    return terms, [e[1] for e in entries], [e[3] for e in entries]


class BulkWriter:
    """New segments in ``folder``, from groups of documents added in order;
    :func:`write_toc` then makes them an index."""

    def __init__(self, folder: str | Path, schema: Schema,
                 segment_documents: int | None = None,
                 run_documents: int = RUN_DOCUMENTS) -> None:
        self._storage = FileStorage(str(folder)).create()
        self._schema = schema
        self._codec = Codec()
        self._limit = segment_documents
        self._run_documents = run_documents
        self._segments: list = []
        self._current: SegmentBuilder | None = None

    def start_segment(self) -> None:
        """Let the next documents start a new segment."""
        if self._current is not None and self._current.doc_count:
            self._segments.append(self._current.finish())
            self._current = None

    def add_documents(self, documents: Iterable[dict[str, Any]]) -> tuple[int, int, int]:
        """Add a group of documents, all to one segment; returns where they
        went: the segment's number (in :meth:`finish`'s list), the first
        document's number in it, and how many there were."""
        if self._limit and self._current is not None and self._current.doc_count >= self._limit:
            self.start_segment()
        if self._current is None:
            self._current = SegmentBuilder(self._storage, self._schema, self._codec,
                                           self._run_documents)
        first = self._current.doc_count
        for fields in documents:
            self._current.add_document(fields)
        return len(self._segments), first, self._current.doc_count - first

    def finish(self) -> list:
        """Write the last segment; the segments written, in order."""
        self.start_segment()
        return self._segments


def write_toc(folder: str | Path, schema: Schema, segments: list) -> None:
    """Make ``segments`` (in ``folder``) an index: Whoosh's table of contents."""
    TOC(schema, segments, 0).write(FileStorage(str(folder)), INDEX_NAME)
