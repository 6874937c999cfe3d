"""Assessments (verdicts, never updated: the latest per rater and behaviour is current) and check-ins.

Blindness is a storage rule as much as a display one: a verdict given inside a check-in that is still
open is returned only to its own rater, so no query path can show it to the other side early.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, bindparam, delete, exists, func, or_, select, update

from storage.models import Assessment, CheckIn, CheckInState, OneOnOne, Rater
from storage.repositories._base import Repository, column_values


def _visible(viewer: Rater | None) -> ColumnElement[bool]:
    """Verdicts outside a check-in or in a revealed one; with `viewer`, also that side's own blind ones.

    The manager side's own are those its current rater gave: when an open check-in moves to a new
    manager (bot.services.checkins.follow_manager_change), the former manager's blind verdicts stay in
    the history but are never shown to, or counted for, the new one before the reveal.
    """
    # Correlated on the verdict's own check-in (a primary-key lookup), so the cost does not grow with
    # the number of check-ins in the workspace.
    revealed = exists().where(CheckIn.id == Assessment.checkin_id, CheckIn.state == CheckInState.REVEALED)
    shown = or_(Assessment.checkin_id.is_(None), revealed)
    if viewer is None:
        return shown
    if viewer is Rater.SELF:
        return or_(shown, Assessment.rater == Rater.SELF)
    still_theirs = exists().where(
        CheckIn.id == Assessment.checkin_id, CheckIn.manager_id.is_not_distinct_from(Assessment.rater_id)
    )
    return or_(shown, and_(Assessment.rater == Rater.MANAGER, still_theirs))


# A stored verdict as a plain row (the model's column names as attributes): the current-verdict reads
# return these, not ORM objects, since a manager's Home reads over a thousand at a time and only copies
# them into value objects (building tracked ORM instances cost more than the query on PostgreSQL).
AssessmentRow = Row[Any]


def _latest(*where: ColumnElement[bool], viewer: Rater | None) -> Select[Any]:
    """The latest visible verdict per (person, framework, rater, behaviour), chosen in SQL.

    Visibility is applied before ranking: a blind verdict hidden from the viewer never shadows the
    older revealed one beneath it. Ties on `created_at` go to the higher id, as they always have.
    """
    rank = (
        func.row_number()
        .over(
            partition_by=(Assessment.person_id, Assessment.framework_id, Assessment.rater, Assessment.behaviour_id),
            order_by=(Assessment.created_at.desc(), Assessment.id.desc()),
        )
        .label("latest_rank")
    )
    # Rank ids only, then fetch the winners by primary key: the sort carries no texts or JSON.
    ranked = select(Assessment.id.label("ranked_id"), rank).where(*where, _visible(viewer)).subquery("ranked")
    table = Assessment.__table__
    return select(*table.c).join(ranked, table.c.id == ranked.c.ranked_id).where(ranked.c.latest_rank == 1)


class AssessmentRepository(Repository):
    def add_once(self, candidate: Assessment) -> tuple[Assessment, bool]:
        """(assessment, created). With a `source_key` already stored, returns that row untouched."""
        if candidate.source_key is None:
            self.session.add(candidate)
            self.session.flush()
            return candidate, True
        table = Assessment.__table__
        new_id = self.session.scalar(
            self.insert_ignoring_conflict(table, column_values(candidate, table), ["source_key"])
        )
        stored = self.session.scalar(select(Assessment).where(Assessment.source_key == candidate.source_key))
        assert stored is not None
        return stored, new_id is not None

    def current(
        self, person_id: int, framework_id: str, *, viewer: Rater | None = None
    ) -> dict[tuple[Rater, str], AssessmentRow]:
        """The latest visible verdict per (rater, behaviour id): one statement that returns one row per
        pair, whatever the history."""
        rows = self.session.execute(
            _latest(Assessment.person_id == person_id, Assessment.framework_id == framework_id, viewer=viewer)
        )
        return {(row.rater, row.behaviour_id): row for row in rows}

    def current_for_many(
        self, placed: Sequence[tuple[int, str]], *, viewer: Rater | None = None
    ) -> dict[int, dict[tuple[Rater, str], AssessmentRow]]:
        """`current` for many (person id, framework id) pairs in one statement (a manager's Home, `/ladder team`)."""
        wanted = dict(placed)
        if not wanted:
            return {}
        # Two plain INs, not a (person, framework) tuple IN: SQLite reads a tuple IN by scanning the whole
        # index, every person's verdicts. A person's verdicts on another ladder are dropped below.
        rows = self.session.execute(
            _latest(
                Assessment.person_id.in_(list(wanted)),
                Assessment.framework_id.in_(sorted(set(wanted.values()))),
                viewer=viewer,
            )
        )
        found: dict[int, dict[tuple[Rater, str], AssessmentRow]] = {person_id: {} for person_id in wanted}
        for row in rows:
            if wanted[row.person_id] == row.framework_id:
                found[row.person_id][(row.rater, row.behaviour_id)] = row
        return found

    def since(
        self, person_id: int, framework_id: str, since: datetime, *, viewer: Rater | None = None
    ) -> Sequence[Assessment]:
        """Visible verdicts given at or after `since`, oldest first (a digest's "new verdicts")."""
        return self.session.scalars(
            select(Assessment)
            .where(
                Assessment.person_id == person_id,
                Assessment.framework_id == framework_id,
                Assessment.created_at >= since,
                _visible(viewer),
            )
            .order_by(Assessment.created_at, Assessment.id)
        ).all()

    def history(self, person_id: int, *, viewer: Rater | None = None) -> Sequence[Assessment]:
        """Every visible verdict on the person, oldest first (packets, exports)."""
        return self.session.scalars(
            select(Assessment)
            .where(Assessment.person_id == person_id, _visible(viewer))
            .order_by(Assessment.created_at, Assessment.id)
        ).all()

    def in_checkin(self, checkin_id: int, rater: Rater | None = None) -> Sequence[Assessment]:
        query = select(Assessment).where(Assessment.checkin_id == checkin_id)
        if rater is not None:
            query = query.where(Assessment.rater == rater)
        return self.session.scalars(query.order_by(Assessment.created_at, Assessment.id)).all()

    def rated_in(self, checkin_ids: Sequence[int]) -> dict[tuple[int, Rater], set[str]]:
        """(check-in id, rater) -> the behaviour ids that rater has rated in it, for many check-ins in
        one statement (a Home's open check-ins and their progress)."""
        found: dict[tuple[int, Rater], set[str]] = {}
        if not checkin_ids:
            return found
        rows = self.session.execute(
            select(Assessment.checkin_id, Assessment.rater, Assessment.behaviour_id).where(
                Assessment.checkin_id.in_(list(checkin_ids))
            )
        )
        for checkin_id, rater, behaviour_id in rows:
            found.setdefault((checkin_id, rater), set()).add(behaviour_id)
        return found

    def all_for(self, person_id: int) -> Sequence[Assessment]:
        """Everything, blind or not: the person's own export and deletion."""
        return self.session.scalars(
            select(Assessment).where(Assessment.person_id == person_id).order_by(Assessment.id)
        ).all()

    def delete_all_for(self, person_id: int) -> int:
        result = self.session.execute(delete(Assessment).where(Assessment.person_id == person_id))
        return int(getattr(result, "rowcount", 0) or 0)


def _in_state(state: CheckInState) -> ColumnElement[bool]:
    """`state = '<state>'` with the value written into the SQL, not bound: PostgreSQL's generic plan for
    a prepared statement (psycopg prepares one after five runs, as every tick does) cannot tell a rare
    `open` from the common `revealed` and scanned the table (66 ms at 400,000 check-ins, every tick)."""
    return CheckIn.state == bindparam(None, state, type_=CheckIn.__table__.c.state.type, literal_execute=True)


def _uninvited(before: datetime) -> tuple[ColumnElement[bool], ...]:
    """Open, started before `before`, and its invites never stamped as sent (a process stopped between)."""
    return (_in_state(CheckInState.OPEN), CheckIn.invites_sent_at.is_(None), CheckIn.created_at <= before)


def _reminder_owed(before: datetime, now: datetime) -> tuple[ColumnElement[bool], ...]:
    """Open and not past its deadline (the tick reveals those), started before `before`, and a rater has
    neither submitted nor been reminded. The deadline bound also makes the (state, deadline_at) index
    the obvious way in: with statistics of a table full of revealed check-ins, `state = 'open'` alone
    looked as big as the table to SQLite, which then scanned it every tick."""
    self_owes = and_(CheckIn.self_submitted_at.is_(None), CheckIn.self_reminded_at.is_(None))
    manager_owes = and_(
        CheckIn.manager_id.is_not(None), CheckIn.manager_submitted_at.is_(None), CheckIn.manager_reminded_at.is_(None)
    )
    return (
        _in_state(CheckInState.OPEN),
        CheckIn.deadline_at > now,
        CheckIn.created_at <= before,
        or_(self_owes, manager_owes),
    )


class CheckInRepository(Repository):
    def get(self, checkin_id: int) -> CheckIn | None:
        return self.session.get(CheckIn, checkin_id)

    def open_for(self, person_id: int) -> CheckIn | None:
        """The person's open check-in; there is at most one at a time."""
        return self.session.scalar(
            select(CheckIn)
            .where(CheckIn.person_id == person_id, CheckIn.state == CheckInState.OPEN)
            .order_by(CheckIn.id.desc())
            .limit(1)
        )

    def open_for_many(self, person_ids: Sequence[int]) -> dict[int, CheckIn]:
        if not person_ids:
            return {}
        rows = self.session.scalars(
            select(CheckIn).where(CheckIn.person_id.in_(person_ids), CheckIn.state == CheckInState.OPEN)
        )
        return {row.person_id: row for row in rows}

    def add_once(self, candidate: CheckIn) -> tuple[CheckIn, bool]:
        """(check-in, created). Idempotent on `idempotency_key` (the tick's scheduled starts), and at most
        one open check-in per person (uq_checkins_one_open): when another start won the race, returns
        the check-in that is there instead (the stored one with that key, else the person's open one)."""
        table = CheckIn.__table__
        values: dict[str, Any] = column_values(candidate, table)
        values.setdefault("state", CheckInState.OPEN.value)
        new_id = self.session.scalar(self.insert_ignoring_conflict(table, values, None))
        if new_id is not None:
            stored = self.session.get(CheckIn, new_id)
            assert stored is not None
            return stored, True
        stored = None
        if candidate.idempotency_key is not None:
            stored = self.session.scalar(select(CheckIn).where(CheckIn.idempotency_key == candidate.idempotency_key))
        stored = stored or self.open_for(candidate.person_id)
        assert stored is not None, "a conflict names a stored check-in"
        return stored, False

    def past_deadline(self, now: datetime, limit: int = 100) -> Sequence[CheckIn]:
        """Open check-ins whose deadline has passed: the tick reveals what exists."""
        return self.session.scalars(
            select(CheckIn)
            .where(CheckIn.state == CheckInState.OPEN, CheckIn.deadline_at <= now, *self.in_scope(CheckIn.person_id))
            .order_by(CheckIn.deadline_at)
            .limit(limit)
        ).all()

    def uninvited(self, before: datetime, limit: int = 100) -> Sequence[CheckIn]:
        """Open check-ins started before `before` whose "Start rating" DMs were never stamped as sent."""
        return self.session.scalars(
            select(CheckIn)
            .where(*_uninvited(before), *self.in_scope(CheckIn.person_id))
            .order_by(CheckIn.created_at, CheckIn.id)
            .limit(limit)
        ).all()

    def reminders_due(self, before: datetime, now: datetime, limit: int = 100) -> Sequence[CheckIn]:
        """Open check-ins started before `before`, deadline still ahead, in which a rater still owes their
        one reminder (not submitted, not reminded): the condition is in SQL so that `limit` never stops
        at check-ins already reminded."""
        return self.session.scalars(
            select(CheckIn)
            .where(*_reminder_owed(before, now), *self.in_scope(CheckIn.person_id))
            .order_by(CheckIn.created_at, CheckIn.id)
            .limit(limit)
        ).all()

    def revealed_unsent(self, before: datetime | None = None, limit: int = 100) -> Sequence[CheckIn]:
        """Revealed check-ins whose result was never sent (revealed at or before `before`), through
        ix_checkins_unsent: a range that is empty unless a process stopped between reveal and send."""
        query = select(CheckIn).where(
            CheckIn.state == CheckInState.REVEALED, CheckIn.reveal_sent_at.is_(None), *self.in_scope(CheckIn.person_id)
        )
        if before is not None:
            query = query.where(CheckIn.revealed_at <= before)
        return self.session.scalars(query.order_by(CheckIn.revealed_at, CheckIn.id).limit(limit)).all()

    def tick_work(
        self, now: datetime, remind_before: datetime, unsent_before: datetime, uninvited_before: datetime
    ) -> tuple[bool, bool, bool, bool, bool]:
        """Whether the tick's check-in step has anything to do, as (scheduled starts, deadline reveals,
        reminders, lost reveals, lost invites): the five empty-range checks of a quiet tick in one
        statement, each an `EXISTS` over the same index range its full query reads."""
        mine = self.in_scope(CheckIn.person_id)
        due = exists().where(
            OneOnOne.next_checkin_at <= now, OneOnOne.active.is_(True), *self.in_scope(OneOnOne.report_id)
        )
        past = exists().where(_in_state(CheckInState.OPEN), CheckIn.deadline_at <= now, *mine)
        owed = exists().where(*_reminder_owed(remind_before, now), *mine)
        lost = exists().where(
            _in_state(CheckInState.REVEALED),
            CheckIn.reveal_sent_at.is_(None),
            CheckIn.revealed_at <= unsent_before,
            *mine,
        )
        uninvited = exists().where(*_uninvited(uninvited_before), *mine)
        row = self.session.execute(
            select(
                due.label("due"),
                past.label("past"),
                owed.label("owed"),
                lost.label("lost"),
                uninvited.label("uninvited"),
            )
        )
        flags = row.one()
        return bool(flags.due), bool(flags.past), bool(flags.owed), bool(flags.lost), bool(flags.uninvited)

    def mark(self, checkin_id: int, expected_state: CheckInState, **values: Any) -> bool:
        """Compare-and-set on the state, so two instances never both reveal (or remind) the same one."""
        result = self.session.execute(
            update(CheckIn).where(CheckIn.id == checkin_id, CheckIn.state == expected_state).values(**values)
        )
        return bool(getattr(result, "rowcount", 0))

    def stamp_once(self, checkin_id: int, expected_state: CheckInState, column: str, at: datetime) -> bool:
        """Set a still-empty timestamp (a submission, a reminder, the reveal sent) exactly once across
        instances: compare-and-set on the state and on the column being unset."""
        target = getattr(CheckIn, column)
        result = self.session.execute(
            update(CheckIn)
            .where(CheckIn.id == checkin_id, CheckIn.state == expected_state, target.is_(None))
            .values({column: at})
        )
        return bool(getattr(result, "rowcount", 0))

    def for_person(self, person_id: int) -> Sequence[CheckIn]:
        return self.session.scalars(select(CheckIn).where(CheckIn.person_id == person_id).order_by(CheckIn.id)).all()

    def delete_all_for(self, person_id: int) -> int:
        result = self.session.execute(delete(CheckIn).where(CheckIn.person_id == person_id))
        return int(getattr(result, "rowcount", 0) or 0)
