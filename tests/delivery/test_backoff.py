"""Prompts that back off, through the real tick and the fake Slack, on both backends: three unanswered
prompts bring one question instead of the fourth prompt, no answer by the next slot moves the person to
fortnightly with one line saying so, an answer restores weekly, and over a quarter nobody ever gets more
than one prompt and one reminder a week."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from bot.services import backoff
from bot.services.evidence import answer_prompt
from bot.services.prompt_controls import skip_prompt
from storage.models import Backoff, Cadence, PromptState
from tests.conftest import Database
from tests.delivery.world import World, make_world

MONDAY_SLOT = datetime(2024, 1, 8, 9, 0)  # Monday 10:00 in Paris (UTC+1 in winter)
WEEK = timedelta(days=7)


@pytest.fixture
def world(db: Database) -> Iterator[World]:
    with make_world(db) as running:
        yield running


def _week(world: World, n: int) -> None:
    """Week n's Monday slot and the Wednesday reminder."""
    world.tick(MONDAY_SLOT + n * WEEK + timedelta(minutes=5))
    world.tick(MONDAY_SLOT + n * WEEK + timedelta(days=2, minutes=5))


def _schedule(world: World, pid: int):  # type: ignore[no-untyped-def]
    with world.deps.uow() as uow:
        return uow.schedules.get_for(pid)


def _top_level_texts(world: World, user_id: str) -> list[str]:
    return [m.get("text", "") for m in world.dm(user_id)]


def test_three_unanswered_prompts_ask_once_then_fortnightly_by_itself_then_an_answer_restores(world: World) -> None:
    pid = world.person("U1")
    for n in range(3):
        _week(world, n)
    assert [p.state for p in world.prompts(pid)] == [PromptState.SENT] * 3

    _week(world, 3)  # the fourth slot: the question instead of a prompt
    prompts = world.prompts(pid)
    assert prompts[-1].state is PromptState.SKIPPED and prompts[-1].skip_reason == backoff.ASKING
    texts = _top_level_texts(world, "U1")
    assert sum("three prompts went unanswered" in t for t in texts) == 1
    assert _schedule(world, pid).backoff is Backoff.ASKED

    _week(world, 4)  # no answer by the next slot: fortnightly by itself, said in one line
    schedule = _schedule(world, pid)
    assert schedule.cadence is Cadence.FORTNIGHTLY and schedule.cadence_before_backoff is Cadence.WEEKLY
    assert schedule.backoff is Backoff.AUTO
    texts = _top_level_texts(world, "U1")
    assert sum("now fortnightly" in t for t in texts) == 1
    assert world.prompts(pid)[-1].state is PromptState.SENT  # this slot is in the new fortnight

    _week(world, 5)  # the off week
    assert len(world.prompts(pid)) == 5
    _week(world, 6)
    assert len(world.prompts(pid)) == 6
    assert sum("three prompts went unanswered" in t for t in _top_level_texts(world, "U1")) == 1  # asked once

    with world.deps.uow() as uow:  # the person answers the latest prompt
        latest = uow.prompts.get(world.prompts(pid)[-1].id)
        answer_prompt(uow, latest, world.now)
    schedule = _schedule(world, pid)
    assert schedule.cadence is Cadence.WEEKLY and schedule.backoff is None
    _week(world, 7)
    assert len(world.prompts(pid)) == 7  # weekly again


def test_nothing_this_week_is_an_answer_and_never_starts_a_back_off(world: World) -> None:
    pid = world.person("U1")
    for n in range(6):
        _week(world, n)
        if n % 2 == 1:
            with world.deps.uow() as uow:
                skip_prompt(uow, uow.prompts.get(world.prompts(pid)[-1].id), world.now)
    assert _schedule(world, pid).backoff is None
    assert all(p.state in (PromptState.SENT, PromptState.SKIPPED) for p in world.prompts(pid))
    assert not any("unanswered" in t for t in _top_level_texts(world, "U1"))
    with world.deps.uow() as uow:
        rate = backoff.rate_of(uow, pid)
    assert (rate.answered, rate.asked) == (3, 6) and rate.line == "You answered 3 of the last 6 prompts."


def test_never_more_than_one_prompt_and_one_reminder_a_week_over_a_quarter_with_the_back_off(world: World) -> None:
    users = {"U1": world.person("U1"), "U2": world.person("U2", weekday=2, tz="America/New_York")}
    moment, end = MONDAY_SLOT - timedelta(days=1), MONDAY_SLOT + 13 * WEEK
    while moment < end:
        world.tick(moment)
        moment += timedelta(hours=6)
    for user_id, pid in users.items():
        prompts = world.prompts(pid)
        sent = Counter(p.sent_at.isocalendar()[:2] for p in prompts if p.sent_at)
        reminded = Counter(p.reminder_sent_at.isocalendar()[:2] for p in prompts if p.reminder_sent_at)
        assert sent and max(sent.values()) == 1, user_id
        assert max(reminded.values()) == 1, user_id
        channel = world.fake.dm_channel_for(user_id)
        replies = [m for m in world.fake.messages(channel) if m.get("thread_ts") not in (None, m["ts"])]
        assert len(replies) == sum(reminded.values())
        # The back-off did its job: asked once, then slower, so well under thirteen prompts.
        assert sum("three prompts went unanswered" in t for t in _top_level_texts(world, user_id)) == 1
        assert len(sent) < 10
