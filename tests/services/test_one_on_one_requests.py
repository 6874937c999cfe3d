"""A manager's 1:1s asked for from Slack (bot.services.one_on_one_requests), on both databases."""

from __future__ import annotations

from datetime import datetime, time

from bot.services import one_on_one_requests
from bot.services.actor import Actor
from bot.services.one_on_one_requests import Refused, Scheduled, SchedulingForm
from bot.services.slots import Slot
from storage.models import ManagerLinkStatus
from tests.conftest import Database
from tests.services.digest_data import make_world

NOW = datetime(2025, 3, 10, 12, 0)  # a Monday
MANAGER = Actor("T1", "UMANAGER")
OTHER = Actor("T1", "UOTHER")
NOBODY = Actor("T1", "UNOBODY")
TUESDAY_TEN = Slot(1, time(10, 0))


def _schedule(db: Database, actor: Actor, report_slack_id: str = "UREPORT") -> Scheduled | Refused:
    return one_on_one_requests.schedule_with_report(
        db.uow, actor, report_slack_id=report_slack_id, slot=TUESDAY_TEN, now=NOW, lead_minutes=60
    )


def test_only_the_current_manager_schedules_a_one_on_one(db: Database) -> None:
    with db.uow() as uow:
        make_world(uow, manager_tz="Europe/Paris")
    assert _schedule(db, OTHER) == Refused()
    assert _schedule(db, NOBODY) == Refused()
    assert _schedule(db, MANAGER, "UNOBODY") == Refused()
    scheduled = _schedule(db, MANAGER)
    assert isinstance(scheduled, Scheduled)
    assert (scheduled.report_slack_id, scheduled.manager_tz) == ("UREPORT", "Europe/Paris")
    assert scheduled.meeting.next_at == datetime(2025, 3, 11, 9, 0)  # 10:00 in Paris


def test_a_manager_still_waiting_for_consent_is_refused(db: Database) -> None:
    with db.uow() as uow:
        make_world(uow, link=ManagerLinkStatus.PENDING)
    assert _schedule(db, MANAGER) == Refused()


def test_listing_removing_and_the_scheduling_form(db: Database) -> None:
    with db.uow() as uow:
        make_world(uow)
    assert one_on_one_requests.list_one_on_ones(db.uow, NOBODY) == []
    assert one_on_one_requests.scheduling_form(db.uow, NOBODY) == SchedulingForm([], [], "UTC")
    scheduled = _schedule(db, MANAGER)
    assert isinstance(scheduled, Scheduled)
    [row] = one_on_one_requests.list_one_on_ones(db.uow, MANAGER)
    assert (row.report_slack_id, row.meeting.id) == ("UREPORT", scheduled.meeting.id)
    form = one_on_one_requests.scheduling_form(db.uow, MANAGER)
    assert form.reports == [("UREPORT", "Riley Report")] and form.tz == "UTC"
    assert [m.meeting.id for m in form.meetings] == [scheduled.meeting.id]

    assert one_on_one_requests.remove_one_on_one(db.uow, OTHER, report_slack_id="UREPORT", now=NOW) is False
    assert one_on_one_requests.remove_one_on_one(db.uow, MANAGER, report_slack_id="UREPORT", now=NOW) is True
    assert one_on_one_requests.remove_one_on_one(db.uow, MANAGER, report_slack_id="UREPORT", now=NOW) is False
    assert one_on_one_requests.list_one_on_ones(db.uow, MANAGER) == []
