"""Index for the tick's lost-reveal sweep (`checkins.revealed_unsent`): revealed check-ins whose result
was never sent, read as one (normally empty) range. Without it every tick read every revealed check-in
ever (`state = 'revealed'` of ix_checkins_state_deadline), four more per person a year.

Revision ID: 0010_checkin_unsent_index
Revises: 0009_focus_backoff
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010_checkin_unsent_index"
down_revision: str | None = "0009_focus_backoff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_checkins_unsent", "checkins", ["state", "reveal_sent_at", "revealed_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_checkins_unsent", table_name="checkins")
