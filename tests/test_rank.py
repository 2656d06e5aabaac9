"""rank.py and count.py against Whoosh's own matchers, on the real seed index.

The fast paths score posting blocks in bulk and count with sets; every
query here is also run through Whoosh's exhaustive collector, and the two
must agree on the total, the order of the best 50 and their scores.
"""

from __future__ import annotations

import shutil
from array import array
from itertools import combinations

import pytest
from helpers import write_corpus
from hypothesis import given
from hypothesis import strategies as st
from whoosh import collectors, sorting
from whoosh import query as q

from resosearch import bounded, build, chronology, columns, postings, rank
from resosearch.analysis import exact_terms
from resosearch.count import count, needs_positions
from resosearch.filters import filter_queries
from resosearch.pairs import covering
from resosearch.postings import LeafMatcher
from resosearch.schema import stored_footnotes, stored_paragraph
from resosearch.scoring import TermScoring
from resosearch.search import FACETS, Index

QUERIES = [
    "coopération",
    "cooperation triangulaire",
    "Sud-Sud",
    '"coopération Sud-Sud"',
    '"mise en œuvre de la"',
    '"renforcement des capacités"~3',
    "développement OR pauvreté",
    "coopération -triangulaire",
    "coopé*",
    "cooperaton~",
    "64/222",
    "A/RES/64/222",
    "Nairobi",
    "notes:rapport",
    "kind:operative prie",
    "verb:prie secrétaire",
    "session:64 coopération",
    "year:[2009 TO 2017] développement",
    "cites:64/222",
    "title:coopération",
    '"Nations Unies"^2 développement',
]


def whoosh_answer(searcher, main, filter_query, window=50):
    collector = collectors.TopCollector(window, usequality=False, replace=0)
    if filter_query is not None:
        collector = collectors.FilterCollector(collector, allow=filter_query)
    searcher.search_with_collector(main, collector)
    results = collector.results()
    return len(results), [(hit.score, hit.docnum) for hit in results]


def assert_same(index: Index, query: str, filters=(), window: int = 50) -> int:
    with index.matching(query, list(filters)) as (searcher, _compiled, main, filter_query):
        assert main is not None, query
        expected_total, expected = whoosh_answer(searcher, main, filter_query, window)
        fast = rank.best(searcher, main, filter_query, window)
        if fast is not None:
            total, ranked = fast
            assert total == expected_total, query
            assert [d for _, d in ranked] == [d for _, d in expected], query
            assert [s for s, _ in ranked] == pytest.approx([s for s, _ in expected], rel=1e-12), query
        if not needs_positions(main):
            assert count(searcher, main, filter_query) == expected_total, query
        return expected_total


@pytest.mark.parametrize("query", QUERIES)
def test_bulk_ranking_and_counting_agree_with_whoosh(seed_index, query):
    assert assert_same(seed_index, query) > 0


def test_filters_agree_with_whoosh(seed_index):
    filters = filter_queries(None, (2009, 2017), "operative", None, None)
    assert assert_same(seed_index, "coopération", filters) > 0
    filters = filter_queries([64, 68], None, None, "prie", ["68/230", "64/1"])
    assert assert_same(seed_index, "secrétaire général", filters) > 0


NEGATED_QUERIES = ["coopération -triangulaire", "-triangulaire", "coopération NOT Nairobi",
                   'développement -"coopération Sud-Sud" -Nairobi', "Nairobi OR -coopération",
                   "(coopération -triangulaire) OR Marrakech", "kind:operative -prie"]


@pytest.mark.parametrize("query", NEGATED_QUERIES)
def test_negations_are_ranked_in_bulk_as_whoosh_ranks_them(seed_index, query):
    """Whoosh adds 1.0 for each negation a document passes; so must we."""
    with seed_index.matching(query, []) as (searcher, _c, main, fq):
        assert rank.best(searcher, main, fq, 10) is not None
    assert assert_same(seed_index, query) > 0


def test_phrases_are_ranked_in_bulk(seed_index):
    with seed_index.matching('"coopération Sud-Sud" développement', []) as (searcher, _c, main, fq):
        assert needs_positions(main)
        assert rank.best(searcher, main, fq, 10) is not None


