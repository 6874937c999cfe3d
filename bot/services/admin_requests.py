"""What workspace admins ask of growthbot from Slack (`/ladder admin ...`), one unit of work each.

The rules, the access check and the audit entries are in bot.services.admin; these are the use cases
the listener calls. A refusal is `Refused` (answer `access.NOT_AVAILABLE`); problems an admin can fix
(someone unknown, or not set up yet) are raised as admin's `UserFacingError`s with nothing changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from bot.deps import Deps
from bot.services import access, admin
from bot.services.actor import Actor
from bot.services.directory import Directory, ensure_person
from bot.services.slots import Slot

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Refused:
    """Not an admin: audited, nothing changed."""


@dataclass(frozen=True, slots=True)
class Unreachable:
    """Someone named can't be reached in Slack (unknown, a bot, or deactivated), so nothing changed."""

    slack_user_id: str


def _request(actor: Actor, now: datetime) -> admin.AdminRequest:
    return admin.AdminRequest(actor.team_id, actor.slack_user_id, now)


def _outcome(value: T | None) -> T | Refused:
    return Refused() if value is None else value


def refuse(deps: Deps, actor: Actor, wanted: str, now: datetime) -> Refused:
    """A non-admin's `/ladder admin ...` (`wanted`, e.g. "admin pause"), audited so attempts leave a trace."""
    with deps.uow() as uow:
        admin.refuse(uow, _request(actor, now), wanted)
    return Refused()


def list_people(deps: Deps, actor: Actor, *, page: int, now: datetime) -> admin.PeoplePage | Refused:
    with deps.uow() as uow:
        return _outcome(admin.list_people(uow, deps.settings, deps.library, _request(actor, now), page=page))


def pause(
    deps: Deps, actor: Actor, subject_slack_id: str, *, until: date | None, now: datetime
) -> admin.PersonChange | Refused:
    with deps.uow() as uow:
        return _outcome(admin.pause_prompts(uow, deps.settings, _request(actor, now), subject_slack_id, until=until))


def resume(deps: Deps, actor: Actor, subject_slack_id: str, *, now: datetime) -> admin.PersonChange | Refused:
    with deps.uow() as uow:
        return _outcome(admin.resume_prompts(uow, deps.settings, _request(actor, now), subject_slack_id))


def set_schedule(
    deps: Deps, actor: Actor, subject_slack_id: str, slot: Slot, *, now: datetime
) -> admin.PersonChange | Refused:
    with deps.uow() as uow:
        return _outcome(admin.set_schedule(uow, deps.settings, _request(actor, now), subject_slack_id, slot))


def deactivate(deps: Deps, actor: Actor, subject_slack_id: str, *, now: datetime) -> admin.PersonChange | Refused:
    with deps.uow() as uow:
        return _outcome(admin.deactivate(uow, deps.settings, _request(actor, now), subject_slack_id))


def reactivate(deps: Deps, actor: Actor, subject_slack_id: str, *, now: datetime) -> admin.PersonChange | Refused:
    with deps.uow() as uow:
        return _outcome(admin.reactivate(uow, deps.settings, _request(actor, now), subject_slack_id))


def name_manager(
    deps: Deps,
    directory: Directory,
    actor: Actor,
    *,
    subject_slack_id: str,
    manager_slack_id: str,
    now: datetime,
) -> admin.ManagerRequest | Unreachable | Refused:
    """Name someone's manager: a PENDING link until the person accepts (the caller sends the consent
    request after this commits). A non-admin is refused and audited without asking Slack about anyone."""
    if access.can_manage(actor.slack_user_id, deps.settings):
        unreachable = _ensure_people(deps, directory, actor, (subject_slack_id, manager_slack_id), now)
        if unreachable is not None:
            return unreachable
    with deps.uow() as uow:
        request = _request(actor, now)
        return _outcome(admin.request_manager(uow, deps.settings, request, subject_slack_id, manager_slack_id))


def _ensure_people(
    deps: Deps, directory: Directory, actor: Actor, named: tuple[str, ...], now: datetime
) -> Unreachable | None:
    """Give the admin and everyone named a person row (they may never have used the bot), asking Slack
    about each once; the first one named who can't be reached. The admin's row names them in the
    consent request, so the person knows who asked, but an admin Slack can't find is no obstacle."""
    ensured: dict[str, int | None] = {}
    for user in (actor.slack_user_id, *named):
        if user not in ensured:
            ensured[user] = ensure_person(directory, deps.uow, actor.team_id, user, now)
        if ensured[user] is None and user != actor.slack_user_id:
            return Unreachable(user)
    return None
