"""Initial schema: workspaces, people, placements, manager links, schedules, prompts, evidence, tags,
one-on-ones, digests and the audit log, matching storage/models.py at the first release.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_slack_id", sa.String(length=32), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject_slack_id", sa.String(length=32), nullable=True),
        sa.Column("workspace_team_id", sa.String(length=32), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_subject", "audit_log", ["subject_slack_id", "at"], unique=False)
    op.create_table(
        "workspaces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspaces")),
        sa.UniqueConstraint("team_id", name=op.f("uq_workspaces_team_id")),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("inactive_reason", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_people_workspace_id_workspaces"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("workspace_id", "slack_user_id", name="uq_people_workspace_user"),
    )
    op.create_index("ix_people_email", "people", ["email"], unique=False)
    op.create_table(
        "manager_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "active", "declined", "ended", name="manager_link_status", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["people.id"], name=op.f("fk_manager_links_manager_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_manager_links_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["people.id"],
            name=op.f("fk_manager_links_requested_by_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manager_links")),
    )
    op.create_index("ix_manager_links_manager_status", "manager_links", ["manager_id", "status"], unique=False)
    op.create_index("ix_manager_links_person_status", "manager_links", ["person_id", "status"], unique=False)
    op.create_index(
        "uq_manager_links_one_active",
        "manager_links",
        ["person_id"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_table(
        "one_on_ones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column(
            "cadence", sa.Enum("weekly", "fortnightly", name="cadence", native_enum=False, length=32), nullable=False
        ),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("local_time", sa.Time(), nullable=False),
        sa.Column("anchor_date", sa.Date(), nullable=True),
        sa.Column("digest_lead_minutes", sa.Integer(), nullable=False),
        sa.Column("next_at", sa.DateTime(), nullable=True),
        sa.Column("next_digest_at", sa.DateTime(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["people.id"], name=op.f("fk_one_on_ones_manager_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["people.id"], name=op.f("fk_one_on_ones_report_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_on_ones")),
    )
    op.create_index(op.f("ix_one_on_ones_next_digest_at"), "one_on_ones", ["next_digest_at"], unique=False)
    op.create_index("ix_one_on_ones_pair", "one_on_ones", ["manager_id", "report_id", "active"], unique=False)
    op.create_index("ix_one_on_ones_report", "one_on_ones", ["report_id", "active"], unique=False)
    op.create_table(
        "placements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.String(length=64), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("track", sa.String(length=64), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_placements_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placements")),
    )
    op.create_index("ix_placements_person_current", "placements", ["person_id", "ended_at"], unique=False)
    op.create_index(
        "uq_placements_one_open",
        "placements",
        ["person_id"],
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_table(
        "prompt_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("local_time", sa.Time(), nullable=False),
        sa.Column(
            "cadence", sa.Enum("weekly", "fortnightly", name="cadence", native_enum=False, length=32), nullable=False
        ),
        sa.Column("anchor_date", sa.Date(), nullable=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("paused_until", sa.DateTime(), nullable=True),
        sa.Column("snoozed_until", sa.DateTime(), nullable=True),
        sa.Column("next_due_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_prompt_schedules_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prompt_schedules")),
        sa.UniqueConstraint("person_id", name=op.f("uq_prompt_schedules_person_id")),
    )
    op.create_index(op.f("ix_prompt_schedules_next_due_at"), "prompt_schedules", ["next_due_at"], unique=False)
    op.create_table(
        "prompts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("framework_id", sa.String(length=64), nullable=False),
        sa.Column("behaviour_ids", sa.JSON(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "due",
                "claimed",
                "sent",
                "answered",
                "skipped",
                "expired",
                "failed",
                name="prompt_state",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("claim_expires_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("reminder_sent_at", sa.DateTime(), nullable=True),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=1000), nullable=True),
        sa.Column("skip_reason", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_prompts_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prompts")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_prompts_idempotency_key")),
    )
    op.create_index("ix_prompts_channel_ts", "prompts", ["channel_id", "message_ts"], unique=False)
    op.create_index("ix_prompts_person_due", "prompts", ["person_id", "due_at"], unique=False)
    op.create_index("ix_prompts_reminder", "prompts", ["state", "reminder_sent_at", "sent_at"], unique=False)
    op.create_index("ix_prompts_state_due", "prompts", ["state", "due_at"], unique=False)
    op.create_table(
        "digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("one_on_one_id", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(length=64), nullable=False),
        sa.Column("period_start", sa.DateTime(), nullable=False),
        sa.Column("period_end", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("claimed", "sent", "skipped", "failed", name="digest_state", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("claim_expires_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=1000), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("message_ts", sa.JSON(), nullable=False),
        sa.Column("coverage", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["one_on_one_id"], ["one_on_ones.id"], name=op.f("fk_digests_one_on_one_id_one_on_ones"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digests")),
        sa.UniqueConstraint("one_on_one_id", "period_key", name="uq_digests_period"),
    )
    op.create_index("ix_digests_state_due", "digests", ["state", "due_at"], unique=False)
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=2000), nullable=True),
        sa.Column(
            "source",
            sa.Enum(
                "prompt_reply",
                "modal",
                "command",
                "shortcut",
                "reaction",
                "import",
                name="evidence_source",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("source_key", sa.String(length=255), nullable=True),
        sa.Column("prompt_id", sa.Integer(), nullable=True),
        sa.Column("author_slack_id", sa.String(length=32), nullable=True),
        sa.Column("to_discuss", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_evidence_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["prompt_id"], ["prompts.id"], name=op.f("fk_evidence_prompt_id_prompts"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
        sa.UniqueConstraint("source_key", name=op.f("uq_evidence_source_key")),
    )
    op.create_index("ix_evidence_person_created", "evidence", ["person_id", "created_at"], unique=False)
    op.create_table(
        "evidence_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.String(length=64), nullable=False),
        sa.Column("framework_version", sa.Integer(), nullable=False),
        sa.Column("behaviour_id", sa.String(length=64), nullable=False),
        sa.Column("area_id", sa.String(length=64), nullable=False),
        sa.Column("level_id", sa.String(length=32), nullable=False),
        sa.Column("behaviour_text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence.id"], name=op.f("fk_evidence_tags_evidence_id_evidence"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_tags")),
        sa.UniqueConstraint("evidence_id", "framework_id", "behaviour_id", name="uq_evidence_tags_behaviour"),
    )
    op.create_index("ix_evidence_tags_behaviour", "evidence_tags", ["framework_id", "behaviour_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_evidence_tags_behaviour", table_name="evidence_tags")
    op.drop_table("evidence_tags")
    op.drop_index("ix_evidence_person_created", table_name="evidence")
    op.drop_table("evidence")
    op.drop_index("ix_digests_state_due", table_name="digests")
    op.drop_table("digests")
    op.drop_index("ix_prompts_state_due", table_name="prompts")
    op.drop_index("ix_prompts_reminder", table_name="prompts")
    op.drop_index("ix_prompts_person_due", table_name="prompts")
    op.drop_index("ix_prompts_channel_ts", table_name="prompts")
    op.drop_table("prompts")
    op.drop_index(op.f("ix_prompt_schedules_next_due_at"), table_name="prompt_schedules")
    op.drop_table("prompt_schedules")
    op.drop_index(
        "uq_placements_one_open",
        table_name="placements",
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.drop_index("ix_placements_person_current", table_name="placements")
    op.drop_table("placements")
    op.drop_index("ix_one_on_ones_report", table_name="one_on_ones")
    op.drop_index("ix_one_on_ones_pair", table_name="one_on_ones")
    op.drop_index(op.f("ix_one_on_ones_next_digest_at"), table_name="one_on_ones")
    op.drop_table("one_on_ones")
    op.drop_index(
        "uq_manager_links_one_active",
        table_name="manager_links",
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.drop_index("ix_manager_links_person_status", table_name="manager_links")
    op.drop_index("ix_manager_links_manager_status", table_name="manager_links")
    op.drop_table("manager_links")
    op.drop_index("ix_people_email", table_name="people")
    op.drop_table("people")
    op.drop_table("workspaces")
    op.drop_index("ix_audit_log_subject", table_name="audit_log")
    op.drop_table("audit_log")
