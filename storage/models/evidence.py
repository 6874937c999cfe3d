"""Evidence and its tags, with the mapper events that keep each tag's copy of its item's time in step."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from storage.clock import utcnow
from storage.models.base import (
    MAX_BEHAVIOUR_ID,
    MAX_COMMENT,
    MAX_EVIDENCE_TEXT,
    MAX_FRAMEWORK_ID,
    MAX_LEVEL_ID,
    MAX_LINK,
    MAX_SLACK_ID,
    MAX_SOURCE_KEY,
    Base,
    check_length,
    enum_column,
)
from storage.models.enums import EvidenceSource


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
    source: Mapped[EvidenceSource] = mapped_column(enum_column(EvidenceSource, "evidence_source"))
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
