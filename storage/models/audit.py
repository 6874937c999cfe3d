"""The access log (who read or changed whose data) and the break-glass notices."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, validates

from storage.clock import utcnow
from storage.models.base import MAX_SLACK_ID, Base, check_length


class AuditEntry(Base):
    """Who read, exported or deleted whose data. Survives the subject's deletion (ids kept as text)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_subject", "subject_slack_id", "at"),
        Index("ix_audit_log_at", "at"),  # retention pruning reads the oldest entries first
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor_slack_id: Mapped[str | None] = mapped_column(String(MAX_SLACK_ID))  # None: the CLI / system
    action: Mapped[str] = mapped_column(String(64))  # viewed_evidence, exported, deleted_person, ...
    subject_slack_id: Mapped[str | None] = mapped_column(String(MAX_SLACK_ID))
    workspace_team_id: Mapped[str | None] = mapped_column(String(MAX_SLACK_ID))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    @validates("actor_slack_id", "action", "subject_slack_id", "workspace_team_id")
    def _check_lengths(self, key: str, value: str | None) -> str | None:
        return check_length(key, value, 64 if key == "action" else MAX_SLACK_ID)


class BreakGlassNotice(Base):
    """The one DM telling an engineer that an admin read their data (GROWTHBOT_ADMINS_READ_EVIDENCE), per
    admin, person and the person's local day. The unique key is the claim: two instances never both send."""

    __tablename__ = "break_glass_notices"
    __table_args__ = (
        UniqueConstraint("admin_slack_id", "subject_slack_id", "day", name="uq_break_glass_notices_key"),
        Index("ix_break_glass_notices_unsent", "sent_at", "last_read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    admin_slack_id: Mapped[str] = mapped_column(String(MAX_SLACK_ID))
    subject_slack_id: Mapped[str] = mapped_column(String(MAX_SLACK_ID))
    workspace_team_id: Mapped[str | None] = mapped_column(String(MAX_SLACK_ID))
    day: Mapped[date] = mapped_column(Date)  # the engineer's local date of the first read
    first_read_at: Mapped[datetime] = mapped_column(DateTime)
    last_read_at: Mapped[datetime] = mapped_column(DateTime)
    claim_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    @validates("admin_slack_id", "subject_slack_id", "workspace_team_id")
    def _check_lengths(self, key: str, value: str | None) -> str | None:
        return check_length(key, value, MAX_SLACK_ID)
