from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import pytest

from bot.services.timing import (
    in_cadence,
    local_date,
    local_to_utc,
    next_occurrence,
    previous_occurrence,
    slot_key,
    to_local,
)
from storage.models import Cadence

MON, SUN = 0, 6


def test_weekly_slot_in_utc() -> None:
    after = datetime(2024, 5, 1, 12, 0)  # a Wednesday
    assert next_occurrence(weekday=MON, local_time=time(10), tz="UTC", after=after) == datetime(2024, 5, 6, 10)


def test_strictly_after() -> None:
    slot = datetime(2024, 5, 6, 10)
    assert next_occurrence(weekday=MON, local_time=time(10), tz="UTC", after=slot) == datetime(2024, 5, 13, 10)
    just_before = slot - timedelta(microseconds=1)
    assert next_occurrence(weekday=MON, local_time=time(10), tz="UTC", after=just_before) == slot


def test_ten_oclock_stays_ten_oclock_across_spring_forward() -> None:
    # London moves from GMT to BST on Sunday 2024-03-31.
    before = next_occurrence(weekday=MON, local_time=time(10), tz="Europe/London", after=datetime(2024, 3, 20))
    after = next_occurrence(weekday=MON, local_time=time(10), tz="Europe/London", after=before)
    assert before == datetime(2024, 3, 25, 10)  # GMT
    assert after == datetime(2024, 4, 1, 9)  # BST: 10:00 local is 09:00 UTC
    assert to_local(before, "Europe/London").time() == to_local(after, "Europe/London").time() == time(10)


def test_ten_oclock_stays_ten_oclock_across_fall_back() -> None:
    # New York leaves EDT on Sunday 2024-11-03.
    first = next_occurrence(weekday=MON, local_time=time(10), tz="America/New_York", after=datetime(2024, 10, 25))
    second = next_occurrence(weekday=MON, local_time=time(10), tz="America/New_York", after=first)
    assert first == datetime(2024, 10, 28, 14)  # EDT, UTC-4
    assert second == datetime(2024, 11, 4, 15)  # EST, UTC-5


def test_slot_in_spring_forward_gap_moves_forward_by_the_gap() -> None:
    # 2024-03-10 02:00 EST jumps to 03:00 EDT in New York: 02:30 does not exist that Sunday.
    slot = next_occurrence(weekday=SUN, local_time=time(2, 30), tz="America/New_York", after=datetime(2024, 3, 5))
    assert slot == datetime(2024, 3, 10, 7, 30)
    assert to_local(slot, "America/New_York").replace(tzinfo=None) == datetime(2024, 3, 10, 3, 30)


def test_ambiguous_slot_takes_first_occurrence() -> None:
    # 2024-11-03 01:30 happens twice in New York (EDT then EST); the first is 05:30 UTC.
    slot = next_occurrence(weekday=SUN, local_time=time(1, 30), tz="America/New_York", after=datetime(2024, 11, 1))
    assert slot == datetime(2024, 11, 3, 5, 30)
    # And the slot is not repeated at the second 01:30 (06:30 UTC).
    again = next_occurrence(weekday=SUN, local_time=time(1, 30), tz="America/New_York", after=slot)
    assert again == datetime(2024, 11, 10, 6, 30)


def test_zone_ahead_of_utc_slot_on_previous_utc_day() -> None:
    # Monday 09:00 in Auckland (NZDT, UTC+13) is Sunday 20:00 UTC.
    slot = next_occurrence(weekday=MON, local_time=time(9), tz="Pacific/Auckland", after=datetime(2024, 1, 14, 19, 0))
    assert slot == datetime(2024, 1, 14, 20, 0)
    assert local_date(slot, "Pacific/Auckland") == date(2024, 1, 15)


def test_unknown_zone_falls_back_to_utc() -> None:
    after = datetime(2024, 5, 1)
    expected = next_occurrence(weekday=MON, local_time=time(10), tz="UTC", after=after)
    assert next_occurrence(weekday=MON, local_time=time(10), tz="Mars/Olympus_Mons", after=after) == expected
    assert next_occurrence(weekday=MON, local_time=time(10), tz="", after=after) == expected


def test_fortnightly_uses_anchor_parity() -> None:
    anchor = date(2024, 1, 1)  # a Monday
    kwargs = {"weekday": MON, "local_time": time(10), "tz": "UTC", "cadence": Cadence.FORTNIGHTLY}
    first = next_occurrence(**kwargs, anchor_date=anchor, after=datetime(2024, 1, 2))
    assert first == datetime(2024, 1, 15, 10)
    second = next_occurrence(**kwargs, anchor_date=anchor, after=first)
    assert second == datetime(2024, 1, 29, 10)
    shifted = next_occurrence(**kwargs, anchor_date=date(2024, 1, 8), after=datetime(2024, 1, 2))
    assert shifted == datetime(2024, 1, 8, 10)


def test_fortnightly_parity_before_the_anchor() -> None:
    anchor = date(2024, 1, 15)
    assert in_cadence(date(2024, 1, 1), Cadence.FORTNIGHTLY, anchor)
    assert not in_cadence(date(2024, 1, 8), Cadence.FORTNIGHTLY, anchor)
    assert in_cadence(date(2024, 1, 8), Cadence.WEEKLY, anchor)


def test_rejects_bad_weekday() -> None:
    with pytest.raises(ValueError):
        next_occurrence(weekday=7, local_time=time(10), tz="UTC", after=datetime(2024, 1, 1))


def test_slot_key_and_local_date() -> None:
    assert slot_key(42, date(2024, 3, 4)) == "42:2024-03-04"
    assert local_date(datetime(2024, 3, 4, 23, 30), "Asia/Tokyo") == date(2024, 3, 5)


ZONES = [
    "UTC",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Australia/Sydney",
    "Australia/Lord_Howe",  # 30-minute DST shift
    "Pacific/Auckland",
    "Pacific/Chatham",
    "Asia/Kolkata",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "America/Santiago",
]


@pytest.mark.parametrize("cadence", [Cadence.WEEKLY, Cadence.FORTNIGHTLY])
def test_properties_over_many_random_inputs(cadence: Cadence) -> None:
    rng = random.Random(20240310)
    anchor = date(2023, 12, 27)
    start = datetime(2023, 1, 1)
    for _ in range(3000):
        tz = rng.choice(ZONES)
        weekday = rng.randrange(7)
        slot_time = time(rng.randrange(24), rng.choice([0, 15, 30, 45]))
        after = start + timedelta(minutes=rng.randrange(60 * 24 * 365 * 2))
        common = {"weekday": weekday, "local_time": slot_time, "tz": tz, "cadence": cadence, "anchor_date": anchor}
        slot = next_occurrence(**common, after=after)
        assert slot > after
        assert slot - after <= timedelta(days=14 if cadence is Cadence.FORTNIGHTLY else 7, hours=3)
        local = to_local(slot, tz)
        assert local.weekday() == weekday
        assert in_cadence(local.date(), cadence, anchor)
        if local.time() != slot_time:
            # Only a spring-forward gap moves the wall time, and only forward by less than a few hours.
            wanted = datetime.combine(local.date(), slot_time)
            moved = local.replace(tzinfo=None) - wanted
            assert timedelta(0) < moved <= timedelta(hours=1)
        assert slot == local_to_utc(local.date(), slot_time, tz)
        # Nothing skipped: the previous slot is at or before `after`.
        assert previous_occurrence(**common, at_or_before=slot - timedelta(microseconds=1)) <= after
        assert previous_occurrence(**common, at_or_before=slot) == slot
