"""Focus behaviours (up to three of the next milestone per person) and prompts that back off (a monthly
cadence, the back-off state on each prompt schedule and the cadence it restores).

Revision ID: 0009_focus_backoff
Revises: 0008_one_open_checkin
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_focus_backoff"
down_revision: str | None = "0008_one_open_checkin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKOFF = sa.Enum("ask_due", "asked", "notice_due", "auto", name="backoff", native_enum=False, length=32)
CADENCE = sa.Enum("weekly", "fortnightly", "monthly", name="cadence", native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        "focus_behaviours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.String(length=64), nullable=False),
        sa.Column("behaviour_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_focus_behaviours_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_focus_behaviours")),
        sa.UniqueConstraint("person_id", "framework_id", "behaviour_id", name="uq_focus_behaviours_behaviour"),
    )
    op.create_index(op.f("ix_focus_behaviours_person_id"), "focus_behaviours", ["person_id"], unique=False)
    with op.batch_alter_table("prompt_schedules") as batch:
        batch.add_column(sa.Column("backoff", BACKOFF, nullable=True))
        batch.add_column(sa.Column("backoff_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("cadence_before_backoff", CADENCE, nullable=True))
        batch.create_index(batch.f("ix_prompt_schedules_backoff"), ["backoff"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("prompt_schedules") as batch:
        batch.drop_index(batch.f("ix_prompt_schedules_backoff"))
        batch.drop_column("cadence_before_backoff")
        batch.drop_column("backoff_at")
        batch.drop_column("backoff")
    op.drop_index(op.f("ix_focus_behaviours_person_id"), table_name="focus_behaviours")
    op.drop_table("focus_behaviours")
