"""Digests on demand (bot.services.digesting.on_demand_digest): since the last 1:1 or four weeks."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.delivery.digests import tick_digests
from bot.services import access
from bot.services.digesting import on_demand_digest
from bot.services.one_on_ones import schedule
from bot.services.slots import Slot
from bot.settings import Settings
from storage.models import Cadence, ManagerLinkStatus
from tests.conftest import Database
from tests.services.digest_data import fake_slack_deps, load_ladder, make_world

LIBRARY = load_ladder()
# Monday 24 March 2025 is the last Monday of CET; Monday 31 March is the first of CEST.
BEFORE_DST = datetime(2025, 3, 20, 12, 0)
MEETING_1 = datetime(2025, 3, 24, 9, 0)  # 10:00 Paris (UTC+1)


def _setup(db: Database, *, link: ManagerLinkStatus | None = ManagerLinkStatus.ACTIVE, cadence=Cadence.WEEKLY):
    with db.uow() as uow:
        world = make_world(uow, link=link, manager_tz="Europe/Paris")
        manager, report = uow.people.get(world.manager_id), uow.people.get(world.report_id)
        one_on_one = schedule(uow, manager=manager, report=report, slot=Slot(0, time(10, 0), cadence), now=BEFORE_DST)
    return world, one_on_one.id


def test_on_demand_digest_since_the_last_meeting_or_four_weeks(db: Database) -> None:
    _setup(db)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    with fake_slack_deps(db, LIBRARY) as (deps, _fake):
        now = MEETING_1 - timedelta(days=1)
        with db.uow() as uow:
            grant = access.open_evidence(
                uow,
                settings,
                team_id="T1",
                viewer_slack_id="UMANAGER",
                subject_slack_id="UREPORT",
                action=access.VIEWED_DIGEST,
                now=now,
            )
            assert grant is not None
            content = on_demand_digest(uow, deps, grant, now)
            assert content.period_start == now - timedelta(weeks=4) and content.meeting_at is None
        tick_digests(deps, MEETING_1 - timedelta(hours=2))
        later = MEETING_1 + timedelta(days=2)
        with db.uow() as uow:
            grant = access.open_evidence(
                uow,
                settings,
                team_id="T1",
                viewer_slack_id="UREPORT",
                subject_slack_id=None,
                action=access.VIEWED_DIGEST,
                now=later,
            )
            assert grant is not None
            content = on_demand_digest(uow, deps, grant, later)
            assert content.period_start == MEETING_1 and content.manager.slack_user_id == "UMANAGER"
            assert content.coverage[0].previous is not None
