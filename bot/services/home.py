"""What a person's App Home shows, gathered without Slack: their standing, latest evidence, prompt
schedule and, for a manager, the reports who agreed to share (ACTIVE links only).

Lists are capped here, with the number left out, so the Home view stays within Slack's limits however
much data someone has.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.services import access, access_log, backoff, focus, last_evidence, prompt_controls, retired
from bot.services.access_log import AccessLogEntry
from bot.services.backoff import ResponseRate
from bot.services.checkin_requests import PendingCheckin, pending_for
from bot.services.focus import FocusItem
from bot.services.lookup import Standing, find_person, standing_for, standings_for_many
from bot.services.readiness import AreaReadiness
from bot.services.readiness_reads import ReportReadiness, readiness_of, reports_readiness
from frameworks import Library
from storage.clock import utcnow
from storage.models import Cadence, Person, Placement, Rater
from storage.uow import UnitOfWork, UnitOfWorkFactory

RECENT_EVIDENCE = 5
MAX_DISPUTED = 5  # the newest disputes on the Home; the digest and the packet list them all
MAX_REPORTS = 20
COVERAGE_AUDIT_EVERY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    text: str
    created_at: datetime
    behaviours: tuple[str, ...]  # snapshot texts of the tagged behaviours
    to_discuss: bool


@dataclass(frozen=True, slots=True)
class DisputedItem:
    """Evidence whose tag the manager disputed ("doesn't show this"): for the engineer to retag or answer."""

    evidence_id: int
    text: str
    behaviour_text: str
    comment: str | None
    disputed_at: datetime


@dataclass(frozen=True, slots=True)
class ScheduleInfo:
    weekday: int
    local_time: time
    cadence: Cadence
    tz: str
    paused: bool
    paused_until: datetime | None
    snoozed_until: datetime | None
    next_due_at: datetime | None


@dataclass(frozen=True, slots=True)
class ReportRow:
    slack_user_id: str
    display_name: str | None
    ladder: str | None  # framework name, None when the report has not set up
    level_label: str | None
    covered: int
    total: int
    last_evidence_at: datetime | None  # bot.services.last_evidence
    readiness: ReportReadiness | None = None  # None: not set up, or their ladder is not loaded
    focus: tuple[str, ...] = ()  # texts of the report's focus behaviours


@dataclass(frozen=True, slots=True)
class HomeData:
    user_id: str
    standing: Standing | None  # None: not set up yet
    recent: tuple[EvidenceItem, ...]
    schedule: ScheduleInfo | None
    reports: tuple[ReportRow, ...]
    hidden_reports: int
    ladder_problem: str | None = None  # e.g. their ladder is no longer loaded
    checkins: tuple[PendingCheckin, ...] = ()  # open check-ins they rate: their own, their reports'
    readiness: tuple[AreaReadiness, ...] = ()  # the person's own, per area of their next milestone
    tz: str = "UTC"  # the reader's: every date on their Home is their local date (bot.blocks.when)
    disputed: tuple[DisputedItem, ...] = ()  # their evidence the manager disputed, newest first
    focus: tuple[FocusItem, ...] = ()  # the person's own focus behaviours, with progress
    response_rate: ResponseRate | None = None  # their own answers to recent prompts
    access_log: tuple[AccessLogEntry, ...] | None = None  # the newest reads of their data; None: no person row

    @property
    def is_set_up(self) -> bool:
        return self.standing is not None


def home_for(
    uow_factory: UnitOfWorkFactory,
    library: Library,
    team_id: str,
    user_id: str,
    now: datetime | None = None,
    *,
    opened: bool = False,
) -> HomeData:
    """`opened`: the person opened their Home tab (app_home_opened), so a manager reads their reports'
    standing now and every report shown is audited; a redraw after a change is audited once a day."""
    with uow_factory() as uow:
        return home_in(uow, library, team_id, user_id, now, opened=opened)


def home_in(
    uow: UnitOfWork,
    library: Library,
    team_id: str,
    user_id: str,
    now: datetime | None = None,
    *,
    opened: bool = False,
) -> HomeData:
    """What the Slack user's Home tab shows, read in a unit of work the caller has open."""
    person = find_person(uow, team_id, user_id)
    if person is None:
        return HomeData(user_id, None, (), None, (), 0)
    placement = uow.placements.current_for(person.id)
    standing, problem = _standing(uow, library, person, placement)
    own = readiness_of(uow, library, person.id, placement, viewer=Rater.SELF) if standing and placement else None
    ladder = library.get(placement.framework_id) if placement else None
    recent = tuple(
        EvidenceItem(
            e.text,
            e.created_at,
            tuple(
                retired.shown(t.behaviour_text, retired.is_retired(ladder, t.framework_id, t.behaviour_id))
                for t in e.tags
            ),
            e.to_discuss,
        )
        for e in uow.evidence.recent(person.id, RECENT_EVIDENCE)
    )
    schedule = uow.schedules.get_for(person.id)
    info = (
        ScheduleInfo(
            schedule.weekday,
            schedule.local_time,
            schedule.cadence,
            person.tz,
            schedule.paused,
            schedule.paused_until,
            schedule.snoozed_until,
            schedule.next_due_at,
        )
        if schedule
        else None
    )
    links = uow.managers.reports_of(person.id)
    reports, hidden = _reports(uow, library, [link.person for link in links])
    _audit_coverage_views(uow, person, reports, team_id, now or utcnow(), every_view=opened)
    pending = pending_for(uow, library, person, [link.person_id for link in links])
    disputed = _disputed(uow, person, placement) if standing and placement else ()
    own_focus = focus.items(uow, library, person.id, placement) if standing else ()
    rate = backoff.rate_of(uow, person.id) if schedule else None
    return HomeData(
        user_id,
        standing,
        recent,
        info,
        reports,
        hidden,
        problem,
        pending,
        own.areas if own else (),
        person.tz or "UTC",
        disputed,
        own_focus,
        rate,
        access_log.recent_in(uow, person),
    )


