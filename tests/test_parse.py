"""The parser on the five seeds, on the seeds laid out the other way, on odd
layouts and on bad input."""

from __future__ import annotations

import re
import textwrap
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import resosearch
from resosearch import ParseError, Resolution, parse_file, parse_text
from resosearch.chars import marker
from resosearch.clean import clean
from resosearch.parse import find_citations, find_report, leading_verb, parse_session_words

CORPUS = Path(resosearch.__file__).parent / "corpus"
SEEDS = {
    "57/263": "A-RES-57-263.fr.txt",
    "64/1": "A-RES-64-1.fr.txt",
    "68/230": "A-RES-68-230.fr.txt",
    "71/318": "A-RES-71-318.fr.txt",
    "75/234": "A-RES-75-234.fr.txt",
}
MARKDOWN_SEEDS = ("68/230", "71/318", "75/234")
PDF_SEEDS = ("57/263", "64/1")

# number: (session, adopted, meeting, PP, OP, sub-paragraphs, footnotes)
FACTS = {
    "57/263": (57, date(2002, 12, 20), 78, 3, 11, [], 7),
    "64/1": (64, date(2009, 10, 6), 15, 9, 12,
             ["OP1(a)", "OP1(b)", "OP1(c)", "OP1(d)", "OP1(d)(i)", "OP1(d)(ii)", "OP1(e)",
              "OP1(f)"], 6),
    "68/230": (68, date(2013, 12, 20), 71, 3, 21, [], 6),
    "71/318": (71, date(2017, 8, 28), 95, 7, 13,
               ["OP1(a)", "OP1(b)", "OP1(c)", "OP1(d)", "OP1(e)", "OP8(a)", "OP8(b)"], 6),
    "75/234": (75, date(2020, 12, 21), 48, 10, 6, [], 5),
}

_CACHE: dict[str, Resolution] = {}


def seed(number: str) -> Resolution:
    if number not in _CACHE:
        _CACHE[number] = parse_file(CORPUS / SEEDS[number])
    return _CACHE[number]


def seed_text(number: str) -> str:
    return (CORPUS / SEEDS[number]).read_text(encoding="utf-8")


def expected_refs(number: str) -> list[str]:
    _, _, _, pp, op, subs, _ = FACTS[number]
    refs = [f"PP{i}" for i in range(1, pp + 1)]
    for i in range(1, op + 1):
        refs.append(f"OP{i}")
        refs.extend(s for s in subs if re.match(rf"OP{i}\(", s))
    return refs


# --------------------------------------------------------------------------
# The seeds


@pytest.mark.parametrize("number", list(SEEDS))
def test_seed_refs_in_order_and_counts(number: str) -> None:
    resolution = seed(number)
    assert [p.ref for p in resolution.paragraphs] == expected_refs(number)
    _, _, _, pp, op, _, notes = FACTS[number]
    assert len(resolution.preamble) == pp
    assert len([p for p in resolution.operative if p.parent is None]) == op
    assert [n.number for n in resolution.footnotes] == list(range(1, notes + 1))
    assert all(n.text for n in resolution.footnotes)


@pytest.mark.parametrize("number", list(SEEDS))
def test_seed_metadata(number: str) -> None:
    resolution = seed(number)
    session, adopted, meeting, *_ = FACTS[number]
    assert resolution.number == number
    assert resolution.symbol == f"A/RES/{number}"
    assert resolution.session == session
    assert resolution.adopted == adopted
    assert resolution.meeting == meeting
    assert resolution.source == SEEDS[number]
    assert resolution.encoding == "utf-8"
    assert resolution.year == adopted.year


def test_preface_metadata_of_markdown_seeds() -> None:
    r = seed("68/230")
    assert r.title == "Coopération Sud-Sud"
    assert (r.distributed, r.agenda_item, r.report) == (date(2014, 2, 7), "24 b", "A/68/443/Add.2")
    r = seed("71/318")
    assert r.title == (
        "Deuxième Conférence de haut niveau des Nations Unies sur la coopération Sud-Sud")
    assert (r.distributed, r.agenda_item, r.report) == (date(2017, 8, 30), "13", "A/71/L.83")
    r = seed("75/234")
    assert (r.distributed, r.agenda_item, r.report) == (date(2020, 12, 30), "25 b", "A/75/463/Add.2")


