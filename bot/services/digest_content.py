"""What a digest holds: the plain values `bot.services.digests` builds and bot/blocks/digest.py renders."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from bot.services.assessments import Disagreement, VerdictView
from bot.services.readiness import AreaReadiness
from frameworks import Behaviour
from storage.models import Person

POINTS_KEY = "_talking_points"  # where Digest.coverage remembers the talking points shown


@dataclass(frozen=True, slots=True)
class PersonRef:
    person_id: int
    slack_user_id: str
    name: str
    tz: str = "UTC"

    @classmethod
    def of(cls, person: Person) -> PersonRef:
        return cls(person.id, person.slack_user_id, person.display_name or person.slack_user_id, person.tz or "UTC")


@dataclass(frozen=True, slots=True)
class TagRef:
    """One behaviour an item shows, as snapshotted when it was tagged."""

    framework_id: str
    behaviour_id: str
    area_id: str
    level_id: str
    behaviour_text: str
    disputed: bool = False  # the manager said it doesn't show this behaviour: shown, never counted
    dispute_comment: str | None = None


# What an item's button on the engineer's preview shows after a click (bot.services.digest_preview).
ItemState = Literal["sent_to_manager", "queued", "unflagged"]


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    id: int
    created_at: datetime
    text: str  # raw, as written; renderers escape it
    link: str | None = None
    to_discuss: bool = False
    tags: tuple[TagRef, ...] = ()


@dataclass(frozen=True, slots=True)
class BehaviourEvidence:
    behaviour_id: str | None  # None: items with no tag
    text: str
    level_name: str | None
    items: tuple[EvidenceItem, ...]


@dataclass(frozen=True, slots=True)
class AreaEvidence:
    area_id: str | None
    area_name: str
    behaviours: tuple[BehaviourEvidence, ...]


@dataclass(frozen=True, slots=True)
class BehaviourStat:
    """A person's evidence for one behaviour, all time up to the period end."""

    count: int = 0
    last_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class BehaviourStatLine:
    """A focus behaviour in the digest: its text, evidence so far, new this period, the manager's verdict."""

    behaviour_id: str
    text: str
    count: int
    new: int
    verdict: VerdictView | None


@dataclass(frozen=True, slots=True)
class MilestoneArea:
    """One area of the next milestone: the level above the person's, and its behaviours."""

    area_id: str
    area_name: str
    level_id: str | None  # None: already at the top level of this area
    level_name: str | None
    behaviours: tuple[Behaviour, ...]

    @property
    def at_top(self) -> bool:
        return self.level_id is None


@dataclass(frozen=True, slots=True)
class AreaCoverage:
    area_id: str
    area_name: str
    level_name: str | None
    covered: int
    total: int
    previous: int | None = None  # covered at the last digest, if there was one
    last_evidence_at: datetime | None = None
    at_top: bool = False
    level_id: str | None = None  # the level measured against (the next one in this area)
    new_level: bool = False  # the last digest measured another level here (a promotion): no delta

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.covered - self.previous


class TalkingPointKind(StrEnum):
    DISAGREEMENT = "disagreement"  # self and manager verdicts differ
    DISPUTED = "disputed"  # evidence the manager said does not show its behaviour
    FLAGGED = "flagged"
    FOCUS = "focus"  # a focus behaviour without recent evidence
    NEVER_EVIDENCED = "never_evidenced"
    QUIET_AREA = "quiet_area"


@dataclass(frozen=True, slots=True)
class TalkingPoint:
    kind: TalkingPointKind
    text: str  # raw; renderers escape it
    items: tuple[EvidenceItem, ...] = ()
    key: str = ""  # stable across digests: what the rotation remembers
    why: str = ""  # raw: why this point is in this digest


@dataclass(frozen=True, slots=True)
class PromptActivity:
    asked: int = 0
    answered: int = 0  # bot.services.backoff.answered: "nothing this week" is an answer too
    last_answer_at: datetime | None = None  # the last prompt answered; surfaces show last_evidence instead
    away: int = 0  # prompts of the period skipped because the person was away (status, quiet day)

    @property
    def rate(self) -> float | None:
        return None if self.asked == 0 else min(1.0, self.answered / self.asked)


@dataclass(frozen=True, slots=True)
class DisputedTag:
    """A disputed tag on one of the person's items: shown (marked), never counted."""

    item: EvidenceItem
    behaviour_id: str
    behaviour_text: str
    comment: str | None  # raw; renderers escape it


@dataclass(frozen=True, slots=True)
class DigestContent:
    report: PersonRef
    manager: PersonRef | None
    period_start: datetime
    period_end: datetime
    framework_name: str | None
    new_evidence: tuple[AreaEvidence, ...]
    new_evidence_count: int
    coverage: tuple[AreaCoverage, ...]
    talking_points: tuple[TalkingPoint, ...]
    flagged: tuple[EvidenceItem, ...]
    prompts: PromptActivity
    notes: tuple[str, ...] = ()
    one_on_one_id: int | None = None
    meeting_at: datetime | None = None  # the 1:1 this digest prepares, when there is one
    new_verdicts: tuple[VerdictView, ...] = ()  # given since the period started, oldest first
    readiness: tuple[AreaReadiness, ...] = ()
    manager_verdicts: Mapping[str, VerdictView] = field(default_factory=dict)  # current, per behaviour
    disagreements: tuple[Disagreement, ...] = ()
    disputes: tuple[DisputedTag, ...] = ()
    # Behaviours of the person's ladder with new evidence: the manager's digest offers a quick sign-off.
    judgeable: frozenset[str] = frozenset()
    last_evidence_at: datetime | None = None  # bot.services.last_evidence: the one "last answer"
    points_memory: Mapping[str, Any] = field(default_factory=dict)  # stored under POINTS_KEY when sent
    focus: tuple[BehaviourStatLine, ...] = ()  # the report's focus behaviours and their progress, shown first

    @property
    def nothing_new(self) -> bool:
        return self.new_evidence_count == 0

    @property
    def coverage_unchanged(self) -> bool:
        """Every area was measured at the last digest and none moved: said once, not per area."""
        shown = [c for c in self.coverage if not c.at_top]
        return bool(shown) and all(c.change == 0 and not c.new_level for c in shown)

    def coverage_snapshot(self) -> dict[str, Any]:
        """What Digest.coverage stores so the next digest can show the change and rotate its points;
        the level is kept so a change of level (a promotion) is not read as coverage lost."""
        snapshot: dict[str, Any] = {
            c.area_id: {"covered": c.covered, "total": c.total, "level": c.level_id}
            for c in self.coverage
            if not c.at_top
        }
        if self.points_memory:
            snapshot[POINTS_KEY] = dict(self.points_memory)
        return snapshot
