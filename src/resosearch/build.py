"""Build an index from resolution files, and update it in place.

``build_index`` parses every file, writes a complete new index in a
temporary sibling folder and swaps it in; ``add`` and ``remove`` change an
existing index through Whoosh's own transactional writer. Bad files are
skipped and reported (or, with ``strict``, fail the build before anything
is swapped in).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import re
import shutil
import signal
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.query import Term

from resosearch import store
from resosearch.bulk import BulkWriter, write_toc
from resosearch.bundled import bundled_paths
from resosearch.codec import Codec
from resosearch.errors import ParseError, ResosearchError
from resosearch.models import Resolution
from resosearch.parse import parse_file
from resosearch.schema import build_schema, documents, resolution_key

PathLike = str | os.PathLike[str]
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Skipped:
    """A file that was not indexed, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


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


class BuildError(ResosearchError):
    """A strict build met a bad file; the existing index was left untouched."""


def collect_files(paths: Iterable[PathLike]) -> tuple[list[Path], list[Skipped]]:
    """Expand files and folders (recursively, hidden entries skipped) into files."""
    files: list[Path] = []
    problems: list[Skipped] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            # os.walk does not follow symlinked folders, so a symlink loop cannot trap it.
            for root, dirs, names in os.walk(path, onerror=None):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if not name.startswith("."):
                        found = Path(root) / name
                        if _special(found):
                            # Reading a FIFO would block the build forever.
                            problems.append(Skipped(str(found), "not a regular file (a pipe, "
                                                    "socket or device); not read"))
                        else:
                            files.append(found)
        elif path.exists():
            files.append(path)
        elif path.is_symlink():
            problems.append(Skipped(str(path), "broken symbolic link"))
        else:
            problems.append(Skipped(str(path), "no such file or folder"))
    return files, problems


def _special(path: Path) -> bool:
    """A pipe, socket or device (after symbolic links); unreadable paths are not special."""
    try:
        return not stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False  # reading it will say why (broken link, loop, permission)


def parse_one(path: Path) -> Resolution | Skipped:
    """Parse one file, or say why it cannot be indexed."""
    try:
        return parse_file(path)
    except ParseError as error:
        return Skipped(str(path), error.message + (f" (line {error.line})" if error.line else ""))
    except OSError as error:
        return Skipped(str(path), error.strerror or str(error))


# Below this many files a process pool costs more than it saves.
PARALLEL_MIN_FILES = 64


def parse_files(
    files: list[Path], progress: Progress | None = None, workers: int | None = None
) -> Iterator[Resolution | Skipped]:
    """Parse each file in order, yielding a Resolution or the reason it was skipped.

    With many files, parsing runs in ``workers`` processes (default: one per
    core) while the caller indexes what is already parsed.
    """
    total = len(files)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers > 1 and total >= PARALLEL_MIN_FILES:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = pool.map(parse_one, files, chunksize=16)
            for done, (path, item) in enumerate(zip(files, results, strict=True), 1):
                yield item
                if progress:
                    progress(done, total, str(path))
        return
    for done, path in enumerate(files, 1):
        yield parse_one(path)
        if progress:
            progress(done, total, str(path))


@dataclass(frozen=True)
class Indexed:
    """A resolution indexed by a building process, and where its documents
    went: a segment (numbered in that process's list), the first document's
    number in it, and how many documents there were."""

    number: str
    source: str
    paragraph_count: int
    segment: int
    first: int
    count: int


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
                raise BuildError(f"{item.path}: {item.reason} (--strict: nothing was changed)")
            skipped.append(item)
            continue
        seen[item.number] = item.source or "?"
        if isinstance(item, Indexed):
            paragraphs += item.paragraph_count
        else:
            add(item)
            paragraphs += len(item.paragraphs)
    return list(seen), paragraphs, skipped


Notify = Callable[[str, Skipped | None], None]


