"""`/ladder promote` and the Promote button: the confirmation form, then the promotion itself.

Only the person's current accepted manager or an admin (`access.can_manage`) may promote. Everything is
re-read and re-checked on every step: a forged or stale person id, area or level gets `NOT_AVAILABLE`.
Readiness and verdicts are the engineer's data: the manager sees them (audited), an admin only when
admins may read evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.services import access, promotions
from bot.services.access import NOT_AVAILABLE
from bot.services.actor import Actor
from bot.services.assessments import Disagreement
from bot.services.errors import UserFacingError
from bot.services.lookup import ambiguity_error, find_person, placed_milestone
from bot.services.promotions import LevelChange, NotHigher, PromotionPlan
from bot.services.readiness import AreaReadiness
from bot.services.readiness_reads import readiness_of
from bot.settings import Settings
from frameworks import Framework, Library
from frameworks.lookups import AmbiguousMatch, match_area, match_level
from storage.models import Person, Placement, Rater
from storage.uow import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class Refused:
    message: str  # safe mrkdwn


@dataclass(frozen=True, slots=True)
class PromotionForm:
    """What the confirmation modal shows, and what its submit carries back (re-checked then)."""

    person_id: int
    person_slack_id: str
    framework_name: str
    area_id: str | None  # None: every area below the level
    level_id: str
    level_name: str
    changes: tuple[LevelChange, ...]
    unchanged: tuple[str, ...]
    readiness: tuple[AreaReadiness, ...] | None  # of the changed areas; None: not this viewer's to see
    disagreements: tuple[Disagreement, ...]
    beyond_next: tuple[str, ...]  # areas where the level skips the next one (readiness is for the next)


@dataclass(frozen=True, slots=True)
class Promoted:
    person_slack_id: str
    promoted_by_slack_id: str
    framework_name: str
    changes: tuple[LevelChange, ...]
    next_steps: tuple[str, ...]  # "Delivery: next Milestone 4 (3 behaviours)"


@dataclass(frozen=True, slots=True)
class _Checked:
    promoter: Person | None  # None: an admin who never set growthbot up
    person: Person
    placement: Placement
    framework: Framework
    viewer: Rater | None  # how verdicts may be read: as manager, or (admin) revealed only
    may_read: bool


def _check(
    uow: UnitOfWork, settings: Settings, library: Library, actor: Actor, person: Person | None
) -> _Checked | Refused:
    """The actor's right to promote `person` and the person's ladder."""
    promoter = actor.person(uow)
    if person is None or person.workspace_id != getattr(uow.workspaces.get_by_team(actor.team_id), "id", None):
        return Refused(NOT_AVAILABLE)
    if promoter is not None and promoter.id == person.id:
        return Refused("You can't promote yourself: your manager records a promotion.")
    is_manager = promoter is not None and access.is_current_manager(uow, promoter, person)
    if not is_manager and not access.can_manage(actor.slack_user_id, settings):
        uow.audit.record(
            actor.slack_user_id,
            access.DENIED,
            person.slack_user_id,
            {"wanted": promotions.PROMOTED},
            workspace_team_id=actor.team_id,
        )
        return Refused(NOT_AVAILABLE)
    placement = uow.placements.current_for(person.id)
    if placement is None:
        return Refused(f"<@{person.slack_user_id}> isn't on a ladder yet, so there is nothing to promote.")
    framework = library.get(placement.framework_id)
    if framework is None:
        return Refused(f"<@{person.slack_user_id}>'s ladder `{placement.framework_id}` is not loaded any more.")
    may_read = is_manager or settings.admins_can_read_evidence
    return _Checked(promoter, person, placement, framework, Rater.MANAGER if is_manager else None, may_read)


def _form(
    uow: UnitOfWork,
    library: Library,
    actor: Actor,
    checked: _Checked,
    area_id: str | None,
    level_id: str,
    now: datetime,
) -> PromotionForm | Refused:
    levels, _, milestone = placed_milestone(checked.framework, checked.placement.levels, checked.placement.track)
    outcome = promotions.plan(checked.framework, levels, area_id=area_id, level_id=level_id)
    who = f"<@{checked.person.slack_user_id}>"
    if isinstance(outcome, NotHigher):
        where = f" in {checked.framework.area(area_id).name}" if area_id else ""
        return Refused(
            f"{who} is already at {outcome.current}{where}: {outcome.level_name} isn't higher. Name a higher level."
        )
    changed = set(outcome.area_ids)
    beyond = tuple(
        s.area.name for s in milestone.areas if s.area.id in changed and s.next_level and s.next_level.id != level_id
    )
    shown, disagreements = None, ()
    if checked.may_read:
        read = readiness_of(uow, library, checked.person.id, checked.placement, viewer=checked.viewer)
        if read is not None:
            shown = tuple(a for a in read.areas if a.area_id in changed)
            disagreements = tuple(read.disagreements(changed, min_steps=1))
            details = {"for": promotions.PROMOTED, "surface": access.SURFACE_PROMOTION}
            if checked.viewer is Rater.MANAGER:
                access.record_read(
                    uow.audit,
                    viewer=checked.promoter,
                    subject=checked.person,
                    action=access.VIEWED_READINESS,
                    team_id=actor.team_id,
                    details=details,
                    at=now,
                )
            else:  # an admin reading under GROWTHBOT_ADMINS_READ_EVIDENCE
                access.record_break_glass_read(
                    uow,
                    actor.slack_user_id,
                    checked.person,
                    access.VIEWED_READINESS,
                    team_id=actor.team_id,
                    details=details,
                    at=now,
                )
    return PromotionForm(
        checked.person.id,
        checked.person.slack_user_id,
        checked.framework.name,
        area_id,
        level_id,
        checked.framework.level(level_id).name,
        outcome.changes,
        outcome.unchanged,
        shown,
        disagreements,
        beyond,
    )


def parse_area_and_level(framework: Framework, words: Sequence[str]) -> tuple[str | None, str]:
    """`[AREA] LEVEL`, forgivingly matched (names may span words); UserFacingError lists what exists."""
    if not words:
        raise UserFacingError("Name the level: `/ladder promote @person [AREA] LEVEL`.")
    levels = ", ".join(level.name for level in framework.levels)
    areas = ", ".join(area.name for area in framework.areas[:30])
    problem: UserFacingError | None = None
    for cut in range(len(words) - 1, -1, -1):
        area_words, level_words = words[:cut], words[cut:]
        try:
            level = match_level(framework, " ".join(level_words))
            area = match_area(framework, " ".join(area_words)) if area_words else None
        except AmbiguousMatch as error:
            problem = problem or ambiguity_error(error)
            continue
        if level is not None and (area is not None or not area_words):
            return (area.id if area else None), level.id
        if level is not None and problem is None:
            problem = UserFacingError(
                "*{ladder}* has no area called “{typed}”. Its areas are: {areas}.",
                ladder=framework.name,
                typed=" ".join(area_words)[:60],
                areas=areas,
            )
    raise problem or UserFacingError(
        "*{ladder}* has no level “{typed}”. Its levels are: {levels}.",
        ladder=framework.name,
        typed=words[-1][:60],
        levels=levels,
    )


def form_from_command(
    uow_factory: UnitOfWorkFactory,
    library: Library,
    settings: Settings,
    actor: Actor,
    *,
    person_slack_id: str,
    words: Sequence[str],
    now: datetime,
) -> PromotionForm | Refused:
    """`/ladder promote @person [AREA] LEVEL`."""
    with uow_factory() as uow:
        checked = _check(uow, settings, library, actor, find_person(uow, actor.team_id, person_slack_id))
        if isinstance(checked, Refused):
            return checked
        area_id, level_id = parse_area_and_level(checked.framework, words)
        return _form(uow, library, actor, checked, area_id, level_id, now)


def form_from_ids(
    uow_factory: UnitOfWorkFactory,
    library: Library,
    settings: Settings,
    actor: Actor,
    *,
    person_id: int | None,
    area_id: str | None,
    level_id: str | None,
    now: datetime,
) -> PromotionForm | Refused:
    """The Promote button on a ready area (ids from Slack: nothing trusted)."""
    with uow_factory() as uow:
        checked = _check_ids(uow, settings, library, actor, person_id, area_id, level_id)
        if isinstance(checked, Refused):
            return checked
        assert level_id is not None
        return _form(uow, library, actor, checked, area_id, level_id, now)


def _check_ids(
    uow: UnitOfWork,
    settings: Settings,
    library: Library,
    actor: Actor,
    person_id: int | None,
    area_id: str | None,
    level_id: str | None,
) -> _Checked | Refused:
    """The person, area and level named by a button or a modal's metadata, re-checked: the acting user's
    right, and that the area and level are on the person's ladder (a forged one gets the neutral refusal)."""
    person = uow.people.get(person_id) if person_id is not None else None
    checked = _check(uow, settings, library, actor, person)
    if isinstance(checked, Refused):
        return checked
    if not _known(checked.framework, area_id, level_id):
        return Refused(NOT_AVAILABLE)
    return checked


