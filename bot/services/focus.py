"""Focus behaviours: up to three behaviours of their next milestone a person chose to work on.

The one rule of what stays in focus lives here (`settle`): a focus ends when the behaviour reaches the
readiness bar (its current manager verdict, as both sides may see it, is `consistently`) or is no longer
part of the person's next milestone (they were promoted, or moved ladder). Promotions call it; every
read of someone's focus goes through it, so a stale focus is never shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.services import assessments
from bot.services.assessments import VerdictView
from frameworks import Behaviour, Framework, Library, NextMilestone
from frameworks.lookups import next_milestone
from frameworks.search import search
from storage.models import Placement, Rater, Verdict
from storage.text import without_controls
from storage.uow import UnitOfWork

FOCUS_LIMIT = 3
# A focus behaviour with evidence this recent is not pushed to the front of the next prompt.
RECENT_EVIDENCE = timedelta(days=21)


@dataclass(frozen=True, slots=True)
class FocusItem:
    """One focus behaviour as people see it, with its progress."""

    behaviour_id: str
    behaviour_text: str
    area_name: str
    level_name: str
    evidence_count: int
    last_evidence_at: datetime | None
    manager_verdict: Verdict | None  # the current visible one; `consistently` would have ended the focus


def milestone_of(framework: Framework, placement: Placement) -> NextMilestone:
    levels = {a: str(lv) for a, lv in (placement.levels or {}).items() if framework.has_level(str(lv))}
    track = placement.track if placement.track and framework.has_track(placement.track) else None
    return next_milestone(framework, levels, track)


def milestone_label(milestone: NextMilestone) -> str:
    """`Level 3 in Delivery and Communication, Level 2 in Craft` (areas grouped by their next level)."""
    by_level: dict[str, list[str]] = {}
    for step in milestone.areas:
        if step.next_level is not None and step.behaviours:
            by_level.setdefault(step.next_level.name, []).append(step.area.name)
    if not by_level:
        return "none (you are at the top of your ladder)"
    parts = []
    for level, areas in by_level.items():
        names = areas[0] if len(areas) == 1 else ", ".join(areas[:-1]) + " and " + areas[-1]
        parts.append(f"{level} in {names}")
    return ", ".join(parts)


def reached_bar(manager_verdicts: Mapping[str, VerdictView], behaviour_id: str) -> bool:
    """The behaviour is at the readiness bar: its current manager verdict is `consistently`."""
    verdict = manager_verdicts.get(behaviour_id)
    return verdict is not None and verdict.verdict is Verdict.CONSISTENTLY


def settle(uow: UnitOfWork, library: Library, person_id: int, placement: Placement | None) -> list[str]:
    """The one clear rule: drop the person's focus on behaviours that reached the bar or left their next
    milestone; returns the behaviour ids still in focus, oldest choice first."""
    framework = library.get(placement.framework_id) if placement is not None else None
    return settle_on(uow, framework, person_id, placement)


def settle_on(uow: UnitOfWork, framework: Framework | None, person_id: int, placement: Placement | None) -> list[str]:
    """`settle` with the placement's ladder at hand (a promotion has it; None: not loaded just now)."""
    rows = uow.focus.for_person(person_id)
    if not rows:
        return []
    if placement is None:
        uow.focus.remove(person_id, [(r.framework_id, r.behaviour_id) for r in rows])
        return []
    if framework is None or framework.id != placement.framework_id:
        return []  # the ladder is not loaded just now: keep the choice, show nothing
    milestone = {b.id for b in milestone_of(framework, placement).behaviours}
    manager = assessments.current(uow, person_id, framework.id).manager_verdicts
    kept, dropped = [], []
    for row in rows:
        placed = row.framework_id == framework.id and row.behaviour_id in milestone
        if placed and not reached_bar(manager, row.behaviour_id):
            kept.append(row.behaviour_id)
        else:
            dropped.append((row.framework_id, row.behaviour_id))
    if dropped:
        uow.focus.remove(person_id, dropped)
    return kept


