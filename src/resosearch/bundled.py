"""The default corpus shipped inside the package."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def bundled_paths() -> list[Path]:
    """Paths of the bundled resolution files, sorted by name."""
    folder = resources.files("resosearch") / "corpus"
    return sorted(Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(".txt"))
