"""Judgement: assessments (one verdict per behaviour and rater, history kept), check-ins (blind self and
manager rounds), disputed evidence tags, and each 1:1 series' check-in schedule (every 13 weeks unless
set otherwise; existing series get the default).

Revision ID: 0007_assessments_checkins
Revises: 0006_inactive_people_not_due
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_assessments_checkins"
down_revision: str | None = "0006_inactive_people_not_due"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("one_on_one_id", sa.Integer(), nullable=True),
        sa.Column(
            "origin",
            sa.Enum("self", "manager", "schedule", name="checkin_origin", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("idempotency_key", sa.String(length=255), nullable=True),
        sa.Column("framework_id", sa.String(length=64), nullable=False),
        sa.Column("framework_version", sa.Integer(), nullable=False),
        sa.Column("behaviour_ids", sa.JSON(), nullable=False),
        sa.Column("include_current", sa.Boolean(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("open", "revealed", "cancelled", name="checkin_state", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("deadline_at", sa.DateTime(), nullable=False),
        sa.Column("self_submitted_at", sa.DateTime(), nullable=True),
        sa.Column("manager_submitted_at", sa.DateTime(), nullable=True),
        sa.Column("self_reminded_at", sa.DateTime(), nullable=True),
        sa.Column("manager_reminded_at", sa.DateTime(), nullable=True),
        sa.Column("revealed_at", sa.DateTime(), nullable=True),
        sa.Column("reveal_sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["people.id"], name=op.f("fk_checkins_manager_id_people"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["one_on_one_id"],
            ["one_on_ones.id"],
            name=op.f("fk_checkins_one_on_one_id_one_on_ones"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_checkins_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["people.id"], name=op.f("fk_checkins_started_by_id_people"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_checkins_idempotency_key")),
    )
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.create_index("ix_checkins_person_state", ["person_id", "state"], unique=False)
        batch_op.create_index("ix_checkins_state_deadline", ["state", "deadline_at"], unique=False)

    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("rater_id", sa.Integer(), nullable=True),
        sa.Column("rater", sa.Enum("self", "manager", name="rater", native_enum=False, length=32), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=True),
        sa.Column("framework_id", sa.String(length=64), nullable=False),
        sa.Column("framework_version", sa.Integer(), nullable=False),
        sa.Column("behaviour_id", sa.String(length=64), nullable=False),
        sa.Column("area_id", sa.String(length=64), nullable=False),
        sa.Column("level_id", sa.String(length=32), nullable=False),
        sa.Column("behaviour_text", sa.Text(), nullable=False),
        sa.Column(
            "verdict",
            sa.Enum("not_yet", "sometimes", "consistently", name="verdict", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("evidence_ids", sa.JSON(), nullable=False),
        sa.Column("source_key", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["checkin_id"], ["checkins.id"], name=op.f("fk_assessments_checkin_id_checkins"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_assessments_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["rater_id"], ["people.id"], name=op.f("fk_assessments_rater_id_people"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
        sa.UniqueConstraint("source_key", name=op.f("uq_assessments_source_key")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index("ix_assessments_checkin", ["checkin_id"], unique=False)
        batch_op.create_index(
            "ix_assessments_person_behaviour", ["person_id", "framework_id", "behaviour_id", "created_at"], unique=False
        )

    with op.batch_alter_table("evidence_tags", schema=None) as batch_op:
        batch_op.add_column(sa.Column("disputed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("disputed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("dispute_comment", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_evidence_tags_disputed_by_id_people"),
            "people",
            ["disputed_by_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("one_on_ones", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checkin_every_weeks", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("next_checkin_at", sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_one_on_ones_next_checkin_at"), ["next_checkin_at"], unique=False)
    op.execute("UPDATE one_on_ones SET checkin_every_weeks = 13")


def downgrade() -> None:
    with op.batch_alter_table("one_on_ones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_one_on_ones_next_checkin_at"))
        batch_op.drop_column("next_checkin_at")
        batch_op.drop_column("checkin_every_weeks")

    with op.batch_alter_table("evidence_tags", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_evidence_tags_disputed_by_id_people"), type_="foreignkey")
        batch_op.drop_column("dispute_comment")
        batch_op.drop_column("disputed_by_id")
        batch_op.drop_column("disputed_at")

    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index("ix_assessments_person_behaviour")
        batch_op.drop_index("ix_assessments_checkin")

    op.drop_table("assessments")
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_index("ix_checkins_state_deadline")
        batch_op.drop_index("ix_checkins_person_state")

    op.drop_table("checkins")
