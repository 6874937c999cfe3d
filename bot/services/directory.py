"""Who is who in the Slack workspace, behind a port, and making sure someone named has a `Person` row.

Services ask a `Directory` (bot.slack_directory adapts Slack's users.info and users.lookupByEmail to it)
and get plain values back; they never see Slack's client or its errors.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.services.people import SlackProfile, refresh_person
from storage.uow import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class Found:
    profile: SlackProfile


@dataclass(frozen=True, slots=True)
class NotFound:
    """Slack knows no user with that address."""


@dataclass(frozen=True, slots=True)
class Failed:
    """Slack could not answer (an error other than "no such user"); `reason` is Slack's error code."""

    reason: str


EmailLookup = Found | NotFound | Failed


class Directory(Protocol):
    def profile(self, user_id: str) -> SlackProfile | None:
        """The user's profile; None when Slack does not know them. Any other failure raises."""
        ...

    def find_by_email(self, email: str) -> EmailLookup: ...


class DictDirectory:
    """A Directory over fixed profiles (tests, offline use); emails match whatever their case."""

    def __init__(self, profiles: Iterable[SlackProfile]) -> None:
        self._by_id = {profile.user_id: profile for profile in profiles}
        self._by_email = {p.email.lower(): p for p in self._by_id.values() if p.email}

    def profile(self, user_id: str) -> SlackProfile | None:
        return self._by_id.get(user_id)

    def find_by_email(self, email: str) -> EmailLookup:
        profile = self._by_email.get(email.lower())
        return Found(profile) if profile is not None else NotFound()


def ensure_person(
    directory: Directory, uow_factory: UnitOfWorkFactory, team_id: str, slack_user_id: str, now: datetime
) -> int | None:
    """The person's id, created from their Slack profile when new; None when Slack does not know them,
    or they are a bot or deactivated (a consent request could never reach them)."""
    with uow_factory() as uow:
        workspace = uow.workspaces.get_by_team(team_id)
        existing = uow.people.get_by_slack_id(workspace.id, slack_user_id) if workspace else None
        if existing is not None and existing.active:
            return existing.id
    profile = directory.profile(slack_user_id)
    if profile is None or profile.is_bot or profile.deleted:
        return None
    with uow_factory() as uow:
        workspace = uow.workspaces.get_or_create(team_id)
        person, _ = refresh_person(uow, workspace.id, profile, now=now)
        return person.id if person.active else None


def refresh_manager_profile(
    directory: Directory, uow_factory: UnitOfWorkFactory, team_id: str, user_id: str, now: datetime
) -> None:
    """Fill in the name and time zone of someone added as a manager (they may never have used the bot)."""
    profile = directory.profile(user_id)
    if profile is None:
        return
    with uow_factory() as uow:
        workspace = uow.workspaces.get_or_create(team_id)
        refresh_person(uow, workspace.id, profile, now=now)
