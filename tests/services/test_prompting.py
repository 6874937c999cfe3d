from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.delivery.fanout import Pacer
from bot.services import prompt_controls, timing
from bot.services.prompt_content import content_for
from storage.models import Cadence, PromptState
from tests.conftest import Database
from tests.services.prompting_world import World, make_world

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


def test_away_status_skips_the_week_and_records_why(world: World) -> None:
    pid = world.person("U1")
    world.fake.set_status("U1", "Vacation until Friday", ":palm_tree:")
    report = world.tick(MONDAY_SLOT)
    assert report["away"] == 1 and report["sent"] == 0
    [prompt] = world.prompts(pid)
    assert prompt.state is PromptState.SKIPPED and "away" in (prompt.skip_reason or "")
    assert world.dm("U1") == []
    world.fake.set_status("U1", "", "")
    assert world.tick(MONDAY_SLOT + timedelta(days=7))["sent"] == 1


def test_quiet_day_is_skipped(world: World) -> None:
    pid = world.person("U1")
    world.quiet_days = frozenset({date(2024, 1, 8)})
    report = world.tick(MONDAY_SLOT)
    assert report["skipped"] == 1 and report["sent"] == 0
    assert "quiet day" in (world.prompts(pid)[0].skip_reason or "")


def test_deactivated_user_is_marked_inactive_not_retried(world: World) -> None:
    pid = world.person("U1")
    world.fake.deactivate("U1")
    report = world.tick(MONDAY_SLOT)
    assert report["inactive"] == 1
    with world.deps.uow() as uow:
        person = uow.people.get(pid)
        assert person is not None and not person.active
    assert world.states(pid) == [PromptState.FAILED]
    assert world.next_due(pid) is None
    assert world.tick(MONDAY_SLOT + timedelta(days=7))["sent"] == 0
    assert world.fake.count("conversations.open") == 0


def test_user_disabled_on_open_marks_inactive(world: World) -> None:
    pid = world.person("U1")
    world.fake.set_error("conversations.open", "user_disabled")
    assert world.tick(MONDAY_SLOT)["inactive"] == 1
    assert world.prompts(pid)[0].last_error and "user_disabled" in world.prompts(pid)[0].last_error


def test_server_errors_are_retried_later_with_backoff(world: World) -> None:
    pid = world.person("U1")
    world.fake.fail_next("chat.postMessage", 503, times=10)
    report = world.tick(MONDAY_SLOT)
    assert report["retry"] == 1 and report["sent"] == 0
    [prompt] = world.prompts(pid)
    assert prompt.state is PromptState.DUE and prompt.last_error
    assert prompt.next_attempt_at is not None and prompt.next_attempt_at > MONDAY_SLOT
    # Not before its retry time.
    world.fake.clear_faults()
    assert world.tick(MONDAY_SLOT + timedelta(seconds=5))["sent"] == 0
    assert world.tick(MONDAY_SLOT + timedelta(minutes=1))["sent"] == 1
    assert len(world.dm("U1")) == 1


def test_gives_up_after_max_attempts(world: World) -> None:
    pid = world.person("U1")
    world.fake.set_error("chat.postMessage", "some_unknown_error", times=100)
    moment = MONDAY_SLOT
    for _ in range(4):
        world.tick(moment, max_attempts=3)
        moment += timedelta(hours=1)
    [prompt] = world.prompts(pid)
    assert prompt.state is PromptState.FAILED
    assert prompt.attempts == 3


def test_rate_limit_is_paced_and_nothing_lost(world: World) -> None:
    people = [world.person(f"U{i}") for i in range(12)]
    world.fake.rate_limit("chat.postMessage", per_second=10, burst=2)
    report = world.tick(MONDAY_SLOT, concurrency=6)
    assert report["sent"] == len(people)
    assert report["rate_limited"] > 0
    assert len(world.fake.messages()) == len(people)


