"""The prompt tick's claims and outcomes: which due prompts a fan-out worker sends (claimed row by row
with an expiring claim), and what each Slack outcome writes: a send in a batch of sends
(`record_sent_many`, the fan-out's hot path), every other outcome in its own unit of work.

Slack-free: the delivery layer (bot.delivery.prompts) makes the calls and hands the outcome here as
plain values (a users.info profile, an error code, whether the failing call was the post).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.deps import Deps
from bot.services import away, focus, profiles, timing
from bot.services.prompt_choice import EvidenceStat
from bot.services.prompt_content import PromptContent, prompt_content
from bot.services.prompt_controls import compute_next_due, is_paused, mark_inactive, next_slot
from bot.services.send_errors import PERSON_GONE_ERRORS, TOKEN_ERRORS
from bot.services.tick import TickConfig, TickReport
from frameworks import Library
from storage.models import Person, Prompt, PromptState
from storage.repositories.prompts import SentRow
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

RETRY_BASE = timedelta(seconds=30)
RETRY_MAX = timedelta(minutes=30)
GONE_ERRORS = PERSON_GONE_ERRORS | {"users_not_found", "user_deleted"}
# Answers that will not change on a retry: fail the prompt now, keep the person.
PERMANENT_ERRORS = frozenset({"invalid_blocks", "invalid_blocks_format", "msg_too_long", "invalid_arguments"})


@dataclass(frozen=True, slots=True)
class PromptJob:
    prompt_id: int
    person_id: int
    slack_user_id: str
    tz: str
    attempts: int
    content: PromptContent
    channel_id: str | None = None  # the DM channel from an earlier prompt, if any
    may_have_posted: bool = False  # an earlier attempt ended without a known outcome: look before posting
    previous_id: int | None = None  # the person's live prompt before this one, closed once this is sent
    due_at: datetime | None = None  # when it fell due: the claim lag (due -> sent) for /metrics
    # The stored Slack profile, shaped like a users.info `user` (bot.services.profiles); None: unknown or
    # too old, so the send asks users.info.
    stored_user: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class OpenPrompt:
    prompt_id: int
    channel_id: str
    message_ts: str
    content: PromptContent


def claim_jobs(
    deps: Deps, config: TickConfig, instance_id: str, limit: int, report: TickReport
) -> tuple[list[PromptJob], bool]:
    """(jobs to send, whether anything was claimed)."""
    now = deps.now()
    with deps.uow() as uow:
        claimed = uow.prompts.claim_due(now, instance_id, limit, config.claim_ttl)
        if not claimed:
            return [], False
        person_ids = [prompt.person_id for prompt in claimed]
        coverage = uow.evidence.coverage_for_people(person_ids)
        delivered = uow.prompts.latest_delivered_for(person_ids)
        people = uow.people.get_many(person_ids)
        placements = uow.placements.current_for_many(person_ids)
        schedules = uow.schedules.get_for_many(person_ids)
        focused = focus.prompt_focus_for_many(uow, deps.library, placements)
        jobs = []
        for prompt in claimed:
            person = people.get(prompt.person_id)
            if person is None or not person.active:
                uow.prompts.mark_skipped(prompt, "person inactive", now)
                report.add("skipped")
                continue
            if is_paused(schedules.get(person.id), now):  # paused while this prompt waited for a retry
                uow.prompts.mark_skipped(prompt, "prompts paused", now)
                report.add("skipped")
                continue
            if now - prompt.due_at > config.late_window:
                uow.prompts.mark_expired(prompt)
                prompt.skip_reason = "not delivered within the late window"
                report.add("expired")
                continue
            behaviour_id = prompt.behaviour_ids[0] if prompt.behaviour_ids else ""
            found = coverage[prompt.person_id].get((prompt.framework_id, behaviour_id))
            stat = EvidenceStat(found.count, found.last_at) if found else None
            mine = focused.get(prompt.person_id, frozenset())
            content = prompt_content(deps.library, prompt, stat, placements.get(prompt.person_id), mine)
            if content is None:
                uow.prompts.mark_skipped(prompt, "behaviour no longer on the ladder", now)
                report.add("skipped")
                continue
            jobs.append(
                PromptJob(
                    prompt.id,
                    person.id,
                    person.slack_user_id,
                    person.tz,
                    prompt.attempts,
                    content,
                    delivered[person.id].channel_id if person.id in delivered else None,
                    may_have_posted=_may_have_posted(prompt),
                    previous_id=_replaced(delivered.get(person.id), prompt.id),
                    due_at=prompt.due_at,
                    stored_user=profiles.stored_user(person, now),
                )
            )
        return jobs, True


# Failures that say for sure nothing was posted (and that are not the prompt's fault, so they use up
# no attempt): Slack's rate limit and a refused bot token.
REFUSALS = frozenset({"ratelimited"}) | TOKEN_ERRORS
MAY_HAVE_POSTED = " (an earlier attempt may have posted)"
BEFORE_POSTING = " (before posting)"


def _replaced(previous: Prompt | None, prompt_id: int) -> int | None:
    """The earlier prompt a new one replaces, whose buttons come off once it is sent: still unanswered."""
    if previous is None or previous.id == prompt_id or previous.state is not PromptState.SENT:
        return None
    return previous.id


def open_prompt(library: Library, prompt: Prompt, focus_ids: frozenset[str] = frozenset()) -> OpenPrompt | None:
    """A prompt as it stands in the person's DMs (to redraw it closed); None if it has no message or its
    behaviour left the ladder."""
    if not prompt.channel_id or not prompt.message_ts:
        return None
    content = prompt_content(library, prompt, None, focus=focus_ids)
    return OpenPrompt(prompt.id, prompt.channel_id, prompt.message_ts, content) if content else None


def _may_have_posted(prompt: Prompt) -> bool:
    """An earlier attempt's post may have reached Slack: its claim expired (the instance died between
    the post and recording it) or chat.postMessage failed in a way that does not say it was refused
    (timeout, 5xx). A later failure that surely posted nothing keeps saying so in `last_error`.

    Only those are looked up (conversations.history is Tier 3): an outage that failed users.info for
    a whole fan-out costs no lookups."""
    error = prompt.last_error
    return error is not None and error not in REFUSALS and not error.endswith(BEFORE_POSTING)


def _epoch(moment: datetime) -> float:
    """The tick's naive-UTC clock as a Unix time (Slack's status expiry is one)."""
    return moment.replace(tzinfo=UTC).timestamp()


def backoff(attempts: int) -> timedelta:
    return min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_MAX)


@dataclass(frozen=True, slots=True)
class Profile:
    """What a users.info answer says about sending to the person now."""

    gone: bool  # deactivated
    new_tz: str | None  # a known zone other than the one the prompt was planned in
    away: str | None  # the skip reason when their status says they are away


def read_profile(user: dict[str, Any], planned_tz: str | None, now: datetime) -> Profile:
    tz = user.get("tz")
    new_tz = tz if timing.is_known_zone(tz) and tz != planned_tz else None
    profile = user.get("profile") or {}
    away_reason = None
    if away.away_in_profile(profile, now_epoch=_epoch(now)):
        status = " ".join(filter(None, [profile.get("status_emoji"), profile.get("status_text")]))
        away_reason = away.away_skip_reason(status)
    return Profile(bool(user.get("deleted")), new_tz, away_reason)


def record_fetched_user(deps: Deps, user: dict[str, Any]) -> None:
    """A users.info answer (the stored profile was unknown or too old): store it for the next sends."""
    with deps.uow() as uow:
        profiles.record_users(uow, [user], deps.now())


def due_in_new_zone(deps: Deps, config: TickConfig, job: PromptJob, report: TickReport, new_tz: str) -> bool:
    """Slack says the person moved since this prompt was planned: True when its local time in the new zone
    has come (within the late window), so it is sent now; otherwise it is re-timed to that local time
    (claim released) or expired, and the person's zone and schedule follow the move either way."""
    now = deps.now()
    with deps.uow() as uow:
        prompt = uow.prompts.get(job.prompt_id)
        person = uow.people.get(job.person_id)
        if prompt is None or person is None:
            return False
        local = timing.to_local(prompt.due_at, job.tz)
        moved = timing.local_to_utc(local.date(), local.time(), new_tz)
        if moved <= now and now - moved <= config.late_window:
            return True
        _change_time_zone(uow, person, new_tz, prompt, now)
        if moved > now:
            uow.prompts.retime(prompt, moved)
            outcome = "retimed"
        else:
            uow.prompts.mark_expired(prompt)
            prompt.skip_reason = (
                f"time zone changed to {new_tz}: {local:%H:%M} there was "
                f"{(now - moved).total_seconds() / 3600:.1f} h ago, over the late window"
            )[:200]
            outcome = "expired"
    report.add(outcome)
    return False


