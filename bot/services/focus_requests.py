"""What people do to their focus from Slack: `/ladder focus [behaviour...]`, `/ladder focus clear`, and
the App Home's focus modal. Each use case opens one unit of work and returns an outcome value; the rules
are in bot.services.focus."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.services import focus
from bot.services.actor import Actor
from bot.services.evidence import NotSetUp
from bot.services.text import escape, shorten
from frameworks import Behaviour, Library, NextMilestone
from storage.models import Person, Placement
from storage.uow import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class FocusShown:
    """The person's focus now, and the milestone behaviours they may pick from."""

    items: tuple[focus.FocusItem, ...]
    milestone: str  # the milestone's label
    choices: tuple[Behaviour, ...]  # next-milestone behaviours, in ladder order
    added: tuple[str, ...] = ()  # behaviour texts just added
    cleared: int = 0


@dataclass(frozen=True, slots=True)
class FocusRefused:
    """A focus change that was refused, with the message that says why."""

    message: str


def _placed(uow: UnitOfWork, library: Library, actor: Actor) -> tuple[Person, Placement]:
    person = actor.person(uow)
    placement = uow.placements.current_for(person.id) if person is not None else None
    if person is None or placement is None or placement.framework_id not in library:
        raise NotSetUp()
    return person, placement


def _shown(uow: UnitOfWork, library: Library, person: Person, placement: Placement, **extra: object) -> FocusShown:
    framework = library[placement.framework_id]
    milestone = focus.milestone_of(framework, placement)
    items = focus.items(uow, library, person.id, placement)
    return FocusShown(items, focus.milestone_label(milestone), milestone.behaviours, **extra)  # type: ignore[arg-type]


def show_focus(uow_factory: UnitOfWorkFactory, library: Library, actor: Actor) -> FocusShown:
    """`/ladder focus`: what is in focus and what may be. NotSetUp before setup."""
    with uow_factory() as uow:
        person, placement = _placed(uow, library, actor)
        return _shown(uow, library, person, placement)


def add_focus_text(
    uow_factory: UnitOfWorkFactory, library: Library, actor: Actor, wanted: str, now: datetime
) -> FocusShown | FocusRefused:
    """`/ladder focus BEHAVIOUR...` (ids, or texts separated by commas)."""
    with uow_factory() as uow:
        person, placement = _placed(uow, library, actor)
        framework = library[placement.framework_id]
        milestone = focus.milestone_of(framework, placement)
        matched = focus.match_behaviours(library, framework, milestone, wanted)
        if isinstance(matched, str):
            return FocusRefused(
                f"No behaviour of your ladder matches “{escape(shorten(matched, 80))}”. "
                "Use `/ladder next` to see your next milestone's behaviours."
            )
        return _add(uow, library, person, placement, matched, now)


def add_focus_ids(
    uow_factory: UnitOfWorkFactory, library: Library, actor: Actor, behaviour_ids: Sequence[str], now: datetime
) -> FocusShown | FocusRefused:
    """The Home's focus modal: ids that came back from Slack, re-checked against the person's ladder.
    The modal's choice replaces the focus (what was unticked goes)."""
    with uow_factory() as uow:
        person, placement = _placed(uow, library, actor)
        framework = library[placement.framework_id]
        wanted = [framework.find_behaviour(b) for b in dict.fromkeys(behaviour_ids)]
        if any(b is None for b in wanted):
            return FocusRefused("That behaviour is not on your ladder.")
        chosen = [b for b in wanted if b is not None]
        milestone = focus.milestone_of(framework, placement)
        refused = _refusal(framework.name, milestone, chosen, already=0, adding=len(chosen))
        if refused is not None:
            return refused
        current = focus.settle(uow, library, person.id, placement)
        keep = {b.id for b in chosen}
        uow.focus.remove(person.id, [(framework.id, b) for b in current if b not in keep])
        return _add(uow, library, person, placement, chosen, now)


def clear_focus(uow_factory: UnitOfWorkFactory, library: Library, actor: Actor) -> FocusShown:
    """`/ladder focus clear`: no focus behaviours."""
    with uow_factory() as uow:
        person, placement = _placed(uow, library, actor)
        cleared = uow.focus.delete_all_for(person.id)
        return _shown(uow, library, person, placement, cleared=cleared)


def _refusal(
    ladder: str, milestone: NextMilestone, behaviours: Sequence[Behaviour], *, already: int, adding: int
) -> FocusRefused | None:
    outside = focus.outside_milestone(milestone, behaviours)
    if outside:
        names = "; ".join(f"“{escape(shorten(b.text, 80))}”" for b in outside)
        return FocusRefused(
            f"{names} {'is' if len(outside) == 1 else 'are'} not part of your next milestone on {escape(ladder)} "
            f"({escape(focus.milestone_label(milestone))}). Pick focus behaviours from it: `/ladder next` lists them."
        )
    if already + adding > focus.FOCUS_LIMIT:
        return FocusRefused(
            f"You can focus on at most {focus.FOCUS_LIMIT} behaviours at a time"
            + (f" and you already have {already}" if already else "")
            + ". Drop one first (`/ladder focus clear`, or Focus on your Home)."
        )
    return None


def _add(
    uow: UnitOfWork,
    library: Library,
    person: Person,
    placement: Placement,
    behaviours: Sequence[Behaviour],
    now: datetime,
) -> FocusShown | FocusRefused:
    framework = library[placement.framework_id]
    current = focus.settle(uow, library, person.id, placement)
    new = [b for b in behaviours if b.id not in current]
    milestone = focus.milestone_of(framework, placement)
    refused = _refusal(framework.name, milestone, behaviours, already=len(current), adding=len(new))
    if refused is not None:
        return refused
    for behaviour in new:
        uow.focus.add_once(person.id, framework.id, behaviour.id, now)
    return _shown(uow, library, person, placement, added=tuple(b.text for b in new))
