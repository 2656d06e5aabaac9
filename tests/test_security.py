"""Security: highlighted HTML escapes document text; input is never evaluated or run."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import cli, renumbered, seed_files
from whoosh import index as whoosh_index

import resosearch
from resosearch import store
from resosearch.build import build_index
from resosearch.highlight import render
from resosearch.parse import parse_text
from resosearch.schema import build_schema, documents
from resosearch.search import Index

# Survives the parser, which removes tag-like <…> runs from the source text (see below).
FILE_PAYLOAD = "< script >alert(1)</ script> &lt;b&gt; & co"
TAG_PAYLOAD = '<script>alert("x")</script> & <b onmouseover=\'steal()\'>'
ANCHOR = "Prend acte du rapport du Secrétaire général"


def _resolution_text(payload: str) -> str:
    source = next(p for p in seed_files() if "68-230" in p.name).read_text(encoding="utf-8")
    return renumbered(source, 2000).replace(ANCHOR, f"{ANCHOR} {payload}", 1)


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory) -> Path:
    """An index built from a file whose paragraph holds markup-like text and ``&``."""
    root = tmp_path_factory.mktemp("hostile")
    (root / "hostile.txt").write_text(_resolution_text(FILE_PAYLOAD), encoding="utf-8")
    build_index([root / "hostile.txt"], root / "index")
    return root / "index"


@pytest.fixture(scope="module")
def tag_index(tmp_path_factory) -> Path:
    """An index whose stored paragraph holds a real <script> tag, written through Whoosh.

    The parser strips tags from files, so the paragraph is set on the parsed
    Resolution before indexing: what a tool feeding its own text would store.
    """
    folder = tmp_path_factory.mktemp("tag") / "index"
    folder.mkdir()
    resolution = parse_text(_resolution_text(""), source="tag.txt")
    paragraphs = tuple(replace(p, text=p.text.replace(ANCHOR, f"{ANCHOR} {TAG_PAYLOAD}"))
                       for p in resolution.paragraphs)
    resolution = replace(resolution, paragraphs=paragraphs)
    ix = whoosh_index.create_in(str(folder), build_schema())
    with ix.writer() as writer:
        for doc in documents(resolution):
            writer.add_document(**doc)
    store.write_meta(folder, resolutions=1, paragraphs=len(paragraphs))
    return folder


def _hit_with(index: Index, query: str, needle: str):
    results = index.search(query)
    hits = [h for h in results.hits if needle in h.text]
    assert hits, [h.text[:80] for h in results.hits]
    assert all(needle not in h["highlight"] for h in results.to_dict()["hits"])
    return hits[0]


def test_highlight_escapes_text_from_a_file(hostile_index):
    with Index(hostile_index) as index:
        hit = _hit_with(index, "rapport Secrétaire", "< script >")
    assert "&lt; script &gt;alert(1)&lt;/ script&gt;" in hit.highlight
    assert "&amp;lt;b&amp;gt;" in hit.highlight  # a literal entity stays literal text
    assert " &amp; co" in hit.highlight
    assert "<mark>" in hit.highlight


def test_highlight_escapes_a_stored_script_tag(tag_index):
    with Index(tag_index) as index:
        hit = _hit_with(index, "rapport Secrétaire", "<script>")
    assert "<script>" not in hit.highlight and "<b " not in hit.highlight
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b" in hit.highlight
    assert "&#x27;steal()&#x27;" in hit.highlight
    assert hit.highlight.count("<mark>") >= 1  # our own tags are the only markup
    bare = hit.highlight.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in bare and ">" not in bare


def test_render_escapes_marked_and_unmarked_text():
    text = "a <i>&</i> b"
    assert render(text, [(2, 5)]) == "a <mark>&lt;i&gt;</mark>&amp;&lt;/i&gt; b"
    assert render(text, [], escape=False) == text


def test_queries_are_not_evaluated_or_run(seed_index, tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    monkeypatch.chdir(tmp_path)
    for query in (f"$(touch {marker})", f"`touch {marker}`", f"; touch {marker}",
                  f"__import__('os').system('touch {marker}')", "{0.__class__}", "%s%s%n"):
        try:
            seed_index.search(query)
        except resosearch.errors.QueryError:
            pass
        result = cli("search", query, "--index", str(Path(seed_index.path).resolve()))
        assert result.returncode in (0, 2)
    assert not marker.exists()


def test_library_code_neither_evaluates_nor_shells_out():
    """No eval/exec/os.system/subprocess/pickle in the package itself (Whoosh pickles, see README)."""
    package = Path(resosearch.__file__).parent
    banned_calls = {"eval", "exec", "system", "popen", "Popen", "run", "call", "check_output",
                    "loads", "load"}
    banned_modules = {"subprocess", "pickle", "marshal", "shelve"}
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + ([node.module] if getattr(node, "module", None) else [])
                assert not banned_modules & {n.split(".")[0] for n in names}, (path, names)
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                owner = getattr(getattr(func, "value", None), "id", "")
                if name in ("eval", "exec"):
                    pytest.fail(f"{path.name}:{node.lineno} calls {name}")
                if name in banned_calls and owner in ("os", "subprocess", "pickle", "marshal"):
                    pytest.fail(f"{path.name}:{node.lineno} calls {owner}.{name}")
