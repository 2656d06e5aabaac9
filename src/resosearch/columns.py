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


def values_of(reader, fieldname: str, docnums: Collection[int]) -> Iterable[Any]:
    """The values of a sortable field for ``docnums`` of one segment, as
    :func:`column_values` gives them.

    The first time a segment is asked for a field, and for less than half
    of its documents, only theirs are read (:func:`some_values`): a
    command-line search counts its matches by resolution once, then exits,
    and reading every document's value would cost more than the search.
    From the second time on, the whole column is read once and kept."""
    if not is_kept(reader, fieldname) and 2 * len(docnums) < reader.doc_count_all() \
            and first_ask(reader, fieldname):
        some = some_values(reader, fieldname, docnums)
        if some is not None:
            return some
    return map(column_values(reader, fieldname).__getitem__, docnums)


def is_kept(reader, name: Hashable) -> bool:
    """Whether :func:`kept` holds ``name`` for this open segment."""
    return name in _CACHE.get(reader, ())


def first_ask(reader, name: Hashable) -> bool:
    """Whether ``name`` is asked of this open segment for the first time
    (the next ask is not)."""
    asked = kept(reader, "asked once", set)
    if name in asked:
        return False
    asked.add(name)
    return True


def some_values(reader, fieldname: str, docnums: Iterable[int]) -> list[Any] | None:
    """The values of a variable-length column (dates, numbers, kinds) for
    ``docnums``, each read from its own place; None for another column."""
    column = reader.column_reader(fieldname, translate=False)
    if not isinstance(column, columns.VarBytesColumn.Reader):
        return None
    # Whoosh's reader holds each value's offset and length.
    offsets, lengths = column._offsets, column._lengths  # noqa: SLF001
    data = bytes(column._dbfile.get(column._basepos, sum(lengths)))  # noqa: SLF001
    raws = [data[offsets[d]:offsets[d] + lengths[d]] for d in docnums]
    translate = reader.schema[fieldname].from_column_value
    translated = {raw: translate(raw) for raw in set(raws)}
    return list(map(translated.__getitem__, raws))


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
