"""Open an index and search it: ``open_index(...).search("coopération triangulaire")``."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from whoosh import collectors
from whoosh import index as whoosh_index
from whoosh import query as q
from whoosh.reading import MultiReader
from whoosh.searching import Searcher

from resosearch import chronology, rank, store
from resosearch.build import PathLike, build_index, normalize_number
from resosearch.columns import values_of
from resosearch.count import count, live_ids, needs_positions
from resosearch.errors import IndexStateError, QueryError
from resosearch.filters import combine, filter_queries
from resosearch.highlight import find_spans, render
from resosearch.models import Resolution
from resosearch.query import (
    MAX_PHRASE_WORDS,
    CompiledQuery,
    Compiler,
    compile_query,
    matches_by_absence,
)
from resosearch.results import Hit, Results
from resosearch.schema import (
    FACETS,
    PARAGRAPH,
    fold_keyword,
    resolution_key,
    stored_footnotes,
    stored_paragraph,
    stored_resolution,
)

if TYPE_CHECKING:
    from resosearch.citations import CitedBy, Cites
    from resosearch.similar import Similar
    from resosearch.timeline import Timeline

# Weight of the bonus for query words that stand side by side in a paragraph.
PROXIMITY_WEIGHT = 1.5
# How many of the best BM25F candidates get the proximity bonus.
RERANK_WINDOW = 50
SORTS = ("relevance", "date", "oldest")
# Longer words get no spelling suggestion (French words are shorter; the cost grows with length).
MAX_SUGGEST_CHARS = 40
# Opening races a concurrent commit at most this many times.
OPEN_ATTEMPTS = 5


def _segment_terms_within(reader) -> None:
    """Make ``reader`` find the words within an edit distance (fuzzy terms,
    suggestions) segment by segment. For an index of several segments Whoosh
    measures the distance to every word of the field (seconds at 5,000
    resolutions); a segment's own reader skips through its words with an
    automaton."""
    if not isinstance(reader, MultiReader):
        return

    def terms_within(fieldname: str, text: str, maxdist: int, prefix: int = 0) -> Iterator[str]:
        found = dict.fromkeys(word for leaf in reader.readers
                              for word in leaf.terms_within(fieldname, text, maxdist, prefix))
        return iter(found)

    reader.terms_within = terms_within


class Index:
    """A resosearch index, opened once and searched many times.

    One Whoosh searcher is reused between queries and refreshed when the
    index on disk changes (``add``, ``remove``, or a rebuild swapped in).
    An Index may be shared between threads; use it as a context manager
    or call :meth:`close`.
    """

    def __init__(self, index_dir: PathLike):
        self.path = Path(index_dir)
        self._lock = threading.RLock()
        self._searcher: Searcher | None = None
        self._identity: tuple[int, int] | None = None
        self._resolutions: OrderedDict[str, Resolution] = OrderedDict()
        self._metadata_cache: dict[str, dict[str, Any]] = {}
        self._open()

    # -- lifecycle -------------------------------------------------------------

    def _open(self) -> None:
        store.check_compatible(self.path)
        for attempt in range(1, OPEN_ATTEMPTS + 1):
            identity = _identity(self.path)
            try:
                searcher = whoosh_index.open_dir(str(self.path)).searcher()
                break
            except Exception as error:  # whoosh raises its own assorted errors here
                # A file gone between Whoosh listing the index and opening it:
                # a writer committed, or a rebuild was swapped in. Open again.
                if isinstance(error, FileNotFoundError) and attempt < OPEN_ATTEMPTS:
                    time.sleep(0.02 * attempt)
                    continue
                raise IndexStateError(
                    f"cannot open the index at {self.path} ({error}); "
                    f"run `resosearch build --index {self.path}`"
                ) from None
        _segment_terms_within(searcher.reader())
        old = self._searcher
        self._searcher = searcher
        self._identity = identity
        self._resolutions.clear()
        self._metadata_cache.clear()
        if old is not None:
            old.close()

    def _current(self) -> Searcher:
        """The searcher, refreshed if the index changed on disk. Call with the lock held."""
        if self._searcher is None:
            raise IndexStateError(f"the index at {self.path} is closed")
        # A rebuild swapped in (new folder) or add/remove committed (new generation).
        # Reopen rather than Searcher.refresh(): refresh reuses segment readers
        # and can keep showing documents deleted since.
        if _identity(self.path) != self._identity or not self._searcher.up_to_date():
            self._open()
        return self._searcher

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Index({str(self.path)!r})"

    # -- reading ---------------------------------------------------------------

    def numbers(self) -> list[str]:
        """Numbers of the indexed resolutions, sorted."""
        with self._lock:
            return self._numbers(self._current())

    @staticmethod
    def _numbers(searcher: Searcher) -> list[str]:
        # From the keys' lexicon, not the resolutions' stored fields (22,000
        # of them in an archive); live documents only: a segment's lexicon
        # keeps the key of a resolution replaced by `add` until a merge.
        keys: list[str] = []
        for leaf, _offset in searcher.leaf_searchers():
            reader = leaf.reader()
            if not reader.has_deletions():
                keys.extend(reader.field_terms("key"))
                continue
            deleted = reader.deleted_docs_set
            keys.extend(key for key in reader.field_terms("key")
                        if not deleted.issuperset(reader.postings("key", key).all_ids()))
        return sorted((key.rstrip("#") for key in keys), key=_number_order)

    def __len__(self) -> int:
        """How many paragraphs the index holds."""
        with self._lock:
            searcher = self._current()
            return searcher.doc_count() - len(self._numbers(searcher))

    def __contains__(self, number: object) -> bool:
        """Whether resolution ``number`` ("68/230" or "A/RES/68/230") is indexed."""
        if not isinstance(number, str):
            return False
        with self._lock:
            return _resolution_document(self._current(), normalize_number(number)) is not None

    def get(self, number: str) -> Resolution:
        """The indexed resolution ``number`` ("68/230" or "A/RES/68/230")."""
        with self._lock:
            return self._resolution(self._current(), normalize_number(number), number)

    def _resolution(self, searcher: Searcher, key: str, asked: str | None = None) -> Resolution:
        """The resolution ``key`` read through ``searcher``, cached. Lock held."""
        if key in self._resolutions:
            self._resolutions.move_to_end(key)
            return self._resolutions[key]
        stored = _stored_resolution(searcher, key)
        if stored is None:
            raise IndexStateError(f"resolution {asked or key} is not in the index at {self.path}")
        paragraphs = searcher.search(q.Term("number", key), limit=None, sortedby="order",
                                     terms=False)
        resolution = stored_resolution(stored, [hit.fields() for hit in paragraphs])
        self._resolutions[key] = resolution
        if len(self._resolutions) > 256:
            self._resolutions.popitem(last=False)
        return resolution

    # -- searching -------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        page: int = 1,
        session: int | Iterable[int] | None = None,
        years: int | str | tuple[int, int] | None = None,
        kind: str | None = None,
        verb: str | None = None,
        resolution: str | Iterable[str] | None = None,
        sort: str = "relevance",
        neighbours: int = 0,
    ) -> Results:
        """Ranked paragraphs matching ``query`` (see the README for the syntax).

        Filters narrow the matches without changing scores: ``session`` (68
        or several), ``years`` (2013, "2010-2015" or (2010, 2015)), ``kind``
        ("operative" / "preambular"), ``verb`` ("prie"; any case or accents),
        ``resolution`` ("68/230" or several). ``sort``: "relevance", "date"
        (newest first) or "oldest". ``neighbours``: how many paragraphs
        before and after each hit to include. Raises QueryError when the
        query or a filter is malformed.
        """
        if limit < 1 or page < 1:
            raise QueryError("limit and page must be at least 1")
        if sort not in SORTS:
            raise QueryError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
        filters = filter_queries(session, years, kind, verb, resolution)
        with self.matching(query, filters) as (searcher, compiled, main, filter_query):
            if main is None:
                return Results(query, 0, [], page, limit, notice=_notice(query, compiled),
                               suggestion=self._suggest(query, compiled, searcher))
            if sort == "relevance":
                total, ranked = self._ranked(searcher, main, filter_query, compiled,
                                             page * limit)
            else:
                total, ranked = self._sorted(searcher, main, filter_query, sort, page * limit)
            terms = set(compiled.query.iter_all_terms()) if compiled.query is not q.NullQuery else set()
            hits = [self._hit(searcher, docnum, score, terms, neighbours)
                    for score, docnum in ranked[(page - 1) * limit:page * limit]]
            suggestion = self._suggest(query, compiled, searcher) if total == 0 or compiled.words else None
            return Results(
                query, total, hits, page, limit, suggestion=suggestion,
                _facet_source=self._facet_counter(main, filter_query),
            )

    def _ranked(self, searcher: Searcher, main: q.Query, filter_query: q.Query | None,
                compiled: CompiledQuery, wanted: int) -> tuple[int, list[tuple[float, int]]]:
        """Total and (score, docnum) best first: BM25F, then a proximity bonus
        for the words of the query standing close together, computed only for
        the best RERANK_WINDOW candidates (inside the query it would be checked
        on every match and defeat Whoosh's block skipping)."""
        proximity = self._proximity(compiled, searcher)
        # Only a reranked query needs more candidates than it shows.
        window = wanted if proximity is None else max(RERANK_WINDOW, wanted)
        fast = rank.best(searcher, main, filter_query, window)
        if fast is not None:
            total, ranked = fast
        else:
            total, ranked = self._collected(searcher, main, filter_query, window,
                                            needs_positions(main))
        if proximity is not None and len(ranked) > 1:
            bonus = _scores_for(searcher, proximity, [docnum for _, docnum in ranked])
            order = {docnum: rank for rank, (_, docnum) in enumerate(ranked)}
            ranked = sorted(((score + bonus.get(docnum, 0.0), docnum) for score, docnum in ranked),
                            key=lambda item: (-item[0], order[item[1]]))
        return total, ranked

    @staticmethod
    def _collected(searcher: Searcher, main: q.Query, filter_query: q.Query | None,
                   window: int, exhaustive: bool) -> tuple[int, list[tuple[float, int]]]:
        """Total and best ``window`` through Whoosh's matchers."""
        if exhaustive:
            # A phrase's matches are known only once their positions are
            # checked: one pass that scores and counts every match.
            collector = collectors.TopCollector(window, usequality=False, replace=0)
        else:
            # Block-max skipping finds the best few; resosearch.count counts
            # the rest without scoring them. (Whoosh's own total after
            # skipping is wrong: its matcher "replacement" drops sub-queries
            # that cannot reach the top, such as footnote-only matches.)
            collector = collectors.TopCollector(window)
        if filter_query is not None:
            collector = collectors.FilterCollector(collector, allow=filter_query)
        searcher.search_with_collector(main, collector)
        results = collector.results()
        total = len(results) if exhaustive else count(searcher, main, filter_query)
        return total, [(hit.score, hit.docnum) for hit in results]

    @staticmethod
    def _sorted(searcher: Searcher, main: q.Query, filter_query: q.Query | None, sort: str,
                wanted: int) -> tuple[int, list[tuple[float, int]]]:
        total, docnums = chronology.by_date(searcher, main, filter_query, sort == "date", wanted)
        return total, [(0.0, docnum) for docnum in docnums]  # sorted: no score

    @staticmethod
    def _proximity(compiled: CompiledQuery, searcher: Searcher) -> q.Query | None:
        if 2 <= len(compiled.words) <= MAX_PHRASE_WORDS and not compiled.negated:
            return Compiler(searcher.reader()).pairs_bonus(" ".join(compiled.words),
                                                           PROXIMITY_WEIGHT)
        return None

    @contextlib.contextmanager
    def reading(self) -> Iterator[Searcher]:
        """Holding the index lock: the current Whoosh searcher (reopened if
        the index changed on disk). For operations built on the index
        (similar, cites); keep the block short, writers' updates wait."""
        with self._lock:
            yield self._current()

    @contextlib.contextmanager
    def matching(self, query: str, filters: list[q.Query]) -> Iterator[Matching]:
        """Holding the index lock: the searcher, the compiled ``query``, the
        Whoosh query to run (None when there is nothing to search) and the
        filters combined. For operations built on search (timeline, similar)."""
        with self.reading() as searcher:
            compiled = compile_query(query, searcher.reader())
            main = self._main_query(compiled, searcher, filters)
            yield Matching(searcher, compiled, main, combine(filters))

    def _main_query(self, compiled: CompiledQuery, searcher: Searcher,
                    filters: list[q.Query]) -> q.Query | None:
        main = compiled.query
        if main is q.NullQuery or isinstance(main, type(q.NullQuery)):
            if compiled.every or (not compiled.words and not compiled.dropped and filters
                                  and compiled.query is q.NullQuery):
                return q.Term("doctype", PARAGRAPH)
            return None
        if compiled.every:
            main = q.And([q.Term("doctype", PARAGRAPH), main]) if not isinstance(main, q.Every) \
                else q.Term("doctype", PARAGRAPH)
        elif compiled.negated and matches_by_absence(main):
            main = q.And([q.Term("doctype", PARAGRAPH), main])
        return main

    def _hit(self, searcher: Searcher, docnum: int, score: float, terms: set,
             neighbours: int) -> Hit:
        """A Hit from a paragraph's stored fields. Call with the lock held."""
        fields = searcher.stored_fields(docnum)
        paragraph = stored_paragraph(fields)
        number = fields["number"]
        metadata = self._metadata(searcher, number)
        spans = find_spans(paragraph.text, terms)
        adopted = fields.get("adopted")
        before: tuple = ()
        after: tuple = ()
        if neighbours > 0:
            paragraphs = self._resolution(searcher, number).paragraphs
            order = fields["order"]
            before = paragraphs[max(0, order - neighbours):order]
            after = paragraphs[order + 1:order + 1 + neighbours]
        chapeau = _chapeau(searcher, docnum, number, paragraph.parent) if paragraph.parent else None
        return Hit(
            number=number,
            symbol=fields["symbol"],
            title=metadata["title"],
            session=metadata["session"],
            adopted=date.fromisoformat(adopted) if adopted else None,
            paragraph=paragraph,
            score=float(score),
            highlight=render(paragraph.text, spans),
            spans=tuple(spans),
            chapeau=chapeau,
            footnotes=stored_footnotes(fields),
            before=tuple(before),
            after=tuple(after),
        )

    def _metadata(self, searcher: Searcher, number: str) -> dict[str, Any]:
        """A resolution's stored metadata (title, session…), cached. Lock held."""
        cached = self._metadata_cache.get(number)
        if cached is None:
            stored = _stored_resolution(searcher, number)
            cached = stored["resolution"] if stored else {"title": "", "session": 0}
            if len(self._metadata_cache) > 4096:
                self._metadata_cache.clear()
            self._metadata_cache[number] = cached
        return cached

    def _facet_counter(self, main: q.Query, filter_query: q.Query | None
                       ) -> Callable[[str], dict[Any, int]]:
        """How Results.facets counts one facet of the matches: the matches
        are found once (while the index on disk stays the same), a facet's
        column is read only when that facet is asked for."""
        found: list = [None, []]  # the searcher they were found with, the matches of each segment

        def count(name: str) -> dict[Any, int]:
            with self._lock:
                searcher = self._current()
                if found[0] is not searcher:
                    found[:] = [searcher, [live_ids(leaf, main, filter_query)
                                           for leaf, _offset in searcher.leaf_searchers()]]
                counts: Counter = Counter()
                for (leaf, _offset), ids in zip(searcher.leaf_searchers(), found[1], strict=True):
                    counts.update(values_of(leaf.reader(), FACETS[name], ids))
                return dict(sorted(((k, v) for k, v in counts.items() if k is not None),
                                   key=lambda kv: (-kv[1], str(kv[0]))))

        return count

    def _facets(self, main: q.Query, filter_query: q.Query | None) -> dict[str, dict[Any, int]]:
        """Every facet of the matches (found once for all of them)."""
        count = self._facet_counter(main, filter_query)
        return {name: count(name) for name in FACETS}

    def _suggest(self, query: str, compiled: CompiledQuery, searcher: Searcher) -> str | None:
        """The query with unknown words replaced by the closest indexed words."""
        corrected = query
        changed = False
        reader = searcher.reader()
        for word in compiled.words:
            if any(ch in word for ch in "*?/") or word.isdigit() or len(word) > MAX_SUGGEST_CHARS:
                continue  # a very long "word" would make the spelling automaton crawl
            folded = fold_keyword(word.strip("'’"))
            if not folded or reader.doc_frequency("exact", folded) > 0:
                continue
            if " " in folded or "-" in folded:
                continue
            options = searcher.suggest("exact", folded, limit=1, maxdist=2, prefix=1)
            if options:
                corrected = corrected.replace(word, self._surface(options[0], searcher), 1)
                changed = True
        return corrected if changed and corrected != query else None

    @staticmethod
    def _surface(term: str, searcher: Searcher) -> str:
        """The word as printed (accents back) for an exact-field term."""
        from resosearch.analysis import exact_analyzer

        for fields in searcher.search(q.Term("exact", term), limit=1, terms=False):
            text = stored_paragraph(fields).text
            for token in exact_analyzer()(text, chars=True, mode="index"):
                if token.text == term:
                    original = text[token.startchar:token.endchar]
                    return original.lower() if not original.isupper() else original
        return term

    # -- drafting tools (resosearch.similar, .citations, .timeline) --------------

    def similar(self, text: str, limit: int = 10, **options: Any) -> Similar:
        """The indexed paragraphs closest to the draft paragraph ``text``, with a
        similarity in [0, 1] and a word-level diff; see :mod:`resosearch.similar`
        (options: ``min_similarity``, ``resolution``, ``kind``, ``session``, ``years``)."""
        from resosearch.similar import find_similar

        return find_similar(self, text, limit, **options)

    def cites(self, number: str) -> Cites:
        """What resolution ``number`` cites, paragraph by paragraph (see :mod:`resosearch.citations`)."""
        from resosearch.citations import cites

        return cites(self, number)

    def cited_by(self, number: str) -> CitedBy:
        """The indexed paragraphs citing resolution ``number`` (see :mod:`resosearch.citations`)."""
        from resosearch.citations import cited_by

        return cited_by(self, number)

    def timeline(self, query: str, **filters: Any) -> Timeline:
        """Paragraphs matching ``query`` counted by year and session, with the first
        and last occurrence (see :mod:`resosearch.timeline`; filters as :meth:`search`)."""
        from resosearch.timeline import timeline

        return timeline(self, query, **filters)


def _number_order(number: str) -> tuple[int, int, str]:
    session, _, rest = number.partition("/")
    digits = "".join(ch for ch in rest if ch.isdigit())
    return (int(session) if session.isdigit() else 0, int(digits) if digits else 0, number)


# How far back a sub-paragraph's chapeau is looked for before asking the index.
CHAPEAU_REACH = 64


def _resolution_document(searcher: Searcher, number: str) -> int | None:
    """The document number of resolution ``number``'s own document, or None.

    Read from the key's postings in each segment (an earlier version of the
    resolution, replaced by `add`, is a deleted document): Whoosh's
    ``document(key=…)`` runs a whole search for it, several times slower,
    and every hit of a new resolution asks."""
    btext = searcher.schema["key"].to_bytes(resolution_key(number))
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        if ("key", btext) not in reader:
            continue
        for docnum in reader.postings("key", btext).all_ids():
            if not reader.is_deleted(docnum):
                return docnum + offset
    return None


def _stored_resolution(searcher: Searcher, number: str) -> dict[str, Any] | None:
    """The stored fields of resolution ``number``'s own document, or None."""
    docnum = _resolution_document(searcher, number)
    return None if docnum is None else searcher.stored_fields(docnum)


def _chapeau(searcher: Searcher, docnum: int, number: str, parent_ref: str) -> str | None:
    """The text of the paragraph ``parent_ref`` of resolution ``number``.

    A resolution's paragraphs are indexed one after another, in order, so
    the chapeau is a few documents before its sub-paragraph: read those
    rather than intersect two posting lists.
    """
    reader = searcher.reader()
    for candidate in range(docnum - 1, max(-1, docnum - 1 - CHAPEAU_REACH), -1):
        if reader.is_deleted(candidate):
            break  # an earlier version of the resolution, replaced by `add`
        fields = searcher.stored_fields(candidate)
        if fields.get("number") != number:
            break
        if fields.get("ref") == parent_ref:
            return stored_paragraph(fields).text
    parent = searcher.document(number=number, ref=parent_ref)
    return stored_paragraph(parent).text if parent else None


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return info.st_ino, info.st_dev


def _scores_for(searcher: Searcher, query: q.Query, docnums: list[int]) -> dict[int, float]:
    """``query``'s score for each of ``docnums`` that it matches, skipping
    straight to them rather than scoring every match."""
    scores = rank.scores_for(searcher, query, docnums)
    if scores is not None:
        return scores
    matcher = query.matcher(searcher, searcher.context())
    scores: dict[int, float] = {}
    for docnum in sorted(docnums):
        if not matcher.is_active():
            break
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                break
        if matcher.id() == docnum:
            scores[docnum] = matcher.score()
    return scores


class Matching(NamedTuple):
    """What :meth:`Index.matching` yields."""

    searcher: Searcher
    compiled: CompiledQuery
    main: q.Query | None
    filter_query: q.Query | None


def _notice(query: str, compiled: CompiledQuery) -> str:
    if not query.strip():
        return "empty query: type some words, a \"phrase\" or a field such as session:68"
    if compiled.dropped:
        words = ", ".join(compiled.dropped)
        return (f"only stop words ({words}): add a meaningful word, or put the words "
                "in quotes to search them as an exact phrase")
    return "nothing to search for in this query"


def open_index(index_dir: PathLike | None = None) -> Index:
    """Open the index at ``index_dir`` (default: ``$RESOSEARCH_INDEX``, else ``./index``).

    The default index is built from the bundled corpus the first time it is
    opened; an explicit folder must already hold an index.
    """
    folder = store.resolve_index_dir(index_dir)
    if not store.is_index(folder):
        if index_dir is None:
            build_index(None, folder)
        else:
            raise IndexStateError(
                f"no resosearch index at {folder}; run `resosearch build --index {folder}`"
            )
    return Index(folder)
