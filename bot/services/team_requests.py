"""What people ask of their manager links from Slack: answer a manager request, see their team
(`/ladder team`), ask to manage someone, end a link. The rules are in bot.services.consent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.services import access, consent, focus, last_evidence
from bot.services.actor import Actor
from bot.services.checkin_requests import Started, started_outcome
from bot.services.directory import Directory, ensure_person
from bot.services.lookup import find_person
from bot.services.readiness_reads import ReportReadiness, reports_readiness
from frameworks import Library
from storage.models import ManagerLinkStatus, Person, Placement, Rater
from storage.uow import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class Answered:
    decision: consent.Decision
    manager_slack_id: str
    report_slack_id: str
    replaced_manager_slack_id: str | None  # the manager an accept replaced
    moved_checkin: Started | None = None  # an open check-in the new manager now rates: to tell them


@dataclass(frozen=True, slots=True)
class Team:
    manager_slack_id: str | None
    pending: list[tuple[int, str]]  # (link id, Slack id of who asks to be their manager)
    reports: list[tuple[str, bool]]  # (report's Slack id, link active)
    # Active reports' readiness by Slack id, with the name a Promote button shows.
    readiness: dict[str, tuple[str, ReportReadiness]] = field(default_factory=dict)
    # Active reports' focus behaviour texts and last evidence (bot.services.last_evidence), by Slack id.
    focus: dict[str, tuple[str, ...]] = field(default_factory=dict)
    last_evidence_at: dict[str, datetime] = field(default_factory=dict)
    tz: str = "UTC"  # the reader's


@dataclass(frozen=True, slots=True)
class OwnManager:
    """The asker named themself."""


@dataclass(frozen=True, slots=True)
class Unreachable:
    """The asker or the report can't be reached in Slack (unknown, a bot, deactivated), so no consent
    request could ever reach the report: answer `access.NOT_AVAILABLE`."""


@dataclass(frozen=True, slots=True)
class AlreadyManager:
    """The report already has the asker as their active manager."""


@dataclass(frozen=True, slots=True)
class Requested:
    link_id: int


def answer_manager_request(
    uow_factory: UnitOfWorkFactory,
    library: Library,
    actor: Actor,
    *,
    link_id: int | None,
    accept: bool,
    now: datetime,
) -> Answered | None:
    """The actor accepts or declines a request to be their manager; None when it is not theirs to answer."""
    with uow_factory() as uow:
        person = actor.person(uow)
        if person is None or link_id is None:
            return None
        outcome = consent.decide(uow, link_id=link_id, actor=person, accept=accept, now=now)
        if outcome is None:
            return None
        replaced = outcome.ended_previous
        moved = outcome.moved_checkin
        return Answered(
            outcome.decision,
            outcome.link.manager.slack_user_id,
            person.slack_user_id,
            replaced.manager.slack_user_id if replaced else None,
            started_outcome(uow, library, moved, person, Rater.SELF, False) if moved is not None else None,
        )


def team_of(uow_factory: UnitOfWorkFactory, library: Library, actor: Actor, now: datetime) -> Team:
    with uow_factory() as uow:
        person = actor.person(uow)
        if person is None:
            return Team(None, [], [])
        view = consent.team_view(uow, person)
        active = [link.person for link in view.reports if link.status is ManagerLinkStatus.ACTIVE]
        ids = {report.id: report.slack_user_id for report in active}
        placements = uow.placements.current_for_many(list(ids))
        focused = focus.texts_for_many(uow, library, placements)
        latest = last_evidence.last_evidence_at(uow, ids)
        return Team(
            view.manager.manager.slack_user_id if view.manager else None,
            [(link.id, link.manager.slack_user_id) for link in view.pending_managers],
            [(link.person.slack_user_id, link.status is ManagerLinkStatus.ACTIVE) for link in view.reports],
            _readiness(uow, library, person, active, placements, actor.team_id, now),
            {ids[pid]: texts for pid, texts in focused.items() if texts},
            {ids[pid]: at for pid, at in latest.items()},
            person.tz or "UTC",
        )


def _readiness(
    uow: UnitOfWork,
    library: Library,
    manager: Person,
    reports: list[Person],
    placements: Mapping[int, Placement],
    team_id: str,
    now: datetime,
) -> dict[str, tuple[str, ReportReadiness]]:
    """Consenting reports' readiness (their verdicts, read as their manager: audited per report)."""
    by_id = {report.id: report for report in reports}
    read = reports_readiness(uow, library, placements)
    for person_id in read:
        access.record_read(
            uow.audit,
            viewer=manager,
            subject=by_id[person_id],
            action=access.VIEWED_READINESS,
            team_id=team_id,
            details={"for": "team", "surface": access.SURFACE_TEAM_COMMAND},
            at=now,
        )
    return {
        by_id[pid].slack_user_id: (by_id[pid].display_name or by_id[pid].slack_user_id, row)
        for pid, row in read.items()
    }


def ask_to_manage(
    uow_factory: UnitOfWorkFactory, directory: Directory, actor: Actor, *, report_slack_id: str, now: datetime
) -> OwnManager | Unreachable | AlreadyManager | Requested:
    """The actor wants to be the report's manager: a pending link until the report accepts (the caller
    sends the consent request). Either may be new to growthbot: their row comes from their Slack profile."""
    if report_slack_id == actor.slack_user_id:
        return OwnManager()
    manager_id = ensure_person(directory, uow_factory, actor.team_id, actor.slack_user_id, now)
    report_id = ensure_person(directory, uow_factory, actor.team_id, report_slack_id, now)
    if manager_id is None or report_id is None:
        return Unreachable()
    with uow_factory() as uow:
        manager, report = uow.people.get(manager_id), uow.people.get(report_id)
        assert manager is not None and report is not None
        change = consent.change_manager(uow, report=report, manager=manager, requested_by=manager, now=now)
        if change.already_current:
            return AlreadyManager()
        assert change.link is not None
        return Requested(change.link.id)


def end_link_with(uow_factory: UnitOfWorkFactory, actor: Actor, *, other_slack_id: str, now: datetime) -> bool:
    """The actor ends the manager link with the other person (either way round); False: there was none."""
    with uow_factory() as uow:
        person = actor.person(uow)
        other = find_person(uow, actor.team_id, other_slack_id)
        return bool(person and other and consent.remove_link(uow, actor=person, other=other, now=now))
