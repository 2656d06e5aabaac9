"""Build an index from resolution files, and update it in place.

``build_index`` parses every file, writes a complete new index in a
temporary sibling folder and swaps it in; ``add`` and ``remove`` change an
existing index through Whoosh's own transactional writer. Bad files are
skipped and reported (or, with ``strict``, fail the build before anything
is swapped in).
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.query import Term

from resosearch import store
from resosearch.bulk import write_toc
from resosearch.bundled import bundled_paths
from resosearch.codec import Codec
from resosearch.errors import BuildError, ResosearchError
from resosearch.models import Resolution
from resosearch.parallel import Indexed, index_files
from resosearch.schema import build_schema, documents, resolution_key
from resosearch.sources import PathLike, Progress, Skipped, collect_files, parse_files

__all__ = ["BuildError", "BuildReport", "PathLike", "Skipped", "add", "build_index",
           "normalize_number", "remove"]


@dataclass(frozen=True)
class BuildReport:
    """What a build or an update did."""

    index_dir: str
    resolutions: int
    paragraphs: int
    seconds: float
    skipped: tuple[Skipped, ...] = ()
    numbers: tuple[str, ...] = field(default=(), repr=False)

    def summary(self) -> str:
        """One line: resolutions, paragraphs, files skipped (with reasons), seconds."""
        line = (
            f"{self.resolutions} resolution{'s' if self.resolutions != 1 else ''}, "
            f"{self.paragraphs} paragraphs indexed in {self.index_dir} "
            f"in {self.seconds:.2f} s"
        )
        if self.skipped:
            reasons = "; ".join(str(s) for s in self.skipped)
            line += f"; {len(self.skipped)} file{'s' if len(self.skipped) != 1 else ''} skipped ({reasons})"
        return line

    def to_dict(self) -> dict[str, object]:
        return {
            "index": self.index_dir,
            "resolutions": self.resolutions,
            "paragraphs": self.paragraphs,
            "seconds": round(self.seconds, 3),
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
        }


def _write(items: Iterable[Resolution | Indexed | Skipped], add: Callable[[Resolution], None],
           strict: bool, drop: Callable[[Indexed], None] | None = None,
           ) -> tuple[list[str], int, list[Skipped]]:
    """Index each parsed resolution with ``add`` (an ``Indexed`` one already
    is); returns numbers, paragraph count, skipped files. A number read twice
    is skipped the second time (an indexed one is passed to ``drop``)."""
    seen: dict[str, str] = {}
    paragraphs = 0
    skipped: list[Skipped] = []
    for item in items:
        if not isinstance(item, Skipped) and item.number in seen:
            if isinstance(item, Indexed) and drop is not None:
                drop(item)
            item = Skipped(item.source or "?", f"resolution {item.number} already read from {seen[item.number]}")
        if isinstance(item, Skipped):
            if strict:
                raise item.refusal()
            skipped.append(item)
            continue
        seen[item.number] = item.source or "?"
        if isinstance(item, Indexed):
            paragraphs += item.paragraph_count
        else:
            add(item)
            paragraphs += len(item.paragraphs)
    return list(seen), paragraphs, skipped


def build_index(
    paths: Iterable[PathLike] | None = None,
    index_dir: PathLike | None = None,
    *,
    strict: bool = False,
    progress: Progress | None = None,
    lock_timeout: float = 30.0,
    workers: int | None = None,
) -> BuildReport:
    """Build a new index from ``paths`` (files or folders) and swap it in.

    No paths: the bundled corpus. No ``index_dir``: ``$RESOSEARCH_INDEX``,
    else ``./index``. The new index is written in a temporary sibling
    folder and replaces the old one only when complete.
    """
    start = time.perf_counter()
    folder = store.resolve_index_dir(index_dir)
    files, skipped = collect_files(bundled_paths() if paths is None else paths)
    if strict and skipped:
        raise skipped[0].refusal()
    with store.write_lock(folder, timeout=lock_timeout):
        store.check_replaceable(folder)
        store.remove_stale_builds(folder)
        temp = store.temp_sibling(folder)
        try:
            segments, outcomes = index_files(temp, files, progress, workers, strict)

            def drop(item: Indexed) -> None:  # a number indexed twice: the first stays
                for docnum in range(item.first, item.first + item.count):
                    segments[item.segment].delete_document(docnum)

            numbers, paragraphs, bad = _write(outcomes, lambda _: None, strict, drop)
            write_toc(temp, build_schema(), segments)
            skipped += bad
            store.write_meta(temp, resolutions=len(numbers), paragraphs=paragraphs)
            store.swap_in(temp, folder)
        finally:
            if temp.exists():
                shutil.rmtree(temp, ignore_errors=True)
    return BuildReport(str(folder), len(numbers), paragraphs, time.perf_counter() - start,
                       tuple(skipped), tuple(numbers))


def open_writable(folder: Path) -> whoosh_index.Index:
    store.check_compatible(folder)
    return whoosh_index.open_dir(str(folder))


def add(
    paths: Iterable[PathLike],
    index_dir: PathLike | None = None,
    *,
    strict: bool = False,
    progress: Progress | None = None,
    lock_timeout: float = 30.0,
) -> BuildReport:
    """Add resolution files to an existing index; an indexed number is replaced."""
    start = time.perf_counter()
    folder = store.resolve_index_dir(index_dir)
    files, skipped = collect_files(paths)
    if strict and skipped:
        raise skipped[0].refusal()
    with store.write_lock(folder, timeout=lock_timeout):
        ix = open_writable(folder)
        writer = ix.writer(limitmb=128, codec=Codec())

        def put(resolution: Resolution) -> None:
            writer.delete_by_term("number", resolution.number)
            writer.delete_by_term("key", resolution_key(resolution.number))
            for doc in documents(resolution):
                writer.add_document(**doc)

        try:
            numbers, paragraphs, bad = _write(parse_files(files, progress), put, strict)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        ix.close()
    return BuildReport(str(folder), len(numbers), paragraphs, time.perf_counter() - start,
                       tuple(skipped + bad), tuple(numbers))


def normalize_number(value: str) -> str:
    """A resolution's number as indexed: ``"A/RES/68/230"`` → ``"68/230"``,
    ``"a/res/57/270b"`` or ``"57/270  b"`` → ``"57/270 B"``."""
    text = " ".join(value.split())
    if text.upper().startswith("A/RES/"):
        text = text[len("A/RES/"):]
    part = _PART_RE.fullmatch(text)
    return f"{part.group(1)} {part.group(2).upper()}" if part else text


_PART_RE = re.compile(r"(\d{1,3}/\d{1,4}) ?([A-Za-z])")


def remove(numbers: Iterable[str], index_dir: PathLike | None = None, *,
           lock_timeout: float = 30.0) -> BuildReport:
    """Remove resolutions by number; all must be in the index, or nothing is removed."""
    start = time.perf_counter()
    folder = store.resolve_index_dir(index_dir)
    wanted = [normalize_number(n) for n in numbers]
    with store.write_lock(folder, timeout=lock_timeout):
        ix = open_writable(folder)
        with ix.searcher() as searcher:
            missing = [n for n in wanted if searcher.document_number(key=resolution_key(n)) is None]
            # Live paragraphs only (doc_frequency also counts deleted documents).
            counts = {n: len(searcher.search(Term("number", n), limit=None)) for n in wanted}
        if missing:
            ix.close()
            raise ResosearchError(
                f"not in the index {folder}: {', '.join(missing)} (nothing was removed)"
            )
        writer = ix.writer(codec=Codec())
        for number in wanted:
            writer.delete_by_term("number", number)
            writer.delete_by_term("key", resolution_key(number))
        writer.commit()
        ix.close()
    return BuildReport(str(folder), len(wanted), sum(counts.values()),
                       time.perf_counter() - start, (), tuple(wanted))
