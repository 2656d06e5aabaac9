"""conjunction.py ranks and-queries from the segments' term maps (dense.py).

Its answers must be rank.py's to the last bit (rank.py is checked against
Whoosh's own matchers in test_rank.py): the same total, the same best
documents in the same order, the same scores. The archive here is built
with maps for every term in at least 16 paragraphs, so that the 150
generated resolutions exercise what an archive's common words do.
"""

from __future__ import annotations

from array import array

import pytest
from test_rank import whoosh_answer
from whoosh import query as q

from resosearch import conjunction, count, dense, rank
from resosearch.build import add, build_index
from resosearch.filters import filter_queries
from resosearch.postings import blocks, raw_postings
from resosearch.scoring import Leaf
from resosearch.search import Index

AND_QUERIES = [
    "développement note",
    "coopération développement",
    "nations unies développement",
    "coopération sud développement",
    "conférence niveau haut",
    "rapport secrétaire",
    "kind:operative développement",
    "kind:preambular nations",
    "verb:prie secrétaire",
    "session:64 coopération",
    "year:[1970 TO 1990] développement",
    "développement annexe",  # a footnote term ("annexe" is mostly in notes)
    "développement Nairobi",  # a rarer word laid out from its postings
    "développement zzzabsent",  # a word no segment holds: no matches
    # A compound: its joined form and its word pairs, in text and notes, as
    # one sum whose two largest terms hold the same occurrences.
    "Sud-Sud",
    "coopération Sud-Sud",
    "Nord-Sud",  # in fewer than 1 paragraph in 8: ranked here for its two large terms
    # Negations: the documents they let through, each scoring 1.0 more.
    "développement -note",
    "coopération -triangulaire",
    "nations -unies développement",
    "kind:operative coopération -développement -rapport",
    "développement -Sud-Sud",
    # Words or'ed: one flat sum of their terms.
    "coopération OR développement",
    "(coopération OR assistance) développement",
    "développement AND (sud OR nord)",
]


@pytest.fixture(scope="module")
def mapped_index(tmp_path_factory, archive_files):
    """The archive fixture's 150 resolutions with maps for any term of 16
    paragraphs or more (and 1 in 32), in two segments: one built, one
    written by Whoosh's writer (a resolution added again: the first
    segment then has deleted documents)."""
    folder = tmp_path_factory.mktemp("mapped") / "index"
    default = dense.DENSE_MIN_POSTINGS
    dense.DENSE_MIN_POSTINGS = 16
    try:
        build_index(archive_files, folder, workers=1)
        add(archive_files[7:8], folder)
    finally:
        dense.DENSE_MIN_POSTINGS = default
    with Index(folder) as index:
        yield index


def _answers(index: Index, query: str, window: int, filters=()) -> tuple:
    """rank.best's answer with the term maps, without them, and Whoosh's;
    and whether the maps ranked the query (best_of_and answered)."""
    used = []
    original = conjunction.best_of_and

    def spying(*args):
        found = original(*args)
        used.append(found is not None)
        return found
    with index.matching(query, list(filters)) as (searcher, _compiled, main, filter_query):
        rank.best_of_and = spying
        try:
            mapped = rank.best(searcher, main, filter_query, window)
        finally:
            rank.best_of_and = original
        subset = rank.scored_subset
        rank.best_of_and = rank.scored_subset = lambda *args: None
        try:
            read = rank.best(searcher, main, filter_query, window)
        finally:
            rank.best_of_and, rank.scored_subset = original, subset
        whoosh = whoosh_answer(searcher, main, filter_query, window)
    return mapped, read, whoosh, any(used)


@pytest.mark.parametrize("query", AND_QUERIES)
@pytest.mark.parametrize("window", [10, 50])
def test_and_queries_from_term_maps_are_ranks_answers(mapped_index, query, window):
    mapped, read, whoosh, used = _answers(mapped_index, query, window)
    assert used, query  # the maps answered (in at least one segment)
    assert mapped == read, query  # same total, documents, order and scores, to the last bit
    total, best = mapped
    assert total == whoosh[0], query
    assert [docnum for _, docnum in best] == [docnum for _, docnum in whoosh[1]], query
    if query.endswith("zzzabsent"):
        assert total == 0
    else:
        assert total > 0, query


PHRASES = ['"mise en œuvre de la"', '"pays en développement"', '"coopération Sud-Sud"',
           '"de la coopération"', '"nations unies"']


@pytest.mark.parametrize("query", PHRASES)
def test_phrases_found_among_the_term_maps_candidates_are_ranks_answers(mapped_index, query,
                                                                         monkeypatch):
    used = []
    original = conjunction.scored_subset
    monkeypatch.setattr(rank, "scored_subset",
                        lambda *args: used.append(original(*args)) or used[-1])
    mapped, read, whoosh, _used = _answers(mapped_index, query, 50)
    assert mapped == read, query
    assert mapped[0] == whoosh[0] > 0, query
    assert [docnum for _, docnum in mapped[1]] == [docnum for _, docnum in whoosh[1]], query
    if query.count(" ") > 1:  # three words or more: a phrase of pairs
        assert any(found is not None for found in used), query