def test_pdf_seeds_have_no_preface() -> None:
    for number in PDF_SEEDS:
        r = seed(number)
        assert (r.distributed, r.agenda_item, r.report) == (None, None, None)
    assert seed("57/263").title == "Coopération économique et technique entre pays en développement"
    assert seed("64/1").title == "Conférence de haut niveau des Nations Unies sur la coopération Sud-Sud"


def test_57_263_texts_joined_and_cleaned() -> None:
    r = seed("57/263")
    op3 = r.paragraph("OP3").text
    assert ("renforcer leurs mécanismes nationaux de coordination en vue d’accroître l’efficacité "
            "de la coopération Sud-Sud et de la coopération triangulaire et, à cet égard, "
            "encourage les autres partenaires") in op3
    assert "A/57/444" not in op3 and "_" not in op3 and "Voir" not in op3
    pp3 = r.paragraph("PP3")
    assert "qui s’est tenue à New York le 19 septembre 2002, dans laquelle ils" in pp3.text
    assert pp3.footnotes == (1,)
    assert pp3.verb == "Prenant note"
    op1 = r.paragraph("OP1")
    assert op1.text.endswith("faciliter la coopération Sud-Sud ;")
    assert op1.footnotes == (2,)
    assert r.paragraph("OP2").footnotes == (3,)
    assert r.paragraph("OP7").footnotes == (4, 5)
    assert "Conférence internationale sur le financement du développement sur la nécessité" in (
        r.paragraph("OP7").text)
    op8 = r.paragraph("OP8")
    assert op8.footnotes == (6,)
    assert "en date du 27 septembre 2002, dans laquelle le Conseil" in op8.text
    assert op8.cites == ()  # décision 2002/18 is not a resolution
    op10 = r.paragraph("OP10")
    assert op10.text.startswith("Considère qu’il est nécessaire de mobiliser des ressources "
                                "supplémentaires pour renforcer")
    assert "Ibid" not in op10.text and "DP/2003/2" not in op10.text
    op11 = r.paragraph("OP11")
    assert op11.footnotes == (7,)
    assert op11.text.endswith("entre pays en développement.")
    assert r.footnote(4).text == (
        "Rapport de la Conférence internationale sur le financement du développement, Monterrey "
        "(Mexique), 18-22 mars 2002 (publication des Nations Unies, numéro de vente : F.02.II.A.7), "
        "chap. I, résolution 1, annexe.")
    assert r.footnote(3).text == "Voir résolution 55/2."
    assert r.footnote(7).text.endswith("et rectificatif), chap. I.")


def test_64_1_texts_joined_and_cleaned() -> None:
    r = seed("64/1")
    pp3 = r.paragraph("PP3")
    assert pp3.cites == ("63/233",)
    assert pp3.footnotes == (2,)
    assert pp3.text.endswith("en application de sa résolution 63/233,")
    assert pp3.verb == "Prenant note"
    pp8 = r.paragraph("PP8")
    assert pp8.footnotes == (3, 4, 5, 6)
    assert ("notamment la Déclaration de Doha sur le financement du développement, et prenant acte "
            "du Programme d’action de La Havane, adopté lors du premier Sommet du Sud, du Cadre de "
            "Marrakech pour la mise en œuvre de la coopération Sud-Sud et du Plan d’action de Doha "
            "adopté lors du deuxième Sommet du Sud,") in pp8.text
    pp9 = r.paragraph("PP9")
    assert pp9.text.endswith("la Conférence de haut niveau des Nations Unies sur la coopération Sud-Sud,")
    assert pp9.verb == "Accueillant"
    op4 = r.paragraph("OP4")
    assert ("compte tenu des thèmes de la Conférence et des textes issus des réunions régionales, "
            "sous-régionales et sectorielles") in op4.text
    assert "A/60/111" not in op4.text
    assert r.paragraph("OP1(a)").text == "Aura lieu à Nairobi du 1er au 3 décembre 2009 ;"
    assert r.paragraph("OP1(d)(i)").parent == "OP1(d)"
    assert r.paragraph("OP1(d)").parent == "OP1"
    assert r.paragraph("OP1(d)(ii)").number == "ii"
    assert r.paragraph("OP10").verb == "Prie"
    assert r.paragraph("PP1").cites == ("33/134",)
    assert r.paragraph("PP2").cites == ("62/209", "63/233")
    assert r.footnote(3).text == "Résolution 63/239, annexe."


