"""Wording over time on the seed corpus."""

from __future__ import annotations

from datetime import date

import pytest

from resosearch.errors import QueryError


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
