"""`AssessmentRepository.current` / `current_for_many`: the latest visible verdict per (rater, behaviour),
chosen in SQL, in one statement whatever the history, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import event

from storage.models import Assessment, CheckIn, CheckInOrigin, CheckInState, Rater, Verdict
from storage.uow import UnitOfWork
from tests.conftest import Database
from tests.services.digest_data import LADDER_ID, make_world
from tests.storage.conftest import StatementCounter

T0 = datetime(2025, 1, 6, 9, 0)
BEFORE_ALL = T0 - timedelta(days=1)  # no check-in started before it: the lost-invite sweep finds nothing
BEHAVIOURS = ("delivery-2-01", "delivery-2-02", "quality-2-01")


def _checkin(uow: UnitOfWork, person_id: int, state: CheckInState, key: str) -> int:
    checkin, _ = uow.checkins.add_once(
        CheckIn(
            person_id=person_id,
            origin=CheckInOrigin.SELF,
            idempotency_key=key,
            framework_id=LADDER_ID,
            framework_version=1,
            behaviour_ids=list(BEHAVIOURS),
            state=state,
            deadline_at=T0 + timedelta(days=7),
        )
    )
    return checkin.id


def _verdict(
    uow: UnitOfWork,
    person_id: int,
    rater: Rater,
    behaviour_id: str,
    verdict: Verdict,
    at: datetime,
    *,
    checkin_id: int | None = None,
    framework_id: str = LADDER_ID,
) -> Assessment:
    row = Assessment(
        person_id=person_id,
        rater=rater,
        checkin_id=checkin_id,
        framework_id=framework_id,
        framework_version=1,
        behaviour_id=behaviour_id,
        area_id=behaviour_id.split("-")[0],
        level_id="2",
        behaviour_text=f"text of {behaviour_id}",
        verdict=verdict,
        evidence_ids=[],
        created_at=at,
    )
    uow.assessments.add_once(row)
    return row


def _summary(found: dict[tuple[Rater, str], Assessment]) -> dict[tuple[Rater, str], Verdict]:
    return {key: row.verdict for key, row in found.items()}


def test_a_newer_blind_verdict_never_shadows_the_revealed_one_beneath_it(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        pid = world.report_id
        revealed = _checkin(uow, pid, CheckInState.REVEALED, "revealed")
        open_ = _checkin(uow, pid, CheckInState.OPEN, "open")
        _verdict(uow, pid, Rater.MANAGER, "delivery-2-01", Verdict.SOMETIMES, T0, checkin_id=revealed)
        _verdict(
            uow, pid, Rater.MANAGER, "delivery-2-01", Verdict.CONSISTENTLY, T0 + timedelta(days=90), checkin_id=open_
        )
        _verdict(uow, pid, Rater.SELF, "delivery-2-01", Verdict.NOT_YET, T0 + timedelta(days=91), checkin_id=open_)
        _verdict(uow, pid, Rater.SELF, "quality-2-01", Verdict.SOMETIMES, T0 + timedelta(days=1))
    with db.uow() as uow:
        nobody = _summary(uow.assessments.current(pid, LADDER_ID))
        as_self = _summary(uow.assessments.current(pid, LADDER_ID, viewer=Rater.SELF))
        as_manager = _summary(uow.assessments.current(pid, LADDER_ID, viewer=Rater.MANAGER))
    assert nobody == {
        (Rater.MANAGER, "delivery-2-01"): Verdict.SOMETIMES,
        (Rater.SELF, "quality-2-01"): Verdict.SOMETIMES,
    }
    assert as_self == nobody | {(Rater.SELF, "delivery-2-01"): Verdict.NOT_YET}
    assert as_manager == nobody | {(Rater.MANAGER, "delivery-2-01"): Verdict.CONSISTENTLY}


def test_a_tie_on_time_goes_to_the_later_row_and_other_ladders_stay_out(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        pid = world.report_id
        _verdict(uow, pid, Rater.MANAGER, "delivery-2-01", Verdict.NOT_YET, T0)
        _verdict(uow, pid, Rater.MANAGER, "delivery-2-01", Verdict.CONSISTENTLY, T0)
        _verdict(uow, pid, Rater.MANAGER, "delivery-2-02", Verdict.SOMETIMES, T0, framework_id="other-ladder")
        _verdict(uow, world.outsider_id, Rater.MANAGER, "delivery-2-02", Verdict.NOT_YET, T0)
    with db.uow() as uow:
        one = _summary(uow.assessments.current(pid, LADDER_ID))
        many = uow.assessments.current_for_many([(pid, LADDER_ID), (world.outsider_id, "other-ladder")])
    assert one == {(Rater.MANAGER, "delivery-2-01"): Verdict.CONSISTENTLY}
    assert {person: _summary(found) for person, found in many.items()} == {pid: one, world.outsider_id: {}}


Row = tuple[datetime, int, int, Rater, str, Verdict, "int | None"]


def _reference(rows: list[Row], viewer: Rater | None, revealed: set[int]) -> dict[tuple[Rater, str], Verdict]:
    """The old reduction in Python: every visible verdict in order, the last one per key wins."""
    found: dict[tuple[Rater, str], Verdict] = {}
    for _at, _id, _person, rater, behaviour_id, verdict, checkin_id in sorted(rows):
        if checkin_id is None or checkin_id in revealed or rater == viewer:
            found[(rater, behaviour_id)] = verdict
    return found


def test_current_matches_the_full_history_reduction_in_one_statement_whatever_the_history(db: Database) -> None:
    rng = random.Random(12)
    with db.uow() as uow:
        world = make_world(uow)
        people = [world.report_id, world.outsider_id, world.admin_id]
        revealed: set[int] = set()
        checkins: list[int | None] = [None]
        for n, state in enumerate([CheckInState.REVEALED, CheckInState.OPEN, CheckInState.REVEALED] * 2):
            checkin_id = _checkin(uow, people[n % 3], state, f"c{n}")
            checkins.append(checkin_id)
            if state is CheckInState.REVEALED:
                revealed.add(checkin_id)
        stored = [
            _verdict(
                uow,
                rng.choice(people),
                rng.choice(list(Rater)),
                rng.choice(BEHAVIOURS),
                rng.choice(list(Verdict)),
                T0 + timedelta(days=rng.randint(0, 30)),
                checkin_id=rng.choice(checkins),
            )
            for _ in range(300)
        ]
        rows = [(r.created_at, r.id, r.person_id, r.rater, r.behaviour_id, r.verdict, r.checkin_id) for r in stored]
    with db.uow() as uow:
        for viewer in (None, Rater.SELF, Rater.MANAGER):
            with StatementCounter(db.engine) as counter:
                many = uow.assessments.current_for_many([(pid, LADDER_ID) for pid in people], viewer=viewer)
                one = uow.assessments.current(world.report_id, LADDER_ID, viewer=viewer)
            assert counter.count == 2
            for pid in people:
                expected = _reference([r for r in rows if r[2] == pid], viewer, revealed)
                assert _summary(many[pid]) == expected
            assert _summary(one) == _reference([r for r in rows if r[2] == world.report_id], viewer, revealed)


def test_current_for_many_reads_only_the_people_asked_for_on_sqlite(db: Database) -> None:
    """Through the person index, never a scan of everyone's verdicts (as a (person, ladder) tuple IN was)."""
    if db.backend != "sqlite":
        return
    with db.uow() as uow:
        world = make_world(uow)
        for pid in (world.report_id, world.outsider_id, world.admin_id):
            _verdict(uow, pid, Rater.MANAGER, "delivery-2-01", Verdict.SOMETIMES, T0)
    seen: list[tuple[str, object]] = []
    listener = lambda _conn, _cursor, statement, params, *_: seen.append((statement, params))  # noqa: E731
    with db.uow() as uow:
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            uow.assessments.current_for_many([(world.report_id, LADDER_ID), (world.outsider_id, LADDER_ID)])
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        [(statement, params)] = seen
        plan = [row[-1] for row in uow.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)]
    assert any("ix_assessments_person_behaviour (person_id=? AND framework_id=?)" in line for line in plan), plan
    assert not any(line.startswith("SCAN assessments") for line in plan), plan