def test_rate_limit_past_budget_is_rescheduled(world: World) -> None:
    pid = world.person("U1")
    world.fake.rate_limit("chat.postMessage", per_second=0.01, burst=1)
    world.fake.add_user("UX", "x")
    world.fake.messages()  # the single token is spent below
    from bot.slack_client import make_web_client

    make_web_client(world.fake.bot_token, world.fake.api_url).chat_postMessage(channel="UX", text="spend the token")
    report = world.tick(MONDAY_SLOT, rate_limit_wait_max_s=0.5)
    assert report["retry"] == 1
    [prompt] = world.prompts(pid)
    assert prompt.state is PromptState.DUE and prompt.last_error == "ratelimited"


def test_time_zone_refreshed_from_slack(world: World) -> None:
    # Planned for 10:00 Paris, but Slack says the person is in New York now: 04:00 there is no time
    # for a prompt, so it waits for 10:00 New York (EST, UTC-5) the same day.
    pid = world.person("U1", slack_tz="America/New_York")
    report = world.tick(MONDAY_SLOT)
    assert report["sent"] == 0 and report["retimed"] == 1 and world.dm("U1") == []
    with world.deps.uow() as uow:
        person = uow.people.get(pid)
        assert person is not None and person.tz == "America/New_York"
    [prompt] = world.prompts(pid)
    assert prompt.state is PromptState.DUE and prompt.due_at == datetime(2024, 1, 8, 15, 0)
    assert world.tick(datetime(2024, 1, 8, 14, 59))["sent"] == 0
    assert world.tick(datetime(2024, 1, 8, 15, 0))["sent"] == 1
    assert len(world.dm("U1")) == 1 and world.states(pid) == [PromptState.SENT]
    # Next Monday 10:00 in New York, never a second prompt the same week.
    assert world.next_due(pid) == datetime(2024, 1, 15, 15, 0)


def test_moved_west_first_prompt_at_the_new_local_time(world: World) -> None:
    pid = world.person("U1", slack_tz="America/Los_Angeles")
    world.tick(MONDAY_SLOT)  # 01:00 in Los Angeles: not then
    assert world.dm("U1") == []
    assert world.tick(datetime(2024, 1, 8, 18, 0))["sent"] == 1  # 10:00 PST
    assert len(world.dm("U1")) == 1
    [prompt] = world.prompts(pid)
    assert prompt.sent_at is not None and timing.to_local(prompt.sent_at, "America/Los_Angeles").hour == 10
    assert prompt.attempts == 1  # finding out about the move did not use up an attempt


def test_moved_east_prompt_already_due_there_is_sent_now(world: World) -> None:
    # Planned for 10:00 Los Angeles (18:00 UTC); in Paris 10:00 was 9 hours ago, inside the late window.
    pid = world.person("U1", tz="America/Los_Angeles", slack_tz="Europe/Paris")
    slot = world.next_due(pid)
    assert slot == datetime(2024, 1, 8, 18, 0)
    assert world.tick(slot)["sent"] == 1
    assert world.next_due(pid) == MONDAY_SLOT + timedelta(days=7)


def test_moved_far_east_prompt_past_the_late_window_expires(world: World) -> None:
    # 10:00 Los Angeles is 18:00 UTC; 10:00 Tokyo that day was 01:00 UTC, 17 hours before.
    pid = world.person("U1", tz="America/Los_Angeles", slack_tz="Asia/Tokyo")
    report = world.tick(datetime(2024, 1, 8, 18, 0))
    assert report["sent"] == 0 and report["expired"] == 1 and world.dm("U1") == []
    [prompt] = world.prompts(pid)
    assert prompt.state is PromptState.EXPIRED and "Asia/Tokyo" in (prompt.skip_reason or "")
    assert world.next_due(pid) == datetime(2024, 1, 15, 1, 0)


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
    assert len(replies) == 1 and "gentle" in replies[0]["text"]


def test_a_reminder_that_failed_before_reaching_slack_comes_ten_minutes_later(world: World) -> None:
    world.person("U1")
    world.tick(MONDAY_SLOT)
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


