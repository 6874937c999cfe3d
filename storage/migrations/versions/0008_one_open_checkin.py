"""One open check-in per person, enforced by the database (a partial unique index, so two starts that
race end with one), and `checkins.invites_sent_at`: when the "Start rating" DMs went out. The tick sends
the invites of a check-in saved a while ago and never stamped (the process stopped in between). Rows
from before this revision count as invited; a person with several open check-ins keeps the newest.

Revision ID: 0008_one_open_checkin
Revises: 0007_assessments_checkins
Create Date: 2026-12-11
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_one_open_checkin"
down_revision: str | None = "0007_assessments_checkins"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("checkins") as batch_op:
        batch_op.add_column(sa.Column("invites_sent_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE checkins SET invites_sent_at = created_at")
    op.execute(
        "UPDATE checkins SET state = 'cancelled' WHERE state = 'open' AND id NOT IN "
        "(SELECT newest FROM (SELECT MAX(id) AS newest FROM checkins WHERE state = 'open' GROUP BY person_id) AS kept)"
    )
    op.create_index(
        "uq_checkins_one_open",
        "checkins",
        ["person_id"],
        unique=True,
        sqlite_where=sa.text("state = 'open'"),
        postgresql_where=sa.text("state = 'open'"),
    )


def downgrade() -> None:
    op.drop_index("uq_checkins_one_open", table_name="checkins")
    with op.batch_alter_table("checkins") as batch_op:
        batch_op.drop_column("invites_sent_at")
