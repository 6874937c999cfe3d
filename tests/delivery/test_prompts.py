"""Sending prompts (bot.delivery.prompts, bot.services.prompt_records): profiles, retries, rate limits,
time zones, crashes."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.delivery.fanout import SlackCaller
from bot.services import prompt_closes, prompt_controls, timing
from bot.slack_http import shared_pool
from storage.models import PromptState
from tests.conftest import Database
from tests.delivery.world import World, make_world

MONDAY_SLOT = datetime(2024, 1, 8, 9, 0)  # Monday 10:00 in Paris (UTC+1 in winter)


@pytest.fixture
def world(db: Database) -> Iterator[World]:
    with make_world(db) as running:
        yield running


def _as_left_by_a_crash_after_posting(world: World, prompt_id: int, claim_expired_at: datetime) -> None:
    """The row as a SIGKILL between chat.postMessage and recording the send leaves it: still claimed."""
    with world.deps.uow() as uow:
        prompt = uow.prompts.get(prompt_id)
        assert prompt is not None
        prompt.state, prompt.claimed_by, prompt.claim_expires_at = PromptState.CLAIMED, "dead", claim_expired_at
        prompt.channel_id = prompt.message_ts = prompt.sent_at = prompt.next_attempt_at = None


def _directory_fails_once(world: World, error: str) -> None:
    """The sweep's users.list and then users.info (the profile is unknown) fail: a failure before posting."""
    world.fake.set_error("users.list", error)
    world.fake.set_error("users.info", error)


def _epoch_of(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp())


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


def test_user_disabled_on_posting_to_the_user_id_marks_inactive(world: World) -> None:
    pid = world.person("U1")
    world.fake.set_error("chat.postMessage", "user_disabled")
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


def test_second_prompt_reuses_the_dm_channel(world: World) -> None:
    pid = world.person("U1")
    world.tick(MONDAY_SLOT)
    # The first prompt goes to the user id; Slack's answer names the DM channel, recorded with the send.
    assert world.fake.last("chat.postMessage").params["channel"] == "U1"
    assert world.prompts(pid)[0].channel_id == world.fake.dm_channel_for("U1")
    world.tick(MONDAY_SLOT + timedelta(days=7))
    assert world.fake.last("chat.postMessage").params["channel"] == world.fake.dm_channel_for("U1")
    assert world.fake.count("conversations.open") == 0
    assert len(world.dm("U1")) == 2


def test_stale_dm_channel_falls_back_to_the_user_id(world: World) -> None:
    world.person("U1")
    world.tick(MONDAY_SLOT)
    world.fake.set_error("chat.postMessage", "channel_not_found")
    assert world.tick(MONDAY_SLOT + timedelta(days=7))["sent"] == 1
    assert world.fake.last("chat.postMessage").params["channel"] == "U1"
    assert world.fake.count("conversations.open") == 0


def test_rate_limits_never_use_up_the_attempts(world: World) -> None:
    pid = world.person("U1")
    world.fake.set_error("chat.postMessage", "ratelimited", times=1000)
    moment = MONDAY_SLOT
    for _ in range(4):
        world.tick(moment, max_attempts=2, rate_limit_wait_max_s=0.0)
        moment += timedelta(minutes=1)
    [prompt] = world.prompts(pid)
    assert prompt.state is PromptState.DUE and prompt.attempts == 0 and prompt.last_error == "ratelimited"


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
    world.fake.set_error("conversations.history", "ratelimited")
    world.tick(MONDAY_SLOT + timedelta(minutes=2), rate_limit_wait_max_s=0.0)
    [prompt] = world.prompts(pid)
    assert prompt.state is PromptState.DUE and prompt.last_error == "ratelimited (an earlier attempt may have posted)"
    assert world.tick(MONDAY_SLOT + timedelta(minutes=4))["already_posted"] == 1
    assert len(world.dm("U1")) == 1


def test_a_refused_bot_token_stops_the_fan_out_and_marks_nobody_gone(world: World) -> None:
    pids = [world.person(f"U{n}") for n in range(1, 4)]
    world.fake.set_error("users.list", "account_inactive", times=100)
    world.fake.set_error("users.info", "account_inactive", times=100)
    report = world.tick(MONDAY_SLOT, concurrency=1)
    assert report["sent"] == 0 and report["inactive"] == 0 and report["failed"] == 0
    with world.deps.uow() as uow:
        assert all(person.active for person in uow.people.get_many(pids).values())
    prompts = world.prompts()
    assert {p.state for p in prompts} == {PromptState.DUE} and all(p.attempts == 0 for p in prompts)
    calls = world.fake.count("users.list") + world.fake.count("users.info")
    assert calls == 1, "one refusal is enough to stop calling Slack"


def test_a_prompt_waiting_for_a_retry_is_skipped_once_the_person_pauses(world: World) -> None:
    pid = world.person("U1")
    _directory_fails_once(world, "internal_error")
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
    _directory_fails_once(world, "service_unavailable")
    world.tick(MONDAY_SLOT)
    [prompt] = world.prompts(pid)
    assert prompt.last_error == "service_unavailable (before posting)"
    assert world.tick(MONDAY_SLOT + timedelta(minutes=2))["sent"] == 1
    assert world.fake.count("conversations.history") == 0


