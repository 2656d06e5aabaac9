"""The fast paths of indexing give what the slow, general ones give.

Indexing scans each paragraph once without token objects
(``tokenize.scan_words``), pairs its terms in C (``pairs.pair_columns``)
and finds glued footnote numbers with patterns that do not start with a
lookbehind (``glued._marker_patterns``). Queries and highlights still go
through Whoosh's filter chain, so the two must agree to the position.
"""

from __future__ import annotations

import gc
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resosearch import glued, markup
from resosearch.analysis import _PROBE, _WORDS, exact_columns, exact_terms, word_columns, words
from resosearch.bundled import bundled_paths
from resosearch.pairs import adjacent_pairs, pair_columns
from resosearch.parallel import index_share
from resosearch.parse import parse_file
from resosearch.tokenize import scan_words

TRICKY = [
    _PROBE,
    "",
    "ONU/PNUD l’ONU-Habitat jusqu’à Sud-Sud-Nord-Est aujourd’hui 3,5 A/RES/57/270 B",
    "l'A/RES/1 qu’- d’l’x l’-l’ -- l’ONU/PNUD ONU/FAO-OMS",
    "10\u00a0000 1er 1ère 71ème F.78.II.A.11 COVID-19 x-2030 Sud-2030/1",
    "é\u0301te\u0301 nai\u0308ve ²³ A/66/717/Add. 1 e/res/2014/33",
]


def _chain(text: str) -> list[tuple[str, int]]:
    return [(t.text, t.pos) for t in _WORDS(text, positions=True)]


def _corpus_texts(resolutions) -> list[str]:
    found = []
    for resolution in resolutions:
        found.append(resolution.title)
        found += [p.text for p in resolution.paragraphs]
        found += [n.text for n in resolution.footnotes]
    return found


def test_scan_gives_the_words_and_positions_of_the_filter_chain():
    texts = TRICKY + _corpus_texts(parse_file(path) for path in bundled_paths())
    assert len(texts) > 150
    for text in texts:
        found, positions = scan_words(text)
        assert list(zip(found, positions, strict=True)) == _chain(text), text[:80]


def test_scan_agrees_on_the_generated_archive(archive_files):
    texts = _corpus_texts(parse_file(path) for path in archive_files[:40])
    assert len(texts) > 800
    for text in texts:
        assert list(zip(*scan_words(text), strict=True)) == _chain(text), text[:80]


_PIECES = list("aéEÉœ1 2/.,-'’ʼ‐‑S\u00a0\u202f\u0301¹") + [
    "res", "RES", "A/", "l’", "jusqu’", "Sud-", "ONU/", "57/270 B", " 1er", "ème", "Add. 1"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=20).map("".join))
def test_property_scan_agrees_with_the_chain(text):
    assert list(zip(*scan_words(text), strict=True)) == _chain(text)


def test_words_and_exact_terms_are_the_columns_as_pairs():
    text = "L’Assemblée générale, la coopération Sud-Sud et A/RES/64/222."
    assert words(text) == tuple(zip(*word_columns(text), strict=True))
    assert exact_terms(text) == [
        ("assemblee", 0), ("generale", 1), ("la", 2), ("cooperation", 3), ("sud", 4),
        ("sudsud", 4), ("sud", 5), ("et", 6), ("a/res/64/222", 7), ("64/222", 7)]


@pytest.mark.parametrize("text", TRICKY + ["la coopération Sud-Sud", "un deux trois", "mot"])
def test_pair_columns_give_the_adjacent_pairs(text):
    terms, positions = exact_columns(text)
    pairs, at = pair_columns(terms, positions)
    assert list(zip(pairs, at, strict=True)) == list(adjacent_pairs(zip(terms, positions, strict=True)))


def test_pairs_of_one_term_per_position_and_of_alternatives():
    assert pair_columns(["la", "cooperation", "sud"], [0, 1, 2]) == (
        ["la cooperation", "cooperation sud"], [0, 1])
    assert pair_columns(["la", "sud", "sudsud", "sud"], [0, 1, 1, 2]) == (
        ["la sud", "la sudsud", "sud sud", "sudsud sud"], [0, 0, 1, 1])
    assert pair_columns([], []) == ([], [])


# _find_marker's patterns as first written, each starting with a lookbehind.
def _lookbehind_patterns(digits: str) -> list[str]:
    return [
        rf"(?<=[^\W\d_]|[»”)’])({digits})(?![\w/])",
        rf"(?<![\w/.,])(?:1[89]|20)\d\d({digits})(?![\w/])",
        rf"(?<![\w/.])\d{{1,3}}/\d{{1,3}}({digits})(?![\w/])",
        rf"(?<=[^\W\d_])[^\S\n]+({digits})(?=[^\S\n]*[,;.:)]|[^\S\n]*$)",
    ]


MARKER_TEXTS = [
    "la coopération Sud-Sud2, et 20022 et 63/2332 puis développement 2.",
    "2 au début, Sud »2 (2002) 20212 x2/ 1/22 12/232 a/2332 .2002 2",
    "résolution 2, article 12 ; l’Assemblée 12\nsuivante 12 ; fin12",
    "CO2 G20 H1N1 et ») 3 puis « Agenda 2030 »3 et 1/2 ,20303",
]


