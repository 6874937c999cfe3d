"""Prompts that back off, and the one definition of a person's response rate.

A prompt is *answered* when evidence came for it or the person said "nothing this week" (both are an
answer; a prompt skipped because they were away, or never sent, is not counted either way). After
`ASK_AFTER` delivered prompts in a row go unanswered, the tick asks once (instead of that slot's
prompt) whether to go fortnightly, monthly, pause or keep the cadence. No choice by the next slot:
one step slower by itself (weekly -> fortnightly -> monthly), said in one line with a button back.
Answering again restores the cadence the back-off changed. Only prompts sent after the question count
toward the next three, so nobody is asked again the week after they chose.

The tick decides here (`decide`, called by bot.services.planning); bot.delivery.backoff sends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.services import away, prompt_controls, timing
from storage.models import Backoff, Cadence, Person, Prompt, PromptSchedule, PromptState
from storage.repositories.prompts import PromptActivityRow
from storage.uow import UnitOfWork

ASK_AFTER = 3
RATE_OVER = 10  # "You answered 7 of the last 10 prompts"
ASKING = "backing off: asked about the cadence instead"
SLOWER = {Cadence.WEEKLY: Cadence.FORTNIGHTLY, Cadence.FORTNIGHTLY: Cadence.MONTHLY, Cadence.MONTHLY: Cadence.MONTHLY}


# The skip reasons that are the person's own answer (not the tick's: away, quiet day, expired).
ANSWER_SKIP_REASONS = (prompt_controls.NOTHING_THIS_WEEK,)


def answered(prompt: Prompt) -> bool:
    """The one definition of an answered prompt: evidence came for it, or "nothing this week"."""
    if prompt.answered_at is not None:
        return True
    return prompt.state is PromptState.SKIPPED and prompt.skip_reason in ANSWER_SKIP_REASONS


def activity(uow: UnitOfWork, person_id: int, since: datetime, until: datetime) -> PromptActivityRow:
    """Prompts of a period for the digest, counted in one statement by the same rule as `answered`
    (a "nothing this week" is an answer), with the prompts skipped because the person was away."""
    return uow.prompts.activity(
        person_id, since, until, away_reasons=away.AWAY_SKIP_PREFIXES, answer_skip_reasons=ANSWER_SKIP_REASONS
    )


@dataclass(frozen=True, slots=True)
class ResponseRate:
    answered: int
    asked: int

    @property
    def line(self) -> str:
        if self.asked == 0:
            return "No prompts yet."
        prompts = "prompt" if self.asked == 1 else f"{self.asked} prompts"
        return f"You answered {self.answered} of the last {prompts}."


def response_rate(delivered: Sequence[Prompt], over: int = RATE_OVER) -> ResponseRate:
    """Over the person's latest `over` delivered prompts (newest first, as `delivered_for_many` gives)."""
    latest = [p for p in delivered if p.sent_at is not None][:over]
    return ResponseRate(sum(1 for p in latest if answered(p)), len(latest))


def rate_of(uow: UnitOfWork, person_id: int) -> ResponseRate:
    return response_rate(uow.prompts.delivered_for_many([person_id], RATE_OVER)[person_id])


def unanswered_streak(delivered: Sequence[Prompt], since: datetime | None) -> int:
    """Delivered prompts in a row, newest first, left unanswered (only those sent after `since`)."""
    streak = 0
    for prompt in delivered:
        if prompt.sent_at is None:
            continue
        if answered(prompt) or (since is not None and prompt.sent_at <= since):
            break
        streak += 1
    return streak


def decide(schedule: PromptSchedule, person: Person, delivered: Sequence[Prompt], now: datetime) -> str | None:
    """At a due slot: move the back-off on. Returns a skip reason when this slot's prompt gives way to
    the question, else None (the prompt goes as planned, at the cadence this may just have slowed)."""
    if schedule.backoff is None and unanswered_streak(delivered, schedule.backoff_at) >= ASK_AFTER:
        schedule.backoff, schedule.backoff_at = Backoff.ASK_DUE, now
        return ASKING
    if schedule.backoff is Backoff.ASKED and schedule.next_due_at is not None:
        # No choice by the next slot: one step slower by itself, anchored so this slot is in it.
        schedule.cadence_before_backoff = schedule.cadence
        schedule.cadence = SLOWER[Cadence(schedule.cadence)]
        schedule.anchor_date = timing.local_date(schedule.next_due_at, person.tz)
        schedule.backoff = Backoff.NOTICE_DUE
    return None


def restore_on_answer(uow: UnitOfWork, person_id: int, now: datetime) -> bool:
    """The person answered a prompt: a back-off in progress ends, and a cadence it slowed comes back.
    True when the cadence changed back."""
    schedule = uow.schedules.get_for(person_id)
    if schedule is None or schedule.backoff is None:
        return False
    restored = schedule.cadence_before_backoff is not None and schedule.cadence_before_backoff != schedule.cadence
    if schedule.cadence_before_backoff is not None:
        schedule.cadence = schedule.cadence_before_backoff
    schedule.backoff, schedule.cadence_before_backoff = None, None
    person = uow.people.get(person_id)
    if restored and person is not None and not schedule.paused:
        uow.schedules.set_next_due(schedule, prompt_controls.compute_next_due(schedule, person.tz, now))
    uow.flush()
    return restored


@dataclass(frozen=True, slots=True)
class BackoffMessage:
    """A back-off DM to send: the question, or the one line saying the cadence slowed by itself."""

    schedule_id: int
    person_id: int
    slack_user_id: str
    kind: Literal["ask", "notice"]
    cadence: Cadence  # the cadence now (for the notice) / the one they are on (for the question)
    before: Cadence  # the cadence the "keep" / "back to" button restores
    channel_id: str | None


def claim_messages(uow: UnitOfWork, limit: int = 100) -> list[BackoffMessage]:
    """Claim the back-off DMs waiting to go (compare-and-set, so each is sent at most once, ever)."""
    due = uow.schedules.backoff_due([Backoff.ASK_DUE, Backoff.NOTICE_DUE], limit)
    channels = uow.prompts.dm_channels_for([person.id for _, person in due])
    found = []
    for schedule, person in due:
        ask = schedule.backoff is Backoff.ASK_DUE
        to = Backoff.ASKED if ask else Backoff.AUTO
        if not uow.schedules.move_backoff(schedule.id, schedule.backoff, to):  # type: ignore[arg-type]
            continue
        if not person.active:
            continue
        cadence = Cadence(schedule.cadence)
        found.append(
            BackoffMessage(
                schedule.id,
                person.id,
                person.slack_user_id,
                "ask" if ask else "notice",
                cadence,
                Cadence(schedule.cadence_before_backoff or cadence),
                channels.get(person.id),
            )
        )
    return found
