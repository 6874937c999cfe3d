"""Admins manage people and schedules, never evidence; every request is checked and audited. Both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.services import admin, prompt_controls
from bot.services.slots import Slot
from bot.settings import Settings
from storage.models import AuditEntry, Cadence, ManagerLinkStatus
from storage.uow import UnitOfWork
from tests.conftest import Database
from tests.services.digest_data import World, add_evidence, add_person, load_ladder, make_world
from tests.services.test_digests import count_statements

NOW = datetime(2025, 3, 10, 12, 0)  # a Monday
LIBRARY = load_ladder()
SETTINGS = Settings(_env_file=None, GROWTHBOT_ADMINS="UADMIN")  # type: ignore[call-arg]
AS_ADMIN = admin.AdminRequest("T1", "UADMIN", NOW)
AS_OTHER = admin.AdminRequest("T1", "UOTHER", NOW)


def _world(db: Database, **options: Any) -> World:
    with db.uow() as uow:
        world = make_world(uow, **options)
        uow.schedules.upsert(
            world.report_id, weekday=0, local_time=time(10, 0), next_due_at=datetime(2025, 3, 17, 10, 0)
        )
    return world


def _audit(uow: UnitOfWork, subject: str | None = "UREPORT") -> list[tuple[str | None, str]]:
    if subject is None:
        entries = uow.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    else:
        entries = list(reversed(uow.audit.for_subject(subject)))
    return [(e.actor_slack_id, e.action) for e in entries]


ACTIONS: list[tuple[str, Callable[[UnitOfWork, admin.AdminRequest], object]]] = [
    ("list", lambda uow, r: admin.list_people(uow, SETTINGS, LIBRARY, r)),
    ("pause", lambda uow, r: admin.pause_prompts(uow, SETTINGS, r, "UREPORT")),
    ("resume", lambda uow, r: admin.resume_prompts(uow, SETTINGS, r, "UREPORT")),
    ("schedule", lambda uow, r: admin.set_schedule(uow, SETTINGS, r, "UREPORT", Slot(2, time(9, 0)))),
    ("manager", lambda uow, r: admin.request_manager(uow, SETTINGS, r, "UREPORT", "UOTHER")),
    ("deactivate", lambda uow, r: admin.deactivate(uow, SETTINGS, r, "UREPORT")),
    ("reactivate", lambda uow, r: admin.reactivate(uow, SETTINGS, r, "UREPORT")),
]


@pytest.mark.parametrize(("name", "action"), ACTIONS, ids=[name for name, _ in ACTIONS])
def test_a_non_admin_is_refused_changes_nothing_and_is_audited(
    db: Database, name: str, action: Callable[[UnitOfWork, admin.AdminRequest], object]
) -> None:
    world = _world(db)
    with db.uow() as uow:
        assert action(uow, AS_OTHER) is None
    with db.uow() as uow:
        schedule = uow.schedules.get_for(world.report_id)
        assert (schedule.weekday, schedule.paused, schedule.next_due_at) == (0, False, datetime(2025, 3, 17, 10))
        assert uow.people.get(world.report_id).active is True
        assert [link.manager_id for link in uow.managers.history_for(world.report_id)] == [world.manager_id]
        assert [(a, act) for a, act in _audit(uow, None)] == [("UOTHER", admin.DENIED)]


def test_a_non_admin_is_refused_whether_or_not_the_person_exists(db: Database) -> None:
    _world(db)
    with db.uow() as uow:
        assert admin.pause_prompts(uow, SETTINGS, AS_OTHER, "UNOBODY") is None
        assert admin.pause_prompts(uow, SETTINGS, AS_OTHER, "UREPORT") is None


def test_people_list_shows_setup_never_evidence(db: Database) -> None:
    world = _world(db, report_tz="Europe/Paris")
    with db.uow() as uow:
        add_evidence(uow, LIBRARY, world.report_id, "Secret evidence text", NOW, ["delivery-2-01"])
        pending = add_person(uow, world.workspace_id, "UPEND", "Pat Pending")
        uow.managers.request(pending.id, world.manager_id, now=NOW)
        uow.people.mark_inactive(uow.people.get(world.outsider_id), "left", NOW)
        uow.schedules.upsert(world.manager_id, weekday=4, local_time=time(16, 30), cadence=Cadence.FORTNIGHTLY)
        uow.schedules.pause(uow.schedules.get_for(world.manager_id), datetime(2025, 4, 1))
    with db.uow() as uow:
        page = admin.list_people(uow, SETTINGS, LIBRARY, AS_ADMIN)
    assert page is not None and (page.page, page.pages, page.total) == (1, 1, 5)
    # Active people by name, then inactive ones.
    assert [p.slack_user_id for p in page.people] == ["UADMIN", "UMANAGER", "UPEND", "UREPORT", "UOTHER"]
    by_id = {p.slack_user_id: p for p in page.people}
    riley = by_id["UREPORT"]
    assert (riley.name, riley.ladder, riley.level, riley.manager_slack_id, riley.tz) == (
        "Riley Report",
        "Digest Test Ladder",
        "Level 1",
        "UMANAGER",
        "Europe/Paris",
    )
    assert riley.schedule == admin.ScheduleSummary(
        0, time(10, 0), Cadence.WEEKLY, False, None, datetime(2025, 3, 17, 10)
    )
    assert by_id["UPEND"].pending_manager_slack_id == "UMANAGER" and by_id["UPEND"].manager_slack_id is None
    assert by_id["UPEND"].schedule is None and by_id["UPEND"].ladder is None
    morgan = by_id["UMANAGER"].schedule
    assert morgan is not None and (morgan.cadence, morgan.paused, morgan.paused_until) == (
        Cadence.FORTNIGHTLY,
        True,
        datetime(2025, 4, 1),
    )
    assert (by_id["UOTHER"].active, by_id["UOTHER"].inactive_reason) == (False, "left")
    assert "Secret evidence text" not in repr(page)
    assert not any(hasattr(p, name) for p in page.people for name in ("evidence", "coverage", "covered"))
    with db.uow() as uow:
        assert _audit(uow, None) == [("UADMIN", admin.LISTED_PEOPLE)]


def test_people_list_pages(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(admin, "PAGE_SIZE", 2)
    _world(db)
    with db.uow() as uow:
        first = admin.list_people(uow, SETTINGS, LIBRARY, AS_ADMIN)
        last = admin.list_people(uow, SETTINGS, LIBRARY, AS_ADMIN, page=99)
    assert first is not None and last is not None
    assert (first.page, first.pages, len(first.people)) == (1, 2, 2)
    assert (last.page, last.pages, [p.slack_user_id for p in last.people]) == (2, 2, ["UOTHER", "UREPORT"])


def test_pause_until_a_date_then_indefinitely_then_resume(db: Database) -> None:
    world = _world(db, report_tz="Europe/Paris")
    with db.uow() as uow:
        change = admin.pause_prompts(uow, SETTINGS, AS_ADMIN, "UREPORT", until=date(2025, 4, 1))
    assert change is not None and change.schedule is not None
    # Paused until midnight Paris time; the next prompt is the first Monday slot after that.
    assert change.schedule.paused_until == datetime(2025, 3, 31, 22, 0)
    assert change.schedule.next_due_at == datetime(2025, 4, 7, 8, 0)
    with db.uow() as uow:
        change = admin.pause_prompts(uow, SETTINGS, AS_ADMIN, "UREPORT")
        assert change is not None and change.schedule is not None
        assert change.schedule.paused_indefinitely and change.schedule.next_due_at is None
        assert uow.schedules.due(NOW + timedelta(days=60)) == []
    with db.uow() as uow:
        change = admin.resume_prompts(uow, SETTINGS, AS_ADMIN, "UREPORT")
    assert change is not None and change.schedule is not None
    assert not change.schedule.paused and change.schedule.next_due_at == datetime(2025, 3, 17, 9, 0)
    with db.uow() as uow:
        assert uow.schedules.get_for(world.report_id).next_due_at == datetime(2025, 3, 17, 9, 0)
        entries = list(reversed(uow.audit.for_subject("UREPORT")))
        assert [(e.actor_slack_id, e.action, e.details) for e in entries] == [
            ("UADMIN", admin.PAUSED, {"until": "2025-04-01"}),
            ("UADMIN", admin.PAUSED, {"until": None}),
            ("UADMIN", admin.RESUMED, {}),
        ]


def test_set_schedule_recomputes_next_due(db: Database) -> None:
    world = _world(db, report_tz="America/New_York")
    with db.uow() as uow:
        uow.schedules.snooze(uow.schedules.get_for(world.report_id), datetime(2025, 3, 18, 14, 0))
        change = admin.set_schedule(uow, SETTINGS, AS_ADMIN, "UREPORT", Slot(2, time(9, 30)))
    assert change is not None and change.schedule is not None
    assert change.schedule.next_due_at == datetime(2025, 3, 12, 13, 30)  # Wednesday 09:30 EDT
    with db.uow() as uow:
        schedule = uow.schedules.get_for(world.report_id)
        assert (schedule.weekday, schedule.local_time, schedule.snoozed_until) == (2, time(9, 30), None)
        change = admin.set_schedule(uow, SETTINGS, AS_ADMIN, "UREPORT", Slot(4, time(16, 0), Cadence.FORTNIGHTLY))
        assert change is not None and change.schedule is not None
        first = change.schedule.next_due_at
        assert first == datetime(2025, 3, 14, 20, 0)
        assert uow.schedules.get_for(world.report_id).anchor_date == date(2025, 3, 14)
        # The slot after the first is two weeks on.
        uow.schedules.set_next_due(schedule, None)
        assert prompt_controls.compute_next_due(schedule, "America/New_York", first) == datetime(2025, 3, 28, 20, 0)
        assert [e.details for e in reversed(uow.audit.for_subject("UREPORT"))] == [
            {"weekday": 2, "local_time": "09:30", "cadence": "weekly"},
            {"weekday": 4, "local_time": "16:00", "cadence": "fortnightly"},
        ]


def test_set_schedule_keeps_a_pause(db: Database) -> None:
    _world(db)
    with db.uow() as uow:
        admin.pause_prompts(uow, SETTINGS, AS_ADMIN, "UREPORT")
        change = admin.set_schedule(uow, SETTINGS, AS_ADMIN, "UREPORT", Slot(1, time(8, 0)))
    assert change is not None and change.schedule is not None
    assert change.schedule.paused and change.schedule.next_due_at is None


def test_unknown_people_and_people_not_set_up(db: Database) -> None:
    world = _world(db)
    with db.uow() as uow, pytest.raises(admin.UnknownPerson, match="UNOBODY"):
        admin.pause_prompts(uow, SETTINGS, AS_ADMIN, "UNOBODY")
    with db.uow() as uow:
        for call in (
            lambda: admin.pause_prompts(uow, SETTINGS, AS_ADMIN, "UOTHER"),
            lambda: admin.resume_prompts(uow, SETTINGS, AS_ADMIN, "UOTHER"),
            lambda: admin.set_schedule(uow, SETTINGS, AS_ADMIN, "UOTHER", Slot(1, time(8, 0))),
        ):
            with pytest.raises(admin.NotSetUp):
                call()
    with db.uow() as uow:
        assert uow.schedules.get_for(world.outsider_id) is None


def test_naming_a_manager_waits_for_consent(db: Database) -> None:
    world = _world(db)
    with db.uow() as uow:
        named = admin.request_manager(uow, SETTINGS, AS_ADMIN, "UREPORT", "UOTHER")
    assert named is not None and not named.already_active
    with db.uow() as uow:
        link = uow.managers.get(named.link_id)
        assert (link.status, link.manager_id, link.requested_by_id) == (
            ManagerLinkStatus.PENDING,
            world.outsider_id,
            world.admin_id,
        )
        # The current manager stays until the person accepts the new one.
        assert uow.managers.active_manager_of(world.report_id).id == world.manager_id
        again = admin.request_manager(uow, SETTINGS, AS_ADMIN, "UREPORT", "UMANAGER")
        assert again is not None and again.already_active
        with pytest.raises(admin.OwnManager):
            admin.request_manager(uow, SETTINGS, AS_ADMIN, "UREPORT", "UREPORT")
        with pytest.raises(admin.UnknownPerson):
            admin.request_manager(uow, SETTINGS, AS_ADMIN, "UREPORT", "UNOBODY")
    with db.uow() as uow:
        entries = [
            (e.action, e.details["manager"], e.details["status"]) for e in reversed(uow.audit.for_subject("UREPORT"))
        ]
        assert entries == [(admin.NAMED_MANAGER, "UOTHER", "pending"), (admin.NAMED_MANAGER, "UMANAGER", "active")]
        # Naming the current manager again leaves the pending request alone.
        assert uow.managers.get(named.link_id).status is ManagerLinkStatus.PENDING


def test_deactivate_and_reactivate(db: Database) -> None:
    world = _world(db)
    with db.uow() as uow:
        change = admin.deactivate(uow, SETTINGS, AS_ADMIN, "UREPORT")
        assert change is not None and change.changed and not change.active
        assert uow.schedules.due(datetime(2025, 3, 17, 10, 0)) == []
        again = admin.deactivate(uow, SETTINGS, AS_ADMIN, "UREPORT")
        assert again is not None and not again.changed
    later = admin.AdminRequest("T1", "UADMIN", datetime(2025, 4, 2, 12, 0))  # a Wednesday: slots were missed
    with db.uow() as uow:
        change = admin.reactivate(uow, SETTINGS, later, "UREPORT")
        assert change is not None and change.changed and change.active
        person = uow.people.get(world.report_id)
        assert (person.active, person.inactive_reason) == (True, None)
        # No catch-up of the weeks missed: the next slot after now.
        assert uow.schedules.get_for(world.report_id).next_due_at == datetime(2025, 4, 7, 10, 0)
        assert admin.reactivate(uow, SETTINGS, later, "UREPORT").changed is False  # type: ignore[union-attr]
    with db.uow() as uow:
        assert [a for _, a in _audit(uow)] == [
            admin.DEACTIVATED,
            admin.DEACTIVATED,
            admin.REACTIVATED,
            admin.REACTIVATED,
        ]


def test_people_list_statement_count_does_not_depend_on_how_many_people(db: Database) -> None:
    world = _world(db)

    def statements() -> int:
        with db.uow() as uow, count_statements(db) as seen:
            page = admin.list_people(uow, SETTINGS, LIBRARY, AS_ADMIN)
            assert page is not None
        return len(seen)

    few = statements()
    with db.uow() as uow:
        for i in range(40):
            person = add_person(uow, world.workspace_id, f"UPERSON{i}", f"Person {i}")
            uow.schedules.upsert(person.id, weekday=i % 7, local_time=time(9, 0))
            uow.managers.request(person.id, world.manager_id, now=NOW)
            uow.placements.open(person.id, "digest-ladder", {"delivery": "2"}, reason="setup", now=NOW)
    assert statements() == few


def test_a_deactivated_person_leaves_the_due_range_and_comes_back_from_a_fresh_slot(db: Database) -> None:
    world = _world(db)
    with db.uow() as uow:
        admin.deactivate(uow, SETTINGS, AS_ADMIN, "UREPORT")
    with db.uow() as uow:
        # A past next_due_at would be read again by every tick's due query, for as long as they stay inactive.
        assert uow.schedules.get_for(world.report_id).next_due_at is None
    later = admin.AdminRequest("T1", "UADMIN", datetime(2025, 4, 2, 12, 0))  # a Wednesday
    with db.uow() as uow:
        admin.reactivate(uow, SETTINGS, later, "UREPORT")
    with db.uow() as uow:
        assert uow.schedules.get_for(world.report_id).next_due_at == datetime(2025, 4, 7, 10, 0)