def test_several_segments_and_deleted_documents(tmp_path, seed_index_dir):
    """After `add` (a second segment, the replaced paragraphs deleted in the
    first) the totals must not count deleted paragraphs."""
    folder = tmp_path / "index"
    shutil.copytree(seed_index_dir, folder)
    seeds = sorted(p for p in build.bundled_paths())
    build.add([seeds[0]], folder)
    with Index(folder) as index:
        with index.matching("coopération", []) as (searcher, _c, _m, _f):
            assert len(searcher.leaf_searchers()) == 2
            assert searcher.reader().has_deletions()
        for query in ("coopération", '"coopération Sud-Sud"', "session:64 coopération"):
            assert_same(index, query)
        before = index.search("coopération").total
    with Index(seed_index_dir) as original:
        assert original.search("coopération").total == before


BOUNDED_QUERIES = ["développement", "nations", '"nations unies"', "rapport", "prie",
                   "secrétaire", "conférence", "dével*", "developement~",
                   "kind:operative développement", "kind:preambular nations"]


@pytest.mark.parametrize("query", BOUNDED_QUERIES)
def test_bounded_ranking_agrees_with_whoosh(archive_index, query, monkeypatch):
    monkeypatch.setattr(bounded, "BOUNDED_MIN_POSTINGS", 0)  # every list, even one block
    read = []
    original = LeafMatcher.read_block_at
    monkeypatch.setattr(LeafMatcher, "read_block_at",
                        lambda self, position: read.append(position) or original(self, position))
    with archive_index.matching(query, []) as (searcher, _c, main, _f):
        assert searcher.reader().has_deletions()
        assert len(searcher.leaf_searchers()) == 3
        assert bounded.filtered_sum(main, searcher.schema) is not None
    assert assert_same(archive_index, query) > 0
    assert read  # the bounded path ran
    read.clear()  # and with the search's own filters
    filters = filter_queries(None, (1946, 1990), None, None, None)
    assert assert_same(archive_index, query, filters) > 0
    assert read


def test_bounded_ranking_scores_fewer_than_half_the_matches_of_a_common_word(archive_index,
                                                                            monkeypatch):
    scored = []
    original = TermScoring.scores
    monkeypatch.setattr(TermScoring, "scores",
                        lambda self, ids, weights: scored.append(len(ids)) or
                        original(self, ids, weights))
    # The best 3 of some 1,900 matches: most blocks' best posting is below them.
    # (The same holds for the best 50 of an archive's tens of thousands.)
    total = assert_same(archive_index, "développement", window=3)
    scored.clear()
    with archive_index.matching("développement", []) as (searcher, _c, main, _f):
        assert rank.best(searcher, main, None, 3)[0] == total
    assert total > 1500
    assert 0 < sum(scored) < total / 2


def test_phrases_read_alternatives_holding_the_same_postings_once_and_the_others_whole(tmp_path):
    """A phrase's alternatives at one position are checked on each one's
    pairs. ``cooperation sud`` and ``cooperation sudsud`` hold the same
    postings where Sud-Sud is always hyphenated, and are read once; a symbol
    written in full (``A/RES/64/222``, also indexed as ``64/222``) or not
    gives two pairs with different postings, and each is read."""
    docs = tmp_path / "docs"
    files = write_corpus(docs, copies=3)
    for path in files:  # the symbol in full in two of the three copies
        if path.name.endswith(("-000.txt", "-001.txt")):
            path.write_text(path.read_text(encoding="utf-8").replace(
                "résolution [64/222](#)", "résolution A/RES/64/222"), encoding="utf-8")
    build.build_index([docs], tmp_path / "index")
    with Index(tmp_path / "index") as index, index.reading() as searcher:
        def matchers(*pairs: str) -> list:
            return [postings.raw_postings(searcher.reader(), "pairs", pair.encode())
                    for pair in pairs]

        def documents(matcher) -> list[tuple[int, bytes]]:
            return [(docnum, bytes(value)) for ids, _weights, values
                    in postings.blocks(matcher, values=True)
                    for docnum, value in zip(ids, values, strict=True)]

        first, joined = matchers("cooperation sud", "cooperation sudsud")
        assert first.stored_bytes() == joined.stored_bytes()
        groups = [{"cooperation"}, {"sud", "sudsud"}, {"sud"}]
        assert index.search('"coopération Sud-Sud"').total == _count_holding(index, groups) \
            == 3 * 71  # 71 paragraphs a copy
        # In 4 and 9 paragraphs (the first's postings inlined in its term info).
        full, short = map(documents, matchers("resolution a/res/64/222", "resolution 64/222"))
        assert (len(full), len(short)) == (4, 9)
        groups = [{"sa"}, {"resolution"}, {"a/res/64/222", "64/222"}, {"du"}]
        # Three paragraphs a copy, in full in four of the nine (reading
        # only the first pair would find those four).
        assert index.search('"sa résolution A/RES/64/222 du"').total \
            == _count_holding(index, groups) == 9


