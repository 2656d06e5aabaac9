"""Export a resolution as Akoma Ntoso 3.0 XML, in the manner of AKN4UN.

The document is ``<akomaNtoso><doc name="resolution">`` with:

* ``<meta>``: FRBR identification (work ``/akn/un/statement/resolution/unga/
  {session}-{number}``, French expression, XML manifestation), the General
  Assembly as a TLC organization, and the footnotes that the parser could not
  attach to a paragraph as ``<notes>``;
* ``<preface>``: ``docNumber`` (the symbol), ``docTitle``, ``session``
  (``value`` = the session number), ``docDate`` (adoption);
* ``<preamble>``: the opening formula ``L'Assemblée générale,`` and one
  ``<container name="preambular" eId="pp_N">`` per preambular paragraph;
* ``<mainBody>``: ``<paragraph eId="para_N"><num>N.</num><content><p>…``
  per operative paragraph; one with sub-paragraphs holds
  ``<list><intro><p>chapeau</p></intro><point><num>a)</num>…</point></list>``,
  nested as deep as the resolution goes (``OP1(d)(i)`` is
  ``para_1__point_d__point_i``);
* ``<conclusions>``: the plenary meeting and the date of adoption.

Inside a paragraph's ``<p>``, the operative verb is ``<i>`` (as printed),
each cited resolution is ``<ref href="/akn/un/statement/resolution/unga/
64-222">64/222</ref>``, and each footnote the paragraph carries is an
``<authorialNote marker="N" placement="bottom" eId="fn_N">`` at its end.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from resosearch.models import OPERATIVE, PREAMBULAR, Paragraph

if TYPE_CHECKING:
    from resosearch.models import Footnote, Resolution

__all__ = ["AKN_NS", "href", "to_akn", "to_element"]

AKN_NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
_N = "{" + AKN_NS + "}"
_INLINE_HOLDERS = {"p", "num", "docNumber", "docTitle", "session", "docDate", "docAuthority"}
_MONTHS = ("janvier février mars avril mai juin juillet août septembre octobre novembre "
           "décembre").split()


def href(number: str) -> str:
    """The AKN IRI of a General Assembly resolution: ``64/222`` →
    ``/akn/un/statement/resolution/unga/64-222`` (``57/270 B`` → ``57-270-b``)."""
    return "/akn/un/statement/resolution/unga/" + re.sub(r"[/\s]+", "-", number.strip()).lower()


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, _N + tag, {k.rstrip("_"): v for k, v in attrib.items()})
    if text is not None:
        element.text = text
    return element


def _french_date(value) -> str:
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {_MONTHS[value.month - 1]} {value.year}"


def _fill(p: ET.Element, paragraph: Paragraph, notes: dict[int, Footnote], used: set[str],
          italic_verb: bool) -> None:
    """The paragraph's text into ``p``: verb in <i>, citations as <ref>, notes at the end."""
    text = paragraph.text
    marks: list[tuple[int, int, str, str]] = []  # start, end, tag, href
    if italic_verb and paragraph.verb and text.startswith(paragraph.verb):
        marks.append((0, len(paragraph.verb), "i", ""))
    for cited in dict.fromkeys(paragraph.cites):
        pattern = r"(?<![\w/])" + re.escape(cited).replace(r"\ ", r"\s+") + r"(?![\w/])"
        for m in re.finditer(pattern, text):
            marks.append((m.start(), m.end(), "ref", href(cited)))
    marks.sort()
    last: ET.Element | None = None
    position = 0
    p.text = ""
    for start, end, tag, target in marks:
        if start < position:
            continue  # overlapping marks: keep the first
        chunk = text[position:start]
        if last is None:
            p.text += chunk
        else:
            last.tail = (last.tail or "") + chunk
        last = _el(p, tag, text[start:end], **({"href": target} if target else {}))
        position = end
    rest = text[position:]
    if last is None:
        p.text += rest
    else:
        last.tail = (last.tail or "") + rest
    for number in paragraph.footnotes:
        note = notes.get(number)
        if note is None:
            continue
        eid = f"fn_{number}"
        if eid in used:  # a note carried by several paragraphs: eIds stay unique
            eid = f"fn_{number}__{len([u for u in used if u.startswith(eid)]) + 1}"
        used.add(eid)
        element = _el(p, "authorialNote", marker=str(number), placement="bottom", eId=eid)
        _el(element, "p", note.text)


def _num(paragraph: Paragraph) -> str:
    return f"{paragraph.number}." if paragraph.parent is None else f"{paragraph.number})"


def _eid(paragraph: Paragraph) -> str:
    parts = re.findall(r"\(([^)]+)\)", paragraph.ref)
    head = re.match(r"[A-Z]+(\d+)", paragraph.ref)
    base = f"para_{head.group(1)}" if head else "para_" + paragraph.ref.lower()
    return base + "".join(f"__point_{part}" for part in parts)


def _operative(parent: ET.Element, paragraph: Paragraph, children: dict[str, list[Paragraph]],
               notes: dict[int, Footnote], used: set[str], tag: str) -> None:
    element = _el(parent, tag, eId=_eid(paragraph))
    _el(element, "num", _num(paragraph))
    subs = children.get(paragraph.ref, [])
    if not subs:
        _fill(_el(_el(element, "content"), "p"), paragraph, notes, used, italic_verb=tag == "paragraph")
        return
    listing = _el(element, "list", eId=_eid(paragraph) + "__list_1")
    _fill(_el(_el(listing, "intro"), "p"), paragraph, notes, used, italic_verb=tag == "paragraph")
    for sub in subs:
        _operative(listing, sub, children, notes, used, "point")