def items(uow: UnitOfWork, library: Library, person_id: int, placement: Placement | None) -> tuple[FocusItem, ...]:
    """The person's focus with its progress (evidence so far, the manager's current verdict)."""
    kept = settle(uow, library, person_id, placement)
    if not kept or placement is None:
        return ()
    framework = library[placement.framework_id]
    coverage = uow.evidence.coverage(person_id, framework.id, kept)
    manager = assessments.current(uow, person_id, framework.id).manager_verdicts
    found = []
    for behaviour_id in kept:
        behaviour = framework.behaviour(behaviour_id)
        area = framework.find_area(behaviour.area_id)
        stat = coverage.get(behaviour_id)
        verdict = manager.get(behaviour_id)
        found.append(
            FocusItem(
                behaviour_id,
                behaviour.text,
                area.name if area else behaviour.area_id,
                framework.level(behaviour.level_id).name,
                stat.count if stat else 0,
                stat.last_at if stat else None,
                verdict.verdict if verdict else None,
            )
        )
    return tuple(found)


def wanting_evidence(
    focus_ids: Iterable[str], last_evidence: Mapping[str, datetime | None], now: datetime
) -> frozenset[str]:
    """The focus behaviours a prompt should prefer: those without evidence in the last RECENT_EVIDENCE."""
    return frozenset(
        b
        for b in focus_ids
        if (last_evidence.get(b) is None or now - last_evidence[b] > RECENT_EVIDENCE)  # type: ignore[operator]
    )


def prompt_focus_for_many(
    uow: UnitOfWork, library: Library, placements: Mapping[int, Placement]
) -> dict[int, frozenset[str]]:
    """person id -> their focus behaviour ids still below the bar, for the tick (two statements however
    many people). Read only: a stale row is dropped by the next `settle`."""
    rows = uow.focus.for_many(placements)
    placed = [(pid, p.framework_id) for pid, p in placements.items() if rows.get(pid)]
    verdicts = uow.assessments.current_for_many(placed) if placed else {}
    found: dict[int, frozenset[str]] = {}
    for person_id, focus_rows in rows.items():
        placement = placements[person_id]
        manager = {
            behaviour_id: assessments.view_of(row)
            for (rater, behaviour_id), row in verdicts.get(person_id, {}).items()
            if rater is Rater.MANAGER
        }
        found[person_id] = frozenset(
            r.behaviour_id
            for r in focus_rows
            if r.framework_id == placement.framework_id and not reached_bar(manager, r.behaviour_id)
        )
    return found


def texts_for_many(
    uow: UnitOfWork, library: Library, placements: Mapping[int, Placement]
) -> dict[int, tuple[str, ...]]:
    """person id -> the texts of their focus behaviours still below the bar, in ladder order: what a
    manager sees of their reports' focus (Home, `/ladder team`). Two statements however many people."""
    found: dict[int, tuple[str, ...]] = {}
    for person_id, behaviour_ids in prompt_focus_for_many(uow, library, placements).items():
        framework = library.get(placements[person_id].framework_id)
        if framework is None:
            continue
        order = {b.id: i for i, b in enumerate(framework.behaviours)}
        chosen = sorted((b for b in behaviour_ids if b in order), key=order.__getitem__)
        found[person_id] = tuple(framework.behaviour(b).text for b in chosen)
    return found


def match_behaviours(
    library: Library, framework: Framework, milestone: NextMilestone, wanted: str
) -> list[Behaviour] | str:
    """The behaviours named by `/ladder focus ...`: ids (space-separated), or one text per comma or
    semicolon, matched against the whole ladder. A text that matches nothing returns it back (a str)."""
    wanted = without_controls(wanted)
    words = wanted.split()
    if words and all(framework.find_behaviour(w) is not None for w in words):
        return [framework.behaviour(w) for w in dict.fromkeys(words)]
    found: list[Behaviour] = []
    mine = {b.id for b in milestone.behaviours}
    for part in (p.strip() for p in wanted.replace(";", ",").split(",")):
        if not part:
            continue
        exact = framework.find_behaviour(part)
        if exact is not None:
            found.append(exact)
            continue
        hits = search(library, part, limit=20, framework_id=framework.id)
        if not hits:
            return part
        # Prefer a next-milestone behaviour among the hits close to the best one.
        best = hits[0]
        near = [h for h in hits if h.behaviour.id in mine and h.score >= best.score * 0.8]
        found.append(near[0].behaviour if near else best.behaviour)
    return list({b.id: b for b in found}.values())


def outside_milestone(milestone: NextMilestone, behaviours: Sequence[Behaviour]) -> list[Behaviour]:
    mine = {b.id for b in milestone.behaviours}
    return [b for b in behaviours if b.id not in mine]
