"""Applying a plan: only what differs from the database is written, and each change is reported."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.services import consent, promotions, prompt_controls
from bot.services.people_import.planning import ImportDefaults, ImportPlan, PlannedPerson
from bot.services.people_import.snapshot import Snapshot, load_snapshot
from bot.services.prompt_controls import FirstSlot
from bot.services.slots import day_and_time
from frameworks import Framework
from storage.models import Cadence, ManagerLinkStatus, Person, Placement, PromptSchedule
from storage.repositories.people import AddedPerson, NewPerson
from storage.repositories.placements import FirstPlacement
from storage.uow import UnitOfWork


@dataclass(slots=True)
class ImportReport:
    team_id: str
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    added: int = 0

    @property
    def change_count(self) -> int:
        return len(self.changes)

    def summary(self) -> str:
        count = self.change_count
        lines = [f"{count} change{'s' if count != 1 else ''}"]
        lines += [f"  {change}" for change in self.changes]
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)


def apply_import(uow: UnitOfWork, plan: ImportPlan, now: datetime) -> ImportReport:
    """Write only what differs from the database. Flushes; the caller's unit of work commits.

    People the database does not hold yet (everyone, in a first import) are written together, their
    placements, prompt slots and manager requests too: one INSERT (a COPY on PostgreSQL) per table
    whatever the number of rows, not several statements per person. Their outcome and report lines are
    what the one-by-one paths gave someone new; people already known take those paths (`_apply_person`).
    """
    report = ImportReport(plan.team_id)
    workspace = uow.workspaces.get_or_create(plan.team_id)
    stored = plan.stored or load_snapshot(uow, workspace)
    new = [planned for planned in plan.people if planned.slack_user_id not in stored.by_slack_id]
    added = _add_people(uow, workspace.id, new, plan.defaults)
    people: dict[str, Person] = {}
    firsts = _Firsts()
    for planned in plan.people:
        if planned.slack_user_id in added:
            _first_settings(added[planned.slack_user_id], planned, plan.defaults, report, firsts)
            continue
        person, tz_changed = _apply_person(uow, planned, report, now, stored)
        people[planned.slack_user_id] = person
        _apply_placement(uow, person, planned, report, now, stored.placements.get(person.id))
        schedule = stored.schedules.get(person.id)
        _apply_schedule(uow, person, planned, plan.defaults, report, now, schedule, tz_changed=tz_changed)
    uow.placements.open_first_many(firsts.placements, reason="import", now=now)
    prompt_controls.first_slots(uow, firsts.slots, now)
    first_managers: list[tuple[AddedPerson, Person | AddedPerson]] = []
    for planned in plan.people:
        if planned.manager_slack_id is None:
            continue
        manager = added.get(planned.manager_slack_id) or stored.by_slack_id.get(planned.manager_slack_id)
        assert manager is not None  # plan_import checked it exists
        new_report = added.get(planned.slack_user_id)
        if new_report is not None:  # no link of theirs to keep, supersede or find declined
            first_managers.append((new_report, manager))
            report.changes.append(f"{_label(new_report)}: {_named(new_report, manager)}")
            continue
        person = people[planned.slack_user_id]
        if isinstance(manager, AddedPerson):  # someone known names someone new: the one-by-one path
            manager = uow.people.get(manager.id)
            assert manager is not None
        if not stored.has_open_link(person, manager):
            _apply_manager(uow, person, manager, report, now)
    consent.ask_first_managers(uow, first_managers, now)
    uow.flush()
    return report


def _label(person: Person | AddedPerson) -> str:
    return f"{person.slack_user_id} ({person.display_name})" if person.display_name else person.slack_user_id


def _named(person: Person | AddedPerson, manager: Person | AddedPerson) -> str:
    return f"manager {_label(manager)} named, waiting for {person.slack_user_id}'s consent"


@dataclass(slots=True)
class _Firsts:
    """First placements and prompt slots of the people just added, written together."""

    placements: list[FirstPlacement] = field(default_factory=list)
    slots: list[FirstSlot] = field(default_factory=list)


def _add_people(
    uow: UnitOfWork, workspace_id: int, new: list[PlannedPerson], defaults: ImportDefaults
) -> dict[str, AddedPerson]:
    rows = [
        NewPerson(
            slack_user_id=planned.slack_user_id,
            imported_name=planned.name,
            slack_real_name=planned.slack_real_name,
            slack_display_name=planned.slack_display_name,
            email=planned.email,
            tz=planned.timezone or planned.slack_timezone or defaults.timezone,
        )
        for planned in new
    ]
    return {person.slack_user_id: person for person in uow.people.add_many(workspace_id, rows)}


def _first_settings(
    person: AddedPerson, planned: PlannedPerson, defaults: ImportDefaults, report: ImportReport, firsts: _Firsts
) -> None:
    """Someone just added: their report lines, and their placement and slot queued for the batch."""
    label = _label(person)
    report.added += 1
    report.changes.append(f"added {label}")
    if planned.framework is not None and planned.levels is not None:
        firsts.placements.append(FirstPlacement(person.id, planned.framework.id, planned.levels, planned.track))
        report.changes.append(f"{label}: placed on {planned.framework.id} at {_levels_text(planned.levels)}")
    weekday = planned.weekday if planned.weekday is not None else defaults.weekday
    local_time = planned.local_time or defaults.local_time
    firsts.slots.append(FirstSlot(person.id, person.tz, weekday, local_time))
    report.changes.append(f"{label}: prompts on {day_and_time(weekday, local_time)}")


def _apply_person(
    uow: UnitOfWork, planned: PlannedPerson, report: ImportReport, now: datetime, stored: Snapshot
) -> tuple[Person, bool]:
    """Someone the database holds: (person, whether their time zone changed)."""
    person = stored.by_slack_id[planned.slack_user_id]
    label = _label(person)
    tz_changed = planned.timezone is not None and planned.timezone != person.tz
    for attribute, wanted, what in (
        ("imported_name", planned.name, "name"),
        ("email", planned.email, "email"),
        ("tz", planned.timezone, "time zone"),
    ):
        current = getattr(person, attribute)
        if wanted is not None and wanted != current:
            setattr(person, attribute, wanted)
            report.changes.append(f"{label}: {what} {current or '(none)'} → {wanted}")
    if planned.slack_real_name or planned.slack_display_name:  # what Slack said while resolving the row
        person.slack_real_name, person.slack_display_name = planned.slack_real_name, planned.slack_display_name
    if not person.active:
        prompt_controls.mark_active(uow, person, now)
        report.changes.append(f"{label}: active again")
    return person, tz_changed


def _apply_placement(
    uow: UnitOfWork,
    person: Person,
    planned: PlannedPerson,
    report: ImportReport,
    now: datetime,
    current: Placement | None,
) -> None:
    if planned.framework is None or planned.levels is None:
        return
    framework, levels = planned.framework, planned.levels
    if current is not None and (current.framework_id, current.levels, current.track) == (
        framework.id,
        levels,
        planned.track,
    ):
        return
    label = _label(person)
    if current is None:
        reason = "import"
        what = f"placed on {framework.id} at {_levels_text(levels)}"
    elif current.framework_id != framework.id:
        reason = "framework change"
        what = f"moved from {current.framework_id} to {framework.id} at {_levels_text(levels)}"
    else:
        before = {area: framework.level_index(lv) for area, lv in current.levels.items() if lv in _level_ids(framework)}
        after = {area: framework.level_index(lv) for area, lv in levels.items()}
        raised = [area for area in after if after[area] > before.get(area, -1)]
        lowered = [area for area in after if area in before and after[area] < before[area]]
        if raised and not lowered:
            reason = promotions.PROMOTION
        elif current.levels != levels:
            reason = "level change"
        else:
            reason = "track change"
        what = f"{reason} on {framework.id}: {_levels_diff(current.levels, levels)}"
        if current.track != planned.track:
            what += f" (track {current.track or 'none'} → {planned.track or 'none'})"
    if current is None:
        uow.placements.open(person.id, framework.id, levels, track=planned.track, reason=reason, now=now)
    else:  # a level, ladder or track change: the same path (history, audit) as a promotion from Slack
        promotions.move_placement(
            uow,
            person,
            framework_id=framework.id,
            levels=levels,
            track=planned.track,
            reason=reason,
            by_slack_id=None,
            team_id=report.team_id,
            now=now,
            details={"source": "people import"},
            framework=framework,
        )
    report.changes.append(f"{label}: {what}")


def _level_ids(framework: Framework) -> set[str]:
    return {level.id for level in framework.levels}


def _levels_text(levels: Mapping[str, str]) -> str:
    distinct = set(levels.values())
    if len(distinct) == 1:
        return f"level {next(iter(distinct))}"
    return ", ".join(f"{area}={level}" for area, level in levels.items())


def _levels_diff(before: Mapping[str, str], after: Mapping[str, str]) -> str:
    changed = [
        f"{area} {before.get(area, '-')} → {level}" for area, level in after.items() if before.get(area) != level
    ]
    return ", ".join(changed) or "same levels"


def _apply_schedule(
    uow: UnitOfWork,
    person: Person,
    planned: PlannedPerson,
    defaults: ImportDefaults,
    report: ImportReport,
    now: datetime,
    schedule: PromptSchedule | None,
    *,
    tz_changed: bool,
) -> None:
    """The file's prompt slot; next_due_at comes from prompt_controls, as everywhere (pause and snooze kept)."""
    label = _label(person)
    if schedule is None:
        weekday = planned.weekday if planned.weekday is not None else defaults.weekday
        local_time = planned.local_time or defaults.local_time
        prompt_controls.move_slot(
            uow, person, weekday=weekday, local_time=local_time, cadence=Cadence.WEEKLY, anchor_date=None, now=now
        )
        report.changes.append(f"{label}: prompts on {day_and_time(weekday, local_time)}")
        return
    weekday = planned.weekday if planned.weekday is not None else schedule.weekday
    local_time = planned.local_time or schedule.local_time
    if (weekday, local_time) != (schedule.weekday, schedule.local_time):
        before = day_and_time(schedule.weekday, schedule.local_time)
        prompt_controls.move_slot(
            uow,
            person,
            weekday=weekday,
            local_time=local_time,
            cadence=schedule.cadence,
            anchor_date=schedule.anchor_date,
            now=now,
        )
        report.changes.append(f"{label}: prompts {before} → {day_and_time(weekday, local_time)}")
    elif tz_changed:
        prompt_controls.refresh_next_due(uow, person, now)


def _apply_manager(uow: UnitOfWork, person: Person, manager: Person, report: ImportReport, now: datetime) -> None:
    """Name the file's manager (bot.services.consent.change_manager: the current one stays until the
    person accepts). A file is imported again and again, so someone who declined is not asked again."""
    label = _label(person)
    latest = uow.managers.latest_between(person.id, manager.id)
    if latest is not None and latest.status is ManagerLinkStatus.DECLINED:
        report.notes.append(
            f"{label} declined {_label(manager)} as manager on {latest.decided_at or latest.created_at:%Y-%m-%d}; "
            "not asked again (they can add them from the bot)"
        )
        return
    change = consent.change_manager(uow, report=person, manager=manager, requested_by=None, now=now)
    if not change.asked:
        return
    named = f"{label}: {_named(person, manager)}"
    if change.kept is not None:
        named += f"; {_label(change.kept.manager)} stays their manager until then"
    report.changes.append(named)
