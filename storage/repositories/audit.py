"""The audit log: who viewed, exported or deleted whose data. Entries name people by Slack id so they
outlive a deletion."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from storage.clock import utcnow
from storage.models import AuditEntry, BreakGlassNotice
from storage.repositories._base import Repository


class AuditRepository(Repository):
    def record(
        self,
        actor_slack_id: str | None,
        action: str,
        subject_slack_id: str | None,
        details: dict[str, Any] | None = None,
        *,
        workspace_team_id: str | None = None,
        now: datetime | None = None,
    ) -> AuditEntry:
        """`actor_slack_id` None means the CLI or the system itself."""
        entry = AuditEntry(
            at=now or utcnow(),
            actor_slack_id=actor_slack_id,
            action=action,
            subject_slack_id=subject_slack_id,
            workspace_team_id=workspace_team_id,
            details=dict(details or {}),
        )
        self.session.add(entry)
        self.session.flush()
        return entry

    def record_many(
        self,
        actor_slack_id: str,
        action: str,
        details_by_subject: Mapping[str, dict[str, Any]],
        *,
        workspace_team_id: str | None,
        now: datetime,
    ) -> None:
        """`record` of one entry per subject (a manager's Home shows seven reports), in one statement."""
        self.insert_many(
            AuditEntry,
            [
                {"at": now, "actor_slack_id": actor_slack_id, "action": action, "subject_slack_id": subject,
                 "workspace_team_id": workspace_team_id, "details": dict(details)}
                for subject, details in details_by_subject.items()
            ],
        )  # fmt: skip

    def subjects_recorded_since(
        self, actor_slack_id: str, action: str, subject_slack_ids: Sequence[str], since: datetime
    ) -> set[str]:
        """Which of these subjects already have an `action` entry by this actor since `since`."""
        if not subject_slack_ids:
            return set()
        rows = self.session.scalars(
            select(AuditEntry.subject_slack_id).where(
                AuditEntry.subject_slack_id.in_(list(subject_slack_ids)),
                AuditEntry.at >= since,
                AuditEntry.actor_slack_id == actor_slack_id,
                AuditEntry.action == action,
            )
        )
        return {subject for subject in rows if subject}

    def for_subject(self, subject_slack_id: str, limit: int = 100) -> Sequence[AuditEntry]:
        """Newest first."""
        return self.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.subject_slack_id == subject_slack_id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
        ).all()

    def page_for_subject(
        self,
        subject_slack_id: str,
        actions: Collection[str],
        *,
        before: tuple[datetime, int] | None,
        limit: int,
    ) -> Sequence[AuditEntry]:
        """Entries about the subject written by anyone else (or the CLI), newest first, strictly older than
        the keyset cursor `before` = (at, id). One range of ix_audit_log_subject, however long the log."""
        query = select(AuditEntry).where(
            AuditEntry.subject_slack_id == subject_slack_id,
            AuditEntry.action.in_(list(actions)),
            or_(AuditEntry.actor_slack_id.is_(None), AuditEntry.actor_slack_id != subject_slack_id),
        )
        if before is not None:
            at, entry_id = before
            query = query.where(or_(AuditEntry.at < at, and_(AuditEntry.at == at, AuditEntry.id < entry_id)))
        return self.session.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)).all()

    def reads_by(self, actor_slack_id: str, subject_slack_id: str, since: datetime) -> Sequence[AuditEntry]:
        """One actor's entries about one subject since `since`, oldest first."""
        return self.session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.subject_slack_id == subject_slack_id,
                AuditEntry.at >= since,
                AuditEntry.actor_slack_id == actor_slack_id,
            )
            .order_by(AuditEntry.at, AuditEntry.id)
        ).all()

    def delete_for_subject(self, subject_slack_id: str) -> int:
        """Every entry about the subject (a deletion of their data; the caller then records the deletion)."""
        result = self.session.execute(delete(AuditEntry).where(AuditEntry.subject_slack_id == subject_slack_id))
        self.session.flush()
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def prune_before(self, cutoff: datetime, *, keep_actions: Collection[str], limit: int) -> int:
        """Delete up to `limit` of the oldest entries written before `cutoff` (not `keep_actions`); how many.
        The ids are read first through ix_audit_log_at, so each batch is a bounded range on both backends."""
        ids = self.session.scalars(
            select(AuditEntry.id)
            .where(AuditEntry.at < cutoff, AuditEntry.action.not_in(list(keep_actions)))
            .order_by(AuditEntry.at, AuditEntry.id)
            .limit(limit)
        ).all()
        if not ids:
            return 0
        self.session.execute(delete(AuditEntry).where(AuditEntry.id.in_(ids)))
        self.session.flush()
        return len(ids)

    # --- the break-glass DM's claims (one per admin, person and the person's local day) ---------------

    def note_break_glass(
        self, admin_slack_id: str, subject_slack_id: str, day: date, *, workspace_team_id: str | None, now: datetime
    ) -> None:
        """Remember an admin's read for the day's one DM (a row per admin, person and day; later reads move
        `last_read_at` on, so the DM waits until the admin has finished reading)."""
        notice = self._notice(admin_slack_id, subject_slack_id, day)
        if notice is None:
            try:
                with self.session.begin_nested():
                    self.session.add(
                        BreakGlassNotice(
                            admin_slack_id=admin_slack_id,
                            subject_slack_id=subject_slack_id,
                            workspace_team_id=workspace_team_id,
                            day=day,
                            first_read_at=now,
                            last_read_at=now,
                        )
                    )
                return
            except IntegrityError:  # another request noted the same day first
                notice = self._notice(admin_slack_id, subject_slack_id, day)
        if notice is not None and notice.sent_at is None and notice.last_read_at < now:
            notice.last_read_at = now
            self.session.flush()

    def _notice(self, admin_slack_id: str, subject_slack_id: str, day: date) -> BreakGlassNotice | None:
        return self.session.scalars(
            select(BreakGlassNotice).where(
                BreakGlassNotice.admin_slack_id == admin_slack_id,
                BreakGlassNotice.subject_slack_id == subject_slack_id,
                BreakGlassNotice.day == day,
            )
        ).first()

    def break_glass_ready(self, quiet_since: datetime, now: datetime, limit: int) -> list[int]:
        """Unsent notices whose last read is older than `quiet_since` and whose claim (if any) expired."""
        return list(
            self.session.scalars(
                select(BreakGlassNotice.id)
                .where(
                    BreakGlassNotice.sent_at.is_(None),
                    BreakGlassNotice.last_read_at <= quiet_since,
                    or_(BreakGlassNotice.claim_expires_at.is_(None), BreakGlassNotice.claim_expires_at < now),
                    *self.tenant_in_scope(BreakGlassNotice.workspace_team_id),
                )
                .order_by(BreakGlassNotice.last_read_at, BreakGlassNotice.id)
                .limit(limit)
            )
        )

    def claim_break_glass(self, notice_id: int, now: datetime, claim_for: timedelta) -> BreakGlassNotice | None:
        """Compare-and-set claim of one notice, so two instances never both send it."""
        result = self.session.execute(
            update(BreakGlassNotice)
            .where(
                BreakGlassNotice.id == notice_id,
                BreakGlassNotice.sent_at.is_(None),
                or_(BreakGlassNotice.claim_expires_at.is_(None), BreakGlassNotice.claim_expires_at < now),
            )
            .values(claim_expires_at=now + claim_for)
            .execution_options(synchronize_session=False)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return None
        notice = self.session.get(BreakGlassNotice, notice_id)
        if notice is not None:
            self.session.refresh(notice)
        return notice

    def finish_break_glass(self, notice_id: int, *, sent_at: datetime | None) -> None:
        """Sent (or given up: `sent_at` set either way) or, with None, the claim given back for a later tick."""
        values: dict[str, Any] = {"sent_at": sent_at} if sent_at is not None else {"claim_expires_at": None}
        self.session.execute(
            update(BreakGlassNotice)
            .where(BreakGlassNotice.id == notice_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    def delete_break_glass_for(self, subject_slack_id: str) -> int:
        result = self.session.execute(
            delete(BreakGlassNotice).where(BreakGlassNotice.subject_slack_id == subject_slack_id)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
