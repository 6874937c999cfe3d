"""What a person can do to their prompts: pause (until a date or indefinitely), resume, skip the next one,
snooze one day; and what becoming inactive or active again does to them. Each change recomputes
`next_due_at`, the only column the tick reads.

All functions run inside a caller's unit of work and take `now` (naive UTC); none talks to Slack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from bot.services import timing
from bot.services.consent import ENDED_DEACTIVATED, end_links_as_manager
from storage.models import Cadence, Person, Prompt, PromptSchedule, PromptState
from storage.uow import UnitOfWork


def a_day_later(utc: datetime, tz: str | None) -> datetime:
    """What "snooze a day" moves `utc` to: the same local time on the next local day (23 or 25 hours
    later across a DST change)."""
    return timing.same_local_time(utc, tz, 1)


class FirstSlot(NamedTuple):
    person_id: int
    tz: str | None
    weekday: int
    local_time: time


class NoSchedule(LookupError):
    """The person has no prompt schedule yet (they have not finished setup)."""


@dataclass(frozen=True, slots=True)
class ScheduleState:
    """What the person's prompts will do next, for messages and App Home."""

    paused: bool
    paused_until: datetime | None  # naive UTC; None with paused=True means indefinitely
    next_due_at: datetime | None  # naive UTC; None when paused indefinitely

    @property
    def paused_indefinitely(self) -> bool:
        return self.paused and self.paused_until is None


def _state(schedule: PromptSchedule) -> ScheduleState:
    return ScheduleState(schedule.paused, schedule.paused_until, schedule.next_due_at)


def next_slot(schedule: PromptSchedule, tz: str | None, after: datetime) -> datetime:
    return timing.next_occurrence(
        weekday=schedule.weekday,
        local_time=schedule.local_time,
        tz=tz,
        after=after,
        cadence=schedule.cadence,
        anchor_date=schedule.anchor_date,
    )


def is_paused(schedule: PromptSchedule | None, now: datetime) -> bool:
    """Paused right now (indefinitely, or until a moment still to come)."""
    if schedule is None or not schedule.paused:
        return False
    return schedule.paused_until is None or schedule.paused_until > now


def compute_next_due(schedule: PromptSchedule, tz: str | None, now: datetime) -> datetime | None:
    """The next moment the tick should look at this schedule, honouring pause and snooze."""
    if schedule.paused and schedule.paused_until is None:
        return None
    after = now
    if schedule.paused and schedule.paused_until is not None and schedule.paused_until > now:
        # The first slot at or after the pause ends.
        after = schedule.paused_until - timedelta(microseconds=1)
    upcoming = next_slot(schedule, tz, after)
    if schedule.snoozed_until is not None and schedule.snoozed_until > now:
        return max(upcoming, schedule.snoozed_until)
    return upcoming


def refresh_next_due(uow: UnitOfWork, person: Person, now: datetime) -> datetime | None:
    """Recompute a person's next_due_at (after a time zone change, a new schedule, ...)."""
    schedule = uow.schedules.get_for(person.id)
    if schedule is None:
        return None
    uow.schedules.set_next_due(schedule, compute_next_due(schedule, person.tz, now))
    return schedule.next_due_at


def move_slot(
    uow: UnitOfWork,
    person: Person,
    *,
    weekday: int,
    local_time: time,
    cadence: Cadence | str,
    anchor_date: date | None,
    now: datetime,
) -> PromptSchedule:
    """Give someone a new prompt slot (or their first): a pause stays, a snooze of the old slot ends."""
    schedule = uow.schedules.upsert(
        person.id, weekday=weekday, local_time=local_time, cadence=Cadence(cadence), anchor_date=anchor_date
    )
    uow.schedules.snooze(schedule, None)
    refresh_next_due(uow, person, now)
    return schedule


def first_slots(uow: UnitOfWork, slots: Sequence[FirstSlot], now: datetime) -> None:
    """`move_slot` for many people who have no schedule yet (a first import), written in batches: the same
    weekly schedule, not paused, not snoozed. With neither, `compute_next_due` is the next slot, which
    depends only on (weekday, time, zone): computed once per distinct slot, not once per person."""
    next_due: dict[tuple[int, time, str | None], datetime] = {}
    rows = []
    for slot in slots:
        key = (slot.weekday, slot.local_time, slot.tz)
        if key not in next_due:
            next_due[key] = timing.next_occurrence(
                weekday=slot.weekday, local_time=slot.local_time, tz=slot.tz, after=now, cadence=Cadence.WEEKLY
            )
        rows.append(
            {
                "person_id": slot.person_id,
                "weekday": slot.weekday,
                "local_time": slot.local_time,
                "cadence": Cadence.WEEKLY,
                "paused": False,
                "next_due_at": next_due[key],
            }
        )
    uow.schedules.add_many(rows)


def mark_inactive(uow: UnitOfWork, person: Person, reason: str, now: datetime) -> None:
    """Stop prompting someone: inactive, and their schedule's next_due_at cleared, since every tick's
    due query would otherwise read a past one again. `mark_active` gives them a fresh next slot.
    A deactivated manager's access to their reports ends with it (bot.services.consent; the reports'
    access logs say so): coming back, they are named again and the reports consent again."""
    uow.people.mark_inactive(person, reason, now)
    end_links_as_manager(uow, person, now, reason=ENDED_DEACTIVATED)
    schedule = uow.schedules.get_for(person.id)
    if schedule is not None:
        uow.schedules.set_next_due(schedule, None)


