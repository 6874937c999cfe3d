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
    """What Slack says about someone. Both names are Slack's own; which one shows is
    storage.models.shown_name's rule (real name first)."""

    user_id: str
    real_name: str | None
    tz: str | None
    email: str | None
    deleted: bool = False
    is_bot: bool = False
    display_name: str | None = None

    @property
    def described(self) -> bool:
        """Slack named them: its two names replace what is stored, an empty display name included."""
        return bool(self.real_name or self.display_name)


def refresh_person(
    uow: UnitOfWork, workspace_id: int, profile: SlackProfile, *, now: datetime | None = None
) -> tuple[Person, bool]:
    """Create or update the person from a Slack profile; (person, created).

    A deactivated Slack account marks the person inactive; coming back does not reactivate them on its
    own, except when they were made inactive only because Slack had deactivated them.
    """
    person, created = uow.people.get_or_add(workspace_id, profile.user_id, email=profile.email, tz=profile.tz)
    if profile.described:
        person.slack_real_name, person.slack_display_name = profile.real_name, profile.display_name
    if not created:
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
