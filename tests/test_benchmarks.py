"""Smoke test of the benchmarks (issue 7): generator and runner at a tiny size.

Only the structure of the output is checked, never timings.
"""

from __future__ import annotations

import json

import pytest
from helpers import benchmark_module


@pytest.fixture(scope="module")
def corpus():
    return benchmark_module("corpus")


@pytest.fixture(scope="module")
def run():
    return benchmark_module("run")


def test_generator_is_deterministic_and_prefix_stable(corpus, tmp_path):
    a = corpus.generate(6, tmp_path / "a", seed=7, workers=1, quiet=True)
    b = corpus.generate(9, tmp_path / "b", seed=7, workers=1, quiet=True)
    first = corpus.read_manifest(a, 6)
    assert [m["path"] for m in first] == [m["path"] for m in corpus.read_manifest(b, 6)]
    for meta in first:
        assert (a / meta["path"]).read_bytes() == (b / meta["path"]).read_bytes()
        assert 1 <= meta["session"] <= 80
        assert meta["refs"] and meta["refs"][0].startswith(("PP", "OP"))
        text = (a / meta["path"]).read_text(encoding="utf-8")
        assert f"{meta['session']}/" in text and "séance plénière" in text


def test_generated_files_parse_as_generated(corpus, tmp_path):
    from resosearch import parse_file

    folder = corpus.generate(12, tmp_path, seed=3, workers=1, quiet=True)
    for meta in corpus.read_manifest(folder, 12):
        res = parse_file(folder / meta["path"])
        assert [p.ref for p in res.paragraphs] == meta["refs"], meta["path"]
        assert res.number == meta["number"]


def test_the_query_mix_is_the_same_in_every_process(run, tmp_path):
    """The mix is seeded; string hashing, which orders sets, is not."""
    import os
    import subprocess
    import sys

    words = ["coopération", "développement", "rapport", "session", "programme", "conseil",
             "assemblée", "secrétaire", "général", "nations", "unies", "mesures"]
    docs = tmp_path / "docs.jsonl"
    with docs.open("w", encoding="utf-8") as fh:
        for i in range(60):
            text = " ".join(words[(i + k) % len(words)] + (" de la" if k % 2 else "")
                            for k in range(8))
            fh.write(json.dumps({"text": text, "resolution": f"{i % 9 + 1}/1", "session": 1,
                                 "year": 1990, "kind": "operative", "verb": "prie"}) + "\n")
    script = ("import json, sys; sys.path.insert(0, sys.argv[1]); import run; "
              "print(json.dumps(run.make_queries(sys.argv[2], 4, 7)))")
    mixes = set()
    for hashseed in ("1", "2", "3"):
        out = subprocess.run([sys.executable, "-c", script, str(run.HERE), str(docs)],
                             capture_output=True, text=True, check=False,
                             env={**os.environ, "PYTHONHASHSEED": hashseed})
        assert out.returncode == 0, out.stderr
        mixes.add(out.stdout)
    assert len(mixes) == 1


def test_runner_output_structure(run, tmp_path):
    engines = [e for e in ("ours", "whoosh", "sqlite", "tantivy") if run.available(e)]
    if "ours" not in engines:
        pytest.skip("resosearch.build_index is not there yet")
    out = tmp_path / "out"
    code = run.main([
        "--sizes", "6", "--engines", ",".join(engines), "--queries-per-class", "1",
        "--cold-runs", "1", "--data-dir", str(tmp_path / "data"), "--out", str(out),
        "--no-plot", "--quiet",
    ])
    assert code == 0
    results = json.loads((out / "results.json").read_text())
    assert results["machine"]["cpus"] >= 1
    (size,) = results["sizes"]
    assert size["resolutions"] == 6 and size["paragraphs"] > 0
    assert size["queries"] == len(run.CLASSES)
    for name in engines:
        er = size["engines"][name]
        assert "error" not in er, er.get("error")
        assert er["build_s"] > 0 and er["index_bytes"] > 0 and er["peak_rss_mb"] > 0
        assert set(er["cold_open"]) == {"import_ms", "open_ms", "first_query_ms"}
        assert set(er["latency"]) >= {"p50", "p95", "p99"}
        assert set(er["by_class"]) == set(run.CLASSES)
    assert "| engine |" in (out / "results.md").read_text()


def test_tantivy_peer_when_installed(run):
    pytest.importorskip("tantivy")
    analyzer = run.Tantivy.analyzer()
    assert analyzer.analyze("Les coopérations") == ["cooper"]


def test_operations_give_whooshs_answers_at_a_tiny_size(capsys):
    """benchmarks/operations.py exits 1 when an answer differs from Whoosh's own way."""
    operations = benchmark_module("operations")
    assert operations.main(["--size", "40", "--repeats", "1"]) == 0
    table = capsys.readouterr().out
    assert table.count("| yes |") == len(operations.OPERATIONS)
    # The command line: one row per command, each run as a new process.
    assert table.count("| `resosearch ") == len(operations.COMMANDS)
    assert "| `resosearch search 'coopération triangulaire' --sort date` |" in table


def test_profiles_report_build_stages_slow_queries_and_bounds(tmp_path):
    """benchmarks/profiles.py at a tiny size: the three reports, the bounds
    table with one row per `and` query of its examples."""
    profiles = benchmark_module("profiles")
    out = tmp_path / "out"
    assert profiles.main(["--size", "30", "--files", "10", "--slowest", "2",
                          "--data-dir", str(tmp_path / "data"), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["bounds.md", "build.txt", "queries.txt"]
    build = (out / "build.txt").read_text()
    assert build.startswith("One building process, 10 files, ")
    queries = (out / "queries.txt").read_text()
    assert queries.startswith("The 2 slowest of 4 queries, each timed once:")
    rows = [line for line in (out / "bounds.md").read_text().splitlines()
            if line.startswith("| ") and not line.startswith("| query")]
    expected = [spec["ours"] for spec in profiles.EXAMPLE_QUERIES if spec["class"] == "and"]
    assert [row.split(" | ")[0].removeprefix("| ") for row in rows] == expected
    for row in rows:
        matches, reachable = (int(cell) for cell in row.split(" | ")[1:3])
        assert 0 < reachable <= matches  # the best themselves can always reach
