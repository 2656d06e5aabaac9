"""Bad files at build time: the good ones are indexed, each bad one is reported.

The folder mixes the five seed resolutions with an empty file, a binary
file, a truncated resolution, a good resolution saved in cp1252, a second
file with an already-read number, a resolution whose numbered paragraphs
repeat, a text that is not a resolution, a symbolic-link loop (files and a
folder), a FIFO and unreadable files. ``--strict`` fails the whole build and
leaves the existing index untouched.

Unreadable files: tests usually run as root here, and root reads a
``chmod 000`` file anyway; so the folder also holds a link to
``/proc/self/mem``, a regular file whose read fails with EIO even for root.
The ``chmod 000`` case runs only when the tests are not root.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from helpers import cli, renumbered, seed_files, snapshot

from resosearch.build import BuildError, build_index
from resosearch.parse import parse_file
from resosearch.search import Index

IS_ROOT = os.geteuid() == 0

# File name → words its reason must contain; "line" when it must name a line.
EXPECTED = {
    "empty.txt": ("empty file",),
    "binary.txt": ("binary data", "line"),
    "truncated.txt": ("truncated", "line"),
    "duplicate.txt": ("68/230 already read from A-RES-68-230.fr.txt",),
    "repeated-paragraph.txt": ("expected operative paragraph 3 after 2", "line"),
    "shopping-list.txt": ("not a resolution",),
    "loop-a.txt": ("symbolic links",),
    "loop-b.txt": ("symbolic links",),
    "fifo.txt": ("not a regular file",),
    "unreadable.txt": ("cannot read",),
}


def _source() -> str:
    path = next(p for p in seed_files() if "68-230" in p.name)
    return path.read_text(encoding="utf-8")


def make_bad_folder(folder: Path) -> Path:
    folder.mkdir()
    for path in seed_files():
        shutil.copy(path, folder / path.name)
    text = _source()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 20)
    cut = renumbered(text, 2010)
    (folder / "truncated.txt").write_text(cut[: int(len(cut) * 0.6)], encoding="utf-8")
    (folder / "cp1252.txt").write_bytes(renumbered(text, 2020).encode("cp1252"))
    (folder / "duplicate.txt").write_text(text, encoding="utf-8")
    lines = renumbered(text, 2030).split("\n")
    third = next(i for i, line in enumerate(lines) if line.startswith("3. "))
    lines.insert(third, lines[third - 2])  # paragraph 2 a second time
    (folder / "repeated-paragraph.txt").write_text("\n".join(lines), encoding="utf-8")
    (folder / "shopping-list.txt").write_text("Liste de courses\n\npain, lait, œufs\n",
                                              encoding="utf-8")
    os.symlink("loop-b.txt", folder / "loop-a.txt")
    os.symlink("loop-a.txt", folder / "loop-b.txt")
    (folder / "sub").mkdir()
    os.symlink("..", folder / "sub" / "up")  # a folder loop: must not be followed
    os.mkfifo(folder / "fifo.txt")  # reading it would block for ever
    os.symlink("/proc/self/mem", folder / "unreadable.txt")  # EIO on read, even for root
    if not IS_ROOT:
        locked = folder / "locked.txt"
        locked.write_text(text, encoding="utf-8")
        locked.chmod(0)
    return folder


@pytest.fixture
def bad_folder(tmp_path):
    folder = make_bad_folder(tmp_path / "downloads")
    yield folder
    for path in folder.rglob("*"):
        if not path.is_symlink() and path.is_file():
            path.chmod(0o644)


def _check_skipped(skipped: list[dict[str, str]], folder: Path) -> None:
    by_name = {Path(s["path"]).name: s["reason"] for s in skipped}
    expected = dict(EXPECTED)
    if not IS_ROOT:
        expected["locked.txt"] = ("cannot read",)
    assert set(by_name) == set(expected), by_name
    for name, words in expected.items():
        reason = by_name[name]
        for word in words:
            if word == "line":
                assert "(line " in reason, (name, reason)
            else:
                assert word in reason, (name, reason)
    for s in skipped:
        if s["path"] != "duplicate.txt":  # the duplicate is named as the parser saw it
            assert Path(s["path"]).parent == folder, s


def test_build_indexes_the_good_files_and_reports_the_bad(bad_folder):
    result = cli("build", str(bad_folder), "--index", str(bad_folder.parent / "index"), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    _check_skipped(report["skipped"], bad_folder)
    with Index(bad_folder.parent / "index") as index:
        numbers = index.numbers()
        good = sorted(["57/263", "64/1", "68/230", "68/2020", "71/318", "75/234"])
        assert sorted(numbers) == good
        # The parser records the encoding; the index does not store it.
        assert parse_file(bad_folder / "cp1252.txt").encoding == "cp1252"
        assert index.get("68/2020").paragraphs == index.get("68/230").paragraphs
    assert report["resolutions"] == 6


def test_summary_names_each_bad_file(bad_folder):
    result = cli("build", str(bad_folder), "--index", str(bad_folder.parent / "index"))
    assert result.returncode == 0, result.stderr
    for name in EXPECTED:
        assert name in result.stdout


def test_strict_build_fails_and_leaves_the_index_untouched(bad_folder, tmp_path):
    folder = tmp_path / "index"
    build_index(None, folder)
    before = snapshot(folder)
    result = cli("build", "--strict", str(bad_folder), "--index", str(folder))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("resosearch: error: ")
    assert "--strict: nothing was changed" in lines[0]
    assert "Traceback" not in result.stderr
    assert snapshot(folder) == before
    assert list(tmp_path.glob(".index.build-*")) == []
    with pytest.raises(BuildError):
        build_index([bad_folder], folder, strict=True)
    assert snapshot(folder) == before


def test_strict_add_changes_nothing(bad_folder, tmp_path):
    folder = tmp_path / "index"
    build_index(None, folder)
    before = snapshot(folder)
    result = cli("add", "--strict", str(bad_folder / "cp1252.txt"), str(bad_folder / "truncated.txt"),
                 "--index", str(folder))
    assert result.returncode == 2 and "truncated" in result.stderr
    assert snapshot(folder) == before


def test_each_bad_file_alone_is_reported_by_parse(bad_folder):
    """`resosearch parse` on a bad file: one line naming the file (and line), exit 2."""
    for name in ("empty.txt", "binary.txt", "truncated.txt", "repeated-paragraph.txt",
                 "shopping-list.txt", "loop-a.txt", "unreadable.txt"):
        result = cli("parse", str(bad_folder / name))
        assert result.returncode == 2, (name, result.stdout)
        message = result.stderr.strip()
        assert "\n" not in message and name in message, message
    assert cli("parse", str(bad_folder / "cp1252.txt")).returncode == 0


@pytest.mark.skipif(not IS_ROOT, reason="only meaningful as root")
def test_chmod_000_cannot_be_exercised_as_root(tmp_path):
    """Documented limitation: root reads a chmod 000 file, so it is simply indexed."""
    locked = tmp_path / "locked.txt"
    locked.write_text(_source(), encoding="utf-8")
    locked.chmod(0)
    report = build_index([locked], tmp_path / "index")
    assert report.resolutions == 1
