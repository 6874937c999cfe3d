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
from typing import Any

from bot.services import assessments, backoff, last_evidence, retired
from bot.services import focus as focus_rules
from bot.services.assessments import EMPTY, CurrentVerdicts, VerdictView
from bot.services.digest_content import (
    POINTS_KEY,
    AreaCoverage,
    AreaEvidence,
    BehaviourEvidence,
    BehaviourStat,
    BehaviourStatLine,
    DigestContent,
    DisputedTag,
    EvidenceItem,
    MilestoneArea,
    PersonRef,
    PromptActivity,
    TagRef,
)
from bot.services.readiness import AreaReadiness, readiness
from bot.services.retired import OTHERS_ADVICE, removed_levels, removed_levels_note, removed_track
from bot.services.talking_points import remember_points, talking_points
from frameworks import Framework, Library
from frameworks.lookups import next_milestone
from storage.models import OneOnOne, Person
from storage.uow import UnitOfWork

ON_DEMAND_WINDOW = timedelta(weeks=4)
NOTHING_NEW = "Nothing new since the last 1:1. Worth asking what got in the way, or what to aim for next."
NOTHING_NEW_AWAY = "Nothing new since the last 1:1: {first_name} was away ({skipped}), so no evidence was expected."
# Digest.coverage also remembers which talking points were shown (area ids never start with "_").
NO_PLACEMENT = "Not placed on a ladder yet, so there is no next milestone to measure against."
UNKNOWN_LADDER = "Their ladder ({framework_id}) is no longer loaded, so coverage cannot be shown."
UNKNOWN_LEVEL = "Their level is no longer on the {framework} ladder; update their placement to see coverage."


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
            texts.setdefault(
                tag.behaviour_id,
                retired.shown(tag.behaviour_text, retired.is_retired(framework, tag.framework_id, tag.behaviour_id)),
            )
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
        # Snapshots from before the level was stored have no "level": their delta is read as before.
        new_level = isinstance(before, Mapping) and "level" in before and before["level"] != area.level_id
        if new_level:
            prev_covered = None
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
                level_id=area.level_id,
                new_level=new_level,
            )
        )
    return tuple(rows)


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
    last_evidence_at: datetime | None = None
    focus: Sequence[str] = ()  # the report's focus behaviour ids


def away_note(first_name: str, prompts: PromptActivity) -> str:
    skipped = "1 prompt skipped" if prompts.away == 1 else f"{prompts.away} prompts skipped"
    return NOTHING_NEW_AWAY.format(first_name=first_name, skipped=skipped)


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
    first_name = report.name.split()[0] if report.name.strip() else report.name
    if framework is not None:
        removed = removed_levels_note(
            removed_levels(framework, inputs.levels_by_area),
            whose=f"{first_name}'s",
            advice=OTHERS_ADVICE,
            track=removed_track(framework, inputs.track),
        )
        notes.extend([removed] if removed else [])
    if not new_items:
        notes.insert(0, away_note(first_name, inputs.prompts) if inputs.prompts.away else NOTHING_NEW)
    shown = (previous_coverage or {}).get(POINTS_KEY)
    points = talking_points(
        milestone,
        coverage,
        inputs.stats,
        inputs.flagged,
        first_name=first_name,
        as_of=inputs.period_end,
        disagreements=disagreements,
        disputes=inputs.disputes,
        focus=inputs.focus,
        shown=shown,
    )
    return DigestContent(
        report=report,
        manager=PersonRef.of(inputs.manager) if inputs.manager else None,
        period_start=inputs.period_start,
        period_end=inputs.period_end,
        framework_name=inputs.framework.name if inputs.framework else None,
        new_evidence=group_by_area(new_items, inputs.framework),
        new_evidence_count=len({item.id for item in new_items}),
        coverage=coverage,
        talking_points=points,
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
        last_evidence_at=inputs.last_evidence_at,
        points_memory=remember_points(shown, points, inputs.period_end),
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
    activity = backoff.activity(uow, report.id, period_start, period_end)
    inputs.prompts = PromptActivity(activity.asked, activity.answered, activity.last_answer_at, activity.away)
    inputs.last_evidence_at = last_evidence.last_evidence_of(uow, report.id, until=period_end)
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
