from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from storage.models import MAX_EVIDENCE_TEXT, Evidence, EvidenceSource, EvidenceTag, FieldTooLong
from storage.uow import UnitOfWork
from tests.conftest import Database
from tests.storage.conftest import StatementCounter, add_people

NOW = datetime(2025, 3, 3, 10, 0)


def _count(db: Database, model: type) -> int:
    with db.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(model)) or 0


def _tag(uow: UnitOfWork, evidence: Evidence, behaviour_id: str, framework_id: str = "vio-execution") -> EvidenceTag:
    return uow.evidence.tag(
        evidence,
        framework_id=framework_id,
        framework_version=3,
        behaviour_id=behaviour_id,
        area_id="delivery",
        level_id="2",
        behaviour_text=f"Text of {behaviour_id}",
    )


def test_add_once_with_the_same_source_key_stores_one_row(db: Database) -> None:
    with db.uow() as uow:
        (ada,) = add_people(uow, "UADA")
        first, created = uow.evidence.add_once(
            person_id=ada.id,
            text="Shipped the thing",
            source=EvidenceSource.PROMPT_REPLY,
            source_key="T1:D1:1700000000.000100",
            link="https://example.slack.com/archives/D1/p1700000000000100",
            now=NOW,
        )
        assert created and first.text == "Shipped the thing" and first.to_discuss is False
    with db.uow() as uow:  # a retried delivery, in a later transaction
        again, created = uow.evidence.add_once(
            person_id=ada.id, text="Different", source=EvidenceSource.PROMPT_REPLY, source_key="T1:D1:1700000000.000100"
        )
        assert not created and again.id == first.id and again.text == "Shipped the thing"
    assert _count(db, Evidence) == 1


def test_add_once_without_a_source_key_always_adds(db: Database) -> None:
    with db.uow() as uow:
        (ada,) = add_people(uow, "UADA")
        for _ in range(2):
            _, created = uow.evidence.add_once(person_id=ada.id, text="note", source=EvidenceSource.MODAL)
            assert created
    assert _count(db, Evidence) == 2


@pytest.mark.parametrize("source_key", [None, "T1:C1:1.2"])
def test_too_long_text_is_refused_not_truncated(db: Database, source_key: str | None) -> None:
    with db.uow() as uow:
        (ada,) = add_people(uow, "UADA")
    with pytest.raises(FieldTooLong) as raised, db.uow() as uow:
        uow.evidence.add_once(
            person_id=ada.id, text="x" * (MAX_EVIDENCE_TEXT + 1), source=EvidenceSource.COMMAND, source_key=source_key
        )
    assert raised.value.field == "text" and raised.value.length == MAX_EVIDENCE_TEXT + 1
    with pytest.raises(FieldTooLong, match="link"), db.uow() as uow:
        uow.evidence.add_once(
            person_id=ada.id, text="ok", link="https://x/" + "a" * 2000, source=EvidenceSource.COMMAND
        )
    assert _count(db, Evidence) == 0
    with db.uow() as uow:  # exactly at the limit is fine
        uow.evidence.add_once(person_id=ada.id, text="x" * MAX_EVIDENCE_TEXT, source=EvidenceSource.COMMAND)
    with db.uow() as uow:
        assert len(uow.session.scalars(select(Evidence)).one().text) == MAX_EVIDENCE_TEXT


def test_tags_snapshot_the_behaviour_and_are_idempotent(db: Database) -> None:
    with db.uow() as uow:
        (ada,) = add_people(uow, "UADA")
        evidence, _ = uow.evidence.add_once(person_id=ada.id, text="t", source=EvidenceSource.COMMAND)
        tag = _tag(uow, evidence, "vio-execution.delivery.2.1")
        assert _tag(uow, evidence, "vio-execution.delivery.2.1").id == tag.id
        _tag(uow, evidence, "vio-execution.quality.2.1")
    with db.uow() as uow:
        evidence = uow.evidence.get(evidence.id)
        assert [(t.behaviour_id, t.behaviour_text, t.framework_version) for t in evidence.tags] == [
            ("vio-execution.delivery.2.1", "Text of vio-execution.delivery.2.1", 3),
            ("vio-execution.quality.2.1", "Text of vio-execution.quality.2.1", 3),
        ]
        assert uow.evidence.untag(evidence, "vio-execution", "vio-execution.quality.2.1")
        assert not uow.evidence.untag(evidence, "vio-execution", "nope")
    assert _count(db, EvidenceTag) == 1


def test_tag_behaviour_from_framework_objects(db: Database) -> None:
    @dataclass
    class Framework:
        id: str = "flow"
        version: int = 7

    @dataclass
    class Behaviour:
        id: str = "flow.flow.P2.1"
        text: str = "Recognizes symptoms of reduced flow"
        area_id: str = "flow"
        level_id: str = "P2"

    with db.uow() as uow:
        (ada,) = add_people(uow, "UADA")
        evidence, _ = uow.evidence.add_once(person_id=ada.id, text="t", source=EvidenceSource.COMMAND)
        tag = uow.evidence.tag_behaviour(evidence, Framework(), Behaviour())
        assert (tag.framework_id, tag.framework_version, tag.level_id) == ("flow", 7, "P2")


def test_long_behaviour_id_is_refused(db: Database) -> None:
    with pytest.raises(FieldTooLong), db.uow() as uow:
        (ada,) = add_people(uow, "UADA")
        evidence, _ = uow.evidence.add_once(person_id=ada.id, text="t", source=EvidenceSource.COMMAND)
        _tag(uow, evidence, "b" * 65)


def _seed_history(db: Database) -> tuple[int, int]:
    """Ada: 5 items over 5 weeks (one deleted, some tagged); Bob: one item."""
    with db.uow() as uow:
        ada, bob = add_people(uow, "UADA", "UBOB")
        for week in range(5):
            evidence, _ = uow.evidence.add_once(
                person_id=ada.id, text=f"week {week}", source=EvidenceSource.COMMAND, now=NOW + timedelta(weeks=week)
            )
            _tag(uow, evidence, "d1")
            if week % 2 == 0:
                _tag(uow, evidence, "q1")
            if week == 3:
                uow.evidence.soft_delete(evidence, now=NOW + timedelta(weeks=5))
        other, _ = uow.evidence.add_once(person_id=bob.id, text="bob", source=EvidenceSource.COMMAND, now=NOW)
        _tag(uow, other, "d1")
        return ada.id, bob.id


def test_for_person_since_skips_deleted_and_other_people(db: Database) -> None:
    ada_id, _ = _seed_history(db)
    with db.uow() as uow:
        items = uow.evidence.for_person_since(ada_id, NOW + timedelta(weeks=1))
        assert [e.text for e in items] == ["week 1", "week 2", "week 4"]
        items = uow.evidence.for_person_since(ada_id, NOW, until=NOW + timedelta(weeks=2))
        assert [e.text for e in items] == ["week 0", "week 1"]
        assert [e.text for e in uow.evidence.recent(ada_id, 2)] == ["week 4", "week 2"]
        assert len(uow.evidence.all_for(ada_id)) == 5


def test_grouped_by_behaviour(db: Database) -> None:
    ada_id, _ = _seed_history(db)
    with db.uow() as uow:
        grouped = uow.evidence.grouped_by_behaviour(ada_id, NOW)
        assert {key: [e.text for e in items] for key, items in grouped.items()} == {
            ("vio-execution", "d1"): ["week 0", "week 1", "week 2", "week 4"],
            ("vio-execution", "q1"): ["week 0", "week 2", "week 4"],
        }


def test_coverage_in_one_query(db: Database) -> None:
    ada_id, _ = _seed_history(db)
    with db.uow() as uow, StatementCounter(db.engine) as counter:
        coverage = uow.evidence.coverage(ada_id, "vio-execution", ["d1", "q1", "never"])
    assert counter.count == 1
    assert coverage == {
        "d1": (4, NOW + timedelta(weeks=4)),
        "q1": (3, NOW + timedelta(weeks=4)),
        "never": (0, None),
    }
    with db.uow() as uow:
        assert uow.evidence.coverage(ada_id, "vio-execution", ["d1"], since=NOW + timedelta(weeks=2))["d1"].count == 2
        assert uow.evidence.coverage(ada_id, "other-framework", ["d1"]) == {"d1": (0, None)}
        assert uow.evidence.coverage(ada_id, "vio-execution", []) == {}


def test_coverage_follows_deletes_and_restores_from_the_tags_alone(db: Database) -> None:
    """Coverage reads each tag's copy of its item's time (`item_at`), set when tagged, cleared when the
    item is deleted and set again when it is restored; tagging a deleted item counts nothing."""
    ada_id, _ = _seed_history(db)
    with db.uow() as uow:
        week_4 = uow.evidence.recent(ada_id, 1)[0]
        uow.evidence.soft_delete(week_4, now=NOW + timedelta(weeks=6))
        assert uow.evidence.coverage(ada_id, "vio-execution", ["d1"])["d1"] == (3, NOW + timedelta(weeks=2))
        _tag(uow, week_4, "late")
        assert uow.evidence.behaviour_stats(ada_id, "vio-execution").keys() == {"d1", "q1"}
        uow.evidence.restore(week_4)
        assert uow.evidence.coverage(ada_id, "vio-execution", ["d1", "late"]) == {
            "d1": (4, NOW + timedelta(weeks=4)),
            "late": (1, NOW + timedelta(weeks=4)),
        }
    with db.uow() as uow:
        stored = {tag.behaviour_id: tag.item_at for tag in uow.evidence.get(week_4.id).tags}  # type: ignore[union-attr]
        assert stored == {
            "d1": NOW + timedelta(weeks=4),
            "q1": NOW + timedelta(weeks=4),
            "late": NOW + timedelta(weeks=4),
        }


def test_loading_evidence_with_tags_is_n_plus_one_free(db: Database) -> None:
    with db.uow() as uow:
        (ada,) = add_people(uow, "UADA")
        for i in range(30):
            evidence, _ = uow.evidence.add_once(
                person_id=ada.id, text=f"item {i}", source=EvidenceSource.COMMAND, now=NOW + timedelta(hours=i)
            )
            _tag(uow, evidence, f"b{i % 4}")
            _tag(uow, evidence, f"c{i % 3}")
    with db.uow() as uow, StatementCounter(db.engine) as counter:
        grouped = uow.evidence.grouped_by_behaviour(ada.id, NOW)
        texts = [tag.behaviour_text for items in grouped.values() for e in items for tag in e.tags]
        recent = uow.evidence.recent(ada.id, 10)
        _ = [tag.behaviour_id for e in recent for tag in e.tags]
    assert len(texts) == 120
    assert counter.count <= 4, counter.statements  # two per query, whatever the number of items


def test_soft_delete_restore_and_to_discuss(db: Database) -> None:
    with db.uow() as uow:
        (ada,) = add_people(uow, "UADA")
        evidence, _ = uow.evidence.add_once(person_id=ada.id, text="t", source=EvidenceSource.COMMAND, now=NOW)
        uow.evidence.set_to_discuss(evidence, True)
        uow.evidence.soft_delete(evidence, now=NOW)
        uow.evidence.soft_delete(evidence, now=NOW + timedelta(days=1))
        assert evidence.deleted_at == NOW
        assert uow.evidence.recent(ada.id, 5) == []
        uow.evidence.restore(evidence)
        assert [e.to_discuss for e in uow.evidence.recent(ada.id, 5)] == [True]


def test_delete_all_for(db: Database) -> None:
    ada_id, _ = _seed_history(db)
    with db.uow() as uow:
        assert uow.evidence.delete_all_for(ada_id) == (5, 8)
    assert _count(db, Evidence) == 1 and _count(db, EvidenceTag) == 1


@pytest.mark.postgres
def test_racing_deliveries_store_one_row(pg_db: Database) -> None:
    """Slack retries an event while the first delivery is still being handled, on another thread."""
    with pg_db.uow() as uow:
        (ada,) = add_people(uow, "UADA")
    threads_count = 6
    barrier = threading.Barrier(threads_count)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            with pg_db.uow() as uow:
                barrier.wait()
                evidence, created = uow.evidence.add_once(
                    person_id=ada.id, text="retry me", source=EvidenceSource.PROMPT_REPLY, source_key="T1:D1:1.5"
                )
                results.append((evidence.id, created))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=deliver) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len({evidence_id for evidence_id, _ in results}) == 1
    assert sorted(created for _, created in results) == [False] * (threads_count - 1) + [True]
    assert _count(pg_db, Evidence) == 1
