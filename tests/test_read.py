"""read: bytes → (text, encoding); empty and binary data refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from resosearch.errors import ParseError
from resosearch.read import decode, read_file

TEXT = "L’Assemblée générale, « œuvre » é"


def test_utf8() -> None:
    assert decode(TEXT.encode("utf-8")) == (TEXT, "utf-8")


def test_utf8_with_bom() -> None:
    assert decode(b"\xef\xbb\xbf" + TEXT.encode("utf-8")) == (TEXT, "utf-8-sig")


def test_cp1252_fallback() -> None:
    assert decode(TEXT.encode("cp1252")) == (TEXT, "cp1252")


def test_latin1_bytes_read_as_cp1252() -> None:
    assert decode("générale".encode("latin-1")) == ("générale", "cp1252")


@pytest.mark.parametrize("data", [b"", b"   \n\n\t ", b"\xef\xbb\xbf"])
def test_empty(data: bytes) -> None:
    with pytest.raises(ParseError, match="empty"):
        decode(data, "e.txt")


def test_nul_byte_names_line() -> None:
    with pytest.raises(ParseError) as info:
        decode(b"ligne 1\nligne 2\x00", "b.bin")
    assert info.value.line == 2
    assert str(info.value) == "b.bin:2: binary data (NUL byte): expected a text file"


def test_control_characters() -> None:
    with pytest.raises(ParseError, match="binary data"):
        decode(bytes(range(1, 32)) * 10)


def test_undecodable() -> None:
    # 0x81 is undefined in cp1252 and invalid as UTF-8.
    with pytest.raises(ParseError, match="neither UTF-8 nor Windows-1252"):
        decode(b"abc \x81 def")


def test_read_file(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_bytes(TEXT.encode("cp1252"))
    assert read_file(path) == (TEXT, "cp1252")
    with pytest.raises(ParseError, match="no such file"):
        read_file(tmp_path / "absent.txt")
    with pytest.raises(ParseError, match="directory"):
        read_file(tmp_path)
