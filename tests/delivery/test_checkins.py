"""The tick's check-in step on both backends: a quiet tick is four range queries (the lost-invites sweep
shares the reminders' query), a reveal a stopped process never sent goes out once, ten minutes later,
and invites it never sent go out once, a minute later."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import event

from bot.delivery.checkins import send_invites, tick_checkins
from bot.services import checkin_requests, checkin_tick, checkins, one_on_ones
from bot.services.actor import Actor
from bot.services.checkin_requests import Answer, Started
from bot.services.slots import Slot
from storage.models import Cadence, Person
from tests.conftest import Database
from tests.services.digest_data import fake_slack_deps, load_ladder, make_world

NOW = datetime(2025, 3, 10, 12, 0)
LIBRARY = load_ladder()


def test_a_quiet_tick_is_one_statement(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        manager, report = uow.session.get(Person, world.manager_id), uow.session.get(Person, world.report_id)
        assert manager is not None and report is not None
        one_on_ones.schedule(uow, manager=manager, report=report, slot=Slot(0, time(10, 0), Cadence.WEEKLY), now=NOW)
    started = checkin_requests.start_checkin(
        db.uow, LIBRARY, Actor("T1", "UREPORT"), subject_slack_id=None, include_current=False, now=NOW
    )
    assert isinstance(started, Started)
    assert checkin_tick.record_invites_sent(db.uow, started.checkin_id, NOW)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    with fake_slack_deps(db, LIBRARY) as (deps, fake):
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert tick_checkins(deps, NOW + timedelta(days=1)) == {}
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert fake.count("chat.postMessage") == 0
    assert len(statements) == 1  # checkin_tick.scan: one statement of four EXISTS


def test_a_lost_reveal_is_sent_once_by_a_later_tick(db: Database) -> None:
    with db.uow() as uow:
        make_world(uow)
    report = Actor("T1", "UREPORT")
    started = checkin_requests.start_checkin(
        db.uow, LIBRARY, report, subject_slack_id=None, include_current=False, now=NOW
    )
    assert isinstance(started, Started)
    with db.uow() as uow:
        checkin = uow.checkins.get(started.checkin_id)
        assert checkin is not None
        checkins.reveal(uow, checkin, NOW)  # the process stopped before sending
    with fake_slack_deps(db, LIBRARY) as (deps, fake):
        assert tick_checkins(deps, NOW + timedelta(minutes=5)) == {}
        assert tick_checkins(deps, NOW + checkin_tick.UNSENT_AFTER) == {"late_reveals": 1}
        assert tick_checkins(deps, NOW + timedelta(hours=1)) == {}
        assert fake.count("chat.postMessage") == 2  # the report and the manager
    answer = checkin_requests.submit_page(
        db.uow,
        LIBRARY,
        report,
        checkin_id=started.checkin_id,
        page_index=0,
        view_id="V1",
        answers={"delivery-2-01": Answer("sometimes")},
        now=NOW,
    )
    assert isinstance(answer, checkin_requests.Closed)


def test_lost_invites_are_sent_once_by_a_later_tick(db: Database) -> None:
    with db.uow() as uow:
        make_world(uow)
    started = checkin_requests.start_checkin(
        db.uow, LIBRARY, Actor("T1", "UREPORT"), subject_slack_id=None, include_current=False, now=NOW
    )
    assert isinstance(started, Started)  # the process stopped before the invite went out
    with fake_slack_deps(db, LIBRARY) as (deps, fake):
        assert tick_checkins(deps, NOW + timedelta(seconds=30)) == {}  # the start may still be sending
        assert tick_checkins(deps, NOW + checkin_tick.INVITES_LOST_AFTER) == {"late_invites": 1}
        assert tick_checkins(deps, NOW + timedelta(minutes=5)) == {}
        (dm,) = fake.messages(fake.dm_channel_for("UMANAGER"))  # the other rater, once
        assert "rating" in str(dm).lower()
        assert fake.count("chat.postMessage") == 1
    with db.uow() as uow:
        checkin = uow.checkins.get(started.checkin_id)
        assert checkin is not None and checkin.invites_sent_at == NOW + checkin_tick.INVITES_LOST_AFTER


def test_invites_sent_at_the_start_are_not_sent_again(db: Database) -> None:
    with db.uow() as uow:
        make_world(uow)
    started = checkin_requests.start_checkin(
        db.uow, LIBRARY, Actor("T1", "UREPORT"), subject_slack_id=None, include_current=False, now=NOW
    )
    assert isinstance(started, Started)
    with fake_slack_deps(db, LIBRARY) as (deps, fake):
        assert send_invites(deps, started) == 1
        assert tick_checkins(deps, NOW + timedelta(hours=1)) == {}
        assert fake.count("chat.postMessage") == 1
