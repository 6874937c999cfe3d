"""What a manager's digest holds, before a 1:1 or on demand. Slack-free: blocks/digest.py renders it.

`build_digest` loads everything with a fixed number of SQL statements (no query per evidence item or
per behaviour), so building one costs the same whatever the amount of evidence; `assemble_digest` is
the pure part that groups, counts and picks the talking points.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal

from bot.services import assessments
from bot.services import focus as focus_rules
from bot.services.assessments import EMPTY, CurrentVerdicts, Disagreement, VerdictView
from bot.services.readiness import AreaReadiness, readiness
from frameworks import Behaviour, Framework, Library
from frameworks.lookups import next_milestone
from storage.models import OneOnOne, Person
from storage.uow import UnitOfWork

QUIET_AFTER = timedelta(weeks=4)
TALKING_POINTS = 3
ON_DEMAND_WINDOW = timedelta(weeks=4)
NOTHING_NEW = "Nothing new since the last 1:1. Worth asking what got in the way, or what to aim for next."
NO_PLACEMENT = "Not placed on a ladder yet, so there is no next milestone to measure against."
UNKNOWN_LADDER = "Their ladder ({framework_id}) is no longer loaded, so coverage cannot be shown."
UNKNOWN_LEVEL = "Their level is no longer on the {framework} ladder; update their placement to see coverage."


# --- what the digest holds ------------------------------------------------------------------------


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

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.covered - self.previous


class TalkingPointKind(StrEnum):
    DISAGREEMENT = "disagreement"  # self and manager verdicts differ
    DISPUTED = "disputed"  # evidence the manager said does not show its behaviour
    FLAGGED = "flagged"
    NEVER_EVIDENCED = "never_evidenced"
    QUIET_AREA = "quiet_area"


@dataclass(frozen=True, slots=True)
class TalkingPoint:
    kind: TalkingPointKind
    text: str  # raw; renderers escape it
    items: tuple[EvidenceItem, ...] = ()


@dataclass(frozen=True, slots=True)
class PromptActivity:
    asked: int = 0
    answered: int = 0
    last_answer_at: datetime | None = None

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
    focus: tuple[BehaviourStatLine, ...] = ()  # the report's focus behaviours and their progress, shown first

    @property
    def nothing_new(self) -> bool:
        return self.new_evidence_count == 0

    def coverage_snapshot(self) -> dict[str, Any]:
        """What Digest.coverage stores so the next digest can show the change."""
        return {c.area_id: {"covered": c.covered, "total": c.total} for c in self.coverage if not c.at_top}


# --- the ladder side ------------------------------------------------------------------------------


def milestone_areas(framework: Framework, levels_by_area: Mapping[str, str], track: str | None) -> list[MilestoneArea]:
    """The next milestone per area, in ladder order (raises KeyError for a level the ladder lacks)."""
    milestone = next_milestone(framework, levels_by_area, track)
    return [
        MilestoneArea(
            area_id=step.area.id,
            area_name=step.area.name,
            level_id=step.next_level.id if step.next_level else None,
            level_name=step.next_level.name if step.next_level else None,
            behaviours=step.behaviours,
        )
        for step in milestone.areas
    ]


# --- the pure part --------------------------------------------------------------------------------


def group_by_area(
    items: Iterable[EvidenceItem], framework: Framework | None, *, untagged_label: str = "Not tagged"
) -> tuple[AreaEvidence, ...]:
    """Items grouped by area then behaviour, in ladder order; an item with two tags shows under both."""
    by_area: dict[str | None, dict[str | None, list[EvidenceItem]]] = defaultdict(lambda: defaultdict(list))
    texts: dict[str | None, str] = {}
    levels: dict[str | None, str] = {}
    for item in sorted(items, key=lambda i: (i.created_at, i.id)):
        if not item.tags:
            by_area[None][None].append(item)
            continue
        for tag in item.tags:
            by_area[tag.area_id][tag.behaviour_id].append(item)
            texts.setdefault(tag.behaviour_id, tag.behaviour_text)
            levels.setdefault(tag.behaviour_id, tag.level_id)

    area_order = {area.id: i for i, area in enumerate(framework.areas)} if framework else {}
    behaviour_order = {b.id: i for i, b in enumerate(framework.behaviours)} if framework else {}
    last = len(area_order) + len(behaviour_order) + 1

    def area_name(area_id: str | None) -> str:
        if area_id is None:
            return untagged_label
        area = framework.find_area(area_id) if framework else None
        return area.name if area else area_id

    def level_name(behaviour_id: str | None) -> str | None:
        level_id = levels.get(behaviour_id)
        if level_id is None:
            return None
        if framework and framework.has_level(level_id):
            return framework.level(level_id).name
        return level_id

    groups = []
    for area_id in sorted(by_area, key=lambda a: (a is None, area_order.get(a, last) if a else last, a or "")):
        behaviours = by_area[area_id]
        ordered = sorted(behaviours, key=lambda b: (b is None, behaviour_order.get(b, last) if b else last, b or ""))
        groups.append(
            AreaEvidence(
                area_id=area_id,
                area_name=area_name(area_id),
                behaviours=tuple(
                    BehaviourEvidence(b, texts.get(b, untagged_label), level_name(b), tuple(behaviours[b]))
                    for b in ordered
                ),
            )
        )
    return tuple(groups)


def coverage_for(
    milestone: Sequence[MilestoneArea],
    stats: Mapping[str, BehaviourStat],
    previous: Mapping[str, Any] | None = None,
) -> tuple[AreaCoverage, ...]:
    previous = previous or {}
    rows = []
    for area in milestone:
        ids = [b.id for b in area.behaviours]
        covered = sum(1 for b in ids if stats.get(b, BehaviourStat()).count > 0)
        last_times = [stats[b].last_at for b in ids if b in stats and stats[b].last_at is not None]
        before = previous.get(area.area_id)
        prev_covered = before.get("covered") if isinstance(before, Mapping) else before
        rows.append(
            AreaCoverage(
                area_id=area.area_id,
                area_name=area.area_name,
                level_name=area.level_name,
                covered=covered,
                total=len(ids),
                previous=int(prev_covered) if isinstance(prev_covered, int) else None,
                last_evidence_at=max(last_times) if last_times else None,
                at_top=area.at_top,
            )
        )
    return tuple(rows)


def _weeks(delta: timedelta) -> int:
    return max(1, delta.days // 7)


def talking_points(
    milestone: Sequence[MilestoneArea],
    coverage: Sequence[AreaCoverage],
    stats: Mapping[str, BehaviourStat],
    flagged: Sequence[EvidenceItem],
    *,
    first_name: str,
    as_of: datetime,
    limit: int = TALKING_POINTS,
    disagreements: Sequence[Disagreement] = (),
    disputes: Sequence[DisputedTag] = (),
) -> tuple[TalkingPoint, ...]:
    """Up to `limit` points: disagreements and disputes first, then one of each other kind (flagged,
    never evidenced, quiet area), then more."""
    judged = [
        TalkingPoint(
            TalkingPointKind.DISAGREEMENT,
            f"“{d.behaviour_text}”: {first_name} says {assessments.VERDICT_LABELS[d.self_verdict].lower()}, "
            f"the manager says {assessments.VERDICT_LABELS[d.manager_verdict].lower()}",
        )
        for d in disagreements
    ]
    judged += [
        TalkingPoint(
            TalkingPointKind.DISPUTED,
            f"Disputed: doesn't show “{d.behaviour_text}”" + (f" ({d.comment})" if d.comment else ""),
            (d.item,),
        )
        for d in disputes
    ]
    flagged_points: list[TalkingPoint] = []
    if flagged:
        noun = "an item" if len(flagged) == 1 else f"{len(flagged)} items"
        flagged_points.append(
            TalkingPoint(TalkingPointKind.FLAGGED, f"{first_name} flagged {noun} to discuss", tuple(flagged))
        )

    # Never evidenced: least-covered areas first, ladder order within an area.
    ratio = {c.area_id: (c.covered / c.total if c.total else 1.0) for c in coverage}
    never: list[TalkingPoint] = []
    for area in sorted(milestone, key=lambda a: ratio.get(a.area_id, 1.0)):
        for behaviour in area.behaviours:
            if stats.get(behaviour.id, BehaviourStat()).count == 0:
                text = f"Never evidenced yet: “{behaviour.text}” ({area.area_name}, {area.level_name})"
                never.append(TalkingPoint(TalkingPointKind.NEVER_EVIDENCED, text))

    # Quiet areas: some evidence once, none for QUIET_AFTER; areas with none at all show up as "never".
    quiet_areas = [
        c
        for c in coverage
        if not c.at_top and c.last_evidence_at is not None and as_of - c.last_evidence_at >= QUIET_AFTER
    ]
    quiet = [
        TalkingPoint(
            TalkingPointKind.QUIET_AREA,
            f"{c.area_name} has been quiet for {_weeks(as_of - c.last_evidence_at)} weeks",  # type: ignore[operator]
        )
        for c in sorted(quiet_areas, key=lambda c: c.last_evidence_at or as_of)
    ]

    pools = [flagged_points, never, quiet]
    chosen: list[TalkingPoint] = judged[:limit]
    chosen += [pool.pop(0) for pool in pools if pool][: max(0, limit - len(chosen))]
    for pool in pools:
        while pool and len(chosen) < limit:
            chosen.append(pool.pop(0))
    return tuple(chosen)


@dataclass
class DigestInputs:
    """Everything `assemble_digest` needs, as loaded by `load_inputs` (or built by hand in tests)."""

    report: Person
    manager: Person | None
    period_start: datetime
    period_end: datetime
    framework: Framework | None = None
    framework_id: str | None = None
    levels_by_area: Mapping[str, str] = field(default_factory=dict)
    track: str | None = None
    new_items: Sequence[EvidenceItem] = ()
    flagged: Sequence[EvidenceItem] = ()
    stats: Mapping[str, BehaviourStat] = field(default_factory=dict)
    prompts: PromptActivity = field(default_factory=PromptActivity)
    one_on_one_id: int | None = None
    meeting_at: datetime | None = None
    verdicts: CurrentVerdicts = EMPTY
    new_verdicts: Sequence[VerdictView] = ()
    disputes: Sequence[DisputedTag] = ()
    focus: Sequence[str] = ()  # the report's focus behaviour ids


def assemble_digest(inputs: DigestInputs, previous_coverage: Mapping[str, Any] | None = None) -> DigestContent:
    report = PersonRef.of(inputs.report)
    notes: list[str] = []
    milestone: list[MilestoneArea] = []
    ready: tuple[AreaReadiness, ...] = ()
    framework = inputs.framework
    if inputs.framework_id is None:
        notes.append(NO_PLACEMENT)
    elif framework is None:
        notes.append(UNKNOWN_LADDER.format(framework_id=inputs.framework_id))
    else:
        try:
            milestone = milestone_areas(framework, inputs.levels_by_area, inputs.track)
            steps = next_milestone(framework, inputs.levels_by_area, inputs.track)
            ready = readiness(framework, steps, inputs.verdicts)
        except KeyError:
            notes.append(UNKNOWN_LEVEL.format(framework=framework.name))
    coverage = coverage_for(milestone, inputs.stats, previous_coverage)
    milestone_ids = [b.id for area in milestone for b in area.behaviours]
    disagreements = assessments.disagreements(inputs.verdicts, milestone_ids)
    judgeable = frozenset(
        tag.behaviour_id
        for item in inputs.new_items
        for tag in item.tags
        if framework is not None and tag.framework_id == framework.id and framework.find_behaviour(tag.behaviour_id)
    )
    new_items = list(inputs.new_items)
    if not new_items:
        notes.insert(0, NOTHING_NEW)
    first_name = report.name.split()[0] if report.name.strip() else report.name
    return DigestContent(
        report=report,
        manager=PersonRef.of(inputs.manager) if inputs.manager else None,
        period_start=inputs.period_start,
        period_end=inputs.period_end,
        framework_name=inputs.framework.name if inputs.framework else None,
        new_evidence=group_by_area(new_items, inputs.framework),
        new_evidence_count=len({item.id for item in new_items}),
        coverage=coverage,
        talking_points=talking_points(
            milestone,
            coverage,
            inputs.stats,
            inputs.flagged,
            first_name=first_name,
            as_of=inputs.period_end,
            disagreements=disagreements,
            disputes=inputs.disputes,
        ),
        flagged=tuple(inputs.flagged),
        prompts=inputs.prompts,
        notes=tuple(notes),
        one_on_one_id=inputs.one_on_one_id,
        meeting_at=inputs.meeting_at,
        new_verdicts=tuple(inputs.new_verdicts),
        readiness=ready,
        manager_verdicts=dict(inputs.verdicts.manager_verdicts),
        disagreements=tuple(disagreements),
        disputes=tuple(inputs.disputes),
        judgeable=judgeable,
        focus=_focus_lines(inputs, framework),
    )


def _focus_lines(inputs: DigestInputs, framework: Framework | None) -> tuple[BehaviourStatLine, ...]:
    if framework is None:
        return ()
    lines = []
    for behaviour_id in inputs.focus:
        behaviour = framework.find_behaviour(behaviour_id)
        if behaviour is None or focus_rules.reached_bar(inputs.verdicts.manager_verdicts, behaviour_id):
            continue
        stat = inputs.stats.get(behaviour_id)
        new = sum(1 for item in inputs.new_items if any(t.behaviour_id == behaviour_id for t in item.tags))
        verdict = inputs.verdicts.manager_verdicts.get(behaviour_id)
        lines.append(BehaviourStatLine(behaviour_id, behaviour.text, stat.count if stat else 0, new, verdict))
    return tuple(lines)


# --- loading --------------------------------------------------------------------------------------


def item_of(evidence: Any) -> EvidenceItem:
    """An EvidenceItem from a storage.models.Evidence with its tags loaded."""
    return EvidenceItem(
        id=evidence.id,
        created_at=evidence.created_at,
        text=evidence.text,
        link=evidence.link,
        to_discuss=bool(evidence.to_discuss),
        tags=tuple(
            TagRef(
                t.framework_id,
                t.behaviour_id,
                t.area_id,
                t.level_id,
                t.behaviour_text,
                t.disputed_at is not None,
                t.dispute_comment,
            )
            for t in evidence.tags
        ),
    )


def load_inputs(
    uow: UnitOfWork,
    library: Library,
    manager: Person | None,
    report: Person,
    period_start: datetime,
    period_end: datetime,
) -> DigestInputs:
    """Load a digest's data: nine statements, whatever the amount of evidence or of verdicts.

    Verdicts are read as nobody's own (`viewer=None`): the manager's digest and the engineer's preview
    show the same ones, and a verdict still blind in an open check-in shows in neither."""
    placement = uow.placements.current_for(report.id)
    inputs = DigestInputs(report=report, manager=manager, period_start=period_start, period_end=period_end)
    if placement is not None:
        inputs.framework_id = placement.framework_id
        inputs.framework = library.get(placement.framework_id)
        inputs.levels_by_area = dict(placement.levels or {})
        inputs.track = placement.track
    inputs.new_items = [item_of(e) for e in uow.evidence.with_tags(report.id, period_start, period_end)]
    inputs.flagged = [item_of(e) for e in uow.evidence.with_tags(report.id, to_discuss_only=True)]
    if inputs.framework is not None:
        raw = uow.evidence.behaviour_stats(report.id, inputs.framework.id)
        inputs.stats = {b: BehaviourStat(c.count, c.last_at) for b, c in raw.items()}
        inputs.verdicts = assessments.current(uow, report.id, inputs.framework.id)
        inputs.new_verdicts = [
            assessments.view_of(row)
            for row in uow.assessments.since(report.id, inputs.framework.id, period_start)
            if row.created_at <= period_end
        ]
        inputs.disputes = disputed_tags(uow, report.id, inputs.framework.id, since=period_start)
        inputs.focus = [
            r.behaviour_id for r in uow.focus.for_person(report.id) if r.framework_id == inputs.framework.id
        ]
    asked, answered, last_answer_at = uow.prompts.activity(report.id, period_start, period_end)
    inputs.prompts = PromptActivity(asked, answered, last_answer_at)
    return inputs


def disputed_tags(
    uow: UnitOfWork, person_id: int, framework_id: str, *, since: datetime | None = None
) -> list[DisputedTag]:
    """The person's disputed tags on this ladder (disputed at or after `since`), oldest dispute first;
    two statements, whatever their number."""
    return [
        DisputedTag(item_of(evidence), tag.behaviour_id, tag.behaviour_text, tag.dispute_comment)
        for evidence, tag in uow.evidence.disputed_for(person_id, framework_id, since=since)
    ]


def build_digest(
    uow: UnitOfWork,
    library: Library,
    pair: OneOnOne | tuple[Person | None, Person],
    period_start: datetime,
    period_end: datetime,
    previous_coverage: Mapping[str, Any] | None = None,
) -> DigestContent:
    """The digest of `report`'s progress for (period_start, period_end], for `manager` (or themselves).

    `pair` is a OneOnOne (manager and report are loaded from it) or `(manager, report)`; pass
    `(None, person)` for someone's own on-demand digest. Access checks happen before this is called.
    """
    if isinstance(pair, OneOnOne):
        manager, report = uow.people.get(pair.manager_id), uow.people.get(pair.report_id)
        if report is None:
            raise LookupError(f"1:1 {pair.id} names a report that no longer exists")
        inputs = load_inputs(uow, library, manager, report, period_start, period_end)
        inputs.one_on_one_id, inputs.meeting_at = pair.id, period_end
    else:
        manager, report = pair
        inputs = load_inputs(uow, library, manager, report, period_start, period_end)
    return assemble_digest(inputs, previous_coverage)
