"""Sortable fields' columns: written in one go per segment, and each open
segment's read as plain lists, once.

Writing: Whoosh's column writers take several Python steps per value, and a
paragraph has about ten values (its number, date, order… and the length of
each text field). :class:`ColumnValues` keeps them in arrays and
:meth:`ColumnValues.encode` writes each column at once, with the bytes
Whoosh's writer would have written.

Reading: Date order, facets and timelines need a value (date, number, year, kind…)
for every match: tens of thousands in an archive. Whoosh's column readers
answer one document at a time (a file read and an unpack each, then a
translation); here a segment's whole column is read in one go, decoded by
C-level calls, translated once per distinct value and kept while the
segment is open (segments never change once written).
"""

from __future__ import annotations

import sys
import weakref
from array import array
from collections import deque
from collections.abc import Callable, Collection, Hashable, Iterable
from itertools import accumulate, chain, compress, repeat
from operator import add, ne, sub
from typing import Any

from whoosh import columns


class ColumnValues:
    """One column's values as documents add them (in increasing document
    order, at most one each), kept until the segment is written."""

    __slots__ = ("column", "docnums", "values")

    def __init__(self, column: columns.Column) -> None:
        self.column = column
        self.docnums = array("I")
        # Numbers in an array (a length byte, a year…); bytes in a list.
        self.values: array | list = (array(column._typecode)  # noqa: SLF001
                                     if type(column) is columns.NumericColumn else [])

    @staticmethod
    def handles(column: columns.Column) -> bool:
        """Whether :meth:`encode` writes this type of column (else Whoosh's
        writer must)."""
        return type(column) in (columns.NumericColumn, columns.VarBytesColumn)

    def encode(self, doccount: int) -> bytes:
        """The column file of a segment of ``doccount`` documents, byte for
        byte as Whoosh's writer of the column writes it."""
        if isinstance(self.values, array):
            return self._numbers()
        return self._var_bytes(doccount)

    def _numbers(self) -> bytes:
        # NumericColumn.Writer: big-endian numbers, the default for each
        # document without a value, up to the last document with another.
        default = self.column._default  # noqa: SLF001
        last = len(self.values) - 1
        while last >= 0 and self.values[last] == default:
            last -= 1
        if last < 0:
            return b""
        numbers = array(self.values.typecode, repeat(default, self.docnums[last] + 1))
        deque(map(numbers.__setitem__, self.docnums[:last + 1], self.values[:last + 1]), 0)
        return _big_endian(numbers)

    def _var_bytes(self, doccount: int) -> bytes:
        # VarBytesColumn.Writer: the values, then each document's length
        # (0 without a value), then — past ``write_offsets_cutoff``
        # documents — where each one starts, then the arrays' typecodes.
        lengths = [0] * doccount
        deque(map(lengths.__setitem__, self.docnums, map(len, self.values)), 0)
        lengths_array = _growable(lengths)
        parts = [b"".join(self.values), _big_endian(lengths_array)]
        codes = lengths_array.typecode
        if self.column.allow_offsets and doccount > self.column.write_offsets_cutoff:
            offsets = _growable(list(accumulate(lengths[:-1], initial=0)))
            parts.append(_big_endian(offsets))
            codes += offsets.typecode + "X"
        parts.append(codes.encode("ascii"))
        return b"".join(parts)


def _growable(numbers: list[int]) -> array:
    """``numbers`` in the array Whoosh's GrowableArray would end with: bytes,
    widened as the largest number needs."""
    largest = max(numbers, default=0)
    typecode = "B" if largest < 1 << 8 else "H" if largest < 1 << 16 else \
        "i" if largest < 1 << 31 else "I"
    return array(typecode, numbers)


def _big_endian(numbers: array) -> bytes:
    # As Whoosh's StructFile.write_array writes an array (swapped in place).
    if sys.byteorder == "little":
        numbers.byteswap()
    return numbers.tobytes()


# Per open segment reader: what was derived from its columns, by name.
_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def kept(reader, name: Hashable, make: Callable[[], Any]) -> Any:
    """``make()``'s value for an open segment, made once and kept while the
    segment is open, under ``name``: its columns (by field name), what is
    derived from them, the documents of a filter (resosearch.count)."""
    cached = _CACHE.get(reader)
    if cached is None:
        cached = _CACHE[reader] = {}
    if name not in cached:
        cached[name] = make()
    return cached[name]


def column_values(reader, fieldname: str) -> list[Any]:
    """Every document's value of a sortable field in one segment, as
    Whoosh's translating column reader gives them."""
    return kept(reader, fieldname, lambda: _translated(reader, fieldname))


def values_of(reader, fieldname: str, docnums: Collection[int]) -> Iterable[Any]:
    """The values of a sortable field for ``docnums`` of one segment, as
    :func:`column_values` gives them: on a segment's first ask, for a few
    of its documents, only theirs (:func:`first_look`); else from the
    whole column, read once and kept."""
    if first_look(reader, fieldname, docnums):
        some = some_values(reader, fieldname, docnums)
        if some is not None:
            return some
    return map(column_values(reader, fieldname).__getitem__, docnums)


