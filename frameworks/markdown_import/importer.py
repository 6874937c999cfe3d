"""The Markdown reader: pick the layout, build the intermediate ladder; `import_markdown` also writes the document."""

from __future__ import annotations

from typing import Any

from frameworks.markdown_import.builder import Builder
from frameworks.markdown_import.finish import fallback_name, finish
from frameworks.markdown_import.imported import ImportedLadder, LadderImportError, LevelsAxis
from frameworks.markdown_import.lists import import_lists
from frameworks.markdown_import.report import ImportResult
from frameworks.markdown_import.table import find_table, import_table
from frameworks.markdown_import.tokens import tokenize


def read_markdown(text: str, *, levels: LevelsAxis | None = None, fallback_name: str = "") -> ImportedLadder:
    """Parse a Markdown ladder; see the `frameworks.markdown_import` docstring for the layouts and heuristics.

    `levels` says which axis of a matrix table holds the levels (otherwise it is guessed and the guess
    reported); `fallback_name` names the single area of a ladder without area headings when it has no title."""
    if "\x00" in text:
        raise LadderImportError("the input looks like a binary file, not Markdown text.")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    if not any(line.strip() for line in lines):
        raise LadderImportError("the input is empty.")
    builder = Builder()
    table = find_table(lines)
    if table is not None:
        import_table(lines, table, builder, levels)
    else:
        import_lists(lines, tokenize(lines), builder, fallback_name or "Imported ladder")
    return builder.ladder("markdown")


def import_markdown(
    text: str,
    *,
    framework_id: str | None = None,
    source_name: str = "",
    existing: dict[str, Any] | None = None,
    levels: LevelsAxis | None = None,
) -> ImportResult:
    """Read Markdown and write the framework document (ids kept from `existing`)."""
    ladder = read_markdown(text, levels=levels, fallback_name=fallback_name(framework_id, source_name, existing))
    return finish(ladder, framework_id=framework_id, source_name=source_name, existing=existing)
