"""The back-off DM's buttons: the person picks a slower cadence, a pause, or keeps theirs (rules in
bot.services.backoff and prompt_controls; only the acting person's own schedule is touched)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.services import prompt_controls, timing
from bot.services.actor import Actor
from bot.services.evidence import NotSetUp
from storage.models import Cadence
from storage.uow import UnitOfWorkFactory

BackoffChoice = Literal["fortnightly", "monthly", "pause", "keep"]
CHOICES: tuple[BackoffChoice, ...] = ("fortnightly", "monthly", "pause", "keep")


@dataclass(frozen=True, slots=True)
class CadenceChosen:
    choice: BackoffChoice
    cadence: Cadence
    state: prompt_controls.ScheduleState
    tz: str


def choose(uow_factory: UnitOfWorkFactory, actor: Actor, choice: BackoffChoice, now: datetime) -> CadenceChosen:
    """A button on a back-off DM (the acting person's own schedule only): a slower cadence from the next
    slot, a pause until they resume, or their cadence as it was. NotSetUp without a schedule."""
    with uow_factory() as uow:
        person = actor.person(uow)
        schedule = uow.schedules.get_for(person.id) if person is not None else None
        if person is None or schedule is None:
            raise NotSetUp()
        before = Cadence(schedule.cadence_before_backoff or schedule.cadence)
        schedule.backoff, schedule.cadence_before_backoff = None, None
        if choice == "pause":
            state = prompt_controls.pause(uow, person, now)
            return CadenceChosen(choice, Cadence(schedule.cadence), state, person.tz)
        cadence = before if choice == "keep" else Cadence(choice)
        if cadence != schedule.cadence:
            schedule.cadence = cadence
            # Anchored on the latest slot (the one the question came at): a slower cadence is slower
            # from there, so "monthly" means the next prompt about four weeks after the last one.
            latest = timing.previous_occurrence(
                weekday=schedule.weekday, local_time=schedule.local_time, tz=person.tz, at_or_before=now
            )
            schedule.anchor_date = timing.local_date(latest, person.tz)
        state = prompt_controls.resume(uow, person, now) if schedule.paused else None
        if state is None:
            uow.schedules.set_next_due(schedule, prompt_controls.compute_next_due(schedule, person.tz, now))
            state = prompt_controls.ScheduleState(schedule.paused, schedule.paused_until, schedule.next_due_at)
        return CadenceChosen(choice, cadence, state, person.tz)
