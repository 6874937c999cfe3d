"""`evidence.confirmed_at`: when the person was shown their evidence was saved. The tick confirms rows
saved a while ago and never confirmed (the process stopped between saving and confirming). Rows from
before this revision count as confirmed.

Revision ID: 0005_evidence_confirmed_at
Revises: 0004_reminder_due_index
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_evidence_confirmed_at"
down_revision: str | None = "0004_reminder_due_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("evidence") as batch_op:
        batch_op.add_column(sa.Column("confirmed_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE evidence SET confirmed_at = created_at")
    op.create_index("ix_evidence_unconfirmed", "evidence", ["confirmed_at", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_evidence_unconfirmed", table_name="evidence")
    with op.batch_alter_table("evidence") as batch_op:
        batch_op.drop_column("confirmed_at")
