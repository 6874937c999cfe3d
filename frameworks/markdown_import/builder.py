"""What the layouts find, collected per area, level and cell, and turned into a framework document."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from frameworks.markdown_import.text import slugify

MAX_ID_LENGTH = 64


@dataclass
class BehaviourDraft:
    text: str
    line: int
    track: str | None = None
    qualifier: str | None = None


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

    def level(self, label: str, name: str) -> str:
        level_id = label.strip()
        self.levels.setdefault(level_id, name)
        return level_id

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

    def adopt_ids(self, existing: dict[str, Any]) -> None:
        """Keep the ids an existing document gave to areas, groups and tracks of the same name."""
        self.areas = _adopt(self.areas, existing.get("areas", ()), lambda area, new_id: setattr(area, "id", new_id))
        groups = _adopt(self.groups, existing.get("groups", ()), lambda group, new_id: group.update(id=new_id))
        tracks = _adopt(self.tracks, existing.get("tracks", ()), lambda track, new_id: track.update(id=new_id))
        group_ids = {old: group["id"] for old, group in zip(self.groups, groups.values(), strict=True)}
        track_ids = {old: track["id"] for old, track in zip(self.tracks, tracks.values(), strict=True)}
        self.groups, self.tracks = groups, tracks
        for area in self.areas.values():
            area.group = group_ids.get(area.group, area.group) if area.group else None
            for cell in area.cells.values():
                for behaviour in cell.behaviours:
                    behaviour.track = track_ids.get(behaviour.track, behaviour.track) if behaviour.track else None

    def cell(self, area: AreaDraft, level_id: str) -> CellDraft:
        return area.cells.setdefault(level_id, CellDraft())

    def document(self) -> dict[str, Any]:
        document: dict[str, Any] = {"id": "", "name": self.name or ""}
        if self.description:
            document["description"] = "\n\n".join(self.description)
        document["version"] = 1
        document["levels"] = [{"id": level_id, "name": name} for level_id, name in self.levels.items()]
        if self.groups:
            document["groups"] = list(self.groups.values())
        if self.tracks:
            tracks = []
            for track in self.tracks.values():
                entry = {"id": track["id"], "name": track["name"]}
                if track.get("_notes"):
                    entry["description"] = " ".join(track["_notes"])
                tracks.append(entry)
            document["tracks"] = tracks
        order = list(self.levels)
        areas = []
        for area in self.areas.values():
            entry: dict[str, Any] = {"id": area.id, "name": area.name}
            if area.group:
                entry["group"] = area.group
            if area.description:
                entry["description"] = "\n\n".join(area.description)
            if area.examples:
                entry["examples"] = list(area.examples)
            cells = []
            for level_id in sorted(area.cells, key=order.index):
                cell = area.cells[level_id]
                cell_entry: dict[str, Any] = {"level": level_id}
                if cell.summary:
                    cell_entry["summary"] = " ".join(cell.summary)
                if cell.not_applicable_line is not None:
                    if cell.behaviours:  # "N/A" next to behaviours: keep the behaviours, report the N/A
                        self.unplaced.append((cell.not_applicable_line, "N/A"))
                    else:
                        cell_entry["not_applicable"] = True
                behaviours = [_behaviour_entry(area.id, level_id, cell.behaviours, b) for b in cell.behaviours]
                if behaviours:
                    cell_entry["behaviours"] = behaviours
                cells.append(cell_entry)
            if cells:
                entry["cells"] = cells
            areas.append(entry)
        document["areas"] = areas
        return document


def _adopt(items: dict[str, Any], old_items: Any, set_id: Any) -> dict[str, Any]:
    """Re-key `items` (by id) so that an item named like an old one takes the old id; no id clashes."""
    old = {str(o.get("name", "")).casefold(): o.get("id") for o in old_items if o.get("id")}
    reserved = set(old.values())
    result: dict[str, Any] = {}
    for item_id, item in items.items():
        name = (item.name if isinstance(item, AreaDraft) else item["name"]).casefold()
        wanted = old.get(name)
        if not wanted or wanted in result:
            wanted = item_id if item_id not in reserved and item_id not in result else None
            wanted = wanted or _unique(item_id, reserved | set(result))
        set_id(item, wanted)
        result[wanted] = item
    return result


def _behaviour_entry(area_id: str, level_id: str, siblings: list[BehaviourDraft], behaviour: BehaviourDraft) -> dict:
    same_track = [b for b in siblings if b.track == behaviour.track]
    number = same_track.index(behaviour) + 1
    entry: dict[str, Any] = {"id": behaviour_id(area_id, level_id, behaviour.track, number), "text": behaviour.text}
    if behaviour.track:
        entry["track"] = behaviour.track
    if behaviour.qualifier:
        entry["qualifier"] = behaviour.qualifier
    return entry


def behaviour_id(area_id: str, level_id: str, track_id: str | None, number: int) -> str:
    """`<area>-<level>-<nn>` or `<area>-<level>-<track>-<nn>`, at most 64 characters."""
    tail = "-".join(p for p in (slugify(level_id) or "x", track_id, f"{number:02d}") if p)
    head = area_id[: MAX_ID_LENGTH - len(tail) - 1].rstrip("-")
    return f"{head}-{tail}"


def _unique(base: str, taken: dict[str, Any] | set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate
