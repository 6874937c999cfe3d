"""The importer's entry point: pick the layout, build the document, keep what an existing ladder already says."""

from __future__ import annotations

import re
from typing import Any

from frameworks.markdown_import.builder import Builder
from frameworks.markdown_import.ids import carry_ids
from frameworks.markdown_import.lists import import_lists
from frameworks.markdown_import.report import ImportResult, MarkdownImportError, check_recognised
from frameworks.markdown_import.table import find_table, import_table
from frameworks.markdown_import.text import slugify
from frameworks.markdown_import.tokens import tokenize


def import_markdown(
    text: str,
    *,
    framework_id: str | None = None,
    source_name: str = "",
    existing: dict[str, Any] | None = None,
) -> ImportResult:
    """Parse a Markdown ladder; see the `frameworks.markdown_import` docstring for the layouts and heuristics."""
    if "\x00" in text:
        raise MarkdownImportError("the input looks like a binary file, not Markdown text.")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    if not any(line.strip() for line in lines):
        raise MarkdownImportError("the input is empty.")
    builder = Builder()
    fallback_name = _fallback_name(framework_id, source_name, existing)
    table = find_table(lines)
    if table is not None:
        import_table(lines, table, builder)
    else:
        import_lists(lines, tokenize(lines), builder, fallback_name)
    check_recognised(builder)
    if existing:
        builder.adopt_ids(existing)
    document = builder.document()
    name = builder.name or fallback_name
    document["name"] = name
    document["id"] = framework_id or (existing or {}).get("id") or slugify(name) or "imported"
    if source_name:
        document["source"] = source_name
    if existing:
        _keep_existing_fields(document, existing)
    carry_ids(document, existing or {})
    counts = [
        (area["id"], cell["level"], len(cell.get("behaviours", ())))
        for area in document["areas"]
        for cell in area.get("cells", ())
    ]
    return ImportResult(document=document, counts=counts, unplaced=sorted(builder.unplaced))


def _keep_existing_fields(document: dict[str, Any], existing: dict[str, Any]) -> None:
    """Re-importing into a ladder keeps what Markdown cannot say: its name, version, status, source,
    descriptions the Markdown lacks, and the level names of levels it still has."""
    for key in ("name", "version", "source", "description", "status", "status_note"):
        if key in existing and (key != "description" or key not in document):
            document[key] = existing[key]
    level_names = {str(level.get("id")): level.get("name") for level in existing.get("levels", ())}
    for level in document["levels"]:
        if level_names.get(level["id"]):
            level["name"] = level_names[level["id"]]
    for key in ("groups", "tracks", "areas"):
        old = {item.get("id"): item for item in existing.get(key, ())}
        for item in document.get(key, ()):
            before = old.get(item["id"], {})
            for field_name in ("description", "examples"):
                # a track's description is prose someone wrote for the YAML; Markdown only has notes for it
                if field_name in before and (field_name not in item or key == "tracks"):
                    item[field_name] = before[field_name]


def _fallback_name(framework_id: str | None, source_name: str, existing: dict[str, Any] | None) -> str:
    if existing and existing.get("name"):
        return str(existing["name"])
    if framework_id:
        return framework_id.replace("-", " ").capitalize()
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", source_name.rsplit("/", 1)[-1])
    return stem.replace("_", " ").replace("-", " ").strip().capitalize() or "Imported ladder"
