"""resosearch: paragraph-level search over the French text of UN resolutions."""

from __future__ import annotations

from resosearch.errors import IndexStateError, ParseError, QueryError, ResosearchError
from resosearch.models import Footnote, Paragraph, Resolution

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
]
