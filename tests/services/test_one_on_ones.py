from __future__ import annotations

from datetime import datetime, time

import pytest

from bot.services.one_on_ones import MeetingSlot, ScheduleError, describe, parse_slot, remove, schedule
from storage.models import Cadence
from tests.conftest import Database
from tests.services.digest_data import make_world


@pytest.mark.parametrize(
    ("words", "slot"),
    [
        (["Tuesday", "14:30"], MeetingSlot(1, time(14, 30), Cadence.WEEKLY)),
        (["tue", "9:05", "fortnightly"], MeetingSlot(1, time(9, 5), Cadence.FORTNIGHTLY)),
        (["FRI", "2pm", "weekly"], MeetingSlot(4, time(14, 0), Cadence.WEEKLY)),
        (["su", "12am", "biweekly"], MeetingSlot(6, time(0, 0), Cadence.FORTNIGHTLY)),
    ],
)
def test_parse_slot(words: list[str], slot: MeetingSlot) -> None:
    assert parse_slot(words) == slot


@pytest.mark.parametrize(
    "words",
    [
        [],
        ["tuesday"],
        ["t", "10:00"],
        ["someday", "10:00"],
        ["mon", "25:00"],
        ["mon", "10:61"],
        ["mon", "13pm"],
        ["mon", "10:00", "monthly"],
        ["mon", "10:00", "weekly", "extra"],
    ],
)
def test_parse_slot_refuses_with_a_hint(words: list[str]) -> None:
    with pytest.raises(ScheduleError):
        parse_slot(words)


@pytest.mark.parametrize(
    ("words", "quoted"),
    [
        (["<!channel>", "10:00"], "“&lt;!channel&gt;” is not a weekday"),
        (["mon", "<@U2>"], "“&lt;@U2&gt;” is not a time"),
        (["mon", "10:00", "R&D"], "“R&amp;D” is not a cadence"),
    ],
)
def test_parse_slot_quotes_the_typed_word_as_safe_mrkdwn(words: list[str], quoted: str) -> None:
    with pytest.raises(ScheduleError) as error:
        parse_slot(words)
    assert str(error.value).startswith(quoted)


def test_parse_slot_shortens_a_very_long_word() -> None:
    with pytest.raises(ScheduleError) as error:
        parse_slot(["<" * 5000, "10:00"])
    assert len(str(error.value)) < 500 and "<" not in str(error.value)


def test_schedule_replaces_the_pair_and_computes_times_in_the_managers_zone(db: Database) -> None:
    now = datetime(2025, 7, 1, 12, 0)  # a Tuesday; New York is UTC-4 in July
    with db.uow() as uow:
        world = make_world(uow, manager_tz="America/New_York")
        manager, report = uow.people.get(world.manager_id), uow.people.get(world.report_id)
        first = schedule(uow, manager=manager, report=report, slot=MeetingSlot(2, time(9, 0)), now=now)
        assert first.next_at == datetime(2025, 7, 2, 13, 0)
        assert first.next_digest_at == datetime(2025, 7, 2, 11, 0)
        second = schedule(
            uow,
            manager=manager,
            report=report,
            slot=MeetingSlot(3, time(9, 0), Cadence.FORTNIGHTLY),
            now=now,
            lead_minutes=30,
        )
        assert first.active is False and second.active is True
        assert second.next_digest_at == datetime(2025, 7, 3, 12, 30)
        assert describe(second) == "Thursdays at 09:00, fortnightly"
        with pytest.raises(ScheduleError):
            schedule(uow, manager=manager, report=report, slot=MeetingSlot(3, time(9)), now=now, lead_minutes=-1)
        assert remove(uow, manager=manager, report=report, now=now) is True
        assert remove(uow, manager=manager, report=report, now=now) is False
