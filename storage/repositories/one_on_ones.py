"""Recurring manager/report 1:1s and when each one's digest is next due."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time

from sqlalchemy import or_, select

from storage.clock import utcnow
from storage.models import Cadence, OneOnOne
from storage.repositories._base import Repository


class OneOnOneRepository(Repository):
    def get(self, one_on_one_id: int) -> OneOnOne | None:
        return self.session.get(OneOnOne, one_on_one_id)

    def lock(self, one_on_one_id: int) -> OneOnOne | None:
        """The 1:1, locked for this transaction (waiting for another holder). Whoever writes a 1:1 and its
        digest locks the 1:1 first, as the claim does, so two instances never deadlock on the pair."""
        return self.session.scalar(
            select(OneOnOne)
            .where(OneOnOne.id == one_on_one_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    def add(
        self,
        manager_id: int,
        report_id: int,
        *,
        weekday: int,
        local_time: time,
        cadence: Cadence = Cadence.WEEKLY,
        anchor_date: date | None = None,
        digest_lead_minutes: int = 120,
        next_at: datetime | None = None,
        next_digest_at: datetime | None = None,
        now: datetime | None = None,
    ) -> OneOnOne:
        """Start a 1:1; a pair has at most one active 1:1 (end the old one to change it)."""
        if manager_id == report_id:
            raise ValueError("a 1:1 needs two different people")
        if not 0 <= weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday}")
        if self.get_pair(manager_id, report_id) is not None:
            raise ValueError("this manager and report already have an active 1:1")
        one_on_one = OneOnOne(
            manager_id=manager_id,
            report_id=report_id,
            weekday=weekday,
            local_time=local_time,
            cadence=cadence,
            anchor_date=anchor_date,
            digest_lead_minutes=digest_lead_minutes,
            next_at=next_at,
            next_digest_at=next_digest_at,
            active=True,
            created_at=now or utcnow(),
        )
        self.session.add(one_on_one)
        self.session.flush()
        return one_on_one

    def get_pair(self, manager_id: int, report_id: int) -> OneOnOne | None:
        """The pair's active 1:1, if any."""
        return self.session.scalar(
            select(OneOnOne).where(
                OneOnOne.manager_id == manager_id, OneOnOne.report_id == report_id, OneOnOne.active.is_(True)
            )
        )

    def list_for_manager(self, manager_id: int, active_only: bool = True) -> Sequence[OneOnOne]:
        query = select(OneOnOne).where(OneOnOne.manager_id == manager_id)
        if active_only:
            query = query.where(OneOnOne.active.is_(True))
        return self.session.scalars(query.order_by(OneOnOne.id)).all()

    def list_for_report(self, report_id: int, active_only: bool = True) -> Sequence[OneOnOne]:
        query = select(OneOnOne).where(OneOnOne.report_id == report_id)
        if active_only:
            query = query.where(OneOnOne.active.is_(True))
        return self.session.scalars(query.order_by(OneOnOne.id)).all()

    def all_involving(self, person_id: int) -> Sequence[OneOnOne]:
        return self.session.scalars(
            select(OneOnOne)
            .where(or_(OneOnOne.manager_id == person_id, OneOnOne.report_id == person_id))
            .order_by(OneOnOne.id)
        ).all()

    def set_next(self, one_on_one: OneOnOne, next_at: datetime | None, next_digest_at: datetime | None) -> None:
        one_on_one.next_at, one_on_one.next_digest_at = next_at, next_digest_at
        self.session.flush()

    def end(self, one_on_one: OneOnOne, now: datetime | None = None) -> None:
        if one_on_one.active:
            one_on_one.active = False
            one_on_one.ended_at = now or utcnow()
            one_on_one.next_at = one_on_one.next_digest_at = None
            self.session.flush()

    def end_all_involving(self, person_id: int, now: datetime | None = None) -> int:
        now = now or utcnow()
        active = [one_on_one for one_on_one in self.all_involving(person_id) if one_on_one.active]
        for one_on_one in active:
            self.end(one_on_one, now)
        return len(active)

    def lock_due(self, one_on_one_id: int, now: datetime) -> OneOnOne | None:
        """The 1:1, locked for this transaction, if its digest is still due; None when it is not due any
        more or another instance holds it (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite has one writer)."""
        return self.session.scalar(
            select(OneOnOne)
            .where(OneOnOne.id == one_on_one_id, OneOnOne.active.is_(True), OneOnOne.next_digest_at <= now)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )

    def due_digests(self, now: datetime, limit: int = 200) -> Sequence[OneOnOne]:
        """Active 1:1s whose digest time has come, earliest first (index on next_digest_at)."""
        return self.session.scalars(
            select(OneOnOne)
            .where(OneOnOne.next_digest_at <= now, OneOnOne.active.is_(True), *self.in_scope(OneOnOne.report_id))
            .order_by(OneOnOne.next_digest_at, OneOnOne.id)
            .limit(limit)
        ).all()

    def due_checkins(self, now: datetime, limit: int = 200) -> Sequence[OneOnOne]:
        """Active 1:1s whose scheduled check-in has come, earliest first (index on next_checkin_at)."""
        return self.session.scalars(
            select(OneOnOne)
            .where(OneOnOne.next_checkin_at <= now, OneOnOne.active.is_(True), *self.in_scope(OneOnOne.report_id))
            .order_by(OneOnOne.next_checkin_at, OneOnOne.id)
            .limit(limit)
        ).all()

    def lock_checkin_due(self, one_on_one_id: int, now: datetime) -> OneOnOne | None:
        """The 1:1, locked for this transaction, if its check-in is still due (FOR UPDATE SKIP LOCKED)."""
        return self.session.scalar(
            select(OneOnOne)
            .where(OneOnOne.id == one_on_one_id, OneOnOne.active.is_(True), OneOnOne.next_checkin_at <= now)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
