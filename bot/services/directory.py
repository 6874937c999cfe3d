"""Making sure someone named in a command has a `Person` row (they may never have used the bot)."""

from __future__ import annotations

from datetime import datetime

from bot.services.people import UsersInfoClient, lookup_profile, refresh_person
from storage.uow import UnitOfWorkFactory


def ensure_person(
    client: UsersInfoClient, uow_factory: UnitOfWorkFactory, team_id: str, slack_user_id: str, now: datetime
) -> int | None:
    """The person's id, created from users.info when new; None when Slack does not know them, or they are
    a bot or deactivated (a consent request could never reach them)."""
    with uow_factory() as uow:
        workspace = uow.workspaces.get_by_team(team_id)
        existing = uow.people.get_by_slack_id(workspace.id, slack_user_id) if workspace else None
        if existing is not None and existing.active:
            return existing.id
    profile = lookup_profile(client, slack_user_id)
    if profile is None or profile.is_bot or profile.deleted:
        return None
    with uow_factory() as uow:
        workspace = uow.workspaces.get_or_create(team_id)
        person, _ = refresh_person(uow, workspace.id, profile, now=now)
        return person.id if person.active else None
