"""Agreed-language finder on the seed corpus."""

from __future__ import annotations

import pytest
from whoosh import query as q

from resosearch import rank
from resosearch.errors import QueryError
from resosearch.filters import combine, filter_queries
from resosearch.schema import PARAGRAPH
from resosearch.similar import _candidate_query, diff, similarity

PP4 = ("Soulignant que la coopération Sud-Sud ne saurait se substituer à la coopération "
       "Nord-Sud mais devrait la compléter,")


def refs(found):
    return [(m.number, m.ref) for m in found]


def test_the_source_comes_first_then_its_agreed_language(seed_index):
    found = seed_index.similar(seed_index.get("71/318").paragraph("PP4").text)
    assert refs(found)[0] == ("71/318", "PP4")
    assert found[0].similarity == 1.0
    assert set(refs(found)[1:3]) == {("57/263", "PP2"), ("64/1", "PP7")}
    assert refs(found)[3] == ("68/230", "OP9")
    assert found[2].similarity > found[3].similarity + 0.05


def test_similarities_are_in_order_and_unrelated_paragraphs_score_low(seed_index):
    found = seed_index.similar(PP4, limit=10)
    values = [m.similarity for m in found]
    assert values == sorted(values, reverse=True)
    assert all(0.0 <= v <= 1.0 for v in values)
    assert all(v < 0.45 for v in values[4:])
    assert seed_index.similar(PP4, limit=30, resolution="71/318")[-1].similarity < 0.2


def test_a_draft_with_typos_and_no_accents_finds_its_source(seed_index):
    draft = ("Soulignant que la cooperation Sud-Sud ne sauriat se substitue a la cooperaton "
             "Nord-Sud mais devrait la completer")
    found = seed_index.similar(draft, limit=3)
    assert refs(found)[0] == ("71/318", "PP4")
    assert 0.9 <= found[0].similarity < 1.0
    ops = [(s.op, s.text.strip()) for s in found[0].diff]
    assert ("delete", "sauriat") in ops and ("insert", "saurait") in ops


def test_accents_and_case_alone_do_not_lower_the_similarity():
    assert similarity(PP4, PP4.upper().replace("É", "E")) == 1.0
    assert similarity(PP4, "Prie le Secrétaire général de lui présenter un rapport") < 0.2


def test_diff_convention_insert_is_the_paragraph_delete_is_the_draft():
    paragraph = ("Soulignant également que la coopération Sud-Sud ne saurait se substituer à la "
                 "coopération Nord-Sud, mais devrait plutôt la compléter,")
    spans = diff(PP4, paragraph)
    assert "".join(s.text for s in spans if s.op != "delete") == paragraph
    assert [s.text.strip() for s in spans if s.op == "insert"] == ["également", "plutôt"]
    assert not [s for s in spans if s.op == "delete"]
    spans = diff(PP4 + " et se félicite", paragraph)
    assert [s.text.strip() for s in spans if s.op == "delete"] == ["et se félicite"]


def test_filters_and_json_shape(seed_index):
    found = seed_index.similar(PP4, limit=3, kind="operative")
    assert refs(found)[0] == ("68/230", "OP9")
    data = found.to_dict()
    assert list(data) == ["matches"]
    assert list(data["matches"][0]) == ["number", "ref", "similarity", "text", "diff"]
    assert {tuple(span) for span in data["matches"][0]["diff"]} == {("op", "text")}


def test_bad_drafts_are_refused(seed_index):
    with pytest.raises(QueryError):
        seed_index.similar("  ,;  ")
    with pytest.raises(QueryError):
        seed_index.similar(PP4, limit=0)


@pytest.mark.parametrize("draft", [
    "Prie le Secrétaire général de lui présenter un rapport sur la coopération Sud-Sud",
    "Réaffirme le rôle des commissions régionales dans le développment durable",  # a typo: fuzzy
])
def test_candidates_are_whooshs_best_matches(archive_index, draft):
    """The candidates ranked in bulk are those Whoosh's own search ranks first."""
    with archive_index.reading() as searcher:
        main = _candidate_query(draft, searcher.reader())
        for filters in ([], filter_queries(None, (1950, 2015), "operative", None, None)):
            expected = searcher.search(main, limit=60, terms=False,
                                       filter=q.And([*filters, q.Term("doctype", PARAGRAPH)]))
            found = rank.best(searcher, main, combine(filters), 60, exact_total=False)
            assert [d for _s, d in found[1]] == [hit.docnum for hit in expected]
            assert len(found[1]) == 60
    assert archive_index.similar(draft).matches
