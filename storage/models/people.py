"""Workspaces, people, where they stand on a ladder, who manages them, and their prompt schedule."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Time,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from storage.clock import utcnow
from storage.models.base import (
    MAX_BEHAVIOUR_ID,
    MAX_EMAIL,
    MAX_FRAMEWORK_ID,
    MAX_NAME,
    MAX_SLACK_ID,
    MAX_STATUS,
    MAX_SWEEP_CURSOR,
    MAX_TZ,
    Base,
    check_length,
    enum_column,
)
from storage.models.enums import Backoff, Cadence, ManagerLinkStatus


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(MAX_SLACK_ID), unique=True)
    name: Mapped[str | None] = mapped_column(String(MAX_NAME))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Slack said the app was uninstalled (app_uninstalled, or its bot token revoked): nothing is sent to
    # the workspace; its people's data is deleted once the retention period after this has passed.
    uninstalled_at: Mapped[datetime | None] = mapped_column(DateTime)
    data_deleted_at: Mapped[datetime | None] = mapped_column(DateTime)  # that deletion done

    @validates("team_id", "name")
    def _check_lengths(self, key: str, value: str | None) -> str | None:
        return check_length(key, value, {"team_id": MAX_SLACK_ID, "name": MAX_NAME}[key])


NAME_SOURCES = ("slack_real_name", "slack_display_name", "imported_name")


def shown_name(slack_real_name: str | None, slack_display_name: str | None, imported_name: str | None) -> str | None:
    """The one naming rule (issue 15): Slack's real name, then Slack's display name, then the imported name.

    Slack's names win once Slack has described someone; an org file's name still shows for someone Slack
    never described. `Person.display_name` holds the result, set through `Person`'s validator, and bulk
    writers (people import) call this for their rows.
    """
    for name in (slack_real_name, slack_display_name, imported_name):
        if name and name.strip():
            return name.strip()
    return None


class DirectorySweep(Base):
    """Where the paged users.list sweep (the catch-up for missed user_change events) stands: one row per
    directory (`name`, e.g. "users.list"). `cursor` is the next page's; None with `started_at` set
    means no sweep is under way."""

    __tablename__ = "directory_sweeps"

    name: Mapped[str] = mapped_column(String(MAX_SLACK_ID), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(String(MAX_SWEEP_CURSOR))
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    pages: Mapped[int] = mapped_column(Integer, default=0)


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("workspace_id", "slack_user_id", name="uq_people_workspace_user"),
        Index("ix_people_email", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    slack_user_id: Mapped[str] = mapped_column(String(MAX_SLACK_ID))
    # The name every surface shows: derived by `shown_name` from the three sources below whenever one of
    # them is set, so it is never written on its own (a digest and a DM cannot disagree about a name).
    display_name: Mapped[str | None] = mapped_column(String(MAX_NAME))
    slack_real_name: Mapped[str | None] = mapped_column(String(MAX_NAME))
    slack_display_name: Mapped[str | None] = mapped_column(String(MAX_NAME))
    imported_name: Mapped[str | None] = mapped_column(String(MAX_NAME))  # the org file's name column
    email: Mapped[str | None] = mapped_column(String(MAX_EMAIL))
    tz: Mapped[str] = mapped_column(String(MAX_TZ), default="UTC")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    inactive_reason: Mapped[str | None] = mapped_column(String(MAX_NAME))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # What Slack last said about the person (user_change / team_join events, the users.list sweep, or
    # users.info), read by the send path instead of a users.info per prompt (bot.services.profiles).
    # `slack_tz` is Slack's zone; `tz` is the one their schedule follows (the send path moves it).
    slack_tz: Mapped[str | None] = mapped_column(String(MAX_TZ))
    status_text: Mapped[str | None] = mapped_column(String(MAX_STATUS))
    status_emoji: Mapped[str | None] = mapped_column(String(MAX_STATUS))
    status_expiration: Mapped[int | None] = mapped_column(BigInteger)  # epoch seconds; 0: never
    slack_deleted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    profile_fetched_at: Mapped[datetime | None] = mapped_column(DateTime)  # None: never read from Slack

    workspace: Mapped[Workspace] = relationship()

    @validates(*NAME_SOURCES)
    def _derive_shown_name(self, key: str, value: str | None) -> str | None:
        value = check_length(key, (value or "").strip() or None, MAX_NAME)
        sources = {source: value if source == key else getattr(self, source) for source in NAME_SOURCES}
        self.display_name = shown_name(**sources)
        return value

    @validates(
        "display_name", "email", "tz", "slack_user_id", "inactive_reason", "slack_tz", "status_text", "status_emoji"
    )
    def _check_lengths(self, key: str, value: str | None) -> str | None:
        limits = {
            "display_name": MAX_NAME,
            "email": MAX_EMAIL,
            "tz": MAX_TZ,
            "slack_user_id": MAX_SLACK_ID,
            "inactive_reason": MAX_NAME,
            "slack_tz": MAX_TZ,
            "status_text": MAX_STATUS,
            "status_emoji": MAX_STATUS,
        }
        if key == "email" and value is not None:
            # Stored lower-case so lookups by email can use the plain index.
            value = value.strip().lower() or None
        return check_length(key, value, limits[key])


class Placement(Base):
    """Where a person sits on a ladder. A promotion ends one placement and opens the next."""

    __tablename__ = "placements"
    __table_args__ = (
        Index("ix_placements_person_current", "person_id", "ended_at"),
        # At most one open placement per person, even when two writers race.
        Index(
            "uq_placements_one_open",
            "person_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    framework_id: Mapped[str] = mapped_column(String(MAX_FRAMEWORK_ID))
    # area id -> level id; every area of the framework has an entry.
    levels: Mapped[dict[str, Any]] = mapped_column(JSON)
    track: Mapped[str | None] = mapped_column(String(MAX_FRAMEWORK_ID))
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    reason: Mapped[str | None] = mapped_column(String(MAX_NAME))  # "setup", "import", "promotion", ...

    @validates("framework_id", "track", "reason")
    def _check_lengths(self, key: str, value: str | None) -> str | None:
        return check_length(
            key, value, {"framework_id": MAX_FRAMEWORK_ID, "track": MAX_FRAMEWORK_ID, "reason": MAX_NAME}[key]
        )


class ManagerLink(Base):
    """Who manages whom. Evidence flows to a manager only once the link is ACTIVE (the report consented)."""

    __tablename__ = "manager_links"
    __table_args__ = (
        Index("ix_manager_links_person_status", "person_id", "status"),
        Index("ix_manager_links_manager_status", "manager_id", "status"),
        # Per tick: pending links whose consent DM is not sent yet.
        Index("ix_manager_links_pending_notice", "status", "notified_at"),
        # A person has at most one active manager, even when two writers race.
        Index(
            "uq_manager_links_one_active",
            "person_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    manager_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    status: Mapped[ManagerLinkStatus] = mapped_column(enum_column(ManagerLinkStatus, "manager_link_status"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    # When the report was DM'd the consent request (None: not yet; the tick sends it).
    notified_at: Mapped[datetime | None] = mapped_column(DateTime)

    person: Mapped[Person] = relationship(foreign_keys=[person_id], lazy="joined", innerjoin=True)
    manager: Mapped[Person] = relationship(foreign_keys=[manager_id], lazy="joined", innerjoin=True)


class PromptSchedule(Base):
    """When a person wants their weekly prompt. `next_due_at` is derived and indexed for the tick."""

    __tablename__ = "prompt_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), unique=True)
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday
    local_time: Mapped[time] = mapped_column(Time)
    cadence: Mapped[Cadence] = mapped_column(enum_column(Cadence, "cadence"), default=Cadence.WEEKLY)
    # Fortnightly schedules prompt in weeks whose ISO week parity matches this anchor's.
    anchor_date: Mapped[date | None] = mapped_column(Date)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_until: Mapped[datetime | None] = mapped_column(DateTime)  # None with paused=True: indefinitely
    snoozed_until: Mapped[datetime | None] = mapped_column(DateTime)
    next_due_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # Backing off after unanswered prompts (bot.services.backoff): the state, when the question was
    # decided (only prompts sent after it count toward the next three), and the cadence to restore.
    backoff: Mapped[Backoff | None] = mapped_column(enum_column(Backoff, "backoff"), index=True)
    backoff_at: Mapped[datetime | None] = mapped_column(DateTime)
    cadence_before_backoff: Mapped[Cadence | None] = mapped_column(enum_column(Cadence, "cadence"))


class FocusBehaviour(Base):
    """A behaviour of their next milestone a person chose to work on (at most three at a time)."""

    __tablename__ = "focus_behaviours"
    __table_args__ = (
        UniqueConstraint("person_id", "framework_id", "behaviour_id", name="uq_focus_behaviours_behaviour"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    framework_id: Mapped[str] = mapped_column(String(MAX_FRAMEWORK_ID))
    behaviour_id: Mapped[str] = mapped_column(String(MAX_BEHAVIOUR_ID))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @validates("framework_id", "behaviour_id")
    def _check_lengths(self, key: str, value: str | None) -> str | None:
        return check_length(key, value, MAX_FRAMEWORK_ID if key == "framework_id" else MAX_BEHAVIOUR_ID)
