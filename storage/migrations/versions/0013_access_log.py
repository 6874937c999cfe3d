"""The engineer's access log: an index on `audit_log.at` for retention pruning (the oldest entries
first, in bounded batches) and `break_glass_notices`, the claim of the one DM per admin, person and
day that announces an admin's read of someone's data.

Revision ID: 0013_access_log
Revises: 0012_slack_profiles
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_access_log"
down_revision: str | None = "0012_slack_profiles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_audit_log_at", "audit_log", ["at"], unique=False)
    op.create_table(
        "break_glass_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("admin_slack_id", sa.String(length=32), nullable=False),
        sa.Column("subject_slack_id", sa.String(length=32), nullable=False),
        sa.Column("workspace_team_id", sa.String(length=32), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("first_read_at", sa.DateTime(), nullable=False),
        sa.Column("last_read_at", sa.DateTime(), nullable=False),
        sa.Column("claim_expires_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_break_glass_notices")),
        sa.UniqueConstraint("admin_slack_id", "subject_slack_id", "day", name="uq_break_glass_notices_key"),
    )
    op.create_index("ix_break_glass_notices_unsent", "break_glass_notices", ["sent_at", "last_read_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_break_glass_notices_unsent", table_name="break_glass_notices")
    op.drop_table("break_glass_notices")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
