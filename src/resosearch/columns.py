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
from collections.abc import Callable, Collection, Hashable, Iterable
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
    return _translate(reader, fieldname, _raw_values(reader, fieldname))


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
