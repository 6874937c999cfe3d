"""Promotion: the one way a person's level changes on their ladder.

A promotion (or an org file's level change) closes the open placement and opens the next one (history
kept, `storage.repositories.placements`), and is audited. The next milestone, readiness and the next
prompt follow from the new placement on their own, because they are all read from it. Nothing here is
ever called without a person deciding: nobody is promoted automatically.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.services import focus
from frameworks import Framework
from storage.models import Person, Placement
from storage.uow import UnitOfWork

PROMOTED = "promoted"  # AuditEntry.action
PROMOTION = "promotion"  # Placement.reason


@dataclass(frozen=True, slots=True)
class LevelChange:
    area_id: str
    area_name: str
    from_level: str | None  # level name; None when the area was not placed
    to_level_id: str
    to_level: str  # level name


@dataclass(frozen=True, slots=True)
class PromotionPlan:
    """What a promotion to `level_id` (in one area, or every area) changes."""

    framework: Framework
    level_id: str
    changes: tuple[LevelChange, ...]
    unchanged: tuple[str, ...]  # names of areas already at or above the level
    levels: Mapping[str, str]  # the new level per area

    @property
    def area_ids(self) -> tuple[str, ...]:
        return tuple(change.area_id for change in self.changes)


@dataclass(frozen=True, slots=True)
class NotHigher:
    """The level is not above the person's current one (in the area, or in any area)."""

    level_name: str
    current: str  # the current level name(s)


def plan(
    framework: Framework, levels: Mapping[str, str], *, area_id: str | None, level_id: str
) -> PromotionPlan | NotHigher:
    """Raise the area (or every area below it) to `level_id`; never lowers one. `levels` are the current
    placement's levels, already read forgivingly (removed levels left out)."""
    target = framework.level_index(level_id)
    areas = [framework.area(area_id)] if area_id is not None else list(framework.areas)
    changes, unchanged = [], []
    for area in areas:
        current = levels.get(area.id)
        if current is not None and framework.level_index(current) >= target:
            unchanged.append(area.name)
            continue
        changes.append(
            LevelChange(
                area.id,
                area.name,
                framework.level(current).name if current is not None else None,
                level_id,
                framework.level(level_id).name,
            )
        )
    if not changes:
        names = sorted({framework.level(levels[a.id]).name for a in areas if a.id in levels})
        return NotHigher(framework.level(level_id).name, " / ".join(names) or "not placed")
    new_levels = dict(levels)
    new_levels.update({change.area_id: level_id for change in changes})
    return PromotionPlan(framework, level_id, tuple(changes), tuple(unchanged), new_levels)


def move_placement(
    uow: UnitOfWork,
    person: Person,
    *,
    framework_id: str,
    levels: Mapping[str, str],
    track: str | None,
    reason: str,
    by_slack_id: str | None,
    team_id: str | None,
    now: datetime,
    details: Mapping[str, Any] | None = None,
    framework: Framework | None = None,
) -> Placement:
    """Close the open placement, open the new one and audit it: promotions and imported level changes
    alike (`by_slack_id` None: the CLI). `framework` (the new placement's ladder) lets the person's focus
    follow the new milestone at once; without it, the next read of their focus does."""
    previous = uow.placements.current_for(person.id)
    before = dict(previous.levels or {}) if previous is not None else {}
    placement = uow.placements.open(person.id, framework_id, levels, track=track, reason=reason, now=now)
    focus.settle_on(uow, framework, person.id, placement)  # a focus the new level reached ends here
    uow.audit.record(
        by_slack_id,
        PROMOTED if reason == PROMOTION else "placement_changed",
        person.slack_user_id,
        {
            "reason": reason,
            "framework": framework_id,
            "from_framework": previous.framework_id if previous is not None else None,
            "changed": {a: [before.get(a), lv] for a, lv in levels.items() if before.get(a) != lv},
            **(details or {}),
        },
        workspace_team_id=team_id,
        now=now,
    )
    return placement


def promote(
    uow: UnitOfWork,
    person: Person,
    placement: Placement,
    promotion: PromotionPlan,
    *,
    by_slack_id: str | None,
    team_id: str | None,
    now: datetime,
) -> Placement:
    return move_placement(
        uow,
        person,
        framework_id=promotion.framework.id,
        levels=promotion.levels,
        track=placement.track,
        reason=PROMOTION,
        by_slack_id=by_slack_id,
        team_id=team_id,
        now=now,
        framework=promotion.framework,
    )