def _count_holding(index: Index, groups: list[set[str]]) -> int:
    """The paragraphs holding ``groups`` at consecutive positions, in their
    text or their footnotes, read word by word."""
    return sum(_holds(_positions(text), groups) or _holds(_positions(notes), groups)
               for text, notes in _paragraph_texts(index))


def _paragraph_texts(index: Index) -> list[tuple[str, str]]:
    """Each live paragraph's text and its footnotes' text, as stored."""
    found = []
    with index.reading() as searcher:
        reader = searcher.reader()
        for docnum, stored in reader.iter_docs():
            if "paragraph" in stored and not reader.is_deleted(docnum):
                notes = "\n".join(note.text for note in stored_footnotes(stored))
                found.append((stored_paragraph(stored).text, notes))
    return found


def _holds(terms_at: dict[int, set[str]], groups: list[set[str]]) -> bool:
    return any(all(group & terms_at.get(start + k, set()) for k, group in enumerate(groups))
               for start in terms_at)


def _positions(text: str) -> dict[int, set[str]]:
    terms_at: dict[int, set[str]] = {}
    for term, pos in exact_terms(text):
        terms_at.setdefault(pos, set()).add(term)
    return terms_at


def test_long_phrases_match_exactly_the_paragraphs_holding_their_words_in_order(archive_index):
    """Phrases of 3 to 6 words are checked on a covering subset of their word
    pairs: compared here with every paragraph of the archive read word by word."""
    import random

    read = _paragraph_texts(archive_index)
    paragraphs = [(_positions(text), _positions(notes)) for text, notes in read]
    texts = [text for text, _notes in read]
    rng = random.Random(11)
    phrases: list[list[str]] = []
    while len(phrases) < 48:
        words = rng.choice(texts).split()
        size = rng.randint(3, 6)
        if len(words) < size:
            continue
        start = rng.randrange(len(words) - size + 1)
        chosen = [w.strip(",.;:()«»") for w in words[start:start + size]]
        if not all(w.isalpha() for w in chosen):
            continue
        phrases.append(chosen)
        phrases.append(chosen[::-1])  # the same words out of order: rarely a match
    matched = 0
    for words in phrases:
        phrase = " ".join(words)
        groups: dict[int, set[str]] = {}
        for term, pos in exact_terms(phrase):
            groups.setdefault(pos, set()).add(term)
        wanted = [groups[pos] for pos in sorted(groups)]
        expected = sum(1 for text_at, notes_at in paragraphs
                       if _holds(text_at, wanted) or _holds(notes_at, wanted))
        assert archive_index.search(f'"{phrase}"').total == expected, phrase
        matched += expected > 0
    assert matched >= 24  # every phrase taken from a paragraph is found


def test_a_long_phrase_reads_its_rarest_covering_pairs_rarest_first():
    """``pays en développement du programme``: the first and last pairs always,
    and of the two in the middle the one in fewer paragraphs; the rarest is
    read first (paragraph counts from the archive-sized benchmark index)."""
    pairs = [["pays en"], ["en developpement"], ["developpement du"], ["du programme"]]
    paragraphs = {"pays en": 114_718, "en developpement": 117_682, "developpement du": 6_896,
                  "du programme": 54_469}

    def cost(group: list[str]) -> int:
        return sum(paragraphs[term] for term in group)

    assert covering(pairs, cost) == [(2, ["developpement du"]), (3, ["du programme"]),
                                     (0, ["pays en"])]
    paragraphs["en developpement"] = 10
    assert [offset for offset, _group in covering(pairs, cost)] == [1, 3, 0]


