"""`evidence_tags.item_at`: the tagged item's time while the item is not deleted (NULL once it is),
backfilled, and `ix_evidence_tags_person` extended to (person_id, framework_id, behaviour_id, item_at,
disputed_at).

Coverage (`/ladder me|next`, the App Home, digests, the tick) counts a person's undisputed tags of
not-deleted items and their latest time. Each tag looked its item up by primary key for that: one
random read per tag, about 2,900 for a manager's Home with seven reports at two years of evidence.
With the time on the tag and the index covering every column coverage reads, it is one index range.

Revision ID: 0016_tag_item_at
Revises: 0015_slack_installations
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_tag_item_at"
down_revision: str | None = "0015_slack_installations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("evidence_tags", sa.Column("item_at", sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE evidence_tags SET item_at = (SELECT evidence.created_at FROM evidence "
        "WHERE evidence.id = evidence_tags.evidence_id AND evidence.deleted_at IS NULL)"
    )
    op.drop_index("ix_evidence_tags_person", table_name="evidence_tags")
    op.create_index(
        "ix_evidence_tags_person",
        "evidence_tags",
        ["person_id", "framework_id", "behaviour_id", "item_at", "disputed_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_evidence_tags_person", table_name="evidence_tags")
    op.create_index(
        "ix_evidence_tags_person", "evidence_tags", ["person_id", "framework_id", "behaviour_id"], unique=False
    )
    op.drop_column("evidence_tags", "item_at")
