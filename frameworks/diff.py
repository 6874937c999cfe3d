"""What changed between two versions of a ladder: levels, tracks, areas and behaviours added, removed, reworded, moved.

Behaviours are matched by id first (ids are what evidence points at). An id that disappeared whose text
reappears, the same or nearly so (`frameworks.similarity`), under a new id is reported as re-identified:
its evidence would become a retired behaviour, which is worth knowing before the file goes live.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from frameworks.model import Behaviour, Framework
from frameworks.similarity import SIMILARITY_THRESHOLD, text_similarity


@dataclass(frozen=True, slots=True)
class Reworded:
    old: Behaviour
    new: Behaviour
    similarity: float  # 0.0 to 1.0; under SIMILARITY_THRESHOLD the wording changed a lot


@dataclass(frozen=True, slots=True)
class Moved:
    old: Behaviour
    new: Behaviour


@dataclass(frozen=True, slots=True)
class LadderDiff:
    old: Framework
    new: Framework
    levels_added: tuple[str, ...] = ()
    levels_removed: tuple[str, ...] = ()
    tracks_added: tuple[str, ...] = ()
    tracks_removed: tuple[str, ...] = ()
    areas_added: tuple[str, ...] = ()
    areas_removed: tuple[str, ...] = ()
    added: tuple[Behaviour, ...] = ()
    removed: tuple[Behaviour, ...] = ()
    reworded: tuple[Reworded, ...] = ()
    moved: tuple[Moved, ...] = ()
    reidentified: tuple[Reworded, ...] = field(default=())  # old id gone, its text under a new id

    @property
    def is_empty(self) -> bool:
        return not any(
            (
                self.levels_added,
                self.levels_removed,
                self.tracks_added,
                self.tracks_removed,
                self.areas_added,
                self.areas_removed,
                self.added,
                self.removed,
                self.reworded,
                self.moved,
                self.reidentified,
            )
        )


def diff_frameworks(old: Framework, new: Framework) -> LadderDiff:
    old_levels, new_levels = [lv.id for lv in old.levels], [lv.id for lv in new.levels]
    old_tracks, new_tracks = [t.id for t in old.tracks], [t.id for t in new.tracks]
    old_areas, new_areas = [a.id for a in old.areas], [a.id for a in new.areas]
    old_by_id = {b.id: b for b in old.behaviours}
    new_by_id = {b.id: b for b in new.behaviours}

    reworded: list[Reworded] = []
    moved: list[Moved] = []
    for behaviour in old.behaviours:
        after = new_by_id.get(behaviour.id)
        if after is None:
            continue
        if after.text != behaviour.text:
            reworded.append(Reworded(behaviour, after, _similarity(behaviour.text, after.text)))
        if (after.area_id, after.level_id) != (behaviour.area_id, behaviour.level_id):
            moved.append(Moved(behaviour, after))

    gone = [b for b in old.behaviours if b.id not in new_by_id]
    fresh = [b for b in new.behaviours if b.id not in old_by_id]
    pairs = sorted(
        (
            (text_similarity(o.text, n.text), i, j)
            for i, o in enumerate(gone)
            for j, n in enumerate(fresh)
            if text_similarity(o.text, n.text) >= SIMILARITY_THRESHOLD
        ),
        reverse=True,
    )
    paired_old: set[int] = set()
    paired_new: set[int] = set()
    reidentified: list[Reworded] = []
    for ratio, i, j in pairs:
        if i in paired_old or j in paired_new:
            continue
        paired_old.add(i)
        paired_new.add(j)
        reidentified.append(Reworded(gone[i], fresh[j], ratio))

    return LadderDiff(
        old=old,
        new=new,
        levels_added=tuple(lv for lv in new_levels if lv not in old_levels),
        levels_removed=tuple(lv for lv in old_levels if lv not in new_levels),
        tracks_added=tuple(t for t in new_tracks if t not in old_tracks),
        tracks_removed=tuple(t for t in old_tracks if t not in new_tracks),
        areas_added=tuple(a for a in new_areas if a not in old_areas),
        areas_removed=tuple(a for a in old_areas if a not in new_areas),
        added=tuple(b for j, b in enumerate(fresh) if j not in paired_new),
        removed=tuple(b for i, b in enumerate(gone) if i not in paired_old),
        reworded=tuple(reworded),
        moved=tuple(moved),
        reidentified=tuple(sorted(reidentified, key=lambda r: old.behaviours.index(r.old))),
    )


def _similarity(a: str, b: str) -> float:
    """The full ratio (not cut off at the threshold): a diff reports how different, however different."""
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def render_diff(diff: LadderDiff) -> str:
    old, new = diff.old, diff.new
    head = f"{old.id} version {old.version} -> {new.id} version {new.version}"
    lines = [head]
    if diff.is_empty:
        return "\n".join([*lines, "No changes to levels, tracks, areas or behaviours."])

    def where(framework: Framework, behaviour: Behaviour) -> str:
        area = framework.find_area(behaviour.area_id)
        return f"{area.name if area else behaviour.area_id} / {behaviour.level_id}"

    def section(title: str, items: list[str]) -> None:
        if items:
            lines.extend(["", f"{title} ({len(items)}):", *items])

    section("Levels added", [f"  + {lv}  {new.level(lv).name}" for lv in diff.levels_added])
    section("Levels removed", [f"  - {lv}  {old.level(lv).name}" for lv in diff.levels_removed])
    section("Tracks added", [f"  + {t}  {new.track(t).name}" for t in diff.tracks_added])
    section(
        "Tracks removed (people on them keep only the behaviours every track shares, and are told)",
        [f"  - {t}  {old.track(t).name}" for t in diff.tracks_removed],
    )
    section("Areas added", [f"  + {a}  {new.area(a).name}" for a in diff.areas_added])
    section("Areas removed", [f"  - {a}  {old.area(a).name}" for a in diff.areas_removed])
    section("Behaviours added", [f"  + {b.id}  [{where(new, b)}]  {b.text}" for b in diff.added])
    section(
        "Behaviours removed (their evidence and verdicts stay, shown as retired behaviours)",
        [f"  - {b.id}  [{where(old, b)}]  {b.text}" for b in diff.removed],
    )
    section(
        "Behaviours reworded (same id: evidence kept)",
        [
            f"  ~ {r.old.id}  [{where(new, r.new)}]  {r.similarity:.0%} similar\n      was: {r.old.text}\n"
            f"      now: {r.new.text}"
            for r in diff.reworded
        ],
    )
    section(
        "Behaviours moved",
        [f"  > {m.old.id}  {where(old, m.old)} -> {where(new, m.new)}" for m in diff.moved],
    )
    section(
        "Behaviours given a new id (evidence on the old id becomes a retired behaviour; keep the old id to keep it)",
        [f"  ! {r.old.id} -> {r.new.id}  [{where(new, r.new)}]  {r.similarity:.0%} similar" for r in diff.reidentified],
    )
    return "\n".join(lines)
