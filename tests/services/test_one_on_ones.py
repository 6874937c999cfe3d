from __future__ import annotations

from datetime import datetime, time

import pytest

from bot.services.one_on_ones import ScheduleError, remove, schedule
from bot.services.slots import Slot, recurring
from storage.models import Cadence
from tests.conftest import Database
from tests.services.digest_data import make_world


def test_schedule_replaces_the_pair_and_computes_times_in_the_managers_zone(db: Database) -> None:
    now = datetime(2025, 7, 1, 12, 0)  # a Tuesday; New York is UTC-4 in July
    with db.uow() as uow:
        world = make_world(uow, manager_tz="America/New_York")
        manager, report = uow.people.get(world.manager_id), uow.people.get(world.report_id)
        first = schedule(uow, manager=manager, report=report, slot=Slot(2, time(9, 0)), now=now)
        assert first.next_at == datetime(2025, 7, 2, 13, 0)
        assert first.next_digest_at == datetime(2025, 7, 2, 11, 0)
        second = schedule(
            uow,
            manager=manager,
            report=report,
            slot=Slot(3, time(9, 0), Cadence.FORTNIGHTLY),
            now=now,
            lead_minutes=30,
        )
        assert first.active is False and second.active is True
        assert second.next_digest_at == datetime(2025, 7, 3, 12, 30)
        assert recurring(second) == "Thursdays at 09:00, fortnightly"
        with pytest.raises(ScheduleError):
            schedule(uow, manager=manager, report=report, slot=Slot(3, time(9)), now=now, lead_minutes=-1)
        assert remove(uow, manager=manager, report=report, now=now) is True
        assert remove(uow, manager=manager, report=report, now=now) is False
