"""The one reminder per unanswered prompt: `reminder_after_days` after it was sent (or when a snooze
ends) it gets one threaded nudge, claimed before sending so it is never sent twice. A passing failure
that surely left nothing in Slack hands it back for ten minutes later (`release_reminder`); a post
that may have gone through is not tried again. bot.delivery.reminders makes the Slack calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.deps import Deps
from bot.services import profiles
from bot.services.prompt_content import PromptContent, prompt_content
from bot.services.prompt_controls import is_paused
from bot.services.tick import TickReport

REMINDER_HORIZON = timedelta(days=14)  # never remind about a prompt older than this
REMINDER_RETRY = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class ReminderJob:
    prompt_id: int
    slack_user_id: str
    channel_id: str
    message_ts: str
    content: PromptContent
    stored_user: dict[str, Any] | None = None  # the stored Slack profile (bot.services.profiles); None: ask


def claim_reminders(deps: Deps, limit: int, report: TickReport) -> tuple[list[ReminderJob], bool]:
    """Claim due reminders (claimed means never sent twice). One whose person paused prompts since, or
    left, is claimed and dropped: a paused person gets no nudge, not even a late one."""
    now = deps.now()
    jobs: list[ReminderJob] = []
    with deps.uow() as uow:
        candidates = uow.prompts.reminders_due(now, REMINDER_HORIZON, limit)
        person_ids = list({prompt.person_id for prompt in candidates})
        people = uow.people.get_many(person_ids)
        schedules = uow.schedules.get_for_many(person_ids)
        for prompt in candidates:
            person = people.get(prompt.person_id)
            if not uow.prompts.claim_reminder(prompt.id, now):
                continue
            if person is None or not person.active or not prompt.channel_id or not prompt.message_ts:
                continue
            if is_paused(schedules.get(person.id), now):
                report.add("reminder_paused")
                continue
            content = prompt_content(deps.library, prompt, None)
            if content is not None:
                jobs.append(
                    ReminderJob(
                        prompt.id,
                        person.slack_user_id,
                        prompt.channel_id,
                        prompt.message_ts,
                        content,
                        profiles.stored_user(person, now),
                    )
                )
    return jobs, bool(candidates)


def release_reminder(deps: Deps, job: ReminderJob) -> bool:
    """Hand the reminder back for a later tick, within the horizon after which no reminder is sent."""
    now = deps.now()
    with deps.uow() as uow:
        return uow.prompts.release_reminder(job.prompt_id, now + REMINDER_RETRY)
