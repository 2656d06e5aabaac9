"""AKN export: well-formed, structured like an AKN4UN resolution."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from resosearch.akn import AKN_NS, href

NS = {"a": AKN_NS}


def parse(resolution):
    return ET.fromstring(resolution.to_akn())


@pytest.mark.parametrize("number", ["57/263", "64/1", "68/230", "71/318", "75/234"])
def test_every_seed_is_well_formed_with_unique_eids(seed_index, number):
    resolution = seed_index.get(number)
    root = parse(resolution)
    assert root.tag == f"{{{AKN_NS}}}akomaNtoso"
    doc = root.find("a:doc", NS)
    assert doc.get("name") == "resolution"
    assert [child.tag.split("}")[1] for child in doc] == \
        ["meta", "preface", "preamble", "mainBody", "conclusions"]
    eids = [e.get("eId") for e in root.iter() if e.get("eId")]
    assert len(eids) == len(set(eids))
    assert len(doc.findall("a:preamble/a:container[@name='preambular']", NS)) == \
        len([p for p in resolution.preamble if not p.parent])
    assert len(doc.findall("a:mainBody/a:paragraph", NS)) == \
        len([p for p in resolution.operative if not p.parent])
    notes = root.findall(".//a:authorialNote", NS) + root.findall(".//a:meta/a:notes/a:note", NS)
    assert {int(n.get("marker")) for n in notes} == {n.number for n in resolution.footnotes}


def test_preface_preamble_body_and_conclusions_of_71_318(seed_index):
    resolution = seed_index.get("71/318")
    doc = parse(resolution).find("a:doc", NS)
    assert doc.find("a:preface//a:docNumber", NS).text == "A/RES/71/318"
    assert "coopération Sud-Sud" in doc.find("a:preface//a:docTitle", NS).text
    assert doc.find("a:preface//a:session", NS).get("value") == "71"
    assert doc.find("a:preface//a:docDate", NS).get("date") == "2017-08-28"
    pp4 = doc.find("a:preamble/a:container[@eId='pp_4']/a:p", NS)
    assert "".join(pp4.itertext()) == resolution.paragraph("PP4").text
    op1 = doc.find("a:mainBody/a:paragraph[@eId='para_1']", NS)
    assert op1.find("a:num", NS).text == "1."
    assert op1.find("a:list/a:intro/a:p/a:i", NS).text == "Décide"
    points = op1.findall("a:list/a:point", NS)
    assert [p.find("a:num", NS).text for p in points] == ["a)", "b)", "c)", "d)", "e)"]
    assert "".join(points[0].find("a:content/a:p", NS).itertext()) == \
        resolution.paragraph("OP1(a)").text
    assert doc.find("a:conclusions/a:p", NS).text == "95e séance plénière"
    assert doc.find("a:conclusions//a:docDate", NS).get("date") == "2017-08-28"


def test_footnotes_and_citations_sit_in_their_paragraph(seed_index):
    doc = parse(seed_index.get("71/318")).find("a:doc", NS)
    pp1 = doc.find("a:preamble/a:container[@eId='pp_1']/a:p", NS)
    note = pp1.find("a:authorialNote", NS)
    assert (note.get("marker"), note.get("placement")) == ("1", "bottom")
    assert note.find("a:p", NS).text.startswith("Rapport de la Conférence des Nations Unies")
    ref = doc.find("a:preamble/a:container[@eId='pp_2']/a:p/a:ref", NS)
    assert (ref.text, ref.get("href")) == ("64/222", "/akn/un/statement/resolution/unga/64-222")


def test_nested_points(seed_index):
    doc = parse(seed_index.get("64/1")).find("a:doc", NS)
    point = doc.find(".//a:point[@eId='para_1__point_d__point_i']", NS)
    assert point is not None and point.find("a:num", NS).text == "i)"
    assert href("57/270 B") == "/akn/un/statement/resolution/unga/57-270-b"
