from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from storage.models import Cadence
from tests.conftest import Database
from tests.storage.conftest import add_people

NOW = datetime(2025, 3, 3, 10, 0)


def test_upsert_creates_then_updates(db: Database) -> None:
    with db.uow() as uow:
        (ada,) = add_people(uow, "UADA")
        assert uow.schedules.get_for(ada.id) is None
        created = uow.schedules.upsert(ada.id, weekday=0, local_time=time(10, 0), next_due_at=NOW)
        uow.schedules.pause(created)
    with db.uow() as uow:
        updated = uow.schedules.upsert(
            ada.id, weekday=4, local_time=time(16, 30), cadence=Cadence.FORTNIGHTLY, next_due_at=None
        )
        assert updated.id == created.id
    with db.uow() as uow:
        schedule = uow.schedules.get_for(ada.id)
        assert (schedule.weekday, schedule.local_time, schedule.cadence) == (4, time(16, 30), Cadence.FORTNIGHTLY)
        assert schedule.paused  # upsert leaves the pause alone
        with pytest.raises(ValueError, match="weekday"):
            uow.schedules.upsert(ada.id, weekday=7, local_time=time(10, 0))


def test_due_returns_only_people_due_now(db: Database) -> None:
    with db.uow() as uow:
        people = add_people(uow, "UDUE", "UEARLY", "UFUTURE", "UPAUSED", "UPAUSEDOVER", "USNOOZED", "UGONE", "UNULL")
        due, early, future, paused, pause_over, snoozed, gone, null = people
        for person, offset in [
            (due, -1),
            (early, -60),
            (future, 1),
            (paused, -5),
            (pause_over, -5),
            (snoozed, -5),
            (gone, -5),
        ]:
            uow.schedules.upsert(person.id, weekday=0, local_time=time(10), next_due_at=NOW + timedelta(minutes=offset))
        uow.schedules.upsert(null.id, weekday=0, local_time=time(10), next_due_at=None)
        uow.schedules.pause(uow.schedules.get_for(paused.id))
        uow.schedules.pause(uow.schedules.get_for(pause_over.id), until=NOW - timedelta(days=1))
        uow.schedules.snooze(uow.schedules.get_for(snoozed.id), NOW + timedelta(hours=1))
        uow.people.mark_inactive(gone, "left")
    with db.uow() as uow:
        rows = uow.schedules.due(NOW)
        # The inactive person comes too: the planner clears their slot (see test_prompting).
        assert [row.person.slack_user_id for row in rows] == ["UEARLY", "UPAUSEDOVER", "UGONE", "UDUE"]
        assert not rows[2].person.active
        assert rows[0].schedule.person_id == early.id
        schedule, person = rows[0]  # a DueSchedule unpacks like a tuple
        assert person.id == schedule.person_id
        assert [row.person.id for row in uow.schedules.due(NOW, limit=1)] == [early.id]
        assert [s.person_id for s in uow.schedules.needing_next_due()] == [null.id]
        assert uow.schedules.due(NOW - timedelta(hours=2)) == []


def test_set_next_due_and_resume(db: Database) -> None:
    with db.uow() as uow:
        (ada,) = add_people(uow, "UADA")
        schedule = uow.schedules.upsert(ada.id, weekday=0, local_time=time(10), next_due_at=NOW)
        uow.schedules.pause(schedule, until=NOW + timedelta(days=7))
        assert uow.schedules.due(NOW) == []
        uow.schedules.resume(schedule)
        assert [row.person.id for row in uow.schedules.due(NOW)] == [ada.id]
        uow.schedules.set_next_due(schedule, NOW + timedelta(days=7))
        assert uow.schedules.due(NOW) == []
    with db.uow() as uow:
        assert uow.schedules.get_for(ada.id).next_due_at == NOW + timedelta(days=7)
        assert uow.schedules.delete_for(ada.id) == 1
        assert uow.schedules.get_for(ada.id) is None
