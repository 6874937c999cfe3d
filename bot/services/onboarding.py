"""Setting someone up: which ladder and level, when to ask them, who their manager is.

`validate` turns a submitted form into a `SetupChoice` or per-field errors; `save_setup` stores it in
one unit of work. A second submission of the same choice changes nothing (no duplicate rows).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time

from bot.services import consent, prompt_controls
from bot.services.actor import Actor
from bot.services.people import SlackProfile, refresh_person
from bot.settings import Settings
from frameworks import Framework, Library
from frameworks.lookups import AmbiguousMatch, match_area, match_level
from storage.models import Cadence, Person
from storage.uow import UnitOfWork, UnitOfWorkFactory

# Up to this many areas the modal shows one select per area; beyond it, one "area = level" text box
# (a modal holds at most 100 blocks).
MAX_AREA_SELECTS = 20
_OVERRIDE_LINE = re.compile(r"^\s*(?P<area>[^=:]+?)\s*[=:]\s*(?P<level>.+?)\s*$")


@dataclass(frozen=True, slots=True)
class SetupForm:
    """What the person submitted, not yet checked. Field names follow the modal's inputs."""

    framework_id: str | None
    level_id: str | None
    track: str | None = None
    area_levels: Mapping[str, str] = field(default_factory=dict)  # per-area selects (mode "selects")
    overrides_text: str | None = None  # "area = level" lines (mode "text")
    weekday: int | None = None
    local_time: time | None = None
    manager_user_id: str | None = None


@dataclass(frozen=True, slots=True)
class SetupChoice:
    framework_id: str
    track: str | None
    levels: dict[str, str]  # every area of the framework
    weekday: int
    local_time: time
    manager_user_id: str | None


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str  # "framework", "level", "track", "overrides", "weekday", "time", "manager" or "area:<id>"
    message: str


@dataclass(frozen=True, slots=True)
class Prefill:
    """The modal's starting values: the person's current setup, or the defaults."""

    framework_id: str | None
    level_id: str | None
    track: str | None
    overrides: dict[str, str]
    weekday: int
    local_time: time
    manager_user_id: str | None
    tz: str | None
    is_new: bool


def uses_area_selects(framework: Framework) -> bool:
    return framework.area_count <= MAX_AREA_SELECTS


def base_level(framework: Framework, levels: Mapping[str, str]) -> str | None:
    """The level most areas are at (ties: the lower), so overrides are the exceptions."""
    counts: dict[str, int] = {}
    for level in levels.values():
        if framework.has_level(level):
            counts[level] = counts.get(level, 0) + 1
    if not counts:
        return None
    return max(counts, key=lambda lv: (counts[lv], -framework.level_index(lv)))


def prefill_for(uow_factory: UnitOfWorkFactory, library: Library, settings: Settings, actor: Actor) -> Prefill:
    """The setup modal's starting values for the acting person."""
    with uow_factory() as uow:
        person = actor.person(uow)
        placement = uow.placements.current_for(person.id) if person else None
        schedule = uow.schedules.get_for(person.id) if person else None
        manager_id = _current_manager_slack_id(uow, person.id) if person else None
        framework = library.get(placement.framework_id) if placement else None
        if framework is None and library:
            framework = library.frameworks[0]
        level = overrides = None
        if placement is not None and framework is not None and placement.framework_id == framework.id:
            level = base_level(framework, placement.levels)
            overrides = {a: lv for a, lv in placement.levels.items() if lv != level and framework.find_area(a)}
        return Prefill(
            framework_id=framework.id if framework else None,
            level_id=level,
            track=placement.track if placement else None,
            overrides=overrides or {},
            weekday=schedule.weekday if schedule else settings.default_prompt_weekday_index,
            local_time=schedule.local_time if schedule else settings.default_prompt_time,
            manager_user_id=manager_id,
            tz=person.tz if person else None,
            is_new=placement is None,
        )


def _current_manager_slack_id(uow: UnitOfWork, person_id: int) -> str | None:
    link = uow.managers.active_link_of(person_id)
    pending = uow.managers.pending_for(person_id)
    chosen = pending[0] if pending else link
    if chosen is None:
        return None
    manager = uow.people.get(chosen.manager_id)
    return manager.slack_user_id if manager else None


def parse_overrides(framework: Framework, text: str) -> tuple[dict[str, str], list[str]]:
    """`"delivery = III\\ndesign: iv"` -> ({area id: level id}, problems); matching is forgiving."""
    found: dict[str, str] = {}
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        match = _OVERRIDE_LINE.match(raw)
        if match is None:
            problems.append(f"line {number}: write it as `area = level`")
            continue
        try:
            area = match_area(framework, match["area"])
            level = match_level(framework, match["level"])
        except AmbiguousMatch as error:
            problems.append(f"line {number}: “{error.text[:40]}” could be several {error.kind}s")
            continue
        if area is None:
            problems.append(f"line {number}: no area “{match['area'][:40]}”")
        elif level is None:
            problems.append(f"line {number}: no level “{match['level'][:40]}”")
        elif area.id in found and found[area.id] != level.id:
            problems.append(f"line {number}: {area.name} is given twice")
        else:
            found[area.id] = level.id
    return found, problems


