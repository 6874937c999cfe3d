"""Index for the tick's reminder query (`prompts.reminders_due`): sent, not yet reminded prompts whose
reminder time (`next_attempt_at`) has come, read as one range in time order however many are pending.

Revision ID: 0004_reminder_due_index
Revises: 0003_tick_indexes
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004_reminder_due_index"
down_revision: str | None = "0003_tick_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_prompts_reminder_due", "prompts", ["state", "reminder_sent_at", "next_attempt_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_prompts_reminder_due", table_name="prompts")
