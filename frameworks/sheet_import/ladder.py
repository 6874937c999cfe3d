"""What every non-Markdown reader finds, and the one adapter that turns it into the Markdown importer's result.

Readers fill a `SheetLadder` (levels in order, areas with cells, behaviours with their examples) and say
what they guessed and what they could not place; `to_import_result` is the only place that knows how the
Markdown importer builds, names and id-keeps a document, so reconciling with its shared structure means
changing this one function.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from frameworks.markdown_import import ImportResult, LadderImportError, MarkdownImportError
from frameworks.markdown_import.builder import BehaviourDraft, Builder
from frameworks.markdown_import.finish import finish
from frameworks.markdown_import.imported import Guess, Unplaced


class SheetImportError(MarkdownImportError):
    """The file holds no ladder the reader recognises (or cannot be read); the message says what was expected."""


@dataclass
class SheetBehaviour:
    text: str
    line: int
    track: str | None = None  # the track's name, as a person writes it
    qualifier: str | None = None
    examples: list[str] = field(default_factory=list)


@dataclass
class SheetCell:
    summary: list[str] = field(default_factory=list)
    not_applicable: bool = False
    behaviours: list[SheetBehaviour] = field(default_factory=list)


@dataclass
class SheetArea:
    name: str
    description: str | None = None
    cells: dict[str, SheetCell] = field(default_factory=dict)


@dataclass
class SheetLadder:
    name: str | None = None
    description: list[str] = field(default_factory=list)
    levels: dict[str, str] = field(default_factory=dict)  # label -> name, lowest first
    areas: dict[str, SheetArea] = field(default_factory=dict)  # casefolded name -> area
    guesses: list[Guess] = field(default_factory=list)
    unplaced: list[tuple[int, str]] = field(default_factory=list)

    def guess(self, what: str, why: str, line: int | None = None) -> None:
        self.guesses.append(Guess(what, why, line))

    def level(self, label: str, name: str | None = None) -> str:
        label = label.strip()
        if label not in self.levels or (name and self.levels[label] == level_name(label)):
            self.levels[label] = name.strip() if name and name.strip() else level_name(label)
        return label

    def area(self, name: str) -> SheetArea:
        key = name.strip().casefold()
        if key not in self.areas:
            self.areas[key] = SheetArea(name.strip())
        return self.areas[key]

    def cell(self, area_name: str, level_label: str) -> SheetCell:
        return self.area(area_name).cells.setdefault(level_label, SheetCell())


@dataclass
class SheetImportResult(ImportResult):
    """What a sheet, JSON or front-matter reader found: the same as a Markdown import's."""


def level_name(label: str) -> str:
    return f"Level {label}" if re.fullmatch(r"\d{1,2}|[IVXivx]{1,5}", label) else label


def to_import_result(
    ladder: SheetLadder,
    *,
    framework_id: str | None = None,
    source_name: str = "",
    existing: dict[str, Any] | None = None,
    fmt: str = "csv",
) -> SheetImportResult:
    """The document every reader gets (frameworks.markdown_import.finish), keeping an existing ladder's ids
    and fields; a level written by its name in a sheet is the existing level of that name."""
    levels = _existing_level_ids(ladder, existing)
    builder = Builder()
    builder.name = ladder.name
    builder.description = list(ladder.description)
    for label, name in ladder.levels.items():
        builder.level(levels.get(label, label), name)
    for sheet_area in ladder.areas.values():
        area = builder.area(sheet_area.name)
        if sheet_area.description:
            area.description.append(sheet_area.description)
        for label, sheet_cell in sheet_area.cells.items():
            cell = builder.cell(area, levels.get(label, label))
            cell.summary.extend(sheet_cell.summary)
            if sheet_cell.not_applicable:
                cell.not_applicable_line = sheet_cell.behaviours[0].line if sheet_cell.behaviours else 0
            for item in sheet_cell.behaviours:
                track = builder.track(item.track) if item.track else None
                cell.behaviours.append(BehaviourDraft(item.text, item.line, track, item.qualifier, list(item.examples)))
    imported = builder.ladder(fmt)
    imported.unplaced.extend(Unplaced(line, text) for line, text in ladder.unplaced)
    try:
        result = finish(imported, framework_id=framework_id, source_name=source_name, existing=existing)
    except LadderImportError as error:
        raise SheetImportError(str(error)) from None
    return SheetImportResult(result.document, result.counts, result.unplaced, list(ladder.guesses))


def _existing_level_ids(ladder: SheetLadder, existing: dict[str, Any] | None) -> dict[str, str]:
    """A level written by its name ("Senior Engineer") in a spreadsheet is the existing level of that name."""
    if not existing:
        return {}
    known: dict[str, str] = {}
    for level in existing.get("levels", ()):
        level_id = str(level.get("id"))
        known.setdefault(level_id.casefold(), level_id)
        known.setdefault(str(level.get("name", "")).casefold(), level_id)
    return {label: known[label.casefold()] for label in ladder.levels if label.casefold() in known}