def validate(
    form: SetupForm,
    library: Library,
    user_id: str,
    bot_user_id: str | None = None,
    manager_profile: SlackProfile | None = None,
) -> SetupChoice | list[FieldError]:
    """The choice, or every problem found (messages are plain text for Slack's inline errors).

    `manager_profile` is Slack's profile of the picked manager, when it could be read: a bot or a
    deactivated account can't be anyone's manager (the user picker offers both)."""
    errors: list[FieldError] = []
    framework = library.get(form.framework_id) if form.framework_id else None
    if framework is None:
        return [FieldError("framework", "Pick a ladder from the list.")]
    if not form.level_id or not framework.has_level(form.level_id):
        errors.append(FieldError("level", f"Pick one of the levels of {framework.name}."))
    if form.track and not framework.has_track(form.track):
        errors.append(FieldError("track", f"{framework.name} has no such track."))
    overrides: dict[str, str] = {}
    for area_id, level_id in form.area_levels.items():
        if framework.find_area(area_id) is None:
            errors.append(FieldError(f"area:{area_id}", f"{framework.name} has no such area any more."))
        elif not framework.has_level(level_id):
            errors.append(FieldError(f"area:{area_id}", f"Pick one of the levels of {framework.name}."))
        else:
            overrides[area_id] = level_id
    if form.overrides_text:
        parsed, problems = parse_overrides(framework, form.overrides_text)
        if problems:
            errors.append(FieldError("overrides", _join_problems(problems)))
        overrides.update(parsed)
    if form.weekday is None or not 0 <= form.weekday <= 6:
        errors.append(FieldError("weekday", "Pick a day of the week."))
    if form.local_time is None:
        errors.append(FieldError("time", "Pick a time."))
    if form.manager_user_id and form.manager_user_id == user_id:
        errors.append(FieldError("manager", "You can't be your own manager; leave this empty if you have none."))
    elif form.manager_user_id and bot_user_id and form.manager_user_id == bot_user_id:
        errors.append(FieldError("manager", "growthbot can't be your manager; pick a person or leave it empty."))
    elif manager_profile is not None and manager_profile.user_id == form.manager_user_id:
        if manager_profile.is_bot:
            errors.append(FieldError("manager", "That's a bot, not a person; pick your manager or leave it empty."))
        elif manager_profile.deleted:
            errors.append(
                FieldError("manager", "That Slack account is deactivated; pick your current manager or leave it empty.")
            )
    if errors:
        return errors
    assert form.level_id and form.weekday is not None and form.local_time is not None
    levels = {area.id: overrides.get(area.id, form.level_id) for area in framework.areas}
    return SetupChoice(framework.id, form.track or None, levels, form.weekday, form.local_time, form.manager_user_id)


def _join_problems(problems: list[str]) -> str:
    text = "; ".join(problems[:5])
    if len(problems) > 5:
        text += f"; and {len(problems) - 5} more"
    return text[:1900]


@dataclass(frozen=True, slots=True)
class SetupResult:
    person_id: int
    person_created: bool
    placement_changed: bool
    next_due_at: datetime | None
    manager_person_id: int | None


def save_setup(
    uow_factory: UnitOfWorkFactory,
    *,
    team_id: str,
    profile: SlackProfile,
    choice: SetupChoice,
    now: datetime,
) -> SetupResult:
    """Store the whole setup at once: person, placement, schedule and a PENDING manager link.

    The manager link waits for the report's consent (another feature sends that request). Saving the
    same choice twice leaves the database as it was after the first save.
    """
    with uow_factory() as uow:
        workspace = uow.workspaces.get_or_create(team_id)
        person, created = refresh_person(uow, workspace.id, profile, now=now)
        if not person.active and not profile.deleted:
            prompt_controls.mark_active(uow, person, now)  # setting up again means "prompt me"
        placement = uow.placements.current_for(person.id)
        changed = placement is None or (
            placement.framework_id != choice.framework_id
            or dict(placement.levels) != choice.levels
            or (placement.track or None) != choice.track
        )
        if changed:
            uow.placements.open(
                person.id, choice.framework_id, choice.levels, track=choice.track, reason="setup", now=now
            )
        schedule = uow.schedules.get_for(person.id)
        same_slot = schedule is not None and (schedule.weekday, schedule.local_time) == (
            choice.weekday,
            choice.local_time,
        )
        if schedule is None or not same_slot or schedule.next_due_at is None:
            # A new slot keeps a pause (the next prompt comes after it) and ends a snooze of the old slot.
            schedule = prompt_controls.move_slot(
                uow,
                person,
                weekday=choice.weekday,
                local_time=choice.local_time,
                cadence=schedule.cadence if schedule else Cadence.WEEKLY,
                anchor_date=schedule.anchor_date if schedule else None,
                now=now,
            )
        next_due = schedule.next_due_at
        manager_id = _link_manager(uow, workspace.id, person, choice.manager_user_id, now)
        return SetupResult(person.id, created, changed, next_due, manager_id)


def _link_manager(
    uow: UnitOfWork, workspace_id: int, person: Person, manager_user_id: str | None, now: datetime
) -> int | None:
    """The manager the person named (the field cleared: they no longer name one)."""
    manager = uow.people.get_or_add(workspace_id, manager_user_id)[0] if manager_user_id else None
    consent.change_manager(uow, report=person, manager=manager, requested_by=person, now=now)
    return manager.id if manager is not None else None
