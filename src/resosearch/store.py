"""Where an index lives on disk: locating, locking, swapping, versioning.

An index is a folder holding Whoosh's files and ``resosearch.json`` (our
version and analyzer fingerprint). Builds happen in a hidden temporary
sibling and are swapped in only when complete, so a reader never sees a
half-built index and a failed build leaves the previous one untouched.
Writers serialise on an advisory lock file beside the folder; the kernel
releases it when a process dies, so a killed build leaves no stale lock.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from resosearch import __version__
from resosearch.analysis import analyzer_fingerprint
from resosearch.errors import IndexStateError

META_FILE = "resosearch.json"
# Bumped when the schema or the stored layout changes.
FORMAT = 10
# Files a plain folder may hold and still be replaced by an index.
HARMLESS = {".gitkeep", ".gitignore"}


def default_index_dir() -> Path:
    """``$RESOSEARCH_INDEX`` if set, else ``./index``."""
    return Path(os.environ.get("RESOSEARCH_INDEX") or "index")


def resolve_index_dir(index_dir: str | os.PathLike[str] | None) -> Path:
    return Path(index_dir) if index_dir is not None else default_index_dir()


def is_index(folder: Path) -> bool:
    return (folder / META_FILE).is_file()


def current_meta() -> dict[str, Any]:
    return {"format": FORMAT, "version": __version__, "analyzer": analyzer_fingerprint()}


def write_meta(folder: Path, **extra: Any) -> None:
    meta = current_meta() | extra
    temp = folder / (META_FILE + ".tmp")
    temp.write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(temp, folder / META_FILE)


def read_meta(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexStateError(
            f"{folder} is not a resosearch index; run `resosearch build --index {folder}`"
        ) from None
    except (OSError, ValueError) as error:
        raise IndexStateError(
            f"{folder}/{META_FILE} is unreadable ({error}); run `resosearch build --index {folder}`"
        ) from None


def check_compatible(folder: Path) -> dict[str, Any]:
    """The index's metadata; IndexStateError if this version cannot read it."""
    meta = read_meta(folder)
    expected = current_meta()
    if meta.get("format") != expected["format"] or meta.get("analyzer") != expected["analyzer"]:
        raise IndexStateError(
            f"{folder} was built by resosearch {meta.get('version', '?')} with a different "
            f"index format or analyzer; this is resosearch {__version__}: "
            f"run `resosearch build --index {folder}` to rebuild it"
        )
    return meta


def _lock_path(folder: Path) -> Path:
    return folder.parent / f".{folder.name}.lock"


@contextlib.contextmanager
def write_lock(folder: Path, timeout: float = 30.0) -> Iterator[None]:
    """Hold the index's writer lock; wait up to ``timeout`` seconds for it."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    path = _lock_path(folder)
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the block
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "another process"
                    raise IndexStateError(
                        f"{folder} is being written by {holder}; waited {timeout:g} s — "
                        "try again when it has finished"
                    ) from None
                time.sleep(0.05)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()  # closing releases the lock


def temp_sibling(folder: Path) -> Path:
    """A fresh hidden folder beside ``folder`` to build into."""
    path = folder.parent / f".{folder.name}.build-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True)
    return path


def remove_stale_builds(folder: Path) -> list[Path]:
    """Delete temporary folders left by killed builds. Call with the lock held."""
    removed = []
    for path in folder.parent.glob(f".{folder.name}.build-*"):
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    for path in folder.parent.glob(f".{folder.name}.old-*"):
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def check_replaceable(folder: Path) -> None:
    """Refuse to replace a folder that holds something other than an index."""
    if not folder.exists() or is_index(folder):
        return
    if not folder.is_dir():
        raise IndexStateError(f"{folder} exists and is not a folder; choose another --index")
    others = sorted(p.name for p in folder.iterdir() if p.name not in HARMLESS)
    if others:
        shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
        raise IndexStateError(
            f"{folder} exists and is not a resosearch index (it holds {shown}); "
            "refusing to replace it — choose another --index"
        )


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False if unsupported."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    libc = ctypes.CDLL(name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EPERM):
        return False
    raise OSError(err, os.strerror(err), str(a))


def swap_in(built: Path, folder: Path) -> None:
    """Make ``built`` the index at ``folder``; the old one is deleted."""
    for name in HARMLESS:
        if (folder / name).exists() and not (built / name).exists():
            shutil.copy2(folder / name, built / name)
    if folder.exists():
        if _exchange(built, folder):
            shutil.rmtree(built, ignore_errors=True)
            return
        old = folder.parent / f".{folder.name}.old-{uuid.uuid4().hex[:8]}"
        os.rename(folder, old)
        os.rename(built, folder)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(built, folder)
