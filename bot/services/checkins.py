"""Check-ins: blind self and manager rounds of verdicts over a frozen list of behaviours.

A check-in freezes the behaviours of the person's next milestone (optionally also their current level)
when it starts. The engineer and their current accepted manager each rate them, blind: the storage
layer hides an open check-in's verdicts from the other side (storage.repositories.assessments). When
both have submitted, or the deadline passes, it is revealed exactly once (compare-and-set on the
state) and both get the side-by-side result. Someone with no accepted manager gets a self-only
check-in. Each rater gets one reminder at most.

The rating surface is a sequence of pages, one per area, big areas split so a modal never exceeds
Slack's block limit; `pages_of` is the one rule for that split, used when a modal is built and again
when it is submitted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.services import assessments
from bot.services.assessments import CurrentVerdicts, Disagreement, VerdictView
from frameworks import Behaviour, Framework, next_milestone
from storage.models import Assessment, CheckIn, CheckInOrigin, CheckInState, Person, Placement, Rater
from storage.uow import UnitOfWork

DEADLINE = timedelta(days=7)
REMIND_AFTER = timedelta(days=4)
# A modal holds at most 100 blocks; a behaviour takes at most four (verdict, comment, evidence, divider).
BEHAVIOURS_PER_PAGE = 12
SUBMITTED_COLUMN = {Rater.SELF: "self_submitted_at", Rater.MANAGER: "manager_submitted_at"}
REMINDED_COLUMN = {Rater.SELF: "self_reminded_at", Rater.MANAGER: "manager_reminded_at"}


@dataclass(frozen=True, slots=True)
class Page:
    """One modal of the rating surface: an area, or a slice of a big one."""

    index: int
    area_id: str
    area_name: str
    behaviours: tuple[Behaviour, ...]

    @property
    def behaviour_ids(self) -> tuple[str, ...]:
        return tuple(b.id for b in self.behaviours)


def frozen_behaviours(framework: Framework, placement: Placement, *, include_current: bool) -> list[str]:
    """The ids a new check-in covers, in ladder order: per area, the current level's (when asked) and
    then the next milestone's."""
    milestone = next_milestone(framework, placement.levels, placement.track)
    ids: list[str] = []
    for step in milestone.areas:
        if include_current and step.current_level is not None:
            cell = step.area.cell(step.current_level.id)
            ids += [b.id for b in (cell.behaviours_for(placement.track) if cell else ())]
        ids += [b.id for b in step.behaviours]
    return list(dict.fromkeys(ids))


def pages_of(framework: Framework, behaviour_ids: Sequence[str]) -> list[Page]:
    """The check-in's pages: areas in ladder order with behaviours in them, each at most
    BEHAVIOURS_PER_PAGE long. Behaviours the ladder no longer has are left out."""
    by_area: dict[str, list[Behaviour]] = {}
    for behaviour_id in behaviour_ids:
        behaviour = framework.find_behaviour(behaviour_id)
        if behaviour is not None:
            by_area.setdefault(behaviour.area_id, []).append(behaviour)
    pages: list[Page] = []
    for area in framework.areas:
        found = by_area.get(area.id, [])
        for start in range(0, len(found), BEHAVIOURS_PER_PAGE):
            pages.append(Page(len(pages), area.id, area.name, tuple(found[start : start + BEHAVIOURS_PER_PAGE])))
    return pages


def start(
    uow: UnitOfWork,
    *,
    person: Person,
    framework: Framework,
    placement: Placement,
    starter: Person | None,
    origin: CheckInOrigin,
    now: datetime,
    include_current: bool = False,
    one_on_one_id: int | None = None,
    idempotency_key: str | None = None,
) -> tuple[CheckIn, bool]:
    """The person's open check-in, or a new one; (check-in, created). One open check-in per person:
    starting again resumes it."""
    existing = uow.checkins.open_for(person.id)
    if existing is not None:
        return existing, False
    manager = uow.managers.active_manager_of(person.id)
    return uow.checkins.add_once(
        CheckIn(
            person_id=person.id,
            manager_id=manager.id if manager is not None else None,
            started_by_id=starter.id if starter is not None else None,
            one_on_one_id=one_on_one_id,
            origin=origin,
            idempotency_key=idempotency_key,
            framework_id=framework.id,
            framework_version=framework.version,
            behaviour_ids=frozen_behaviours(framework, placement, include_current=include_current),
            include_current=include_current,
            state=CheckInState.OPEN,
            created_at=now,
            deadline_at=now + DEADLINE,
        )
    )


