"""Read: the bytes of a source file → text, and the encoding that was used.

The stage is a pure function of the bytes (:func:`decode`); :func:`read_file`
adds the file system. Encodings are tried in order: UTF-8 with a byte order
mark (``utf-8-sig``), UTF-8, then Windows-1252 (``cp1252``), the usual
encoding of French text saved by older Windows tools. Binary data (NUL bytes,
or many control characters) and empty files are refused with a
:class:`~resosearch.errors.ParseError`.
"""

from __future__ import annotations

import re
from pathlib import Path

from resosearch.errors import ParseError

# Control characters that ordinary text files contain.
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")
# Control characters that text does not contain (C0 but the above, DEL, C1).
_CONTROL_RE = re.compile("[" + "".join(
    re.escape(chr(c)) for c in [*range(32), *range(0x7F, 0xA0)] if chr(c) not in _TEXT_CONTROLS
) + "]")
# Above this share of other control characters, the data is not text.
_MAX_CONTROL_SHARE = 0.05


def decode(data: bytes, source: str | None = None) -> tuple[str, str]:
    """Decode ``data``; return ``(text, encoding)``.

    ``encoding`` is ``"utf-8-sig"`` (UTF-8 with a byte order mark),
    ``"utf-8"`` or ``"cp1252"``. Raises ParseError for empty or binary data.
    """
    if not data.strip():
        raise ParseError("empty file: expected the text of a resolution", source)
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ParseError("binary data (NUL byte): expected a text file", source, line)
    text: str | None = None
    encoding = ""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ("utf-8-sig", "cp1252")
    else:
        candidates = ("utf-8", "cp1252")
    for candidate in candidates:
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        encoding = candidate
        break
    if text is None:
        # cp1252 leaves five bytes undefined; such data is not French text.
        raise ParseError("bytes are neither UTF-8 nor Windows-1252 text", source)
    controls = len(_CONTROL_RE.findall(text))
    if controls > max(2, _MAX_CONTROL_SHARE * len(text)):
        raise ParseError(
            f"binary data ({controls} control characters): expected a text file", source
        )
    if not text.strip():
        raise ParseError("empty file: expected the text of a resolution", source)
    return text, encoding


def read_file(path: str | Path) -> tuple[str, str]:
    """Read and decode the file at ``path``; return ``(text, encoding)``.

    A missing or unreadable file is a ParseError naming it.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ParseError("no such file", str(path)) from None
    except IsADirectoryError:
        raise ParseError("is a directory: expected a text file", str(path)) from None
    except OSError as error:
        raise ParseError(f"cannot read: {error.strerror or error}", str(path)) from None
    return decode(data, path.name)
