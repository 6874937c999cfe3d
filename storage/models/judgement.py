"""1:1s, check-ins, verdicts (assessments) and the digests sent before each 1:1."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, validates

from storage.clock import utcnow
from storage.models.base import (
    MAX_BEHAVIOUR_ID,
    MAX_COMMENT,
    MAX_ERROR,
    MAX_FRAMEWORK_ID,
    MAX_LEVEL_ID,
    MAX_NAME,
    MAX_SLACK_ID,
    MAX_SOURCE_KEY,
    Base,
    check_length,
    enum_column,
)
from storage.models.enums import Cadence, CheckInOrigin, CheckInState, DigestState, Rater, Verdict


class OneOnOne(Base):
    __tablename__ = "one_on_ones"
    __table_args__ = (
        Index("ix_one_on_ones_pair", "manager_id", "report_id", "active"),
        Index("ix_one_on_ones_report", "report_id", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    report_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    cadence: Mapped[Cadence] = mapped_column(enum_column(Cadence, "cadence"), default=Cadence.WEEKLY)
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
    origin: Mapped[CheckInOrigin] = mapped_column(enum_column(CheckInOrigin, "checkin_origin"))
    # e.g. "schedule:<one_on_one_id>:<due iso>": the tick starts a scheduled check-in exactly once.
    idempotency_key: Mapped[str | None] = mapped_column(String(MAX_SOURCE_KEY), unique=True)
    framework_id: Mapped[str] = mapped_column(String(MAX_FRAMEWORK_ID))
    framework_version: Mapped[int] = mapped_column(Integer)
    behaviour_ids: Mapped[list[str]] = mapped_column(JSON)  # frozen when it starts, in ladder order
    include_current: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[CheckInState] = mapped_column(enum_column(CheckInState, "checkin_state"), default=CheckInState.OPEN)
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
    rater: Mapped[Rater] = mapped_column(enum_column(Rater, "rater"))
    # Inside a check-in a verdict is hidden from the other side until the check-in is revealed.
    checkin_id: Mapped[int | None] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"))
    framework_id: Mapped[str] = mapped_column(String(MAX_FRAMEWORK_ID))
    framework_version: Mapped[int] = mapped_column(Integer)
    behaviour_id: Mapped[str] = mapped_column(String(MAX_BEHAVIOUR_ID))
    area_id: Mapped[str] = mapped_column(String(MAX_FRAMEWORK_ID))
    level_id: Mapped[str] = mapped_column(String(MAX_LEVEL_ID))
    behaviour_text: Mapped[str] = mapped_column(Text)
    verdict: Mapped[Verdict] = mapped_column(enum_column(Verdict, "verdict"))
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
    state: Mapped[DigestState] = mapped_column(enum_column(DigestState, "digest_state"), default=DigestState.CLAIMED)
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
