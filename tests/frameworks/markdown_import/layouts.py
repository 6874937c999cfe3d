"""Readers of an import result for the layout tests: areas, levels and every behaviour text, in order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from frameworks.markdown_import import ImportResult, import_markdown

LAYOUTS_DIR = Path(__file__).resolve().parents[1] / "data" / "md" / "layouts"


def imported(name: str, **options: Any) -> ImportResult:
    return import_markdown((LAYOUTS_DIR / name).read_text(encoding="utf-8"), source_name=name, **options)


def levels(result: ImportResult) -> list[tuple[str, str]]:
    return [(level["id"], level["name"]) for level in result.document["levels"]]


def cells(result: ImportResult) -> dict[tuple[str, str], list[str] | str]:
    """(area name, level id) -> behaviour texts, or "n/a"."""
    found: dict[tuple[str, str], list[str] | str] = {}
    for area in result.document["areas"]:
        for cell in area.get("cells", ()):
            key = (area["name"], cell["level"])
            found[key] = "n/a" if cell.get("not_applicable") else [b["text"] for b in cell.get("behaviours", ())]
    return found


def guesses(result: ImportResult) -> list[str]:
    return [f"{g.what}, because {g.why}" for g in result.guesses]
