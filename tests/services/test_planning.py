"""Planning the prompt tick (bot.services.planning): slots, late windows, quiet days, cadence, pauses, snoozes."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

import pytest

from bot.services import prompt_controls
from bot.services.evidence import answer_prompt
from storage.models import Cadence, PromptState
from tests.conftest import Database
from tests.delivery.world import World, make_world

MONDAY_SLOT = datetime(2024, 1, 8, 9, 0)  # Monday 10:00 in Paris (UTC+1 in winter)


@pytest.fixture
def world(db: Database) -> Iterator[World]:
    with make_world(db) as running:
        yield running


def test_nothing_before_the_slot_then_one_prompt_at_it(world: World) -> None:
    pid = world.person("U1")
    assert world.next_due(pid) == MONDAY_SLOT
    report = world.tick(MONDAY_SLOT - timedelta(minutes=1))
    assert report["sent"] == 0 and world.dm("U1") == []
    report = world.tick(MONDAY_SLOT)
    assert report["planned"] == 1 and report["sent"] == 1
    [message] = world.dm("U1")
    assert "growth prompt" in message["text"]
    assert message["metadata"]["event_payload"]["prompt_id"] == world.prompts(pid)[0].id
    [prompt] = world.prompts(pid)
    assert prompt.state is PromptState.SENT and prompt.message_ts == message["ts"]
    assert world.next_due(pid) == MONDAY_SLOT + timedelta(days=7)


def test_ticking_again_never_sends_twice(world: World) -> None:
    pid = world.person("U1")
    world.tick(MONDAY_SLOT)
    world.tick(MONDAY_SLOT)
    world.tick(MONDAY_SLOT + timedelta(minutes=5))
    assert len(world.dm("U1")) == 1
    assert len(world.prompts(pid)) == 1


def test_local_time_kept_across_dst(world: World) -> None:
    # Paris switches to summer time on Sunday 2024-03-31.
    pid = world.person("U1", after=datetime(2024, 3, 20))
    assert world.next_due(pid) == datetime(2024, 3, 25, 9, 0)  # CET
    world.tick(datetime(2024, 3, 25, 9, 0))
    assert world.next_due(pid) == datetime(2024, 4, 1, 8, 0)  # CEST: still 10:00 local
    assert world.tick(datetime(2024, 4, 1, 7, 59))["sent"] == 0
    assert world.tick(datetime(2024, 4, 1, 8, 0))["sent"] == 1
    assert len(world.dm("U1")) == 2


def test_late_prompt_within_window_is_sent(world: World) -> None:
    world.person("U1")
    report = world.tick(MONDAY_SLOT + timedelta(hours=5))
    assert report["sent"] == 1


def test_stale_prompt_is_expired_never_stacked(world: World) -> None:
    pid = world.person("U1")
    # The bot was down for three weeks and a day: one EXPIRED record, nothing sent, schedule in the future.
    back = MONDAY_SLOT + timedelta(days=21, hours=13)
    report = world.tick(back)
    assert report["sent"] == 0 and report["expired"] == 1
    assert world.states(pid) == [PromptState.EXPIRED]
    assert "late window" in (world.prompts(pid)[0].skip_reason or "")
    assert world.next_due(pid) == MONDAY_SLOT + timedelta(days=28)
    assert world.dm("U1") == []


def test_downtime_over_a_slot_sends_only_the_recent_one(world: World) -> None:
    pid = world.person("U1")
    # Down from before the first slot until 2 hours after the second one.
    report = world.tick(MONDAY_SLOT + timedelta(days=7, hours=2))
    assert report["expired"] == 1 and report["sent"] == 1
    assert world.states(pid) == [PromptState.EXPIRED, PromptState.SENT]
    assert len(world.dm("U1")) == 1


def test_quiet_day_is_skipped(world: World) -> None:
    pid = world.person("U1")
    world.quiet_days = frozenset({date(2024, 1, 8)})
    report = world.tick(MONDAY_SLOT)
    assert report["skipped"] == 1 and report["sent"] == 0
    assert "quiet day" in (world.prompts(pid)[0].skip_reason or "")


def test_consecutive_prompts_rotate_behaviours(world: World) -> None:
    pid = world.person("U1")
    for week in range(4):
        world.tick(MONDAY_SLOT + timedelta(days=7 * week))
        with world.deps.uow() as uow:  # answered, so the prompts never back off (tests/delivery/test_backoff.py)
            answer_prompt(uow, uow.prompts.get(world.prompts(pid)[-1].id), world.now)
    asked = [p.behaviour_ids[0] for p in world.prompts(pid)]
    assert len(asked) == 4
    assert all(a != b for a, b in itertools.pairwise(asked))


def test_fortnightly_schedule(world: World) -> None:
    pid = world.person("U1", cadence=Cadence.FORTNIGHTLY, anchor=date(2024, 1, 8))
    assert world.next_due(pid) == MONDAY_SLOT
    world.tick(MONDAY_SLOT)
    assert world.next_due(pid) == MONDAY_SLOT + timedelta(days=14)


def test_paused_until_date_then_resumes_on_its_own(world: World) -> None:
    pid = world.person("U1")
    with world.deps.uow() as uow:
        person = uow.people.get(pid)
        assert person is not None
        state = prompt_controls.pause(uow, person, world.now, until=date(2024, 1, 20))
    assert state.paused and state.next_due_at == datetime(2024, 1, 22, 9, 0)
    assert world.tick(MONDAY_SLOT)["sent"] == 0
    assert world.tick(MONDAY_SLOT + timedelta(days=7))["sent"] == 0
    assert world.tick(datetime(2024, 1, 22, 9, 0))["sent"] == 1
    with world.deps.uow() as uow:
        schedule = uow.schedules.get_for(pid)
        assert schedule is not None and not schedule.paused


def test_snoozed_slot_keeps_its_week(world: World) -> None:
    pid = world.person("U1")
    with world.deps.uow() as uow:
        person = uow.people.get(pid)
        assert person is not None
        prompt_controls.snooze_next(uow, person, world.now)
    assert world.next_due(pid) == MONDAY_SLOT + timedelta(days=1)
    assert world.tick(MONDAY_SLOT)["sent"] == 0
    assert world.tick(MONDAY_SLOT + timedelta(days=1))["sent"] == 1
    assert world.prompts(pid)[0].idempotency_key.endswith("2024-01-08")
    assert world.next_due(pid) == MONDAY_SLOT + timedelta(days=7)


def test_person_without_ladder_is_skipped_with_reason(world: World) -> None:
    pid = world.person("U1")
    with world.deps.uow() as uow:
        placement = uow.placements.current_for(pid)
        assert placement is not None
        uow.placements.close(placement, world.now)
    assert world.tick(MONDAY_SLOT)["skipped"] == 1
    assert "no ladder" in (world.prompts(pid)[0].skip_reason or "")


def test_local_time_zero_slot_edge(world: World) -> None:
    # A midnight slot: the local date (and so the idempotency key) is the slot's own day.
    pid = world.person("U1", local_time=time(0, 0))
    world.tick(datetime(2024, 1, 7, 23, 0))  # Monday 00:00 in Paris
    assert world.prompts(pid)[0].idempotency_key.endswith("2024-01-08")


def test_an_inactive_persons_stale_slot_is_cleared_by_the_tick(world: World) -> None:
    # However a slot got there (their own pause and resume, an admin's schedule change), the tick sends
    # nothing and takes it out of the due range; becoming active again plans a fresh one.
    pid = world.person("U1")
    with world.deps.uow() as uow:
        person = uow.people.get(pid)
        assert person is not None
        uow.people.mark_inactive(person, "left", world.now)
        prompt_controls.resume(uow, person, world.now)  # sets a next slot
    assert world.next_due(pid) == MONDAY_SLOT
    report = world.tick(MONDAY_SLOT)
    assert report["planned"] == 0 and report["sent"] == 0
    assert world.next_due(pid) is None and world.prompts(pid) == []
    with world.deps.uow() as uow:
        person = uow.people.get(pid)
        assert person is not None
        prompt_controls.mark_active(uow, person, MONDAY_SLOT)
    assert world.next_due(pid) == MONDAY_SLOT + timedelta(days=7)