def test_68_230_texts_joined_and_cleaned() -> None:
    r = seed("68/230")
    op11 = r.paragraph("OP11")
    assert "prie le Secrétaire général, en consultation avec les États Membres, le Bureau" in op11.text
    assert op11.footnotes == (3,)
    assert "rappelle la décision 17/1 du Comité de haut niveau pour la coopération Sud-Sud et, à cet" in (
        op11.text)
    assert op11.cites == ()
    op1 = r.paragraph("OP1")
    assert op1.text.startswith("Prend note du rapport et des décisions adoptés par le Comité")
    assert op1.footnotes == (2, 3)
    assert r.paragraph("OP3").footnotes == (5, 6)
    assert r.paragraph("PP3").cites == (
        "57/270 B", "60/212", "62/209", "63/233", "64/1", "66/219", "67/227")
    assert r.paragraph("PP1").cites == ("64/222",)
    assert r.paragraph("OP17").cites == ("57/263",)
    assert r.footnote(6).text == "A/66/717/Add. 1."
    assert "<sup>" not in "".join(p.text for p in r.paragraphs)
    assert "*" not in "".join(p.text for p in r.paragraphs)
    assert "«" in r.paragraph("OP21").text and "œ" in r.paragraph("OP21").text


def test_71_318_texts_joined_and_cleaned() -> None:
    r = seed("71/318")
    pp7 = r.paragraph("PP7")
    assert ("et prenant note du Programme d'action de La Havane adopté lors du premier Sommet du Sud, "
            "du Cadre de Marrakech") in pp7.text
    assert pp7.footnotes == (2, 3, 4)
    assert r.paragraph("PP1").footnotes == (1,)
    op3 = r.paragraph("OP3")
    assert "à l'horizon 2030, et concernant également" in op3.text
    assert op3.footnotes == (5,)
    assert r.paragraph("OP8(b)").footnotes == (6,)
    assert r.paragraph("OP8(b)").text.endswith("avant de la lui présenter ;")
    assert r.paragraph("OP11").cites == ("71/244",)
    assert r.footnote(5).text == "Résolution 70/1."


def test_75_234_texts_joined_and_cleaned() -> None:
    r = seed("75/234")
    pp4 = r.paragraph("PP4")
    assert pp4.verb == "Rappelant"
    assert pp4.cites[0] == "57/270 B"
    pp5 = r.paragraph("PP5")
    assert "œuvrer sans relâche pour que le programme soit appliqué dans son intégralité" in pp5.text
    assert r.paragraph("PP7").footnotes == (2, 3)
    assert r.paragraph("PP10").text.endswith("s'efforcer d'aider les plus défavorisés en premier,")
    assert r.paragraph("OP1").footnotes == (4,)
    assert r.paragraph("OP2").footnotes == (5,)
    assert r.footnote(3).text == "Nations Unies, Recueil des Traités, vol. 1771, n° 30822."
    assert r.footnote(5).text == "A/75/371."


def test_verbs_of_the_seeds() -> None:
    assert [p.verb for p in seed("75/234").preamble] == [
        "Réaffirmant", "Réaffirmant", "Réaffirmant", "Rappelant", "Réaffirmant", "Réaffirmant",
        "Réaffirmant", "Notant", "Saluant", "Réitérant"]
    assert [p.verb for p in seed("75/234").operative] == [
        "Rappelle", "Prend acte", "Réaffirme", "Encourage", "Réaffirme", "Décide"]
    r = seed("68/230")
    assert [r.paragraph(f"OP{i}").verb for i in (1, 2, 5, 13, 15, 16)] == [
        "Prend note", "Prend acte", "Reconnaît", "Salue", "Prie", "Prie"]
    r = seed("71/318")
    assert [p.verb for p in r.paragraphs if p.parent] == [
        "Aura", "Se tiendra", "Comprendra", "Débouchera", "Donnera", "Invite", "Prie"]
    assert r.paragraph("OP12").verb == "Accueille"
    r = seed("64/1")
    assert r.paragraph("OP1(d)(i)").verb is None
    assert r.paragraph("OP1(b)").verb == "Se tiendra"
    assert seed("57/263").paragraph("OP2").verb == "Note"


