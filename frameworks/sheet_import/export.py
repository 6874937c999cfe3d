"""A loaded ladder written out for people to edit in a spreadsheet (CSV, XLSX) or a wiki (Markdown).

The CSV and XLSX hold one row per behaviour in the columns the long-form reader knows (Area, Level,
Level name, Behaviour, Track, Qualifier, Examples, Summary), so `frameworks import --into` reads them
back with the same areas, levels, tracks and, through the id-keeping rule, the same behaviour ids.
"""

from __future__ import annotations

import csv
import io
import re

from frameworks.model import Framework
from frameworks.sheet_import.xlsx import openpyxl_module

COLUMNS = ("Area", "Level", "Level name", "Behaviour", "Track", "Qualifier", "Examples", "Summary")
EXPORT_FORMATS = ("md", "csv", "xlsx")


def ladder_rows(framework: Framework) -> list[list[str]]:
    level_names = {level.id: level.name for level in framework.levels}
    track_names = {track.id: track.name for track in framework.tracks}
    rows: list[list[str]] = []
    seen = list(dict.fromkeys(cell.level_id for area in framework.areas for cell in area.cells))
    if seen != [level.id for level in framework.levels]:
        # a level with no cells yet, or first seen out of order: rows with only a level declare the order
        rows += [["", level.id, level.name, "", "", "", "", ""] for level in framework.levels]
    for area in framework.areas:
        for cell in area.cells:
            base = [area.name, cell.level_id, level_names.get(cell.level_id, cell.level_id)]
            summary = cell.summary or ""
            if cell.not_applicable:
                rows.append([*base, "N/A", "", "", "", summary])
                continue
            if not cell.behaviours and summary:
                rows.append([*base, "", "", "", "", summary])
            for number, behaviour in enumerate(cell.behaviours):
                rows.append(
                    [
                        *base,
                        behaviour.text,
                        track_names.get(behaviour.track, "") if behaviour.track else "",
                        behaviour.qualifier or "",
                        "\n".join(behaviour.examples),
                        summary if number == 0 else "",
                    ]
                )
    return rows


def to_csv(framework: Framework) -> str:
    """UTF-8 with a byte-order mark, so Excel opens accents and emoji correctly."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([framework.name])
    writer.writerow(COLUMNS)
    writer.writerows(ladder_rows(framework))
    return "\ufeff" + buffer.getvalue()


def to_xlsx(framework: Framework) -> bytes:
    openpyxl = openpyxl_module()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Ladder"
    sheet.append([framework.name])
    sheet.append(list(COLUMNS))
    for row in ladder_rows(framework):
        sheet.append(row)
    for column, width in zip("ABCDEFGH", (24, 8, 20, 80, 16, 16, 40, 40), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_markdown(framework: Framework) -> str:
    """Area headings with a level heading per cell and its behaviours as bullets (the headings layout)."""
    lines = [f"# {framework.name}", ""]
    if framework.description:
        lines += [framework.description, ""]
    level_names = {level.id: level.name for level in framework.levels}
    track_names = {track.id: track.name for track in framework.tracks}
    for area in framework.areas:
        lines += [f"## {area.name}", ""]
        if area.description:
            lines += [area.description, ""]
        for example in area.examples:
            lines += [f"Example: {example}", ""]
        for cell in area.cells:
            lines += [f"### {_level_heading(cell.level_id, level_names.get(cell.level_id, cell.level_id))}", ""]
            if cell.summary:
                lines += [cell.summary, ""]
            if cell.not_applicable:
                lines += ["N/A", ""]
                continue
            heading: tuple[str | None, str | None] = (None, None)
            for behaviour in cell.behaviours:
                key = (behaviour.track, behaviour.qualifier)
                if key != heading and key != (None, None):
                    label = track_names.get(behaviour.track, "") if behaviour.track else behaviour.qualifier
                    lines += ["", f"{label}", ""]
                heading = key
                lines.append(f"- {behaviour.text}")
                lines.extend(f"  - Example: {example}" for example in behaviour.examples)
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _level_heading(level_id: str, name: str) -> str:
    if re.fullmatch(r"\d{1,2}|[IVX]{1,5}", level_id):
        return f"Level {level_id}" if name in (level_id, f"Level {level_id}") else f"Level {level_id}: {name}"
    return level_id if name == level_id else f"{level_id}: {name}"
