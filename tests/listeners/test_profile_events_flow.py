"""End to end: time-zone moves, away status (and its expiry) and deactivation reach the prompt tick
through Slack's user_change / team_join events, with no users.info per prompt and no users.list sweep
to catch them (it is made to fail once the first one ran)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.delivery.tick import run_tick
from bot.services import prompt_controls
from storage.models import PromptState
from tests.conftest import Database
from tests.listeners.harness import Harness, start_harness

SET_UP_AT = datetime(2024, 1, 3, 12, 0)
SLOT = datetime(2024, 1, 8, 9, 0)  # Monday 10:00 in Paris


@pytest.fixture
def harness(db: Database) -> Iterator[Harness]:
    with start_harness(db) as running:
        running.fake.send_events_to(running.requests.event)
        yield running


def _seed(harness: Harness, user_id: str = "U1", **kw: Any) -> int:
    harness.set_now(SET_UP_AT)
    person_id = harness.seed_person(user_id, **kw)
    with harness.deps.uow() as uow:
        person = uow.people.get(person_id)
        assert person is not None
        prompt_controls.resume(uow, person, SET_UP_AT)
    return person_id


def _tick(harness: Harness, moment: datetime) -> dict[str, int]:
    harness.set_now(moment)
    return dict(run_tick(harness.deps, instance_id="e2e").counts)


def _only_events_from_now_on(harness: Harness) -> None:
    """The first tick swept the directory; from here on users.list fails, so only events can tell."""
    assert _tick(harness, SET_UP_AT)["sweep_completed"] == 1
    harness.fake.set_error("users.list", "internal_error", times=1000)
    harness.fake.clear()


def _states(harness: Harness, person_id: int) -> list[PromptState]:
    with harness.deps.uow() as uow:
        return [prompt.state for prompt in uow.prompts.all_for(person_id)]


def _epoch(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp())


def test_a_vacation_status_set_by_event_skips_the_week(harness: Harness) -> None:
    pid = _seed(harness)
    _only_events_from_now_on(harness)
    harness.fake.set_status("U1", "Vacation", ":palm_tree:", expiration=_epoch(SLOT + timedelta(days=3)))
    harness.settle()
    counts = _tick(harness, SLOT)
    assert counts.get("away") == 1 and counts.get("sent", 0) == 0
    assert _states(harness, pid) == [PromptState.SKIPPED]
    assert harness.fake.count("users.info") == 0 and harness.fake.count("chat.postMessage") == 0


def test_an_expired_status_from_an_event_does_not_count(harness: Harness) -> None:
    pid = _seed(harness)
    _only_events_from_now_on(harness)
    harness.fake.set_status("U1", "Vacation", ":palm_tree:", expiration=_epoch(SLOT - timedelta(hours=1)))
    harness.settle()
    assert _tick(harness, SLOT).get("sent") == 1
    assert _states(harness, pid) == [PromptState.SENT]
    assert harness.fake.count("users.info") == 0 and harness.fake.count("conversations.open") == 0


def test_a_status_cleared_by_event_lets_the_next_week_through(harness: Harness) -> None:
    pid = _seed(harness)
    _only_events_from_now_on(harness)
    harness.fake.set_status("U1", "OOO", "")
    harness.settle()
    assert _tick(harness, SLOT).get("away") == 1
    harness.fake.set_status("U1", "", "")
    harness.settle()
    assert _tick(harness, SLOT + timedelta(days=7)).get("sent") == 1
    assert _states(harness, pid) == [PromptState.SKIPPED, PromptState.SENT]
    assert harness.fake.count("users.info") == 0


def test_a_time_zone_move_by_event_retimes_the_prompt(harness: Harness) -> None:
    pid = _seed(harness)
    _only_events_from_now_on(harness)
    harness.fake.set_tz("U1", "America/New_York")
    harness.settle()
    counts = _tick(harness, SLOT)
    assert counts.get("retimed") == 1 and counts.get("sent", 0) == 0
    assert _tick(harness, datetime(2024, 1, 8, 15, 0)).get("sent") == 1  # 10:00 in New York
    with harness.deps.uow() as uow:
        person = uow.people.get(pid)
        assert person is not None and person.tz == "America/New_York"
        schedule = uow.schedules.get_for(pid)
        assert schedule is not None and schedule.next_due_at == datetime(2024, 1, 15, 15, 0)
    assert harness.fake.count("users.info") == 0


def test_a_deactivation_by_event_marks_the_person_inactive(harness: Harness) -> None:
    pid = _seed(harness)
    _only_events_from_now_on(harness)
    harness.fake.deactivate("U1")
    harness.settle()
    assert _tick(harness, SLOT).get("inactive") == 1
    with harness.deps.uow() as uow:
        person = uow.people.get(pid)
        assert person is not None and not person.active
    assert harness.fake.count("users.info") == 0 and harness.fake.count("chat.postMessage") == 0


def test_team_join_stores_a_newcomers_profile(harness: Harness) -> None:
    pid = _seed(harness, "U7", in_slack=False, tz="Europe/Paris")
    harness.fake.add_user("U7", "newcomer", tz="Asia/Tokyo")  # team_join
    harness.settle()
    with harness.deps.uow() as uow:
        person = uow.people.get(pid)
        assert person is not None and person.slack_tz == "Asia/Tokyo" and person.profile_fetched_at is not None


def test_a_redelivered_event_changes_nothing_more(harness: Harness) -> None:
    pid = _seed(harness)
    user = harness.fake.add_user("U1", "u1", tz="Europe/Paris", status_text="Vacation")
    event = {"type": "user_change", "user": user, "event_ts": "1.0"}
    harness.event(event, event_id="Ev1")
    harness.event(event, event_id="Ev1", retry_num=1)
    with harness.deps.uow() as uow:
        person = uow.people.get(pid)
        assert person is not None and person.status_text == "Vacation"