def to_element(resolution: Resolution) -> ET.Element:
    """The resolution as an ``<akomaNtoso>`` ElementTree element."""
    notes = {note.number: note for note in resolution.footnotes}
    used: set[str] = set()  # eIds of the authorial notes so far
    root = ET.Element(_N + "akomaNtoso")
    doc = _el(root, "doc", name="resolution")

    # -- meta ------------------------------------------------------------------
    meta = _el(doc, "meta")
    ident = _el(meta, "identification", source="#resosearch")
    work = href(resolution.number)
    day = resolution.adopted.isoformat() if resolution.adopted else None
    for level, uri in (("FRBRWork", work), ("FRBRExpression", work + "/fra@"),
                       ("FRBRManifestation", work + "/fra@/!main.xml")):
        frbr = _el(ident, level)
        _el(frbr, "FRBRthis", value=uri if level == "FRBRManifestation" else uri + "/!main")
        _el(frbr, "FRBRuri", value=uri)
        if day:
            _el(frbr, "FRBRdate", date=day, name="adoption")
        _el(frbr, "FRBRauthor", href="#unga")
        if level == "FRBRWork":
            _el(frbr, "FRBRcountry", value="un")
            _el(frbr, "FRBRnumber", value=resolution.number)
        if level == "FRBRExpression":
            _el(frbr, "FRBRlanguage", language="fra")
    refs = _el(meta, "references", source="#resosearch")
    _el(refs, "TLCOrganization", eId="unga", href="/akn/ontology/organizations/un/generalAssembly",
        showAs="Assemblée générale")
    _el(refs, "TLCOrganization", eId="resosearch", href="/akn/ontology/organizations/resosearch",
        showAs="resosearch")
    attached = {n for paragraph in resolution.paragraphs for n in paragraph.footnotes}
    loose = [note for note in resolution.footnotes if note.number not in attached]
    if loose:
        holder = _el(meta, "notes", source="#resosearch")
        for note in loose:
            element = _el(holder, "note", eId=f"fn_{note.number}", marker=str(note.number))
            _el(element, "p", note.text)

    # -- preface ---------------------------------------------------------------
    preface = _el(doc, "preface")
    _el(_el(preface, "p"), "docAuthority", "Assemblée générale")
    _el(_el(preface, "p"), "docNumber", resolution.symbol)
    _el(_el(preface, "p"), "session", f"{resolution.session}e session",
        value=str(resolution.session))
    if resolution.adopted:
        p = _el(preface, "p", "Résolution adoptée par l'Assemblée générale le ")
        _el(p, "docDate", _french_date(resolution.adopted), date=resolution.adopted.isoformat())
    _el(_el(preface, "p"), "docTitle", f"{resolution.number}. {resolution.title}")

    # -- preamble and main body --------------------------------------------------
    children: dict[str, list[Paragraph]] = {}
    for paragraph in resolution.paragraphs:
        if paragraph.parent:
            children.setdefault(paragraph.parent, []).append(paragraph)
    preamble = _el(doc, "preamble")
    formula = _el(preamble, "formula", name="enactingFormula")
    _el(formula, "p", "L'Assemblée générale,")
    for paragraph in resolution.paragraphs:
        if paragraph.kind != PREAMBULAR or paragraph.parent:
            continue
        container = _el(preamble, "container", name="preambular", eId=f"pp_{paragraph.number}")
        _fill(_el(container, "p"), paragraph, notes, used, italic_verb=False)
        stack = list(children.get(paragraph.ref, []))
        while stack:  # sub-paragraphs of a preambular paragraph (rare): plain p's
            sub = stack.pop(0)
            _fill(_el(container, "p"), sub, notes, used, italic_verb=False)
            stack[:0] = children.get(sub.ref, [])
    body = _el(doc, "mainBody")
    for paragraph in resolution.paragraphs:
        if paragraph.kind == OPERATIVE and not paragraph.parent:
            _operative(body, paragraph, children, notes, used, "paragraph")

    # -- conclusions -------------------------------------------------------------
    conclusions = _el(doc, "conclusions")
    if resolution.meeting is not None:
        _el(conclusions, "p", f"{resolution.meeting}e séance plénière", class_="meeting")
    if resolution.adopted:
        _el(_el(conclusions, "p"), "docDate", _french_date(resolution.adopted),
            date=resolution.adopted.isoformat())
    return root


def _indent(element: ET.Element, level: int = 0) -> None:
    """Pretty-print block elements only: mixed content (``<p>``…) is left as is."""
    if element.tag.removeprefix(_N) in _INLINE_HOLDERS or not len(element):
        return
    pad = "\n" + "  " * (level + 1)
    element.text = pad
    for child in element:
        _indent(child, level + 1)
        child.tail = pad
    element[-1].tail = "\n" + "  " * level


def to_akn(resolution: Resolution) -> str:
    """The resolution as a well-formed AKN 3.0 XML document (a string)."""
    ET.register_namespace("", AKN_NS)
    root = to_element(resolution)
    _indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
