"""What a search returns: hits with their resolution context, and how they render."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from resosearch.models import Footnote, Paragraph
from resosearch.schema import FACETS


@dataclass(frozen=True)
class Hit:
    """A paragraph that matched, with what makes it usable.

    ``highlight`` is the paragraph's text, HTML-escaped, with the matched
    original words in ``<mark>…</mark>``; ``spans`` are the same marks as
    character offsets into ``paragraph.text``. ``chapeau`` is the parent
    paragraph's text for a sub-paragraph. ``before`` and ``after`` hold the
    neighbouring paragraphs when the search asked for them.
    """

    number: str
    symbol: str
    title: str
    session: int
    adopted: date | None
    paragraph: Paragraph
    score: float
    highlight: str
    spans: tuple[tuple[int, int], ...] = ()
    chapeau: str | None = None
    footnotes: tuple[Footnote, ...] = ()
    before: tuple[Paragraph, ...] = ()
    after: tuple[Paragraph, ...] = ()

    @property
    def ref(self) -> str:
        return self.paragraph.ref

    @property
    def kind(self) -> str:
        return self.paragraph.kind

    @property
    def verb(self) -> str | None:
        return self.paragraph.verb

    @property
    def text(self) -> str:
        return self.paragraph.text

    @property
    def citation(self) -> str:
        """How a drafter cites it: ``"A/RES/68/230, OP11"``."""
        return f"{self.symbol}, {self.ref}"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "number": self.number,
            "symbol": self.symbol,
            "ref": self.ref,
            "kind": self.kind,
            "verb": self.verb,
            "score": round(self.score, 4),
            "title": self.title,
            "adopted": self.adopted.isoformat() if self.adopted else None,
            "text": self.text,
            "highlight": self.highlight,
            "chapeau": self.chapeau,
            "footnotes": [n.to_dict() for n in self.footnotes],
        }
        if self.before or self.after:
            data["before"] = [p.to_dict() for p in self.before]
            data["after"] = [p.to_dict() for p in self.after]
        return data

    def _repr_html_(self) -> str:
        return render_hit_html(self)


class Facets(Mapping[str, dict[Any, int]]):
    """Counts of every match of a search (not just the page shown) by
    resolution, year, kind and verb, each largest first. A facet is counted
    when first read, on its own: at archive size that reads one value of
    every document, so reading one facet costs one facet."""

    def __init__(self, count: Callable[[str], dict[Any, int]] | None = None):
        self._count = count
        self._counted: dict[str, dict[Any, int]] = {}

    def __getitem__(self, name: str) -> dict[Any, int]:
        if name not in self._counted:
            if name not in FACETS:
                raise KeyError(name)
            self._counted[name] = self._count(name) if self._count else {}
        return self._counted[name]

    def __iter__(self) -> Iterator[str]:
        return iter(FACETS)

    def __len__(self) -> int:
        return len(FACETS)

    def __repr__(self) -> str:
        return f"Facets({dict(self)!r})"


@dataclass
class Results:
    """One page of hits, the total, facet counts and a spelling suggestion.

    ``facets`` counts every match (not just this page) by resolution,
    year, kind and verb; each facet is counted when first read (see
    :class:`Facets`). ``notice`` explains an empty answer (empty query,
    only stop words).
    """

    query: str
    total: int
    hits: list[Hit]
    page: int = 1
    limit: int = 10
    suggestion: str | None = None
    notice: str | None = None
    _facets: Facets | None = field(default=None, repr=False)
    _facet_source: Callable[[str], dict[Any, int]] | None = field(default=None, repr=False)

    @property
    def facets(self) -> Facets:
        if self._facets is None:
            self._facets = Facets(self._facet_source)
        return self._facets

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit)) if self.limit else 1

    def __len__(self) -> int:
        return len(self.hits)

    def __iter__(self):
        return iter(self.hits)

    def __getitem__(self, index: int) -> Hit:
        return self.hits[index]

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "hits": [hit.to_dict() for hit in self.hits],
            "facets": {name: {str(k): v for k, v in counts.items()}
                       for name, counts in self.facets.items()},
            "suggestion": self.suggestion,
        }

    def _repr_html_(self) -> str:
        parts = [f"<div class='resosearch-results'><p><b>{self.total}</b> paragraph"
                 f"{'s' if self.total != 1 else ''} for <code>{html.escape(self.query)}</code>"]
        if self.suggestion:
            parts.append(f" — did you mean <i>{html.escape(self.suggestion)}</i>?")
        if self.notice:
            parts.append(f" — {html.escape(self.notice)}")
        parts.append("</p>")
        parts.extend(render_hit_html(hit) for hit in self.hits)
        parts.append("</div>")
        return "".join(parts)


def render_hit_html(hit: Hit) -> str:
    """A hit as an HTML block for notebooks."""
    date_text = hit.adopted.isoformat() if hit.adopted else ""
    out = [
        "<div class='resosearch-hit' style='margin:0.8em 0'>",
        f"<div><b>{html.escape(hit.symbol)}</b> · <b>{html.escape(hit.ref)}</b> · "
        f"{html.escape(date_text)} · {html.escape(hit.title)}</div>",
    ]
    if hit.chapeau:
        out.append(f"<div style='color:#666'>{html.escape(hit.chapeau)}</div>")
    out.append(f"<div>{hit.highlight}</div>")
    for note in hit.footnotes:
        out.append(f"<div style='font-size:smaller'><sup>{note.number}</sup> "
                   f"{html.escape(note.text)}</div>")
    out.append("</div>")
    return "".join(out)
