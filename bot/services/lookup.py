"""The questions `/ladder me|next|show|search` answer, without Slack: where am I, what is next, what
does a ladder say, which behaviours match some words."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.services.errors import UserFacingError
from bot.services.retired import RemovedLevel, removed_levels, removed_levels_note, removed_track
from frameworks import Framework, Library
from frameworks.lookups import (
    AmbiguousMatch,
    AreaStep,
    NextMilestone,
    View,
    current_level_label,
    match_area,
    match_framework,
    match_level,
    next_milestone,
    show,
)
from frameworks.search import SearchHit, search
from storage.models import Person, Placement
from storage.repositories.placements import CurrentPlacement
from storage.text import without_controls
from storage.uow import UnitOfWork, UnitOfWorkFactory

WHICH_LADDER = "Try `/ladder show FRAMEWORK [AREA] [LEVEL]` with one of: {ladders}."
SEARCH_QUERY_MAX = 300
SEARCH_LIMIT = 10
Coverage = Mapping[str, tuple[int, datetime | None]]  # behaviour id -> (evidence count, last evidence at)


@dataclass(frozen=True, slots=True)
class AreaProgress:
    step: AreaStep
    coverage: Coverage  # only this step's behaviours

    @property
    def total(self) -> int:
        return len(self.step.behaviours)

    @property
    def covered(self) -> int:
        return sum(1 for b in self.step.behaviours if self.coverage.get(b.id, (0, None))[0] > 0)

    def is_covered(self, behaviour_id: str) -> bool:
        return self.coverage.get(behaviour_id, (0, None))[0] > 0


@dataclass(frozen=True, slots=True)
class Standing:
    """A person's place on their ladder and how much of their next milestone has evidence."""

    person_id: int
    display_name: str | None
    framework: Framework
    levels: Mapping[str, str]
    track: str | None
    milestone: NextMilestone
    areas: tuple[AreaProgress, ...]
    removed: tuple[RemovedLevel, ...] = ()  # placed levels the loaded ladder no longer has
    removed_track: str | None = None  # the stored track, when the loaded ladder no longer has it

    @property
    def removed_note(self) -> str | None:
        return removed_levels_note(self.removed, track=self.removed_track)

    @property
    def level_label(self) -> str:
        return current_level_label(self.framework, self.levels)

    @property
    def covered(self) -> int:
        return sum(area.covered for area in self.areas)

    @property
    def total(self) -> int:
        return sum(area.total for area in self.areas)


class LadderMissing(UserFacingError):
    """The person's placement names a ladder that is no longer loaded."""


def ambiguity_error(error: AmbiguousMatch) -> UserFacingError:
    names = ", ".join(name for _, name in error.candidates[:8])
    more = f" and {len(error.candidates) - 8} more" if len(error.candidates) > 8 else ""
    wording = "“{typed}” could be several " + error.kind + "s: {names}" + more + ". Be a little more specific."
    return UserFacingError(wording, typed=error.text[:60], names=names)


def find_person(uow: UnitOfWork, team_id: str, user_id: str) -> Person | None:
    workspace = uow.workspaces.get_by_team(team_id)
    if workspace is None:
        return None
    return uow.people.get_by_slack_id(workspace.id, user_id)


def standing_for(uow: UnitOfWork, library: Library, person: Person, placement: Placement) -> Standing:
    current = CurrentPlacement(
        person.id, person.display_name, placement.framework_id, placement.levels, placement.track
    )
    return standing_of(uow, library, current)


def standing_of(uow: UnitOfWork, library: Library, current: CurrentPlacement) -> Standing:
    framework = library.get(current.framework_id)
    if framework is None:
        raise LadderMissing(
            "Your ladder `{ladder}` is not loaded any more. "
            "Ask your growthbot admin, or pick another one with `/ladder setup`.",
            ladder=current.framework_id,
        )
    levels, track, milestone = placed_milestone(framework, current.levels, current.track)
    behaviour_ids = [b.id for b in milestone.behaviours]
    coverage = uow.evidence.coverage(current.person_id, framework.id, behaviour_ids) if behaviour_ids else {}
    return _assemble(current, framework, levels, track, milestone, coverage)


def standings_for_many(
    uow: UnitOfWork, library: Library, people: Sequence[Person], placements: Mapping[int, Placement]
) -> dict[int, Standing]:
    """`standing_for` for many people in one coverage query (a manager's Home); unloaded ladders left out."""
    placed = [p for p in people if p.id in placements and placements[p.id].framework_id in library]
    all_coverage = uow.evidence.coverage_for_people([p.id for p in placed])
    found = {}
    for person in placed:
        placement = placements[person.id]
        framework = library[placement.framework_id]
        levels, track, milestone = placed_milestone(framework, placement.levels, placement.track)
        mine = all_coverage.get(person.id, {})
        coverage = {b.id: mine[(framework.id, b.id)] for b in milestone.behaviours if (framework.id, b.id) in mine}
        current = CurrentPlacement(person.id, person.display_name, framework.id, placement.levels, placement.track)
        found[person.id] = _assemble(current, framework, levels, track, milestone, coverage)
    return found


