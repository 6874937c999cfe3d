"""Repository queries added for digests, packets and consent DMs, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import event

from storage.models import ManagerLinkStatus
from tests.conftest import Database
from tests.services.digest_data import add_evidence, add_prompt, load_ladder, make_world

LIBRARY = load_ladder()
T0 = datetime(2025, 3, 3, 9, 0)


def test_with_tags_loads_tags_in_one_statement_and_filters(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        add_evidence(uow, LIBRARY, world.report_id, "early", T0 - timedelta(days=1), ["delivery-2-01"])
        add_evidence(uow, LIBRARY, world.report_id, "two tags", T0, ["delivery-2-01", "quality-2-01"])
        add_evidence(uow, LIBRARY, world.report_id, "untagged", T0 + timedelta(hours=1), to_discuss=True)
        add_evidence(uow, LIBRARY, world.report_id, "gone", T0 + timedelta(hours=2), ["delivery-2-01"], deleted_at=T0)
        add_evidence(uow, LIBRARY, world.outsider_id, "other", T0, ["delivery-2-01"])
        add_evidence(uow, LIBRARY, world.report_id, "late", T0 + timedelta(days=2), ["delivery-2-01"])

    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    with db.uow() as uow:
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            items = uow.evidence.with_tags(world.report_id, T0, T0 + timedelta(days=1))
            tags = [[t.behaviour_id for t in item.tags] for item in items]
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert [item.text for item in items] == ["two tags", "untagged"]
        assert tags == [["delivery-2-01", "quality-2-01"], []]
        assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1

        everything = uow.evidence.with_tags(world.report_id)
        assert [item.text for item in everything] == ["early", "two tags", "untagged", "late"]
        flagged = uow.evidence.with_tags(world.report_id, to_discuss_only=True)
        assert [item.text for item in flagged] == ["untagged"]
        assert uow.evidence.clear_to_discuss([flagged[0].id, everything[0].id]) == 1
    with db.uow() as uow:
        assert uow.evidence.with_tags(world.report_id, to_discuss_only=True) == []
        assert uow.evidence.clear_to_discuss([]) == 0


def test_prompt_activity_counts_the_period_and_the_last_answer(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        add_prompt(uow, world.report_id, T0 - timedelta(days=14), answered_at=T0 - timedelta(days=13))
        add_prompt(uow, world.report_id, T0, answered_at=T0 + timedelta(hours=3))
        add_prompt(uow, world.report_id, T0 + timedelta(days=1))
        add_prompt(uow, world.report_id, T0 + timedelta(days=9), answered_at=T0 + timedelta(days=9))
        add_prompt(uow, world.outsider_id, T0, answered_at=T0)
    with db.uow() as uow:
        week = uow.prompts.activity(world.report_id, T0, T0 + timedelta(days=7))
        assert week == (2, 1, T0 + timedelta(hours=3), 0)
        assert uow.prompts.activity(world.report_id, T0 - timedelta(days=3), T0) == (0, 0, T0 - timedelta(days=13), 0)
        assert uow.prompts.activity(world.admin_id, T0, T0 + timedelta(days=7)) == (0, 0, None, 0)


def test_lock_due_returns_only_a_due_active_one_on_one(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        one_on_one = uow.one_on_ones.add(
            world.manager_id, world.report_id, weekday=0, local_time=time(10), next_at=T0, next_digest_at=T0
        )
    with db.uow() as uow:
        assert uow.one_on_ones.lock_due(one_on_one.id, T0 - timedelta(minutes=1)) is None
        locked = uow.one_on_ones.lock_due(one_on_one.id, T0)
        assert locked is not None and locked.id == one_on_one.id
        uow.one_on_ones.end(locked, T0)
    with db.uow() as uow:
        assert uow.one_on_ones.lock_due(one_on_one.id, T0 + timedelta(days=1)) is None


def test_consent_notice_is_claimed_once(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow, link=None)
        link = uow.managers.request(world.report_id, world.manager_id, now=T0)
        active = uow.managers.request(world.outsider_id, world.manager_id, now=T0)
        uow.managers.accept(active, T0)
    with db.uow() as uow:
        assert uow.managers.pending_without_notice() == [link.id]
        assert uow.managers.claim_consent_notice(link.id, T0) is True
        assert uow.managers.claim_consent_notice(link.id, T0) is False
        assert uow.managers.claim_consent_notice(active.id, T0) is False
    with db.uow() as uow:
        assert uow.managers.pending_without_notice() == []
        uow.managers.release_consent_notice(link.id)
    with db.uow() as uow:
        assert uow.managers.pending_without_notice() == [link.id]
        assert uow.managers.get(link.id).status is ManagerLinkStatus.PENDING


def test_behaviour_stats_counts_the_persons_own_not_deleted_evidence(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        add_evidence(uow, LIBRARY, world.report_id, "a", T0, ["delivery-2-01", "quality-2-01"])
        add_evidence(uow, LIBRARY, world.report_id, "b", T0 + timedelta(days=1), ["delivery-2-01"])
        add_evidence(uow, LIBRARY, world.report_id, "gone", T0 + timedelta(days=2), ["delivery-2-01"], deleted_at=T0)
        add_evidence(uow, LIBRARY, world.report_id, "untagged", T0 + timedelta(days=3))
        add_evidence(uow, LIBRARY, world.outsider_id, "other", T0 + timedelta(days=4), ["mentoring-2-01"])
    with db.uow() as uow:
        stats = uow.evidence.behaviour_stats(world.report_id, "digest-ladder")
        assert {b: (s.count, s.last_at) for b, s in stats.items()} == {
            "delivery-2-01": (2, T0 + timedelta(days=1)),
            "quality-2-01": (1, T0),
        }
        assert uow.evidence.behaviour_stats(world.report_id, "another-ladder") == {}
