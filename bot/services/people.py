"""Who someone is in Slack (users.info) and the matching `Person` row: name, time zone, deactivated.

`lookup_profile` is the only function here that talks to Slack, through any object with a slack_sdk
style `users_info(user=...)`; the rest is plain data in, rows out.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from slack_sdk.errors import SlackApiError

from bot.services import prompt_controls
from bot.services.timing import is_known_zone
from storage.clock import utcnow
from storage.models import MAX_EMAIL, MAX_NAME, Person
from storage.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

DEACTIVATED = "deactivated in Slack"


@dataclass(frozen=True, slots=True)
class SlackProfile:
    user_id: str
    display_name: str | None
    tz: str | None
    email: str | None
    deleted: bool = False
    is_bot: bool = False


class UsersInfoClient(Protocol):
    def users_info(self, *, user: str) -> Any: ...


def profile_from_users_info(user: Mapping[str, Any]) -> SlackProfile:
    """Read the `user` object of a users.info answer. Names fall back display -> real -> handle."""
    profile = user.get("profile") or {}
    name = (
        (profile.get("display_name") or "").strip()
        or (profile.get("real_name") or user.get("real_name") or "").strip()
        or (user.get("name") or "").strip()
        or None
    )
    email = (profile.get("email") or "").strip().lower() or None
    tz = user.get("tz")
    return SlackProfile(
        user_id=user["id"],
        display_name=name[:MAX_NAME] if name else None,
        tz=tz if is_known_zone(tz) else None,
        email=email if email and len(email) <= MAX_EMAIL else None,
        deleted=bool(user.get("deleted")),
        is_bot=bool(user.get("is_bot")) or user.get("id") == "USLACKBOT",
    )


def lookup_profile(client: UsersInfoClient, user_id: str) -> SlackProfile | None:
    """users.info for one person; None when Slack does not know them (user_not_found)."""
    try:
        answer = client.users_info(user=user_id)
    except SlackApiError as error:
        if error.response.get("error") in ("user_not_found", "users_not_found"):
            return None
        raise
    return profile_from_users_info(answer["user"])


def refresh_person(
    uow: UnitOfWork, workspace_id: int, profile: SlackProfile, *, now: datetime | None = None
) -> tuple[Person, bool]:
    """Create or update the person from a Slack profile; (person, created).

    A deactivated Slack account marks the person inactive; coming back does not reactivate them on its
    own, except when they were made inactive only because Slack had deactivated them.
    """
    person, created = uow.people.get_or_add(
        workspace_id, profile.user_id, display_name=profile.display_name, email=profile.email, tz=profile.tz
    )
    if not created:
        if profile.display_name:
            person.display_name = profile.display_name
        if profile.email:
            person.email = profile.email
        if profile.tz:
            person.tz = profile.tz
    if profile.deleted and person.active:
        prompt_controls.mark_inactive(uow, person, DEACTIVATED, now or utcnow())
    elif not profile.deleted and not person.active and person.inactive_reason == DEACTIVATED:
        prompt_controls.mark_active(uow, person, now or utcnow())
    uow.flush()
    return person, created


def refresh_manager_profile(
    client: UsersInfoClient, uow_factory: UnitOfWorkFactory, team_id: str, user_id: str, now: datetime
) -> None:
    """Fill in the name and time zone of someone added as a manager (they may never have used the bot)."""
    profile = lookup_profile(client, user_id)
    if profile is None:
        return
    with uow_factory() as uow:
        workspace = uow.workspaces.get_or_create(team_id)
        refresh_person(uow, workspace.id, profile, now=now)
