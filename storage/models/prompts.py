"""The weekly prompt: one row per person and due time (its idempotency key), through its states."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, validates

from storage.clock import utcnow
from storage.models.base import (
    MAX_ERROR,
    MAX_FRAMEWORK_ID,
    MAX_NAME,
    MAX_SLACK_ID,
    MAX_SOURCE_KEY,
    Base,
    check_length,
    enum_column,
)
from storage.models.enums import PromptState


class Prompt(Base):
    __tablename__ = "prompts"
    __table_args__ = (
        Index("ix_prompts_state_due", "state", "due_at"),
        Index("ix_prompts_person_due", "person_id", "due_at"),
        Index("ix_prompts_channel_ts", "channel_id", "message_ts"),
        # Per tick: sent, not yet reminded, sent before a cutoff.
        Index("ix_prompts_reminder", "state", "reminder_sent_at", "sent_at"),
        # reminders_due: sent, not reminded, reminder time passed, earliest first: one index range.
        Index("ix_prompts_reminder_due", "state", "reminder_sent_at", "next_attempt_at"),
        # PromptCloseRepository.take: the few prompts whose buttons are still to be taken off, oldest first.
        Index(
            "ix_prompts_close_pending",
            "close_pending_at",
            sqlite_where=text("close_pending_at IS NOT NULL"),
            postgresql_where=text("close_pending_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    # Unique per person and period ("<person id>:<local date of the slot>"): one prompt per slot, ever.
    idempotency_key: Mapped[str] = mapped_column(String(MAX_SOURCE_KEY), unique=True)
    framework_id: Mapped[str] = mapped_column(String(MAX_FRAMEWORK_ID))
    behaviour_ids: Mapped[list[str]] = mapped_column(JSON)
    due_at: Mapped[datetime] = mapped_column(DateTime)
    state: Mapped[PromptState] = mapped_column(enum_column(PromptState, "prompt_state"), default=PromptState.DUE)
    claimed_by: Mapped[str | None] = mapped_column(String(MAX_NAME))
    claim_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    channel_id: Mapped[str | None] = mapped_column(String(MAX_SLACK_ID))
    message_ts: Mapped[str | None] = mapped_column(String(MAX_SLACK_ID))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(String(MAX_ERROR))
    skip_reason: Mapped[str | None] = mapped_column(String(MAX_NAME))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # A newer prompt replaced this one unanswered: from this time its buttons are to be taken off (a
    # close under way pushes it forward as its lease); NULL once closed, or when there is nothing to close.
    close_pending_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)  # when its buttons were taken off

    @validates("last_error")
    def _clip_error(self, key: str, value: str | None) -> str | None:
        # Our own diagnostic, not user input: keeping the head of a long error is the useful part.
        return value[:MAX_ERROR] if value else value

    @validates("idempotency_key", "framework_id", "claimed_by", "channel_id", "message_ts", "skip_reason")
    def _check_lengths(self, key: str, value: str | None) -> str | None:
        limits = {
            "idempotency_key": MAX_SOURCE_KEY,
            "framework_id": MAX_FRAMEWORK_ID,
            "claimed_by": MAX_NAME,
            "channel_id": MAX_SLACK_ID,
            "message_ts": MAX_SLACK_ID,
            "skip_reason": MAX_NAME,
        }
        return check_length(key, value, limits[key])
