"""Errors a user can act on. Each says what was wrong and where."""

from __future__ import annotations


class ResosearchError(Exception):
    """Base class of every error resosearch raises on purpose."""


class ParseError(ResosearchError):
    """A source file is not a resolution we can read.

    ``source`` is the file (or None for text given directly), ``line`` the
    1-based line where the problem was seen, if it has one.
    """

    def __init__(self, message: str, source: str | None = None, line: int | None = None):
        self.message = message
        self.source = source
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source or "<text>"
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.message}"


class QueryError(ResosearchError):
    """A query that cannot be understood; the message says how to fix it."""


class IndexStateError(ResosearchError):
    """An index that is missing, locked, or built by an incompatible version."""


class BuildError(ResosearchError):
    """A strict build met a bad file; the existing index was left untouched."""
