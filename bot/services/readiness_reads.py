"""Where someone stands for their next level: placement → next milestone → current verdicts → readiness.

The one read every surface uses (Home, `/ladder me`, `/ladder team`, the promotion modal, and later
digests and packets). A fixed number of statements whatever the history: one for the verdicts, or one
for many people at once (`readiness_of_many`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from bot.services import assessments
from bot.services.assessments import CurrentVerdicts, Disagreement, view_of
from bot.services.lookup import Standing, placed_milestone, standing_of
from bot.services.readiness import AreaReadiness, readiness
from frameworks import Framework, Library, NextMilestone
from storage.models import Rater
from storage.uow import UnitOfWork, UnitOfWorkFactory


class _Placed(Protocol):
    @property
    def framework_id(self) -> str: ...
    @property
    def levels(self) -> Any: ...
    @property
    def track(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class PersonReadiness:
    person_id: int
    framework: Framework
    levels: Mapping[str, str]  # current level per area (removed levels left out)
    track: str | None
    milestone: NextMilestone
    areas: tuple[AreaReadiness, ...]
    verdicts: CurrentVerdicts

    def area(self, area_id: str) -> AreaReadiness | None:
        return next((a for a in self.areas if a.area_id == area_id), None)

    @property
    def ready(self) -> tuple[AreaReadiness, ...]:
        return tuple(a for a in self.areas if a.ready)

    def disagreements(self, area_ids: Iterable[str] | None = None, *, min_steps: int = 1) -> list[Disagreement]:
        """Open disagreements on the next milestone's behaviours (of some areas only, if named)."""
        wanted = None if area_ids is None else set(area_ids)
        ids = [b.id for s in self.milestone.areas if wanted is None or s.area.id in wanted for b in s.behaviours]
        return assessments.disagreements(self.verdicts, ids, min_steps=min_steps)


def _assemble(person_id: int, framework: Framework, placement: _Placed, verdicts: CurrentVerdicts) -> PersonReadiness:
    levels, track, milestone = placed_milestone(framework, placement.levels, placement.track)
    return PersonReadiness(
        person_id, framework, levels, track, milestone, readiness(framework, milestone, verdicts), verdicts
    )


def readiness_of(
    uow: UnitOfWork, library: Library, person_id: int, placement: _Placed, *, viewer: Rater | None
) -> PersonReadiness | None:
    """The person's readiness as `viewer` may see it (blind verdicts of an open check-in only to their own
    rater). None when their ladder is not loaded. The caller has checked the viewer's right to see it."""
    framework = library.get(placement.framework_id)
    if framework is None:
        return None
    verdicts = assessments.current(uow, person_id, framework.id, viewer=viewer)
    return _assemble(person_id, framework, placement, verdicts)


def readiness_of_many(
    uow: UnitOfWork, library: Library, placements: Mapping[int, _Placed], *, viewer: Rater | None
) -> dict[int, PersonReadiness]:
    """`readiness_of` for many people (person id -> placement) in one statement; unloaded ladders left out."""
    loaded = {pid: p for pid, p in placements.items() if p.framework_id in library}
    rows = uow.assessments.current_for_many([(pid, p.framework_id) for pid, p in loaded.items()], viewer=viewer)
    found = {}
    for person_id, placement in loaded.items():
        by_rater: dict[Rater, dict[str, assessments.VerdictView]] = {Rater.SELF: {}, Rater.MANAGER: {}}
        for (rater, behaviour_id), row in rows.get(person_id, {}).items():
            by_rater[rater][behaviour_id] = view_of(row)
        verdicts = CurrentVerdicts(by_rater[Rater.SELF], by_rater[Rater.MANAGER])
        found[person_id] = _assemble(person_id, library[placement.framework_id], placement, verdicts)
    return found


@dataclass(frozen=True, slots=True)
class ReportReadiness:
    """A report's row on the manager's Home and in `/ladder team`."""

    person_id: int
    areas: tuple[AreaReadiness, ...]
    open_checkin: bool
    disagreements: int  # open self/manager disagreements on the next milestone

    @property
    def ready(self) -> tuple[AreaReadiness, ...]:
        return tuple(a for a in self.areas if a.ready)


def reports_readiness(
    uow: UnitOfWork, library: Library, placements: Mapping[int, _Placed]
) -> dict[int, ReportReadiness]:
    """For a manager's reports (person id -> placement): two statements however many reports. The caller
    has checked that the viewer is their current manager (verdicts are read as the manager)."""
    read = readiness_of_many(uow, library, placements, viewer=Rater.MANAGER)
    open_checkins = uow.checkins.open_for_many(list(read))
    return {
        person_id: ReportReadiness(person_id, r.areas, person_id in open_checkins, len(r.disagreements()))
        for person_id, r in read.items()
    }


@dataclass(frozen=True, slots=True)
class MyPlace:
    standing: Standing
    readiness: PersonReadiness | None


def my_place(uow_factory: UnitOfWorkFactory, library: Library, team_id: str, user_id: str) -> MyPlace | None:
    """`/ladder me`: where I stand (evidence coverage) and how ready I am; None when not set up."""
    with uow_factory() as uow:
        current = uow.placements.current_for_slack_user(team_id, user_id)
        if current is None:
            return None
        standing = standing_of(uow, library, current)
        return MyPlace(standing, readiness_of(uow, library, current.person_id, current, viewer=Rater.SELF))
