"""The digest after a promotion: the coverage snapshot keeps the level it measured, so an area whose
next level changed shows "new level", never a loss against another milestone's behaviours."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from bot.delivery.digests import tick_digests
from bot.services.one_on_ones import schedule
from bot.services.promotions import move_placement
from bot.services.slots import Slot
from storage.models import Cadence, Digest
from tests.conftest import Database
from tests.listeners.harness import message_text
from tests.services.digest_data import LADDER_ID, add_evidence, fake_slack_deps, load_ladder, make_world

LIBRARY = load_ladder()
BEFORE = datetime(2025, 3, 20, 12, 0)
MEETING_1 = datetime(2025, 3, 24, 10, 0)
MEETING_2 = datetime(2025, 3, 31, 10, 0)


def _coverage_line(text: str, area: str) -> str:
    return next(line for line in text.splitlines() if f" {area} →" in line)


def test_the_digest_after_a_promotion_says_new_level_not_a_loss(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        manager, report = uow.people.get(world.manager_id), uow.people.get(world.report_id)
        schedule(uow, manager=manager, report=report, slot=Slot(0, time(10, 0), Cadence.WEEKLY), now=BEFORE)
        add_evidence(uow, LIBRARY, world.report_id, "shipped", MEETING_1 - timedelta(days=3), ["delivery-2-01"])
        add_evidence(uow, LIBRARY, world.report_id, "shipped again", MEETING_1 - timedelta(days=2), ["delivery-2-02"])
        add_evidence(uow, LIBRARY, world.report_id, "tested", MEETING_1 - timedelta(days=2), ["quality-2-01"])

    with fake_slack_deps(db, LIBRARY) as (deps, fake):
        manager_dm = fake.dm_channel_for("UMANAGER")
        assert tick_digests(deps, MEETING_1 - timedelta(hours=2)).sent == 1
        first = message_text(fake.messages(manager_dm)[-1])
        assert "2/3` Delivery → Level 2" in _coverage_line(first, "Delivery")
        with db.uow() as uow:
            sent = uow.session.scalars(select(Digest).order_by(Digest.period_end)).all()
            assert sent[-1].coverage["delivery"] == {"covered": 2, "total": 3, "level": "2"}
            report = uow.people.get(world.report_id)
            move_placement(
                uow,
                report,
                framework_id=LADDER_ID,
                levels={"delivery": "2", "quality": "1", "mentoring": "1"},
                track=None,
                reason="promotion",
                by_slack_id="UMANAGER",
                team_id="T1",
                now=MEETING_1 + timedelta(days=1),
                framework=LIBRARY[LADDER_ID],
            )
            add_evidence(uow, LIBRARY, world.report_id, "more tests", MEETING_2 - timedelta(days=2), ["quality-2-02"])

        assert tick_digests(deps, MEETING_2 - timedelta(hours=2)).sent == 1
        second = message_text(fake.messages(manager_dm)[-1])
    delivery = _coverage_line(second, "Delivery")
    assert "Level 3" in delivery and "new level" in delivery and "since the last digest" not in delivery
    assert "+1 since the last digest" in _coverage_line(second, "Quality &amp; Testing")
    assert "No change in any area" not in second


def test_an_old_snapshot_without_levels_still_gives_the_change(db: Database) -> None:
    from bot.services.digests import build_digest

    with db.uow() as uow:
        world = make_world(uow)
        add_evidence(uow, LIBRARY, world.report_id, "shipped", MEETING_1, ["delivery-2-01"])
        manager, report = uow.people.get(world.manager_id), uow.people.get(world.report_id)
        old = {"delivery": {"covered": 0, "total": 3}, "quality": 0}
        content = build_digest(uow, LIBRARY, (manager, report), BEFORE, MEETING_2, old)
    by_area = {c.area_id: c for c in content.coverage}
    assert (by_area["delivery"].change, by_area["delivery"].new_level) == (1, False)
    assert (by_area["quality"].change, by_area["quality"].new_level) == (0, False)