def test_a_compound_is_one_sum_of_its_terms(mapped_index):
    with mapped_index.matching("Sud-Sud", []) as (_searcher, _compiled, main, _filter):
        assert main == q.Or([
            q.Term("text", "sudsud"), q.Term("pairs", "sud sud"), q.Term("pairs", "sudsud sud"),
            q.Term("notes", "sudsud", boost=0.35), q.Term("notes_pairs", "sud sud", boost=0.35),
            q.Term("notes_pairs", "sudsud sud", boost=0.35)])


def test_words_ored_are_one_sum_of_their_terms(mapped_index):
    with mapped_index.matching("coopération OR (assistance OR Sud-Sud)^2",
                               []) as (_searcher, _compiled, main, _filter):
        assert main == q.Or([
            q.Term("text", "cooper"), q.Term("notes", "cooper", boost=0.35),
            q.Term("text", "assist", boost=2.0), q.Term("notes", "assist", boost=0.7),
            q.Term("text", "sudsud", boost=2.0), q.Term("pairs", "sud sud", boost=2.0),
            q.Term("pairs", "sudsud sud", boost=2.0), q.Term("notes", "sudsud", boost=0.7),
            q.Term("notes_pairs", "sud sud", boost=0.7),
            q.Term("notes_pairs", "sudsud sud", boost=0.7)])


SEARCH_FILTERS = [
    dict(years=(1946, 1990)),
    dict(kind="operative"),
    dict(verb="prie"),
    dict(session=[40, 41, 42, 43, 44, 45]),
    dict(kind="operative", years=(1950, 2000)),
    dict(kind="preambular"),
    dict(resolution=["40/1", "41/7", "55/120"]),
]


@pytest.mark.parametrize("filters", SEARCH_FILTERS, ids=lambda f: ",".join(f))
@pytest.mark.parametrize("query", ["développement note", "coopération", '"nations unies"',
                                   "kind:operative développement"])
def test_a_search_filter_narrows_the_term_maps_matches(mapped_index, query, filters):
    """The search's own filters (``kind=``, ``years=``…) are applied to the
    maps' matches, scoring nothing: the answers of the other paths and
    Whoosh's, with the maps used."""
    for window in (10, 50):
        mapped, read, whoosh, used = _answers(
            mapped_index, query, window, filter_queries(**filters))
        assert mapped == read, (query, filters, window)
        assert mapped[0] == whoosh[0], (query, filters, window)
        assert [d for _s, d in mapped[1]] == [d for _s, d in whoosh[1]], (query, filters)
        if "resolution" not in filters and not (query.startswith("kind:operative")
                                                and filters.get("kind") == "preambular"):
            assert mapped[0] > 10, (query, filters)
    assert used, (query, filters)


def test_common_and_queries_score_few_of_their_matches(mapped_index, monkeypatch):
    scored = []
    original = conjunction._exact
    monkeypatch.setattr(conjunction, "_exact",
                        lambda parts, docnums: scored.append(len(docnums)) or
                        original(parts, docnums))
    monkeypatch.setattr(conjunction, "SCORE_ALL", 0)  # bounds even for a small archive
    mapped, read, _whoosh, used = _answers(mapped_index, "coopération développement", 10)
    assert used and mapped == read
    assert mapped[0] > 1000
    assert 0 < sum(scored) < mapped[0] / 4


@pytest.mark.parametrize("query", ["coopération développement", "kind:operative développement",
                                   "nations unies développement", "développement annexe"])
def test_bounded_selection_gives_the_same_best(mapped_index, monkeypatch, query):
    monkeypatch.setattr(conjunction, "SCORE_ALL", 0)
    for window in (1, 10, 50):
        mapped, read, _whoosh, used = _answers(mapped_index, query, window)
        assert used and mapped[0] == read[0], query
        assert mapped[1] == read[1], (query, window)


def test_maps_hold_each_postings_frequency(mapped_index):
    with mapped_index.reading() as searcher:
        reader = searcher.leaf_searchers()[0][0].reader()
        maps = reader._perdoc.dense_maps()
        assert maps is not None and ("text", b"developp") in maps
        assert ("text", b"zzzabsent") not in maps
        for fieldname, btext in [("text", b"developp"), ("text", b"nation"), ("kind", b"operative")]:
            expected = bytearray(reader.doc_count_all())
            for ids, weights, _values in blocks(raw_postings(reader, fieldname, btext)):
                for docnum, weight in zip(ids, weights, strict=True):
                    expected[docnum] = int(weight)
            found = maps.tf_map(fieldname, btext)
            assert found == bytes(expected[:len(found)])
            assert not any(expected[len(found):])
            assert maps.largest(fieldname, btext) == max(expected)


def test_an_index_without_maps_is_searched_from_postings(tmp_path, archive_files, monkeypatch):
    monkeypatch.setattr(dense, "DENSE_MIN_POSTINGS", 10**9)  # no term is common enough
    build_index(archive_files[:20], tmp_path / "index", workers=1)
    with Index(tmp_path / "index") as index:
        mapped, read, whoosh, used = _answers(index, "coopération développement", 10)
        assert not used
        assert mapped == read and mapped[0] == whoosh[0] > 0


