"""Crash safety: `resosearch build` and `add` killed with SIGKILL at random moments.

After every kill the index folder must still hold the previous index (same
answers to the probe queries), or — if the kill came after the swap or the
commit — the complete new one; never anything in between. The next build or
add must then succeed with no manual cleanup: the kernel drops the writer
lock with the dead process, and the next build removes the temporary folder.
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest
from helpers import cli_process, snapshot, write_corpus

from resosearch import store
from resosearch.build import add, build_index
from resosearch.bundled import bundled_paths

BUILD_KILLS = 20
ADD_KILLS = 6
COPIES = 1  # the 5 seeds renumbered: a build lasts ~0.8 s, long enough for kills to land inside


def _baseline_file() -> Path:
    return next(p for p in bundled_paths() if "68-230" in p.name)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.glob(f".{folder.name}.build-*"))


def _kill_after(args: list[str], delay: float, folder: Path) -> tuple[bool, bool]:
    """Start the CLI, SIGKILL it after ``delay`` s; (finished before the kill, mid-build seen)."""
    process = cli_process(*args)
    deadline = time.monotonic() + delay
    mid_build = False
    while time.monotonic() < deadline and process.poll() is None:
        mid_build = mid_build or bool(_leftovers(folder))
        time.sleep(0.005)
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    _, err = process.communicate(timeout=60)
    # It may have finished between the last poll and the signal.
    finished = process.returncode == 0
    assert finished or process.returncode == -signal.SIGKILL, err
    return finished, mid_build


def _timed_run(args: list[str]) -> float:
    start = time.monotonic()
    process = cli_process(*args)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return time.monotonic() - start


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("big")
    write_corpus(folder, copies=COPIES)
    return folder


def test_killed_builds_leave_the_previous_index(tmp_path, big_corpus):
    folder = tmp_path / "index"
    args = ["build", str(big_corpus), "--index", str(folder)]
    # The new index, built whole once: how long a build lasts, and its answers.
    duration = _timed_run(args)
    after = snapshot(folder)
    build_index([_baseline_file()], folder)
    before = snapshot(folder)
    assert before != after
    rng = random.Random(20240605)
    outcomes = {"killed": 0, "finished": 0, "mid_build": 0, "old": 0, "new": 0}
    trials = 0
    while outcomes["killed"] < BUILD_KILLS and trials < 3 * BUILD_KILLS:
        trials += 1
        # Anywhere from start-up to just past the swap.
        delay = rng.uniform(0.2, 1.1 * duration)
        finished, mid_build = _kill_after(args, delay, folder)
        outcomes["finished" if finished else "killed"] += 1
        outcomes["mid_build"] += mid_build
        now = snapshot(folder)  # must open: the folder always holds a whole index
        if now == before:
            outcomes["old"] += 1
        else:
            assert now == after, "an index that is neither the old nor the new one"
            outcomes["new"] += 1
        # The next build succeeds without cleanup and removes what the killed
        # one left (its temporary folder); its lock died with it.
        build_index([_baseline_file()], folder, lock_timeout=5)
        assert _leftovers(folder) == []
        assert snapshot(folder) == before
    print(f"build kills (one build: {duration:.2f} s): {outcomes}")
    assert outcomes["killed"] == BUILD_KILLS, outcomes
    assert outcomes["mid_build"] >= 1, outcomes


def test_killed_adds_leave_the_previous_index(tmp_path, big_corpus):
    folder = tmp_path / "index"
    files = sorted(str(p) for p in big_corpus.iterdir())
    args = ["add", *files, "--index", str(folder)]
    build_index([_baseline_file()], folder)
    before = snapshot(folder)
    duration = _timed_run(args)
    after = snapshot(folder)
    assert before != after
    build_index([_baseline_file()], folder)
    rng = random.Random(4242)
    outcomes = {"killed": 0, "finished": 0, "old": 0, "new": 0}
    trials = 0
    while outcomes["killed"] < ADD_KILLS and trials < 3 * ADD_KILLS:
        trials += 1
        delay = rng.uniform(0.2, 1.1 * duration)
        finished, _ = _kill_after(args, delay, folder)
        outcomes["finished" if finished else "killed"] += 1
        now = snapshot(folder)
        if now == before:
            outcomes["old"] += 1
        else:
            assert now == after, "an index that is neither the old nor the new one"
            outcomes["new"] += 1
        # The next writer is not blocked by the dead one (Whoosh's lock and
        # ours die with it) and Whoosh ignores the segment files it left.
        report = add([next(p for p in bundled_paths() if "64-1" in p.name)], folder, lock_timeout=5)
        assert report.resolutions == 1
        assert "64/1" in snapshot(folder)["numbers"]
        build_index([_baseline_file()], folder, lock_timeout=5)
        assert snapshot(folder) == before
    print(f"add kills (one add: {duration:.2f} s): {outcomes}")
    assert outcomes["killed"] == ADD_KILLS, outcomes


def test_killed_build_of_a_new_folder_leaves_nothing_half_built(tmp_path, big_corpus):
    """No previous index: after a kill the folder is absent or whole, and a build recovers."""
    folder = tmp_path / "fresh"
    _kill_after(["build", str(big_corpus), "--index", str(folder)], 0.6, folder)
    assert not folder.exists() or store.is_index(folder)
    if folder.exists():
        snapshot(folder)
    build_index([_baseline_file()], folder, lock_timeout=5)
    assert _leftovers(folder) == []
    assert snapshot(folder)["numbers"] == ["68/230"]


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                pass  # gone meanwhile
    return found


# 240 files: built by several processes, for over a second (80 files took
# 0.5 s, too close to a fixed wait: the build could end before the signal).
PARALLEL_COPIES = 48


def _wait_for_building_processes(process, folder: Path) -> None:
    """Until the build's own processes have started (they share its command
    line) and its temporary folder exists, then a little more: they are at work."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None and not (
            _leftovers(folder) and len(_processes_mentioning(str(folder))) > 1):
        time.sleep(0.005)
    time.sleep(0.2)


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc")
def test_a_killed_parallel_build_leaves_no_building_process_behind(tmp_path):
    docs = tmp_path / "docs"
    write_corpus(docs, copies=PARALLEL_COPIES)
    folder = tmp_path / "index"
    process = cli_process("build", str(docs), "--index", str(folder))
    _wait_for_building_processes(process, folder)
    assert process.poll() is None, "the build ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    # Each building process notices its parent is gone within a fraction of a
    # second, whatever it is doing (parsing, writing its segment, or done).
    deadline = time.monotonic() + 20
    while _processes_mentioning(str(folder)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_mentioning(str(folder)) == []
    # The next build cleans up and succeeds.
    build_index([docs], folder)
    assert _leftovers(folder) == []


def test_ctrl_c_stops_a_parallel_build_cleanly_and_keeps_the_old_index(tmp_path):
    docs = tmp_path / "docs"
    write_corpus(docs, copies=PARALLEL_COPIES)
    folder = tmp_path / "index"
    build_index([_baseline_file()], folder)
    before = snapshot(folder)
    # As a terminal does: SIGINT to the whole process group of a foreground
    # job, whose SIGINT is at its default even when this test's own is
    # ignored (as in a job started with `&` by a script).
    process = cli_process("build", str(docs), "--index", str(folder), start_new_session=True,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    _wait_for_building_processes(process, folder)
    assert process.poll() is None, "the build ended before it could be interrupted"
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Traceback" not in err
    assert _leftovers(folder) == []
    assert snapshot(folder) == before
    assert _processes_mentioning(str(folder)) == []
