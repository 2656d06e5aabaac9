"""The French analyzer finds what people type, on a real Whoosh index."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from unidecode import unidecode
from whoosh import fields, query
from whoosh.index import create_in, open_dir

from resosearch import analysis
from resosearch.analysis import (
    ANALYZER_VERSION,
    analyze,
    analyzer_fingerprint,
    exact_analyzer,
    query_groups,
    question_groups,
    text_analyzer,
)

CORPUS = Path(analysis.__file__).parent / "corpus"
WORD_RE = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")


def corpus_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt")))


def corpus_paragraphs() -> list[str]:
    paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", corpus_text())]
    return [p for p in paras if len(p) > 40]


# Words only: footnote marks such as "³" in "Sud-Sud³" are not letters.
CORPUS_WORDS = sorted(
    {w for w in WORD_RE.findall(corpus_text()) if all(c.isalpha() or c in "'’-" for c in w)}
)

# A few real sentences of the corpus, and near misses written for the tests.
DOCS = {
    "sud-sud": "Soulignant que la coopération Sud-Sud, élément important de la coopération "
    "internationale pour le développement, offre aux pays en développement des possibilités",
    "substituer": "Considérant que c’est aux pays en développement qu’il incombe au premier chef "
    "de promouvoir et de mettre en œuvre la coopération Sud-Sud et que celle-ci ne saurait se "
    "substituer à la coopération Nord-Sud, mais devrait plutôt la compléter",
    "triangulaire": "engage les pays en développement et leurs partenaires à intensifier la "
    "coopération Sud-Sud et les initiatives de coopération triangulaire propres à favoriser",
    "etats": "Prenant note de la Déclaration ministérielle adoptée par les ministres des affaires "
    "étrangères des États Membres du Groupe des 77",
    "sous-regionales": "les organisations régionales et sous-régionales et les institutions "
    "financières, dans le respect du principe de non-ingérence",
    "cadre": "Adopté en vertu de la Convention-cadre des Nations Unies sur les changements "
    "climatiques et paru sous la cote FCCC/CP/2015/10/Add.1, décision 1/CP.21, annexe.",
    "assemblee": "L’Assemblée générale, Rappelant ses résolutions 57/270 B du 23 juin 2003 et "
    "A/RES/64/222 du 21 décembre 2009",
    "res-64-222": "Réaffirmant sa résolution 64/222 du 21 décembre 2009",
    "64-2221": "Le document 64/2221 est un autre numéro.",
    "64-and-222": "Il y a 64 pays et 222 projets, rapport A/68/443/Add.2.",
    "reversed": "celle-ci se saurait ne substituer à rien, dans un ordre différent",
    "money": "d’allouer un montant annuel fixe de 3,5 millions de dollars au Groupe spécial; "
    "la conférence aura lieu du 1er au 3 décembre, à la 71e session",
    "secretaire": "Prend acte du rapport du Secrétaire général sur la sécurité et l’intérêt de "
    "l’humanité, pour le développement",
}


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        text=fields.TEXT(analyzer=text_analyzer(), phrase=True, stored=True),
        exact=fields.TEXT(analyzer=exact_analyzer(), phrase=True),
    )
    # On disk, in a private directory: RamStorage spills to a shared temp name.
    index = create_in(str(tmp_path_factory.mktemp("ix")), schema)
    with index.writer() as w:
        for key, text in DOCS.items():
            w.add_document(id=key, text=text, exact=text)
    return index


def _and_query(field: str, text: str) -> query.Query:
    groups = query_groups(text, exact=field == "exact")
    return query.And([query.Or([query.Term(field, t) for t in g]) for g in groups])


def _phrase_query(text: str) -> query.Query:
    groups = query_groups(text, exact=True)
    return query.Sequence([query.Or([query.Term("exact", t) for t in g]) for g in groups])


def found(ix, text: str, field: str = "text", phrase: bool = False) -> set[str]:
    q = _phrase_query(text) if phrase else _and_query(field, text)
    with ix.searcher() as s:
        return {hit["id"] for hit in s.search(q, limit=None)}


# -- spellings that must find each other --------------------------------------

SAME = [
    ("coopération", "cooperation", "COOPÉRATIONS", "Coopération"),
    ("l'Assemblée", "L’Assemblée", "assemblee", "L'ASSEMBLÉE", "Assemblée"),
    ("œuvre", "oeuvre", "Œuvre", "OEUVRES"),
    ("États", "etats", "État", "ETATS"),
    ("développement", "developpements", "Développements", "developpement"),
    ("Secrétaire", "secretaire", "secrétaires"),
    ("intérêt", "interet", "l’intérêt", "d'interets"),
    ("sécurité", "securite", "Sécurité", "SECURITE"),
    ("humanité", "humanite", "l'humanite"),
    ("régionales", "regionale", "Régional"),
    ("jusqu’à présent", "jusqu'a present"),
    ("qu’il incombe", "qu'il incombe", "incombe"),
    ("lorsqu’elle examine", "puisqu'elle examine", "quoiqu’elle examine"),
]


@pytest.mark.parametrize("spellings", SAME, ids=lambda s: s[0])
def test_spellings_share_their_terms(spellings):
    first = query_groups(spellings[0])
    for other in spellings[1:]:
        groups = query_groups(other)
        assert len(groups) == len(first), (other, groups, first)
        for a, b in zip(first, groups, strict=True):
            assert set(a) & set(b), (spellings[0], other, first, groups)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("coopération triangulaire", {"triangulaire"}),
        ("cooperation triangulaire", {"triangulaire"}),
        ("COOPERATIONS TRIANGULAIRES", {"triangulaire"}),
        ("États Membres", {"etats"}),
        ("etats membres", {"etats"}),
        ("Secretaire general", {"secretaire"}),
        ("securite humanite interet", {"secretaire"}),
        ("assemblee generale", {"assemblee"}),
        ("mettre en oeuvre", {"substituer"}),
    ],
)
def test_typed_without_accents_finds_the_same_paragraphs(ix, typed, expected):
    assert found(ix, typed) == expected


# -- compounds ----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, key",
    [
        ("Sud-Sud", "sud-sud"),
        ("sud sud", "sud-sud"),
        ("sudsud", "sud-sud"),
        ("coopération Sud-Sud", "sud-sud"),
        ("sous-régionales", "sous-regionales"),
        ("sous regionales", "sous-regionales"),
        ("sousregionales", "sous-regionales"),
        ("non-ingérence", "sous-regionales"),
        ("non ingerence", "sous-regionales"),
        ("Convention-cadre", "cadre"),
        ("convention cadre", "cadre"),
    ],
)
def test_compounds_match_with_hyphen_space_or_joined(ix, typed, key):
    assert key in found(ix, typed)


def test_compound_parts_keep_consecutive_positions():
    hyphen = [
        (t.text, t.pos) for t in exact_analyzer()("la coopération Sud-Sud et", positions=True)
    ]
    spaced = [
        (t.text, t.pos) for t in exact_analyzer()("la coopération Sud Sud et", positions=True)
    ]
    assert [x for x in hyphen if x[0] != "sudsud"] == spaced
    assert ("sudsud", 2) in hyphen


def test_alternatives_after_a_compound_share_one_position():
    toks = [
        (t.text, t.pos)
        for t in text_analyzer()("Sud-Sud, Nord-Sud et A/RES/64/222 ici", positions=True)
    ]
    assert ("a/res/64/222", 5) in toks and ("64/222", 5) in toks
    assert ("ici", 6) in toks


def test_compound_phrase_typed_with_a_space(ix):
    assert found(ix, "coopération sud sud et", phrase=True) >= {"substituer", "triangulaire"}


# -- stop words and phrases ---------------------------------------------------


def test_exact_phrase_matches_only_words_in_that_order(ix):
    assert found(ix, "ne saurait se substituer", phrase=True) == {"substituer"}
    assert found(ix, "se saurait ne substituer", phrase=True) == {"reversed"}
    # On the stemmed field the stop words are gone, but positions keep the gaps.
    assert found(ix, "ne saurait se substituer") == {"substituer", "reversed"}


def test_stop_words_are_removed_without_renumbering():
    text = "ne saurait se substituer à la coopération"
    stemmed = {t.text: t.pos for t in text_analyzer()(text, positions=True)}
    exact = {t.text: t.pos for t in exact_analyzer()(text, positions=True)}
    assert "ne" not in stemmed and "se" not in stemmed and "a" not in stemmed
    assert stemmed["saur"] == exact["saurait"] == 1
    assert stemmed["substitu"] == exact["substituer"] == 3
    assert stemmed["cooper"] == exact["cooperation"] == 6


def test_both_analyzers_give_the_same_positions_on_the_corpus():
    for para in corpus_paragraphs():
        stemmed = {
            (t.pos, t.startchar, t.endchar)
            for t in text_analyzer()(para, positions=True, chars=True)
        }
        exact = {
            (t.pos, t.startchar, t.endchar)
            for t in exact_analyzer()(para, positions=True, chars=True)
        }
        assert stemmed <= exact


def test_highlighter_keeps_stop_words_when_asked():
    toks = [(t.text, t.stopped) for t in text_analyzer()("ne saurait", removestops=False)]
    assert toks == [("ne", True), ("saur", False)]


# -- symbols and numbers ------------------------------------------------------


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("64/222", {"assemblee", "res-64-222"}),
        ("A/RES/64/222", {"assemblee", "res-64-222"}),
        ("a/res/64/222", {"assemblee", "res-64-222"}),
        ("64/2221", {"64-2221"}),
        ("57/270", {"assemblee"}),
        ("57/270 B", {"assemblee"}),
        ("A/68/443/Add.2", {"64-and-222"}),
        ("FCCC/CP/2015/10/Add.1", {"cadre"}),
        ("1/CP.21", {"cadre"}),
        ("3,5 millions", {"money"}),
        ("3.5 millions", {"money"}),
        ("1er décembre", {"money"}),
        ("1re", {"money"}),
        ("71e session", {"money"}),
        ("71ème", {"money"}),
    ],
)
def test_symbols_and_numbers_are_units(ix, typed, expected):
    assert found(ix, typed) == expected


@pytest.mark.parametrize(
    "text, terms",
    [
        ("A/RES/68/230", ["a/res/68/230", "68/230"]),
        ("E/RES/2014/33", ["e/res/2014/33", "2014/33"]),
        ("A/68/443/Add.2", ["a/68/443/add.2"]),
        ("A/66/717/Add. 1", ["a/66/717/add.1"]),
        ("FCCC/CP/2015/10/Add.1", ["fccc/cp/2015/10/add.1"]),
        ("DP/2003/2.", ["dp/2003/2"]),
        ("décision 2002/18", ["decis", "2002/18"]),
        ("57/270 B", ["57/270b", "57/270"]),
        ("A/RES/57/270 B", ["a/res/57/270b", "57/270b", "57/270"]),
        ("A/RES/57/270 à", ["a/res/57/270", "57/270"]),
        ("F.78.II.A.11", ["f.78.ii.a.11"]),
        ("3,5 millions", ["3,5", "million"]),
        ("10\u00a0000 dollars", ["10000", "dollar"]),
        ("ONU/PNUD", ["onu", "pnud"]),
    ],
)
def test_symbol_terms(text, terms):
    assert analyze(text) == terms


@pytest.mark.parametrize("a, b", [("64/222", "64/2221"), ("64/222", "64 222"), ("68/230", "A/68/230"),
                                  ("A/68/443/Add.2", "A/68/443/Add.1"), ("3,5", "35")])  # fmt: skip
def test_must_not_find_each_other(a, b):
    assert not set(analyze(a)) & set(analyze(b))


def test_symbol_is_not_its_numbers(ix):
    assert "64-and-222" not in found(ix, "64/222")
    assert found(ix, "64 222") == {"64-and-222"}


# -- offsets, pickling, fingerprint -------------------------------------------


def test_offsets_point_at_the_original_words():
    text = "Soulignant que l’Assemblée, la coopération Sud-Sud et A/RES/64/222"
    for t in text_analyzer()(text, positions=True, chars=True):
        original = text[t.startchar : t.endchar]
        if "/" in original:
            continue
        assert unidecode(original).lower().replace("-", "").startswith(t.text[:3]), (
            t.text,
            original,
        )
    spans = {t.text: text[t.startchar : t.endchar] for t in text_analyzer()(text, chars=True)}
    assert spans["assembl"] == "Assemblée"
    assert spans["sudsud"] == "Sud-Sud"
    assert spans["64/222"] == "A/RES/64/222"


def test_highlight_marks_the_stored_word(ix):
    with ix.searcher() as s:
        hit = s.search(_and_query("text", "cooperation triangulaire"))[0]
        hit.highlights  # noqa: B018 (warms the highlighter)
        hl = hit.highlights("text", text=hit["text"])
    assert "Coopération" in hl or "coopération" in hl
    assert re.search(r'class="match term\d">coopération<', hl)
    assert re.search(r'class="match term\d">triangulaire<', hl)


def test_analyzers_pickle_by_reference_and_index_reopens(tmp_path):
    for an in (text_analyzer(), exact_analyzer()):
        data = pickle.dumps(an)
        assert b"resosearch.analysis" in data and b"resosearch.tokenize" in data
        assert len(data) < 4000
        again = pickle.loads(data)
        assert [t.text for t in again("l’Assemblée Sud-Sud")] == [
            t.text for t in an("l’Assemblée Sud-Sud")
        ]
    schema = fields.Schema(text=fields.TEXT(analyzer=text_analyzer(), stored=True))
    ix = create_in(str(tmp_path), schema)
    with ix.writer() as w:
        w.add_document(text="La coopération Sud-Sud")
    with open_dir(str(tmp_path)).searcher() as s:
        assert len(s.search(_and_query("text", "cooperation sud sud"))) == 1


def test_fingerprint_is_short_and_stable():
    fp = analyzer_fingerprint()
    assert fp == analyzer_fingerprint() and len(fp) == 16
    assert isinstance(ANALYZER_VERSION, int)


def test_caches_hold_the_un_vocabulary():
    assert analysis.stem_terms.cache_info().maxsize >= 200_000
    assert analysis.fold.cache_info().maxsize >= 200_000
    analyze("Sécurité Sud-Sud")
    assert analysis.stem_terms.cache_info().currsize > 0
    analysis.clear_caches()
    assert analysis.stem_terms.cache_info().currsize == 0
    assert analyze("Sécurité Sud-Sud") == ["secur", "securit", "sud", "sudsud", "sud"]


def test_question_groups_drop_question_words():
    assert question_groups("Comment renouveler son passeport ?") == query_groups(
        "renouveler passeport"
    )


# -- property: an accented word and its unaccented spelling share a term ---------


def _by_pos(text: str, exact: bool = False) -> dict[int, set[str]]:
    an = exact_analyzer() if exact else text_analyzer()
    out: dict[int, set[str]] = {}
    for t in an(text, positions=True):
        out.setdefault(t.pos, set()).add(t.text)
    return out


def _share_at_each_position(a: str, b: str) -> None:
    x, y = _by_pos(a), _by_pos(b)
    assert x.keys() == y.keys(), (a, b, x, y)
    for p in x:
        assert x[p] & y[p], (a, b, x, y)
    assert _by_pos(a, exact=True) == _by_pos(b, exact=True)


def test_every_corpus_word_shares_a_term_with_its_unaccented_spelling():
    for word in CORPUS_WORDS:
        _share_at_each_position(word, unidecode(word))


@settings(max_examples=300, deadline=None)
@given(
    word=st.sampled_from(CORPUS_WORDS),
    case=st.sampled_from([str, str.lower, str.upper, str.capitalize]),
    apostrophe=st.sampled_from(["'", "’"]),
    article=st.sampled_from(["", "l’", "d'", "qu’", "jusqu'"]),
)
def test_property_unaccented_typing(word, case, apostrophe, article):
    if "'" in word or "’" in word:
        article = ""
    typed = case(article.replace("’", apostrophe).replace("'", apostrophe) + word)
    _share_at_each_position(typed, unidecode(typed))
    _share_at_each_position(typed, word)  # case and elided article change nothing


def test_word_spans_give_what_each_analyzer_gives_with_its_offsets():
    """Highlighting reads one tokenizer pass (analysis.word_spans): on every
    paragraph and footnote of the seed corpus it must give the terms, positions
    and character offsets that the stemmed and the exact analyzers give."""
    from resosearch.bundled import bundled_paths
    from resosearch.parse import parse_file

    texts = []
    for path in bundled_paths():
        resolution = parse_file(path)
        texts += [p.text for p in resolution.paragraphs]
        texts += [note.text for note in resolution.footnotes]
    assert len(texts) > 100
    for text in texts:
        spans = list(analysis.word_spans(text))
        exact = [(t.text, t.pos, t.startchar, t.endchar)
                 for t in analysis.exact_analyzer()(text, positions=True, chars=True)]
        assert [(e, pos, start, end) for pos, start, end, e, _ in spans] == exact
        stemmed = [(t.text, t.pos, t.startchar, t.endchar)
                   for t in analysis.text_analyzer()(text, positions=True, chars=True)]
        assert [(s, pos, start, end) for pos, start, end, _, terms in spans for s in terms] \
            == stemmed