def role_in(uow: UnitOfWork, checkin: CheckIn, actor: Person) -> Rater | None:
    """How `actor` rates in this check-in: the person themself, or the manager it was started with
    while they are still the current accepted manager; anyone else not at all."""
    person = uow.people.get(checkin.person_id)
    if person is None or person.workspace_id != actor.workspace_id:
        return None
    role = assessments.rater_role(uow, actor, person)
    if role is Rater.MANAGER and checkin.manager_id != actor.id:
        return None
    return role


def submitted_at(checkin: CheckIn, rater: Rater) -> datetime | None:
    return checkin.self_submitted_at if rater is Rater.SELF else checkin.manager_submitted_at


def everyone_submitted(checkin: CheckIn) -> bool:
    """Both sides submitted; a self-only check-in needs only the person."""
    if checkin.self_submitted_at is None:
        return False
    return checkin.manager_id is None or checkin.manager_submitted_at is not None


def follow_manager_change(uow: UnitOfWork, person_id: int, manager_id: int | None) -> CheckIn | None:
    """The one rule for an open check-in when the person's accepted manager changes (called by
    bot.services.consent, the one place a manager changes; `manager_id` None: no manager any more).

    The manager side moves to the new manager (or the check-in becomes self-only) while the old manager
    has not submitted; once they have, it stays theirs (their submission is complete, and the former
    manager is no longer told the result). Verdicts the old manager gave in it stay in the history but
    are never the new manager's (`own_verdicts`). The check-in when its side moved to a new manager (who
    is to be told), else None."""
    checkin = uow.checkins.open_for(person_id)
    if checkin is None or checkin.manager_id == manager_id or checkin.manager_submitted_at is not None:
        return None
    checkin.manager_id = manager_id
    checkin.manager_reminded_at = None  # the new manager's one reminder is still to come
    uow.session.flush()
    return checkin if manager_id is not None else None


def own_verdicts(uow: UnitOfWork, checkin: CheckIn, rater: Rater | None = None) -> list[Assessment]:
    """The check-in's verdicts by its current raters: the person's, and its manager's (not a former
    manager's, whose side moved to someone else)."""
    rows = uow.assessments.in_checkin(checkin.id, rater)
    return [row for row in rows if row.rater is Rater.SELF or row.rater_id == checkin.manager_id]


def rated_ids(uow: UnitOfWork, checkin: CheckIn, rater: Rater) -> set[str]:
    return {row.behaviour_id for row in own_verdicts(uow, checkin, rater)}


def areas_done(pages: Sequence[Page], rated: set[str]) -> tuple[int, int]:
    """(areas whose every behaviour is rated, areas), for "3 of 5 areas done"."""
    areas: dict[str, bool] = {}
    for page in pages:
        areas[page.area_id] = areas.get(page.area_id, True) and set(page.behaviour_ids) <= rated
    return sum(areas.values()), len(areas)


def first_unrated_page(pages: Sequence[Page], rated: set[str]) -> Page | None:
    return next((page for page in pages if not set(page.behaviour_ids) <= rated), None)


def mark_submitted(uow: UnitOfWork, checkin: CheckIn, rater: Rater, now: datetime) -> bool:
    """Stamp this rater's submission once; True the first time."""
    stamped = uow.checkins.stamp_once(checkin.id, CheckInState.OPEN, SUBMITTED_COLUMN[rater], now)
    uow.session.refresh(checkin)
    return stamped