@given(st.lists(st.integers(0, 1000), min_size=1, max_size=9))
def test_a_phrases_covering_holds_every_word_at_the_least_cost(costs):
    """Against every subset of the pairs: each word is in a chosen pair, and
    no subset that covers every word costs less."""
    pairs = [[str(offset)] for offset in range(len(costs))]
    chosen = {offset for offset, _group in covering(pairs, lambda group: costs[int(group[0])])}

    def covers(subset) -> bool:
        return all(word - 1 in subset or word in subset for word in range(len(costs) + 1))

    assert covers(chosen)
    cheapest = min(sum(costs[offset] for offset in subset)
                   for size in range(1, len(costs) + 1)
                   for subset in combinations(range(len(costs)), size) if covers(set(subset)))
    assert sum(costs[offset] for offset in chosen) == cheapest


def whoosh_by_date(searcher, main, filter_query, newest_first: bool, wanted: int):
    """Whoosh's own sorted search, on the keys Index.search sorts on."""
    sortedby = [sorting.FieldFacet("adopted", reverse=newest_first),
                sorting.FieldFacet("number"), sorting.FieldFacet("order")]
    results = searcher.search(main, limit=wanted, filter=filter_query, sortedby=sortedby,
                              terms=False)
    return len(results), [hit.docnum for hit in results]


@pytest.mark.parametrize("query", ["développement", '"nations unies"', "kind:operative prie",
                                   "conférence -nations", "dével*", '"pays en développement"~3'])
def test_date_order_is_whooshs(archive_index, query):
    filters = filter_queries(None, (1950, 2015), None, None, None)
    for active in ([], filters):
        with archive_index.matching(query, active) as (searcher, _c, main, filter_query):
            for newest_first in (True, False):
                for wanted in (1, 10, 300):
                    expected = whoosh_by_date(searcher, main, filter_query, newest_first, wanted)
                    assert expected[0] > 0, query
                    assert chronology.by_date(searcher, main, filter_query, newest_first,
                                              wanted) == expected, (query, newest_first, wanted)


@pytest.mark.parametrize("query", ["Nairobi", "kind:operative prie", "conférence -nations"])
def test_a_segments_first_date_order_sorts_the_matches_own_keys_as_whoosh(archive_index, query):
    """The first date order asked of a segment, for less than half of its
    documents, sorts the matches on their own keys (no segment order made)."""
    for newest_first in (True, False):
        for wanted in (10, 300):
            with Index(archive_index.path) as fresh:  # its own segment readers
                with fresh.matching(query, []) as (searcher, _c, main, filter_query):
                    expected = whoosh_by_date(searcher, main, filter_query, newest_first, wanted)
                    assert expected[0] > 0, query
                    found = chronology.by_date(searcher, main, filter_query, newest_first, wanted)
                    assert found == expected, (query, newest_first, wanted)
                    readers = [leaf.reader() for leaf, _offset in searcher.leaf_searchers()]
                    assert not any(columns.is_kept(reader, "date order") for reader in readers)
                    # The next ask puts the segments in order, and keeps it.
                    again = chronology.by_date(searcher, main, filter_query, newest_first, wanted)
                    assert again == expected
                    assert all(columns.is_kept(reader, "date order") for reader in readers)


@pytest.mark.parametrize("query", ["développement", "kind:operative prie", "conférence -nations",
                                   '"nations unies"~3'])
def test_facets_count_as_whooshs_grouping(archive_index, query):
    facets = FACETS
    for active in ([], filter_queries(None, (1950, 2015), None, None, None)):
        with archive_index.matching(query, active) as (searcher, _c, main, filter_query):
            groupedby = {name: sorting.FieldFacet(field, maptype=sorting.Count)
                         for name, field in facets.items()}
            grouped = searcher.search(main, limit=1, filter=filter_query, groupedby=groupedby)
            expected = {name: {k: v for k, v in grouped.groups(name).items() if k is not None}
                        for name in facets}
        found = archive_index._facets(main, filter_query)
        assert found == expected
        assert sum(found["kind"].values()) > 100


