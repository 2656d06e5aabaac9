"""resosearch: paragraph-level search over the French text of UN resolutions."""

from __future__ import annotations

from resosearch.errors import IndexStateError, ParseError, QueryError, ResosearchError
from resosearch.models import Footnote, Paragraph, Resolution
from resosearch.parse import parse_file, parse_text

__version__ = "0.1.0"

__all__ = [
    "Footnote",
    "IndexStateError",
    "Paragraph",
    "ParseError",
    "QueryError",
    "Resolution",
    "ResosearchError",
    "__version__",
    "parse_file",
    "parse_text",
]
