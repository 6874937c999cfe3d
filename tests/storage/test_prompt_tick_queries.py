"""The repository queries the prompt tick adds: batch planning, history, reminders, coverage for many."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.models import EvidenceSource, PromptState
from storage.repositories.prompts import SentRow
from tests.conftest import Database
from tests.storage.conftest import add_people

NOW = datetime(2024, 1, 8, 9, 0)


def test_add_many_if_absent_returns_only_new_keys(db: Database) -> None:
    with db.uow() as uow:
        [ada, bob] = add_people(uow, "U1", "U2")
        rows = [
            {"person_id": ada.id, "idempotency_key": "1:2024-01-08", "framework_id": "f", "behaviour_ids": ["a"],
             "due_at": NOW},
            {"person_id": bob.id, "idempotency_key": "2:2024-01-08", "framework_id": "f", "behaviour_ids": [],
             "due_at": NOW, "state": PromptState.SKIPPED, "skip_reason": "quiet day"},
        ]  # fmt: skip
        assert uow.prompts.add_many_if_absent(rows, now=NOW) == {"1:2024-01-08", "2:2024-01-08"}
        assert uow.prompts.add_many_if_absent(rows, now=NOW) == set()
        assert uow.prompts.add_many_if_absent([], now=NOW) == set()
        skipped = uow.prompts.get_by_key("2:2024-01-08")
        assert skipped is not None and skipped.state is PromptState.SKIPPED and skipped.skip_reason == "quiet day"
        assert skipped.attempts == 0


def test_recent_behaviours_for_many_oldest_first_delivered_only(db: Database) -> None:
    with db.uow() as uow:
        [ada, bob] = add_people(uow, "U1", "U2")
        for week, behaviour in enumerate(["a", "b", "c"]):
            prompt, _ = uow.prompts.add_if_absent(
                person_id=ada.id, idempotency_key=f"k{week}", framework_id="f", behaviour_ids=[behaviour],
                due_at=NOW + timedelta(days=7 * week),
            )  # fmt: skip
            if behaviour != "c":
                uow.prompts.mark_sent(prompt, channel_id="D1", message_ts=f"{week}.0", now=prompt.due_at)
        history = uow.prompts.recent_behaviours_for_many([ada.id, bob.id], 10)
        assert history == {ada.id: ["a", "b"], bob.id: []}
        assert uow.prompts.recent_behaviours_for_many([ada.id], 1) == {ada.id: ["b"]}


def test_reminder_is_claimed_once_and_cancelled_by_a_newer_prompt(db: Database) -> None:
    with db.uow() as uow:
        [ada] = add_people(uow, "U1")
        old, _ = uow.prompts.add_if_absent(
            person_id=ada.id, idempotency_key="k1", framework_id="f", behaviour_ids=["a"], due_at=NOW
        )
        uow.prompts.mark_sent(old, channel_id="D1", message_ts="1.0", now=NOW)
        uow.prompts.set_reminder(old, NOW + timedelta(days=2))
        assert uow.prompts.reminders_due(NOW + timedelta(days=1), timedelta(days=14)) == []
        assert [p.id for p in uow.prompts.reminders_due(NOW + timedelta(days=2), timedelta(days=14))] == [old.id]
        assert uow.prompts.claim_reminder(old.id, NOW + timedelta(days=2))
        assert not uow.prompts.claim_reminder(old.id, NOW + timedelta(days=2))
        uow.session.expire_all()
        assert uow.prompts.reminders_due(NOW + timedelta(days=3), timedelta(days=14)) == []
        # Snoozing allows one more, and a newer prompt cancels it.
        uow.prompts.set_reminder(old, NOW + timedelta(days=4))
        new, _ = uow.prompts.add_if_absent(
            person_id=ada.id, idempotency_key="k2", framework_id="f", behaviour_ids=["b"], due_at=NOW + timedelta(3)
        )
        assert uow.prompts.cancel_older_reminders(ada.id, new.id) == 1
        uow.session.expire_all()
        assert uow.prompts.reminders_due(NOW + timedelta(days=5), timedelta(days=14)) == []


def test_coverage_for_people_count_for_prompt_and_links(db: Database) -> None:
    with db.uow() as uow:
        [ada, bob] = add_people(uow, "U1", "U2")
        prompt, _ = uow.prompts.add_if_absent(
            person_id=ada.id, idempotency_key="k1", framework_id="f", behaviour_ids=["a"], due_at=NOW
        )
        for n in range(3):
            evidence, _ = uow.evidence.add_once(
                person_id=ada.id, text=f"e{n}", source=EvidenceSource.MODAL, prompt_id=prompt.id if n else None,
                now=NOW + timedelta(hours=n),
            )  # fmt: skip
            uow.evidence.tag(evidence, framework_id="f", framework_version=1, behaviour_id="a", area_id="x",
                             level_id="1", behaviour_text="A")  # fmt: skip
        coverage = uow.evidence.coverage_for_people([ada.id, bob.id])
        assert coverage[bob.id] == {}
        assert coverage[ada.id][("f", "a")].count == 3
        assert coverage[ada.id][("f", "a")].last_at == NOW + timedelta(hours=2)
        assert uow.evidence.count_for_prompt(prompt.id) == 2
        uow.evidence.set_link(evidence, "https://example.slack.com/archives/C1/p1")
        assert uow.evidence.get(evidence.id).link.endswith("/p1")  # type: ignore[union-attr]


def test_record_sent_dm_channels_and_get_many(db: Database) -> None:
    with db.uow() as uow:
        [ada, bob] = add_people(uow, "U1", "U2")
        first, _ = uow.prompts.add_if_absent(
            person_id=ada.id, idempotency_key="k1", framework_id="f", behaviour_ids=["a"], due_at=NOW
        )
        second, _ = uow.prompts.add_if_absent(
            person_id=ada.id, idempotency_key="k2", framework_id="f", behaviour_ids=["b"], due_at=NOW + timedelta(7)
        )
        remind = NOW + timedelta(days=2)
        assert not uow.prompts.record_sent(first.id, channel_id="DA", message_ts="1.0", now=NOW, remind_at=remind)
        assert len(uow.prompts.claim_due(NOW + timedelta(7), "me", 10)) == 2  # only a claimed prompt is recorded
        assert uow.prompts.record_sent(first.id, channel_id="DA", message_ts="1.0", now=NOW, remind_at=remind)
        assert uow.prompts.dm_channels_for([ada.id, bob.id]) == {ada.id: "DA"}
        later = NOW + timedelta(days=7)
        assert uow.prompts.record_sent(second.id, channel_id="DA2", message_ts="2.0", now=later, remind_at=later)
        assert not uow.prompts.record_sent(999_999, channel_id="D", message_ts="3.0", now=NOW, remind_at=None)
        uow.session.expire_all()
        first_row, second_row = uow.prompts.get(first.id), uow.prompts.get(second.id)
        assert first_row is not None and second_row is not None
        assert first_row.state is PromptState.SENT and first_row.next_attempt_at is None  # superseded
        assert (second_row.channel_id, second_row.message_ts, second_row.sent_at) == ("DA2", "2.0", later)
        assert uow.prompts.dm_channels_for([ada.id]) == {ada.id: "DA2"}
        assert set(uow.people.get_many([ada.id, bob.id, 12345])) == {ada.id, bob.id}
        assert uow.people.get_many([]) == {}


def test_record_sent_many_records_a_batch_and_only_claimed_prompts(db: Database) -> None:
    with db.uow() as uow:
        [ada, bob, cy] = add_people(uow, "U1", "U2", "U3")
        old, _ = uow.prompts.add_if_absent(
            person_id=ada.id, idempotency_key="old", framework_id="f", behaviour_ids=["a"], due_at=NOW - timedelta(7)
        )
        uow.prompts.claim_due(NOW - timedelta(7), "me", 10)
        assert uow.prompts.record_sent(old.id, channel_id="DA", message_ts="0.1", now=NOW, remind_at=NOW)
        rows = {}
        for person, key in [(ada, "a1"), (ada, "a2"), (bob, "b1"), (cy, "c1")]:
            rows[key], _ = uow.prompts.add_if_absent(
                person_id=person.id, idempotency_key=key, framework_id="f", behaviour_ids=["a"], due_at=NOW
            )
        assert len(uow.prompts.claim_due(NOW, "me", 10)) == 4
        uow.prompts.mark_skipped(rows["c1"], "away", NOW)  # no longer claimed: its send is not recorded
        remind = NOW + timedelta(days=2)
        sends = [SentRow(rows[key].id, f"D{key}", f"{n}.0") for n, key in enumerate(["a1", "a2", "b1", "c1"])]
        recorded = uow.prompts.record_sent_many(sends, NOW, remind)
        assert recorded == {rows["a1"].id, rows["a2"].id, rows["b1"].id}
        assert uow.prompts.record_sent_many([], NOW, remind) == set()
        uow.session.expire_all()
        got = {key: uow.prompts.get(prompt.id) for key, prompt in rows.items()}
        assert all(got[key].state is PromptState.SENT for key in ["a1", "a2", "b1"])  # type: ignore[union-attr]
        assert (got["b1"].channel_id, got["b1"].message_ts, got["b1"].sent_at) == ("Db1", "2.0", NOW)  # type: ignore[union-attr]
        assert got["c1"].state is PromptState.SKIPPED and got["c1"].message_ts is None  # type: ignore[union-attr]
        # Each person's newest prompt keeps its reminder; older unanswered ones lose theirs.
        assert got["a2"].next_attempt_at == remind and got["b1"].next_attempt_at == remind  # type: ignore[union-attr]
        assert got["a1"].next_attempt_at is None  # type: ignore[union-attr]
        assert uow.prompts.get(old.id).next_attempt_at is None  # type: ignore[union-attr]


def test_pending_closes_are_marked_taken_with_a_lease_and_settled(db: Database) -> None:
    lease = timedelta(minutes=10)
    with db.uow() as uow:
        people = add_people(uow, "U1", "U2", "U3", "U4")
        prompts = []
        for n, person in enumerate(people):
            prompt, _ = uow.prompts.add_if_absent(
                person_id=person.id, idempotency_key=f"k{n}", framework_id="f", behaviour_ids=["a"], due_at=NOW
            )
            uow.prompts.mark_sent(prompt, channel_id=f"D{n}", message_ts=f"{n}.0", now=NOW)
            prompts.append(prompt)
        first, second, answered, old = prompts
        uow.prompts.mark_answered(answered, NOW)
        old.sent_at = NOW - timedelta(days=60)
        ids = [p.id for p in prompts]
        # Answered prompts are not marked; a prompt already pending keeps its time.
        assert uow.prompt_closes.mark_pending(ids, NOW) == 3
        assert uow.prompt_closes.mark_pending(ids, NOW + timedelta(1)) == 0
        assert uow.prompt_closes.count_pending() == 3
        assert uow.prompt_closes.take(NOW - timedelta(seconds=1), 10, lease, NOW - timedelta(28)) == []
        taken = uow.prompt_closes.take(NOW, 1, lease, NOW - timedelta(28))
        assert [p.id for p in taken] == [first.id] and taken[0].close_pending_at == NOW + lease  # oldest first
        # The rest: the old prompt's close is dropped (it keeps its buttons), not handed out.
        assert [p.id for p in uow.prompt_closes.take(NOW, 10, lease, NOW - timedelta(28))] == [second.id]
        assert uow.prompt_closes.take(NOW, 10, lease, NOW - timedelta(28)) == []  # all leased
        assert [p.id for p in uow.prompt_closes.take(NOW + lease, 10, lease, NOW)] == [first.id, second.id]
        uow.prompt_closes.settle([first.id], closed_at=NOW + lease)
        uow.prompt_closes.settle([second.id], closed_at=None)
        assert uow.prompt_closes.count_pending() == 0
        uow.session.expire_all()
        assert uow.prompts.get(first.id).closed_at == NOW + lease  # type: ignore[union-attr]
        assert uow.prompts.get(second.id).closed_at is None  # type: ignore[union-attr]
        assert uow.prompt_closes.mark_pending([first.id], NOW + lease) == 0  # closed once, never again
