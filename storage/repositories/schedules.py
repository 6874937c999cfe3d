"""When each person wants their prompt, and who is due now (the per-tick query)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import Any, NamedTuple

from sqlalchemy import delete, func, or_, select, update

from storage.models import Backoff, Cadence, Person, PromptSchedule
from storage.repositories._base import Repository


class DueSchedule(NamedTuple):
    schedule: PromptSchedule
    person: Person


class ScheduleRepository(Repository):
    def get_for(self, person_id: int) -> PromptSchedule | None:
        return self.session.scalar(select(PromptSchedule).where(PromptSchedule.person_id == person_id))

    def get_for_many(self, person_ids: Sequence[int]) -> dict[int, PromptSchedule]:
        """person id -> schedule, in one query (people without a schedule are absent)."""
        if not person_ids:
            return {}
        rows = self.session.scalars(select(PromptSchedule).where(PromptSchedule.person_id.in_(list(person_ids))))
        return {schedule.person_id: schedule for schedule in rows}

    def upsert(
        self,
        person_id: int,
        *,
        weekday: int,
        local_time: time,
        cadence: Cadence = Cadence.WEEKLY,
        anchor_date: date | None = None,
        next_due_at: datetime | None = None,
    ) -> PromptSchedule:
        """Create or change the person's schedule; pause and snooze are left as they were."""
        if not 0 <= weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday}")
        schedule = self.get_for(person_id)
        if schedule is None:
            schedule = PromptSchedule(person_id=person_id, paused=False)
            self.session.add(schedule)
        schedule.weekday = weekday
        schedule.local_time = local_time
        schedule.cadence = cadence
        schedule.anchor_date = anchor_date
        schedule.next_due_at = next_due_at
        self.session.flush()
        return schedule

    def add_many(self, schedules: Sequence[Mapping[str, Any]]) -> None:
        """New schedules (column values, for people who have none) in a statement per batch: a first import."""
        for schedule in schedules:
            if not 0 <= schedule["weekday"] <= 6:
                raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {schedule['weekday']}")
        self.insert_many(PromptSchedule, schedules)

    def due(self, now: datetime, limit: int = 500) -> list[DueSchedule]:
        """Schedules that fell due at or before `now` and are neither paused nor snoozed, earliest
        first, with their person, active or not (the planner clears an inactive person's slot, so
        however it got there it leaves the range).

        Served by the index on next_due_at: with nobody due it reads nothing. Callers keep
        next_due_at in the future (or NULL) for paused schedules so the index range stays small.
        """
        rows = self.session.execute(
            select(PromptSchedule, Person)
            .join(Person, Person.id == PromptSchedule.person_id)
            .where(
                PromptSchedule.next_due_at <= now,
                or_(
                    PromptSchedule.paused.is_(False),
                    PromptSchedule.paused_until.is_not(None) & (PromptSchedule.paused_until <= now),
                ),
                or_(PromptSchedule.snoozed_until.is_(None), PromptSchedule.snoozed_until <= now),
            )
            .order_by(PromptSchedule.next_due_at, PromptSchedule.id)
            .limit(limit)
        ).all()
        return [DueSchedule(schedule, person) for schedule, person in rows]

    def count_due_between(self, start: datetime, end: datetime) -> int:
        """How many schedules fall due in [start, end) (paused ones included: an estimate, from the index)."""
        return int(
            self.session.scalar(
                select(func.count())
                .select_from(PromptSchedule)
                .where(
                    PromptSchedule.next_due_at >= start,
                    PromptSchedule.next_due_at < end,
                    *self.in_scope(PromptSchedule.person_id),
                )
            )
            or 0
        )

    def needing_next_due(self, limit: int = 500) -> Sequence[PromptSchedule]:
        """Schedules nobody has computed a next slot for yet (new, or reset by a change)."""
        return self.session.scalars(
            select(PromptSchedule)
            .where(PromptSchedule.next_due_at.is_(None), PromptSchedule.paused.is_(False))
            .order_by(PromptSchedule.id)
            .limit(limit)
        ).all()

    def set_next_due(self, schedule: PromptSchedule, next_due_at: datetime | None) -> None:
        schedule.next_due_at = next_due_at
        self.session.flush()

    def pause(self, schedule: PromptSchedule, until: datetime | None = None) -> None:
        """Pause prompts until a moment, or indefinitely with until=None."""
        schedule.paused, schedule.paused_until = True, until
        self.session.flush()

    def resume(self, schedule: PromptSchedule) -> None:
        schedule.paused, schedule.paused_until = False, None
        self.session.flush()

    def snooze(self, schedule: PromptSchedule, until: datetime | None) -> None:
        schedule.snoozed_until = until
        self.session.flush()

    def backoff_due(self, states: Sequence[Backoff], limit: int = 100) -> list[DueSchedule]:
        """Schedules whose back-off message is waiting to be sent, with their person (index on backoff)."""
        rows = self.session.execute(
            select(PromptSchedule, Person)
            .join(Person, Person.id == PromptSchedule.person_id)
            .where(PromptSchedule.backoff.in_(list(states)), *self.in_scope(PromptSchedule.person_id))
            .order_by(PromptSchedule.id)
            .limit(limit)
        ).all()
        return [DueSchedule(schedule, person) for schedule, person in rows]

    def move_backoff(self, schedule_id: int, expected: Backoff, to: Backoff) -> bool:
        """Compare-and-set of the back-off state: True for the one caller that moved it (sends once)."""
        result = self.session.execute(
            update(PromptSchedule)
            .where(PromptSchedule.id == schedule_id, PromptSchedule.backoff == expected)
            .values(backoff=to),
            execution_options={"synchronize_session": False},
        )
        return (result.rowcount or 0) == 1  # type: ignore[attr-defined]

    def delete_for(self, person_id: int) -> int:
        result = self.session.execute(delete(PromptSchedule).where(PromptSchedule.person_id == person_id))
        return result.rowcount or 0  # type: ignore[attr-defined]
