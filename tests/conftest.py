"""Shared fixtures: an index of the bundled corpus, built once per test session."""

from __future__ import annotations

import pytest

from resosearch.build import build_index
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
