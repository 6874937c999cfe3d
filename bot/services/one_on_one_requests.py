"""What a manager asks of their 1:1s from Slack (`/ladder 1on1`, the App Home modal): schedule one with
a report, list them, remove one, and what the scheduling form offers.

Only someone's current (consented) manager can set their 1:1; anyone else is refused with the same
neutral answer whether or not the person exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services import access, one_on_ones
from bot.services.actor import Actor
from bot.services.lookup import find_person
from bot.services.slots import Slot
from storage.models import OneOnOne
from storage.uow import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class Scheduled:
    meeting: OneOnOne
    manager_tz: str
    report_slack_id: str


@dataclass(frozen=True, slots=True)
class Refused:
    """Not their report (or either person unknown): answer `access.NOT_AVAILABLE`."""


@dataclass(frozen=True, slots=True)
class NoOneOnOne:
    """The manager has no 1:1 with that report to attach check-ins to."""


@dataclass(frozen=True, slots=True)
class CheckinScheduleSet:
    every_weeks: int | None  # None: scheduled check-ins are off
    next_at: datetime | None
    tz: str = "UTC"  # the manager's (the reader's)


@dataclass(frozen=True, slots=True)
class MeetingRow:
    report_slack_id: str
    meeting: OneOnOne
    tz: str = "UTC"  # the manager's (the reader's): dates shown are their local dates


@dataclass(frozen=True, slots=True)
class SchedulingForm:
    """What the 1:1 modal offers: the manager's reports (Slack id, name), their 1:1s, their time zone."""

    reports: list[tuple[str, str]]
    meetings: list[MeetingRow]
    tz: str


def schedule_with_report(
    uow_factory: UnitOfWorkFactory,
    actor: Actor,
    *,
    report_slack_id: str,
    slot: Slot,
    now: datetime,
    lead_minutes: int,
) -> Scheduled | Refused:
    """The actor's 1:1 with `report_slack_id` at `slot` (replacing any earlier one), if they are their manager."""
    with uow_factory() as uow:
        manager = actor.person(uow)
        report = find_person(uow, actor.team_id, report_slack_id)
        if manager is None or report is None or not access.is_current_manager(uow, manager, report):
            return Refused()
        meeting = one_on_ones.schedule(
            uow, manager=manager, report=report, slot=slot, now=now, lead_minutes=lead_minutes
        )
        return Scheduled(meeting, manager.tz, report.slack_user_id)


def set_checkin_schedule(
    uow_factory: UnitOfWorkFactory, actor: Actor, *, report_slack_id: str, every_weeks: int | None, now: datetime
) -> CheckinScheduleSet | NoOneOnOne | Refused:
    """`/ladder 1on1 @person checkins every N weeks|off`: only their current manager, on an existing 1:1."""
    with uow_factory() as uow:
        manager = actor.person(uow)
        report = find_person(uow, actor.team_id, report_slack_id)
        if manager is None or report is None or not access.is_current_manager(uow, manager, report):
            return Refused()
        meeting = uow.one_on_ones.get_pair(manager.id, report.id)
        if meeting is None:
            return NoOneOnOne()
        one_on_ones.set_checkin_every(meeting, every_weeks, now)
        return CheckinScheduleSet(meeting.checkin_every_weeks, meeting.next_checkin_at, manager.tz or "UTC")


def list_one_on_ones(uow_factory: UnitOfWorkFactory, actor: Actor) -> list[MeetingRow]:
    with uow_factory() as uow:
        manager = actor.person(uow)
        return _rows(uow, manager.id, manager.tz) if manager is not None else []


def remove_one_on_one(uow_factory: UnitOfWorkFactory, actor: Actor, *, report_slack_id: str, now: datetime) -> bool:
    """False when the actor has no 1:1 with that person."""
    with uow_factory() as uow:
        manager = actor.person(uow)
        report = find_person(uow, actor.team_id, report_slack_id)
        return bool(manager and report and one_on_ones.remove(uow, manager=manager, report=report, now=now))


def scheduling_form(uow_factory: UnitOfWorkFactory, actor: Actor) -> SchedulingForm:
    with uow_factory() as uow:
        manager = actor.person(uow)
        if manager is None:
            return SchedulingForm([], [], "UTC")
        reports = [
            (link.person.slack_user_id, link.person.display_name or link.person.slack_user_id)
            for link in uow.managers.reports_of(manager.id)
        ]
        return SchedulingForm(reports, _rows(uow, manager.id, manager.tz), manager.tz)


def _rows(uow: UnitOfWork, manager_id: int, tz: str | None) -> list[MeetingRow]:
    rows = []
    for meeting in uow.one_on_ones.list_for_manager(manager_id):
        report = uow.people.get(meeting.report_id)
        if report is not None:
            rows.append(MeetingRow(report.slack_user_id, meeting, tz or "UTC"))
    return rows
