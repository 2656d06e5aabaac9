"""Shared helpers for the reliability tests: corpora on disk, the CLI as a real process."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

from resosearch.bundled import bundled_paths
from resosearch.search import Index

# The title line of a resolution: "68/230. Coopération Sud-Sud" (maybe after "### ").
_TITLE = re.compile(r"^(\s*(?:#+\s*)?(?:A/RES/)?)(\d{1,3})/(\d{1,4})(\s*\.\s)", re.M)

# Queries whose answers identify an index (words, phrase, prefix, fuzzy, field, NOT).
PROBE_QUERIES = (
    "coopération",
    "coopération triangulaire",
    '"coopération Sud-Sud"',
    "développ*",
    "pays NOT développement",
    "session:68",
    "financement~1",
    "Nairobi",
)


def seed_files() -> list[Path]:
    return [Path(p) for p in bundled_paths()]


def renumbered(text: str, number: int) -> str:
    """``text`` with its resolution number (after the session) replaced by ``number``."""
    new, count = _TITLE.subn(lambda m: f"{m.group(1)}{m.group(2)}/{number}{m.group(4)}", text, count=1)
    assert count == 1, "no title line found"
    return new


def write_corpus(folder: Path, copies: int = 1, start: int = 2000) -> list[Path]:
    """The seed resolutions, each copied ``copies`` times under new numbers.

    Copy ``k`` of session S's resolution is numbered S/(start + 10 k): the
    numbers end in 0 because the PDF-layout cleaner reads a title such as
    "57/1001." as 57/100 with footnote marker 1. With ``start`` 0 the first
    copy keeps its original number.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for source in seed_files():
        text = source.read_text(encoding="utf-8")
        for k in range(copies):
            body = text if (start == 0 and k == 0) else renumbered(text, start + 10 * k)
            path = folder / f"{source.stem}-{k:03d}.txt"
            path.write_text(body, encoding="utf-8")
            written.append(path)
    return written


def cli(*args: str, env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess:
    """Run ``resosearch ARGS`` in a fresh interpreter and wait for it."""
    return subprocess.run([sys.executable, "-m", "resosearch", *args], capture_output=True,
                          text=True, env=env or os.environ.copy(), timeout=120, **kwargs)


def cli_process(*args: str, **kwargs) -> subprocess.Popen:
    """Start ``resosearch ARGS`` in a fresh interpreter; the caller waits or kills it."""
    return subprocess.Popen([sys.executable, "-m", "resosearch", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def answers(index: Index, queries=PROBE_QUERIES, limit: int = 1000) -> dict[str, object]:
    """What an index says: every probe query's hits (number, ref, rounded score) and size."""
    out: dict[str, object] = {"numbers": index.numbers(), "paragraphs": len(index)}
    for query in queries:
        results = index.search(query, limit=limit)
        out[query] = (results.total, sorted(
            (hit.number, hit.paragraph.ref, round(hit.score, 4)) for hit in results.hits))
    return out


def snapshot(index_dir: Path, queries=PROBE_QUERIES) -> dict[str, object]:
    with Index(index_dir) as index:
        return answers(index, queries)


BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def benchmark_module(name: str):
    """A module of benchmarks/ (corpus, run), imported from its file."""
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need their module registered
    spec.loader.exec_module(module)
    return module
