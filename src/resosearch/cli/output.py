"""Terminal output shared by the commands: colour only on a terminal, JSON, progress."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, TextIO


def use_colour(stream: TextIO) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def style(text: str, code: str, stream: TextIO | None = None) -> str:
    """``text`` in an ANSI style (e.g. "1" bold, "33" yellow) when ``stream``
    (default: stdout) is a terminal."""
    return f"\x1b[{code}m{text}\x1b[0m" if use_colour(stream or sys.stdout) else text


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


class ProgressBar:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, label: str, stream: TextIO | None = None):
        self.label = label
        self.stream = stream or sys.stderr
        self.active = self.stream.isatty()

    def __call__(self, done: int, total: int, _item: str = "") -> None:
        if not self.active or not total:
            return
        width = 30
        filled = width * done // total
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            self.stream.write("\r" + " " * (width + len(self.label) + 24) + "\r")
        self.stream.flush()
