"""What workspace admins (`GROWTHBOT_ADMINS`) may do: list people, pause, resume and reschedule their
prompts, name their manager (a PENDING link the person still has to accept), deactivate and reactivate
them. Never a right to read evidence: that stays with bot.services.access.

Slack-free. Every function runs inside the caller's unit of work, checks `access.can_manage` first and
writes an audit entry, for a refusal too; a refusal returns None, which callers answer with
`access.NOT_AVAILABLE` like every other denial. Problems an admin can fix (an unknown person, someone
not set up yet) raise `UserFacingError`s whose text is safe mrkdwn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from bot.services import access, consent, prompt_controls, retired, timing
from bot.services.errors import UserFacingError
from bot.services.slots import Slot
from bot.settings import Settings
from frameworks import Library
from frameworks.lookups import current_level_label
from storage.models import Cadence, ManagerLinkStatus, Person, Placement, PromptSchedule
from storage.uow import UnitOfWork

PAGE_SIZE = 50
DEACTIVATED_REASON = "deactivated by an admin"

# Audit actions (AuditEntry.action).
LISTED_PEOPLE = "admin_listed_people"
PAUSED = "admin_paused_prompts"
RESUMED = "admin_resumed_prompts"
SCHEDULED = "admin_set_prompt_schedule"
NAMED_MANAGER = "admin_named_manager"
DEACTIVATED = "admin_deactivated_person"
REACTIVATED = "admin_reactivated_person"
DENIED = "denied_admin_action"


class UnknownPerson(UserFacingError):
    def __init__(self, slack_user_id: str) -> None:
        super().__init__(
            f"<@{slack_user_id}> isn't in growthbot yet: people appear once they run `/ladder setup` "
            "or are imported with `growthbot people import`."
        )


class NotSetUp(UserFacingError):
    def __init__(self, slack_user_id: str) -> None:
        super().__init__(f"<@{slack_user_id}> has no prompt schedule yet: they haven't finished `/ladder setup`.")


class OwnManager(UserFacingError):
    def __init__(self) -> None:
        super().__init__("Someone can't be their own manager.")


@dataclass(frozen=True, slots=True)
class AdminRequest:
    """Who is asking, in which workspace, and when (naive UTC)."""

    team_id: str
    actor_slack_id: str
    now: datetime


@dataclass(frozen=True, slots=True)
class ScheduleSummary:
    weekday: int  # 0 = Monday
    local_time: time
    cadence: Cadence
    paused: bool  # paused right now (a pause whose end has passed is not)
    paused_until: datetime | None  # naive UTC; None with paused=True means indefinitely
    next_due_at: datetime | None


@dataclass(frozen=True, slots=True)
class PersonSummary:
    """One line of `/ladder admin people`: who they are and how they are set up, never their evidence."""

    slack_user_id: str
    name: str
    tz: str
    active: bool
    inactive_reason: str | None
    ladder: str | None  # the framework's name, or its id when that ladder is no longer loaded
    level: str | None
    manager_slack_id: str | None
    pending_manager_slack_id: str | None  # named, waiting for the person's consent
    schedule: ScheduleSummary | None


@dataclass(frozen=True, slots=True)
class PeoplePage:
    people: tuple[PersonSummary, ...]
    page: int  # 1-based
    pages: int
    total: int


@dataclass(frozen=True, slots=True)
class PersonChange:
    """The person after an admin's change."""

    slack_user_id: str
    tz: str
    active: bool
    schedule: prompt_controls.ScheduleState | None
    changed: bool = True


@dataclass(frozen=True, slots=True)
class ManagerRequest:
    link_id: int
    already_active: bool  # the manager was already the person's (consented) manager


# --- the one check ---------------------------------------------------------------------------------


def refuse(uow: UnitOfWork, request: AdminRequest, action: str, subject_slack_id: str | None = None) -> None:
    """Audit a refused admin request, so attempts leave a trace."""
    uow.audit.record(
        request.actor_slack_id,
        DENIED,
        subject_slack_id,
        {"wanted": action},
        workspace_team_id=request.team_id,
        now=request.now,
    )


def _allowed(
    uow: UnitOfWork, settings: Settings, request: AdminRequest, action: str, subject_slack_id: str | None = None
) -> bool:
    if access.can_manage(request.actor_slack_id, settings):
        return True
    refuse(uow, request, action, subject_slack_id)
    return False


