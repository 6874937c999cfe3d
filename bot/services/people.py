"""Who someone is in Slack and the matching `Person` row: name, time zone, deactivated.

Plain data in, rows out: the profile comes from a `bot.services.directory.Directory`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services import prompt_controls
from storage.clock import utcnow
from storage.models import Person
from storage.uow import UnitOfWork

DEACTIVATED = "deactivated in Slack"


@dataclass(frozen=True, slots=True)
class SlackProfile:
    user_id: str
    display_name: str | None
    tz: str | None
    email: str | None
    deleted: bool = False
    is_bot: bool = False


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
