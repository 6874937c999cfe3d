"""The one reminder per unanswered prompt (bot.delivery.reminders, bot.services.reminders)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest

from bot.services import prompt_controls
from tests.conftest import Database
from tests.delivery.world import World, make_world

MONDAY_SLOT = datetime(2024, 1, 8, 9, 0)  # Monday 10:00 in Paris (UTC+1 in winter)


@pytest.fixture
def world(db: Database) -> Iterator[World]:
    with make_world(db) as running:
        yield running


def _reminders(world: World, user_id: str) -> list[dict]:
    channel = world.fake.dm_channel_for(user_id)
    return [m for m in world.fake.messages(channel) if m.get("thread_ts") not in (None, m["ts"])]


def test_one_reminder_after_the_configured_days(world: World) -> None:
    pid = world.person("U1")
    world.tick(MONDAY_SLOT)
    assert world.tick(MONDAY_SLOT + timedelta(days=1))["reminded"] == 0
    assert world.tick(MONDAY_SLOT + timedelta(days=2))["reminded"] == 1
    assert world.tick(MONDAY_SLOT + timedelta(days=2, minutes=1))["reminded"] == 0
    assert world.tick(MONDAY_SLOT + timedelta(days=5))["reminded"] == 0
    [prompt] = world.prompts(pid)
    channel = world.fake.dm_channel_for("U1")
    replies = [m for m in world.fake.thread(channel, prompt.message_ts or "") if m["ts"] != prompt.message_ts]
    assert len(replies) == 1 and "A nudge" in replies[0]["text"]


def test_a_reminder_that_failed_before_reaching_slack_comes_ten_minutes_later(world: World) -> None:
    pid = world.person("U1")
    world.tick(MONDAY_SLOT)
    # A profile unknown (forgotten here) is read with users.info before the reminder; that call fails.
    with world.deps.uow() as uow:
        person = uow.people.get(pid)
        assert person is not None
        person.profile_fetched_at = None
    world.fake.set_error("users.list", "service_unavailable")
    world.fake.set_error("users.info", "service_unavailable")
    report = world.tick(MONDAY_SLOT + timedelta(days=2))
    assert report["reminded"] == 0 and report["reminder_retry"] == 1 and _reminders(world, "U1") == []
    assert world.tick(MONDAY_SLOT + timedelta(days=2, minutes=5))["reminded"] == 0
    assert world.tick(MONDAY_SLOT + timedelta(days=2, minutes=11))["reminded"] == 1
    assert world.tick(MONDAY_SLOT + timedelta(days=3))["reminded"] == 0
    assert len(_reminders(world, "U1")) == 1


def test_a_rate_limited_reminder_is_retried(world: World) -> None:
    world.person("U1")
    world.tick(MONDAY_SLOT)
    world.fake.set_error("chat.postMessage", "ratelimited")
    assert world.tick(MONDAY_SLOT + timedelta(days=2), rate_limit_wait_max_s=0.0)["reminder_retry"] == 1
    assert world.tick(MONDAY_SLOT + timedelta(days=2, minutes=11))["reminded"] == 1
    assert len(_reminders(world, "U1")) == 1


def test_a_reminder_post_that_may_have_gone_through_is_never_retried(world: World) -> None:
    world.person("U1")
    world.tick(MONDAY_SLOT)
    world.fake.fail_next("chat.postMessage", 503, times=2)  # the client's one retry fails too
    assert world.tick(MONDAY_SLOT + timedelta(days=2))["reminder_failed"] == 1
    assert world.tick(MONDAY_SLOT + timedelta(days=2, minutes=11))["reminded"] == 0
    assert world.tick(MONDAY_SLOT + timedelta(days=4))["reminded"] == 0


def test_pausing_through_the_service_cancels_the_open_prompts_reminder(world: World) -> None:
    # `/ladder pause` and `/ladder admin pause` go through prompt_controls.pause, not the DM's button.
    pid = world.person("U1")
    world.tick(MONDAY_SLOT)
    with world.deps.uow() as uow:
        person = uow.people.get(pid)
        assert person is not None
        prompt_controls.pause(uow, person, world.now, until=date(2024, 2, 1))
    report = world.tick(MONDAY_SLOT + timedelta(days=2))
    assert report["reminded"] == 0 and _reminders(world, "U1") == []
    assert world.prompts(pid)[0].next_attempt_at is None


def test_no_reminder_while_paused_even_if_one_was_pending(world: World) -> None:
    pid = world.person("U1")
    world.tick(MONDAY_SLOT)
    with world.deps.uow() as uow:
        schedule = uow.schedules.get_for(pid)
        assert schedule is not None
        uow.schedules.pause(schedule, None)  # paused without going through prompt_controls
    report = world.tick(MONDAY_SLOT + timedelta(days=2))
    assert report["reminded"] == 0 and report["reminder_paused"] == 1 and _reminders(world, "U1") == []


def test_no_reminder_for_someone_away_at_reminder_time(world: World) -> None:
    world.person("U1")
    world.tick(MONDAY_SLOT)
    world.fake.set_status("U1", "Out of office", ":palm_tree:")
    report = world.tick(MONDAY_SLOT + timedelta(days=2))
    assert report["reminded"] == 0 and report["reminder_away"] == 1 and _reminders(world, "U1") == []
    world.fake.set_status("U1", "", "")
    assert world.tick(MONDAY_SLOT + timedelta(days=2, minutes=1))["reminded"] == 0  # still at most one


def test_no_reminder_for_answered_or_superseded_prompts(world: World) -> None:
    pid = world.person("U1")
    world.tick(MONDAY_SLOT)
    with world.deps.uow() as uow:
        prompt = uow.prompts.all_for(pid)[0]
        uow.prompts.mark_answered(prompt, MONDAY_SLOT)
        uow.prompts.set_reminder(prompt, None)
    assert world.tick(MONDAY_SLOT + timedelta(days=3))["reminded"] == 0
    # With a 9-day reminder setting, the next week's prompt supersedes the first one's reminder.
    world.tick(MONDAY_SLOT + timedelta(days=7))
    assert world.tick(MONDAY_SLOT + timedelta(days=7, hours=1), reminder_after=timedelta(days=9))["reminded"] == 0


def test_snoozed_prompt_comes_back_as_its_reminder(world: World) -> None:
    pid = world.person("U1")
    world.tick(MONDAY_SLOT)
    with world.deps.uow() as uow:
        prompt = uow.prompts.all_for(pid)[0]
        prompt_controls.snooze_prompt(uow, prompt, MONDAY_SLOT + timedelta(hours=1))
    assert world.tick(MONDAY_SLOT + timedelta(hours=20))["reminded"] == 0
    assert world.tick(MONDAY_SLOT + timedelta(hours=25))["reminded"] == 1


def test_the_tick_config_sets_when_a_sent_prompt_is_reminded(world: World) -> None:
    world.person("U1")
    world.tick(MONDAY_SLOT, reminder_after=timedelta(days=1))
    assert world.tick(MONDAY_SLOT + timedelta(days=1, minutes=1))["reminded"] == 1
