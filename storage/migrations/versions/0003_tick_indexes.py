"""Index for the tick's query of pending manager links whose consent DM is not sent yet
(`managers.pending_without_notice`), which otherwise reads every manager link each minute.

Revision ID: 0003_tick_indexes
Revises: 0002_manager_link_notified
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003_tick_indexes"
down_revision: str | None = "0002_manager_link_notified"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_manager_links_pending_notice", "manager_links", ["status", "notified_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_manager_links_pending_notice", table_name="manager_links")