def index_share(folder: PathLike, files: list[Path], notify: Notify,
                stop: Callable[[], bool] = lambda: False,
                ) -> tuple[list, list[Indexed | Skipped]]:
    """Parse ``files`` and index them, in order, into new segments in
    ``folder``; ``notify`` hears of each file as it is done. Returns the
    segments and each file's outcome."""
    writer = BulkWriter(folder, build_schema())
    outcomes: list[Indexed | Skipped] = []
    for path in files:
        if stop():
            break
        item = parse_one(path)
        if isinstance(item, Resolution):
            where = writer.add_documents(documents(item))
            item = Indexed(item.number, item.source or "?", len(item.paragraphs), *where)
        outcomes.append(item)
        notify(str(path), item if isinstance(item, Skipped) else None)
    return writer.finish(), outcomes


# In each building process: where to send progress, the signal to stop,
# and the process that started it (if it is killed, stop too).
_messages: Queue | None = None
_stop: Event | None = None
_parent: int | None = None


def _start_process(messages: Queue, stop: Event) -> None:
    global _messages, _stop, _parent
    _messages, _stop, _parent = messages, stop, os.getppid()
    # Ctrl-C reaches the whole process group: the parent handles it and
    # tells this process to stop (no traceback from each process).
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stopped() -> bool:
    if os.getppid() != _parent:
        # Killed parent: nobody will read what this process would send, and
        # a queue's feeder thread could block its exit. Leave now; the next
        # build removes the temporary folder.
        os._exit(1)
    return _stop.is_set()


def _index_share_in_process(folder: str, files: list[Path]) -> tuple[list, list[Indexed | Skipped]]:
    return index_share(folder, files, lambda path, skipped: _messages.put((path, skipped)),
                       _stopped)


def index_files(folder: PathLike, files: list[Path], progress: Progress | None = None,
                workers: int | None = None, strict: bool = False,
                ) -> tuple[list, list[Indexed | Skipped]]:
    """Parse and index ``files`` into new segments in ``folder``: with many
    files, in ``workers`` processes (default: one per core), each taking a
    contiguous share and writing its own segments. Returns the segments
    and every file's outcome, both in the order of ``files``."""
    total = len(files)
    workers = min(workers if workers is not None else (os.cpu_count() or 1), total)
    done = 0

    def heard(path: str, skipped: Skipped | None) -> None:
        nonlocal done
        done += 1
        if strict and skipped:
            raise BuildError(f"{skipped.path}: {skipped.reason} (--strict: nothing was changed)")
        if progress:
            progress(done, total, path)

    if workers <= 1 or total < PARALLEL_MIN_FILES:
        return index_share(folder, files, heard)
    context = multiprocessing.get_context()
    messages, stop = context.Queue(), context.Event()
    size = -(-total // workers)
    shares = [files[i:i + size] for i in range(0, total, size)]
    with ProcessPoolExecutor(len(shares), mp_context=context, initializer=_start_process,
                             initargs=(messages, stop)) as pool:
        futures = [pool.submit(_index_share_in_process, str(folder), share) for share in shares]
        try:
            while done < total:
                try:
                    heard(*messages.get(timeout=0.5))
                except queue.Empty:
                    for future in futures:
                        if future.done():
                            future.result()  # a failed process raises here
                    if all(future.done() for future in futures) and messages.empty():
                        break
        except BaseException:
            stop.set()
            raise
        results = [future.result() for future in futures]
    segments: list = []
    outcomes: list[Indexed | Skipped] = []
    for share_segments, share_outcomes in results:
        base = len(segments)
        segments.extend(share_segments)
        outcomes.extend(replace(item, segment=base + item.segment) if isinstance(item, Indexed)
                        else item for item in share_outcomes)
    return segments, outcomes


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
        raise BuildError(f"{skipped[0]} (--strict: nothing was changed)")
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
        raise BuildError(f"{skipped[0]} (--strict: nothing was changed)")
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
