"""clean: each stage alone."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resosearch.chars import marker, take_markers, tidy
from resosearch.clean import (
    Line,
    Vocabulary,
    clean,
    detect_layout,
    extract_footnotes,
    join_lines,
    normalize,
    segment,
)
from resosearch.glued import separate_markers
from resosearch.markup import strip_markup


def lines(text: str) -> list[Line]:
    return [Line(i, t) for i, t in enumerate(text.split("\n"), 1)]


def test_normalize() -> None:
    assert normalize("a\r\nb\rc\fd") == "a\nb\nc\nd"
    assert normalize("x\u00a0;\ty\u202f:") == "x ; y :"
    assert normalize("co\u00adopération\ufeff") == "coopération"
    assert normalize("’ œ « » é") == "’ œ « » é"


def test_strip_markup_ordinals_are_not_markers() -> None:
    assert strip_markup("71<sup>e</sup> séance plénière  ") == "71e séance plénière"
    assert strip_markup("*95^e séance plénière").endswith("95e séance plénière")
    assert strip_markup("28 août 2017*") == "28 août 2017"
    assert strip_markup("### 68/230. Coopération Sud-Sud") == "68/230. Coopération Sud-Sud"
    assert strip_markup("sa résolution [64/222](#) du") == "sa résolution 64/222 du"
    assert strip_markup("développement<sup>1</sup>,") == "développement" + marker(1) + ","
    assert strip_markup("Sud-Sud² et 2030⁵") == "Sud-Sud" + marker(2) + " et 2030" + marker(5)
    assert strip_markup("---") == ""


def test_take_markers_spacing() -> None:
    assert take_markers(f"développement {marker(3)}, et") == ("développement, et", (3,))
    assert take_markers(f"Sud {marker(4)} , du") == ("Sud, du", (4,))
    assert take_markers(f"Sud-Sud{marker(4)} ;") == ("Sud-Sud ;", (4,))
    assert take_markers(f"a{marker(2)} b{marker(3)} c{marker(2)}") == ("a b c", (2, 3))
    assert take_markers(" sans\u2003 renvoi \n") == ("sans renvoi", ())


@pytest.mark.parametrize("text", ["  a\t\tb \n c  ", "\u2003x\u3000y\x1cz\u00a0", "", " \n ",
                                  f"a\ue002b {marker(2)} c"])
def test_tidy_collapses_what_the_regex_calls_whitespace(text: str) -> None:
    assert tidy(text) == re.sub(r"\s+", " ", re.sub("[\ue000-\ue00f]", "", text)).strip()


def test_join_lines_hyphens() -> None:
    assert join_lines(["la coopération Sud-", "Sud,"]) == "la coopération Sud-Sud,"
    assert join_lines(["sous-", "régionales"]) == "sous-régionales"
    assert join_lines(["celle-", "ci"]) == "celle-ci"
    assert join_lines(["l'après-", "2015"]) == "l'après-2015"
    assert join_lines(["dévelop-", "pement"]) == "développement"
    assert join_lines(["dévelop-", "pement"], words=frozenset({"développement"})) == "développement"
    assert join_lines(["inter-", "régional"], hyphenated=frozenset({"inter-régional"})) == (
        "inter-régional")
    assert join_lines([" première ligne ", "", "seconde"]) == "première ligne seconde"


def test_extract_pdf_footnote_block_in_mid_paragraph() -> None:
    text = (" 3. Encourage la coopération Sud-Sud\n\n_______________ \n1 A/57/444, annexe. \n"
            "2 Rapport de la Conférence, \n18-22 mars 2002, annexe. \n"
            " et de la coopération triangulaire ;")
    body, notes = extract_footnotes(lines(text))
    assert [(n.number, n.text) for n in notes] == [
        (1, "A/57/444, annexe."), (2, "Rapport de la Conférence, 18-22 mars 2002, annexe.")]
    assert [line.text for line in body if line.text] == [
        " 3. Encourage la coopération Sud-Sud", " et de la coopération triangulaire ;"]
    assert [line.number for line in body] == list(range(1, 8))


def test_extract_pdf_note_with_two_sentences() -> None:
    text = "_____\n1 Première phrase.\nSeconde phrase.\n2 Autre note.\n suite du texte"
    _, notes = extract_footnotes(lines(text))
    assert [n.text for n in notes] == ["Première phrase. Seconde phrase.", "Autre note."]


def test_extract_markdown_footnotes() -> None:
    md = [Line(1, strip_markup("<sup>1</sup> *Rapport*, chap. I.")), Line(2, ""),
          Line(3, strip_markup("³ [A/58/683](#), annexe II.")), Line(4, "suite."),
          Line(5, ""), Line(6, "texte")]
    body, notes = extract_footnotes(md)
    assert [(n.number, n.text) for n in notes] == [
        (1, "Rapport, chap. I."), (3, "A/58/683, annexe II. suite.")]
    assert [line.text for line in body] == ["", "", "", "", "", "texte"]


def test_segment_splits_paragraphs_and_joins_wraps() -> None:
    text = ("64/1. Conférence de haut niveau\nsur la coopération\n\n L’Assemblée générale,\n\n"
            " Rappelant sa résolution, \nsuite du texte,\nNotant aussi,\n 1. Décide :\n"
            " a) Aura lieu ;\n15 e séance plénière\n6 octobre 2009")
    segs = segment(lines(text))
    assert [s.text for s in segs] == [
        "64/1. Conférence de haut niveau sur la coopération",
        "L’Assemblée générale,",
        "Rappelant sa résolution, suite du texte,",
        "Notant aussi,",
        "1. Décide :",
        "a) Aura lieu ;",
        "15 e séance plénière 6 octobre 2009",
    ]
    assert [s.line for s in segs] == [1, 4, 6, 8, 9, 10, 11]


def test_separate_markers_in_order() -> None:
    texts = ["le 19 septembre 20021, dans", "Sud-Sud2", ";", "résolution 63/2333,",
             "du développement 4, et du Sud 5 , du", "l’article 6, puis Sud-Sud6 et Sud-Sud2 et CO2"]
    out = separate_markers(texts, [1, 2, 3, 4, 5, 6])
    m = marker
    assert out == [
        f"le 19 septembre 2002{m(1)}, dans", f"Sud-Sud{m(2)}", ";", f"résolution 63/233{m(3)},",
        f"du développement{m(4)}, et du Sud{m(5)} , du",
        f"l’article 6, puis Sud-Sud{m(6)} et Sud-Sud{m(2)} et CO2",
    ]


def test_separate_markers_leaves_explicit_markers_alone() -> None:
    texts = [f"Sud-Sud{marker(1)} et Sud2"]
    assert separate_markers(texts, [1, 2]) == texts
    assert separate_markers([], [1]) == []


def test_detect_layout() -> None:
    assert detect_layout("# Titre\n*Prie* le") == "markdown"
    assert detect_layout(" 1. Prie le Secrétaire\ngénéral ;") == "pdf"


def test_clean_keeps_line_numbers() -> None:
    cleaned = clean("\n\n1/2. T\n\nL'Assemblée générale,\n\nRappelant x,\n\n1. Décide.\n")
    assert [(s.line, s.text) for s in cleaned.segments] == [
        (3, "1/2. T"), (5, "L'Assemblée générale,"), (7, "Rappelant x,"), (9, "1. Décide.")]
    assert cleaned.layout == "pdf"


def test_pandoc_ordinal_and_text_that_only_looks_like_a_tag():
    from resosearch.chars import ITALIC

    assert strip_markup("*23^e^ séance plénière") == ITALIC + "23e séance plénière"
    assert strip_markup("si x<y & y>z alors") == "si x<y & y>z alors"
    assert strip_markup("un <b>mot</b> en gras") == "un mot en gras"


# What a document's vocabulary holds, as regexes list it: every compound of
# two runs of letters joined by a hyphen (within compounds of any length),
# every run of letters followed by no word character or hyphen.
_COMPOUNDS_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")
_WORDS_RE = re.compile(r"[^\W\d_]+(?![\w-])")


def _listed(text: str) -> tuple[set[str], set[str]]:
    compounds = set()
    for token in _COMPOUNDS_RE.findall(text):
        parts = token.lower().split("-")
        compounds.update(f"{a}-{b}" for a, b in zip(parts, parts[1:], strict=False))
    return compounds, {word.lower() for word in _WORDS_RE.findall(text)}


_VOCABULARY_TEXTS = [
    "la coopération Sud-Sud et sous-régionale\nl’après-2015, x-a-b 1a-b a--b",
    "Développement durable_ développement1 _durable 2030-Agenda celle-ci-là",
    "Inter-régional; INTER-Régional intra-\nrégional é-abc abc- -abc",
]


@pytest.mark.parametrize("text", _VOCABULARY_TEXTS)
def test_vocabulary_holds_the_forms_regexes_list(text: str) -> None:
    vocabulary = Vocabulary(lines(text))
    compounds, words = _listed(text)
    for form in compounds:
        assert form in vocabulary.hyphenated, form
    for form in words:
        assert form in vocabulary.words, form
    # Forms that are nearly there: parts of words, other joinings, digits.
    asked = {w[1:] for w in words} | {w[:-1] for w in words} | {c.replace("-", "") for c in compounds}
    asked |= {"a-b", "b", "abc", "durable", "développement1", "2030-agenda", "ci-là", "celle-là"}
    for form in asked:
        assert (form in vocabulary.words) == (form in words), form
        assert (form in vocabulary.hyphenated) == (form in compounds), form


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["ab", "Cd", "é", "-", "_", "1", " ", "\n", "’", "ab-cd", "x"]),
                max_size=12).map("".join),
       st.lists(st.sampled_from(["ab", "cd", "é", "x", "-", "1"]), min_size=1, max_size=4).map("".join))
def test_vocabulary_agrees_with_the_regexes_on_any_text(text: str, form: str) -> None:
    vocabulary = Vocabulary(lines(text))
    compounds, words = _listed(text)
    assert (form in vocabulary.words) == (form in words)
    assert (form in vocabulary.hyphenated) == (form in compounds)
