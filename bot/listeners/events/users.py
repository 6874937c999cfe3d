"""user_change and team_join (and user_status_changed / user_profile_changed, sent with the same body):
store the person's Slack profile so the prompt fan-out needs no users.info per prompt. Idempotent: a
redelivered event stores the same values again.

docs.slack.dev/reference/events/user_change: sent when a member's profile or data changes, carrying the
whole user (tz, deleted, profile.status_*); not sent when only tz_offset moves for daylight saving.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.deps import Deps
from bot.services.profiles import record_user_event

PROFILE_EVENTS = ("user_change", "team_join", "user_status_changed", "user_profile_changed")


def profile_changed(event: dict[str, Any], deps: Deps) -> None:
    user = event.get("user")
    if isinstance(user, dict):
        record_user_event(deps.uow, user, deps.now())


def register(app: App, deps: Deps) -> None:
    for name in PROFILE_EVENTS:
        app.event(name)(profile_changed)
