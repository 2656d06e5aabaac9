"""`resosearch similar`, `cites`, `cited-by`, `timeline` and `show --akn`."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from resosearch.cli import main

PP4 = ("Soulignant que la coopération Sud-Sud ne saurait se substituer à la coopération "
       "Nord-Sud mais devrait la compléter,")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, seed_index_dir, *argv):
    code, out, _err = run(capsys, *argv, "--json", "--index", str(seed_index_dir))
    assert code == 0
    return json.loads(out)


def test_similar_json(capsys, seed_index_dir):
    data = run_json(capsys, seed_index_dir, "similar", PP4, "--limit", "4")
    assert list(data) == ["matches"]
    first = data["matches"][0]
    assert list(first) == ["number", "ref", "similarity", "text", "diff"]
    assert (first["number"], first["ref"], first["similarity"]) == ("71/318", "PP4", 1.0)
    assert first["diff"] == [{"op": "equal", "text": PP4}]
    assert [(m["number"], m["ref"]) for m in data["matches"]][3] == ("68/230", "OP9")


def test_similar_text_from_a_file_shows_the_diff(capsys, seed_index_dir, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text("Soulignant également que la cooperation Sud-Sud ne saurait se substituer "
                     "a la cooperation Nord-Sud\n", encoding="utf-8")
    code, out, _ = run(capsys, "similar", "--file", str(draft), "--limit", "2",
                       "--index", str(seed_index_dir))
    assert code == 0
    assert out.startswith("1. A/RES/64/1 · PP7 · 2009-10-06 · similarity ")
    assert "Nord-Sud, {+mais devrait plutôt la compléter,+}" in out
    assert "\x1b[" not in out  # not a terminal: no colours
    assert "2. A/RES/71/318 · PP4" in out and "[-également-]" in out


def test_similar_needs_a_draft(capsys, seed_index_dir):
    code, _out, err = run(capsys, "similar", "  ", "--index", str(seed_index_dir))
    assert code == 2 and "no words" in err


def test_cites(capsys, seed_index_dir):
    code, out, _ = run(capsys, "cites", "A/RES/75/234", "--index", str(seed_index_dir))
    assert code == 0
    assert "  PP1: 73/291 (not indexed)" in out
    assert "64/1, 66/219 (not indexed), 67/227 (not indexed), 68/230," in out
    data = run_json(capsys, seed_index_dir, "cites", "75/234")
    assert data["number"] == "75/234"
    assert {"ref": "PP4", "number": "68/230", "indexed": True} in data["cites"]


def test_cited_by(capsys, seed_index_dir):
    data = run_json(capsys, seed_index_dir, "cited-by", "64/222")
    assert data == {"number": "64/222", "cited_by": [
        {"number": "68/230", "ref": "PP1"}, {"number": "71/318", "ref": "PP2"},
        {"number": "75/234", "ref": "PP2"}]}
    code, out, _ = run(capsys, "cited-by", "64/222", "--index", str(seed_index_dir))
    assert out.splitlines()[0] == "64/222 (itself not in the index) is cited by 3 paragraphs"
    assert "  71/318 PP2 · 2017-08-28" in out


def test_timeline(capsys, seed_index_dir):
    data = run_json(capsys, seed_index_dir, "timeline", "ne", "saurait", "se", "substituer")
    assert list(data) == ["query", "years", "first", "last"]
    assert data["query"] == "ne saurait se substituer"
    assert data["years"] == [{"year": 2002, "count": 1}, {"year": 2009, "count": 1},
                             {"year": 2017, "count": 1}]
    assert data["first"] == {"number": "57/263", "ref": "PP2", "adopted": "2002-12-20"}
    assert list(data["last"]) == ["number", "ref", "adopted"]
    code, out, _ = run(capsys, "timeline", '"coopération triangulaire"',
                       "--index", str(seed_index_dir))
    lines = out.splitlines()
    assert lines[0] == '23 paragraphs in 5 resolutions for "coopération triangulaire"'
    assert lines[3] == "  2013  " + "█" * 40 + " 10"
    assert "first: A/RES/57/263 OP2 · 2002-12-20" in lines
    assert "last: A/RES/75/234 PP9 · 2020-12-21" in lines


def test_show_akn(capsys, seed_index_dir):
    code, out, _ = run(capsys, "show", "68/230", "--akn", "--index", str(seed_index_dir))
    assert code == 0 and out.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(out)
    ns = {"a": "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"}
    assert root.find("a:doc/a:preface//a:docNumber", ns).text == "A/RES/68/230"