def test_every_paragraph_is_clean() -> None:
    for number in SEEDS:
        for p in seed(number).paragraphs:
            assert p.text == p.text.strip() and "  " not in p.text
            assert not re.search(r"[\ue000-\ue00f*#_<>\[\]]", p.text), (p.ref, p.text)
            assert not re.match(r"\d+\.|\(?[a-z]+\) ", p.text)
            assert p.verb is None or p.text.startswith(p.verb.split()[0])


# --------------------------------------------------------------------------
# The seeds laid out the other way


def _wrap(text: str, indent: str, width: int = 80) -> list[str]:
    return textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent="",
                         break_long_words=False, break_on_hyphens=True)


def markdown_to_pdf(markdown: str) -> str:
    """Re-lay a Markdown seed the way PDF text extraction gives it."""
    notes: dict[int, str] = {}
    blocks: list[str] = []
    for raw in re.split(r"\n\s*\n", markdown):
        lines = []
        for line in raw.split("\n"):
            line = re.sub(r"^#+\s*", "", line).strip()
            line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line)
            line = re.sub(r"(\d)<sup>e</sup>", r"\1e", line).replace("^e", "e")
            line = line.replace("*", "")
            note = re.match(r"^(?:<sup>(\d+)</sup>|([¹²³⁴⁵⁶⁷⁸⁹]))\s*(.*)", line)
            if note:
                n = int(note.group(1) or note.group(2).translate(str.maketrans("¹²³⁴⁵⁶⁷⁸⁹", "123456789")))
                notes[n] = note.group(3)
                continue
            if line == "---":
                continue
            line = re.sub(r"<sup>(\d+)</sup>", r"\1", line)
            line = line.translate(str.maketrans("¹²³⁴⁵⁶⁷⁸⁹", "123456789"))
            if line:
                lines.append(line)
        if lines:
            blocks.append(" ".join(lines))
    # Which block first carries each note marker (digits glued after a word).
    out: list[list[str]] = [_wrap(b, " ") for b in blocks]
    pending = sorted(notes)
    insert_after: dict[int, list[int]] = {}
    for index, block in enumerate(blocks):
        while pending and re.search(rf"(?:[^\W\d_]|\d{{3}})({pending[0]})(?!\d)", block):
            insert_after.setdefault(index, []).append(pending.pop(0))
    for index in sorted(insert_after, reverse=True):
        rule = ["_______________ "] + [
            line for n in insert_after[index] for line in _wrap(f"{n} {notes[n]}", "", 100)]
        target = index + 1 if index + 1 < len(out) and len(out[index + 1]) > 1 else None
        if target is not None and not re.search(r"séance plénière", blocks[target]):
            lines = out[target]
            out[target] = lines[:1] + rule + [" " + lines[1]] + lines[2:]
        else:
            out.insert(index + 1, rule)
    return "\n\n".join("\n".join(lines) for lines in out) + "\n"


def pdf_to_markdown(pdf: str) -> str:
    """Re-lay a PDF-text seed as Markdown (from its cleaned segments)."""
    cleaned = clean(pdf)
    out = []
    for segment in cleaned.segments:
        text = re.sub(r"\ue000(\d+)\ue001", r"<sup>\1</sup>", segment.text)
        if re.match(r"\d+/\d+\. ", text):
            text = "### " + text
        elif match := re.match(r"(\d+\. |[a-z]+\) )?(\w+)(.*)", text):
            text = f"{match.group(1) or ''}*{match.group(2)}*{match.group(3)}"
        text = re.sub(r"^(\d+)e séance", r"\1<sup>e</sup> séance", text)
        out.append(text)
    out.append("---")
    out.extend(f"<sup>{n.number}</sup> {n.text}" for n in cleaned.footnotes)
    return "\n\n".join(out) + "\n"


