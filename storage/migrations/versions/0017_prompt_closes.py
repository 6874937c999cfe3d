"""Closes that survive the tick (issue 19): a prompt replaced by a newer one while still unanswered is
marked `close_pending_at` (its buttons are to be taken off with chat.update), and each tick closes a
bounded batch of those after its posts, stamping `closed_at`. Until now a close the tick's budget left
over was never retried.

In place on SQLite (add/drop column), never a batch rebuild: recreating `prompts` would cascade-delete
what references it.

Revision ID: 0017_prompt_closes
Revises: 0016_tag_item_at
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_prompt_closes"
down_revision: str | None = "0016_tag_item_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("prompts", sa.Column("close_pending_at", sa.DateTime(), nullable=True))
    op.add_column("prompts", sa.Column("closed_at", sa.DateTime(), nullable=True))
    op.create_index(
        "ix_prompts_close_pending",
        "prompts",
        ["close_pending_at"],
        sqlite_where=sa.text("close_pending_at IS NOT NULL"),
        postgresql_where=sa.text("close_pending_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_prompts_close_pending", table_name="prompts")
    op.drop_column("prompts", "closed_at")
    op.drop_column("prompts", "close_pending_at")
