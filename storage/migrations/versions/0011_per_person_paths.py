"""`evidence_tags.person_id` (the evidence's person, backfilled) and `ix_evidence_tags_person`
(person_id, framework_id, behaviour_id) in place of `ix_evidence_tags_behaviour` (framework_id,
behaviour_id).

Coverage (`/ladder me|next`, the App Home, digests) and behaviour statistics read one person's tags of
one ladder. With only the ladder-wide index, SQLite chose to read every tag of the organisation for
those behaviours whenever its statistics were missing or stale (2.7 s a digest at 0.9M tags instead of
5 ms); now the only index on these columns leads with the person, so every plan is per person.

Revision ID: 0011_per_person_paths
Revises: 0010_checkin_unsent_index
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_per_person_paths"
down_revision: str | None = "0010_checkin_unsent_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("evidence_tags") as batch:
        batch.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE evidence_tags SET person_id = "
        "(SELECT evidence.person_id FROM evidence WHERE evidence.id = evidence_tags.evidence_id)"
    )
    with op.batch_alter_table("evidence_tags") as batch:
        batch.alter_column("person_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            batch.f("fk_evidence_tags_person_id_people"), "people", ["person_id"], ["id"], ondelete="CASCADE"
        )
        batch.drop_index("ix_evidence_tags_behaviour")
        batch.create_index("ix_evidence_tags_person", ["person_id", "framework_id", "behaviour_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("evidence_tags") as batch:
        batch.drop_index("ix_evidence_tags_person")
        batch.create_index("ix_evidence_tags_behaviour", ["framework_id", "behaviour_id"], unique=False)
        batch.drop_constraint(batch.f("fk_evidence_tags_person_id_people"), type_="foreignkey")
        batch.drop_column("person_id")
