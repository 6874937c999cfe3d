"""The ladder every reader returns, whatever the input format: what it found, what it guessed, what it left out.

A reader (Markdown here; CSV/TSV/XLSX/JSON/front matter in `frameworks.sheet_import`) is a function

    def read(text: str, *, levels: LevelsAxis | None = None) -> ImportedLadder

that raises `LadderImportError` (with a message saying what it expected) when the text holds no ladder.
It fills plain names and texts; ids are optional: `frameworks.markdown_import.finish.finish` turns the
ladder into a framework document (area and behaviour ids, `--into` ids kept), and the report printed by
`growthbot frameworks import` is built from the same value, so every reader gets the same YAML and report.

Rules a reader follows:
- `levels` lowest first; every `ImportedCell.level` is the `id` of one of them;
- areas and cells in document order; a cell lists its behaviours in document order;
- every line of the input that is not a title, introduction, heading, blank line, table furniture or a
  placed behaviour/summary/description is in `unplaced` with its 1-based line number (row number for sheets);
- every decision the input did not spell out (which axis holds the levels, which heading is the title,
  which column is the behaviour) is a `Guess` with the reason, so `--strict` can refuse it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

LevelsAxis = Literal["rows", "columns"]


class LadderImportError(ValueError):
    """The input holds no ladder the reader can recognise; the message says what was expected."""


@dataclass
class ImportedBehaviour:
    text: str
    line: int | None = None
    examples: list[str] = field(default_factory=list)  # e.g. front matter `exampleCriteria`
    notes: list[str] = field(default_factory=list)  # extra table/sheet columns, as "Column: value"
    track: str | None = None  # a track id from `ImportedLadder.tracks`
    qualifier: str | None = None  # a sub-list label, e.g. "Backend-specific"


@dataclass
class ImportedCell:
    level: str  # an `ImportedLevel.id`
    summary: str = ""
    not_applicable: bool = False
    behaviours: list[ImportedBehaviour] = field(default_factory=list)


@dataclass
class ImportedArea:
    name: str
    id: str = ""  # "" -> derived from the name when the document is written
    group: str | None = None  # an `ImportedGroup.id`
    description: str = ""
    examples: list[str] = field(default_factory=list)
    cells: list[ImportedCell] = field(default_factory=list)

    def cell(self, level: str) -> ImportedCell:
        """The cell for `level`, created (in call order) when missing."""
        for cell in self.cells:
            if cell.level == level:
                return cell
        cell = ImportedCell(level)
        self.cells.append(cell)
        return cell


@dataclass
class ImportedLevel:
    id: str
    name: str


@dataclass
class ImportedGroup:
    id: str
    name: str
    description: str = ""


@dataclass
class ImportedTrack:
    id: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class Guess:
    """A decision the input did not spell out: `what` was decided, `why` (shown to the person importing)."""

    what: str
    why: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.what}, because {self.why}"


@dataclass(frozen=True)
class Unplaced:
    line: int
    text: str


@dataclass
class ImportedLadder:
    format: str  # "markdown", "csv", "tsv", "xlsx", "json", "front-matter"
    name: str = ""  # the document's title; "" -> named after the file
    description: str = ""  # the introduction
    levels: list[ImportedLevel] = field(default_factory=list)
    areas: list[ImportedArea] = field(default_factory=list)
    groups: list[ImportedGroup] = field(default_factory=list)
    tracks: list[ImportedTrack] = field(default_factory=list)
    guesses: list[Guess] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)

    def level(self, level_id: str, name: str | None = None) -> ImportedLevel:
        """The level `level_id`, appended (as the next higher level) when new."""
        for level in self.levels:
            if level.id == level_id:
                return level
        level = ImportedLevel(level_id, name or level_id)
        self.levels.append(level)
        return level

    def area(self, name: str) -> ImportedArea:
        """The area called `name` (case-insensitive), appended when new."""
        for area in self.areas:
            if area.name.casefold() == name.casefold():
                return area
        area = ImportedArea(name)
        self.areas.append(area)
        return area

    def guess(self, what: str, why: str, line: int | None = None) -> None:
        self.guesses.append(Guess(what, why, line))

    def leave_out(self, line: int, text: str) -> None:
        self.unplaced.append(Unplaced(line, text))

    @property
    def behaviour_count(self) -> int:
        return sum(len(cell.behaviours) for area in self.areas for cell in area.cells)