def assert_same(a: Resolution, b: Resolution) -> None:
    assert [p.ref for p in a.paragraphs] == [p.ref for p in b.paragraphs]
    for p, q in zip(a.paragraphs, b.paragraphs, strict=True):
        assert (p.ref, p.verb, p.text, p.footnotes, p.cites, p.parent) == (
            q.ref, q.verb, q.text, q.footnotes, q.cites, q.parent)
    assert a.footnotes == b.footnotes
    assert (a.number, a.title, a.session, a.adopted, a.meeting) == (
        b.number, b.title, b.session, b.adopted, b.meeting)


@pytest.mark.parametrize("number", MARKDOWN_SEEDS)
def test_markdown_seed_laid_out_as_pdf(number: str) -> None:
    pdf = markdown_to_pdf(seed_text(number))
    assert "_______________" in pdf and "<sup>" not in pdf
    relaid = parse_text(pdf, SEEDS[number])
    assert_same(seed(number), relaid)
    assert (relaid.distributed, relaid.agenda_item, relaid.report) == (
        seed(number).distributed, seed(number).agenda_item, seed(number).report)


@pytest.mark.parametrize("number", PDF_SEEDS)
def test_pdf_seed_laid_out_as_markdown(number: str) -> None:
    markdown = pdf_to_markdown(seed_text(number))
    assert "<sup>1</sup>" in markdown
    assert_same(seed(number), parse_text(markdown, SEEDS[number]))


def test_relaid_markers_are_glued_digits() -> None:
    pdf = markdown_to_pdf(seed_text("68/230"))
    assert "Sud-Sud4 ;" in pdf and "développement1," in pdf
    assert re.search(r"Sud-\n", pdf) or re.search(r"\w-\n", pdf)  # words split at hyphens


# --------------------------------------------------------------------------
# Other layouts

COMPACT = """\
12/34. Titre de test
L'Assemblée générale,
Rappelant sa résolution 10/20 du 1er janvier 2000,
Notant avec satisfaction les progrès accomplis,
1. Prie le Secrétaire général de faire rapport ;
2. Décide :
a) De rester saisie de la question ;
b) D'examiner la question à sa prochaine session.
30e séance plénière
5 mars 2001
"""


def test_compact_layout_without_blank_lines_or_indentation() -> None:
    r = parse_text(COMPACT)
    assert [p.ref for p in r.paragraphs] == ["PP1", "PP2", "OP1", "OP2", "OP2(a)", "OP2(b)"]
    assert r.paragraph("PP1").cites == ("10/20",)
    assert r.paragraph("PP2").verb == "Notant"
    assert r.paragraph("OP2(a)").verb is None  # "De rester…": not a verb
    assert (r.meeting, r.adopted, r.session, r.source) == (30, date(2001, 3, 5), 12, None)
    assert r.paragraph("OP2(b)").text == "D'examiner la question à sa prochaine session."


def test_windows_line_endings_nbsp_and_tabs() -> None:
    text = seed_text("57/263")
    odd = text.replace(" ;", "\u00a0;").replace("\n ", "\n\t").replace("\n", "\r\n")
    assert_same(seed("57/263"), parse_text(odd, SEEDS["57/263"]))
    odd = seed_text("68/230").replace("\n", "\r\n").replace(" :", "\u202f:")
    assert_same(seed("68/230"), parse_text(odd, SEEDS["68/230"]))


def test_bom_and_cp1252(tmp_path: Path) -> None:
    text = seed_text("68/230")
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (tmp_path / "win.txt").write_bytes(text.encode("cp1252"))
    bom, win = parse_file(tmp_path / "bom.txt"), parse_file(tmp_path / "win.txt")
    assert (bom.encoding, win.encoding) == ("utf-8-sig", "cp1252")
    assert_same(seed("68/230"), bom)
    assert_same(seed("68/230"), win)
    assert win.source == "win.txt"


def test_single_unnumbered_operative_paragraph() -> None:
    r = parse_text("5/6. Titre\n\nL'Assemblée générale,\n\nRappelant sa résolution 1/2,\n\n"
                   "Décide de proclamer le 1er mars Journée internationale.\n\n"
                   "12e séance plénière\n1er mars 2000\n")
    assert [(p.ref, p.verb) for p in r.paragraphs] == [("PP1", "Rappelant"), ("OP1", "Décide")]
    assert r.adopted == date(2000, 3, 1)