def reveal(uow: UnitOfWork, checkin: CheckIn, now: datetime) -> bool:
    """Reveal the check-in exactly once across instances; True for the caller who did it."""
    revealed = uow.checkins.mark(checkin.id, CheckInState.OPEN, state=CheckInState.REVEALED, revealed_at=now)
    uow.session.refresh(checkin)
    return revealed


def reveal_if_complete(uow: UnitOfWork, checkin: CheckIn, now: datetime) -> bool:
    return everyone_submitted(checkin) and reveal(uow, checkin, now)


@dataclass(frozen=True, slots=True)
class CheckInResult:
    """The side-by-side result: agreements, disagreements (widest first), and one-sided verdicts."""

    checkin_id: int
    person_slack_id: str
    person_name: str
    manager_slack_id: str | None
    manager_name: str | None
    framework_name: str
    agreements: tuple[VerdictView, ...]  # the manager's verdict where both agree
    disagreements: tuple[Disagreement, ...]
    self_only: tuple[VerdictView, ...]  # rated by the person only (self-only, or the manager missed the deadline)
    manager_only: tuple[VerdictView, ...]
    at_deadline: bool  # revealed because the deadline passed, not because both submitted
    comments: Mapping[tuple[Rater, str], str] = field(default_factory=dict)  # (rater, behaviour id) -> comment

    @property
    def is_self_only(self) -> bool:
        return self.manager_slack_id is None


def result_of(uow: UnitOfWork, checkin: CheckIn, framework_name: str) -> CheckInResult | None:
    """What the revealed check-in shows both sides: only its own verdicts, the latest per rater."""
    person = uow.people.get(checkin.person_id)
    if person is None or checkin.state is not CheckInState.REVEALED:
        return None
    by_rater: dict[Rater, dict[str, VerdictView]] = {Rater.SELF: {}, Rater.MANAGER: {}}
    for row in own_verdicts(uow, checkin):
        by_rater[row.rater][row.behaviour_id] = assessments.view_of(row)
    verdicts = CurrentVerdicts(by_rater[Rater.SELF], by_rater[Rater.MANAGER])
    order = list(checkin.behaviour_ids)
    both = [b for b in order if b in verdicts.self_verdicts and b in verdicts.manager_verdicts]
    manager = uow.people.get(checkin.manager_id) if checkin.manager_id is not None else None
    return CheckInResult(
        checkin_id=checkin.id,
        person_slack_id=person.slack_user_id,
        person_name=person.display_name or person.slack_user_id,
        manager_slack_id=manager.slack_user_id if manager is not None else None,
        manager_name=(manager.display_name or manager.slack_user_id) if manager is not None else None,
        framework_name=framework_name,
        agreements=tuple(
            verdicts.manager_verdicts[b]
            for b in both
            if verdicts.manager_verdicts[b].verdict is verdicts.self_verdicts[b].verdict
        ),
        disagreements=tuple(assessments.disagreements(verdicts, both)),
        self_only=tuple(verdicts.self_verdicts[b] for b in order if b in verdicts.self_verdicts and b not in both),
        manager_only=tuple(
            verdicts.manager_verdicts[b] for b in order if b in verdicts.manager_verdicts and b not in both
        ),
        at_deadline=not everyone_submitted(checkin),
        comments={
            (rater, b): view.comment for rater, rows in by_rater.items() for b, view in rows.items() if view.comment
        },
    )


def needs_reminder(checkin: CheckIn, rater: Rater, now: datetime) -> bool:
    """Whether this rater is due their one reminder (started REMIND_AFTER ago, not submitted, not reminded)."""
    if rater is Rater.MANAGER and checkin.manager_id is None:
        return False
    reminded = checkin.self_reminded_at if rater is Rater.SELF else checkin.manager_reminded_at
    return (
        checkin.state is CheckInState.OPEN
        and checkin.created_at + REMIND_AFTER <= now
        and submitted_at(checkin, rater) is None
        and reminded is None
    )
