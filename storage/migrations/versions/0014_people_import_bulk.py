"""A person's names by source (issue 15, one naming rule): Slack's real name, Slack's display name and the
org file's name are kept apart, and `people.display_name` holds the one shown (storage.models.shown_name).

Until now `display_name` held whichever source wrote last. It is kept as the imported name, the lowest
source, so nobody loses their name; the next users.info refresh puts Slack's names first.

Revision ID: 0014_people_import_bulk
Revises: 0013_access_log
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_people_import_bulk"
down_revision: str | None = "0013_access_log"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME_LENGTH = 200  # storage.models.MAX_NAME when this revision was written


def upgrade() -> None:
    for column in ("slack_real_name", "slack_display_name", "imported_name"):
        op.add_column("people", sa.Column(column, sa.String(NAME_LENGTH), nullable=True))
    op.execute("UPDATE people SET imported_name = display_name WHERE display_name IS NOT NULL")


def downgrade() -> None:
    # In place (SQLite 3.35+), never a batch rebuild: recreating `people` on SQLite would cascade-delete
    # every row that references a person (ON DELETE CASCADE).
    for column in ("imported_name", "slack_display_name", "slack_real_name"):
        op.drop_column("people", column)
