"""Every table growthbot keeps, in SQLAlchemy 2 typed style.

Times are stored as naive UTC datetimes (`utcnow()`); local times are computed from a person's IANA
time zone when needed, never stored. A change to this file needs an Alembic migration in
storage/migrations/versions (one per schema change, never edited after landing).
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    event,
    false,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from storage.clock import utcnow
from storage.text import without_controls

# Maximum lengths for text a user or Slack gives us. Longer input is refused with FieldTooLong,
# never truncated silently.
MAX_SLACK_ID = 32
MAX_NAME = 200
MAX_EMAIL = 254
MAX_TZ = 64
MAX_SWEEP_CURSOR = 1_000
MAX_STATUS = 200  # a Slack status text (100 characters in Slack) or emoji name
MAX_FRAMEWORK_ID = 64
MAX_BEHAVIOUR_ID = 64
MAX_LEVEL_ID = 32
MAX_EVIDENCE_TEXT = 10_000
MAX_LINK = 2_000
MAX_SOURCE_KEY = 255
MAX_ERROR = 1_000
MAX_COMMENT = 2_000  # a verdict's or a dispute's comment

# Stable constraint names so Alembic migrations render the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class FieldTooLong(ValueError):
    """A text value is longer than the column allows; the message says which field and the limit."""

    def __init__(self, field: str, length: int, limit: int) -> None:
        self.field, self.length, self.limit = field, length, limit
        super().__init__(f"{field} is {length:,} characters long; the limit is {limit:,}. Shorten it and try again.")


def check_length(field: str, value: str | None, limit: int) -> str | None:
    """Every text column set through the ORM passes here: control characters go (the rule in
    bot.services.text), then the length is checked."""
    if value is None:
        return None
    value = without_controls(value)
    if len(value) > limit:
        raise FieldTooLong(field, len(value), limit)
    return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON, list[int]: JSON}


class PromptState(enum.StrEnum):
    DUE = "due"
    CLAIMED = "claimed"
    SENT = "sent"
    ANSWERED = "answered"
    SKIPPED = "skipped"
    EXPIRED = "expired"
    FAILED = "failed"


class Cadence(enum.StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"  # every fourth week (prompts only: the back-off's slowest step)


class Backoff(enum.StrEnum):
    """Where a person's prompts are in backing off after unanswered prompts (None: not backing off)."""

    ASK_DUE = "ask_due"  # three in a row unanswered: the tick asks once which cadence they want
    ASKED = "asked"  # the question was sent; no answer by the next slot moves them to fortnightly
    NOTICE_DUE = "notice_due"  # moved to fortnightly by itself: the tick says so, once
    AUTO = "auto"  # fortnightly by itself, said so; an answer restores `cadence_before_backoff`


class EvidenceSource(enum.StrEnum):
    PROMPT_REPLY = "prompt_reply"
    MODAL = "modal"
    COMMAND = "command"
    SHORTCUT = "shortcut"
    REACTION = "reaction"
    IMPORT = "import"


class ManagerLinkStatus(enum.StrEnum):
    PENDING = "pending"  # named as manager, waiting for the report's consent
    ACTIVE = "active"
    DECLINED = "declined"
    ENDED = "ended"


class DigestState(enum.StrEnum):
    CLAIMED = "claimed"
    SENT = "sent"
    SKIPPED = "skipped"
    FAILED = "failed"


class Verdict(enum.StrEnum):
    """How often a behaviour is shown, in ladder order (the index is the step in a disagreement)."""

    NOT_YET = "not_yet"
    SOMETIMES = "sometimes"
    CONSISTENTLY = "consistently"


class Rater(enum.StrEnum):
    SELF = "self"
    MANAGER = "manager"


class CheckInState(enum.StrEnum):
    OPEN = "open"  # raters are rating, blind
    REVEALED = "revealed"  # both submitted, or the deadline passed: each side sees the other's verdicts
    CANCELLED = "cancelled"


class CheckInOrigin(enum.StrEnum):
    SELF = "self"  # `/ladder checkin`
    MANAGER = "manager"  # `/ladder checkin @person`
    SCHEDULE = "schedule"  # the 1:1 series' check-in schedule, started by the tick