def test_the_tick_finds_reminders_owed_past_check_ins_already_reminded(db: Database) -> None:
    """The "still owes a reminder" condition is in SQL, so a page of already-reminded check-ins never
    hides the next one (it did when the condition was checked after LIMIT)."""
    with db.uow() as uow:
        world = make_world(uow)
        ids = []
        for n, pid in enumerate((world.report_id, world.outsider_id, world.admin_id)):
            checkin, _ = uow.checkins.add_once(
                CheckIn(person_id=pid, manager_id=world.manager_id, origin=CheckInOrigin.SELF, idempotency_key=f"r{n}",
                        framework_id=LADDER_ID, framework_version=1, behaviour_ids=list(BEHAVIOURS),
                        created_at=T0 + timedelta(hours=n), deadline_at=T0 + timedelta(days=7))
            )  # fmt: skip
            ids.append(checkin.id)
        first = uow.checkins.get(ids[0])
        assert first is not None
        first.self_reminded_at = first.manager_reminded_at = T0 + timedelta(days=4)
        second = uow.checkins.get(ids[1])
        assert second is not None
        second.self_submitted_at, second.manager_reminded_at = T0, T0 + timedelta(days=4)
    later = T0 + timedelta(days=5)
    with db.uow() as uow:
        assert [c.id for c in uow.checkins.reminders_due(later, later, limit=1)] == [ids[2]]
        assert uow.checkins.tick_work(later, later, later, BEFORE_ALL) == (False, False, True, False, False)
        assert uow.checkins.tick_work(later, BEFORE_ALL, later, BEFORE_ALL) == (False, False, False, False, False)


