"""The audit log: who viewed, exported or deleted whose data. Entries name people by Slack id so they
outlive a deletion."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from storage.clock import utcnow
from storage.models import AuditEntry
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