def _assemble(
    current: CurrentPlacement,
    framework: Framework,
    levels: dict[str, str],
    track: str | None,
    milestone: NextMilestone,
    coverage: Coverage,
) -> Standing:
    areas = tuple(
        AreaProgress(step, {b.id: coverage[b.id] for b in step.behaviours if b.id in coverage})
        for step in milestone.areas
    )
    removed = removed_levels(framework, current.levels)
    gone_track = removed_track(framework, current.track)
    return Standing(
        current.person_id, current.display_name, framework, levels, track, milestone, areas, removed, gone_track
    )


def placed_milestone(
    framework: Framework, levels: Mapping[str, Any] | None, track: str | None
) -> tuple[dict[str, str], str | None, NextMilestone]:
    """(levels, track, next milestone) of a stored placement, read forgivingly: levels or a track a ladder
    edit removed count as "not placed" / no track rather than breaking every lookup."""
    kept = {a: str(lv) for a, lv in (levels or {}).items() if framework.has_level(str(lv))}
    kept_track = track if track and framework.has_track(track) else None
    return kept, kept_track, next_milestone(framework, kept, kept_track)


def my_standing(uow_factory: UnitOfWorkFactory, library: Library, team_id: str, user_id: str) -> Standing | None:
    """None when the person has not set up growthbot yet."""
    with uow_factory() as uow:
        current = uow.placements.current_for_slack_user(team_id, user_id)
        return None if current is None else standing_of(uow, library, current)


def filter_areas(standing: Standing, area_text: str) -> tuple[AreaProgress, ...]:
    """The areas `/ladder next [area]` should show; every area with something left when no area is named."""
    if not area_text.strip():
        return standing.areas
    try:
        area = match_area(standing.framework, area_text)
    except AmbiguousMatch as error:
        raise ambiguity_error(error) from None
    if area is None:
        raise UserFacingError(
            "Your ladder has no area called “{typed}”. Its areas are: {names}.",
            typed=area_text[:60],
            names=", ".join(a.name for a in standing.framework.areas),
        )
    return tuple(p for p in standing.areas if p.step.area.id == area.id)


def resolve_show(library: Library, words: Sequence[str]) -> View:
    """`FRAMEWORK [AREA] [LEVEL]`, each forgivingly matched; names may span several words.

    The framework is read from the fewest leading words that name one and leave words that parse as
    an area and/or level, so a weak match on a long prefix never swallows the area.
    """
    if not words:
        raise UserFacingError(WHICH_LADDER, ladders=_ladder_ids(library))
    first_problem: UserFacingError | None = None
    for end in range(1, len(words) + 1):
        try:
            framework = match_framework(library, " ".join(words[:end]))
        except AmbiguousMatch as error:
            first_problem = first_problem or ambiguity_error(error)
            continue
        if framework is None:
            continue
        try:
            return _show_in(framework, words[end:])
        except UserFacingError as problem:
            first_problem = first_problem or problem
    raise first_problem or UserFacingError(
        "I don't know a ladder called “{typed}”. " + WHICH_LADDER,
        typed=" ".join(words)[:60],
        ladders=_ladder_ids(library),
    )


def _show_in(framework: Framework, rest: Sequence[str]) -> View:
    if not rest:
        return show(framework)
    for area_words, level_words in _splits(rest):
        try:
            area = match_area(framework, " ".join(area_words)) if area_words else None
            level = match_level(framework, " ".join(level_words)) if level_words else None
        except AmbiguousMatch as error:
            if not area_words or not level_words:
                raise ambiguity_error(error) from None
            continue
        if (area is not None or not area_words) and (level is not None or not level_words):
            return show(framework, area, level)
    raise UserFacingError(
        "I couldn't find “{typed}” in *{ladder}*. Areas: {areas}. Levels: {levels}.",
        typed=" ".join(rest)[:60],
        ladder=framework.name,
        areas=", ".join(a.name for a in framework.areas[:30]),
        levels=", ".join(lv.name for lv in framework.levels),
    )


def _splits(rest: Sequence[str]) -> list[tuple[list[str], list[str]]]:
    """Ways to read the words after the framework: area then level, level then area, one of the two."""
    options: list[tuple[list[str], list[str]]] = [(list(rest), [])]
    for cut in range(len(rest) - 1, 0, -1):
        options.append((list(rest[:cut]), list(rest[cut:])))  # AREA LEVEL
        options.append((list(rest[cut:]), list(rest[:cut])))  # LEVEL AREA
    options.append(([], list(rest)))
    return options


def _ladder_ids(library: Library) -> str:
    return ", ".join(f"`{f.id}`" for f in library.frameworks[:30])


def search_behaviours(library: Library, words: str) -> tuple[str, list[SearchHit]]:
    """(the query actually used, hits). Very long input is searched by its beginning."""
    query = " ".join(without_controls(words).split())[:SEARCH_QUERY_MAX]
    if not query:
        raise UserFacingError("Tell me what to look for, e.g. `/ladder search code review`.")
    return query, search(library, query, limit=SEARCH_LIMIT)
