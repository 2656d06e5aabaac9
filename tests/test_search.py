"""Searching the seed index as a user would: what comes back, first, and how it is shown."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from resosearch import QueryError, columns
from resosearch.search import open_index


def refs(results) -> list[str]:
    return [f"{hit.number} {hit.ref}" for hit in results.hits]


def all_refs(index, query, **filters) -> set[str]:
    return set(refs(index.search(query, limit=500, **filters)))


def test_accentless_query_gets_exactly_what_the_accented_one_gets(seed_index):
    accented = seed_index.search("coopération triangulaire", limit=500)
    plain = seed_index.search("cooperation triangulaire", limit=500)
    assert refs(accented) == refs(plain)
    assert accented.total == plain.total > 10
    assert refs(seed_index.search("États Membres", limit=500)) == refs(
        seed_index.search("etats membres", limit=500))


def test_hit_carries_its_resolution_context(seed_index):
    hit = seed_index.search("approbation tacite").hits[0]
    assert (hit.number, hit.symbol, hit.ref) == ("71/318", "A/RES/71/318", "OP8(b)")
    assert hit.kind == "operative"
    assert hit.adopted == date(2017, 8, 28)
    assert hit.title == "Deuxième Conférence de haut niveau des Nations Unies sur la coopération Sud-Sud"
    assert hit.chapeau.startswith("Invite les autres parties prenantes dont les travaux")
    assert [n.number for n in hit.footnotes] == [6]
    assert hit.footnotes[0].text.startswith("La liste comprendra les noms proposés")
    assert "<mark>approbation tacite</mark>" in hit.highlight


def test_highlight_marks_original_words_and_escapes_text(seed_index):
    hit = seed_index.search("cooperation triangulaire", resolution="68/230").hits[0]
    assert "<mark>coopération triangulaire</mark>" in hit.highlight
    assert "&#x27;" in hit.highlight or "'" not in hit.text
    assert "<mark>" not in hit.text


def test_phrase_with_stop_words_matches_only_in_order(seed_index):
    assert all_refs(seed_index, '"ne saurait se substituer"') == {
        "57/263 PP2", "71/318 PP4", "64/1 PP7"}
    assert all_refs(seed_index, '"se saurait ne substituer"') == set()


def test_phrase_slop(seed_index):
    assert all_refs(seed_index, '"coopération substituer"') == set()
    assert "68/230 OP9" not in all_refs(seed_index, '"saurait substituer"~2')
    assert {"57/263 PP2", "71/318 PP4", "64/1 PP7"} <= all_refs(seed_index, '"saurait substituer"~2')


def test_bare_symbol_finds_citing_paragraphs_not_numbers(seed_index):
    expected = {"68/230 PP1", "71/318 PP2", "75/234 PP2"}
    assert all_refs(seed_index, "64/222") == expected
    assert all_refs(seed_index, "A/RES/64/222") == expected
    assert all_refs(seed_index, "64/2221") == set()


def test_bare_number_of_an_indexed_resolution_finds_it_and_its_citations(seed_index):
    found = all_refs(seed_index, "68/230")
    own = {f"68/230 {p.ref}" for p in seed_index.get("68/230").paragraphs}
    assert own | {"75/234 PP4"} == found


def test_footnote_only_text_finds_the_paragraph_carrying_it(seed_index):
    assert refs(seed_index.search("Recueil des Traités")) == ["75/234 PP7"]
    assert refs(seed_index.search("A/57/444")) == ["57/263 PP3"]


def test_operators(seed_index):
    nord = all_refs(seed_index, "Nord-Sud")
    both = all_refs(seed_index, "Nord-Sud substituer")
    assert both and both < nord
    assert all_refs(seed_index, "Nord-Sud -substituer") == nord - all_refs(seed_index, "substituer")
    assert all_refs(seed_index, "Nord-Sud NOT substituer") == all_refs(seed_index, "Nord-Sud -substituer")
    # A quoted phrase is excluded as a word is (the sign once turned it into a required phrase).
    cooperation = all_refs(seed_index, "coopération")
    for phrase in ('"Sud-Sud"', '"coopération Sud-Sud"', '"pays en développement"'):
        without = all_refs(seed_index, f"coopération -{phrase}")
        assert without and without == cooperation - all_refs(seed_index, phrase), phrase
        assert all_refs(seed_index, f"coopération NOT {phrase}") == without, phrase
        assert all_refs(seed_index, f"coopération +{phrase}") == cooperation & all_refs(seed_index, phrase)
    assert all_refs(seed_index, "Marrakech OR Nairobi") == all_refs(seed_index, "Marrakech") | all_refs(
        seed_index, "Nairobi")


def test_prefix_and_fuzzy(seed_index):
    assert "68/230 OP4" in all_refs(seed_index, "ingéren*")
    assert all_refs(seed_index, "philanthrop*") == {"71/318 OP8", "71/318 OP8(b)"}
    assert all_refs(seed_index, "Marakech~") == all_refs(seed_index, "Marrakech")


def test_fields(seed_index):
    assert all_refs(seed_index, "resolution:71/318 observateurs") == {
        "71/318 OP7", "71/318 OP8", "71/318 OP8(b)"}
    assert {r.split()[0] for r in all_refs(seed_index, "session:68 sud")} == {"68/230"}
    assert {r.split()[0] for r in all_refs(seed_index, "year:[2010 TO 2018] sud")} == {"68/230", "71/318"}
    assert {r.split()[0] for r in all_refs(seed_index, "year:2009 sud")} == {"64/1"}
    operative = all_refs(seed_index, "kind:operative Havane")
    assert operative == set()
    assert all_refs(seed_index, "kind:preambular Havane") == {"71/318 PP7", "64/1 PP8"}
    assert all_refs(seed_index, "verb:prie") == all_refs(seed_index, "verb:PRIE")
    assert all_refs(seed_index, "Verb:Réaffirmant") == all_refs(seed_index, "verb:reaffirmant")
    assert "57/263 OP1" in all_refs(seed_index, 'verb:"prend acte"')


def test_keyword_filters_match_field_syntax(seed_index):
    assert all_refs(seed_index, "sud", session=68) == all_refs(seed_index, "session:68 sud")
    assert all_refs(seed_index, "sud", years="2010-2018") == all_refs(seed_index, "year:[2010 TO 2018] sud")
    assert all_refs(seed_index, "sud", kind="preambular") == all_refs(seed_index, "kind:preambular sud")
    assert all_refs(seed_index, "secretaire", verb="Prie") == all_refs(seed_index, "verb:prie secretaire")
    assert all_refs(seed_index, "sud", resolution="A/RES/64/1") == all_refs(seed_index, "resolution:64/1 sud")


def test_filters_alone_list_paragraphs(seed_index):
    results = seed_index.search("", resolution="57/263", limit=100)
    assert results.total == 14
    assert results.notice is None


def test_sort_by_date_and_pages(seed_index):
    newest = seed_index.search("Sud-Sud", sort="date", limit=500)
    dates = [hit.adopted for hit in newest.hits]
    assert dates == sorted(dates, reverse=True)
    oldest = seed_index.search("Sud-Sud", sort="oldest", limit=3)
    assert refs(oldest) == ["57/263 PP1", "57/263 PP2", "57/263 PP3"]
    page1 = seed_index.search("Sud-Sud", limit=5, page=1)
    page2 = seed_index.search("Sud-Sud", limit=5, page=2)
    assert page1.total == page2.total == newest.total
    assert not set(refs(page1)) & set(refs(page2))
    assert refs(seed_index.search("Sud-Sud", limit=10)) == refs(page1) + refs(page2)


def test_facets_count_every_match(seed_index):
    results = seed_index.search("Nairobi", limit=1)
    assert results.total == 4
    assert results.facets["resolution"] == {"64/1": 1, "68/230": 1, "71/318": 1, "75/234": 1}
    assert results.facets["year"] == {2009: 1, 2013: 1, 2017: 1, 2020: 1}
    assert results.facets["kind"] == {"preambular": 3, "operative": 1}
    assert sum(results.facets["verb"].values()) == 4


def test_a_facet_is_counted_when_read_and_on_its_own(seed_index):
    """The command line shows only "by resolution": at archive size each
    facet reads a value of every document, so the others are not counted."""
    with open_index(seed_index.path) as index:  # its own segment readers, nothing read yet
        results = index.search("Nairobi", limit=1)
        with index.reading() as searcher:
            readers = [leaf.reader() for leaf, _offset in searcher.leaf_searchers()]
        assert results.facets["resolution"] == {"64/1": 1, "68/230": 1, "71/318": 1, "75/234": 1}
        assert all(kept == {"asked once": {"number"}} for kept in
                   (columns._CACHE.get(reader, {}) for reader in readers))
        # Still a mapping of every facet, equal to the counts read all at once.
        assert list(results.facets) == ["resolution", "year", "kind", "verb"]
        assert results.facets == {"resolution": {"64/1": 1, "68/230": 1, "71/318": 1, "75/234": 1},
                                  "year": {2009: 1, 2013: 1, 2017: 1, 2020: 1},
                                  "kind": {"preambular": 3, "operative": 1},
                                  "verb": {"reaffirmant": 3, "aura": 1}}
        assert results.to_dict()["facets"]["year"] == {"2009": 1, "2013": 1, "2017": 1, "2020": 1}
        with pytest.raises(KeyError):
            results.facets["session"]
    empty = seed_index.search("")
    assert dict(empty.facets) == {"resolution": {}, "year": {}, "kind": {}, "verb": {}}


def test_suggestion_for_misspelt_words(seed_index):
    results = seed_index.search("cooperatoin triangulaire")
    assert results.total == 0
    assert results.suggestion == "coopération triangulaire"
    assert seed_index.search("coopération triangulaire").suggestion is None


def test_empty_and_stop_word_queries_get_a_clear_answer(seed_index):
    empty = seed_index.search("   ")
    assert (empty.total, empty.hits) == (0, [])
    assert "empty query" in empty.notice
    stop = seed_index.search("de la et")
    assert stop.total == 0
    assert "only stop words (de, la, et)" in stop.notice


@pytest.mark.parametrize("query, message", [
    ('"coopération Sud', "unbalanced quote"),
    ("(Sud OR Nord", "'(' is never closed"),
    ("Sud)", "')' has no matching '('"),
    ("sesion:68", "unknown field 'sesion:'"),
    ('titre:"coopération Sud-Sud"', "unknown field 'titre:'"),
    ("year:deux", "expected a number"),
    ("kind:chapeau", "expected kind:operative or kind:preambular"),
    ("Sud AND", "needs a term after it"),
    ('"coopération Sud-Sud" OR', "'OR' at the end of the query needs a term after it"),
])
def test_malformed_queries_raise_query_error(seed_index, query, message):
    with pytest.raises(QueryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        seed_index.search(query)


def test_neighbours_on_request(seed_index):
    hit = seed_index.search("approbation tacite", neighbours=1).hits[0]
    assert [p.ref for p in hit.before] == ["OP8(a)"]
    assert [p.ref for p in hit.after] == ["OP9"]
    assert seed_index.search("approbation tacite").hits[0].before == ()


def test_membership_of_a_resolution(seed_index):
    assert "68/230" in seed_index and "A/RES/68/230" in seed_index and " a/res/64/1 " in seed_index
    assert "68/231" not in seed_index and "" not in seed_index and 68 not in seed_index
    assert all(number in seed_index for number in seed_index.numbers())


def test_get_returns_the_parsed_resolution(seed_index):
    resolution = seed_index.get("A/RES/64/1")
    assert resolution.number == "64/1"
    assert resolution.paragraph("OP1(d)(ii)").parent == "OP1(d)"
    assert len(resolution.footnotes) == 6


def test_results_render_as_html(seed_index):
    results = seed_index.search("approbation tacite")
    page = results._repr_html_()
    assert "A/RES/71/318" in page and "OP8(b)" in page and "<mark>approbation tacite</mark>" in page


def test_index_is_safe_to_share_between_threads(seed_index):
    expected = refs(seed_index.search("coopération triangulaire", limit=50))
    errors: list[BaseException] = []
    answers: list[list[str]] = []

    def worker():
        try:
            for _ in range(20):
                answers.append(refs(seed_index.search("coopération triangulaire", limit=50)))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(answers) == 80 and all(a == expected for a in answers)


def test_open_default_index_builds_it_first(tmp_path, monkeypatch):
    monkeypatch.setenv("RESOSEARCH_INDEX", str(tmp_path / "default"))
    with open_index() as index:
        assert index.numbers() == ["57/263", "64/1", "68/230", "71/318", "75/234"]
        assert len(index) == 14 + 29 + 24 + 27 + 16


def test_citation_of_a_part_is_found_by_the_resolution_number(seed_index):
    assert all_refs(seed_index, "cites:57/270") == {"68/230 PP3", "75/234 PP4"}
    assert all_refs(seed_index, "57/270") == {"68/230 PP3", "75/234 PP4"}


def test_long_phrase_needs_its_words_side_by_side_not_just_its_pairs(tmp_path):
    # OP1 holds every pair of "ne saurait se substituer" but never the phrase.
    (tmp_path / "r.txt").write_text(
        "99/1. Résolution d'essai\n\nL'Assemblée générale,\n\n"
        "Rappelant que la coopération ne saurait plus, et que saurait se taire qui veut, "
        "et que se substituer reste possible,\n\n"
        "1. Souligne que la coopération Sud-Sud ne saurait se substituer à la coopération Nord-Sud ;\n\n"
        "2. Décide que le texte ne saurait. Saurait se dire ; se substituer encore.\n\n"
        "10e séance plénière\n1er mars 2001\n",
        encoding="utf-8",
    )
    from resosearch.build import build_index
    from resosearch.search import Index

    build_index([tmp_path / "r.txt"], tmp_path / "ix")
    with Index(tmp_path / "ix") as index:
        found = index.search('"ne saurait se substituer"')
        assert [hit.ref for hit in found.hits] == ["OP1"] and found.total == 1
        assert "<mark>ne saurait se substituer</mark>" in found.hits[0].highlight
