"""The index's storage: compact positions and posting blocks, stored fields
compressed against a dictionary, compound files read in place — each read
back through Whoosh itself and compared with what was written."""

from __future__ import annotations

import io
import random

import pytest
from whoosh import columns, fields, index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage

from resosearch.analysis import exact_analyzer, text_analyzer
from resosearch.codec import DICTIONARY_SAMPLE, Codec
from resosearch.columns import ColumnValues
from resosearch.count import count, term_ids
from resosearch.mapped import _MapReader
from resosearch.postings import _pack_ints, _unpack_ints
from resosearch.schema import AnalyzedText, CompactPositions


@pytest.mark.parametrize("largest", [50, 300, 70_000, 5_000_000])
def test_compact_positions_round_trip(largest):
    format_ = CompactPositions()
    rng = random.Random(largest)
    for _ in range(300):
        positions = sorted(rng.sample(range(largest), rng.randint(1, 12)))
        value = format_.encode(positions)
        assert format_.decode_positions(value) == positions
        assert format_.decode_frequency(value) == len(positions)
    assert len(format_.encode([3, 5, 9])) == 3  # one byte a position, in a paragraph


@pytest.mark.parametrize("values", [[0, 5, 255], [256, 1], [70_000, 3], []])
def test_packed_ints_round_trip(values):
    packed = _pack_ints(values)
    assert list(_unpack_ints(packed)) == values
    assert packed[:1] == (b"B" if max(values, default=0) < 256 else
                          b"H" if max(values) < 65_536 else b"I")


def write(codec, docs, schema, folder):
    # On disk, in a private directory: Whoosh's writer spills a RamStorage
    # to a temporary folder named after the index (/tmp/MAIN.tmp) and removes
    # it when done, which breaks a test run beside this one.
    ix = FileStorage(str(folder)).create().create_index(schema)
    writer = ix.writer(codec=codec)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    return ix


def sample_docs(n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    words = ["coopération", "développement", "Sud-Sud", "prie", "résolution", "Nations",
             "Unies", "œuvre", "mise", "en", "de", "la", "rapport", "session"]
    docs = []
    for i in range(n):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 40)))
        # Every 13th document says "coopération" three times: weights above 1.
        if i % 13 == 0:
            text += " coopération coopération coopération"
        docs.append({"key": str(i), "text": text, "exact": text,
                     "stored": {"i": i, "text": text, "ref": f"OP{i % 30}"}})
    return docs


SCHEMA = fields.Schema(key=fields.ID(stored=True), text=fields.TEXT(analyzer=text_analyzer()),
                       exact=AnalyzedText(exact_analyzer(), "exact", phrase=True), stored=fields.STORED())
STEM = next(iter(text_analyzer()("coopération"))).text


