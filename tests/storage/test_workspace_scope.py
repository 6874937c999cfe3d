"""Units of work scoped to one workspace (the tick of one installation, storage.uow `for_workspace`):
the queries that list work to send return only that workspace's people's rows; unscoped, everyone's."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import time as clock_time

from storage.models import Backoff, EvidenceSource, Person
from storage.uow import UnitOfWork
from tests.conftest import Database
from tests.storage.conftest import add_people

NOW = datetime(2024, 1, 8, 9, 0)
LISTS = ("reminders", "consent", "unconfirmed", "backoff", "closes")  # and "claimed", the due prompts claimed


def _work_for(uow: UnitOfWork, person: Person, manager: Person, n: int) -> None:
    """A due prompt, a sent one whose reminder is due, a pending manager link, unconfirmed evidence and a
    waiting back-off question, all of `person`."""
    uow.prompts.add_if_absent(
        person_id=person.id, idempotency_key=f"due{n}", framework_id="f", behaviour_ids=["a"], due_at=NOW
    )
    sent, _ = uow.prompts.add_if_absent(
        person_id=person.id, idempotency_key=f"sent{n}", framework_id="f", behaviour_ids=["a"], due_at=NOW
    )
    uow.prompts.mark_sent(sent, channel_id=f"D{n}", message_ts="1.0", now=NOW)
    uow.prompts.set_reminder(sent, NOW)
    uow.prompt_closes.mark_pending([sent.id], NOW)  # its buttons to be taken off (a newer prompt came)
    uow.managers.request(person.id, manager.id, requested_by_id=person.id, now=NOW)
    uow.evidence.add_once(person_id=person.id, text=f"thing {n}", source=EvidenceSource.MODAL, now=NOW)
    schedule = uow.schedules.upsert(person.id, weekday=0, local_time=clock_time(9), next_due_at=NOW)
    schedule.backoff = Backoff.ASK_DUE


def _listed(uow: UnitOfWork) -> dict[str, set[int]]:
    """Whose rows each work-listing query returns, by person id."""
    later = NOW + timedelta(minutes=10)
    prompts = {p.person_id for p in uow.prompts.claim_due(later, "test", 10)}
    return {
        "claimed": prompts,
        "reminders": {p.person_id for p in uow.prompts.reminders_due(later, timedelta(days=14))},
        "consent": {uow.managers.get(i).person_id for i in uow.managers.pending_without_notice()},  # type: ignore[union-attr]
        "unconfirmed": {e.person_id for e in uow.evidence.unconfirmed(NOW - timedelta(days=1), later, 10)},
        "backoff": {due.person.id for due in uow.schedules.backoff_due([Backoff.ASK_DUE])},
        "closes": {p.person_id for p in uow.prompt_closes.take(later, 10, timedelta(minutes=10), NOW)},
    }


def test_a_scoped_unit_of_work_lists_only_its_workspaces_work(db: Database) -> None:
    with db.uow() as uow:
        ada, ann = add_people(uow, "UADA", "UANN", team_id="T0AAA")
        bob, ben = add_people(uow, "UBOB", "UBEN", team_id="T0BBB")
        _work_for(uow, ada, ann, 1)
        _work_for(uow, bob, ben, 2)
        a_id, b_id = ada.workspace_id, bob.workspace_id
        people = {"a": ada.id, "b": bob.id}
    with db.uow.for_workspace(b_id)() as uow:
        assert _listed(uow) == {kind: {people["b"]} for kind in ("claimed", *LISTS)}
        assert uow.prompts.count_due(NOW) == 0  # B's due prompt was just claimed; A's is not counted
        assert uow.directory.sweep("users.list").name == f"users.list@{b_id}"  # B's own users.list cursor
        assert [p.slack_user_id for p in uow.directory.people_by_slack_ids(["UADA", "UBOB"], "T0OTHER")] == ["UBOB"]
    with db.uow.for_workspace(a_id)() as uow:
        assert uow.prompts.count_due(NOW) == 1
    with db.uow() as uow:  # unscoped: everyone's (A's prompt is the one left to claim)
        listed = _listed(uow)
        assert listed.pop("claimed") == {people["a"]}
        assert listed.pop("closes") == {people["a"]}  # B's close is leased to B's tick above
        assert listed == {kind: set(people.values()) for kind in LISTS if kind != "closes"}
        assert uow.directory.sweep("users.list").name == "users.list"
