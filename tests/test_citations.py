"""Citations between the seed resolutions."""

from __future__ import annotations

import pytest

from resosearch.errors import IndexStateError


def test_cited_by_a_resolution_outside_the_index(seed_index):
    found = seed_index.cited_by("64/222")
    assert found.pairs == [("68/230", "PP1"), ("71/318", "PP2"), ("75/234", "PP2")]
    assert not found.indexed
    assert found.to_dict() == {"number": "64/222", "cited_by": [
        {"number": "68/230", "ref": "PP1"}, {"number": "71/318", "ref": "PP2"},
        {"number": "75/234", "ref": "PP2"}]}


def test_cited_by_accepts_symbols_and_lettered_numbers(seed_index):
    assert seed_index.cited_by("A/RES/68/230").pairs == [("75/234", "PP4")]
    assert seed_index.cited_by("A/RES/68/230").indexed
    assert seed_index.cited_by("57/270 b").pairs == [("68/230", "PP3"), ("75/234", "PP4")]
    assert seed_index.cited_by("99/999").pairs == []


def test_cites_by_paragraph_marking_what_is_not_indexed(seed_index):
    found = seed_index.cites("75/234")
    by_number = {c.number: c for c in found.citations}
    assert by_number["73/291"].ref == "PP1" and not by_number["73/291"].indexed
    assert by_number["68/230"].ref == "PP4" and by_number["68/230"].indexed
    assert by_number["64/1"].indexed
    assert list(found.by_paragraph()) == ["PP1", "PP2", "PP3", "PP4", "PP5", "PP6"]
    assert "68/230" not in found.not_indexed and "73/291" in found.not_indexed
    assert found.to_dict()["cites"][0] == {"ref": "PP1", "number": "73/291", "indexed": False}


def test_cites_of_a_resolution_outside_the_index_is_an_error(seed_index):
    with pytest.raises(IndexStateError):
        seed_index.cites("64/222")
