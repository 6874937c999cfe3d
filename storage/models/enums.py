"""The states and kinds the tables store, each a string enum (stored as its value)."""

from __future__ import annotations

import enum


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
