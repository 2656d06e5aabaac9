"""Building and updating an index: what lands on disk and what a user is told."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from resosearch import IndexStateError, ResosearchError
from resosearch.build import BuildError, add, build_index, remove
from resosearch.bundled import bundled_paths
from resosearch.search import Index

SEEDS = {p.name: p for p in bundled_paths()}


def test_bundled_corpus_ships_five_resolutions_byte_identical():
    assert sorted(SEEDS) == ["A-RES-57-263.fr.txt", "A-RES-64-1.fr.txt", "A-RES-68-230.fr.txt",
                             "A-RES-71-318.fr.txt", "A-RES-75-234.fr.txt"]
    shared = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    if shared.is_dir():
        originals = {p.read_bytes() for p in shared.glob("0*.txt")}
        assert {p.read_bytes() for p in SEEDS.values()} == originals


def test_build_reports_counts_and_skips(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for path in SEEDS.values():
        shutil.copy(path, folder / path.name)
    (folder / "notes.txt").write_text("Liste de courses : pain, lait.\n", encoding="utf-8")
    report = build_index([folder], tmp_path / "ix")
    assert (report.resolutions, report.paragraphs) == (5, 110)
    assert [(Path(s.path).name, s.reason) for s in report.skipped][0][0] == "notes.txt"
    summary = report.summary()
    assert summary.startswith("5 resolutions, 110 paragraphs indexed in ")
    assert "1 file skipped (" in summary and "notes.txt" in summary


def test_build_accepts_files_and_env_default(tmp_path, monkeypatch):
    monkeypatch.setenv("RESOSEARCH_INDEX", str(tmp_path / "from-env"))
    report = build_index([SEEDS["A-RES-68-230.fr.txt"]])
    assert report.index_dir == str(tmp_path / "from-env")
    with Index(tmp_path / "from-env") as index:
        assert index.numbers() == ["68/230"]
        assert len(index) == 24


def test_failed_build_leaves_previous_index_untouched(tmp_path):
    target = tmp_path / "ix"
    build_index([SEEDS["A-RES-64-1.fr.txt"]], target)
    before = sorted(p.name for p in target.iterdir())
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02 binary")
    with pytest.raises(BuildError, match="bad.txt"):
        build_index([SEEDS["A-RES-68-230.fr.txt"], bad], target, strict=True)
    assert sorted(p.name for p in target.iterdir()) == before
    with Index(target) as index:
        assert index.numbers() == ["64/1"]
    assert not list(tmp_path.glob(".ix.build-*"))


def test_rebuild_replaces_the_index_and_open_readers_see_it(tmp_path):
    target = tmp_path / "ix"
    build_index([SEEDS["A-RES-64-1.fr.txt"]], target)
    with Index(target) as index:
        assert index.search("Nairobi").total == 1
        build_index([SEEDS["A-RES-68-230.fr.txt"]], target)
        assert index.numbers() == ["68/230"]
        assert [h.ref for h in index.search("Nairobi").hits] == ["PP1"]


def test_add_replaces_and_remove_deletes(tmp_path):
    target = tmp_path / "ix"
    build_index([SEEDS["A-RES-64-1.fr.txt"]], target)
    with Index(target) as index:
        report = add([SEEDS["A-RES-68-230.fr.txt"], SEEDS["A-RES-64-1.fr.txt"]], target)
        assert (report.resolutions, report.paragraphs) == (2, 53)
        assert index.numbers() == ["64/1", "68/230"]
        assert len(index) == 53  # 64/1 replaced, not doubled
        removed = remove(["A/RES/64/1"], target)
        assert removed.numbers == ("64/1",) and removed.paragraphs == 29
        assert index.numbers() == ["68/230"]
        assert "64/1" not in index and "68/230" in index
        assert index.search("Nairobi").total == 1
    with pytest.raises(ResosearchError, match="not in the index .*: 99/1 \\(nothing was removed\\)"):
        remove(["68/230", "99/1"], target)


@pytest.mark.parametrize("workers", [1, 2])
def test_an_index_holds_no_leftover_temporary_folder(tmp_path, workers, monkeypatch):
    from resosearch import parallel

    monkeypatch.setattr(parallel, "PARALLEL_MIN_FILES", 2)  # several processes on five files
    target = tmp_path / "ix"
    build_index(None, target, workers=workers)
    assert [p.name for p in target.iterdir() if p.is_dir()] == []
    add([SEEDS["A-RES-64-1.fr.txt"]], target)
    assert [p.name for p in target.iterdir() if p.is_dir()] == []


def test_refuses_to_replace_a_folder_that_is_not_an_index(tmp_path):
    precious = tmp_path / "Documents"
    precious.mkdir()
    (precious / "thesis.docx").write_text("years of work")
    with pytest.raises(IndexStateError, match="not a resosearch index .*refusing to replace it"):
        build_index(None, precious)
    assert (precious / "thesis.docx").read_text() == "years of work"


def test_empty_folder_with_gitkeep_becomes_an_index_and_keeps_gitkeep(tmp_path):
    target = tmp_path / "index"
    target.mkdir()
    (target / ".gitkeep").touch()
    build_index(None, target)
    assert (target / ".gitkeep").exists() and (target / "resosearch.json").exists()


def test_opening_a_missing_index_says_what_to_run(tmp_path):
    from resosearch.search import open_index

    with pytest.raises(IndexStateError, match="run `resosearch build --index"):
        open_index(tmp_path / "nowhere")
