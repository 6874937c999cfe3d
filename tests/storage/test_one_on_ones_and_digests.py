from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from storage.models import Digest, DigestState, FieldTooLong
from tests.conftest import Database
from tests.storage.conftest import add_people

NOW = datetime(2025, 3, 3, 10, 0)
MEETING = datetime(2025, 3, 4, 14, 0)


def _pair(db: Database) -> tuple[int, int, int]:
    with db.uow() as uow:
        mia, ada = add_people(uow, "UMIA", "UADA")
        one_on_one = uow.one_on_ones.add(
            mia.id,
            ada.id,
            weekday=1,
            local_time=time(14),
            next_at=MEETING,
            next_digest_at=MEETING - timedelta(hours=2),
            now=NOW,
        )
        return mia.id, ada.id, one_on_one.id


def test_add_list_get_pair_and_end(db: Database) -> None:
    mia_id, ada_id, one_on_one_id = _pair(db)
    with db.uow() as uow:
        assert uow.one_on_ones.get_pair(mia_id, ada_id).id == one_on_one_id
        assert uow.one_on_ones.get_pair(ada_id, mia_id) is None
        assert [o.id for o in uow.one_on_ones.list_for_manager(mia_id)] == [one_on_one_id]
        assert [o.id for o in uow.one_on_ones.list_for_report(ada_id)] == [one_on_one_id]
        with pytest.raises(ValueError, match="already have an active 1:1"):
            uow.one_on_ones.add(mia_id, ada_id, weekday=1, local_time=time(9))
        with pytest.raises(ValueError):
            uow.one_on_ones.add(mia_id, mia_id, weekday=1, local_time=time(9))
        uow.one_on_ones.end(uow.one_on_ones.get(one_on_one_id), now=NOW)
    with db.uow() as uow:
        ended = uow.one_on_ones.get(one_on_one_id)
        assert not ended.active and ended.ended_at == NOW and ended.next_digest_at is None
        assert uow.one_on_ones.get_pair(mia_id, ada_id) is None
        assert uow.one_on_ones.list_for_manager(mia_id) == []
        assert len(uow.one_on_ones.list_for_manager(mia_id, active_only=False)) == 1
        assert len(uow.one_on_ones.all_involving(ada_id)) == 1
        uow.one_on_ones.add(mia_id, ada_id, weekday=2, local_time=time(9))  # a new one may start
        assert uow.one_on_ones.end_all_involving(ada_id, now=NOW) == 1


def test_due_digests(db: Database) -> None:
    _, _, one_on_one_id = _pair(db)
    with db.uow() as uow:
        assert uow.one_on_ones.due_digests(MEETING - timedelta(hours=3)) == []
        assert [o.id for o in uow.one_on_ones.due_digests(MEETING - timedelta(hours=2))] == [one_on_one_id]
        uow.one_on_ones.set_next(uow.one_on_ones.get(one_on_one_id), MEETING + timedelta(weeks=1), None)
        assert uow.one_on_ones.due_digests(MEETING) == []


def _claim(
    db: Database, one_on_one_id: int, instance: str, now: datetime, period: str = "2025-03-04T14:00"
) -> Digest | None:
    with db.uow() as uow:
        return uow.digests.claim(
            one_on_one_id,
            period,
            period_start=MEETING - timedelta(weeks=1),
            period_end=MEETING,
            due_at=MEETING - timedelta(hours=2),
            instance_id=instance,
            now=now,
            claim_ttl=timedelta(minutes=10),
        )


