"""Markup: Markdown and HTML taken out of a line of the Markdown layout.

Footnote markers (``<sup>2</sup>``, ``²``, ``^2``) become sentinels
(resosearch.chars.marker); a line that opens with an emphasised phrase
keeps an ITALIC sentinel where it began (the verb of a paragraph).
"""

from __future__ import annotations

import re

from resosearch.chars import ITALIC, marker

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_ORDINAL_SUFFIX = r"(?:e|er|re|ère|ème|eme|es|ers|res)"


def _markdown_marker(match: re.Match[str]) -> str:
    return marker(int(match.group(1).translate(_SUPERSCRIPTS)))


# Only real inline HTML tags: "x<y & y>z" is text.
_HTML_TAG_RE = re.compile(
    r"</?(?:sup|sub|i|b|u|em|strong|span|small|a|p|div|br|hr|abbr|cite|mark)\b[^<>]*/?>", re.I
)
# (The lookahead lets the regex engine skip to a character that can start a match.)
_MARKUP_HINT = re.compile(r"(?=[#\[\\<^*_⁰¹²³⁴⁵⁶⁷⁸⁹=-])(?:[#\[\\<^*_⁰¹²³⁴⁵⁶⁷⁸⁹]|-{3}|={3})")


def strip_markup(text: str) -> str:
    """Remove Markdown and HTML markup from one line.

    Headings, links (their text kept), ``<sup>``/``^`` ordinals (``71<sup>e</sup>``
    → ``71e``, ``95^e`` → ``95e``), emphasis asterisks (a sentinel marks where
    an emphasised phrase began a line), horizontal rules. Footnote markers
    (``<sup>2</sup>``, ``²``) become sentinels.
    """
    if not _MARKUP_HINT.search(text):  # most lines: nothing to strip
        return text.rstrip()
    # Each substitution runs only on a line holding a character it needs.
    if "#" in text:
        text = _HEADING_RE.sub("", text)
    if _RULE_LINE_RE.fullmatch(text):
        return ""
    if "](" in text:
        text = _LINK_RE.sub(r"\1", text)
    if "\\" in text:
        text = _ESCAPE_RE.sub(r"\1", text)  # Markdown escapes
    if "<sup>" in text:
        text = _SUP_ORDINAL_RE.sub(r"\1\2", text)
    if "^" in text:
        # 95^e and Pandoc's 95^e^
        text = _CARET_ORDINAL_RE.sub(r"\1\2", text)
    if "<sup>" in text:
        text = _SUP_MARKER_RE.sub(_markdown_marker, text)
    if "^" in text:
        text = _CARET_MARKER_RE.sub(_markdown_marker, text)
    if _SUPERSCRIPT_RE.search(text):
        text = _SUPERSCRIPT_MARKER_RE.sub(_markdown_marker, text)
    if "<" in text:
        text = _HTML_TAG_RE.sub("", text)
    if "*" in text:
        # Emphasis: remember that the line opens with one (after a number or label).
        text = _OPENING_EMPHASIS_RE.sub(rf"\1{ITALIC}", text)
        text = _EMPHASIS_RE.sub("", text)
    if "_" in text:
        text = _UNDERSCORES_RE.sub("", text)
    return text.rstrip()


_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}(?=\s|$)\s*")
_RULE_LINE_RE = re.compile(r"\s*(?:-{3,}|\*{3,}|(?:\* ){2,}\*|={3,})\s*")
_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_ESCAPE_RE = re.compile(r"\\([*_\[\]#<>])")
_SUP_ORDINAL_RE = re.compile(rf"(\d)\s*<sup>\s*({_ORDINAL_SUFFIX})\s*</sup>")
_CARET_ORDINAL_RE = re.compile(rf"(\d)\s*\^\s*({_ORDINAL_SUFFIX})(?:\^|\b)")
_SUP_MARKER_RE = re.compile(r"<sup>\s*(\d{1,3})\s*</sup>")
_CARET_MARKER_RE = re.compile(r"\^\s*(\d{1,3})\b")
_SUPERSCRIPT_RE = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹]")
_SUPERSCRIPT_MARKER_RE = re.compile(r"(?<![⁰¹²³⁴⁵⁶⁷⁸⁹])([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3})")
_OPENING_EMPHASIS_RE = re.compile(r"^(\s*(?:\d{1,3}\s*\.\s*|\(?[a-z]{1,4}\)\s*)?)\*{1,3}(?=\S)")
_EMPHASIS_RE = re.compile(r"\*{1,3}")
_UNDERSCORES_RE = re.compile(r"(?<![\w_])__?(?=\w)|(?<=\w)__?(?![\w_])")
