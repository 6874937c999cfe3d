"""People already inactive leave the tick's due range: their schedule's `next_due_at` is cleared, as
marking someone inactive now does (becoming active again plans a fresh one). Data only.

Revision ID: 0006_inactive_people_not_due
Revises: 0005_evidence_confirmed_at
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006_inactive_people_not_due"
down_revision: str | None = "0005_evidence_confirmed_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE prompt_schedules SET next_due_at = NULL WHERE person_id IN (SELECT id FROM people WHERE active = false)"
    )


def downgrade() -> None:
    pass  # nothing to restore: the next prompt is planned again when the person becomes active