def test_annex_after_conclusions_is_not_paragraphs() -> None:
    text = COMPACT + "\nAnnexe\n\n1. Texte de l'annexe ;\n\n7. Autre chose.\n"
    assert len(parse_text(text).paragraphs) == 6


def test_roman_i_after_h_is_a_letter() -> None:
    items = "\n".join(f"{c}) Texte {c} ;" for c in "abcdefghij")
    r = parse_text(f"1/2. T\n\nL'Assemblée générale,\n\n1. Décide :\n\n{items}\n")
    assert [p.ref for p in r.paragraphs][-3:] == ["OP1(h)", "OP1(i)", "OP1(j)"]
    r = parse_text("1/2. T\n\nL'Assemblée générale,\n\n1. Décide :\n\n"
                   + "\n".join(f"{c}) Texte {c} ;" for c in "abcdefg")
                   + "\nh) Texte h :\ni) Premier ;\nii) Second ;\ni) Lettre i.\n")
    assert [p.ref for p in r.paragraphs][-4:] == ["OP1(h)", "OP1(h)(i)", "OP1(h)(ii)", "OP1(i)"]


# --------------------------------------------------------------------------
# Helpers


def test_helpers() -> None:
    assert parse_session_words("Soixante-huitième") == 68
    assert parse_session_words("Soixante et onzième") == 71
    assert parse_session_words("Cinquante-septième") == 57
    assert parse_session_words("Soixante-dix-septième") == 77
    assert parse_session_words("Quatre-vingt-unième") == 81
    assert parse_session_words("Pomme") is None
    assert leading_verb("Réaffirmant également sa résolution") == "Réaffirmant"
    assert leading_verb("Prie en outre le Secrétaire général") == "Prie"
    assert leading_verb("Prend note avec satisfaction du rapport") == "Prend note"
    assert leading_verb("Profondément préoccupée par") == "Profondément préoccupée"
    assert leading_verb("Se félicite de") == "Se félicite"
    assert leading_verb("S'inquiétant de") == "S'inquiétant"
    assert leading_verb("Ayant examiné le rapport") == "Ayant examiné"
    assert leading_verb("Tenant compte de") == "Tenant compte"
    assert leading_verb("Le renforcement du rôle", subparagraph=True) is None
    assert leading_verb("L'élimination de", subparagraph=True) is None
    assert leading_verb("Renforcement des capacités ;", subparagraph=True) is None
    assert leading_verb("Encourage les États", subparagraph=True) == "Encourage"
    assert find_citations("sa résolution 64/222 et la décision 17/1, A/57/444, DP/2003/2") == (
        "64/222",)
    assert find_citations("décision 2002/18 du 27 septembre 2002 ; décision 1/CP.21") == ()
    assert find_citations("ses résolutions 60/1 du 16 septembre 2005 et 61/16, ainsi que 62/1") == (
        "60/1", "61/16", "62/1")
    assert find_citations("sa résolution 60/1 et le rapport du Comité 62/1") == ("60/1",)
    assert find_citations("les résolutions de l'Assemblée générale 60/1 et 61/16") == ("60/1", "61/16")
    assert find_report("[sur la base du rapport de la Deuxième Commission (A/75/463/Add.2, par. 7)]") == (
        "A/75/463/Add.2")
    assert find_report("[sans renvoi à une grande commission (A/71/L.83)]") == "A/71/L.83"
    assert marker(3) != "3"


# --------------------------------------------------------------------------
# Bad input


def error_of(text: str) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse_text(text, "x.txt")
    return info.value


def test_empty_text() -> None:
    assert "empty" in str(error_of(""))
    assert "empty" in str(error_of(" \n\t\n"))


def test_not_a_resolution() -> None:
    error = error_of("Bonjour.\n\nCeci est une lettre.\n")
    assert str(error).startswith("x.txt: not a resolution: expected the opening")
    error = error_of("L'Assemblée générale,\n\n1. Décide de rien.\n")
    assert "expected a title line" in str(error) and error.line == 1
    error = error_of("1/2. Titre\n\nL'Assemblée générale,\n\n")
    assert "expected paragraphs" in str(error) and error.line == 3


