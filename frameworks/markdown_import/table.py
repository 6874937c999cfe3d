"""Layout (a): pipe tables, as a matrix (levels as rows or as columns) or in long form (one row per behaviour)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from frameworks.markdown_import.builder import AreaDraft, BehaviourDraft, Builder
from frameworks.markdown_import.imported import LadderImportError
from frameworks.markdown_import.labels import (
    AREA_HEADERS,
    BEHAVIOUR_HEADERS,
    EXAMPLE_HEADERS,
    LEVEL_HEADERS,
    header_key,
    looks_like_level,
    split_level_label,
)
from frameworks.markdown_import.text import clean_name, split_cell, strip_markup
from frameworks.markdown_import.tokens import HEADING, NOT_APPLICABLE

_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")


@dataclass
class _Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number, raw cells) of the rows with the header's width
    end: int  # index of the first line after the table


def _split_row(line: str) -> list[str]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [c.strip() for c in re.split(r"(?<!\\)\|", body)]


def _is_emphasised(cell: str) -> bool:
    return bool(re.fullmatch(r"(\*{1,3}|_{1,3})\S.*?\S?\1", cell.strip()))


def _is_table_start(lines: list[str], index: int) -> bool:
    if index + 1 >= len(lines):
        return False
    row, below = lines[index], lines[index + 1]
    return row.lstrip().startswith("|") and bool(_TABLE_SEPARATOR.match(below)) and len(_split_row(row)) >= 2


def find_table(lines: list[str]) -> int | None:
    return next((i for i in range(len(lines) - 1) if _is_table_start(lines, i)), None)


def _read_table(lines: list[str], start: int, builder: Builder) -> _Table:
    header = _split_row(lines[start])
    rows = []
    index = start + 2
    while index < len(lines) and lines[index].lstrip().startswith("|"):
        cells = _split_row(lines[index])
        if len(cells) != len(header):
            builder.unplaced.append((index + 1, lines[index].strip()))
        elif any(strip_markup(c) for c in cells):
            rows.append((index + 1, cells))
        index += 1
    return _Table(header, rows, index)


def import_table(lines: list[str], start: int, builder: Builder, levels: str | None = None) -> None:
    """Every table of the document; text before the first is the title and introduction, a heading right
    above a table without an area column names its area, anything else is reported."""
    section: str | None = None
    for index in range(start):
        line = lines[index].strip()
        if not line:
            continue
        heading = HEADING.match(line)
        if heading and builder.name is None:
            builder.name = clean_name(heading.group(2))
        elif heading:
            section = clean_name(heading.group(2))
        else:
            builder.description.append(strip_markup(line))
    index = start
    while index < len(lines):
        if _is_table_start(lines, index):
            table = _read_table(lines, index, builder)
            _import_one(table, builder, levels, section, index + 1)
            index = table.end
            continue
        line = lines[index].strip()
        heading = HEADING.match(line)
        if heading:
            section = clean_name(heading.group(2))
        elif line and not re.fullmatch(r"[-*_\s]{3,}", line):
            builder.unplaced.append((index + 1, line))
        index += 1


def _import_one(table: _Table, builder: Builder, levels: str | None, section: str | None, line: int) -> None:
    keys = [header_key(c) for c in table.header]
    level_col = next((i for i, k in enumerate(keys) if k in LEVEL_HEADERS), None)
    area_col = next((i for i, k in enumerate(keys) if k in AREA_HEADERS), None)
    named_behaviour = next((i for i, k in enumerate(keys) if k in BEHAVIOUR_HEADERS), None)
    if level_col is not None and (area_col is not None or named_behaviour is not None):
        if levels:
            builder.guess(
                f"--levels {levels} was not used for this table",
                "it is a long table (a Level column names each row's level); --levels is for a matrix",
                line,
            )
        _long_form(table, builder, keys, level_col, area_col, named_behaviour, section, line)
        return
    if not any(keys[1:]):
        raise LadderImportError(f"line {line}: the table header names no areas or levels (one column per area).")
    _matrix(table, builder, _orientation(table, builder, keys, levels, line), section)


def _orientation(table: _Table, builder: Builder, keys: list[str], levels: str | None, line: int) -> str:
    if levels:
        return levels
    if keys[0] in LEVEL_HEADERS:
        return "rows"
    if keys[0] in AREA_HEADERS:
        return "columns"
    columns = [strip_markup(c) for c in table.header[1:] if strip_markup(c)]
    rows = [strip_markup(cells[0]) for _n, cells in table.rows if strip_markup(cells[0])]
    column_share = sum(map(looks_like_level, columns)) / max(len(columns), 1)
    row_share = sum(map(looks_like_level, rows)) / max(len(rows), 1)
    if column_share > row_share:
        builder.guess(
            "levels are the columns",
            f"{_sample(columns)} look like level labels (use --levels rows if they are areas)",
            line,
        )
        return "columns"
    if row_share > column_share:
        builder.guess(
            "levels are the rows",
            f"{_sample(rows)} look like level labels and the header's {_sample(columns)} do not "
            "(use --levels columns if the header holds the levels)",
            line,
        )
        return "rows"
    builder.guess(
        "levels are the rows",
        "neither the header nor the first column looks like level labels; the header is read as areas "
        "(use --levels columns if not)",
        line,
    )
    return "rows"


def _sample(labels: list[str]) -> str:
    shown = ", ".join(labels[:3])
    return shown + (", …" if len(labels) > 3 else "")


def _add_cell(builder: Builder, area: AreaDraft, level_id: str, raw: str, number: int, *, summaries: bool) -> None:
    text = strip_markup(raw)
    if not text:
        return
    cell = builder.cell(area, level_id)
    if NOT_APPLICABLE.match(text):
        cell.not_applicable_line = number
    elif summaries and _is_emphasised(raw) and "<br" not in raw.lower():
        cell.summary.append(text)
    else:
        cell.behaviours.extend(BehaviourDraft(part, number) for part in split_cell(raw))


def _matrix(table: _Table, builder: Builder, orientation: str, section: str | None) -> None:
    labels = [strip_markup(c) for c in table.header[1:]]
    if orientation == "columns":
        level_ids = [builder.level(*split_level_label(label)) if label else None for label in labels]
        area: AreaDraft | None = None
        for number, cells in table.rows:
            label = strip_markup(cells[0])
            if label:
                area = builder.area(label)
            if area is None:
                builder.unplaced.append((number, " | ".join(strip_markup(c) for c in cells if strip_markup(c))))
                continue
            for level_id, raw in zip(level_ids, cells[1:], strict=True):
                if level_id is None:
                    if strip_markup(raw):
                        builder.unplaced.append((number, strip_markup(raw)))
                    continue
                _add_cell(builder, area, level_id, raw, number, summaries=True)
        return
    areas = [builder.area(name) if name else None for name in labels]
    level_id: str | None = None
    for number, cells in table.rows:
        label, values = strip_markup(cells[0]), cells[1:]
        if label:
            level_id = builder.level(*split_level_label(label))
        for area_draft, raw in zip(areas, values, strict=True):
            text = strip_markup(raw)
            if not text:
                continue
            if area_draft is None:
                builder.unplaced.append((number, text))
            elif level_id is None:
                area_draft.description.append(text)
            else:
                _add_cell(builder, area_draft, level_id, raw, number, summaries=bool(label))


def _long_form(
    table: _Table,
    builder: Builder,
    keys: list[str],
    level_col: int,
    area_col: int | None,
    named_behaviour: int | None,
    section: str | None,
    line: int,
) -> None:
    others = [i for i in range(len(keys)) if i not in (level_col, area_col)]
    behaviour_col = named_behaviour if named_behaviour is not None else others[0]
    if named_behaviour is None:
        builder.guess(
            f"the {table.header[behaviour_col]!r} column holds the behaviours",
            "it is the first column that is neither the area nor the level",
            line,
        )
    extra = [i for i in others if i != behaviour_col]
    single_area = None
    if area_col is None:
        single_area = section or builder.name or "Ladder"
        if section is None:
            builder.guess(
                f"one area, {single_area!r}",
                "the table has no area column and no heading above it names an area",
                line,
            )
    area_name = level_label = ""
    inherited = False
    for number, cells in table.rows:
        if area_col is not None:
            given = strip_markup(cells[area_col])
            inherited |= not given and bool(area_name)
            area_name = given or area_name
        given_level = strip_markup(cells[level_col])
        inherited |= not given_level and bool(level_label)
        level_label = given_level or level_label
        name = single_area or area_name
        if not name or not level_label:
            builder.unplaced.append((number, " | ".join(strip_markup(c) for c in cells if strip_markup(c))))
            continue
        area = builder.area(name)
        level_id = builder.level(*split_level_label(level_label))
        before = len(area.cells[level_id].behaviours) if level_id in area.cells else 0
        _add_cell(builder, area, level_id, cells[behaviour_col], number, summaries=False)
        added = area.cells[level_id].behaviours[before:] if level_id in area.cells else []
        for i in extra:
            value = strip_markup(cells[i])
            if not value:
                continue
            if not added:
                builder.unplaced.append((number, value))
                continue
            examples = header_key(table.header[i]) in EXAMPLE_HEADERS
            for draft in added:
                if examples:
                    draft.examples.extend(split_cell(cells[i]))
                else:
                    draft.notes.append(f"{strip_markup(table.header[i])}: {value}")
    if inherited:
        builder.guess(
            "a blank Area or Level cell repeats the row above",
            "rows of a long-form table with the cell left empty continue the area or level above them",
            line,
        )
