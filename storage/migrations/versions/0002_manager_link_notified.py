"""Manager links remember when the report was DM'd the consent request (`notified_at`), so the tick
sends each request once, including those created by the org import or the setup modal.

Revision ID: 0002_manager_link_notified
Revises: 0001_initial
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_manager_link_notified"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("manager_links") as batch_op:
        batch_op.add_column(sa.Column("notified_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("manager_links") as batch_op:
        batch_op.drop_column("notified_at")