def _disputed(uow: UnitOfWork, person: Person, placement: Placement) -> tuple[DisputedItem, ...]:
    rows = uow.evidence.disputed_for(person.id, placement.framework_id)
    newest = sorted(rows, key=lambda row: (row[1].disputed_at or datetime.min, row[1].id), reverse=True)
    return tuple(
        DisputedItem(item.id, item.text, tag.behaviour_text, tag.dispute_comment, tag.disputed_at or item.created_at)
        for item, tag in newest[:MAX_DISPUTED]
    )


def _standing(
    uow: UnitOfWork, library: Library, person: Person, placement: Placement | None
) -> tuple[Standing | None, str | None]:
    if placement is None:
        return None, None
    if placement.framework_id not in library:
        return None, f"Your ladder `{placement.framework_id}` is not loaded any more; pick one with Edit setup."
    return standing_for(uow, library, person, placement), None


def _audit_coverage_views(
    uow: UnitOfWork, manager: Person, reports: Sequence[ReportRow], team_id: str, now: datetime, *, every_view: bool
) -> None:
    """The Home tab shows a manager each report's coverage, readiness and verdict counts, drawn from
    their evidence and assessments: a read of someone else's data, so audited. Every time the manager
    opens the tab; a redraw after a change (which nobody may be looking at) at most once a day per report."""
    shown = [row.slack_user_id for row in reports]
    already = (
        set()
        if every_view
        else uow.audit.subjects_recorded_since(
            manager.slack_user_id, access.VIEWED_COVERAGE, shown, now - COVERAGE_AUDIT_EVERY
        )
    )
    viewed = {
        row.slack_user_id: {
            "covered": row.covered,
            "total": row.total,
            "ready": [a.area_id for a in row.readiness.ready] if row.readiness else [],
            "surface": access.SURFACE_HOME,
        }
        for row in reports
        if row.slack_user_id not in already
    }
    if viewed:  # one statement for the whole team, as every other read of the Home
        uow.audit.record_many(manager.slack_user_id, access.VIEWED_COVERAGE, viewed, workspace_team_id=team_id, now=now)


def _reports(uow: UnitOfWork, library: Library, team: Sequence[Person]) -> tuple[tuple[ReportRow, ...], int]:
    """A fixed number of statements however many reports (placements, coverage, latest answers, verdicts,
    open check-ins), for the first MAX_REPORTS of the manager's reports."""
    people, hidden = list(team[:MAX_REPORTS]), max(0, len(team) - MAX_REPORTS)
    ids = [p.id for p in people]
    placements = uow.placements.current_for_many(ids)
    standings = standings_for_many(uow, library, people, placements)
    latest = last_evidence.last_evidence_at(uow, ids)
    readiness = reports_readiness(uow, library, placements)
    focused = focus.texts_for_many(uow, library, placements)
    rows = []
    for report in people:
        standing, last_at = standings.get(report.id), latest.get(report.id)
        if standing is None:
            rows.append(ReportRow(report.slack_user_id, report.display_name, None, None, 0, 0, last_at))
            continue
        rows.append(
            ReportRow(
                report.slack_user_id,
                report.display_name,
                standing.framework.name,
                standing.level_label,
                standing.covered,
                standing.total,
                last_at,
                readiness.get(report.id),
                focused.get(report.id, ()),
            )
        )
    return tuple(rows), hidden


def set_paused(uow_factory: UnitOfWorkFactory, team_id: str, user_id: str, paused: bool, now: datetime) -> bool:
    """Pause prompts indefinitely, or resume them (the Home tab's buttons). False: nothing to pause yet."""
    with uow_factory() as uow:
        person = find_person(uow, team_id, user_id)
        if person is None:
            return False
        try:
            if paused:
                prompt_controls.pause(uow, person, now)
            else:
                prompt_controls.resume(uow, person, now)
        except prompt_controls.NoSchedule:
            return False
        return True
