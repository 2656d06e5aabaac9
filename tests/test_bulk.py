"""Building in bulk: the same index as Whoosh's own writer, in parallel or not."""

from __future__ import annotations

import shutil

import pytest
from whoosh import fields
from whoosh import index as whoosh_index

from resosearch import parallel as parallel_module
from resosearch.build import BuildError, build_index
from resosearch.bulk import BulkWriter, write_toc
from resosearch.bundled import bundled_paths
from resosearch.codec import Codec
from resosearch.parse import parse_file
from resosearch.schema import AnalyzedText, build_schema, documents
from resosearch.search import Index

RESOLUTIONS = [parse_file(path) for path in bundled_paths()]
PROBE = ("L’Assemblée générale, rappelant ses résolutions 57/270 B et A/RES/64/222, "
         "la coopération Sud-Sud et Nord-Sud, aujourd’hui, jusqu’à l’œuvre des États "
         "Membres, ONU/PNUD, 10\u00a0000 dollars, 1er janvier 2030 ; de la de la.")


def texts() -> list[str]:
    found = [PROBE, "", "la", "Sud-Sud"]
    for resolution in RESOLUTIONS:
        found.append(resolution.title)
        found += [p.text for p in resolution.paragraphs]
        found += [n.text for n in resolution.footnotes]
    return found


@pytest.mark.parametrize("name", ["text", "exact", "pairs", "title", "notes", "notes_exact",
                                  "notes_pairs"])
def test_shared_analysis_gives_the_terms_of_the_fields_analyzer(name):
    field = build_schema()[name]
    assert isinstance(field, AnalyzedText)
    for text in texts():
        shared = sorted(field.index(text))
        whoosh = sorted(fields.FieldType.index(field, text))  # the analyzer, run on its own
        assert shared == whoosh, (name, text[:60])
    assert len(texts()) == 4 + 5 + 110 + sum(len(r.footnotes) for r in RESOLUTIONS)


def _postings(reader, fieldname, btext):
    matcher = reader.postings(fieldname, btext)
    found = []
    while matcher.is_active():
        # A term's postings inlined in one segment and in a block in another
        # read back as 1 or 1.0, b"" or None: the same posting.
        found.append((matcher.id(), float(matcher.weight()), matcher.value() or None))
        matcher.next()
    return found


def _whoosh_index(folder):
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema())
    writer = ix.writer(codec=Codec())
    for resolution in RESOLUTIONS:
        for doc in documents(resolution):
            writer.add_document(**doc)
    writer.commit(optimize=True)
    return whoosh_index.open_dir(str(folder)).reader()


def _bulk_index(folder, segment_documents, run_documents=10_000):
    folder.mkdir()
    writer = BulkWriter(folder, build_schema(), segment_documents, run_documents)
    places = [writer.add_documents(documents(r)) for r in RESOLUTIONS]
    write_toc(folder, build_schema(), writer.finish())
    return places, whoosh_index.open_dir(str(folder)).reader()


@pytest.mark.parametrize("run_documents", [10_000, 7])
def test_one_bulk_segment_is_whooshs_own_segment_posting_by_posting(tmp_path, run_documents):
    # With runs of 7 documents, the postings go through 16 sorted runs on disk.
    ours = _bulk_index(tmp_path / "bulk", None, run_documents)[1]
    assert [p.name for p in (tmp_path / "bulk").iterdir() if p.name.startswith("RUN_")] == []
    theirs = _whoosh_index(tmp_path / "whoosh")
    assert ours.doc_count_all() == theirs.doc_count_all() == 115  # 110 paragraphs, 5 resolutions
    terms = list(theirs.all_terms())
    assert list(ours.all_terms()) == terms
    assert len(terms) > 5000
    for fieldname, btext in terms:
        a, b = ours.term_info(fieldname, btext), theirs.term_info(fieldname, btext)
        for stat in ("weight", "doc_frequency", "min_length", "max_length", "max_weight",
                     "min_id", "max_id"):
            assert getattr(a, stat)() == getattr(b, stat)(), (fieldname, btext, stat)
        assert _postings(ours, fieldname, btext) == _postings(theirs, fieldname, btext)
    for docnum in range(115):
        assert ours.stored_fields(docnum) == theirs.stored_fields(docnum)
        for fieldname in ("text", "exact", "pairs", "title", "notes"):
            assert ours.doc_field_length(docnum, fieldname) == \
                theirs.doc_field_length(docnum, fieldname)
    for fieldname in ("number", "session", "year", "order", "kind", "verb"):
        assert list(ours.column_reader(fieldname)) == list(theirs.column_reader(fieldname))


def test_segments_split_between_resolutions_never_inside_one(tmp_path):
    places, ours = _bulk_index(tmp_path / "bulk", 30)
    counts = [len(r.paragraphs) + 1 for r in RESOLUTIONS]
    assert counts == [15, 30, 25, 28, 17]
    # A new segment starts only once the current one holds 30 documents.
    assert places == [(0, 0, 15), (0, 15, 30), (1, 0, 25), (1, 25, 28), (2, 0, 17)]
    assert [leaf.doc_count_all() for leaf, _ in ours.leaf_readers()] == [45, 53, 17]
    theirs = _whoosh_index(tmp_path / "whoosh")
    assert list(ours.all_terms()) == list(theirs.all_terms())
    for fieldname, btext in theirs.all_terms():
        assert _postings(ours, fieldname, btext) == _postings(theirs, fieldname, btext)


@pytest.fixture
def parallel(monkeypatch):
    monkeypatch.setattr(parallel_module, "PARALLEL_MIN_FILES", 1)


