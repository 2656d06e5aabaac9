"""Source files: which to read, and each one parsed or the reason it is not.

``collect_files`` expands the files and folders a user names; ``parse_files``
parses them in order (in a process pool when there are many), yielding a
``Resolution`` or a ``Skipped`` for each.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from resosearch.errors import BuildError, ParseError
from resosearch.models import Resolution
from resosearch.parse import parse_file

PathLike = str | os.PathLike[str]
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Skipped:
    """A file that was not indexed, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"

    def refusal(self) -> BuildError:
        """The error a strict build or add raises for this file."""
        return BuildError(f"{self} (--strict: nothing was changed)")


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