def test_facets_of_a_few_matches_read_only_theirs_and_count_as_whoosh(archive_index):
    """A segment whose column is not read yet gives the values of a few
    matches from their own places in the column (resosearch.columns.values_of)."""
    with Index(archive_index.path) as fresh:  # its own segment readers: no column read
        # The first time only theirs, the second time the whole column (kept).
        for query in ("Nairobi", "verb:prie secrétaire", "verb:prie secrétaire"):
            with fresh.matching(query, []) as (searcher, _c, main, filter_query):
                groupedby = {name: sorting.FieldFacet(field, maptype=sorting.Count)
                             for name, field in FACETS.items()}
                grouped = searcher.search(main, limit=1, groupedby=groupedby)
                expected = {name: {k: v for k, v in grouped.groups(name).items() if k is not None}
                            for name in FACETS}
                readers = [leaf.reader() for leaf, _offset in searcher.leaf_searchers()]
            assert fresh._facets(main, filter_query) == expected, query
            assert sum(expected["resolution"].values()) > 3, query
            kept = [columns._CACHE[reader] for reader in readers]
            assert all(cache["asked once"] == set(FACETS.values()) for cache in kept), query
            read_whole = {field for cache in kept for field in cache
                          if field not in ("asked once", "resolution runs")}
            # (a numeric column, the year, is always read whole: a few C calls)
            assert read_whole == ({"year"} if query == "Nairobi" else set(FACETS.values())), query
            # The number column, read whole, was read by resolution runs.
            assert all(("resolution runs" in cache) == (query != "Nairobi") for cache in kept)


UNION_QUERIES = [("dével*", True), ("con*", False), ("pr*", False),
                 (("developp", "nation", "rapport", "conferent", "pri"), True)]


@pytest.mark.parametrize("query, skips", UNION_QUERIES)
def test_best_without_the_total_is_whooshs_best(archive_index, query, skips, monkeypatch):
    """With exact_total=False a sum of many terms (a prefix's words, the
    stems of a draft in ``similar``) scores only the documents that can
    reach the best (MaxScore); the best are still Whoosh's."""
    scored = []
    original = bounded.best_of_union

    def spy(*args):
        found = original(*args)
        scored.append(None if found is None else len(found))
        return found

    monkeypatch.setattr(rank, "best_of_union", spy)
    for filters in ([], filter_queries(None, (1946, 1990), None, None, None)):
        text = query if isinstance(query, str) else "x"
        with archive_index.matching(text, filters) as (searcher, _c, main, filter_query):
            if not isinstance(query, str):
                main = q.Or([q.Term("text", stem) for stem in query])
            assert len(bounded.summed_terms(main)) >= 3
            every, expected = whoosh_answer(searcher, main, filter_query, 20)
            total, ranked = rank.best(searcher, main, filter_query, 20, exact_total=False)
            assert [d for _, d in ranked] == [d for _, d in expected], query
            assert [s for s, _ in ranked] == pytest.approx([s for s, _ in expected], rel=1e-12)
            assert total < every if skips else total <= every  # the documents scored
    assert any(scored) or not skips


def test_cached_filters_follow_the_index_after_remove(tmp_path, seed_index_dir):
    """kind:'s documents are kept per open segment (count.CACHED_FIELDS),
    deleted ones included: an Index open before a removal must stop
    counting the removed paragraphs."""
    folder = tmp_path / "index"
    shutil.copytree(seed_index_dir, folder)
    with Index(folder) as index:
        before = index.search("kind:operative coopération").total
        removed = index.search("kind:operative coopération", resolution="68/230").total
        assert removed > 0
        build.remove(["68/230"], folder)
        after = assert_same(index, "kind:operative coopération")
        assert after == before - removed
        assert index.search("coopération", kind="operative").total == after


CONSTANT_QUERIES = ["*", "kind:operative", "-développement", "kind:preambular -nations",
                    "session:40 -développement", "session:40 kind:operative",
                    "year:[1950 TO 1990] -rapport -prie"]