def record_skipped(
    deps: Deps, job: PromptJob, report: TickReport, outcome: str, *, skip_reason: str, new_tz: str | None = None
) -> str:
    """A prompt not sent this week (the person is away): skipped, with the reason."""
    now = deps.now()
    with deps.uow() as uow:
        skipped = uow.prompts.get(job.prompt_id)
        if skipped is None:
            return "gone"
        uow.prompts.mark_skipped(skipped, skip_reason, now)
        _follow_time_zone(uow, job, new_tz, now)
    report.add(outcome)
    return outcome


@dataclass(frozen=True, slots=True)
class SentPrompt:
    """A prompt Slack took (or that an earlier attempt was found to have posted), still to be recorded."""

    job: PromptJob
    channel_id: str
    message_ts: str
    new_tz: str | None = None  # Slack's profile says the person moved to this zone


def record_sent_many(deps: Deps, config: TickConfig, sends: list[SentPrompt], report: TickReport) -> None:
    """Record a batch of sends in one unit of work; the previous prompts they replace, if still
    unanswered, are marked for closing (bot.services.prompt_closes). A prompt no longer claimed is not
    recorded (its claim expired and another attempt settled it)."""
    if not sends:
        return
    now = deps.now()
    with deps.uow() as uow:
        rows = [SentRow(send.job.prompt_id, send.channel_id, send.message_ts) for send in sends]
        recorded = uow.prompts.record_sent_many(rows, now, now + config.reminder_after)
        done = [send for send in sends if send.job.prompt_id in recorded]
        uow.prompt_closes.mark_pending((send.job.previous_id for send in done if send.job.previous_id), now)
        for send in done:
            _follow_time_zone(uow, send.job, send.new_tz, now)
    report.add("sent", len(done))
    for send in done:
        if send.job.due_at is not None:
            report.sent_late((now - send.job.due_at).total_seconds())