def test_a_status_expiry_is_judged_on_the_ticks_clock(world: World) -> None:
    # The tick runs at MONDAY_SLOT (`growthbot tick --now`, or a catch-up): a vacation status that
    # ends the next day still counts, one that ended the day before does not.
    first, second = world.person("U1"), world.person("U2")
    world.fake.set_status("U1", "Vacation", ":palm_tree:", expiration=_epoch_of(MONDAY_SLOT + timedelta(days=1)))
    world.fake.set_status("U2", "Vacation", ":palm_tree:", expiration=_epoch_of(MONDAY_SLOT - timedelta(days=1)))
    report = world.tick(MONDAY_SLOT)
    assert report["away"] == 1 and report["sent"] == 1
    assert world.states(first) == [PromptState.SKIPPED] and world.states(second) == [PromptState.SENT]


def test_the_tick_plans_its_window_and_expects_a_finish_time(world: World) -> None:
    people = [world.person(f"U{i}") for i in range(12)]
    world.fake.rate_limit("chat.postMessage", per_second=10, burst=2)
    report = world.tick(MONDAY_SLOT, concurrency=6)
    assert report.planned_sends == len(people) and report["sent"] == len(people)
    assert report.expected_finish_s is not None and report.expected_finish_s > 0
    assert report.sends_took_s is not None
    assert world.tick(MONDAY_SLOT + timedelta(minutes=1)).expected_finish_s is None  # nothing due


def test_the_fan_out_reuses_its_slack_connections(world: World) -> None:
    for n in range(20):
        world.person(f"U{n}")
    opened = shared_pool().opened
    world.tick(MONDAY_SLOT, concurrency=4)
    assert len(world.fake.messages()) == 20
    # Through the pool (a fresh fake, so new connections), one per worker thread at most, plus the tick's own.
    assert 1 <= shared_pool().opened - opened <= 4 + 2


def test_the_pace_learned_by_one_tick_is_where_the_next_tick_and_the_digests_start(world: World) -> None:
    for n in range(12):
        world.person(f"U{n}")
    world.fake.rate_limit("chat.postMessage", per_second=10, burst=2)
    report = world.tick(MONDAY_SLOT, concurrency=6)
    assert report["rate_limited"] > 0
    learned = SlackCaller(world.deps.client, own_post_client=False).pacer("chat.postMessage")
    assert learned.rate is not None  # the digests' caller (the app's client) paces with the same pacer
    world.person("U99", after=MONDAY_SLOT - timedelta(days=1))  # due this Monday too
    later = world.tick(MONDAY_SLOT + timedelta(minutes=1))
    assert later.planned_sends == 1 and later.expected_finish_s == pytest.approx(1 / learned.rate, rel=0.05)


def _live(message: dict) -> bool:
    """The message still has its buttons."""
    return any(block["type"] == "actions" for block in message["blocks"])


def _pending_closes(world: World) -> int:
    with world.deps.uow() as uow:
        return uow.prompt_closes.count_pending()


def test_closes_the_tick_had_no_room_for_are_done_by_the_next_tick(world: World) -> None:
    users = [f"U{n}" for n in range(4)]
    for user in users:
        world.person(user)
    world.tick(MONDAY_SLOT)
    week_two = MONDAY_SLOT + timedelta(days=7)
    first = world.tick(week_two, closes_per_tick=2)
    assert first["sent"] == 4 and first["closed"] == 2 and _pending_closes(world) == 2

    def closed(user: str) -> bool:
        return not _live(world.dm(user)[0])

    left = [user for user in users if not closed(user)]
    assert len(left) == 2
    # One of the two left is deleted meanwhile: its close counts as done.
    world.deps.client.chat_delete(channel=world.fake.dm_channel_for(left[1]), ts=world.dm(left[1])[0]["ts"])
    second = world.tick(week_two + timedelta(minutes=1))
    assert second["closed"] == 2 and _pending_closes(world) == 0
    assert world.fake.count("chat.update") == 4  # three redrawn, one found gone
    assert closed(left[0]) and "newer prompt arrived" in json.dumps(world.dm(left[0])[0]["blocks"])
    assert all(_live(world.dm(user)[-1]) for user in users)  # the new ones are live
    assert world.tick(week_two + timedelta(minutes=2))["closed"] == 0  # never twice


def test_a_close_that_failed_is_taken_again_after_its_lease(world: World) -> None:
    world.person("U1")
    world.tick(MONDAY_SLOT)
    week_two = MONDAY_SLOT + timedelta(days=7)
    world.fake.set_error("chat.update", "internal_error")
    first = world.tick(week_two)
    assert first["close_retry"] == 1 and _pending_closes(world) == 1
    assert world.tick(week_two + timedelta(minutes=1))["closed"] == 0  # leased: not before its time
    assert world.tick(week_two + prompt_closes.CLOSE_LEASE)["closed"] == 1
    old, new = world.dm("U1")
    assert not _live(old) and _live(new)
