"""columns.py reads a resolution's number and date once per run of its
documents (a resolution's paragraphs, ordered 0, 1, 2…, then its own
document); the values must be those of the whole column, document by
document, and a segment laid out otherwise must be read whole."""

from __future__ import annotations

from whoosh import index as whoosh_index

from resosearch import columns
from resosearch.schema import build_schema


def _whole(reader, fieldname: str) -> list:
    return columns._translate(reader, fieldname, columns._raw_values(reader, fieldname))


def test_resolution_wide_columns_read_by_run_are_the_whole_columns(archive_index):
    # Three segments: two built in parallel, one written by Whoosh's writer
    # (a resolution added again: its old documents are deleted ones).
    with archive_index.reading() as searcher:
        readers = [leaf.reader() for leaf, _offset in searcher.leaf_searchers()]
        assert len(readers) == 3
        for reader in readers:
            runs = columns.resolution_runs(reader)
            assert runs[-1] == reader.doc_count_all()
            # Each resolution: a run of paragraphs and a run of its own document.
            resolutions = sum(1 for value in _whole(reader, "number") if not value)
            assert len(runs) - 1 == 2 * resolutions
            for fieldname in sorted(columns.RESOLUTION_WIDE):
                assert columns._run_values(reader, fieldname) == _whole(reader, fieldname)


def test_a_segment_whose_runs_mix_resolutions_is_read_whole(tmp_path):
    # Consecutive orders, two numbers: not as resosearch writes documents.
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    with ix.writer() as writer:
        for order, number in enumerate(["1/1", "1/1", "1/2"]):
            writer.add_document(number=number, order=order, adopted="1946-01-01")
    with ix.searcher() as searcher:
        reader = searcher.reader()
        assert list(columns.resolution_runs(reader)) == [0, 3]
        assert columns._run_values(reader, "number") is None
        assert columns.column_values(reader, "number") == ["1/1", "1/1", "1/2"]
        assert columns.column_values(reader, "adopted") == ["1946-01-01"] * 3
