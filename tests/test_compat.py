"""Compatibility: the index records its version and analyzer; a mismatch is a clear error."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import cli

from resosearch import __version__, store
from resosearch.analysis import analyzer_fingerprint
from resosearch.build import add, build_index, remove
from resosearch.errors import IndexStateError
from resosearch.search import Index


@pytest.fixture
def index_copy(seed_index_dir, tmp_path) -> Path:
    folder = tmp_path / "index"
    shutil.copytree(seed_index_dir, folder)
    return folder


def _edit_meta(folder: Path, **changes) -> None:
    path = folder / store.META_FILE
    meta = json.loads(path.read_text(encoding="utf-8")) | changes
    path.write_text(json.dumps(meta), encoding="utf-8")


def test_index_records_version_and_analyzer(seed_index_dir):
    meta = json.loads((seed_index_dir / store.META_FILE).read_text(encoding="utf-8"))
    assert meta["version"] == __version__
    assert meta["analyzer"] == analyzer_fingerprint()
    assert meta["format"] == store.FORMAT


@pytest.mark.parametrize("changes", [
    {"analyzer": "0000000000000000", "version": "0.0.1"},
    {"format": store.FORMAT + 1, "version": "9.0.0"},
    {"format": None},
])
def test_incompatible_index_says_to_rebuild(index_copy, changes):
    _edit_meta(index_copy, **changes)
    for attempt in (lambda: Index(index_copy), lambda: add([], index_copy),
                    lambda: remove(["68/230"], index_copy)):
        with pytest.raises(IndexStateError, match=r"run `resosearch build --index "):
            attempt()
    result = cli("search", "coopération", "--index", str(index_copy))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "resosearch build" in result.stderr
    if "version" in changes:
        assert changes["version"] in result.stderr  # says which version built it
    # The advice works: a build replaces the old index.
    build_index(None, index_copy)
    with Index(index_copy) as index:
        assert len(index.numbers()) == 5


def test_other_version_with_same_format_and_analyzer_opens(index_copy):
    _edit_meta(index_copy, version="0.0.9")
    with Index(index_copy) as index:
        assert index.search("coopération").total > 0


@pytest.mark.parametrize("damage", ["no meta", "bad json", "no toc", "empty folder"])
def test_damaged_index_says_to_rebuild(index_copy, damage):
    if damage == "no meta":
        (index_copy / store.META_FILE).unlink()
    elif damage == "bad json":
        (index_copy / store.META_FILE).write_text("{not json", encoding="utf-8")
    elif damage == "no toc":
        for toc in index_copy.glob("*.toc"):
            toc.unlink()
    else:
        shutil.rmtree(index_copy)
        index_copy.mkdir()
    with pytest.raises(IndexStateError, match=r"resosearch build --index"):
        Index(index_copy)
    result = cli("search", "coopération", "--index", str(index_copy))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "resosearch build" in result.stderr
