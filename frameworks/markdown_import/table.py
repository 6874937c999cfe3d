"""Layout (a): a pipe table with one column per area and a row per level."""

from __future__ import annotations

import re

from frameworks.markdown_import.builder import BehaviourDraft, Builder
from frameworks.markdown_import.imported import LadderImportError as MarkdownImportError
from frameworks.markdown_import.text import clean_name, strip_markup
from frameworks.markdown_import.tokens import HEADING, NOT_APPLICABLE, level_name

_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _split_row(line: str) -> list[str]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [c.strip() for c in re.split(r"(?<!\\)\|", body)]


def _is_emphasised(cell: str) -> bool:
    return bool(re.fullmatch(r"(\*{1,3}|_{1,3})\S.*?\S?\1", cell.strip()))


def _parse_table(lines: list[str], start: int, builder: Builder) -> None:
    header = _split_row(lines[start])
    columns = [strip_markup(c) for c in header[1:]]
    if not any(columns):
        raise MarkdownImportError(f"line {start + 1}: the table header names no areas (one column per area).")
    areas = [builder.area(name) if name else None for name in columns]
    level_id: str | None = None
    for index in range(start + 2, len(lines)):
        number, line = index + 1, lines[index]
        if not line.strip():
            continue
        if not line.lstrip().startswith("|"):
            builder.unplaced.append((number, line.strip()))
            continue
        cells = _split_row(line)
        if len(cells) != len(columns) + 1:
            builder.unplaced.append((number, line.strip()))
            continue
        label, values = strip_markup(cells[0]), cells[1:]
        if not label and not any(values):
            continue
        if label:
            level_id = builder.level(label, level_name(label))
        for area, raw in zip(areas, values, strict=True):
            text = strip_markup(raw)
            if not text:
                continue
            if area is None:
                builder.unplaced.append((number, text))
            elif label:
                cell = builder.cell(area, level_id)  # type: ignore[arg-type]
                if _is_emphasised(raw):
                    cell.summary.append(text)
                elif NOT_APPLICABLE.match(text):
                    cell.not_applicable_line = number
                else:
                    cell.behaviours.append(BehaviourDraft(text, number))
            elif level_id is None:
                area.description.append(text)
            else:
                cell = builder.cell(area, level_id)
                if NOT_APPLICABLE.match(text):
                    cell.not_applicable_line = number
                else:
                    cell.behaviours.append(BehaviourDraft(text, number))


def find_table(lines: list[str]) -> int | None:
    for index in range(len(lines) - 1):
        row, below = lines[index], lines[index + 1]
        if row.lstrip().startswith("|") and _TABLE_SEPARATOR.match(below) and len(_split_row(row)) >= 2:
            return index
    return None


def import_table(lines: list[str], start: int, builder: Builder, levels: str | None = None) -> None:
    for index in range(start):
        line = lines[index].strip()
        if not line:
            continue
        heading = HEADING.match(line)
        if heading and builder.name is None:
            builder.name = clean_name(heading.group(2))
        else:
            builder.description.append(strip_markup(heading.group(2) if heading else line))
    _parse_table(lines, start, builder)