def _record(
    uow: UnitOfWork, request: AdminRequest, action: str, subject_slack_id: str | None, details: dict[str, Any]
) -> None:
    uow.audit.record(
        request.actor_slack_id, action, subject_slack_id, details, workspace_team_id=request.team_id, now=request.now
    )


def _person(uow: UnitOfWork, request: AdminRequest, slack_user_id: str) -> Person:
    workspace = uow.workspaces.get_by_team(request.team_id)
    person = uow.people.get_by_slack_id(workspace.id, slack_user_id) if workspace else None
    if person is None:
        raise UnknownPerson(slack_user_id)
    return person


def _change(person: Person, state: prompt_controls.ScheduleState | None, changed: bool = True) -> PersonChange:
    return PersonChange(person.slack_user_id, person.tz, person.active, state, changed)


def _state_of(schedule: PromptSchedule | None) -> prompt_controls.ScheduleState | None:
    if schedule is None:
        return None
    return prompt_controls.ScheduleState(schedule.paused, schedule.paused_until, schedule.next_due_at)


# --- listing ---------------------------------------------------------------------------------------


def list_people(
    uow: UnitOfWork, settings: Settings, library: Library, request: AdminRequest, *, page: int = 1
) -> PeoplePage | None:
    """Everyone in the workspace, active first then by name, `PAGE_SIZE` a page, in a fixed number of queries."""
    if not _allowed(uow, settings, request, LISTED_PEOPLE):
        return None
    workspace = uow.workspaces.get_by_team(request.team_id)
    everyone = list(uow.people.list_in_workspace(workspace.id)) if workspace else []
    everyone.sort(key=lambda p: (not p.active, (p.display_name or p.slack_user_id).casefold(), p.id))
    pages = max(1, math.ceil(len(everyone) / PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = everyone[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    ids = [p.id for p in shown]
    placements = uow.placements.current_for_many(ids)
    schedules = uow.schedules.get_for_many(ids)
    active_managers: dict[int, str] = {}
    pending_managers: dict[int, str] = {}
    for link in uow.managers.open_links_of_many(ids):  # oldest first: the newest pending request wins
        target = active_managers if link.status is ManagerLinkStatus.ACTIVE else pending_managers
        target[link.person_id] = link.manager.slack_user_id
    rows = tuple(
        _summary(
            person,
            placements.get(person.id),
            schedules.get(person.id),
            library,
            request.now,
            active_managers,
            pending_managers,
        )
        for person in shown
    )
    _record(uow, request, LISTED_PEOPLE, None, {"page": page, "shown": len(rows), "total": len(everyone)})
    return PeoplePage(rows, page, pages, len(everyone))


def _summary(
    person: Person,
    placement: Placement | None,
    schedule: PromptSchedule | None,
    library: Library,
    now: datetime,
    active_managers: dict[int, str],
    pending_managers: dict[int, str],
) -> PersonSummary:
    ladder = level = None
    if placement is not None:
        framework = library.get(placement.framework_id)
        ladder = framework.name if framework is not None else placement.framework_id
        if framework is not None:
            stranded = retired.stranded_parts(framework, placement.levels, placement.track)
            if stranded:
                level = f"⚠ {'; '.join(stranded)} no longer on the ladder"
            else:
                level = current_level_label(framework, dict(placement.levels or {}))
    summary = None
    if schedule is not None:
        paused = schedule.paused and (schedule.paused_until is None or schedule.paused_until > now)
        summary = ScheduleSummary(
            schedule.weekday,
            schedule.local_time,
            Cadence(schedule.cadence),
            paused,
            schedule.paused_until if paused else None,
            schedule.next_due_at,
        )
    return PersonSummary(
        slack_user_id=person.slack_user_id,
        name=person.display_name or person.slack_user_id,
        tz=person.tz or "UTC",
        active=person.active,
        inactive_reason=person.inactive_reason,
        ladder=ladder,
        level=level,
        manager_slack_id=active_managers.get(person.id),
        pending_manager_slack_id=pending_managers.get(person.id),
        schedule=summary,
    )


# --- prompts ---------------------------------------------------------------------------------------


def pause_prompts(
    uow: UnitOfWork, settings: Settings, request: AdminRequest, subject_slack_id: str, *, until: date | None = None
) -> PersonChange | None:
    """Pause someone's prompts until the start of local date `until` (their time zone), or indefinitely."""
    if not _allowed(uow, settings, request, PAUSED, subject_slack_id):
        return None
    person = _person(uow, request, subject_slack_id)
    try:
        state = prompt_controls.pause(uow, person, request.now, until=until)
    except prompt_controls.NoSchedule:
        raise NotSetUp(subject_slack_id) from None
    _record(uow, request, PAUSED, subject_slack_id, {"until": until.isoformat() if until else None})
    return _change(person, state)


def resume_prompts(
    uow: UnitOfWork, settings: Settings, request: AdminRequest, subject_slack_id: str
) -> PersonChange | None:
    if not _allowed(uow, settings, request, RESUMED, subject_slack_id):
        return None
    person = _person(uow, request, subject_slack_id)
    try:
        state = prompt_controls.resume(uow, person, request.now)
    except prompt_controls.NoSchedule:
        raise NotSetUp(subject_slack_id) from None
    _record(uow, request, RESUMED, subject_slack_id, {})
    return _change(person, state)


def set_schedule(
    uow: UnitOfWork, settings: Settings, request: AdminRequest, subject_slack_id: str, slot: Slot
) -> PersonChange | None:
    """Move someone's prompt to `slot` (their local time). A pause stays; a snooze of the old slot ends."""
    if not _allowed(uow, settings, request, SCHEDULED, subject_slack_id):
        return None
    person = _person(uow, request, subject_slack_id)
    schedule = uow.schedules.get_for(person.id)
    if schedule is None:
        raise NotSetUp(subject_slack_id)
    anchor = timing.anchor_for(slot.weekday, slot.local_time, person.tz, slot.cadence, request.now)
    prompt_controls.move_slot(
        uow,
        person,
        weekday=slot.weekday,
        local_time=slot.local_time,
        cadence=slot.cadence,
        anchor_date=anchor,
        now=request.now,
    )
    details = {"weekday": slot.weekday, "local_time": slot.local_time.strftime("%H:%M"), "cadence": slot.cadence.value}
    _record(uow, request, SCHEDULED, subject_slack_id, details)
    return _change(person, _state_of(schedule))


# --- people ----------------------------------------------------------------------------------------


def request_manager(
    uow: UnitOfWork, settings: Settings, request: AdminRequest, subject_slack_id: str, manager_slack_id: str
) -> ManagerRequest | None:
    """Name `manager_slack_id` as the person's manager: a PENDING link until the person accepts.

    The caller sends the consent DM (bot.delivery.consent.send_consent_request) after the commit.
    """
    if not _allowed(uow, settings, request, NAMED_MANAGER, subject_slack_id):
        return None
    if subject_slack_id == manager_slack_id:
        raise OwnManager()
    person = _person(uow, request, subject_slack_id)
    manager = _person(uow, request, manager_slack_id)
    admin = uow.people.get_by_slack_id(person.workspace_id, request.actor_slack_id)
    change = consent.change_manager(uow, report=person, manager=manager, requested_by=admin, now=request.now)
    link = change.link
    assert link is not None
    _record(
        uow,
        request,
        NAMED_MANAGER,
        subject_slack_id,
        {"manager": manager_slack_id, "link_id": link.id, "status": link.status.value},
    )
    return ManagerRequest(link.id, already_active=change.already_current)


def deactivate(
    uow: UnitOfWork, settings: Settings, request: AdminRequest, subject_slack_id: str
) -> PersonChange | None:
    """Stop prompting someone (they left, long leave). Their data, schedule and own manager link stay;
    the links where they are the manager end (bot.services.prompt_controls.mark_inactive)."""
    if not _allowed(uow, settings, request, DEACTIVATED, subject_slack_id):
        return None
    person = _person(uow, request, subject_slack_id)
    changed = person.active
    if changed:
        prompt_controls.mark_inactive(uow, person, DEACTIVATED_REASON, request.now)
    _record(uow, request, DEACTIVATED, subject_slack_id, {"changed": changed})
    return _change(person, _state_of(uow.schedules.get_for(person.id)), changed)


def reactivate(
    uow: UnitOfWork, settings: Settings, request: AdminRequest, subject_slack_id: str
) -> PersonChange | None:
    """Prompt someone again, from their next slot after now (nothing missed while inactive is caught up)."""
    if not _allowed(uow, settings, request, REACTIVATED, subject_slack_id):
        return None
    person = _person(uow, request, subject_slack_id)
    changed = not person.active
    if changed:
        prompt_controls.mark_active(uow, person, request.now)
    _record(uow, request, REACTIVATED, subject_slack_id, {"changed": changed})
    return _change(person, _state_of(uow.schedules.get_for(person.id)), changed)
