"""Hostile queries: any string gets results or a QueryError, quickly.

Generated strings mix the query syntax's sharp edges — unbalanced quotes and
parentheses, stray operators, unknown fields, control characters, stop words
alone, a lone ``*``, wildcards that match most of the vocabulary, fuzzy
terms, ranges — with arbitrary text. Each search is timed; the bound is the
issue's: under a second on the seed index. Prefix, wildcard and fuzzy
expansion are capped (MAX_EXPANSION terms, MAX_SCAN scanned).
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import query as q

from resosearch.errors import QueryError
from resosearch.query import MAX_EXPANSION, MAX_QUERY_CHARS, _flat_sum, compile_query

BOUND = 1.0  # seconds per query, the bound on the seed index

PIECES = [
    '"', '"', "(", ")", "((", "))", "AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "-", "+", "--",
    "*", "**", "?", "*?*", "~", "~2", "~9", "^", "^3", ":", "::", "text:", "title:", "notes:",
    "session:", "year:", "kind:", "verb:", "ref:", "cites:", "number:", "resolution:",
    "inconnu:", "http://example.org", "[", "]", "{", "}", "TO", "[2010 TO 2015]", "year:[",
    "session:>68", "year:<=", "le", "la", "de", "des", "les", "et", "à", "l'", "d’", "qu'",
    "coopération", "coop*", "dév*", "d*", "*e", "a*", "*", "?", "Sud-Sud", "triangulaire~2",
    "développement~1", "68/230", "A/RES/68/230", "57/263 B", "OP1", "PP3", "OP1(a)(ii)",
    "\x00", "\x1b[31m", "\t", "\n", "\r", "\u200b", "\ufeff", "\u202e", "“", "”", "„", "«", "»",
    "😀", "ﬁ", "İ", "ß", "\\", "/", "'", "`", "$(rm -rf /)", "__import__('os')", "{0}", "%s",
    "<script>", "&amp;", "0", "-1", "99999999999999999999", "1e309", "NaN", " ", "  ",
]

queries = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=12).map(" ".join),
    st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
    st.text(max_size=200),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=10).map(" ".join),
)


OUTCOMES: dict[str, int] = {"results": 0, "no hits": 0, "QueryError": 0}


def _ask(index, text: str) -> float:
    start = time.perf_counter()
    try:
        results = index.search(text, limit=10)
        results.to_dict()  # what the CLI prints with --json, facets included
        for hit in results.hits:
            assert isinstance(hit.highlight, str)
        OUTCOMES["results" if results.total else "no hits"] += 1
    except QueryError as error:
        assert str(error)  # a message the user can act on
        OUTCOMES["QueryError"] += 1
    return time.perf_counter() - start


TIMES: list[float] = []


@settings(max_examples=600, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(text=queries)
def test_generated_queries_answer_or_raise_query_error(seed_index, text):
    elapsed = _ask(seed_index, text)
    TIMES.append(elapsed)
    assert elapsed < BOUND, f"{text!r} took {elapsed:.2f} s"


@pytest.mark.parametrize("text", [
    "", " ", '"', '""', '"""', "(", ")", ")(", "((((((((((", "AND", "OR", "NOT", "NOT NOT",
    "-", "+", "*", "**", "?", "*?", "~", "le la les de des", '"le la"', "inconnu:x", "title:",
    ":", "a" * MAX_QUERY_CHARS, "a" * (MAX_QUERY_CHARS + 1), "a" * 4990 + "~2", "é" * 200 + "~1",
    '"' + "a " * 2490 + '"', "(a" * 1000 + ")" * 1000, "a" * 199 + "*", "x " * 2499, "(" * 2000 + ")" * 2000,
    "coopération~2 " * 50, "*e* *a* *i* *o* *u*", "a* b* c* d* e* f* g* h* i* j*",
    '"' + "coopération " * 400 + '"', "\x00\x01\x02", "year:[1900 TO 2100]",
    "year:[a TO b]", "session:abc", "kind:xyz", "68/230~2", "*/*", "ref:*",
])
def test_edge_queries(seed_index, text):
    elapsed = _ask(seed_index, text)
    assert elapsed < BOUND, f"{text[:40]!r}… took {elapsed:.2f} s"


def test_huge_query_is_refused_quickly(seed_index):
    for size in (MAX_QUERY_CHARS + 1, 100_000, 5_000_000):
        start = time.perf_counter()
        with pytest.raises(QueryError, match="limit"):
            seed_index.search("coopération " * (size // 12 + 1))
        assert time.perf_counter() - start < BOUND


def _leaf_terms(node: q.Query) -> int:
    return sum(1 for leaf in node.leaves() if isinstance(leaf, q.Term))


@pytest.mark.parametrize("text", ["*e", "d*", "a*", "*", "?*", "*a*", "de~2", "coopération~2",
                                  "développement~2", "e~2"])
def test_expansions_are_capped(seed_index, text):
    with seed_index._lock:
        reader = seed_index._current().reader()
        compiled = compile_query(text, reader)
    if compiled.every:
        return  # a lone * means every paragraph: no expansion at all
    assert _leaf_terms(compiled.query) <= MAX_EXPANSION


def test_wide_wildcard_reaches_the_cap(seed_index):
    """`*e` matches more than MAX_EXPANSION words of the seed index: the cap is what stops it."""
    with seed_index._lock:
        reader = seed_index._current().reader()
        compiled = compile_query("*e", reader)
        words = [t.decode() if isinstance(t, bytes) else t for t in reader.lexicon("exact")]
    assert sum(1 for w in words if w.endswith("e")) > MAX_EXPANSION
    assert _leaf_terms(compiled.query) == MAX_EXPANSION


def test_report_timings():
    """Runs after the generated queries (file order): prints what they took."""
    if TIMES:
        worst = max(TIMES)
        print(f"{len(TIMES)} generated queries; slowest {worst:.3f} s, "
              f"mean {sum(TIMES) / len(TIMES):.4f} s; all queries: {OUTCOMES}")


def test_a_tree_of_ors_flattens_to_its_terms_with_their_boosts_multiplied():
    tree = q.Or([q.Term("text", "a"), q.Or([q.Term("notes", "b", boost=2.0),
                                           q.Term("pairs", "c d")], boost=0.5)])
    assert _flat_sum(tree) == [q.Term("text", "a"), q.Term("notes", "b", boost=1.0),
                               q.Term("pairs", "c d", boost=0.5)]
    assert [t.boost for t in _flat_sum(tree)] == [1.0, 1.0, 0.5]
    assert _flat_sum(q.Or([q.Term("text", "a"), q.Phrase("exact", ["b", "c"])])) is None
