"""Recurring 1:1s: scheduling, and when each digest is due (bot.services.slots reads and describes the slot).

Meeting times are wall-clock times in the manager's time zone; `next_at` (the next meeting) and
`next_digest_at` (next_at minus the lead) are naive UTC, recomputed with bot.services.timing so a
10:00 1:1 stays at 10:00 local across daylight-saving changes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.services.errors import WordedError
from bot.services.slots import Slot
from bot.services.timing import anchor_for, next_occurrence
from storage.models import OneOnOne, Person
from storage.uow import UnitOfWork

MAX_LEAD_MINUTES = 7 * 24 * 60
DEFAULT_CHECKIN_WEEKS = 13
MAX_CHECKIN_WEEKS = 104


class ScheduleError(WordedError, ValueError):
    """Bad 1:1 arguments; the message says what to type instead (safe mrkdwn, see WordedError)."""


def next_times(one_on_one: OneOnOne, manager_tz: str, after: datetime) -> tuple[datetime, datetime]:
    """(next meeting strictly after `after`, when its digest is due), naive UTC."""
    meeting = next_occurrence(
        weekday=one_on_one.weekday,
        local_time=one_on_one.local_time,
        tz=manager_tz,
        after=after,
        cadence=one_on_one.cadence,
        anchor_date=one_on_one.anchor_date,
    )
    return meeting, meeting - timedelta(minutes=one_on_one.digest_lead_minutes)


def schedule(
    uow: UnitOfWork,
    *,
    manager: Person,
    report: Person,
    slot: Slot,
    now: datetime,
    lead_minutes: int = 120,
) -> OneOnOne:
    """Create the pair's 1:1, replacing an existing one (a new time is a new schedule)."""
    if not 0 <= lead_minutes <= MAX_LEAD_MINUTES:
        raise ScheduleError("The digest lead must be between 0 minutes and 7 days.")
    existing = uow.one_on_ones.get_pair(manager.id, report.id)
    if existing is not None:
        uow.one_on_ones.end(existing, now)
    # A new time keeps the series' check-in schedule (every N weeks, off, and when the next one is due).
    every = existing.checkin_every_weeks if existing is not None else DEFAULT_CHECKIN_WEEKS
    next_checkin = existing.next_checkin_at if existing is not None else None
    # Fortnightly 1:1s alternate from the first meeting after now.
    anchor = anchor_for(slot.weekday, slot.local_time, manager.tz, slot.cadence, now)
    one_on_one = uow.one_on_ones.add(
        manager.id,
        report.id,
        weekday=slot.weekday,
        local_time=slot.local_time,
        cadence=slot.cadence,
        anchor_date=anchor,
        digest_lead_minutes=lead_minutes,
        now=now,
    )
    meeting, digest_at = next_times(one_on_one, manager.tz, now)
    uow.one_on_ones.set_next(one_on_one, meeting, digest_at)
    set_checkin_every(one_on_one, every, now, next_at=next_checkin)
    return one_on_one


def set_checkin_every(
    one_on_one: OneOnOne, weeks: int | None, now: datetime, *, next_at: datetime | None = None
) -> None:
    """Check-ins on the series' schedule every `weeks` weeks (None: off); the first one `weeks` after
    now unless one is already due (`next_at`)."""
    if weeks is not None and not 1 <= weeks <= MAX_CHECKIN_WEEKS:
        raise ScheduleError(f"Check-ins can be every 1 to {MAX_CHECKIN_WEEKS} weeks.")
    one_on_one.checkin_every_weeks = weeks
    if weeks is None:
        one_on_one.next_checkin_at = None
    elif next_at is not None:
        one_on_one.next_checkin_at = min(next_at, now + timedelta(weeks=weeks))
    else:
        one_on_one.next_checkin_at = now + timedelta(weeks=weeks)


def remove(uow: UnitOfWork, *, manager: Person, report: Person, now: datetime) -> bool:
    existing = uow.one_on_ones.get_pair(manager.id, report.id)
    if existing is None:
        return False
    uow.one_on_ones.end(existing, now)
    return True
