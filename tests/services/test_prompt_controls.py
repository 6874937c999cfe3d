"""Snoozing a day keeps the local time across a DST change (Paris springs forward on Sunday 31 March 2024)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time

import pytest

from bot.services import prompt_controls
from tests.conftest import Database
from tests.delivery.world import World, make_world

SATURDAY_SLOT = datetime(2024, 3, 30, 9, 0)  # Saturday 10:00 in Paris (CET, UTC+1)
SUNDAY_SAME_TIME = datetime(2024, 3, 31, 8, 0)  # Sunday 10:00 in Paris (CEST, UTC+2)
NEXT_SATURDAY_SLOT = datetime(2024, 4, 6, 8, 0)  # Saturday 10:00 CEST


@pytest.fixture
def world(db: Database) -> Iterator[World]:
    with make_world(db) as running:
        running.at(datetime(2024, 3, 29, 12, 0))
        yield running


def _saturday_person(world: World) -> int:
    pid = world.person("U1", tz="Europe/Paris", weekday=5, local_time=time(10, 0))
    assert world.next_due(pid) == SATURDAY_SLOT
    return pid


def test_a_day_later_is_the_same_local_time_on_the_next_local_day() -> None:
    assert prompt_controls.a_day_later(SATURDAY_SLOT, "Europe/Paris") == SUNDAY_SAME_TIME
    assert prompt_controls.a_day_later(datetime(2024, 10, 26, 8, 0), "Europe/Paris") == datetime(2024, 10, 27, 9, 0)
    assert prompt_controls.a_day_later(SATURDAY_SLOT, "UTC") == datetime(2024, 3, 31, 9, 0)


def test_snoozing_a_sent_prompt_brings_it_back_at_the_same_local_time(world: World) -> None:
    pid = _saturday_person(world)
    assert world.tick(SATURDAY_SLOT)["sent"] == 1
    with world.deps.uow() as uow:
        [prompt] = uow.prompts.all_for(pid)
        assert prompt_controls.snooze_prompt(uow, prompt, SATURDAY_SLOT) == SUNDAY_SAME_TIME
    assert world.tick(datetime(2024, 3, 31, 7, 59))["reminded"] == 0
    assert world.tick(SUNDAY_SAME_TIME)["reminded"] == 1


def test_snoozing_the_next_slot_keeps_its_local_time_and_its_week(world: World) -> None:
    pid = _saturday_person(world)
    with world.deps.uow() as uow:
        person = uow.people.get(pid)
        assert person is not None
        prompt_controls.snooze_next(uow, person, world.now)
    assert world.next_due(pid) == SUNDAY_SAME_TIME
    assert world.tick(datetime(2024, 3, 31, 7, 59))["sent"] == 0
    assert world.tick(SUNDAY_SAME_TIME)["sent"] == 1
    assert world.prompts(pid)[0].idempotency_key.endswith("2024-03-30")
    assert world.next_due(pid) == NEXT_SATURDAY_SLOT


def test_skipping_a_snoozed_slot_skips_that_week(world: World) -> None:
    pid = _saturday_person(world)
    with world.deps.uow() as uow:
        person = uow.people.get(pid)
        assert person is not None
        prompt_controls.snooze_next(uow, person, world.now)
        prompt_controls.skip_next(uow, person, world.now)
    assert world.next_due(pid) == NEXT_SATURDAY_SLOT


def test_skip_then_pause_then_resume_keeps_the_skipped_week_skipped(world: World) -> None:
    """Issue 15 item 6: resume plans the next slot again from now; the skipped week must not come back."""
    pid = _saturday_person(world)
    with world.deps.uow() as uow:
        person = uow.people.get(pid)
        assert person is not None
        prompt_controls.skip_next(uow, person, world.now)
        prompt_controls.pause(uow, person, world.now)
        prompt_controls.resume(uow, person, world.now)
    assert world.tick(SATURDAY_SLOT)["sent"] == 0  # the skipped Saturday stays skipped
    assert world.next_due(pid) == NEXT_SATURDAY_SLOT
    assert world.tick(NEXT_SATURDAY_SLOT)["sent"] == 1
    skipped = [p for p in world.prompts(pid) if p.idempotency_key.endswith("2024-03-30")]
    assert [p.skip_reason for p in skipped] == [prompt_controls.SKIPPED_BY_PERSON]