def test_the_lost_reveal_sweep_reads_only_unsent_reveals(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        sent = _checkin(uow, world.report_id, CheckInState.REVEALED, "sent")
        lost = _checkin(uow, world.outsider_id, CheckInState.REVEALED, "lost")
        for checkin_id, sent_at in ((sent, T0), (lost, None)):
            checkin = uow.checkins.get(checkin_id)
            assert checkin is not None
            checkin.revealed_at, checkin.reveal_sent_at = T0, sent_at
    with db.uow() as uow:
        assert [c.id for c in uow.checkins.revealed_unsent(T0)] == [lost]
        assert uow.checkins.revealed_unsent(T0 - timedelta(minutes=1)) == []
        assert uow.checkins.tick_work(T0, T0, T0, BEFORE_ALL) == (False, False, False, True, False)
    if db.backend == "sqlite":
        seen: list[tuple[str, object]] = []
        listener = lambda _conn, _cursor, statement, params, *_: seen.append((statement, params))  # noqa: E731
        with db.uow() as uow:
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                uow.checkins.revealed_unsent(T0)
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
            [(statement, params)] = seen
            plan = uow.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all()
        assert "ix_checkins_unsent (state=? AND reveal_sent_at=?" in plan[0][-1], plan


def test_a_former_managers_blind_verdicts_are_not_the_new_managers_own(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        pid = world.report_id
        open_ = _checkin(uow, pid, CheckInState.OPEN, "open")
        uow.checkins.get(open_).manager_id = world.manager_id
        old = _verdict(uow, pid, Rater.MANAGER, "delivery-2-01", Verdict.NOT_YET, T0, checkin_id=open_)
        old.rater_id = world.manager_id
        uow.flush()
    with db.uow() as uow:
        assert set(uow.assessments.current(pid, LADDER_ID, viewer=Rater.MANAGER)) == {(Rater.MANAGER, "delivery-2-01")}
        uow.checkins.get(open_).manager_id = world.outsider_id  # the manager side moved to someone new
    with db.uow() as uow:
        assert uow.assessments.current(pid, LADDER_ID, viewer=Rater.MANAGER) == {}
        assert uow.assessments.since(pid, LADDER_ID, T0, viewer=Rater.MANAGER) == []
        assert [row.id for row in uow.assessments.history(pid)] == []  # still blind to everyone else
        assert len(uow.assessments.all_for(pid)) == 1  # and kept in the history
