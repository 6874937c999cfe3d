"""A digest's talking points: what the two people should discuss first, with why, rotating week to week.

Disagreements, disputes and flagged items first, then the engineer's focus behaviours, then the
milestone's standing gaps (never evidenced, quiet areas); a point shown last time waits behind fresh ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.services import assessments
from bot.services.assessments import Disagreement
from bot.services.digest_content import (
    AreaCoverage,
    BehaviourStat,
    DisputedTag,
    EvidenceItem,
    MilestoneArea,
    TalkingPoint,
    TalkingPointKind,
)

QUIET_AFTER = timedelta(weeks=4)  # an area with evidence once but none for this long is a talking point
TALKING_POINTS = 3
POINTS_REMEMBERED = 200  # talking points remembered per 1:1 for rotation


def _weeks(delta: timedelta) -> int:
    return max(1, delta.days // 7)


# Which points come first: what the two people disagree on or asked about, then the engineer's focus,
# then the standing gaps of the milestone.
_TIER = {
    TalkingPointKind.DISAGREEMENT: 0,
    TalkingPointKind.DISPUTED: 0,
    TalkingPointKind.FLAGGED: 0,
    TalkingPointKind.FOCUS: 1,
    TalkingPointKind.NEVER_EVIDENCED: 2,
    TalkingPointKind.QUIET_AREA: 2,
}


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
    focus: Sequence[str] = (),
    shown: Mapping[str, Any] | None = None,
) -> tuple[TalkingPoint, ...]:
    """Up to `limit` points, each saying why it is there, rotating from one digest to the next.

    Disagreements, disputes and flagged items come first, then focus behaviours (`focus`: behaviour ids
    the engineer chose) without recent evidence, then never-evidenced behaviours and quiet areas, one of
    each kind in turn. `shown` is the memory the last digest stored (`remember_points`): a point it
    showed goes after every point it did not, and among the rest the least recently shown comes first,
    so the same three do not come back week after week while others wait.
    """
    candidates = _candidates(milestone, coverage, stats, flagged, first_name, as_of, disagreements, disputes, focus)
    memory = shown if isinstance(shown, Mapping) else {}
    last_time = set(memory.get("last") or ())
    history = memory.get("seen") if isinstance(memory.get("seen"), Mapping) else {}
    assert isinstance(history, Mapping)

    rank_in_kind: dict[str, int] = {}
    by_kind: dict[TalkingPointKind, list[TalkingPoint]] = defaultdict(list)
    for point in candidates:
        by_kind[point.kind].append(point)
    for points in by_kind.values():
        fresh_first = sorted(points, key=lambda p: (p.key in last_time, str(history.get(p.key, ""))))
        rank_in_kind.update({p.key: rank for rank, p in enumerate(fresh_first)})

    order = {p.key: index for index, p in enumerate(candidates)}
    ranked = sorted(
        candidates,
        key=lambda p: (
            p.key in last_time,
            _TIER[p.kind],
            rank_in_kind[p.key] if _TIER[p.kind] == 2 else 0,
            str(history.get(p.key, "")),
            order[p.key],
        ),
    )
    chosen = []
    for point in ranked[:limit]:
        if point.key in last_time:
            point = replace(point, why=f"{point.why}; still open since the last digest")
        chosen.append(point)
    return tuple(chosen)


def remember_points(shown: Mapping[str, Any] | None, points: Sequence[TalkingPoint], as_of: datetime) -> dict[str, Any]:
    """The memory the next digest rotates from: the keys shown now, and when each key was last shown."""
    memory = shown if isinstance(shown, Mapping) else {}
    seen = dict(memory.get("seen") or {}) if isinstance(memory.get("seen"), Mapping) else {}
    seen.update({p.key: as_of.isoformat() for p in points})
    newest = sorted(seen.items(), key=lambda kv: str(kv[1]), reverse=True)[:POINTS_REMEMBERED]
    return {"last": [p.key for p in points], "seen": dict(newest)}


def _candidates(
    milestone: Sequence[MilestoneArea],
    coverage: Sequence[AreaCoverage],
    stats: Mapping[str, BehaviourStat],
    flagged: Sequence[EvidenceItem],
    first_name: str,
    as_of: datetime,
    disagreements: Sequence[Disagreement],
    disputes: Sequence[DisputedTag],
    focus: Sequence[str],
) -> list[TalkingPoint]:
    points = [
        TalkingPoint(
            TalkingPointKind.DISAGREEMENT,
            f"“{d.behaviour_text}”: {first_name} says {assessments.VERDICT_LABELS[d.self_verdict].lower()}, "
            f"the manager says {assessments.VERDICT_LABELS[d.manager_verdict].lower()}",
            key=f"disagreement:{d.behaviour_id}",
            why="your verdicts differ",
        )
        for d in disagreements
    ]
    points += [
        TalkingPoint(
            TalkingPointKind.DISPUTED,
            f"Disputed: doesn't show “{d.behaviour_text}”" + (f" ({d.comment})" if d.comment else ""),
            (d.item,),
            key=f"disputed:{d.item.id}:{d.behaviour_id}",
            why="the manager disputed this tag since the last 1:1",
        )
        for d in disputes
    ]
    if flagged:
        noun = "an item" if len(flagged) == 1 else f"{len(flagged)} items"
        points.append(
            TalkingPoint(
                TalkingPointKind.FLAGGED,
                f"{first_name} flagged {noun} to discuss",
                tuple(flagged),
                key="flagged:" + ",".join(str(i.id) for i in sorted(flagged, key=lambda i: i.id)),
                why=f"{first_name} asked to talk about it",
            )
        )

    in_milestone = {b.id: (b, area) for area in milestone for b in area.behaviours}
    for behaviour_id in dict.fromkeys(focus):
        if behaviour_id not in in_milestone:
            continue
        behaviour, area = in_milestone[behaviour_id]
        stat = stats.get(behaviour_id, BehaviourStat())
        if stat.count and stat.last_at is not None and as_of - stat.last_at < QUIET_AFTER:
            continue
        since = (
            "no evidence yet"
            if not stat.count or stat.last_at is None
            else (f"no evidence for {_weeks(as_of - stat.last_at)} weeks")
        )
        points.append(
            TalkingPoint(
                TalkingPointKind.FOCUS,
                f"Focus: “{behaviour.text}” ({area.area_name}): {since}",
                key=f"focus:{behaviour_id}",
                why=f"one of {first_name}'s focus behaviours",
            )
        )

    # Never evidenced: least-covered areas first, ladder order within an area; focus ones are above.
    ratio = {c.area_id: (c.covered / c.total if c.total else 1.0) for c in coverage}
    focused = set(focus)
    for area in sorted(milestone, key=lambda a: ratio.get(a.area_id, 1.0)):
        for behaviour in area.behaviours:
            if stats.get(behaviour.id, BehaviourStat()).count == 0 and behaviour.id not in focused:
                points.append(
                    TalkingPoint(
                        TalkingPointKind.NEVER_EVIDENCED,
                        f"Never evidenced yet: “{behaviour.text}” ({area.area_name}, {area.level_name})",
                        key=f"never:{behaviour.id}",
                        why="a behaviour of the next milestone with no evidence at all",
                    )
                )

    # Quiet areas: some evidence once, none for QUIET_AFTER; areas with none at all show up as "never".
    quiet_areas = [
        c
        for c in coverage
        if not c.at_top and c.last_evidence_at is not None and as_of - c.last_evidence_at >= QUIET_AFTER
    ]
    for c in sorted(quiet_areas, key=lambda c: c.last_evidence_at or as_of):
        weeks = _weeks(as_of - c.last_evidence_at)  # type: ignore[operator]
        points.append(
            TalkingPoint(
                TalkingPointKind.QUIET_AREA,
                f"{c.area_name} has been quiet for {weeks} weeks",
                key=f"quiet:{c.area_id}",
                why=f"no new evidence in this area for {weeks} weeks",
            )
        )
    return points
