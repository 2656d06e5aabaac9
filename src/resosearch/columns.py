"""Each open segment's sortable fields as plain lists, read once.

Date order, facets and timelines need a value (date, number, year, kind…)
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
from collections.abc import Callable, Hashable
from itertools import accumulate
from typing import Any

from whoosh import columns

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


def _translated(reader, fieldname: str) -> list[Any]:
    translate = reader.schema[fieldname].from_column_value
    translated: dict[Any, Any] = {}  # one translation (and object) per distinct value
    return [translated[raw] if raw in translated else translated.setdefault(raw, translate(raw))
            for raw in _raw_values(reader, fieldname)]


def _raw_values(reader, fieldname: str) -> list[Any]:
    count = reader.doc_count_all()
    column = reader.column_reader(fieldname, translate=False)
    if isinstance(column, columns.VarBytesColumn.Reader):
        lengths = column._lengths  # noqa: SLF001 - the lengths Whoosh's reader already holds
        data = bytes(column._dbfile.get(column._basepos, sum(lengths)))  # noqa: SLF001
        return [data[start:start + length]
                for start, length in zip(accumulate(lengths, initial=0), lengths, strict=False)]
    if isinstance(column, columns.NumericColumn.Reader):
        numbers = array(column._typecode)  # noqa: SLF001
        numbers.frombytes(bytes(column._dbfile.get(  # noqa: SLF001
            column._basepos, column._count * column._fixedlen)))  # noqa: SLF001
        if sys.byteorder == "little":
            numbers.byteswap()  # Whoosh writes them big-endian
        return numbers.tolist() + [column._default] * (count - len(numbers))  # noqa: SLF001
    return list(column)  # another column type: Whoosh's reader, one document at a time
