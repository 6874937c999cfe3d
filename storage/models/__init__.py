"""Every table growthbot keeps, in SQLAlchemy 2 typed style, one module per aggregate: base (the
declarative base, length limits, enum columns), enums, people (workspaces, people, placements, manager
links, schedules, focus), prompts, evidence (items, tags), judgement (1:1s, check-ins, verdicts,
digests) and audit (the access log, break-glass notices). Import from here: `from storage.models import
Person`.

Times are stored as naive UTC datetimes (`utcnow()`); local times are computed from a person's IANA
time zone when needed, never stored. A change to a table needs an Alembic migration in
storage/migrations/versions (one per schema change, never edited after landing).
"""

from __future__ import annotations

from storage.models.audit import (
    AuditEntry,
    BreakGlassNotice,
)
from storage.models.base import (
    MAX_BEHAVIOUR_ID,
    MAX_COMMENT,
    MAX_EMAIL,
    MAX_ERROR,
    MAX_EVIDENCE_TEXT,
    MAX_FRAMEWORK_ID,
    MAX_LEVEL_ID,
    MAX_LINK,
    MAX_NAME,
    MAX_SLACK_ID,
    MAX_SOURCE_KEY,
    MAX_STATUS,
    MAX_SWEEP_CURSOR,
    MAX_TZ,
    NAMING_CONVENTION,
    Base,
    FieldTooLong,
    check_length,
    enum_column,
)
from storage.models.enums import (
    Backoff,
    Cadence,
    CheckInOrigin,
    CheckInState,
    DigestState,
    EvidenceSource,
    ManagerLinkStatus,
    PromptState,
    Rater,
    Verdict,
)
from storage.models.evidence import (
    Evidence,
    EvidenceTag,
)
from storage.models.judgement import (
    Assessment,
    CheckIn,
    Digest,
    OneOnOne,
)
from storage.models.people import (
    NAME_SOURCES,
    DirectorySweep,
    FocusBehaviour,
    ManagerLink,
    Person,
    Placement,
    PromptSchedule,
    Workspace,
    shown_name,
)
from storage.models.prompts import (
    Prompt,
)

__all__ = [
    "MAX_BEHAVIOUR_ID",
    "MAX_COMMENT",
    "MAX_EMAIL",
    "MAX_ERROR",
    "MAX_EVIDENCE_TEXT",
    "MAX_FRAMEWORK_ID",
    "MAX_LEVEL_ID",
    "MAX_LINK",
    "MAX_NAME",
    "MAX_SLACK_ID",
    "MAX_SOURCE_KEY",
    "MAX_STATUS",
    "MAX_SWEEP_CURSOR",
    "MAX_TZ",
    "NAME_SOURCES",
    "NAMING_CONVENTION",
    "Assessment",
    "AuditEntry",
    "Backoff",
    "Base",
    "BreakGlassNotice",
    "Cadence",
    "CheckIn",
    "CheckInOrigin",
    "CheckInState",
    "Digest",
    "DigestState",
    "DirectorySweep",
    "Evidence",
    "EvidenceSource",
    "EvidenceTag",
    "FieldTooLong",
    "FocusBehaviour",
    "ManagerLink",
    "ManagerLinkStatus",
    "OneOnOne",
    "Person",
    "Placement",
    "Prompt",
    "PromptSchedule",
    "PromptState",
    "Rater",
    "Verdict",
    "Workspace",
    "check_length",
    "enum_column",
    "shown_name",
]