def mark_active(uow: UnitOfWork, person: Person, now: datetime) -> datetime | None:
    """Prompt someone again from their next slot after now (nothing missed while inactive is caught up)."""
    uow.people.reactivate(person, now)
    return refresh_next_due(uow, person, now)


def _schedule(uow: UnitOfWork, person: Person) -> PromptSchedule:
    schedule = uow.schedules.get_for(person.id)
    if schedule is None:
        raise NoSchedule(f"person {person.id} has no prompt schedule")
    return schedule


def local_midnight(day: date, tz: str | None) -> datetime:
    """Naive UTC at the start of `day` in `tz`."""
    return timing.local_to_utc(day, time(0, 0), tz)


def pause(uow: UnitOfWork, person: Person, now: datetime, until: date | None = None) -> ScheduleState:
    """Stop prompts until the start of local date `until`, or indefinitely when `until` is None, and
    cancel the reminder of any prompt already in the person's DMs.

    A date today or earlier means "not paused" and resumes instead.
    """
    schedule = _schedule(uow, person)
    paused_until = local_midnight(until, person.tz) if until is not None else None
    if paused_until is not None and paused_until <= now:
        return resume(uow, person, now)
    uow.schedules.pause(schedule, paused_until)
    uow.schedules.snooze(schedule, None)
    uow.prompts.cancel_reminders_for(person.id)  # paused means no nudge either, however it was paused
    uow.schedules.set_next_due(schedule, compute_next_due(schedule, person.tz, now))
    return _state(schedule)


def resume(uow: UnitOfWork, person: Person, now: datetime) -> ScheduleState:
    """Prompts again from the next slot after now."""
    schedule = _schedule(uow, person)
    uow.schedules.resume(schedule)
    uow.schedules.snooze(schedule, None)
    uow.schedules.set_next_due(schedule, compute_next_due(schedule, person.tz, now))
    return _state(schedule)


def skip_next(uow: UnitOfWork, person: Person, now: datetime) -> ScheduleState:
    """Skip the upcoming prompt ("skip this week"): the next one comes a slot later.

    Does nothing while paused indefinitely.
    """
    schedule = _schedule(uow, person)
    upcoming = schedule.next_due_at
    if upcoming is None:
        return _state(schedule)
    if schedule.snoozed_until is not None and schedule.snoozed_until == upcoming:
        upcoming = timing.same_local_time(upcoming, person.tz, -1)  # the slot the snooze moved
    # The skipped week is recorded as its (skipped) prompt, so a later pause and resume, which plan the
    # next slot again from now, can never bring it back: the tick plans one prompt per slot, ever.
    placement = uow.placements.current_for(person.id)
    skipped = {
        "person_id": person.id,
        "idempotency_key": timing.slot_key(person.id, timing.local_date(upcoming, person.tz)),
        "framework_id": placement.framework_id if placement else "",
        "behaviour_ids": [],
        "due_at": upcoming,
        "state": PromptState.SKIPPED,
        "skip_reason": SKIPPED_BY_PERSON,
    }
    uow.prompts.add_many_if_absent([skipped], now=now)
    uow.schedules.snooze(schedule, None)
    uow.schedules.set_next_due(schedule, next_slot(schedule, person.tz, max(upcoming, now)))
    return _state(schedule)


def snooze_next(uow: UnitOfWork, person: Person, now: datetime) -> ScheduleState:
    """Move the upcoming prompt one day later. The prompt keeps its week: it is still one prompt."""
    schedule = _schedule(uow, person)
    if schedule.next_due_at is None:
        return _state(schedule)
    if schedule.snoozed_until is not None and schedule.snoozed_until == schedule.next_due_at:
        return _state(schedule)  # already snoozed: a second click does not push it further
    later = a_day_later(schedule.next_due_at, person.tz)
    uow.schedules.snooze(schedule, later)
    uow.schedules.set_next_due(schedule, later)
    return _state(schedule)


def snooze_prompt(uow: UnitOfWork, prompt: Prompt, now: datetime) -> datetime | None:
    """Snooze a prompt already in the person's DMs: it comes back as its one reminder in a day.

    Returns when, or None when the prompt is no longer open (answered, skipped, ...).
    """
    if prompt.state is not PromptState.SENT:
        return None
    person = uow.people.get(prompt.person_id)
    remind_at = a_day_later(now, person.tz if person is not None else None)
    uow.prompts.set_reminder(prompt, remind_at)
    return remind_at


NOTHING_THIS_WEEK = "nothing this week"  # the skip reason that is the person's own answer
SKIPPED_BY_PERSON = "skipped this week (/ladder skip)"  # asked in advance: not a prompt left unanswered


def skip_prompt(uow: UnitOfWork, prompt: Prompt, now: datetime, reason: str = NOTHING_THIS_WEEK) -> bool:
    """ "Nothing this week" on a prompt: closed without evidence, no reminder. False if already closed."""
    if prompt.state is not PromptState.SENT:
        return False
    uow.prompts.mark_skipped(prompt, reason, now)
    uow.prompts.set_reminder(prompt, None)
    return True
