"""A grid of cells (a CSV, TSV or XLSX sheet) read as a ladder: long (a row per behaviour) or wide (areas x levels).

Long: a header naming an area, a level and a behaviour column (any order, common synonyms), optional
level name, track, qualifier, summary and examples columns; blank area or level cells repeat the one
above (merged cells in the spreadsheet). Wide: a header row and a first column, one of them levels and
the other areas (whichever reads more like level labels, or `levels=`); a cell holds the behaviours of
that area at that level, one per line. Lines above the header with one cell are the title and
introduction; rows that fit neither layout (trailing notes, a stray value) are reported, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from frameworks.sheet_import.cells import behaviours_in, is_not_applicable, level_share, sample
from frameworks.sheet_import.ladder import SheetBehaviour, SheetImportError, SheetLadder

Row = tuple[int, list[str]]  # (line or row number, cells)
LevelsAxis = Literal["rows", "columns"]

_ROLES: dict[str, re.Pattern[str]] = {
    "level_name": re.compile(r"^(?:level|grade|band)\s*(?:name|title)$|^title$|^role$", re.IGNORECASE),
    "area": re.compile(
        r"^(?:area|areas|competency|competencies|category|topic|dimension|pillar|skill|skills|theme|axis)$",
        re.IGNORECASE,
    ),
    "level": re.compile(r"^(?:level|levels|grade|band|rank|seniority|milestone|tier|level id)$", re.IGNORECASE),
    "behaviour": re.compile(
        r"^(?:behaviou?rs?|expectations?|criteria|criterion|description|statement|indicators?|"
        r"competency description|what good looks like)$",
        re.IGNORECASE,
    ),
    "track": re.compile(r"^(?:track|path|specialism|specialisation|specialization)$", re.IGNORECASE),
    "qualifier": re.compile(r"^(?:qualifier|applies to|scope)$", re.IGNORECASE),
    "summary": re.compile(r"^(?:summary|level summary|cell summary)$", re.IGNORECASE),
    "examples": re.compile(r"^(?:examples?|evidence examples?)$", re.IGNORECASE),
}


def read_grid(rows: Sequence[Row], *, fallback_area: str, levels: LevelsAxis | None = None) -> SheetLadder:
    rows = [(n, [c.strip() for c in cells]) for n, cells in rows]
    rows = [(n, _trim(cells)) for n, cells in rows if any(cells)]
    if not rows:
        raise SheetImportError("the sheet is empty.")
    ladder = SheetLadder()
    start = _header_index(rows)
    if start is None:
        raise SheetImportError(
            "found no header row: the first row with two or more cells should name the columns "
            "(Area, Level, Behaviour) or list the levels (or areas) across."
        )
    for n, cells in rows[:start]:
        if ladder.name is None:
            ladder.name = cells[0]
            ladder.guess(f"'{cells[0]}' is the ladder's name", "it is above the table", n)
        else:
            ladder.description.append(" ".join(c for c in cells if c))
    header_line, header = rows[start]
    body = rows[start + 1 :]
    roles = _roles(header)
    if "behaviour" in roles and ("level" in roles or "area" in roles):
        if levels:
            ladder.guess(
                f"--levels {levels} was not used",
                "this is a long sheet (one row per behaviour, a column names its level); --levels is for a "
                "grid of areas x levels",
            )
        _read_long(ladder, header_line, header, roles, body, fallback_area)
    else:
        _read_wide(ladder, header, body, levels)
    return ladder


def _trim(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells = cells[:-1]
    return cells


def _header_index(rows: list[Row]) -> int | None:
    for index, (_n, cells) in enumerate(rows):
        if sum(1 for c in cells if c) >= 2 or (len(cells) >= 2 and index > 0):
            return index
    return None


def _roles(header: list[str]) -> dict[str, int]:
    roles: dict[str, int] = {}
    for index, name in enumerate(header):
        cleaned = re.sub(r"[*_`:]", "", name).strip()
        for role, pattern in _ROLES.items():
            if role not in roles and pattern.match(cleaned):
                roles[role] = index
                break
    return roles


def _read_long(
    ladder: SheetLadder, header_line: int, header: list[str], roles: dict[str, int], body: list[Row], fallback: str
) -> None:
    known = set(roles.values())
    ignored = [(i, name) for i, name in enumerate(header) if i not in known and name]
    described = ", ".join(f"{name} = {header[index]!r}" for name, index in roles.items())
    ladder.guess("one behaviour per row", f"this line names the columns: {described}", header_line)
    if "area" not in roles:
        ladder.guess(f"every behaviour is in one area, '{fallback}'", "there is no area column", header_line)
    if "level" not in roles:
        raise SheetImportError(f"line {header_line}: found an area and a behaviour column but no level column.")

    def value(cells: list[str], role: str) -> str:
        index = roles.get(role)
        return cells[index] if index is not None and index < len(cells) else ""

    area_name = fallback if "area" not in roles else ""
    level = ""
    carried = 0
    ignored_values = {i: 0 for i, _ in ignored}
    for n, cells in body:
        area_cell, level_cell, text = value(cells, "area"), value(cells, "level"), value(cells, "behaviour")
        summary, examples = value(cells, "summary"), value(cells, "examples")
        if level_cell and not area_cell and not text and not summary:
            ladder.level(level_cell, value(cells, "level_name"))  # a row that only declares a level
            continue
        if not level_cell and not text and not summary:
            # a notes row under the table, or a value in a column that is not read
            ladder.unplaced.append((n, " | ".join(c for c in cells if c)))
            continue
        if area_cell:
            area_name = area_cell
        if level_cell:
            level = ladder.level(level_cell, value(cells, "level_name"))
        elif area_name and level:
            carried += 1
        if not area_name or not level:
            ladder.unplaced.append((n, " | ".join(c for c in cells if c)))
            continue
        if not area_cell and "area" in roles:
            carried += 1
        for i in ignored_values:
            if i < len(cells) and cells[i]:
                ignored_values[i] += 1
        cell = ladder.cell(area_name, level)
        if summary:
            cell.summary.append(summary)
        if text and is_not_applicable(text):
            cell.not_applicable = True
            continue
        for item in behaviours_in(text):
            behaviour = ladder_behaviour(item, n, value(cells, "track"), value(cells, "qualifier"), examples)
            cell.behaviours.append(behaviour)
    if carried:
        ladder.guess(
            f"{carried} row(s) with a blank area or level cell belong to the one above",
            "that is how a sheet with merged cells exports",
        )
    for index, name in ignored:
        if ignored_values[index]:
            count = ignored_values[index]
            ladder.guess(f"column {name!r} ({count} values) not imported", "it is not a ladder field", header_line)


def ladder_behaviour(text: str, line: int, track: str, qualifier: str, examples: str) -> SheetBehaviour:
    return SheetBehaviour(text, line, track or None, qualifier or None, behaviours_in(examples) if examples else [])


def _read_wide(ladder: SheetLadder, header: list[str], body: list[Row], levels: LevelsAxis | None) -> None:
    across = header[1:]
    down = [cells[0] if cells else "" for _n, cells in body]
    if levels is None:
        across_share, down_share = level_share(across), level_share(down)
        levels = "rows" if down_share > across_share else "columns"
        labels = down if levels == "rows" else across
        other = across if levels == "rows" else down
        if max(across_share, down_share) == 0:
            reason = "neither the header nor the first column looks like level labels; pass --levels to say which"
        else:
            reason = f"{sample(labels)} look like level labels and {sample(other)} do not"
        ladder.guess(f"levels are the {levels}", reason)
    else:
        ladder.guess(f"levels are the {levels}", f"--levels {levels} says so")
    if levels == "columns":
        for label in across:
            if label:
                ladder.level(label)
    current = ""
    for n, cells in body:
        first = cells[0] if cells else ""
        rest = cells[1:]
        if not any(rest):
            # a row label with nothing across: a notes or footer line, not an area or level
            ladder.unplaced.append((n, first))
            continue
        if first:
            current = first
            if levels == "rows":
                ladder.level(first)
        if not current:
            ladder.unplaced.append((n, " | ".join(c for c in cells if c)))
            continue
        for index, text in enumerate(rest):
            if not text:
                continue
            if index >= len(across) or not across[index]:
                ladder.unplaced.append((n, text))
                continue
            area, level = (across[index], current) if levels == "rows" else (current, across[index])
            cell = ladder.cell(area, level)
            if is_not_applicable(text):
                cell.not_applicable = True
                continue
            cell.behaviours.extend(ladder_behaviour(item, n, "", "", "") for item in behaviours_in(text))
