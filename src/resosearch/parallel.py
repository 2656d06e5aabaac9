"""Parse and index files in several processes, each writing its own segment.

The files are cut into one contiguous share per process, of about the
same size in bytes (the cost of a file follows its size); each process
parses its share and writes it with resosearch.bulk, telling the parent
of each file as it goes (for progress, and so that a strict build stops at
the first bad file). The parent gets back the segments and every file's
outcome, in the order of the files.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import signal
import threading
import time
from bisect import bisect_left
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from itertools import accumulate
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path

from resosearch.bulk import BulkWriter
from resosearch.models import Resolution
from resosearch.schema import build_schema, documents
from resosearch.sources import PARALLEL_MIN_FILES, PathLike, Progress, Skipped, parse_one


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


Notify = Callable[[str, Skipped | None], None]


def index_share(folder: PathLike, files: list[Path], notify: Notify,
                stop: Callable[[], bool] = lambda: False,
                ) -> tuple[list, list[Indexed | Skipped]]:
    """Parse ``files`` and index them, in order, into a new segment in
    ``folder``; ``notify`` hears of each file as it is done. Returns the
    segments written (one, or none without a resolution) and each file's
    outcome."""
    writer = BulkWriter(folder, build_schema())
    outcomes: list[Indexed | Skipped] = []
    # The postings held in memory are millions of lists that the cyclic
    # garbage collector would traverse again and again (a tenth of the
    # build's time); parsing and indexing leave next to no cycles.
    collecting = gc.isenabled()
    gc.disable()
    try:
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
    finally:
        if collecting:
            gc.enable()


# In each building process: where to send progress, and the signal to stop.
_messages: Queue | None = None
_stop: Event | None = None
# How often a building process checks that the process that started it lives.
PARENT_CHECK_SECONDS = 0.2


def _start_process(messages: Queue, stop: Event) -> None:
    global _messages, _stop
    _messages, _stop = messages, stop
    # Ctrl-C reaches the whole process group: the parent handles it and
    # tells this process to stop (no traceback from each process).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    # Killed parent: nobody will read what this process would send, and it
    # could wait forever for work from the parent (or a queue's feeder
    # thread block its exit), whatever it is doing — parsing, writing its
    # segment, or done. Leave now; the next build removes the temporary folder.
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _stopped() -> bool:
    return _stop.is_set()


def _index_share_in_process(folder: str, files: list[Path]) -> tuple[list, list[Indexed | Skipped]]:
    return index_share(folder, files, lambda path, skipped: _messages.put((path, skipped)),
                       _stopped)


def split_shares(files: list[Path], workers: int) -> list[list[Path]]:
    """``files`` cut into ``workers`` contiguous shares (fewer if there are
    fewer files) of about the same number of bytes, none empty: the
    processes then finish together. (Cut by count, the later half of the
    benchmark archive took 3% longer, and one core waited for the other.)"""
    workers = min(workers, len(files))
    if not workers:
        return []
    sizes = []
    for path in files:
        try:
            sizes.append(path.stat().st_size + 1)  # + 1: empty files split by count
        except OSError:  # unreadable: parse_one will say so
            sizes.append(1)
    ends = list(accumulate(sizes))
    cuts = [0]
    for part in range(1, workers):
        # The share ends at the file whose end is nearest its part of the
        # bytes, leaving at least a file for itself and for each next share.
        goal = ends[-1] * part / workers
        cut = bisect_left(ends, goal)
        if cut < len(ends) and (cut == 0 or goal - ends[cut - 1] > ends[cut] - goal):
            cut += 1
        cuts.append(min(max(cut, cuts[-1] + 1), len(files) - workers + part))
    cuts.append(len(files))
    return [files[start:end] for start, end in zip(cuts, cuts[1:], strict=False)]


def index_files(folder: PathLike, files: list[Path], progress: Progress | None = None,
                workers: int | None = None, strict: bool = False,
                ) -> tuple[list, list[Indexed | Skipped]]:
    """Parse and index ``files`` into new segments in ``folder``: with many
    files, in ``workers`` processes (default: one per core), each taking a
    contiguous share (see :func:`split_shares`) and writing its own
    segments. Returns the segments and every file's outcome, both in the
    order of ``files``."""
    total = len(files)
    workers = min(workers if workers is not None else (os.cpu_count() or 1), total)
    done = 0

    def heard(path: str, skipped: Skipped | None) -> None:
        nonlocal done
        done += 1
        if strict and skipped:
            raise skipped.refusal()
        if progress:
            progress(done, total, path)

    if workers <= 1 or total < PARALLEL_MIN_FILES:
        return index_share(folder, files, heard)
    context = multiprocessing.get_context()
    messages, stop = context.Queue(), context.Event()
    shares = split_shares(files, workers)
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
