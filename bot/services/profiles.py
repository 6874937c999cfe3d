"""Stored Slack profiles: what the prompt fan-out knows about each person (time zone, away status with
its expiry, deactivation) without a users.info per prompt.

Kept fresh by Slack's `user_change` and `team_join` events (bot.listeners.events.users), by the paged
users.list sweep (bot.delivery.directory_sweep: daily, and ahead of a large due window; bounded per
tick and resumable), and by users.info for someone whose stored profile is unknown or older than
`PROFILE_MAX_AGE`. The send path reads `stored_user`, shaped like a users.info `user`, so the one rule
reading a profile (bot.services.prompt_records.read_profile) judges both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.services import timing
from storage.models import MAX_STATUS, Person
from storage.uow import UnitOfWork

# A stored profile older than this is read again with users.info before a send. Events keep it fresh
# within seconds and the daily sweep within a day, so only a profile that missed both gets here.
PROFILE_MAX_AGE = timedelta(days=7)
SWEEP_NAME = "users.list"
SWEEP_EVERY = timedelta(days=1)
# Ahead of a large due window (this many schedules due within LOOKAHEAD) a sweep older than
# AHEAD_STALE runs again, so the window's profiles are hours old at most.
LARGE_WINDOW = 500
LOOKAHEAD = timedelta(hours=2)
AHEAD_STALE = timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class SlackUser:
    """The profile fields growthbot keeps, read from a Slack user object (event, users.list, users.info)."""

    user_id: str
    team_id: str | None
    tz: str | None
    status_text: str
    status_emoji: str
    status_expiration: int
    deleted: bool


def read_slack_user(user: Mapping[str, Any]) -> SlackUser | None:
    """None for something that is not a user object (no id)."""
    user_id = user.get("id")
    if not isinstance(user_id, str) or not user_id:
        return None
    profile = user.get("profile") or {}
    tz = user.get("tz")
    try:
        expiration = int(profile.get("status_expiration") or 0)
    except (TypeError, ValueError):
        expiration = 0
    return SlackUser(
        user_id=user_id,
        team_id=user.get("team_id") or profile.get("team") or None,
        tz=tz if timing.is_known_zone(tz) else None,
        status_text=str(profile.get("status_text") or "")[:MAX_STATUS],
        status_emoji=str(profile.get("status_emoji") or "")[:MAX_STATUS],
        status_expiration=expiration,
        deleted=bool(user.get("deleted")),
    )


def apply(person: Person, user: SlackUser, now: datetime) -> None:
    if user.tz is not None:
        person.slack_tz = user.tz
    person.status_text = user.status_text
    person.status_emoji = user.status_emoji
    person.status_expiration = user.status_expiration
    person.slack_deleted = user.deleted
    person.profile_fetched_at = now


def stored_user(person: Person, now: datetime, max_age: timedelta = PROFILE_MAX_AGE) -> dict[str, Any] | None:
    """The stored profile as a users.info `user`, or None when it is unknown or too old to trust."""
    if person.profile_fetched_at is None or now - person.profile_fetched_at > max_age:
        return None
    return {
        "id": person.slack_user_id,
        "tz": person.slack_tz,
        "deleted": person.slack_deleted,
        "profile": {
            "status_text": person.status_text or "",
            "status_emoji": person.status_emoji or "",
            "status_expiration": person.status_expiration or 0,
        },
    }


def record_users(uow: UnitOfWork, users: Iterable[Mapping[str, Any]], now: datetime) -> int:
    """Store what Slack says about these users for the people growthbot knows; returns how many matched.
    Strangers (most of a workspace's users.list) are ignored: growthbot keeps nobody it was not given."""
    read = [parsed for parsed in (read_slack_user(user) for user in users) if parsed is not None]
    by_team: dict[str | None, dict[str, SlackUser]] = {}
    for user in read:
        by_team.setdefault(user.team_id, {})[user.user_id] = user
    matched = 0
    for team_id, users_by_id in by_team.items():
        for person in uow.directory.people_by_slack_ids(users_by_id, team_id):
            apply(person, users_by_id[person.slack_user_id], now)
            matched += 1
    uow.flush()
    return matched


def record_user_event(uow_factory: Callable[[], UnitOfWork], user: Mapping[str, Any], now: datetime) -> bool:
    """A `user_change` / `team_join` event's user; True when it was someone growthbot knows. Idempotent:
    a redelivered event writes the same values again."""
    with uow_factory() as uow:
        return record_users(uow, [user], now) > 0


@dataclass(frozen=True, slots=True)
class SweepPosition:
    due: bool
    cursor: str | None  # None: from the first page


def sweep_position(uow: UnitOfWork, now: datetime, large_window: int = LARGE_WINDOW) -> SweepPosition:
    """Whether the users.list sweep should go on this tick, and from which page: a sweep under way goes
    on; a new one starts daily, or ahead of a large due window when the last is older than AHEAD_STALE."""
    sweep = uow.directory.sweep(SWEEP_NAME)
    if sweep.cursor is not None:
        return SweepPosition(True, sweep.cursor)
    last = sweep.completed_at
    if last is None or now - last >= SWEEP_EVERY:
        return SweepPosition(True, None)
    if now - last >= AHEAD_STALE and uow.schedules.count_due_between(now, now + LOOKAHEAD) >= large_window:
        return SweepPosition(True, None)
    return SweepPosition(False, None)


def record_sweep_page(
    uow: UnitOfWork, users: Iterable[Mapping[str, Any]], next_cursor: str | None, now: datetime
) -> int:
    """One users.list page: store its known people and where the sweep goes on (None: it is complete)."""
    sweep = uow.directory.sweep(SWEEP_NAME)
    if sweep.cursor is None:
        sweep.started_at, sweep.pages = now, 0
    matched = record_users(uow, users, now)
    sweep.pages += 1
    sweep.cursor = next_cursor or None
    if sweep.cursor is None:
        sweep.completed_at = now
    return matched


def restart_sweep(uow: UnitOfWork) -> None:
    """Slack refused the stored cursor (it expired): the next page is the first."""
    uow.directory.sweep(SWEEP_NAME).cursor = None
