"""Shared fixtures: an index of the bundled corpus and one of a generated
archive, each built once per test session."""

from __future__ import annotations

import pytest
from helpers import benchmark_module

from resosearch.build import add, build_index
from resosearch.search import Index


@pytest.fixture(scope="session")
def seed_index_dir(tmp_path_factory: pytest.TempPathFactory):
    """A folder holding an index of the five bundled resolutions (read-only for tests)."""
    folder = tmp_path_factory.mktemp("seed") / "index"
    build_index(None, folder)
    return folder


@pytest.fixture(scope="session")
def seed_index(seed_index_dir):
    with Index(seed_index_dir) as index:
        yield index


@pytest.fixture(scope="session")
def archive_files(tmp_path_factory):
    """150 generated resolutions (some 3,400 paragraphs), in manifest order."""
    corpus = benchmark_module("corpus")
    data = tmp_path_factory.mktemp("archive-files")
    folder = corpus.generate(150, data / "files", seed=5, workers=1, quiet=True)
    return [folder / meta["path"] for meta in corpus.read_manifest(folder, 150)]


@pytest.fixture(scope="session")
def archive_index(tmp_path_factory, archive_files):
    """An index of the 150 generated resolutions (common words fill many
    posting blocks) in three segments: two built in parallel, then one
    resolution added again (its first paragraphs are deleted documents)."""
    files = archive_files
    index_dir = tmp_path_factory.mktemp("archive") / "index"
    build_index(files, index_dir)
    add(files[7:8], index_dir)
    with Index(index_dir) as index:
        yield index
