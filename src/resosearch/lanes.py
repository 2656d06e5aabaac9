"""A segment's documents as the lanes of one big integer.

Python has no vector type, but its integers have any size, and ``&``,
``|``, ``+``, ``>>`` and ``bit_count`` run in C over the whole number. So a
set of documents is an integer with a byte (a *lane*) per document, 1 when
the document is in the set; ``bytes.translate`` maps every document's byte
through a table in one call; and small per-document numbers are summed in
16-bit lanes, the even documents in one integer and the odd ones in another
(a byte lane widens to 16 bits with a mask and a shift, no copy).
resosearch.conjunction counts and ranks and-queries with these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

NONZERO = bytes(1) + bytes((1,)) * 255  # translation: any byte but 0 to 1
_SET = re.compile(b"\x01")
_REACHED = re.compile(b"\x80")


def lanes(data: bytes) -> int:
    """A lane of 1 for each byte of ``data`` that is not 0."""
    return int.from_bytes(data.translate(NONZERO), "little")


def scattered(docnums: Iterable[int], size: int) -> int:
    """A lane of 1 for each of ``docnums``."""
    found = bytearray(size)
    for docnum in docnums:
        found[docnum] = 1
    return int.from_bytes(found, "little")


def members(set_lanes: int) -> list[int]:
    """The documents whose lane is 1, ascending."""
    data = set_lanes.to_bytes((set_lanes.bit_length() + 7) // 8, "little")
    return [match.start() for match in _SET.finditer(data)]


def reaching(values: int, threshold: int, size: int) -> list[int]:
    """The documents whose byte lane of ``values`` (each at most 127) is at
    least ``threshold`` (1 to 127), ascending."""
    data = _reaching8(values, threshold, size).to_bytes(size, "little")
    return [match.start() for match in _REACHED.finditer(data)]


def count_reaching(values: int, threshold: int, size: int) -> int:
    """How many byte lanes of ``values`` (each at most 127) are at least ``threshold``."""
    return _reaching8(values, threshold, size).bit_count()


def _reaching8(values: int, threshold: int, size: int) -> int:
    # A lane below 128, plus 128 - threshold, reaches 128 exactly when the
    # lane reaches the threshold, and never carries into the next lane.
    ones, tops = _masks8(size)
    return (values + (0x80 - threshold) * ones) & tops


class Sums:
    """Per-document sums of byte lanes, in 16-bit lanes (below 0x8000)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._even = 0  # document 2i in lane i
        self._odd = 0  # document 2i + 1 in lane i

    def add(self, values: int) -> None:
        """Add a byte lane per document."""
        low = _masks16(self.size)[0]
        self._even += values & low
        self._odd += (values >> 8) & low

    def keep(self, set_lanes: int) -> None:
        """Zero the sums of the documents whose lane in ``set_lanes`` is not 1."""
        ones = _masks16(self.size)[1]
        self._even &= (set_lanes & ones) * 0xFFFF
        self._odd &= ((set_lanes >> 8) & ones) * 0xFFFF

    def coarse(self, shift: int) -> int:
        """Each document's sum shifted right by ``shift``, in a byte lane
        (each at most 127: the caller picks the shift)."""
        seven = _masks16(self.size)[2]
        return ((self._even >> shift) & seven) | (((self._odd >> shift) & seven) << 8)


@lru_cache(maxsize=8)
def _masks8(size: int) -> tuple[int, int]:
    """1 in each byte lane, and each byte lane's top bit."""
    return int.from_bytes(b"\x01" * size, "little"), int.from_bytes(b"\x80" * size, "little")


@lru_cache(maxsize=8)
def _masks16(size: int) -> tuple[int, int, int]:
    """For 16-bit lanes of half the documents: each lane's low byte, 1 in
    each, each lane's low 7 bits."""
    half = (size + 1) // 2
    return tuple(int.from_bytes(pattern * half, "little")
                 for pattern in (b"\xff\x00", b"\x01\x00", b"\x7f\x00"))