def _reminders(world: World, user_id: str) -> list[dict]:
    channel = world.fake.dm_channel_for(user_id)
    return [m for m in world.fake.messages(channel) if m.get("thread_ts") not in (None, m["ts"])]


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


def test_a_newer_prompt_closes_the_previous_unanswered_ones_buttons(world: World) -> None:
    pid = world.person("U1")
    world.tick(MONDAY_SLOT)
    world.tick(MONDAY_SLOT + timedelta(days=7))
    first, second = world.dm("U1")
    assert "actions" not in json.dumps(first["blocks"]) and "newer prompt arrived" in json.dumps(first["blocks"])
    assert "actions" in json.dumps(second["blocks"])
    assert world.fake.count("chat.update") == 1
    # Answered ones are left alone, and only the one before is ever touched.
    with world.deps.uow() as uow:
        uow.prompts.mark_answered(uow.prompts.all_for(pid)[1], world.now)
    world.tick(MONDAY_SLOT + timedelta(days=14))
    assert world.fake.count("chat.update") == 1


def test_snoozed_prompt_comes_back_as_its_reminder(world: World) -> None:
    pid = world.person("U1")
    world.tick(MONDAY_SLOT)
    with world.deps.uow() as uow:
        prompt = uow.prompts.all_for(pid)[0]
        prompt_controls.snooze_prompt(uow, prompt, MONDAY_SLOT + timedelta(hours=1))
    assert world.tick(MONDAY_SLOT + timedelta(hours=20))["reminded"] == 0
    assert world.tick(MONDAY_SLOT + timedelta(hours=25))["reminded"] == 1


def test_consecutive_prompts_rotate_behaviours(world: World) -> None:
    pid = world.person("U1")
    for week in range(4):
        world.tick(MONDAY_SLOT + timedelta(days=7 * week))
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


def test_two_instances_ticking_at_once_send_each_prompt_once(world: World) -> None:
    people = [world.person(f"U{i}") for i in range(30)]
    errors: list[BaseException] = []

    def run() -> None:
        try:
            world.tick(MONDAY_SLOT, concurrency=4)
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    messages = world.fake.messages()
    prompt_ids = [m["metadata"]["event_payload"]["prompt_id"] for m in messages]
    assert len(prompt_ids) == len(set(prompt_ids)) == len(people)


def test_person_without_ladder_is_skipped_with_reason(world: World) -> None:
    pid = world.person("U1")
    with world.deps.uow() as uow:
        placement = uow.placements.current_for(pid)
        assert placement is not None
        uow.placements.close(placement, world.now)
    assert world.tick(MONDAY_SLOT)["skipped"] == 1
    assert "no ladder" in (world.prompts(pid)[0].skip_reason or "")


