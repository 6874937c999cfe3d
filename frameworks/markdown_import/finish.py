"""An `ImportedLadder` (from any reader) as a framework document: ids given or kept, counts for the report."""

from __future__ import annotations

import re
from typing import Any

from frameworks.markdown_import.ids import carry_ids
from frameworks.markdown_import.imported import ImportedBehaviour, ImportedLadder, LadderImportError
from frameworks.markdown_import.report import ImportResult
from frameworks.markdown_import.text import slugify

MAX_ID_LENGTH = 64


def check_recognised(ladder: ImportedLadder) -> None:
    if not ladder.levels:
        raise LadderImportError(
            "found no levels: mark each level with a line such as 'Level 2', '**Junior**' or 'P2 |', a heading "
            "such as '## Level 2', a table column named 'Level', or a table row or column of level labels."
        )
    if not ladder.areas:
        raise LadderImportError("found levels but no areas (headings or table columns) to put them in.")
    if not any(c.behaviours or c.summary or c.not_applicable for a in ladder.areas for c in a.cells):
        raise LadderImportError("found levels and areas but no behaviours (bullet items or table cells).")


def finish(
    ladder: ImportedLadder,
    *,
    framework_id: str | None = None,
    source_name: str = "",
    existing: dict[str, Any] | None = None,
) -> ImportResult:
    """The framework document for `ladder`; with `existing` (--into), its ids and prose are kept."""
    check_recognised(ladder)
    _give_ids(ladder, existing or {})
    document = _document(ladder)
    fallback = fallback_name(framework_id, source_name, existing)
    document["name"] = ladder.name or fallback
    document["id"] = framework_id or (existing or {}).get("id") or slugify(document["name"]) or "imported"
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
    unplaced = sorted((u.line, u.text) for u in ladder.unplaced)
    return ImportResult(document=document, counts=counts, unplaced=unplaced, guesses=list(ladder.guesses))


def _give_ids(ladder: ImportedLadder, existing: dict[str, Any]) -> None:
    """Areas without an id get one from their name; areas, groups and tracks named like existing ones keep
    the existing id; ids never clash."""
    for area in ladder.areas:
        if not area.id:
            # "Accountability (previously Organisation & Self-Management)" -> accountability
            area.id = slugify(re.sub(r"\s*\([^)]*\)\s*$", "", area.name)) or slugify(area.name) or "area"
    _adopt(ladder.areas, existing.get("areas", ()))
    group_ids = _adopt(ladder.groups, existing.get("groups", ()))
    track_ids = _adopt(ladder.tracks, existing.get("tracks", ()))
    for area in ladder.areas:
        if area.group:
            area.group = group_ids.get(area.group, area.group)
        for cell in area.cells:
            for behaviour in cell.behaviours:
                if behaviour.track:
                    behaviour.track = track_ids.get(behaviour.track, behaviour.track)


def _adopt(items: list[Any], old_items: Any) -> dict[str, str]:
    """Set each item's id (the old id of the same name where there is one); returns old id -> new id."""
    old = {str(o.get("name", "")).casefold(): o.get("id") for o in old_items if isinstance(o, dict) and o.get("id")}
    reserved = set(old.values())
    taken: set[str] = set()
    renamed: dict[str, str] = {}
    for item in items:
        wanted = old.get(item.name.casefold())
        if not wanted or wanted in taken:
            wanted = item.id if item.id not in reserved and item.id not in taken else _unique(item.id, reserved | taken)
        renamed[item.id] = wanted
        item.id = wanted
        taken.add(wanted)
    return renamed


def _document(ladder: ImportedLadder) -> dict[str, Any]:
    document: dict[str, Any] = {"id": "", "name": ladder.name}
    if ladder.description:
        document["description"] = ladder.description
    document["version"] = 1
    document["levels"] = [{"id": level.id, "name": level.name} for level in ladder.levels]
    if ladder.groups:
        document["groups"] = [_simple(g.id, g.name, g.description) for g in ladder.groups]
    if ladder.tracks:
        document["tracks"] = [_simple(t.id, t.name, t.description) for t in ladder.tracks]
    order = [level.id for level in ladder.levels]
    areas = []
    for area in ladder.areas:
        entry: dict[str, Any] = {"id": area.id, "name": area.name}
        if area.group:
            entry["group"] = area.group
        if area.description:
            entry["description"] = area.description
        if area.examples:
            entry["examples"] = list(area.examples)
        cells = []
        for cell in sorted(area.cells, key=lambda c: order.index(c.level)):
            cell_entry: dict[str, Any] = {"level": cell.level}
            if cell.summary:
                cell_entry["summary"] = cell.summary
            if cell.not_applicable and not cell.behaviours:
                cell_entry["not_applicable"] = True
            numbered = _numbered(area.id, cell.level, cell.behaviours)
            if numbered:
                cell_entry["behaviours"] = numbered
            cells.append(cell_entry)
        if cells:
            entry["cells"] = cells
        areas.append(entry)
    document["areas"] = areas
    return document


def _simple(item_id: str, name: str, description: str) -> dict[str, Any]:
    entry = {"id": item_id, "name": name}
    if description:
        entry["description"] = description
    return entry


def _numbered(area_id: str, level_id: str, behaviours: list[ImportedBehaviour]) -> list[dict[str, Any]]:
    entries = []
    per_track: dict[str | None, int] = {}
    for behaviour in behaviours:
        number = per_track[behaviour.track] = per_track.get(behaviour.track, 0) + 1
        entry: dict[str, Any] = {"id": behaviour_id(area_id, level_id, behaviour.track, number), "text": behaviour.text}
        if behaviour.track:
            entry["track"] = behaviour.track
        if behaviour.qualifier:
            entry["qualifier"] = behaviour.qualifier
        examples = [*behaviour.examples, *behaviour.notes]
        if examples:
            entry["examples"] = examples
        entries.append(entry)
    return entries


def behaviour_id(area_id: str, level_id: str, track_id: str | None, number: int) -> str:
    """`<area>-<level>-<nn>` or `<area>-<level>-<track>-<nn>`, at most 64 characters."""
    tail = "-".join(p for p in (slugify(level_id) or "x", track_id, f"{number:02d}") if p)
    head = area_id[: MAX_ID_LENGTH - len(tail) - 1].rstrip("-")
    return f"{head}-{tail}"


def _unique(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _keep_existing_fields(document: dict[str, Any], existing: dict[str, Any]) -> None:
    """Re-importing into a ladder keeps what the input cannot say: its name, version, status, source,
    descriptions the input lacks, and the level names of levels it still has."""
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
                # a track's description is prose someone wrote for the YAML; the input only has notes for it
                if field_name in before and (field_name not in item or key == "tracks"):
                    item[field_name] = before[field_name]


def fallback_name(framework_id: str | None, source_name: str, existing: dict[str, Any] | None) -> str:
    """The ladder's name when the document has no title: the existing ladder's, the id's, else the file's."""
    if existing and existing.get("name"):
        return str(existing["name"])
    if framework_id:
        return framework_id.replace("-", " ").capitalize()
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", source_name.rsplit("/", 1)[-1])
    return stem.replace("_", " ").replace("-", " ").strip().capitalize() or "Imported ladder"
