"""Characters: the letter class of the cleaning patterns, and the
private-use sentinels that carry footnote markers (and the start of an
emphasised phrase) through cleaning.

A footnote marker travels inside segment text as :func:`marker`'s
sentinel from the stage that finds it (resosearch.markup for Markdown,
resosearch.glued for PDF text) to the parser, which takes it out with
:func:`take_markers` and keeps the note's number.
"""

from __future__ import annotations

import re


def is_letter(char: str) -> bool:
    """Whether ``char`` is what the cleaning patterns' class ``[^\\W\\d_]``
    matches (``\\w`` is ``str.isalnum()`` and ``_``, ``\\d`` is
    ``str.isdecimal()``)."""
    return char.isalnum() and not char.isdecimal()


# A marker is OPEN, the note's number, CLOSE.
OPEN, CLOSE = "\ue000", "\ue001"
_MARKER_RE = re.compile(f"{OPEN}(\\d+){CLOSE}")
ITALIC = "\ue002"  # marks where an emphasised phrase began (Markdown)
PRIVATE_RE = re.compile("[\ue000-\ue00f]")


def marker(number: int) -> str:
    """The sentinel standing for footnote marker ``number`` inside text."""
    return f"{OPEN}{number}{CLOSE}"


def take_markers(text: str) -> tuple[str, tuple[int, ...]]:
    """Remove the marker sentinels from ``text``; return it and their numbers.

    Spaces before a marker go with it, and so do spaces between a marker and
    a following comma, full stop or closing bracket (``développement 3,`` →
    ``développement,``); French spacing before ``;`` and ``:`` stays.
    """
    if OPEN not in text:  # most paragraphs
        return tidy(text), ()
    numbers: list[int] = []
    for match in _MARKER_RE.finditer(text):
        number = int(match.group(1))
        if number not in numbers:
            numbers.append(number)
    text = _TAKEN_MARKER_RE.sub("", text)
    return tidy(text), tuple(numbers)


_TAKEN_MARKER_RE = re.compile(f"\\s*{OPEN}(\\d+){CLOSE}(?:\\s+(?=[,.)\\]]))?")


def tidy(text: str) -> str:
    """Collapse whitespace and strip; remove leftover sentinels."""
    # (str.split splits at what the regex \s matches, and costs far less.)
    return " ".join(PRIVATE_RE.sub("", text).split())