def test_pacer_learns_the_observed_rate() -> None:
    moments = iter([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
    clock_value = [0.0]

    def clock() -> float:
        return clock_value[0]

    slept: list[float] = []
    pacer = Pacer(clock=clock, sleep=slept.append)
    for moment in moments:
        clock_value[0] = moment
        pacer.wait()
        pacer.success()
    assert slept == [] and pacer.interval == 0.0
    pacer.rate_limited()
    assert pacer.interval == pytest.approx(0.7 / 8)  # 8 successes since the first call, 0.7 s ago
    pacer.wait()
    pacer.wait()
    assert slept and slept[-1] == pytest.approx(pacer.interval)


def test_local_time_zero_slot_edge(world: World) -> None:
    # A midnight slot: the local date (and so the idempotency key) is the slot's own day.
    pid = world.person("U1", local_time=time(0, 0))
    world.tick(datetime(2024, 1, 7, 23, 0))  # Monday 00:00 in Paris
    assert world.prompts(pid)[0].idempotency_key.endswith("2024-01-08")


def test_second_prompt_reuses_the_dm_channel(world: World) -> None:
    world.person("U1")
    world.tick(MONDAY_SLOT)
    assert world.fake.count("conversations.open") == 1
    world.tick(MONDAY_SLOT + timedelta(days=7))
    assert world.fake.count("conversations.open") == 1
    assert len(world.dm("U1")) == 2


def test_stale_dm_channel_falls_back_to_conversations_open(world: World) -> None:
    world.person("U1")
    world.tick(MONDAY_SLOT)
    world.fake.set_error("chat.postMessage", "channel_not_found")
    assert world.tick(MONDAY_SLOT + timedelta(days=7))["sent"] == 1
    assert world.fake.count("conversations.open") == 2


def test_rendered_prompt_matches_the_block_builder() -> None:
    from bot.blocks.prompt import prompt_blocks, rendered_prompt
    from bot.services.prompt_content import PromptContent

    content = PromptContent(41, "Ships <things> & more", "Delivery", "Milestone 2", "why not", "for leads")
    assert rendered_prompt(content) == [block.to_dict() for block in prompt_blocks(content)]
    other = PromptContent(42, "Ships <things> & more", "Delivery", "Milestone 2", "why not", "for leads")
    assert rendered_prompt(other) == [block.to_dict() for block in prompt_blocks(other)]


def test_rate_limits_never_use_up_the_attempts(world: World) -> None:
    pid = world.person("U1")
    world.fake.set_error("chat.postMessage", "ratelimited", times=1000)
    moment = MONDAY_SLOT
    for _ in range(4):
        world.tick(moment, max_attempts=2, rate_limit_wait_max_s=0.0)
        moment += timedelta(minutes=1)
    [prompt] = world.prompts(pid)
    assert prompt.state is PromptState.DUE and prompt.attempts == 0 and prompt.last_error == "ratelimited"


def test_pacer_backs_off_gently_and_ignores_429s_from_before_the_change() -> None:
    now = [0.0]
    pacer = Pacer(clock=lambda: now[0], sleep=lambda seconds: None)
    turns = []
    for step in range(10):
        now[0] = step * 0.01
        turns.append(pacer.wait())
        pacer.success()
    now[0] = 0.1
    pacer.rate_limited(turns[-1])
    first = pacer.interval
    assert first == pytest.approx(0.1 / 10)
    pacer.rate_limited(turns[-2])  # sent under the old pace: says nothing new
    assert pacer.interval == first
    now[0] = 0.105
    pacer.rate_limited(pacer.wait())  # sent under the new pace and still too fast: 3% slower
    assert pacer.interval == pytest.approx(first * 1.03)
    for _ in range(10):
        pacer.success()
    assert pacer.interval == pytest.approx(first * 1.03 * 0.998**10)


def _dm_text(message: dict) -> str:
    return json.dumps(message["blocks"])


def test_empty_next_milestone_prompt_says_it_is_from_the_current_level(world: World) -> None:
    # luko-execution's Milestone 5 is empty everywhere: the prompt falls back to Milestone 4.
    pid = world.person("U1", level="4")
    assert world.tick(MONDAY_SLOT)["sent"] == 1
    [prompt] = world.prompts(pid)
    behaviour = world.deps.library["luko-execution"].behaviour(prompt.behaviour_ids[0])
    assert behaviour.level_id == "4"
    text = _dm_text(world.dm("U1")[0])
    assert "From your current level (Milestone 4): Milestone 5 lists no behaviours yet" in text
    assert "towards" not in text and "reaching Milestone 4" not in text
    with world.deps.uow() as uow:
        content = content_for(uow, world.deps.library, uow.prompts.get(prompt.id))  # type: ignore[arg-type]
    assert content is not None and content.fallback


def test_top_of_the_ladder_prompt_says_so(world: World) -> None:
    pid = world.person("U1", level="P4", ladder="flow")
    assert world.tick(MONDAY_SLOT)["sent"] == 1
    [prompt] = world.prompts(pid)
    assert world.deps.library["flow"].behaviour(prompt.behaviour_ids[0]).level_id == "P4"
    text = _dm_text(world.dm("U1")[0])
    assert "You are at the top of this ladder (P4): keep showing this" in text
    assert "towards" not in text and "reaching P4" not in text


def test_next_milestone_prompt_still_says_towards(world: World) -> None:
    world.person("U1", level="2")
    world.tick(MONDAY_SLOT)
    text = _dm_text(world.dm("U1")[0])
    assert "towards *Milestone 3*" in text and "current level" not in text


def test_pacer_spaces_turns_from_when_they_actually_went_out() -> None:
    # A turn that wakes late does not let the next one go early: without burst, early means refused.
    now = [0.0]

    def late_sleep(seconds: float) -> None:
        now[0] += seconds + 0.02  # woken 20 ms late

    pacer = Pacer(clock=lambda: now[0], sleep=late_sleep)
    for _ in range(3):
        pacer.wait()
        pacer.success()
    now[0] = 0.1
    pacer.rate_limited()
    interval = pacer.interval
    turns = [pacer.wait() for _ in range(4)]
    gaps = [later - earlier for earlier, later in itertools.pairwise(turns)]
    assert all(gap >= interval for gap in gaps)
    assert gaps == pytest.approx([interval + 0.02] * 3)


def _as_left_by_a_crash_after_posting(world: World, prompt_id: int, claim_expired_at: datetime) -> None:
    """The row as a SIGKILL between chat.postMessage and recording the send leaves it: still claimed."""
    with world.deps.uow() as uow:
        prompt = uow.prompts.get(prompt_id)
        assert prompt is not None
        prompt.state, prompt.claimed_by, prompt.claim_expires_at = PromptState.CLAIMED, "dead", claim_expired_at
        prompt.channel_id = prompt.message_ts = prompt.sent_at = prompt.next_attempt_at = None


def test_a_prompt_posted_before_a_crash_is_found_not_posted_again(world: World) -> None:
    pid = world.person("U1")
    world.tick(MONDAY_SLOT)
    [prompt] = world.prompts(pid)
    posted_ts = prompt.message_ts
    _as_left_by_a_crash_after_posting(world, prompt.id, MONDAY_SLOT + timedelta(minutes=5))

    report = world.tick(MONDAY_SLOT + timedelta(minutes=6))
    assert report["sent"] == 1
    assert len(world.dm("U1")) == 1, "the person got the prompt twice"
    assert world.fake.count("chat.postMessage") == 1
    [prompt] = world.prompts(pid)
    assert prompt.state is PromptState.SENT and prompt.message_ts == posted_ts and prompt.last_error is None


def test_a_prompt_that_never_reached_slack_before_a_crash_is_posted(world: World) -> None:
    pid = world.person("U1")
    world.tick(MONDAY_SLOT)
    [prompt] = world.prompts(pid)
    world.fake.clear()  # the crash came before chat.postMessage
    _as_left_by_a_crash_after_posting(world, prompt.id, MONDAY_SLOT + timedelta(minutes=5))

    assert world.tick(MONDAY_SLOT + timedelta(minutes=6))["sent"] == 1
    assert len(world.dm("U1")) == 1
    assert world.fake.count("conversations.history") == 1


def test_a_reclaimed_prompt_says_why_in_last_error(world: World) -> None:
    from storage.repositories.prompts import CLAIM_EXPIRED

    pid = world.person("U1")
    world.tick(MONDAY_SLOT)
    [prompt] = world.prompts(pid)
    _as_left_by_a_crash_after_posting(world, prompt.id, MONDAY_SLOT + timedelta(minutes=5))
    with world.deps.uow() as uow:
        [reclaimed] = uow.prompts.claim_due(MONDAY_SLOT + timedelta(minutes=6), "next", 10)
        assert reclaimed.last_error == CLAIM_EXPIRED and reclaimed.attempts == 2


def test_an_unreadable_history_still_delivers_the_prompt(world: World) -> None:
    pid = world.person("U1")
    world.tick(MONDAY_SLOT)
    [prompt] = world.prompts(pid)
    world.fake.clear()
    _as_left_by_a_crash_after_posting(world, prompt.id, MONDAY_SLOT + timedelta(minutes=5))
    world.fake.set_error("conversations.history", "missing_scope")  # e.g. an install without im:history

    assert world.tick(MONDAY_SLOT + timedelta(minutes=6))["sent"] == 1
    assert len(world.dm("U1")) == 1


def test_rate_limited_retries_post_without_looking_first(world: World) -> None:
    pid = world.person("U1")
    world.fake.set_error("chat.postMessage", "ratelimited", times=1)
    world.tick(MONDAY_SLOT, rate_limit_wait_max_s=0.0)
    [prompt] = world.prompts(pid)
    assert prompt.state is PromptState.DUE and prompt.last_error == "ratelimited"
    world.tick(MONDAY_SLOT + timedelta(minutes=2))
    assert world.states(pid) == [PromptState.SENT]
    assert world.fake.count("conversations.history") == 0


def _paced(now: list[float]) -> Pacer:
    pacer = Pacer(clock=lambda: now[0], sleep=lambda seconds: None)
    for step in range(10):
        now[0] = step * 0.01
        pacer.wait()
        pacer.success()
    now[0] = 0.1
    pacer.rate_limited()  # the first 429: 10 calls in 0.1 s, so 10 ms apart
    return pacer


def test_pacer_does_not_jump_after_a_quiet_spell() -> None:
    # Callers sleeping out Retry-After leave few recent successes; that says nothing about the limit.
    now = [0.0]
    pacer = _paced(now)
    first = pacer.interval
    now[0] = 1.5
    pacer.rate_limited(pacer.wait())
    assert pacer.interval == pytest.approx(first * 1.03)


def test_pacer_steps_back_hard_after_three_refusals_in_a_row() -> None:
    now = [0.0]
    pacer = _paced(now)
    first = pacer.interval
    for _ in range(3):
        now[0] += 0.05
        pacer.rate_limited(pacer.wait())
    assert pacer.interval == pytest.approx(first * 1.03 * 1.03 * 1.5)
    now[0] += 0.05
    pacer.success()
    pacer.rate_limited(pacer.wait())  # a success between: back to gentle steps
    assert pacer.interval == pytest.approx(first * 1.03 * 1.03 * 1.5 * 0.998 * 1.03)


def test_a_post_that_went_through_before_a_5xx_is_found_not_posted_again(world: World) -> None:
    pid = world.person("U1")
    world.fake.fail_next("chat.postMessage", 503, after_processing=True)
    report = world.tick(MONDAY_SLOT)
    assert report["retry"] == 1
    assert world.fake.count("chat.postMessage") == 1, "slack_sdk must not re-send a post by itself"
    assert len(world.dm("U1")) == 1
    assert world.tick(MONDAY_SLOT + timedelta(minutes=2))["already_posted"] == 1
    assert len(world.dm("U1")) == 1 and world.states(pid) == [PromptState.SENT]


def test_a_rate_limit_after_an_uncertain_post_still_looks_first(world: World) -> None:
    pid = world.person("U1")
    world.fake.fail_next("chat.postMessage", 503, after_processing=True)
    world.tick(MONDAY_SLOT)
    world.fake.set_error("users.info", "ratelimited")
    world.tick(MONDAY_SLOT + timedelta(minutes=2), rate_limit_wait_max_s=0.0)
    [prompt] = world.prompts(pid)
    assert prompt.state is PromptState.DUE and prompt.last_error == "ratelimited (an earlier attempt may have posted)"
    assert world.tick(MONDAY_SLOT + timedelta(minutes=4))["already_posted"] == 1
    assert len(world.dm("U1")) == 1


def test_a_refused_bot_token_stops_the_fan_out_and_marks_nobody_gone(world: World) -> None:
    pids = [world.person(f"U{n}") for n in range(1, 4)]
    world.fake.set_error("users.info", "account_inactive", times=100)
    report = world.tick(MONDAY_SLOT, concurrency=1)
    assert report["sent"] == 0 and report["inactive"] == 0 and report["failed"] == 0
    with world.deps.uow() as uow:
        assert all(person.active for person in uow.people.get_many(pids).values())
    prompts = world.prompts()
    assert {p.state for p in prompts} == {PromptState.DUE} and all(p.attempts == 0 for p in prompts)
    assert world.fake.count("users.info") == 1, "one refusal is enough to stop calling Slack"


def test_a_prompt_waiting_for_a_retry_is_skipped_once_the_person_pauses(world: World) -> None:
    pid = world.person("U1")
    world.fake.set_error("users.info", "internal_error")
    world.tick(MONDAY_SLOT)
    with world.deps.uow() as uow:
        person = uow.people.get(pid)
        assert person is not None
        prompt_controls.pause(uow, person, world.now)
    assert world.tick(MONDAY_SLOT + timedelta(minutes=2))["sent"] == 0
    [prompt] = world.prompts(pid)
    assert prompt.state is PromptState.SKIPPED and prompt.skip_reason == "prompts paused"
    assert world.dm("U1") == []


def test_a_spent_budget_leaves_the_rest_to_the_next_tick(world: World) -> None:
    world.person("U1")
    report = world.tick(MONDAY_SLOT, fanout_budget_s=0.0)
    assert report["sent"] == 0 and report["budget_spent"] == 1
    assert world.tick(MONDAY_SLOT + timedelta(minutes=1))["sent"] == 1


def test_a_failure_before_posting_costs_no_lookup(world: World) -> None:
    pid = world.person("U1")
    world.fake.set_error("users.info", "service_unavailable")
    world.tick(MONDAY_SLOT)
    [prompt] = world.prompts(pid)
    assert prompt.last_error == "service_unavailable (before posting)"
    assert world.tick(MONDAY_SLOT + timedelta(minutes=2))["sent"] == 1
    assert world.fake.count("conversations.history") == 0


def _epoch_of(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp())


def test_a_status_expiry_is_judged_on_the_ticks_clock(world: World) -> None:
    # The tick runs at MONDAY_SLOT (`growthbot tick --now`, or a catch-up): a vacation status that
    # ends the next day still counts, one that ended the day before does not.
    first, second = world.person("U1"), world.person("U2")
    world.fake.set_status("U1", "Vacation", ":palm_tree:", expiration=_epoch_of(MONDAY_SLOT + timedelta(days=1)))
    world.fake.set_status("U2", "Vacation", ":palm_tree:", expiration=_epoch_of(MONDAY_SLOT - timedelta(days=1)))
    report = world.tick(MONDAY_SLOT)
    assert report["away"] == 1 and report["sent"] == 1
    assert world.states(first) == [PromptState.SKIPPED] and world.states(second) == [PromptState.SENT]


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


def test_what_a_prompt_dm_shows_follows_the_prompts_state(world: World) -> None:
    from bot.services.prompt_content import shown_prompt

    pid = world.person("U1")
    world.tick(MONDAY_SLOT)
    library = world.deps.library
    with world.deps.uow() as uow:
        [prompt] = uow.prompts.all_for(pid)
        person = uow.people.get(pid)
        assert person is not None
        assert shown_prompt(uow, library, prompt.id).look == "live"  # type: ignore[union-attr]
        prompt_controls.snooze_prompt(uow, prompt, MONDAY_SLOT)
        snoozed = shown_prompt(uow, library, prompt.id, snoozed=True)
        assert snoozed is not None and snoozed.look == "snoozed" and snoozed.until == prompt.next_attempt_at
        prompt_controls.pause(uow, person, MONDAY_SLOT)
        assert shown_prompt(uow, library, prompt.id).look == "paused"  # type: ignore[union-attr]
        prompt.state = PromptState.ANSWERED
        answered = shown_prompt(uow, library, prompt.id)
        assert answered is not None and answered.look == "answered" and answered.answers == 1
        assert shown_prompt(uow, library, 999_999) is None


def test_the_tick_config_sets_when_a_sent_prompt_is_reminded(world: World) -> None:
    world.person("U1")
    world.tick(MONDAY_SLOT, reminder_after=timedelta(days=1))
    assert world.tick(MONDAY_SLOT + timedelta(days=1, minutes=1))["reminded"] == 1
