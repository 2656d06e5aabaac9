"""The README's library example prints exactly the output the README shows."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_library_example_prints_its_real_output(tmp_path, monkeypatch):
    text = README.read_text(encoding="utf-8")
    code = re.search(r"```python\n(from resosearch import open_index\n.*?)```", text, re.S).group(1)
    shown = re.search(r"Real output:\n\n```\n(.*?)```", text, re.S).group(1)
    monkeypatch.chdir(tmp_path)  # open_index() builds ./index from the bundled corpus
    monkeypatch.delenv("RESOSEARCH_INDEX", raising=False)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, str(README), "exec"), {})  # noqa: S102 - our own README
    assert printed.getvalue() == shown