def test_operative_paragraph_skipped() -> None:
    text = seed_text("68/230").replace("\n5. *Reconnaît également*", "\n6. *Reconnaît également*")
    error = error_of(text)
    assert error.line == 49
    assert str(error) == "x.txt:49: expected operative paragraph 5 after 4, found paragraph 6"


def test_operative_paragraph_going_backwards() -> None:
    text = seed_text("57/263").replace(" 4. Réaffirme", " 2. Réaffirme")
    error = error_of(text)
    assert (error.line, error.source) == (49, "x.txt")
    assert "expected operative paragraph 4 after 3, found paragraph 2" in str(error)
    error = error_of("1/2. T\n\nL'Assemblée générale,\n\n2. Décide.\n")
    assert "expected first operative paragraph 1, found paragraph 2" in str(error)


def test_subparagraph_skipped() -> None:
    text = seed_text("64/1").replace(" c) Aura pour", " e) Aura pour")
    error = error_of(text)
    assert error.line == 61 and "expected sub-paragraph c) or i) in OP1, found e)" in str(error)


def test_bad_files(tmp_path: Path) -> None:
    cases = {
        "empty.txt": b"",
        "binary.bin": bytes(range(256)) * 4,
        "nul.txt": b"68/230. Titre\x00\x00",
        "letter.txt": "Chère Madame, voici la lettre.".encode(),
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ParseError) as info:
            parse_file(tmp_path / name)
        assert str(info.value).startswith(name + ":"), str(info.value)
    with pytest.raises(ParseError, match="no such file"):
        parse_file(tmp_path / "missing.txt")


def test_undecodable_bytes_fall_back_to_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes(COMPACT.replace("Décide", "D\xe9cide").encode("utf-8").replace(
        "é".encode(), b"\xe9"))
    r = parse_file(path)
    assert r.encoding == "cp1252" and r.paragraph("OP2").verb == "Décide"


# --------------------------------------------------------------------------
# Property


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text_gives_resolution_or_parse_error(text: str) -> None:
    try:
        assert isinstance(parse_text(text), Resolution)
    except ParseError:
        pass


_PIECES = st.sampled_from([
    "12/34. Titre", "L'Assemblée générale,", "Rappelant sa résolution 1/2,", "1. Décide ;",
    "2. Prie ;", "3. Note.", "a) Texte ;", "i) Texte ;", "ii) Texte :", "b) Autre ;",
    "_______________", "1 Note.", "2 A/57/444.", "<sup>1</sup> Note.", "Sud-Sud2", "20021",
    "¹", "*Prie*", "71e séance plénière", "20 décembre 2013", "", " ", "-", "Sud-", "Annexe",
    "Distr. générale", "Point 24, b, de l'ordre du jour", "[sans renvoi (A/71/L.83)]",
])


@settings(deadline=None, max_examples=200)
@given(st.lists(_PIECES, max_size=25), st.sampled_from(["\n", "\n\n", " ", "\r\n"]))
def test_resolution_like_pieces_give_resolution_or_parse_error(pieces: list[str], sep: str) -> None:
    try:
        r = parse_text(sep.join(pieces))
    except ParseError:
        return
    assert r.paragraphs and r.number and r.symbol.startswith("A/RES/")
    assert len({p.ref for p in r.paragraphs}) == len(r.paragraphs)


@pytest.mark.parametrize("number", PDF_SEEDS)
def test_pdf_seed_without_indentation(number: str) -> None:
    flat = "\n".join(line.lstrip() for line in seed_text(number).split("\n"))
    assert_same(seed(number), parse_text(flat, SEEDS[number]))


def test_title_number_is_never_split_into_a_footnote_marker() -> None:
    text = (
        "57/1001. Titre de test\nL'Assemblée générale,\n"
        "Rappelant sa résolution 10/20 du 1er janvier 2000,\n"
        "1. Prie le Secrétaire général de faire rapport1 ;\n2. Décide de rester saisie.\n"
        "_______________\n1 A/57/1.\n30e séance plénière\n5 mars 2001\n"
    )
    r = parse_text(text)
    assert (r.number, r.title) == ("57/1001", "Titre de test")
    assert [(p.ref, p.footnotes) for p in r.paragraphs] == [("PP1", ()), ("OP1", (1,)), ("OP2", ())]