def _follow_time_zone(uow: UnitOfWork, job: PromptJob, new_tz: str | None, now: datetime) -> None:
    if new_tz:
        prompt = uow.prompts.get(job.prompt_id)
        person = uow.people.get(job.person_id)
        if prompt is not None and person is not None:
            _change_time_zone(uow, person, new_tz, prompt, now)


def _change_time_zone(uow: UnitOfWork, person: Person, new_tz: str, prompt: Prompt, now: datetime) -> None:
    """Slack says the person moved: their next slot follows the new zone, but never again in the
    local week of the prompt just handled."""
    log.info("time zone of %s changed from %s to %s", person.slack_user_id, person.tz, new_tz)
    handled_day = timing.local_date(prompt.due_at, person.tz)
    person.tz = new_tz
    schedule = uow.schedules.get_for(person.id)
    if schedule is None or schedule.next_due_at is None:
        return
    upcoming = compute_next_due(schedule, new_tz, now)
    while upcoming is not None and timing.local_date(upcoming, new_tz) <= handled_day:
        upcoming = next_slot(schedule, new_tz, upcoming)
    uow.schedules.set_next_due(schedule, upcoming)


def record_gone(deps: Deps, job: PromptJob, error: str, report: TickReport) -> str:
    now = deps.now()
    with deps.uow() as uow:
        prompt = uow.prompts.get(job.prompt_id)
        person = uow.people.get(job.person_id)
        if prompt is not None:
            uow.prompts.mark_failed(prompt, f"{error}: person marked inactive", now=now)
        if person is not None:
            mark_inactive(uow, person, f"Slack: {error}", now)
    report.add("inactive")
    return "inactive"


def record_failed(deps: Deps, job: PromptJob, error: str, report: TickReport) -> str:
    with deps.uow() as uow:
        prompt = uow.prompts.get(job.prompt_id)
        if prompt is not None:
            uow.prompts.mark_failed(prompt, error, now=deps.now())
    report.add("failed")
    return "failed"


def record_retry(
    deps: Deps,
    job: PromptJob,
    report: TickReport,
    error: str,
    delay: timedelta,
    config: TickConfig,
    *,
    posting: bool = False,
) -> str:
    """Back to DUE for `delay`; `posting`: the failure came from a chat.postMessage that may have gone
    through, so the next attempt looks in the DM first."""
    # Slack's rate limit (or a refused token) is not a failure of this prompt: it waits its turn without
    # using up an attempt (the late window still ends it as EXPIRED); other errors are given up after
    # max_attempts.
    refused = error in REFUSALS
    if not refused and job.attempts >= config.max_attempts:
        return record_failed(deps, job, f"{error} (gave up after {job.attempts} attempts)", report)
    now = deps.now()
    with deps.uow() as uow:
        prompt = uow.prompts.get(job.prompt_id)
        if prompt is not None:
            if posting:
                recorded = error
            elif job.may_have_posted:
                recorded = error + MAY_HAVE_POSTED
            else:
                recorded = error if refused else error + BEFORE_POSTING
            uow.prompts.mark_failed(prompt, recorded, now=now, retry_at=now + delay, count_attempt=not refused)
    report.add("retry")
    return "retry"


def record_slack_error(
    deps: Deps, config: TickConfig, job: PromptJob, report: TickReport, name: str, detail: Any, *, posting: bool
) -> str:
    """Slack answered `name` (an error code, or `http_<status>`): the person is gone, the prompt can
    never be sent, or it is tried again later. `posting`: a chat.postMessage that may have gone through."""
    if name in GONE_ERRORS:
        return record_gone(deps, job, name, report)
    if name in PERMANENT_ERRORS:
        return record_failed(deps, job, f"{name}: {detail or ''}", report)
    return record_retry(deps, job, report, name, backoff(job.attempts), config, posting=posting)