def _seeds(folder):
    folder.mkdir()
    for path in bundled_paths():
        shutil.copy(path, folder / path.name)
    return folder


def test_parallel_build_gives_the_same_index_in_two_segments(tmp_path, parallel):
    docs = _seeds(tmp_path / "docs")
    heard = []
    report = build_index([docs], tmp_path / "par", workers=2,
                         progress=lambda done, total, path: heard.append((done, total)))
    build_index([docs], tmp_path / "seq", workers=1)
    assert (report.resolutions, report.paragraphs, report.skipped) == (5, 110, ())
    assert heard == [(n, 5) for n in range(1, 6)]
    reader = whoosh_index.open_dir(str(tmp_path / "par")).reader()
    assert [leaf.doc_count_all() for leaf, _ in reader.leaf_readers()] == [
        sum(len(r.paragraphs) + 1 for r in RESOLUTIONS[:3]),
        sum(len(r.paragraphs) + 1 for r in RESOLUTIONS[3:])]
    reader.close()
    with Index(tmp_path / "par") as par, Index(tmp_path / "seq") as seq:
        assert par.numbers() == seq.numbers() and len(par) == len(seq) == 110
        for query in ("coopération triangulaire", '"Assemblée générale"', "prie AND secrétaire",
                      "cites:64/1", "session:64 développement", "kind:op"):
            a, b = par.search(query, limit=20), seq.search(query, limit=20)
            assert a.total == b.total > 0, query
            assert [(h.number, h.ref, round(h.score, 9)) for h in a.hits] == \
                [(h.number, h.ref, round(h.score, 9)) for h in b.hits], query
        # Words within an edit distance, looked up segment by segment.
        assert par.search("developement~1").total == seq.search("developement~1").total > 0
        assert par.search("cooperasion").suggestion == seq.search("cooperasion").suggestion \
            == "coopération"


def test_parallel_build_skips_a_number_read_twice_across_processes(tmp_path, parallel):
    docs = _seeds(tmp_path / "docs")
    shutil.copy(docs / "A-RES-57-263.fr.txt", docs / "Z-copy.txt")  # last: the other process
    report = build_index([docs], tmp_path / "ix", workers=2)
    assert (report.resolutions, report.paragraphs) == (5, 110)
    assert [(s.path.rsplit("/", 1)[-1], s.reason.split(" from ")[0]) for s in report.skipped] == [
        ("Z-copy.txt", "resolution 57/263 already read")]
    with Index(tmp_path / "ix") as index:
        assert len(index) == 110
        hits = index.search("number:57/263", limit=100)
        assert hits.total == len(RESOLUTIONS[0].paragraphs)
        assert len({h.ref for h in hits.hits}) == hits.total


def test_strict_parallel_build_fails_on_a_bad_file_and_keeps_the_old_index(tmp_path, parallel):
    docs = _seeds(tmp_path / "docs")
    build_index([docs / "A-RES-64-1.fr.txt"], tmp_path / "ix")
    (docs / "B-bad.txt").write_bytes(b"\x00\x01 not a resolution")
    with pytest.raises(BuildError, match=r"B-bad\.txt: .*\(--strict: nothing was changed\)"):
        build_index([docs], tmp_path / "ix", workers=2, strict=True)
    with Index(tmp_path / "ix") as index:
        assert index.numbers() == ["64/1"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".ix.build")] == []


def test_each_building_process_takes_a_contiguous_share_of_about_the_same_bytes(tmp_path):
    def files(*sizes):
        paths = []
        for i, size in enumerate(sizes):
            path = tmp_path / f"{len(sizes)}-{i}.txt"
            path.write_bytes(b"x" * size)
            paths.append(path)
        return paths

    def counts(paths, workers):
        return [len(share) for share in parallel_module.split_shares(paths, workers)]

    # Cut by count this would be 3 and 2 files: the bytes say 4 and 1.
    assert counts(files(100, 100, 100, 100, 400), 2) == [4, 1]
    assert counts(files(400, 100, 100, 100, 100), 2) == [1, 4]
    assert counts(files(100, 100, 100, 100, 100, 100), 3) == [2, 2, 2]
    # Never an empty share, whatever the sizes; a missing file weighs nothing.
    assert counts(files(1000, 1, 1), 3) == [1, 1, 1]
    assert counts(files(10, 10), 4) == [1, 1]
    assert counts(files(0, 0, 0, 0), 2) == [2, 2]
    assert counts([tmp_path / "missing.txt", *files(5, 5, 5)], 2) == [2, 2]
    assert parallel_module.split_shares([], 2) == []
    shares = parallel_module.split_shares(paths := files(3, 1, 4, 1, 5, 9, 2, 6), 3)
    assert [path for share in shares for path in share] == paths


def test_a_paragraphs_stored_fields_hold_its_structure_once(seed_index_dir):
    """A paragraph's stored record and footnotes are kept as structures
    within the document's one JSON object (not a JSON string inside it,
    encoded twice), with their French characters as written."""
    with whoosh_index.open_dir(str(seed_index_dir)).reader() as reader:
        stored = next(fields for _, fields in reader.iter_docs()
                      if fields.get("number") == "68/230" and fields.get("ref") == "PP2")
    assert stored["paragraph"]["ref"] == "PP2"
    assert stored["paragraph"]["text"].startswith("Réaffirmant également sa résolution 33/134")
    assert "mise en œuvre de la coopération" in stored["paragraph"]["text"]
    assert stored["paragraph"]["footnotes"] == [1]
    assert [note["number"] for note in stored["footnotes"]] == [1]
    assert stored["footnotes"][0]["text"].startswith("Rapport de la Conférence des Nations Unies")