def first_look(reader, name: Hashable, matches: Collection[int]) -> bool:
    """Whether to read only the matches' own values for ``name`` (a field,
    or what is derived from fields): the first time this open segment is
    asked, for less than half of its documents. A command-line search
    counts or sorts once, then exits, and reading every document's value
    would cost more than the search; from the second ask on, the whole
    columns are read and kept."""
    if is_kept(reader, name) or 2 * len(matches) >= reader.doc_count_all():
        return False
    asked = kept(reader, "asked once", set)
    if name in asked:
        return False
    asked.add(name)
    return True


def is_kept(reader, name: Hashable) -> bool:
    """Whether :func:`kept` holds ``name`` for this open segment."""
    return name in _CACHE.get(reader, ())


def some_values(reader, fieldname: str, docnums: Iterable[int]) -> list[Any] | None:
    """The values of a variable-length column (dates, numbers, kinds) for
    ``docnums``, each read from its own place; None for another column."""
    column = reader.column_reader(fieldname, translate=False)
    if not isinstance(column, columns.VarBytesColumn.Reader):
        return None
    return _translate(reader, fieldname, _var_bytes(column, docnums))


def _translated(reader, fieldname: str) -> list[Any]:
    if fieldname in RESOLUTION_WIDE:
        values = _run_values(reader, fieldname)
        if values is not None:
            return values
    return _translate(reader, fieldname, _raw_values(reader, fieldname))


# Variable-length columns whose value is the resolution's on each of its
# documents (its number, its date): read once per run of the resolution's
# documents rather than once per document (a segment of an archive-sized
# index has some 280,000 documents and 11,000 resolutions).
RESOLUTION_WIDE = frozenset({"number", "adopted"})


def resolution_runs(reader) -> array:
    """Where each run of one resolution's documents starts in a segment,
    then the segment's document count. A resolution's paragraphs are
    written one after the other, their ``order`` 0, 1, 2…, then its own
    document (no order): a run is a stretch of consecutive orders."""
    def make() -> array:
        orders = _raw_values(reader, "order")
        steps = map(ne, orders[1:], map(add, orders[:-1], repeat(1)))
        return array("I", [0, *compress(range(1, len(orders)), steps), len(orders)]) \
            if orders else array("I", [0])

    return kept(reader, "resolution runs", make)


def _run_values(reader, fieldname: str) -> list[Any] | None:
    """Every document's value of a RESOLUTION_WIDE column, read at the
    first and last document of each resolution run only; None when the
    two differ somewhere (documents not laid out as resosearch writes
    them): the whole column must then be read."""
    column = reader.column_reader(fieldname, translate=False)
    if not isinstance(column, columns.VarBytesColumn.Reader):
        return None
    runs = resolution_runs(reader)
    firsts = _var_bytes(column, runs[:-1])
    if firsts != _var_bytes(column, map(sub, runs[1:], repeat(1))):
        return None
    return list(chain.from_iterable(map(repeat, _translate(reader, fieldname, firsts),
                                        map(sub, runs[1:], runs[:-1]))))


def _translate(reader, fieldname: str, raws: list[Any]) -> list[Any]:
    """Raw column values as Whoosh's translating reader gives them: one
    translation (and object) per distinct value."""
    translate = reader.schema[fieldname].from_column_value
    translated = {raw: translate(raw) for raw in set(raws)}
    return list(map(translated.__getitem__, raws))


def _var_bytes(column, docnums: Iterable[int] | None = None) -> list[bytes]:
    """A variable-length column's values as stored: every document's, or
    those of ``docnums``."""
    # Whoosh's reader holds each value's offset and length.
    offsets, lengths = column._offsets, column._lengths  # noqa: SLF001
    data = bytes(column._dbfile.get(column._basepos, sum(lengths)))  # noqa: SLF001
    if docnums is None:
        return [data[offset:offset + length] for offset, length in zip(offsets, lengths, strict=True)]
    return [data[offsets[d]:offsets[d] + lengths[d]] for d in docnums]


def _raw_values(reader, fieldname: str) -> list[Any]:
    count = reader.doc_count_all()
    column = reader.column_reader(fieldname, translate=False)
    if isinstance(column, columns.VarBytesColumn.Reader):
        return _var_bytes(column)
    if isinstance(column, columns.NumericColumn.Reader):
        numbers = array(column._typecode)  # noqa: SLF001
        numbers.frombytes(bytes(column._dbfile.get(  # noqa: SLF001
            column._basepos, column._count * column._fixedlen)))  # noqa: SLF001
        if sys.byteorder == "little":
            numbers.byteswap()  # Whoosh writes them big-endian
        return numbers.tolist() + [column._default] * (count - len(numbers))  # noqa: SLF001
    return list(column)  # another column type: Whoosh's reader, one document at a time