def _known(framework: Framework, area_id: str | None, level_id: str | None) -> bool:
    return bool(level_id and framework.has_level(level_id) and (area_id is None or framework.find_area(area_id)))


def promote(
    uow_factory: UnitOfWorkFactory,
    library: Library,
    settings: Settings,
    actor: Actor,
    *,
    person_id: int | None,
    area_id: str | None,
    level_id: str | None,
    now: datetime,
) -> Promoted | Refused:
    """The confirmation modal was submitted: re-check, then move the placement (audited)."""
    with uow_factory() as uow:
        checked = _check_ids(uow, settings, library, actor, person_id, area_id, level_id)
        if isinstance(checked, Refused):
            return checked
        assert level_id is not None
        levels, _, _ = placed_milestone(checked.framework, checked.placement.levels, checked.placement.track)
        outcome = promotions.plan(checked.framework, levels, area_id=area_id, level_id=level_id)
        if isinstance(outcome, NotHigher):
            return Refused(f"<@{checked.person.slack_user_id}> is already at {outcome.current}: nothing changed.")
        placement = promotions.promote(
            uow,
            checked.person,
            checked.placement,
            outcome,
            by_slack_id=actor.slack_user_id,
            team_id=actor.team_id,
            now=now,
        )
        return Promoted(
            checked.person.slack_user_id,
            actor.slack_user_id,
            checked.framework.name,
            outcome.changes,
            _next_steps(checked.framework, placement, outcome),
        )


def _next_steps(framework: Framework, placement: Placement, promotion: PromotionPlan) -> tuple[str, ...]:
    _, _, milestone = placed_milestone(framework, placement.levels, placement.track)
    lines = []
    for step in milestone.areas:
        if step.area.id not in promotion.area_ids:
            continue
        if step.next_level is None:
            lines.append(f"{step.area.name}: the top of the ladder")
        else:
            count = len(step.behaviours)
            lines.append(
                f"{step.area.name}: next {step.next_level.name} ({count} behaviour{'s' if count != 1 else ''})"
            )
    return tuple(lines)
