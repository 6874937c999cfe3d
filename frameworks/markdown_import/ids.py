"""Behaviour ids kept across re-imports: the same or nearly the same text keeps its id, new ids never reuse old ones."""

from __future__ import annotations

import re
from typing import Any

from frameworks.similarity import SIMILARITY_THRESHOLD
from frameworks.similarity import text_similarity as _ratio


def _flatten(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every behaviour with its position: area, level, track, index in cell."""
    found = []
    for area in document.get("areas", ()):
        for cell in area.get("cells", ()) or ():
            for position, behaviour in enumerate(cell.get("behaviours", ()) or ()):
                found.append(
                    {
                        "ref": behaviour,
                        "area": area.get("id"),
                        "area_name": str(area.get("name", "")).casefold(),
                        "level": str(cell.get("level")),
                        "track": behaviour.get("track"),
                        "position": position,
                        "id": behaviour.get("id"),
                        "text": str(behaviour.get("text", "")),
                    }
                )
    return found


def carry_ids(document: dict[str, Any], existing: dict[str, Any]) -> None:
    """Reuse existing ids for the same or nearly the same text; fresh ids never collide with old ones."""
    new = _flatten(document)
    old = [b for b in _flatten(existing) if b["id"]]
    old_ids = {b["id"] for b in old}
    assigned: dict[int, str] = {}
    used: set[str] = set()

    def match(pairs_in_scope: bool) -> None:
        candidates = []
        for n, item in enumerate(new):
            if n in assigned:
                continue
            for o in old:
                if o["id"] in used:
                    continue
                if pairs_in_scope and o["area_name"] != item["area_name"]:
                    continue
                ratio = _ratio(item["text"], o["text"])
                if ratio >= SIMILARITY_THRESHOLD:
                    key = (
                        ratio,
                        o["level"] == item["level"] and o["track"] == item["track"],
                        -abs(o["position"] - item["position"]),
                    )
                    candidates.append((key, n, o["id"]))
        for _key, n, old_id in sorted(candidates, key=lambda c: c[0], reverse=True):
            if n in assigned or old_id in used:
                continue
            assigned[n] = old_id
            used.add(old_id)

    if old:
        match(pairs_in_scope=True)
        match(pairs_in_scope=False)
    taken = set(old_ids)
    taken.update(assigned.values())
    for n, item in enumerate(new):
        behaviour = item["ref"]
        if n in assigned:
            behaviour["id"] = assigned[n]
            continue
        wanted = behaviour["id"]
        if wanted in taken:
            # after the highest number the prefix ever had, so a deleted behaviour's id is not handed out again
            prefix = wanted.rpartition("-")[0]
            numbers = [int(m.group(1)) for i in taken if (m := re.fullmatch(re.escape(prefix) + r"-(\d+)", i))]
            number = max(numbers, default=0) + 1
            wanted = f"{prefix}-{number:02d}"
        behaviour["id"] = wanted
        taken.add(wanted)
