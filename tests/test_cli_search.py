"""The command line for build, add, remove, search and show: output, JSON and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from resosearch.bundled import bundled_paths
from resosearch.cli import main

SEEDS = {p.name: p for p in bundled_paths()}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_search_text_output_is_a_results_page(capsys, seed_index_dir):
    code, out, err = run(capsys, "search", "approbation", "tacite", "--index", str(seed_index_dir))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "1 paragraph"
    assert lines[2] == ("1. A/RES/71/318 · OP8(b) · 2017-08-28 · Deuxième Conférence de haut niveau "
                        "des Nations Unies sur la coopération Sud-Sud")
    assert lines[3].startswith("   (chapeau) Invite les autres parties prenantes")
    assert "[approbation tacite]" in out  # marks without colour when not a terminal
    assert "\x1b[" not in out
    assert "   6 La liste comprendra les noms proposés" in out


def test_search_json_has_exactly_the_documented_keys(capsys, seed_index_dir):
    code, out, _ = run(capsys, "search", "Nairobi", "--json", "--index", str(seed_index_dir))
    data = json.loads(out)
    assert code == 0
    assert list(data) == ["query", "total", "hits", "facets", "suggestion"]
    assert data["query"] == "Nairobi" and data["total"] == 4
    assert list(data["hits"][0]) == ["number", "symbol", "ref", "kind", "verb", "score", "title",
                                     "adopted", "text", "highlight", "chapeau", "footnotes"]
    assert data["facets"]["year"] == {"2009": 1, "2013": 1, "2017": 1, "2020": 1}


def test_search_filters_and_pages(capsys, seed_index_dir):
    index = str(seed_index_dir)
    _, out, _ = run(capsys, "search", "Sud-Sud", "--json", "--index", index, "--years", "2010-2018",
                    "--kind", "preambular", "--limit", "50")
    data = json.loads(out)
    assert {h["number"] for h in data["hits"]} == {"68/230", "71/318"}
    assert {h["kind"] for h in data["hits"]} == {"preambular"}
    _, out, _ = run(capsys, "search", "secretaire", "--json", "--index", index, "--verb", "prie",
                    "--session", "71")
    assert [h["ref"] for h in json.loads(out)["hits"]] and all(
        h["verb"] == "Prie" and h["number"] == "71/318" for h in json.loads(out)["hits"])
    _, out, _ = run(capsys, "search", "Sud-Sud", "--index", index, "--limit", "2", "--page", "3")
    assert out.splitlines()[0].endswith("(page 3 of " + out.splitlines()[0].split(" of ")[1])
    assert out.splitlines()[2].startswith("5. ")


def test_search_suggests_a_spelling(capsys, seed_index_dir):
    _, out, _ = run(capsys, "search", "cooperatoin", "triangulaire", "--index", str(seed_index_dir))
    assert out.splitlines()[:2] == ["0 paragraphs", "did you mean: coopération triangulaire"]


def test_search_errors_are_one_line_with_exit_2(capsys, seed_index_dir):
    code, out, err = run(capsys, "search", '"coopération', "--index", str(seed_index_dir))
    assert code == 2 and out == ""
    assert err == 'resosearch: error: unbalanced quote: close the phrase with " or remove the lone "\n'


def test_show_prints_the_same_json_as_parse(capsys, seed_index_dir):
    _, shown, _ = run(capsys, "show", "A/RES/64/1", "--json", "--index", str(seed_index_dir))
    _, parsed, _ = run(capsys, "parse", str(SEEDS["A-RES-64-1.fr.txt"]), "--json")
    assert json.loads(shown) == json.loads(parsed)
    code, _, err = run(capsys, "show", "99/999", "--index", str(seed_index_dir))
    assert code == 2 and "resolution 99/999 is not in the index" in err


def test_build_add_remove_cycle(capsys, tmp_path):
    index = str(tmp_path / "ix")
    code, out, _ = run(capsys, "build", str(SEEDS["A-RES-57-263.fr.txt"]), "--index", index)
    assert code == 0
    assert out.startswith(f"1 resolution, 14 paragraphs indexed in {index} in ")
    code, out, _ = run(capsys, "add", str(SEEDS["A-RES-68-230.fr.txt"]), "--index", index, "--json")
    assert code == 0 and json.loads(out)["paragraphs"] == 24
    code, out, _ = run(capsys, "remove", "57/263", "--index", index)
    assert (code, out) == (0, f"removed 57/263 (14 paragraphs) from {index}\n")
    code, _, err = run(capsys, "remove", "57/263", "--index", index)
    assert code == 2 and "not in the index" in err


@pytest.mark.parametrize("entry", [["resosearch"], [sys.executable, "-m", "resosearch"]])
def test_installed_command_runs(tmp_path, entry):
    if entry == ["resosearch"]:
        from shutil import which

        found = which("resosearch") or str(__import__("pathlib").Path(sys.executable).parent / "resosearch")
        entry = [found]
    env = {"RESOSEARCH_INDEX": str(tmp_path / "ix"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([*entry, "search", "Marrakech", "--json"], capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert {(h["number"], h["ref"]) for h in json.loads(result.stdout)["hits"]} == {
        ("71/318", "PP7"), ("64/1", "PP8")}


def test_index_and_json_may_come_before_the_command(capsys, seed_index_dir):
    index = str(seed_index_dir)
    after = run(capsys, "search", "Nairobi", "--json", "--index", index)
    before = run(capsys, "--index", index, "--json", "search", "Nairobi")
    assert before == after and after[0] == 0 and json.loads(after[1])["total"] > 0
    shown = run(capsys, "--json", "show", "64/1", "--index", index)
    assert shown == run(capsys, "show", "64/1", "--json", "--index", index)
    # The command's own --index wins over one given before it.
    code, _, err = run(capsys, "--index", index, "show", "64/1", "--index", str(seed_index_dir / "nope"))
    assert code == 2 and "nope" in err


def test_options_before_the_command_that_it_cannot_take_are_refused(capsys, seed_index_dir):
    with pytest.raises(SystemExit) as exit_:
        main(["--index", str(seed_index_dir), "parse", str(SEEDS["A-RES-64-1.fr.txt"])])
    assert exit_.value.code == 2
    assert "argument --index: `parse` reads no index" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--json", "show", "64/1", "--akn", "--index", str(seed_index_dir)])
    assert "argument --json: not allowed with argument --akn" in capsys.readouterr().err
