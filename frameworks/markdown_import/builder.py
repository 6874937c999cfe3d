"""What the layouts find, collected per area, level and cell, and turned into a framework document."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from frameworks.markdown_import.imported import (
    Guess,
    ImportedArea,
    ImportedBehaviour,
    ImportedCell,
    ImportedGroup,
    ImportedLadder,
    ImportedLevel,
    ImportedTrack,
    Unplaced,
)
from frameworks.markdown_import.text import slugify


@dataclass
class BehaviourDraft:
    text: str
    line: int
    track: str | None = None
    qualifier: str | None = None
    examples: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class CellDraft:
    summary: list[str] = field(default_factory=list)
    not_applicable_line: int | None = None
    behaviours: list[BehaviourDraft] = field(default_factory=list)


@dataclass
class AreaDraft:
    id: str
    name: str
    group: str | None = None
    description: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    cells: dict[str, CellDraft] = field(default_factory=dict)
    roles: list[str] = field(default_factory=list)


class Builder:
    def __init__(self) -> None:
        self.name: str | None = None
        self.description: list[str] = []
        self.levels: dict[str, str] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        self.tracks: dict[str, dict[str, Any]] = {}
        self.areas: dict[str, AreaDraft] = {}
        self.unplaced: list[tuple[int, str]] = []
        self.guesses: list[Guess] = []

    def level(self, label: str, name: str) -> str:
        level_id = label.strip()
        self.levels.setdefault(level_id, name)
        return level_id

    def guess(self, what: str, why: str, line: int | None = None) -> None:
        if not any(g.what == what and g.why == why for g in self.guesses):
            self.guesses.append(Guess(what, why, line))

    def area(self, name: str, group: str | None = None) -> AreaDraft:
        key = name.casefold()
        for area in self.areas.values():
            if area.name.casefold() == key:
                return area
        # "Accountability (previously Organisation & Self-Management)" -> accountability
        area_id = _unique(slugify(re.sub(r"\s*\([^)]*\)\s*$", "", name)) or slugify(name) or "area", self.areas)
        area = self.areas[area_id] = AreaDraft(area_id, name, group)
        return area

    def group(self, name: str) -> str:
        for group_id, group in self.groups.items():
            if group["name"].casefold() == name.casefold():
                return group_id
        group_id = _unique(slugify(name) or "group", self.groups)
        self.groups[group_id] = {"id": group_id, "name": name}
        return group_id

    def track(self, name: str) -> str:
        for track_id, track in self.tracks.items():
            if track["name"].casefold() == name.casefold():
                return track_id
        slug = slugify(name)
        shorter = re.sub(r"-(?:engineers?|developers?)$", "", slug)
        track_id = _unique(shorter or slug or "track", self.tracks)
        self.tracks[track_id] = {"id": track_id, "name": name}
        return track_id

    def track_note(self, track_id: str, note: str) -> None:
        track = self.tracks[track_id]
        notes = track.setdefault("_notes", [])
        if note not in notes:
            notes.append(note)

    def cell(self, area: AreaDraft, level_id: str) -> CellDraft:
        return area.cells.setdefault(level_id, CellDraft())

    def ladder(self, fmt: str = "markdown") -> ImportedLadder:
        """What the layouts found, as the intermediate ladder every reader returns."""
        ladder = ImportedLadder(fmt, name=self.name or "", description="\n\n".join(self.description))
        ladder.levels = [ImportedLevel(level_id, name) for level_id, name in self.levels.items()]
        ladder.groups = [ImportedGroup(g["id"], g["name"], g.get("description", "")) for g in self.groups.values()]
        ladder.tracks = [ImportedTrack(t["id"], t["name"], " ".join(t.get("_notes", ()))) for t in self.tracks.values()]
        for draft in self.areas.values():
            area = ImportedArea(draft.name, draft.id, draft.group, "\n\n".join(draft.description), list(draft.examples))
            for level_id, cell in draft.cells.items():
                if cell.not_applicable_line is not None and cell.behaviours:
                    # "N/A" next to behaviours: keep the behaviours, report the N/A
                    self.unplaced.append((cell.not_applicable_line, "N/A"))
                area.cells.append(
                    ImportedCell(
                        level_id,
                        summary=" ".join(cell.summary),
                        not_applicable=cell.not_applicable_line is not None,
                        behaviours=[
                            ImportedBehaviour(b.text, b.line, b.examples, b.notes, b.track, b.qualifier)
                            for b in cell.behaviours
                        ],
                    )
                )
            ladder.areas.append(area)
        ladder.unplaced = [Unplaced(line, text) for line, text in self.unplaced]
        ladder.guesses = list(self.guesses)
        return ladder


def _unique(base: str, taken: dict[str, Any] | set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate
