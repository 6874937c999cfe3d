from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from storage.models import FieldTooLong, Prompt, PromptState
from tests.conftest import Database
from tests.storage.conftest import add_people

NOW = datetime(2025, 3, 3, 10, 0)
TTL = timedelta(minutes=5)


def _add_prompts(db: Database, count: int, due_at: datetime = NOW) -> list[int]:
    with db.uow() as uow:
        people = add_people(uow, *[f"U{i:03d}" for i in range(count)])
        return [
            uow.prompts.add_if_absent(
                person_id=person.id,
                idempotency_key=f"{person.id}:2025-03-03",
                framework_id="vio-execution",
                behaviour_ids=["b1"],
                due_at=due_at + timedelta(seconds=i),
            )[0].id
            for i, person in enumerate(people)
        ]


def test_add_if_absent_is_idempotent(db: Database) -> None:
    with db.uow() as uow:
        (ada,) = add_people(uow, "UADA")
        kwargs = {"person_id": ada.id, "idempotency_key": "k1", "framework_id": "f", "behaviour_ids": ["a", "b"]}
        prompt, created = uow.prompts.add_if_absent(**kwargs, due_at=NOW)
        again, created_again = uow.prompts.add_if_absent(**kwargs, due_at=NOW + timedelta(days=1))
        assert created and not created_again and again.id == prompt.id
        assert again.due_at == NOW and again.state is PromptState.DUE and again.attempts == 0
    with db.uow() as uow:
        assert uow.prompts.get_by_key("k1").behaviour_ids == ["a", "b"]
        assert uow.prompts.get_by_key("nope") is None
        assert uow.session.scalar(select(func.count()).select_from(Prompt)) == 1


def test_add_if_absent_surfaces_field_too_long(db: Database) -> None:
    with pytest.raises(FieldTooLong), db.uow() as uow:
        (ada,) = add_people(uow, "UADA")
        uow.prompts.add_if_absent(
            person_id=ada.id, idempotency_key="k" * 300, framework_id="f", behaviour_ids=[], due_at=NOW
        )


def test_claim_due_takes_due_prompts_once(db: Database) -> None:
    ids = _add_prompts(db, 3)
    with db.uow() as uow:
        claimed = uow.prompts.claim_due(NOW + timedelta(seconds=1), "instance-a", limit=10, claim_ttl=TTL)
        assert [p.id for p in claimed] == ids[:2]  # the third is due one second later
        assert all(p.state is PromptState.CLAIMED and p.claimed_by == "instance-a" for p in claimed)
        assert all(p.attempts == 1 and p.claim_expires_at == NOW + timedelta(seconds=1) + TTL for p in claimed)
    with db.uow() as uow:
        # Claims are live: nothing but the third prompt is claimable.
        assert [p.id for p in uow.prompts.claim_due(NOW + timedelta(minutes=1), "instance-b", 10, TTL)] == [ids[2]]
        assert uow.prompts.claim_due(NOW + timedelta(minutes=1), "instance-b", 10, TTL) == []


def test_expired_claims_are_claimed_again(db: Database) -> None:
    (prompt_id,) = _add_prompts(db, 1)
    with db.uow() as uow:
        uow.prompts.claim_due(NOW, "instance-a", 10, TTL)
    with db.uow() as uow:
        assert uow.prompts.claim_due(NOW + TTL - timedelta(seconds=1), "instance-b", 10, TTL) == []
        (again,) = uow.prompts.claim_due(NOW + TTL, "instance-b", 10, TTL)
        assert again.id == prompt_id and again.claimed_by == "instance-b" and again.attempts == 2


def test_claim_respects_limit_and_order(db: Database) -> None:
    ids = _add_prompts(db, 5)
    with db.uow() as uow:
        assert [p.id for p in uow.prompts.claim_due(NOW + timedelta(hours=1), "a", 2, TTL)] == ids[:2]


def test_claim_refreshes_objects_already_in_the_session(db: Database) -> None:
    (prompt_id,) = _add_prompts(db, 1)
    with db.uow() as uow:
        loaded = uow.prompts.get(prompt_id)
        assert loaded.state is PromptState.DUE
        (claimed,) = uow.prompts.claim_due(NOW, "a", 10, TTL)
        assert claimed is loaded and loaded.state is PromptState.CLAIMED


def test_failed_prompt_retries_after_its_time(db: Database) -> None:
    (prompt_id,) = _add_prompts(db, 1)
    with db.uow() as uow:
        (prompt,) = uow.prompts.claim_due(NOW, "a", 10, TTL)
        uow.prompts.mark_failed(prompt, "ratelimited", now=NOW, retry_at=NOW + timedelta(minutes=2))
    with db.uow() as uow:
        assert uow.prompts.claim_due(NOW + timedelta(minutes=1), "a", 10, TTL) == []
        (prompt,) = uow.prompts.claim_due(NOW + timedelta(minutes=2), "a", 10, TTL)
        assert prompt.attempts == 2 and prompt.last_error == "ratelimited"
        uow.prompts.mark_failed(prompt, "user_disabled " + "x" * 2000, now=NOW)
    with db.uow() as uow:
        prompt = uow.prompts.get(prompt_id)
        assert prompt.state is PromptState.FAILED and prompt.next_attempt_at is None
        assert len(prompt.last_error) == 1000  # our own diagnostic is clipped, by design
        assert uow.prompts.claim_due(NOW + timedelta(days=1), "a", 10, TTL) == []


def test_sent_answered_skipped_and_lookups(db: Database) -> None:
    first, second, third = _add_prompts(db, 3)
    with db.uow() as uow:
        prompts = uow.prompts.claim_due(NOW + timedelta(minutes=1), "a", 10, TTL)
        uow.prompts.mark_sent(prompts[0], channel_id="D1", message_ts="1.1", now=NOW)
        uow.prompts.mark_sent(prompts[1], channel_id="D2", message_ts="2.2", now=NOW)
        uow.prompts.mark_skipped(prompts[2], "on holiday", now=NOW)
    with db.uow() as uow:
        prompt = uow.prompts.find_by_message("D1", "1.1")
        assert prompt.id == first and prompt.state is PromptState.SENT and prompt.sent_at == NOW
        assert prompt.claim_expires_at is None
        assert uow.prompts.find_by_message("D1", "2.2") is None
        uow.prompts.mark_answered(prompt, now=NOW + timedelta(hours=1))
        uow.prompts.mark_answered(prompt, now=NOW + timedelta(hours=2))
        assert prompt.answered_at == NOW + timedelta(hours=1)
        skipped = uow.prompts.get(third)
        assert skipped.state is PromptState.SKIPPED and skipped.skip_reason == "on holiday"
        uow.prompts.mark_expired(uow.prompts.get(second))
        assert uow.prompts.get(second).state is PromptState.EXPIRED
        assert uow.prompts.latest_sent_for(prompt.person_id).id == first


def test_last_prompts_for_newest_first(db: Database) -> None:
    with db.uow() as uow:
        (ada,) = add_people(uow, "UADA")
        for week in range(5):
            uow.prompts.add_if_absent(
                person_id=ada.id,
                idempotency_key=f"{ada.id}:{week}",
                framework_id="f",
                behaviour_ids=[f"b{week}"],
                due_at=NOW + timedelta(weeks=week),
            )
    with db.uow() as uow:
        latest = uow.prompts.last_prompts_for(ada.id, 3)
        assert [p.behaviour_ids for p in latest] == [["b4"], ["b3"], ["b2"]]
        assert len(uow.prompts.all_for(ada.id)) == 5
        assert uow.prompts.delete_all_for(ada.id) == 5


def test_unanswered_needing_reminder(db: Database) -> None:
    ids = _add_prompts(db, 4)
    with db.uow() as uow:
        prompts = uow.prompts.claim_due(NOW + timedelta(minutes=1), "a", 10, TTL)
        uow.prompts.mark_sent(prompts[0], channel_id="D", message_ts="1", now=NOW - timedelta(days=3))
        uow.prompts.mark_sent(prompts[1], channel_id="D", message_ts="2", now=NOW - timedelta(days=3))
        uow.prompts.mark_sent(prompts[2], channel_id="D", message_ts="3", now=NOW - timedelta(hours=1))
        uow.prompts.mark_sent(prompts[3], channel_id="D", message_ts="4", now=NOW - timedelta(days=4))
        uow.prompts.mark_answered(prompts[1], now=NOW)
        uow.prompts.mark_reminded(prompts[3], now=NOW - timedelta(days=2))
    with db.uow() as uow:
        assert [p.id for p in uow.prompts.unanswered_needing_reminder(NOW, timedelta(days=2))] == [ids[0]]
        uow.prompts.mark_reminded(uow.prompts.get(ids[0]), now=NOW)
        assert uow.prompts.unanswered_needing_reminder(NOW, timedelta(days=2)) == []


def test_instance_id_too_long(db: Database) -> None:
    with db.uow() as uow, pytest.raises(FieldTooLong):
        uow.prompts.claim_due(NOW, "i" * 500, 10, TTL)


@pytest.mark.postgres
def test_two_open_transactions_claim_disjoint_prompts(pg_db: Database) -> None:
    """The first transaction's rows are locked, not yet committed: SKIP LOCKED makes the second take
    the others instead of waiting or taking the same ones."""
    ids = _add_prompts(pg_db, 6)
    first, second = pg_db.uow(), pg_db.uow()
    with first:
        claimed_first = [p.id for p in first.prompts.claim_due(NOW + timedelta(hours=1), "a", 3, TTL)]
        with second:
            claimed_second = [p.id for p in second.prompts.claim_due(NOW + timedelta(hours=1), "b", 10, TTL)]
    assert claimed_first == ids[:3]
    assert claimed_second == ids[3:]


def test_concurrent_claimers_never_share_a_prompt(db: Database) -> None:
    ids = _add_prompts(db, 40)
    barrier = threading.Barrier(4)
    claims: dict[str, list[int]] = {}
    errors: list[BaseException] = []

    def claimer(name: str) -> None:
        try:
            barrier.wait()
            taken: list[int] = []
            while True:
                with db.uow() as uow:
                    batch = [p.id for p in uow.prompts.claim_due(NOW + timedelta(hours=1), name, 3, TTL)]
                if not batch:
                    break
                taken.extend(batch)
            claims[name] = taken
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=claimer, args=(f"instance-{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    everything = [prompt_id for taken in claims.values() for prompt_id in taken]
    assert sorted(everything) == sorted(ids)  # every prompt claimed exactly once
    with db.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Prompt).where(Prompt.attempts != 1)) == 0