def test_only_whole_frequencies_make_a_map():
    assert dense.tf_map(array("I", [1, 4]), array("f", [2.0, 1.0]), 6) == bytearray(b"\0\2\0\0\1\0")
    assert dense.tf_map(array("I", [1, 4]), array("f", [2.5, 1.0]), 6) is None
    assert dense.tf_map(array("I", [1]), array("f", [300.0]), 6) is None
    assert dense.tf_map(array("I", [1]), array("f", [0.0]), 6) is None


def test_a_phrase_or_a_negation_alone_is_not_this_modules_shape(mapped_index):
    with mapped_index.matching("-note", []) as (searcher, _c, main, _f):
        leaf = Leaf(searcher.leaf_searchers()[0][0], searcher)
        assert conjunction.best_of_and(leaf, main, 10) is None
        assert conjunction.best_of_and(leaf, q.Phrase("exact", ["a", "b"]), 10) is None


def test_similar_drafts_find_the_same_matches_through_the_term_maps(mapped_index, monkeypatch):
    used = []
    original = conjunction.best_of_and
    draft = "Prie le Secrétaire général de lui présenter un rapport sur la coopération Sud-Sud"
    monkeypatch.setattr(rank, "best_of_and",
                        lambda *args: used.append(original(*args)) or used[-1])
    mapped = mapped_index.similar(draft)
    assert any(found is not None for found in used)
    monkeypatch.setattr(rank, "best_of_and", lambda *args: None)
    assert mapped_index.similar(draft) == mapped
    assert len(mapped.matches) == 10


def test_counting_reads_a_common_terms_documents_from_its_map(mapped_index, monkeypatch):
    """Facets, date order and filters count a mapped term's documents from
    its map (C-level over a byte per document), not its posting blocks:
    the same documents, deleted ones included."""
    with mapped_index.reading() as searcher:
        readers = [leaf.reader() for leaf, _offset in searcher.leaf_searchers()]
        assert readers[0].has_deletions()
        terms = [("text", b"developp"), ("text", b"nation"), ("notes", b"annex"),
                 ("pairs", b"nations unies")]
        expected = {}
        for i, reader in enumerate(readers):
            for fieldname, btext in terms:
                ids = set()
                for block_ids, _weights, _values in blocks(raw_postings(reader, fieldname, btext)):
                    ids.update(block_ids)
                expected[i, fieldname, btext] = ids
        mapped = 0
        for i, reader in enumerate(readers):
            maps = reader._perdoc.dense_maps()
            for fieldname, btext in terms:
                if (fieldname, btext) not in maps:
                    continue
                mapped += 1
                with monkeypatch.context() as patch:
                    patch.setattr(count, "raw_postings", lambda *_: pytest.fail("postings read"))
                    assert count._read_ids(reader, fieldname, btext) == expected[i, fieldname, btext]
        assert mapped >= 6


def test_a_filtered_prefix_of_many_terms_is_left_to_block_bounds(mapped_index):
    filters = filter_queries(kind="operative")
    with mapped_index.matching("pr*", filters) as (searcher, _compiled, main, _filter):
        assert len(conjunction.summed_terms(main)) > conjunction.FILTERED_SUM_TERMS
    mapped, read, whoosh, used = _answers(mapped_index, "pr*", 10, filters)
    assert not used
    assert mapped == read and mapped[0] == whoosh[0] > 100


def test_a_term_scored_within_many_documents_reads_its_map(mapped_index, monkeypatch):
    """A mapped term scored among many candidates (the other part of an
    And, a word after a phrase) takes its frequencies from its map: the
    same scores, to the last bit, in the same order, as from its postings."""
    from resosearch import scoring

    def no_postings(*_args, **_kwargs):
        pytest.fail("postings read")

    with mapped_index.reading() as searcher:
        checked = 0
        for leaf, _offset in searcher.leaf_searchers():
            part = Leaf(leaf, searcher)
            size = leaf.reader().doc_count_all()
            maps = leaf.reader()._perdoc.dense_maps()
            within = list(range(0, size, 3))
            if len(within) < scoring.MAP_WITHIN:
                continue  # the segment written by `add`: one resolution
            for term in [q.Term("text", "developp"), q.Term("notes", "annex", boost=0.35),
                         q.Term("pairs", "nations unies"), q.Term("text", "nairobi")]:
                if (term.fieldname, term.text.encode()) not in maps:
                    continue
                with monkeypatch.context() as patch:
                    patch.setattr(scoring, "MAP_WITHIN", 10**9)
                    expected = scoring.term_scores(part, term, within)
                with monkeypatch.context() as patch:
                    patch.setattr(scoring, "blocks", no_postings)
                    found = scoring.term_scores(part, term, within)
                checked += 1
                assert found and list(found.items()) == list(expected.items()), term
        assert checked >= 3
