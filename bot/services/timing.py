"""When a weekly, fortnightly or monthly (four-weekly) local slot falls, in UTC, across time zones and daylight saving.

Every datetime in and out is naive UTC (the form the database stores). Local times are computed with
zoneinfo: a 10:00 slot stays 10:00 local on both sides of a DST change; a slot inside a spring-forward
gap moves forward by the gap (02:30 on a night that skips 02:00-03:00 becomes 03:30); a slot that
occurs twice in a fall-back night takes its first occurrence.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage.models import Cadence

log = logging.getLogger(__name__)

# Fortnightly schedules without an anchor alternate from this Monday.
DEFAULT_FORTNIGHT_ANCHOR = date(2024, 1, 1)


@lru_cache(maxsize=1024)
def zone(tz: str | None) -> ZoneInfo:
    """The IANA zone named `tz`; UTC for an empty or unknown name (Slack occasionally sends odd ones)."""
    if not tz:
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown time zone %r, using UTC", tz)
        return ZoneInfo("UTC")


def is_known_zone(tz: str | None) -> bool:
    if not tz:
        return False
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def to_local(utc: datetime, tz: str | None) -> datetime:
    """Naive UTC -> aware local time in `tz`."""
    return utc.replace(tzinfo=UTC).astimezone(zone(tz))


def local_to_utc(local_day: date, local_time: time, tz: str | None) -> datetime:
    """The naive UTC instant of a local wall-clock time (gap: moved forward; ambiguous: first one)."""
    # fold=0 resolves an ambiguous time to its first occurrence and a time in a gap with the offset in
    # force before the transition, which lands the instant after the gap by exactly the gap's length.
    wall = datetime.combine(local_day, local_time.replace(tzinfo=None, fold=0), tzinfo=zone(tz))
    return wall.astimezone(UTC).replace(tzinfo=None)


def same_local_time(utc: datetime, tz: str | None, days: int) -> datetime:
    """The naive UTC instant `days` local days from `utc` at the same wall-clock time in `tz` (a DST change in
    between makes that 23 or 25 hours a day, not 24)."""
    local = to_local(utc, tz)
    return local_to_utc(local.date() + timedelta(days=days), local.time(), tz)


def local_date(utc: datetime, tz: str | None) -> date:
    """The calendar date in `tz` at the naive UTC instant `utc`."""
    return to_local(utc, tz).date()


def slot_key(person_id: int, slot_local_date: date) -> str:
    """Idempotency key of one person's prompt slot: one prompt per person per local slot date, ever."""
    return f"{person_id}:{slot_local_date.isoformat()}"


def in_cadence(slot_local_date: date, cadence: Cadence | str, anchor_date: date | None) -> bool:
    """Whether a slot on this local date belongs to the schedule (always for weekly)."""
    cadence = Cadence(cadence)
    if cadence is Cadence.WEEKLY:
        return True
    anchor = anchor_date or DEFAULT_FORTNIGHT_ANCHOR
    every = 4 if cadence is Cadence.MONTHLY else 2
    return ((slot_local_date - anchor).days // 7) % every == 0


def next_occurrence(
    *,
    weekday: int,
    local_time: time,
    tz: str | None,
    after: datetime,
    cadence: Cadence | str = Cadence.WEEKLY,
    anchor_date: date | None = None,
) -> datetime:
    """The first slot strictly after `after` (naive UTC), as naive UTC.

    Fortnightly slots fall in the weeks where `(slot local date - anchor_date).days // 7` is even;
    monthly ones (every fourth week) where it is a multiple of four.
    """
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday}")
    # Start a day early: the local date at `after` may be behind the slot's date in UTC terms.
    day = local_date(after, tz) - timedelta(days=1)
    day += timedelta(days=(weekday - day.weekday()) % 7)
    for _ in range(8):  # at most three candidate weeks are needed; a few spare for safety
        if in_cadence(day, cadence, anchor_date):
            candidate = local_to_utc(day, local_time, tz)
            if candidate > after:
                return candidate
        day += timedelta(days=7)
    raise AssertionError("no slot found within eight weeks")  # unreachable for valid input


def anchor_for(weekday: int, local_time: time, tz: str | None, cadence: Cadence | str, now: datetime) -> date | None:
    """The anchor of a new slot: a fortnightly (or monthly) one alternates from its first occurrence after
    `now`, so it starts this coming week; weekly slots need none. Prompt schedules and 1:1s alike."""
    if Cadence(cadence) is Cadence.WEEKLY:
        return None
    return local_date(next_occurrence(weekday=weekday, local_time=local_time, tz=tz, after=now), tz)


def previous_occurrence(
    *,
    weekday: int,
    local_time: time,
    tz: str | None,
    at_or_before: datetime,
    cadence: Cadence | str = Cadence.WEEKLY,
    anchor_date: date | None = None,
) -> datetime:
    """The last slot at or before `at_or_before` (naive UTC), as naive UTC."""
    day = local_date(at_or_before, tz) + timedelta(days=1)
    day -= timedelta(days=(day.weekday() - weekday) % 7)
    for _ in range(8):
        if in_cadence(day, cadence, anchor_date):
            candidate = local_to_utc(day, local_time, tz)
            if candidate <= at_or_before:
                return candidate
        day -= timedelta(days=7)
    raise AssertionError("no slot found within eight weeks")