def test_digest_claim_is_unique_per_period(db: Database) -> None:
    _, _, one_on_one_id = _pair(db)
    claimed = _claim(db, one_on_one_id, "a", NOW)
    assert claimed is not None and claimed.state is DigestState.CLAIMED and claimed.attempts == 1
    assert _claim(db, one_on_one_id, "b", NOW + timedelta(minutes=5)) is None  # live claim
    taken_over = _claim(db, one_on_one_id, "b", NOW + timedelta(minutes=10))  # expired claim
    assert taken_over.id == claimed.id and taken_over.claimed_by == "b" and taken_over.attempts == 2
    with db.uow() as uow:
        uow.digests.mark_sent(
            uow.digests.get(claimed.id), channel_id="D1", message_ts=["1.1", "1.2"], coverage={"delivery": 0.5}, now=NOW
        )
    assert _claim(db, one_on_one_id, "c", NOW + timedelta(days=1)) is None  # sent: never again
    with db.uow() as uow:
        last = uow.digests.last_sent_for(one_on_one_id)
        assert last.id == claimed.id and last.message_ts == ["1.1", "1.2"] and last.coverage == {"delivery": 0.5}
        assert last.sent_at == NOW and last.claim_expires_at is None
        assert uow.digests.get_for_period(one_on_one_id, "2025-03-04T14:00").id == claimed.id


def test_digest_failures_and_skips(db: Database) -> None:
    _, _, one_on_one_id = _pair(db)
    claimed = _claim(db, one_on_one_id, "a", NOW)
    with db.uow() as uow:
        uow.digests.mark_failed(uow.digests.get(claimed.id), "ratelimited", retry_at=NOW + timedelta(minutes=1))
    assert _claim(db, one_on_one_id, "a", NOW) is None
    retried = _claim(db, one_on_one_id, "a", NOW + timedelta(minutes=1))
    assert retried.attempts == 2 and retried.last_error == "ratelimited"
    with db.uow() as uow:
        uow.digests.mark_failed(uow.digests.get(claimed.id), "channel_not_found")
        assert uow.digests.get(claimed.id).state is DigestState.FAILED
    assert _claim(db, one_on_one_id, "a", NOW + timedelta(days=1)) is None
    other = _claim(db, one_on_one_id, "a", NOW, period="2025-03-11T14:00")
    with db.uow() as uow:
        uow.digests.mark_skipped(uow.digests.get(other.id), "no evidence and nothing to discuss")
        assert uow.digests.get(other.id).state is DigestState.SKIPPED
        assert uow.digests.last_sent_for(one_on_one_id) is None
        assert len(uow.digests.for_one_on_ones([one_on_one_id])) == 2
        assert uow.digests.delete_for_one_on_ones([one_on_one_id]) == 2
        assert uow.digests.for_one_on_ones([]) == [] and uow.digests.delete_for_one_on_ones([]) == 0


def test_digest_claim_surfaces_long_period_key(db: Database) -> None:
    _, _, one_on_one_id = _pair(db)
    with pytest.raises(FieldTooLong):
        _claim(db, one_on_one_id, "a", NOW, period="p" * 65)


def test_audit_record_and_for_subject(db: Database) -> None:
    with db.uow() as uow:
        uow.audit.record("UMIA", "viewed_evidence", "UADA", {"items": 3}, workspace_team_id="T1", now=NOW)
        uow.audit.record(None, "exported", "UADA", now=NOW + timedelta(hours=1))
        uow.audit.record("UADA", "viewed_evidence", "UBOB", now=NOW)
    with db.uow() as uow:
        entries = uow.audit.for_subject("UADA")
        assert [(e.actor_slack_id, e.action) for e in entries] == [(None, "exported"), ("UMIA", "viewed_evidence")]
        assert entries[1].details == {"items": 3} and entries[1].workspace_team_id == "T1"
        assert entries[0].details == {}
        with pytest.raises(FieldTooLong):
            uow.audit.record("U" * 40, "exported", "UADA")


def test_unit_of_work_rolls_back_everything_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError), db.uow() as uow:
        add_people(uow, "UADA")
        uow.audit.record(None, "exported", "UADA")
        raise RuntimeError("boom")
    with db.uow() as uow:
        assert uow.people.list_active() == [] and uow.audit.for_subject("UADA") == []
