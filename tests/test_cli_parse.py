"""`resosearch parse FILE [--json]`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import resosearch
from resosearch.cli import main

CORPUS = Path(resosearch.__file__).parent / "corpus"
SEED = CORPUS / "A-RES-64-1.fr.txt"

TOP_KEYS = ["symbol", "number", "session", "title", "adopted", "meeting", "agenda_item",
            "distributed", "report", "source", "paragraphs", "footnotes"]
PARAGRAPH_KEYS = ["ref", "kind", "number", "parent", "verb", "text", "footnotes", "cites"]


def test_outline(capsys) -> None:
    assert main(["parse", str(SEED)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == (
        "A/RES/64/1  Conférence de haut niveau des Nations Unies sur la coopération Sud-Sud")
    assert "  adopted: 2009-10-06" in lines and "  meeting: 15" in lines
    refs = [line.split()[0] for line in lines if line.startswith(("PP", "OP"))]
    assert refs[:10] == ["PP1", "PP2", "PP3", "PP4", "PP5", "PP6", "PP7", "PP8", "PP9", "OP1"]
    assert len(refs) == 9 + 12 + 8
    assert any(line.startswith("PP3") and "[Prenant note]" in line and "(notes 2)" in line
               for line in lines)
    assert any(line.startswith("OP1(d)(i)") for line in lines)
    assert "Footnotes" in lines and "  3. Résolution 63/239, annexe." in lines


def test_json(capsys) -> None:
    assert main(["parse", str(CORPUS / "A-RES-68-230.fr.txt"), "--json"]) == 0
    out = capsys.readouterr().out
    assert "Coopération" in out  # ensure_ascii=False
    data = json.loads(out)
    assert list(data) == TOP_KEYS
    assert all(list(p) == PARAGRAPH_KEYS for p in data["paragraphs"])
    assert all(list(n) == ["number", "text"] for n in data["footnotes"])
    assert data["agenda_item"] == "24 b" and data["adopted"] == "2013-12-20"
    pp2 = data["paragraphs"][1]
    assert pp2["footnotes"] == [1] and pp2["cites"] == ["33/134"] and pp2["parent"] is None
    assert data["source"] == "A-RES-68-230.fr.txt"


def test_json_absent_values_are_null(capsys) -> None:
    main(["parse", str(SEED), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert data["report"] is None and data["distributed"] is None and data["agenda_item"] is None


def test_errors_one_line_exit_2(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "lettre.txt"
    bad.write_text("Chère Madame,\n\nMerci.\n", encoding="utf-8")
    empty = tmp_path / "vide.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    for path, what in [(tmp_path / "absent.txt", "no such file"), (bad, "not a resolution"),
                       (empty, "empty"), (binary, "binary")]:
        assert main(["parse", str(path)]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        err = captured.err.splitlines()
        assert len(err) == 1 and err[0].startswith("resosearch: error: ")
        assert path.name + ":" in err[0]
        assert what in err[0]


def test_skipped_paragraph_error_names_line(tmp_path: Path, capsys) -> None:
    path = tmp_path / "skip.txt"
    path.write_text(SEED.read_text(encoding="utf-8").replace(" 5. Prie le Président", " 6. Prie"),
                    encoding="utf-8")
    assert main(["parse", str(path)]) == 2
    assert capsys.readouterr().err == (
        "resosearch: error: skip.txt:104: expected operative paragraph 5 after 4, "
        "found paragraph 6\n")


def test_subprocess() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "resosearch", "parse", str(SEED), "--json"],
        capture_output=True, text=True, encoding="utf-8", timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["symbol"] == "A/RES/64/1" and len(data["paragraphs"]) == 29
    result = subprocess.run(
        [sys.executable, "-m", "resosearch", "parse", "/nonexistent/x.txt"],
        capture_output=True, text=True, encoding="utf-8", timeout=60, check=False)
    assert result.returncode == 2
    assert result.stderr == "resosearch: error: /nonexistent/x.txt: no such file\n"
    assert "Traceback" not in result.stderr


def test_a_command_runs_without_the_cyclic_collector_and_gives_it_back(monkeypatch, capsys):
    import gc

    import resosearch.cli.parse as parse_command

    collecting = []
    real_run = parse_command.run

    def run(args):
        collecting.append(gc.isenabled())
        return real_run(args)

    monkeypatch.setattr(parse_command, "run", run)
    assert gc.isenabled()
    assert main(["parse", str(SEED)]) == 0
    assert main(["parse", str(CORPUS / "missing.txt")]) == 2  # an error returns it too
    assert collecting == [False, False]
    assert gc.isenabled()
    capsys.readouterr()