@pytest.mark.parametrize("query", CONSTANT_QUERIES)
def test_queries_scoring_a_constant_rank_only_their_first_matches(archive_index, query,
                                                                  monkeypatch):
    """Every match of a filter or a negation scores the same: the best are
    the first (lowest document numbers, as Whoosh breaks ties), and only
    those are scored."""
    scored = []
    original = rank._scores

    def spy(leaf, child, within=None):
        if child == main:
            scored.append(None if within is None else len(within))
        return original(leaf, child, within)

    monkeypatch.setattr(rank, "_scores", spy)
    with archive_index.matching(query, []) as (searcher, _c, main, _f):
        assert rank.is_constant(searcher.schema, main)
    assert assert_same(archive_index, query) > 0
    assert scored and all(size is not None and size <= 50 for size in scored)
    filters = filter_queries(None, (1946, 2000), None, None, None)
    assert assert_same(archive_index, query, filters) > 0


@pytest.mark.parametrize("query", ["*", "kind:operative", "verb:prie", "kind:preambular"])
def test_a_filter_term_alone_is_counted_from_its_term_info(seed_index, query):
    """In a segment without deletions: the term's document count, its first block."""
    with seed_index.matching(query, []) as (searcher, _c, main, _f):
        assert type(main) is q.Term and not searcher.reader().has_deletions()
    assert assert_same(seed_index, query) > 10
    assert assert_same(seed_index, query, window=3) > 10


NEAR_QUERIES = ['"nations unies"~2', '"développement durable"~3', '"pays en développement"~2',
                '"secrétaire général rapport"~4', '"coopération sud"~5',
                '"prie le secrétaire général de"~2']


@pytest.mark.parametrize("query", NEAR_QUERIES)
def test_phrases_with_slop_are_ranked_in_bulk_as_whooshs_span_matcher(archive_index, query,
                                                                      monkeypatch):
    """A phrase with slop matches where Whoosh's SpanNear2 does (the words in
    order, each 1 to slop positions after the one before) and scores what
    it scores; Whoosh's span machinery is never run."""
    def refuse(*_args):
        raise AssertionError("Whoosh's matcher was used")

    with archive_index.matching(query, []) as (searcher, _c, main, _f):
        phrases = [child for child in main.children()] or [main]
        assert all(type(phrase) is q.Phrase and phrase.slop > 1 for phrase in phrases)
    total = assert_same(archive_index, query)
    assert total > 0
    monkeypatch.setattr(rank, "_matched_scores", refuse)
    assert assert_same(archive_index, query) == total
    assert archive_index.search(query).total == total


def test_a_phrase_with_slop_keeps_the_order_of_its_words(archive_index):
    assert archive_index.search('"nations unies"~3').total > 0
    assert assert_same(archive_index, '"unies nations"~3') == 0


def test_date_order_from_the_resolutions_is_every_documents_order(archive_index):
    """Each segment is put in order by resolution (a few thousand keys) when
    its documents lie as resosearch writes them; the places are the ones
    sorting every document gives."""
    with archive_index.reading() as searcher:
        for leaf, _offset in searcher.leaf_searchers():
            order = chronology.SegmentOrder(leaf.reader())
            for newest_first in (True, False):
                by_resolution = order.places_by_resolution(newest_first)
                assert by_resolution is not None
                assert by_resolution == order.places_by_document(newest_first)


def test_date_order_falls_back_when_a_resolution_lies_in_two_places():
    order = object.__new__(chronology.SegmentOrder)
    order.days = array("I", [20100101, 20100101, 20090101, 20100101, 20100101])
    order.numbers = ["65/1", "65/1", "64/9", "65/1", "65/1"]
    order.orders = [0, 1, 0, 0, 1]  # 65/1 twice (added again before a merge)
    order._places = {}
    assert order.places_by_resolution(True) is None
    assert list(order.places(True)) == [0, 2, 4, 1, 3]
    order.days = array("I", [20100101, 20100101, 20090101, 20090101, 0])
    order.numbers = ["65/1", "65/1", "64/9", "64/9", ""]
    order.orders = [0, 1, 0, 1, 0]
    assert list(order.places_by_resolution(False)) == [3, 4, 1, 2, 0]
    assert list(order.places_by_resolution(True)) == [0, 1, 2, 3, 4]
    for newest_first in (True, False):
        assert order.places_by_resolution(newest_first) == order.places_by_document(newest_first)
