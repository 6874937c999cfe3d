"""A retired behaviour: one a person's evidence or verdict names that their ladder no longer has.

When a ladder file drops a behaviour, nothing recorded against it is deleted: the tag and the
assessment keep their snapshot of the text (`EvidenceTag.behaviour_text`, `Assessment.behaviour_text`),
and every place that shows them (Home's recent evidence, the digest, the packet) marks them with `LABEL`.
A person placed on a level a ladder edit removed keeps working (the level counts as not placed) and is told
so (`removed_levels`, `removed_levels_note`).
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


SELF_ADVICE = "ask your growthbot admin, or pick it again with `/ladder setup`."
OTHERS_ADVICE = "they can pick it again with `/ladder setup`."


def removed_levels_note(
    removed: tuple[RemovedLevel, ...], whose: str = "Your", advice: str = SELF_ADVICE
) -> str | None:
    """Plain words for a placement on removed levels, or None; `whose` is "Your" or e.g. "Riley's"."""
    if not removed:
        return None
    by_level: dict[str, list[str]] = {}
    for r in removed:
        by_level.setdefault(r.level, []).append(r.area)
    places = "; ".join(f"level {level} in {_and(areas)}" for level, areas in by_level.items())
    verb = "is" if len(by_level) == 1 else "are"
    return f"{whose} {places} {verb} no longer on the ladder: {advice}"


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def placed_on_removed_levels(uow: UnitOfWork, library: Library, framework_ids: Sequence[str]) -> dict[str, str]:
    """Slack user id -> what is wrong, for everyone placed on a level one of these (changed) ladders no
    longer has: what an admin is warned about when ladders reload."""
    found: dict[str, str] = {}
    for slack_id, placement in uow.placements.current_on(framework_ids):
        framework = library.get(placement.framework_id)
        if framework is None:
            continue  # a ladder that is gone altogether is reported by the loader itself
        removed = removed_levels(framework, placement.levels)
        if removed:
            found[slack_id] = ", ".join(f"level {r.level} in {r.area}" for r in removed)
    return found


def changed_ladders(before: Library, after: Library) -> list[str]:
    """Ids of ladders whose levels changed in a reload (the only change that can strand a placement)."""
    return [
        framework.id
        for framework in after.frameworks
        if framework.id in before
        and [lv.id for lv in before[framework.id].levels] != [lv.id for lv in framework.levels]
    ]