@pytest.mark.parametrize("n", [3, DICTIONARY_SAMPLE + 700])
def test_segments_read_back_what_was_written(n, tmp_path):
    """Stored fields (below and above the dictionary sample), posting lists
    (inlined, one block, many blocks; weights above 1), positions and
    phrase queries, through Whoosh's reader, against a W3 index of the same
    documents."""
    docs = sample_docs(n)
    ours = write(Codec(), docs, SCHEMA, tmp_path / "ours")
    plain = write(W3Codec(), docs, SCHEMA, tmp_path / "plain")
    with ours.searcher() as searcher, plain.searcher() as reference:
        for docnum in (0, 1, n // 2, n - 1):
            assert searcher.stored_fields(docnum) == reference.stored_fields(docnum)
            assert searcher.stored_fields(docnum)["stored"] == docs[docnum]["stored"]
        for term in ("cooperation", "sud", "mise", "oeuvre", STEM, "unies", "sudsud"):
            for field in ("text", "exact"):
                ours_postings = searcher.postings(field, term) if (field, term) in searcher.reader() \
                    else None
                if ours_postings is None:
                    assert (field, term) not in reference.reader()
                    continue
                theirs = reference.postings(field, term)
                assert list(ours_postings.items_as("weight")) == list(theirs.items_as("weight"))
        from whoosh.query import Phrase, Term

        for query in (Term("text", STEM), Phrase("exact", ["mise", "en", "oeuvre"]),
                      Phrase("exact", ["nations", "unies"])):
            ours_hits = [(h.docnum, round(h.score, 9)) for h in searcher.search(query, limit=None)]
            their_hits = [(h.docnum, round(h.score, 9)) for h in reference.search(query, limit=None)]
            assert ours_hits == their_hits
            assert count(searcher, query) == len(their_hits)
        assert term_ids(searcher, "text", STEM) == \
            {h.docnum for h in reference.search(Term("text", STEM), limit=None)}


def test_stored_fields_take_less_room_than_whoosh_pickles(tmp_path):
    docs = sample_docs(DICTIONARY_SAMPLE + 700)
    ours = write(Codec(), docs, SCHEMA, tmp_path / "ours")
    plain = write(W3Codec(), docs, SCHEMA, tmp_path / "plain")

    def stored_bytes(ix):
        files = ix.reader().segment().open_compound_file(ix.storage)
        return sum(files.file_length(name) for name in files.list()
                   if "_json" in name or "_stored" in name)

    assert stored_bytes(ours) < 0.7 * stored_bytes(plain)


def test_map_reader_reads_like_a_file():
    data = bytes(range(256)) * 3 + b"line one\nline two\nend"
    start, length = 100, len(data) - 150
    reader, reference = _MapReader(data, start, length), io.BytesIO(data[start:start + length])
    rng = random.Random(3)
    for _ in range(400):
        action = rng.choice(["read", "readline", "seek", "peek", "readinto"])
        if action == "read":
            size = rng.choice([-1, 0, 1, 7, 100, 10_000])
            assert reader.read(size) == reference.read(size)
        elif action == "readline":
            assert reader.readline() == reference.readline()
        elif action == "readinto":
            a, b = bytearray(9), bytearray(9)
            assert reader.readinto(a) == reference.readinto(b) and a == b
        elif action == "peek":
            here = reference.tell()
            assert reader.peek(5)[:5] == reference.read(5)[:5]
            reference.seek(here)
        else:
            where, whence = rng.randint(0, length), rng.choice([0, 1, 2])
            offset = {0: where, 1: rng.randint(-reference.tell(), 30), 2: -rng.randint(0, length)}[whence]
            assert reader.seek(offset, whence) == reference.seek(offset, whence)
        assert reader.tell() == reference.tell()


def test_an_index_opens_without_reading_its_postings(tmp_path):
    """Opening maps the compound file; nothing is copied into memory."""
    folder = tmp_path / "ix"
    folder.mkdir()
    ix = index.create_in(str(folder), SCHEMA)
    writer = ix.writer(codec=Codec())
    for doc in sample_docs(50):
        writer.add_document(**doc)
    writer.commit(optimize=True)
    reader = index.open_dir(str(folder)).reader()
    postings_file = reader._terms._postfile  # noqa: SLF001
    assert type(postings_file).__name__ == "MappedFile"
    assert not postings_file.file.__class__.__name__ == "BytesIO"


@pytest.mark.parametrize("every, fine", [(1024, 32), (64, 8), (7, 3)])
def test_term_index_finds_each_key_and_the_next_one_as_whoosh_does(tmp_path, monkeypatch,
                                                                    every, fine):
    from whoosh.filedb.filetables import OrderedHashReader
    from whoosh.reading import IndexReader

    from resosearch import codec
    from resosearch.build import build_index
    from resosearch.codec import TermIndex, TermsReader

    monkeypatch.setattr(codec, "SAMPLE_EVERY", every)
    monkeypatch.setattr(codec, "FINE_SAMPLE_EVERY", fine)
    build_index(None, tmp_path / "ix")
    reader = index.open_dir(str(tmp_path / "ix")).reader()
    terms = reader._terms  # noqa: SLF001
    assert isinstance(terms, TermsReader) and isinstance(terms._tindex, TermIndex)  # noqa: SLF001
    ours = terms._tindex  # noqa: SLF001
    theirs = OrderedHashReader(ours.dbfile)
    # The key positions, read where they lie in the map, are Whoosh's array.
    positions = ours._key_positions()  # noqa: SLF001
    stored = ours.dbfile.get_array(ours.indexbase, ours.extras["indextype"], ours.indexlen)
    assert type(positions).__name__ == "StoredInts"
    assert list(positions[:]) == list(stored)
    assert list(positions[5:3000:97]) == list(stored[5:3000:97])
    assert (positions[-1], len(positions)) == (stored[-1], len(stored))
    keys = list(theirs.keys())
    assert len(keys) > 5000
    probes = [b"", b"\x00", b"\xff\xff\xff"] + [k for key in keys[::7]
                                                  for k in (key, key[:-1], key + b"\x00")]
    for probe in probes:
        position = ours.closest_key_pos(probe)
        assert position == theirs.closest_key_pos(probe), probe
        if position is not None:
            assert ours.key_at(position) == theirs.key_at(position)
    assert ours.closest_key_pos(keys[-1] + b"\x00") is None
    # A fuzzy word finds the words Whoosh's measure of every word finds.
    found = sorted(reader.terms_within("exact", "cooperasion", 2))
    assert "cooperation" in found
    assert found == sorted(IndexReader.terms_within(reader, "exact", "cooperasion", 2))


@pytest.mark.parametrize("seed", range(40))
def test_a_blocks_frontier_bounds_every_posting_for_any_bm25_statistics(seed):
    from array import array

    from resosearch.postings import frontier

    rng = random.Random(seed)
    size = rng.choice([1, 3, 128])
    weights = array("f", [rng.choice([1, 1, 1, 2, 3, 7]) for _ in range(size)])
    if seed % 5 == 0:
        weights = array("f", [1.0] * size)
    lengths = [rng.randint(0, 255) for _ in range(size)]
    pairs = frontier(weights, lengths)
    postings = set(zip(weights, lengths, strict=True))
    assert pairs and all((float(w), lb) in postings for w, lb in pairs)
    # and only those no other posting beats or equals on both
    assert not any(other != (w, lb) and other[0] >= w and other[1] <= lb
                   for w, lb in pairs for other in postings)

    def score(tf, lb, k1, b, avgfl):
        return tf * (k1 + 1) / (tf + k1 * ((1 - b) + b * lb / avgfl))

    for _ in range(20):
        stats = rng.uniform(0.5, 2), rng.uniform(0, 1), rng.uniform(5, 80)
        best = max(score(w, lb, *stats) for w, lb in pairs)
        assert all(score(w, lb, *stats) <= best + 1e-12 for w, lb in postings)
    assert frontier(array("f", [0.5, 1.0]), [3, 4]) == []  # weights that are not whole: no bound


def _whoosh_column_bytes(tmp_path, column, docnums, values, doccount):
    """The column file Whoosh's own writer makes of these values."""
    storage = FileStorage(str(tmp_path)).create()
    dbfile = storage.create_file("whoosh.col")
    writer = column.writer(dbfile)
    for docnum, value in zip(docnums, values, strict=True):
        writer.add(docnum, value)
    writer.finish(doccount)
    dbfile.close()
    return storage.open_file("whoosh.col").read()


def _column_cases():
    rng = random.Random(7)
    docnums = sorted(rng.sample(range(120), 80))  # documents without a value between
    numbers = columns.NumericColumn("I", default=4_294_967_295)
    yield "years", numbers, docnums, [rng.randint(1946, 2026) for _ in docnums], 130
    # A value equal to the default is not written; the column ends at the
    # last document with another value.
    yield "defaults", numbers, [0, 2, 3, 5], [7, 4_294_967_295, 9, 4_294_967_295], 10
    yield "no value but the default", numbers, [1], [4_294_967_295], 4
    yield "length bytes", columns.NumericColumn("B", default=0), docnums, \
        [rng.randint(0, 255) for _ in docnums], 120
    words = columns.VarBytesColumn()
    yield "numbers", words, docnums, [f"{rng.randint(1, 80)}/{rng.randint(1, 300)}".encode()
                                     for _ in docnums], 125
    yield "empty values", words, [0, 1, 4], [b"", b"a", b""], 6
    # Lengths past a byte and past two bytes widen Whoosh's arrays.
    yield "long values", words, [0, 3, 4], [b"x" * 300, b"y", b"z" * 70_000], 5
    # Past the cutoff, each document's offset is written too.
    yield "offsets", columns.VarBytesColumn(write_offsets_cutoff=50), docnums, \
        [bytes(rng.randint(0, 9)) for _ in docnums], 120


@pytest.mark.parametrize("case", list(_column_cases()), ids=lambda case: case[0])
def test_columns_are_written_as_whoosh_writes_them(case, tmp_path):
    _name, column, docnums, values, doccount = case
    kept = ColumnValues(column)
    for docnum, value in zip(docnums, values, strict=True):
        kept.docnums.append(docnum)
        kept.values.append(value)
    assert ColumnValues.handles(column)
    assert kept.encode(doccount) == _whoosh_column_bytes(tmp_path, column, docnums, values,
                                                         doccount)
