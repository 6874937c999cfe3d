"""Stored Slack profiles (time zone, away status with its expiry, deactivation, when it was read) on
people, and the state of the paged users.list sweep, so the prompt fan-out needs no users.info per prompt.

Revision ID: 0012_slack_profiles
Revises: 0011_per_person_paths
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_slack_profiles"
down_revision: str | None = "0011_per_person_paths"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN, not a batch copy: on SQLite a batch rebuild drops `people`, and every table
    # referencing it ON DELETE CASCADE would lose its rows.
    op.add_column("people", sa.Column("slack_tz", sa.String(length=64), nullable=True))
    op.add_column("people", sa.Column("status_text", sa.String(length=200), nullable=True))
    op.add_column("people", sa.Column("status_emoji", sa.String(length=200), nullable=True))
    op.add_column("people", sa.Column("status_expiration", sa.BigInteger(), nullable=True))
    op.add_column("people", sa.Column("slack_deleted", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("people", sa.Column("profile_fetched_at", sa.DateTime(), nullable=True))
    op.create_table(
        "directory_sweeps",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("cursor", sa.String(length=1000), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_directory_sweeps")),
    )


def downgrade() -> None:
    op.drop_table("directory_sweeps")
    for column in (
        "profile_fetched_at",
        "slack_deleted",
        "status_expiration",
        "status_emoji",
        "status_text",
        "slack_tz",
    ):
        op.drop_column("people", column)  # SQLite 3.35+ drops a column in place
