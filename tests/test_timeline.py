"""Wording over time on the seed corpus."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from resosearch.errors import QueryError
from resosearch.filters import filter_queries


@pytest.mark.parametrize("query", ['"ne saurait se substituer"', "ne saurait se substituer"])
def test_ne_saurait_se_substituer(seed_index, query):
    found = seed_index.timeline(query)
    assert found.years == ((2002, 1), (2009, 1), (2017, 1))
    assert found.sessions == ((57, 1), (64, 1), (71, 1))
    assert (found.first.number, found.first.ref, found.first.adopted) == \
        ("57/263", "PP2", date(2002, 12, 20))
    assert (found.last.number, found.last.ref) == ("71/318", "PP4")
    assert found.to_dict() == {
        "query": query,
        "years": [{"year": 2002, "count": 1}, {"year": 2009, "count": 1},
                  {"year": 2017, "count": 1}],
        "first": {"number": "57/263", "ref": "PP2", "adopted": "2002-12-20"},
        "last": {"number": "71/318", "ref": "PP4", "adopted": "2017-08-28"},
    }


def test_counts_every_match_not_one_page(seed_index):
    found = seed_index.timeline('"coopération triangulaire"')
    assert found.total == seed_index.search('"coopération triangulaire"').total > 10
    assert sum(count for _year, count in found.years) == found.total
    assert dict(found.years)[2013] == 10


def test_filters_and_empty_answers(seed_index):
    assert seed_index.timeline("ne saurait se substituer", kind="operative").total == 0
    nothing = seed_index.timeline("zzzqqq")
    assert nothing.total == 0 and nothing.first is None
    assert nothing.to_dict() == {"query": "zzzqqq", "years": [], "first": None, "last": None}
    with pytest.raises(QueryError):
        seed_index.timeline("  ")


def _expected(searcher, main, filter_query):
    """The timeline read from every match's stored fields, through Whoosh's own search."""
    rows = []
    for hit in searcher.search(main, limit=None, filter=filter_query, terms=False):
        fields = hit.fields()
        rows.append((fields.get("adopted") or "", fields["number"], fields["order"], hit.docnum))
    return rows


@pytest.mark.parametrize("query", ["développement", '"nations unies"', "conférence -nations",
                                   "kind:operative prie"])
def test_timeline_agrees_with_every_match_read_one_by_one(archive_index, query):
    """On a generated archive in three segments with deleted paragraphs."""
    found = archive_index.timeline(query, years="1950-2015")
    with archive_index.matching(query, []) as (searcher, _c, main, _f):
        filter_query = filter_queries(None, "1950-2015", None, None, None)[0]
        rows = sorted(_expected(searcher, main, filter_query), key=lambda r: (not r[0], r))
    assert found.total == len(rows) > 50
    assert found.resolutions == len({row[1] for row in rows})
    assert dict(found.years) == Counter(int(row[0][:4]) for row in rows if row[0])
    assert dict(found.sessions) == Counter(int(row[1].split("/")[0]) for row in rows)
    first, last = rows[0], rows[-1]
    assert (found.first.number, found.first.adopted.isoformat()) == (first[1], first[0])
    assert (found.last.number, found.last.adopted.isoformat()) == (last[1], last[0])
    stored = archive_index.get(first[1])
    assert found.first.ref == stored.paragraphs[first[2]].ref
    assert found.last.ref == archive_index.get(last[1]).paragraphs[last[2]].ref
