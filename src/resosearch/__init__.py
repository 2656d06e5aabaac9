"""resosearch: paragraph-level search over the French text of UN resolutions.

    >>> from resosearch import open_index
    >>> with open_index() as index:          # builds ./index from the bundled corpus once
    ...     hit = index.search("cooperation triangulaire").hits[0]

The pipeline reads as its modules: ``read`` → ``clean`` → ``parse`` (a
:class:`Resolution`), ``analysis`` (the French analyzer), ``schema`` and
``build`` (the Whoosh index), ``query`` and ``search`` (ranked :class:`Hit`\\ s).
"""

from __future__ import annotations

__version__ = "0.1.0"

from resosearch.build import BuildError, BuildReport, add, build_index, remove  # noqa: E402
from resosearch.errors import (  # noqa: E402
    IndexStateError,
    ParseError,
    QueryError,
    ResosearchError,
)
from resosearch.models import Footnote, Paragraph, Resolution  # noqa: E402
from resosearch.parse import parse_file, parse_text  # noqa: E402
from resosearch.results import Hit, Results  # noqa: E402
from resosearch.search import Index, open_index  # noqa: E402

__all__ = [
    "BuildError",
    "BuildReport",
    "Footnote",
    "Hit",
    "Index",
    "IndexStateError",
    "Paragraph",
    "ParseError",
    "QueryError",
    "Resolution",
    "ResosearchError",
    "Results",
    "__version__",
    "add",
    "build_index",
    "open_index",
    "parse_file",
    "parse_text",
    "remove",
]
