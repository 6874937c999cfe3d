"""What people do to their weekly prompt from Slack: the prompt DM's buttons, and `/ladder pause`,
`resume`, `skip`. The rules are in bot.services.prompt_controls; a prompt id from a button is only
acted on when the prompt is the actor's own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from bot.services import backoff, prompt_controls
from bot.services.actor import Actor
from bot.services.evidence import NotSetUp, owned_prompt
from storage.models import Person, PromptState
from storage.uow import UnitOfWork, UnitOfWorkFactory

# A button on a prompt DM: "Nothing this week", "Snooze a day", "Pause prompts", resume on a date.
PromptButton = Literal["nothing_this_week", "snooze", "pause", "pause_until"]


@dataclass(frozen=True, slots=True)
class ScheduleChange:
    """The person's prompts after a change, their time zone, and the prompt DM to redraw (its buttons
    follow pause and resume): the one a button was pressed on, or from a command their latest if open."""

    state: prompt_controls.ScheduleState
    tz: str | None
    open_prompt_id: int | None


def press_prompt_button(
    uow_factory: UnitOfWorkFactory,
    actor: Actor,
    prompt_id: int | None,
    button: PromptButton,
    now: datetime,
    *,
    until: date | None = None,
) -> int | None:
    """Apply the button to the actor's own prompt; returns its id, or None (not theirs: nothing changes).

    `pause_until` without a date changes nothing but still redraws the prompt.
    """
    with uow_factory() as uow:
        owned = owned_prompt(uow, actor, prompt_id)
        if owned is None:
            return None
        person, prompt = owned
        if button == "nothing_this_week":
            if prompt_controls.skip_prompt(uow, prompt, now):
                backoff.restore_on_answer(uow, person.id, now)  # "nothing this week" is an answer too
        elif button == "snooze":
            prompt_controls.snooze_prompt(uow, prompt, now)
        elif button == "pause":
            prompt_controls.pause(uow, person, now)
        elif until is not None:
            prompt_controls.pause(uow, person, now, until=until)
        return prompt.id


def resume_from_prompt(
    uow_factory: UnitOfWorkFactory, actor: Actor, prompt_id: int | None, now: datetime
) -> ScheduleChange | None:
    """ "Resume" on one of the actor's prompts; None when the prompt is not theirs."""
    with uow_factory() as uow:
        owned = owned_prompt(uow, actor, prompt_id)
        if owned is None:
            return None
        person, prompt = owned
        return ScheduleChange(prompt_controls.resume(uow, person, now), person.tz, prompt.id)


def pause_prompts(
    uow_factory: UnitOfWorkFactory, actor: Actor, now: datetime, until: date | None = None
) -> ScheduleChange:
    """`/ladder pause [until DATE]`; NotSetUp before setup."""
    with uow_factory() as uow:
        person = _set_up(uow, actor)
        state = prompt_controls.pause(uow, person, now, until=until)
        return ScheduleChange(state, person.tz, _open_prompt_id(uow, person))


def resume_prompts(uow_factory: UnitOfWorkFactory, actor: Actor, now: datetime) -> ScheduleChange:
    """`/ladder resume`; NotSetUp before setup."""
    with uow_factory() as uow:
        person = _set_up(uow, actor)
        state = prompt_controls.resume(uow, person, now)
        return ScheduleChange(state, person.tz, _open_prompt_id(uow, person))


def skip_next_prompt(uow_factory: UnitOfWorkFactory, actor: Actor, now: datetime) -> ScheduleChange:
    """`/ladder skip`; NotSetUp before setup. (No open prompt is reported: skipping leaves it as it is.)"""
    with uow_factory() as uow:
        person = _set_up(uow, actor)
        return ScheduleChange(prompt_controls.skip_next(uow, person, now), person.tz, None)


def _set_up(uow: UnitOfWork, actor: Actor) -> Person:
    person = actor.person(uow)
    if person is None or uow.schedules.get_for(person.id) is None:
        raise NotSetUp()
    return person


def _open_prompt_id(uow: UnitOfWork, person: Person) -> int | None:
    latest = uow.prompts.latest_sent_for(person.id)
    return latest.id if latest is not None and latest.state is PromptState.SENT else None