@pytest.mark.parametrize("text", MARKER_TEXTS)
@pytest.mark.parametrize("number", [2, 3, 12, 22])
def test_marker_patterns_find_what_the_lookbehind_forms_find(text, number):
    digits = str(number)
    for fast, slow in zip(glued._marker_patterns(digits), _lookbehind_patterns(digits),
                          strict=True):
        for pos in range(len(text)):
            assert [m.span(1) for m in fast.finditer(text[pos:])] == \
                [m.span(1) for m in re.finditer(slow, text[pos:], re.M)]
            assert [m.start() for m in fast.finditer(text[pos:])] == \
                [m.start() for m in re.finditer(slow, text[pos:], re.M)]


# _find_marker as first written: each form searched over the whole rest of
# the text, the earliest first match kept.
def _find_marker_everywhere(text: str, number: int, pos: int):
    digits = str(number)
    best = None
    for kind, pattern in enumerate(glued._marker_patterns(digits)):
        for match in pattern.finditer(text[pos:]):
            start, end = pos + match.start(1), pos + match.end(1)
            if kind == 0 and not glued._glued_ok(text, start):
                continue
            if kind == 2:
                tail = match.group(0).split("/")[1]
                if len(tail) <= 3 or len(tail) - len(digits) < 1:
                    continue
            if kind == 3:
                word = re.search(r"([^\W\d_]+)[^\w\s]*$", text[: pos + match.start()])
                if word and word.group(1).lower() in glued._NUMBER_WORDS:
                    continue
                start = pos + match.start()
            if best is None or start < best[0]:
                best = (start, end)
            break
    return best


MARKER_PIECES = ["Sud-Sud2", "Sud »2", "20022", "63/2332", " 2,", " 2", "  2 ;", "article 2,",
                 "par. 12.", "CO2", "1/22", "2012", "12", "\n", " ", "mot", "É", ",", ".", "’",
                 ")", "/", "3", "22", "des 3;", "x\t 3:", "2030 »3"]


@pytest.mark.parametrize("text", MARKER_TEXTS)
@pytest.mark.parametrize("number", [2, 3, 12, 22])
def test_a_marker_is_found_where_searching_everywhere_finds_it(text, number):
    for pos in range(len(text) + 1):
        assert glued._find_marker(text, number, pos) == _find_marker_everywhere(text, number, pos)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(MARKER_PIECES), max_size=14).map("".join),
       st.sampled_from([2, 3, 12, 22]), st.integers(0, 60))
def test_a_marker_is_found_where_searching_everywhere_finds_it_in_any_text(text, number, pos):
    pos = min(pos, len(text))
    assert glued._find_marker(text, number, pos) == _find_marker_everywhere(text, number, pos)


# Regexes rewritten so that the engine tries fewer positions, as first written.
_CITE_FIRST_WRITTEN = r"(?<![\w/.\-])(\d{1,2})/(\d{1,3})(?:\s?([A-Z])(?![\w/.\-]))?(?![\w/])"
_MARKUP_HINT_FIRST_WRITTEN = r"[#\[\\<^*_⁰¹²³⁴⁵⁶⁷⁸⁹]|-{3}|={3}"
REWRITTEN_TEXTS = [
    "ses résolutions 57/270 B du 23 juin 2003, 60/212 et 62/209; A/57/444, DP/2003/2, 1/CP.21",
    "6/1 12/123 123/12 x1/2 .1/2 -1/2 /1/2 1/2B 1/2 B 1/2 Bc 64/222/1 ²³ ¹ # [a](b) \\* <sup>",
    "--- === -- == _x_ *y* ^e 5^2 a-b ---- a=b",
]


@pytest.mark.parametrize("text", REWRITTEN_TEXTS)
def test_rewritten_regexes_find_what_they_found_as_first_written(text):
    from resosearch.parse import _CITE_RE
    for pos in range(len(text) + 1):
        rest = text[pos:]
        assert [m.groups() + m.span() for m in _CITE_RE.finditer(rest)] == \
            [m.groups() + m.span() for m in re.finditer(_CITE_FIRST_WRITTEN, rest)]
        assert bool(markup._MARKUP_HINT.search(rest)) == bool(re.search(_MARKUP_HINT_FIRST_WRITTEN, rest))


def test_a_building_process_does_not_collect_garbage_while_it_builds(tmp_path):
    states = []
    assert gc.isenabled()
    index_share(tmp_path / "segment", bundled_paths()[:2],
                lambda _path, _skipped: states.append(gc.isenabled()))
    assert states == [False, False]
    assert gc.isenabled()  # and collects again afterwards


def test_a_building_process_leaves_no_garbage_for_a_collector(tmp_path):
    # It runs without the collector, so anything it leaves in a reference
    # cycle (a document's vocabulary, once) would stay until it ends.
    gc.collect()
    gc.disable()
    try:
        index_share(tmp_path / "segment", bundled_paths() * 4, lambda _path, _skipped: None)
        assert gc.collect() == 0
    finally:
        gc.enable()
