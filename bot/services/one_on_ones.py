"""Recurring 1:1s: parsing `WEEKDAY HH:MM [weekly|fortnightly]`, scheduling, and when each digest is due.

Meeting times are wall-clock times in the manager's time zone; `next_at` (the next meeting) and
`next_digest_at` (next_at minus the lead) are naive UTC, recomputed with bot.services.timing so a
10:00 1:1 stays at 10:00 local across daylight-saving changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.services.errors import WordedError
from bot.services.text import shorten
from bot.services.timing import local_date, next_occurrence
from bot.settings import WEEKDAYS
from storage.models import Cadence, OneOnOne, Person
from storage.uow import UnitOfWork

MAX_LEAD_MINUTES = 7 * 24 * 60
QUOTED_MAX = 60  # characters of a mistyped word quoted back in an error
NOT_A_TIME = "is not a time; use 24-hour HH:MM such as 14:30."
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$", re.IGNORECASE)


class ScheduleError(WordedError, ValueError):
    """Bad 1:1 arguments; the message says what to type instead.

    Like `UserFacingError`, `str(error)` is safe mrkdwn: the word it quotes back is shortened here and
    escaped by WordedError ("<!channel>" typed as a weekday must not ping the channel), so callers
    show it as it is.
    """


def _refused(word: str, problem: str) -> ScheduleError:
    return ScheduleError("“{typed}” " + problem, typed=shorten(word, QUOTED_MAX))


@dataclass(frozen=True, slots=True)
class MeetingSlot:
    weekday: int  # 0 = Monday
    local_time: time
    cadence: Cadence = Cadence.WEEKLY


def parse_weekday(text: str) -> int:
    lowered = text.strip().lower()
    for index, day in enumerate(WEEKDAYS):
        if len(lowered) >= 2 and day.startswith(lowered):
            return index
    raise _refused(text, "is not a weekday; use e.g. Tuesday or tue.")


def parse_time(text: str) -> time:
    match = _TIME.match(text.strip())
    if not match:
        raise _refused(text, NOT_A_TIME)
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            raise _refused(text, NOT_A_TIME)
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise _refused(text, NOT_A_TIME)
    return time(hour, minute)


def parse_slot(words: list[str]) -> MeetingSlot:
    """`["tue", "14:30", "fortnightly"]` -> MeetingSlot(1, 14:30, fortnightly)."""
    if len(words) < 2:
        raise ScheduleError("Give a weekday and a time, e.g. `Tuesday 14:30` (optionally `fortnightly`).")
    cadence = Cadence.WEEKLY
    if len(words) >= 3:
        word = words[2].lower()
        if word in ("weekly", "week", "every-week"):
            cadence = Cadence.WEEKLY
        elif word in ("fortnightly", "biweekly", "bi-weekly", "fortnight"):
            cadence = Cadence.FORTNIGHTLY
        else:
            raise _refused(words[2], "is not a cadence; use weekly or fortnightly.")
    if len(words) > 3:
        raise ScheduleError("Too many words: the form is `WEEKDAY HH:MM [weekly|fortnightly]`.")
    return MeetingSlot(parse_weekday(words[0]), parse_time(words[1]), cadence)


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
    slot: MeetingSlot,
    now: datetime,
    lead_minutes: int = 120,
) -> OneOnOne:
    """Create the pair's 1:1, replacing an existing one (a new time is a new schedule)."""
    if not 0 <= lead_minutes <= MAX_LEAD_MINUTES:
        raise ScheduleError("The digest lead must be between 0 minutes and 7 days.")
    existing = uow.one_on_ones.get_pair(manager.id, report.id)
    if existing is not None:
        uow.one_on_ones.end(existing, now)
    # Fortnightly 1:1s alternate from the first meeting after now.
    anchor = _first_slot_date(slot, manager.tz, now) if slot.cadence is Cadence.FORTNIGHTLY else None
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
    return one_on_one


def _first_slot_date(slot: MeetingSlot, tz: str, now: datetime) -> date:
    first = next_occurrence(weekday=slot.weekday, local_time=slot.local_time, tz=tz, after=now)
    return local_date(first, tz)


def remove(uow: UnitOfWork, *, manager: Person, report: Person, now: datetime) -> bool:
    existing = uow.one_on_ones.get_pair(manager.id, report.id)
    if existing is None:
        return False
    uow.one_on_ones.end(existing, now)
    return True


def describe(one_on_one: OneOnOne) -> str:
    """`Tuesdays at 14:30, weekly`: the wall-clock schedule in the manager's zone."""
    day = WEEKDAYS[one_on_one.weekday].capitalize()
    return f"{day}s at {one_on_one.local_time.strftime('%H:%M')}, {Cadence(one_on_one.cadence).value}"
