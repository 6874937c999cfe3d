"""What an import tells its caller: the document with per-cell counts and the lines it could not place, or an
error that says what kind of ladder it expected."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from frameworks.markdown_import.builder import Builder


class MarkdownImportError(ValueError):
    """The text holds no ladder the importer can recognise; the message says what was expected."""


@dataclass
class ImportResult:
    document: dict[str, Any]
    counts: list[tuple[str, str, int]] = field(default_factory=list)
    unplaced: list[tuple[int, str]] = field(default_factory=list)


def check_recognised(builder: Builder) -> None:
    if not builder.levels:
        raise MarkdownImportError(
            "found no levels: mark each level with a line such as 'Level 2' or 'P2 |', a heading such as "
            "'## Level 2', or a table row whose first cell is the level."
        )
    if not builder.areas:
        raise MarkdownImportError("found levels but no areas (headings or table columns) to put them in.")
    has_content = any(
        cell.behaviours or cell.summary or cell.not_applicable_line is not None
        for area in builder.areas.values()
        for cell in area.cells.values()
    )
    if not has_content:
        raise MarkdownImportError("found levels and areas but no behaviours (bullet items or table cells).")
