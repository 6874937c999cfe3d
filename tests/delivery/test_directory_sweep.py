"""The users.list sweep (bot.delivery.directory_sweep, bot.services.profiles): the catch-up for missed
user_change events, bounded per tick and resumable; and the send path reading the stored profile,
with users.info only for a profile unknown or older than the bound."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from bot.delivery.directory_sweep import sweep_directory
from bot.delivery.fanout import SlackCaller
from bot.services import profiles
from bot.services.tick import TickReport
from bot.slack_client import make_web_client
from storage.models import PromptState
from tests.conftest import Database
from tests.delivery.world import World, make_world

MONDAY_SLOT = datetime(2024, 1, 8, 9, 0)
SET_UP = datetime(2024, 1, 3, 12, 0)


@pytest.fixture
def world(db: Database) -> Iterator[World]:
    with make_world(db) as running:
        yield running


def _sweep(world: World, max_pages: int) -> TickReport:
    report = TickReport()
    client = make_web_client(world.fake.bot_token, world.fake.api_url)
    sweep_directory(world.deps, SlackCaller(client, own_post_client=False), report, max_pages=max_pages)
    return report


def _person(world: World, pid: int):  # type: ignore[no-untyped-def]
    with world.deps.uow() as uow:
        person = uow.people.get(pid)
        assert person is not None
        uow.session.expunge(person)
        return person


def test_a_status_change_the_app_missed_is_caught_by_the_daily_sweep(world: World) -> None:
    pid = world.person("U1", after=SET_UP)
    world.tick(SET_UP)
    assert world.fake.count("users.list") == 1
    world.fake.set_status("U1", "Parental leave", "")  # no event reaches the app
    world.tick(SET_UP + timedelta(hours=2))
    assert world.fake.count("users.list") == 1, "a sweep a day"
    report = world.tick(MONDAY_SLOT)
    assert world.fake.count("users.list") == 2 and report["away"] == 1
    assert world.states(pid) == [PromptState.SKIPPED]
    assert world.fake.count("users.info") == 0


def test_a_deactivation_the_app_missed_is_caught_by_the_sweep(world: World) -> None:
    pid = world.person("U1", after=SET_UP)
    world.tick(SET_UP)
    world.fake.deactivate("U1")
    assert world.tick(MONDAY_SLOT)["inactive"] == 1
    assert not _person(world, pid).active
    assert world.fake.count("users.info") == 0 and world.fake.count("chat.postMessage") == 0


def test_the_sweep_is_bounded_per_tick_and_resumes_from_its_cursor(world: World) -> None:
    for n in range(450):
        world.fake.add_user(f"UX{n:04d}", f"stranger{n}")
    last = world.person("UZZZ", slack_tz="Asia/Tokyo", after=SET_UP)  # sorts last: on the third page
    world.at(SET_UP)
    first = _sweep(world, max_pages=1)
    assert world.fake.count("users.list") == 1 and first["sweep_completed"] == 0
    assert _person(world, last).profile_fetched_at is None
    with world.deps.uow() as uow:
        assert uow.directory.sweep(profiles.SWEEP_NAME).cursor is not None
    _sweep(world, max_pages=1)
    third = _sweep(world, max_pages=5)
    assert world.fake.count("users.list") == 3 and third["sweep_completed"] == 1
    assert [call.params.get("limit") for call in world.fake.calls("users.list")] == ["200", "200", "200"]
    person = _person(world, last)
    assert person.slack_tz == "Asia/Tokyo" and person.profile_fetched_at == SET_UP
    assert third["profiles_swept"] == 1
    assert _sweep(world, max_pages=5).counts == {}, "done for the day"


def test_an_expired_cursor_starts_the_sweep_again(world: World) -> None:
    for n in range(250):
        world.fake.add_user(f"UX{n:04d}", f"stranger{n}")
    world.at(SET_UP)
    _sweep(world, max_pages=1)
    world.fake.set_error("users.list", "invalid_cursor")
    assert _sweep(world, max_pages=1)["sweep_paused"] == 1
    assert _sweep(world, max_pages=5)["sweep_completed"] == 1
    assert "cursor" not in world.fake.calls("users.list")[2].params


def test_a_sweep_runs_again_ahead_of_a_large_due_window(world: World) -> None:
    world.person("U1", after=SET_UP)  # due at MONDAY_SLOT
    swept_at = MONDAY_SLOT - timedelta(hours=7)
    with world.deps.uow() as uow:
        uow.directory.sweep(profiles.SWEEP_NAME).completed_at = swept_at
    hour_before = MONDAY_SLOT - timedelta(hours=1)
    with world.deps.uow() as uow:
        assert profiles.sweep_position(uow, hour_before, large_window=1).due  # 1 due within 2 h, sweep 6 h old
        assert not profiles.sweep_position(uow, hour_before, large_window=2).due  # not a large window
        # A sweep only a few hours old is fresh enough even ahead of a large window.
        assert not profiles.sweep_position(uow, swept_at + timedelta(hours=5), large_window=1).due
        assert profiles.sweep_position(uow, swept_at + profiles.SWEEP_EVERY, large_window=2).due  # daily


def test_a_profile_older_than_the_bound_is_read_with_users_info(world: World) -> None:
    pid = world.person("U1", after=SET_UP)
    world.tick(SET_UP)
    with world.deps.uow() as uow:
        person = uow.people.get(pid)
        assert person is not None
        person.profile_fetched_at = MONDAY_SLOT - profiles.PROFILE_MAX_AGE - timedelta(minutes=1)
        uow.directory.sweep(profiles.SWEEP_NAME).completed_at = MONDAY_SLOT  # no sweep due
    world.fake.set_status("U1", "Vacation", ":palm_tree:")
    assert world.tick(MONDAY_SLOT)["away"] == 1
    assert world.fake.count("users.info") == 1
    assert _person(world, pid).profile_fetched_at == MONDAY_SLOT, "the answer is kept"


def test_a_fresh_stored_profile_needs_no_users_info(world: World) -> None:
    pids = [world.person(f"U{n}", after=SET_UP) for n in range(5)]
    world.tick(SET_UP)
    report = world.tick(MONDAY_SLOT)
    assert report["sent"] == len(pids)
    assert world.fake.count("users.info") == 0 and world.fake.count("conversations.open") == 0
    assert world.fake.count("chat.postMessage") == len(pids)
