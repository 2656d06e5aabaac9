"""Concurrency: readers in threads and in processes while writers change the index.

The writers run as real `resosearch` processes: add a resolution, remove it,
rebuild from another corpus (swapped in), and so on. The same operations are
first applied one by one to a reference index, giving every state the index
passes through; each answer a reader gets must be the answer of one of those
states (same total, same paragraphs), and no reader may see an error.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import cli, cli_process, renumbered, seed_files

from resosearch import store
from resosearch.build import add, build_index, remove
from resosearch.errors import IndexStateError
from resosearch.search import Index

QUERIES = ("coopération", '"coopération Sud-Sud"', "Nairobi", "session:68",
           "pays NOT développement", "Buenos Aires")
READER_THREADS = 3
READER_PROCESSES = 2
PAUSE = 0.02  # seconds between a reader's queries
WORKER = Path(__file__).with_name("reader_worker.py")


def _answer(index: Index, query: str) -> tuple:
    results = index.search(query, limit=1000)
    return query, results.total, tuple(sorted((h.number, h.paragraph.ref) for h in results.hits))


def _state(folder: Path) -> set[tuple]:
    with Index(folder) as index:
        return {_answer(index, query) for query in QUERIES}


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    """Corpus A (the seeds), corpus C (the seeds but one), and an extra file E."""
    root = tmp_path_factory.mktemp("corpora")
    seeds = seed_files()
    (root / "C").mkdir()
    for path in seeds[1:]:
        (root / "C" / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    extra = root / "E.txt"
    source = next(p for p in seeds if "68-230" in p.name)
    extra.write_text(renumbered(source.read_text(encoding="utf-8"), 2000), encoding="utf-8")
    return {"A": [str(p) for p in seeds], "C": [str(root / "C")], "E": str(extra)}


def _operations(corpora) -> list[tuple[str, ...]]:
    e = corpora["E"]
    return [("add", e), ("remove", "68/2000"), ("build", *corpora["C"]), ("add", e),
            ("build", *corpora["A"])]


def _apply(operation: tuple[str, ...], folder: Path) -> None:
    verb, *args = operation
    if verb == "add":
        add(args, folder)
    elif verb == "remove":
        remove(args, folder)
    else:
        build_index(args, folder)


def test_readers_see_the_old_or_the_new_index(tmp_path, corpora):
    # Every state the index goes through, from a reference run.
    reference = tmp_path / "reference"
    build_index(corpora["A"], reference)
    states = [_state(reference)]
    for operation in _operations(corpora):
        _apply(operation, reference)
        states.append(_state(reference))
    valid = {answer for state in states for answer in state}
    which = {answer: {i for i, s in enumerate(states) if answer in s} for answer in valid}

    folder = tmp_path / "index"
    build_index(corpora["A"], folder)
    stop = threading.Event()
    stop_file = tmp_path / "stop"
    errors: list[str] = []
    seen: list[tuple] = []

    def read(shared: Index | None) -> None:
        rounds = 0
        while not stop.is_set() or rounds < 1:
            rounds += 1
            for query in QUERIES:
                try:
                    if shared is None:
                        with Index(folder) as index:
                            seen.append(_answer(index, query))
                    else:
                        seen.append(_answer(shared, query))
                except Exception as error:  # noqa: BLE001 - any error fails the test
                    errors.append(f"{type(error).__name__}: {error}")
                time.sleep(PAUSE)  # leave the writers some CPU on a small machine

    shared = Index(folder)
    threads = [threading.Thread(target=read, args=(shared if i else None,))
               for i in range(READER_THREADS)]
    workers = [subprocess.Popen([sys.executable, str(WORKER), str(folder), str(stop_file), *QUERIES],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(READER_PROCESSES)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        for operation in _operations(corpora):
            result = cli(*operation, "--index", str(folder))
            assert result.returncode == 0, result.stderr
            time.sleep(0.1)
    finally:
        stop.set()
        stop_file.touch()
        for thread in threads:
            thread.join(timeout=60)
        outputs = [w.communicate(timeout=60) for w in workers]
        shared.close()
    for out, err in outputs:
        for line in out.splitlines():
            item = json.loads(line)
            if item[0] == "error":
                errors.append(f"process: {item[1]}")
            else:
                seen.append((item[0], item[1], tuple(tuple(h) for h in item[2])))
        assert all(w.returncode == 0 for w in workers), err
    assert errors == [], errors[:5]
    inconsistent = [answer for answer in seen if answer not in valid]
    assert inconsistent == [], inconsistent[:3]
    observed = set().union(*(which[answer] for answer in seen))
    print(f"{len(seen)} answers from {READER_THREADS} threads and {READER_PROCESSES} processes "
          f"over {len(_operations(corpora))} writes; states observed: {sorted(observed)}")
    assert len(observed) >= 3, "the readers hardly saw the index change"
    assert _state(folder) == states[-1]


def test_second_writer_waits_for_the_first(tmp_path, corpora):
    """Two builds at once: the second waits for the lock, then both succeed in turn."""
    folder = tmp_path / "index"
    first = cli_process("build", *corpora["A"], "--index", str(folder))
    second = cli_process("build", *corpora["C"], "--index", str(folder))
    for process in (first, second):
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    final = _state(folder)
    assert final in ({*_built(tmp_path / "a", corpora["A"])}, {*_built(tmp_path / "c", corpora["C"])})
    assert list(folder.parent.glob(".index.build-*")) == []


def _built(folder: Path, paths: list[str]) -> set[tuple]:
    build_index(paths, folder)
    return _state(folder)


def test_second_writer_gives_up_with_a_clear_message(tmp_path, corpora):
    """While another process holds the writer lock, a writer that cannot wait fails cleanly."""
    folder = tmp_path / "index"
    build_index(corpora["A"], folder)
    before = _state(folder)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from resosearch import store\n"
         "with store.write_lock(Path(sys.argv[1])):\n"
         "    print('locked', flush=True); time.sleep(60)", str(folder)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        for attempt in (lambda: build_index(corpora["C"], folder, lock_timeout=0.3),
                        lambda: add([corpora["E"]], folder, lock_timeout=0.3),
                        lambda: remove(["68/230"], folder, lock_timeout=0.3)):
            with pytest.raises(IndexStateError, match=rf"being written by pid {holder.pid}.*try again"):
                attempt()
        assert _state(folder) == before
        assert list(folder.parent.glob(".index.build-*")) == []
    finally:
        holder.kill()
        holder.wait()
    # The lock died with its holder: the next writer goes straight through.
    build_index(corpora["C"], folder, lock_timeout=1)
    assert store.is_index(folder)