def _enum(enum_cls: type[enum.Enum], name: str) -> Enum:
    # Stored as plain strings (no native PG enum) so adding a value never needs an ALTER TYPE.
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        validate_strings=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )


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
    status: Mapped[ManagerLinkStatus] = mapped_column(_enum(ManagerLinkStatus, "manager_link_status"))
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
    cadence: Mapped[Cadence] = mapped_column(_enum(Cadence, "cadence"), default=Cadence.WEEKLY)
    # Fortnightly schedules prompt in weeks whose ISO week parity matches this anchor's.
    anchor_date: Mapped[date | None] = mapped_column(Date)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_until: Mapped[datetime | None] = mapped_column(DateTime)  # None with paused=True: indefinitely
    snoozed_until: Mapped[datetime | None] = mapped_column(DateTime)
    next_due_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # Backing off after unanswered prompts (bot.services.backoff): the state, when the question was
    # decided (only prompts sent after it count toward the next three), and the cadence to restore.
    backoff: Mapped[Backoff | None] = mapped_column(_enum(Backoff, "backoff"), index=True)
    backoff_at: Mapped[datetime | None] = mapped_column(DateTime)
    cadence_before_backoff: Mapped[Cadence | None] = mapped_column(_enum(Cadence, "cadence"))


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


class Prompt(Base):
    __tablename__ = "prompts"
    __table_args__ = (
        Index("ix_prompts_state_due", "state", "due_at"),
        Index("ix_prompts_person_due", "person_id", "due_at"),
        Index("ix_prompts_channel_ts", "channel_id", "message_ts"),
        # Per tick: sent, not yet reminded, sent before a cutoff.
        Index("ix_prompts_reminder", "state", "reminder_sent_at", "sent_at"),
        # reminders_due: sent, not reminded, reminder time passed, earliest first: one index range.
        Index("ix_prompts_reminder_due", "state", "reminder_sent_at", "next_attempt_at"),
        # take_closes: the few prompts whose buttons are still to be taken off, oldest first.
        Index(
            "ix_prompts_close_pending",
            "close_pending_at",
            sqlite_where=text("close_pending_at IS NOT NULL"),
            postgresql_where=text("close_pending_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    # Unique per person and period ("<person id>:<local date of the slot>"): one prompt per slot, ever.
    idempotency_key: Mapped[str] = mapped_column(String(MAX_SOURCE_KEY), unique=True)
    framework_id: Mapped[str] = mapped_column(String(MAX_FRAMEWORK_ID))
    behaviour_ids: Mapped[list[str]] = mapped_column(JSON)
    due_at: Mapped[datetime] = mapped_column(DateTime)
    state: Mapped[PromptState] = mapped_column(_enum(PromptState, "prompt_state"), default=PromptState.DUE)
    claimed_by: Mapped[str | None] = mapped_column(String(MAX_NAME))
    claim_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    channel_id: Mapped[str | None] = mapped_column(String(MAX_SLACK_ID))
    message_ts: Mapped[str | None] = mapped_column(String(MAX_SLACK_ID))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(String(MAX_ERROR))
    skip_reason: Mapped[str | None] = mapped_column(String(MAX_NAME))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # A newer prompt replaced this one unanswered: from this time its buttons are to be taken off (a
    # close under way pushes it forward as its lease); NULL once closed, or when there is nothing to close.
    close_pending_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)  # when its buttons were taken off

    @validates("last_error")
    def _clip_error(self, key: str, value: str | None) -> str | None:
        # Our own diagnostic, not user input: keeping the head of a long error is the useful part.
        return value[:MAX_ERROR] if value else value

    @validates("idempotency_key", "framework_id", "claimed_by", "channel_id", "message_ts", "skip_reason")
    def _check_lengths(self, key: str, value: str | None) -> str | None:
        limits = {
            "idempotency_key": MAX_SOURCE_KEY,
            "framework_id": MAX_FRAMEWORK_ID,
            "claimed_by": MAX_NAME,
            "channel_id": MAX_SLACK_ID,
            "message_ts": MAX_SLACK_ID,
            "skip_reason": MAX_NAME,
        }
        return check_length(key, value, limits[key])


class Evidence(Base):
    __tablename__ = "evidence"
    __table_args__ = (
        Index("ix_evidence_person_created", "person_id", "created_at"),
        Index("ix_evidence_unconfirmed", "confirmed_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(MAX_LINK))
    source: Mapped[EvidenceSource] = mapped_column(_enum(EvidenceSource, "evidence_source"))
    # e.g. "T123:D456:1700000000.000100": a retried Slack delivery never stores the same thing twice.
    source_key: Mapped[str | None] = mapped_column(String(MAX_SOURCE_KEY), unique=True)
    prompt_id: Mapped[int | None] = mapped_column(ForeignKey("prompts.id", ondelete="SET NULL"))
    author_slack_id: Mapped[str | None] = mapped_column(String(MAX_SLACK_ID))  # who wrote a saved message
    to_discuss: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    # When the person was shown it was saved (reaction, note, DM). Still empty a while after saving means
    # the process stopped in between; the tick then confirms it, so nobody writes the same thing twice.
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)

    tags: Mapped[list[EvidenceTag]] = relationship(
        back_populates="evidence", cascade="all, delete-orphan", lazy="selectin", order_by="EvidenceTag.id"
    )

    @validates("text", "link", "source_key", "author_slack_id")
    def _check_lengths(self, key: str, value: str | None) -> str | None:
        limits = {
            "text": MAX_EVIDENCE_TEXT,
            "link": MAX_LINK,
            "source_key": MAX_SOURCE_KEY,
            "author_slack_id": MAX_SLACK_ID,
        }
        return check_length(key, value, limits[key])


class EvidenceTag(Base):
    """A behaviour an evidence item shows, with a snapshot so ladder edits never rewrite history."""

    __tablename__ = "evidence_tags"
    __table_args__ = (
        UniqueConstraint("evidence_id", "framework_id", "behaviour_id", name="uq_evidence_tags_behaviour"),
        # Coverage, behaviour statistics and disputes read one person's tags of one ladder: the only
        # index on these columns leads with the person, so no plan reads the whole organisation's tags.
        # It holds every column coverage reads (item_at, disputed_at), so coverage is one index range.
        Index("ix_evidence_tags_person", "person_id", "framework_id", "behaviour_id", "item_at", "disputed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id", ondelete="CASCADE"))
    # The evidence's person, copied (an item never changes owner) so a person's tags are one index range.
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    framework_id: Mapped[str] = mapped_column(String(MAX_FRAMEWORK_ID))
    framework_version: Mapped[int] = mapped_column(Integer)
    behaviour_id: Mapped[str] = mapped_column(String(MAX_BEHAVIOUR_ID))
    area_id: Mapped[str] = mapped_column(String(MAX_FRAMEWORK_ID))
    level_id: Mapped[str] = mapped_column(String(MAX_LEVEL_ID))
    behaviour_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The item's created_at while the item is not deleted, NULL once it is: what coverage counts, read
    # from the tag alone. Kept in step by the mapper (below), however the tag or the item is written.
    item_at: Mapped[datetime | None] = mapped_column(DateTime)
    # A manager's "this doesn't show that behaviour": the tag stops counting toward coverage and
    # readiness, and stays visible as disputed. Retagging the item removes the tag and its dispute.
    disputed_at: Mapped[datetime | None] = mapped_column(DateTime)
    disputed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    dispute_comment: Mapped[str | None] = mapped_column(Text)

    evidence: Mapped[Evidence] = relationship(back_populates="tags")

    @validates("framework_id", "behaviour_id", "area_id", "level_id", "dispute_comment")
    def _check_lengths(self, key: str, value: str | None) -> str | None:
        limits = {
            "framework_id": MAX_FRAMEWORK_ID,
            "behaviour_id": MAX_BEHAVIOUR_ID,
            "area_id": MAX_FRAMEWORK_ID,
            "level_id": MAX_LEVEL_ID,
            "dispute_comment": MAX_COMMENT,
        }
        return check_length(key, value, limits[key])


def _item_at(created_at: datetime | None, deleted_at: datetime | None) -> datetime | None:
    """What an item's tags hold in `item_at`."""
    return created_at if deleted_at is None else None


@event.listens_for(EvidenceTag, "before_insert")
def _copy_item_at_to_new_tag(_mapper: Any, _connection: Any, tag: EvidenceTag) -> None:
    evidence = inspect(tag).dict.get("evidence")
    if evidence is not None:
        tag.item_at = _item_at(evidence.created_at, evidence.deleted_at)
        return
    # Made with only `evidence_id`: the item's time, read by the INSERT itself.
    item = Evidence.__table__.c
    copied = select(item.created_at).where(item.id == tag.evidence_id, item.deleted_at.is_(None))
    tag.item_at = copied.scalar_subquery()  # type: ignore[assignment]


@event.listens_for(Evidence.deleted_at, "set")
def _copy_deletion_to_tags(evidence: Evidence, deleted_at: Any, _old: Any, _initiator: Any) -> None:
    for tag in evidence.tags:
        tag.item_at = _item_at(evidence.created_at, deleted_at)


class OneOnOne(Base):
    __tablename__ = "one_on_ones"
    __table_args__ = (
        Index("ix_one_on_ones_pair", "manager_id", "report_id", "active"),
        Index("ix_one_on_ones_report", "report_id", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    report_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    cadence: Mapped[Cadence] = mapped_column(_enum(Cadence, "cadence"), default=Cadence.WEEKLY)
    weekday: Mapped[int] = mapped_column(Integer)
    local_time: Mapped[time] = mapped_column(Time)  # in the manager's time zone
    anchor_date: Mapped[date | None] = mapped_column(Date)
    digest_lead_minutes: Mapped[int] = mapped_column(Integer, default=120)
    next_at: Mapped[datetime | None] = mapped_column(DateTime)  # next meeting, UTC
    next_digest_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)  # next_at - lead
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Check-ins on this series' schedule: every N weeks (None: off), the next one started by the tick.
    checkin_every_weeks: Mapped[int | None] = mapped_column(Integer, default=13)
    next_checkin_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)


class CheckIn(Base):
    """One round of blind self and manager ratings over a frozen list of behaviours."""

    __tablename__ = "checkins"
    __table_args__ = (
        Index("ix_checkins_person_state", "person_id", "state"),
        Index("ix_checkins_state_deadline", "state", "deadline_at"),
        # At most one open check-in per person, even when two starts race (checkins.start resumes it).
        Index(
            "uq_checkins_one_open",
            "person_id",
            unique=True,
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
        Index("ix_checkins_unsent", "state", "reveal_sent_at", "revealed_at"),  # the tick's lost-reveal sweep
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    # The accepted manager when it started; None: a self-only check-in (nobody to rate with).
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    one_on_one_id: Mapped[int | None] = mapped_column(ForeignKey("one_on_ones.id", ondelete="SET NULL"))
    origin: Mapped[CheckInOrigin] = mapped_column(_enum(CheckInOrigin, "checkin_origin"))
    # e.g. "schedule:<one_on_one_id>:<due iso>": the tick starts a scheduled check-in exactly once.
    idempotency_key: Mapped[str | None] = mapped_column(String(MAX_SOURCE_KEY), unique=True)
    framework_id: Mapped[str] = mapped_column(String(MAX_FRAMEWORK_ID))
    framework_version: Mapped[int] = mapped_column(Integer)
    behaviour_ids: Mapped[list[str]] = mapped_column(JSON)  # frozen when it starts, in ladder order
    include_current: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[CheckInState] = mapped_column(_enum(CheckInState, "checkin_state"), default=CheckInState.OPEN)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    deadline_at: Mapped[datetime] = mapped_column(DateTime)
    self_submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    manager_submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    self_reminded_at: Mapped[datetime | None] = mapped_column(DateTime)
    manager_reminded_at: Mapped[datetime | None] = mapped_column(DateTime)
    revealed_at: Mapped[datetime | None] = mapped_column(DateTime)
    reveal_sent_at: Mapped[datetime | None] = mapped_column(DateTime)  # both sides told the result
    # The "Start rating" DMs went out; still None a while after it started: the tick sends them.
    invites_sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    @validates("idempotency_key", "framework_id")
    def _check_lengths(self, key: str, value: str | None) -> str | None:
        return check_length(key, value, MAX_SOURCE_KEY if key == "idempotency_key" else MAX_FRAMEWORK_ID)


class Assessment(Base):
    """One verdict on one behaviour by one rater. Never updated: the latest per rater is current."""

    __tablename__ = "assessments"
    __table_args__ = (
        Index("ix_assessments_person_behaviour", "person_id", "framework_id", "behaviour_id", "created_at"),
        Index("ix_assessments_checkin", "checkin_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    # Who judged; kept when they stop being the manager (their verdicts stay in the history).
    rater_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    rater: Mapped[Rater] = mapped_column(_enum(Rater, "rater"))
    # Inside a check-in a verdict is hidden from the other side until the check-in is revealed.
    checkin_id: Mapped[int | None] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"))
    framework_id: Mapped[str] = mapped_column(String(MAX_FRAMEWORK_ID))
    framework_version: Mapped[int] = mapped_column(Integer)
    behaviour_id: Mapped[str] = mapped_column(String(MAX_BEHAVIOUR_ID))
    area_id: Mapped[str] = mapped_column(String(MAX_FRAMEWORK_ID))
    level_id: Mapped[str] = mapped_column(String(MAX_LEVEL_ID))
    behaviour_text: Mapped[str] = mapped_column(Text)
    verdict: Mapped[Verdict] = mapped_column(_enum(Verdict, "verdict"))
    comment: Mapped[str | None] = mapped_column(Text)
    evidence_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # e.g. "view:<view id>:<behaviour id>": a double click or a Slack retry stores one verdict.
    source_key: Mapped[str | None] = mapped_column(String(MAX_SOURCE_KEY), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @validates("framework_id", "behaviour_id", "area_id", "level_id", "comment", "source_key")
    def _check_lengths(self, key: str, value: str | None) -> str | None:
        limits = {
            "framework_id": MAX_FRAMEWORK_ID,
            "behaviour_id": MAX_BEHAVIOUR_ID,
            "area_id": MAX_FRAMEWORK_ID,
            "level_id": MAX_LEVEL_ID,
            "comment": MAX_COMMENT,
            "source_key": MAX_SOURCE_KEY,
        }
        return check_length(key, value, limits[key])


class Digest(Base):
    __tablename__ = "digests"
    __table_args__ = (
        UniqueConstraint("one_on_one_id", "period_key", name="uq_digests_period"),
        Index("ix_digests_state_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    one_on_one_id: Mapped[int] = mapped_column(ForeignKey("one_on_ones.id", ondelete="CASCADE"))
    period_key: Mapped[str] = mapped_column(String(64))  # the meeting's UTC start, ISO
    period_start: Mapped[datetime] = mapped_column(DateTime)
    period_end: Mapped[datetime] = mapped_column(DateTime)
    due_at: Mapped[datetime] = mapped_column(DateTime)
    state: Mapped[DigestState] = mapped_column(_enum(DigestState, "digest_state"), default=DigestState.CLAIMED)
    claimed_by: Mapped[str | None] = mapped_column(String(MAX_NAME))
    claim_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(MAX_ERROR))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    channel_id: Mapped[str | None] = mapped_column(String(MAX_SLACK_ID))
    message_ts: Mapped[list[str]] = mapped_column(JSON, default=list)  # one ts per split part
    # Coverage per area at send time, so the next digest can show the change.
    coverage: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    @validates("last_error")
    def _clip_error(self, key: str, value: str | None) -> str | None:
        return value[:MAX_ERROR] if value else value

    @validates("period_key", "claimed_by", "channel_id")
    def _check_lengths(self, key: str, value: str | None) -> str | None:
        return check_length(key, value, {"period_key": 64, "claimed_by": MAX_NAME, "channel_id": MAX_SLACK_ID}[key])


class AuditEntry(Base):
    """Who read, exported or deleted whose data. Survives the subject's deletion (ids kept as text)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_subject", "subject_slack_id", "at"),
        Index("ix_audit_log_at", "at"),  # retention pruning reads the oldest entries first
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor_slack_id: Mapped[str | None] = mapped_column(String(MAX_SLACK_ID))  # None: the CLI / system
    action: Mapped[str] = mapped_column(String(64))  # viewed_evidence, exported, deleted_person, ...
    subject_slack_id: Mapped[str | None] = mapped_column(String(MAX_SLACK_ID))
    workspace_team_id: Mapped[str | None] = mapped_column(String(MAX_SLACK_ID))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    @validates("actor_slack_id", "action", "subject_slack_id", "workspace_team_id")
    def _check_lengths(self, key: str, value: str | None) -> str | None:
        return check_length(key, value, 64 if key == "action" else MAX_SLACK_ID)


class BreakGlassNotice(Base):
    """The one DM telling an engineer that an admin read their data (GROWTHBOT_ADMINS_READ_EVIDENCE), per
    admin, person and the person's local day. The unique key is the claim: two instances never both send."""

    __tablename__ = "break_glass_notices"
    __table_args__ = (
        UniqueConstraint("admin_slack_id", "subject_slack_id", "day", name="uq_break_glass_notices_key"),
        Index("ix_break_glass_notices_unsent", "sent_at", "last_read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    admin_slack_id: Mapped[str] = mapped_column(String(MAX_SLACK_ID))
    subject_slack_id: Mapped[str] = mapped_column(String(MAX_SLACK_ID))
    workspace_team_id: Mapped[str | None] = mapped_column(String(MAX_SLACK_ID))
    day: Mapped[date] = mapped_column(Date)  # the engineer's local date of the first read
    first_read_at: Mapped[datetime] = mapped_column(DateTime)
    last_read_at: Mapped[datetime] = mapped_column(DateTime)
    claim_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    @validates("admin_slack_id", "subject_slack_id", "workspace_team_id")
    def _check_lengths(self, key: str, value: str | None) -> str | None:
        return check_length(key, value, MAX_SLACK_ID)
