"""What every table shares: the declarative base with stable constraint names, the length limits of
text a user or Slack gives us (refused with FieldTooLong, never truncated), and enum columns stored as
plain strings."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Enum,
    MetaData,
)
from sqlalchemy.orm import DeclarativeBase

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


def enum_column(enum_cls: type[enum.Enum], name: str) -> Enum:
    # Stored as plain strings (no native PG enum) so adding a value never needs an ALTER TYPE.
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        validate_strings=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )
