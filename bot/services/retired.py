"""A retired behaviour: one a person's evidence or verdict names that their ladder no longer has.

When a ladder file drops a behaviour, nothing recorded against it is deleted: the tag and the
assessment keep their snapshot of the text (`EvidenceTag.behaviour_text`, `Assessment.behaviour_text`),
and every place that shows them (Home's recent evidence, the digest, the packet) marks them with `LABEL`.
A person placed on a level a ladder edit removed keeps working (the level counts as not placed) and is told
so (`removed_levels`, `removed_levels_note`); so is one on a track the edit removed (their milestone then
holds only the behaviours every track shares: `removed_track`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from frameworks import Framework, Library
from storage.uow import UnitOfWork

LABEL = "retired behaviour"


def is_retired(framework: Framework | None, framework_id: str, behaviour_id: str) -> bool:
    """The behaviour was on `framework_id` but the loaded version of that ladder no longer has it."""
    return framework is not None and framework.id == framework_id and framework.find_behaviour(behaviour_id) is None


def shown(text: str, retired: bool) -> str:
    """The snapshot text, marked when the behaviour is retired."""
    return f"{text} ({LABEL})" if retired else text


@dataclass(frozen=True, slots=True)
class RemovedLevel:
    """A level a person is placed on in one area that their loaded ladder no longer has."""

    area: str  # the area's name, or its stored id when the area is gone too
    level: str  # the stored level id


def removed_levels(framework: Framework, levels: Mapping[str, Any] | None) -> tuple[RemovedLevel, ...]:
    """The placed levels `framework` no longer has, in ladder area order (areas it dropped last)."""
    names = {area.id: area.name for area in framework.areas}
    order = {area_id: n for n, area_id in enumerate(names)}
    gone = [(a, str(lv)) for a, lv in (levels or {}).items() if not framework.has_level(str(lv))]
    gone.sort(key=lambda item: (order.get(item[0], len(order)), item[0]))
    return tuple(RemovedLevel(names.get(a, a), lv) for a, lv in gone)


def removed_track(framework: Framework, track: str | None) -> str | None:
    """The person's stored track when `framework` no longer has it, else None."""
    return track if track and not framework.has_track(track) else None


SELF_ADVICE = "ask your growthbot admin, or pick it again with `/ladder setup`."
OTHERS_ADVICE = "they can pick it again with `/ladder setup`."


def removed_levels_note(
    removed: tuple[RemovedLevel, ...],
    whose: str = "Your",
    advice: str = SELF_ADVICE,
    track: str | None = None,
) -> str | None:
    """Plain words for a placement on removed levels or a removed `track`, or None; `whose` is "Your" or
    e.g. "Riley's"."""
    places = [f"level {level} in {_and(areas)}" for level, areas in _by_level(removed).items()]
    if track:
        places.append(f"track “{track}” (only the behaviours every track shares count now)")
    if not places:
        return None
    verb = "is" if len(places) == 1 else "are"
    return f"{whose} {'; '.join(places)} {verb} no longer on the ladder: {advice}"


def _by_level(removed: tuple[RemovedLevel, ...]) -> dict[str, list[str]]:
    by_level: dict[str, list[str]] = {}
    for r in removed:
        by_level.setdefault(r.level, []).append(r.area)
    return by_level


def stranded_parts(framework: Framework, levels: Mapping[str, Any] | None, track: str | None) -> list[str]:
    """What of a placement the loaded ladder no longer has, for admins ("level 2 in Delivery", "track
    staff"); empty when nothing."""
    parts = [f"level {r.level} in {r.area}" for r in removed_levels(framework, levels)]
    gone_track = removed_track(framework, track)
    if gone_track:
        parts.append(f"track {gone_track}")
    return parts


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def placed_on_removed_levels(uow: UnitOfWork, library: Library, framework_ids: Sequence[str]) -> dict[str, str]:
    """Slack user id -> what is wrong, for everyone placed on a level or track one of these (changed)
    ladders no longer has: what an admin is warned about when ladders reload."""
    found: dict[str, str] = {}
    for slack_id, placement in uow.placements.current_on(framework_ids):
        framework = library.get(placement.framework_id)
        if framework is None:
            continue  # a ladder that is gone altogether is reported by the loader itself
        stranded = stranded_parts(framework, placement.levels, placement.track)
        if stranded:
            found[slack_id] = ", ".join(stranded)
    return found


def changed_ladders(before: Library, after: Library) -> list[str]:
    """Ids of ladders whose levels or tracks changed in a reload (the changes that can strand a placement)."""

    def shape(framework: Framework) -> tuple[list[str], list[str]]:
        return [lv.id for lv in framework.levels], [t.id for t in framework.tracks]

    return [f.id for f in after.frameworks if f.id in before and shape(before[f.id]) != shape(f)]
