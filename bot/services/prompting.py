"""The tick: plan the prompts that fell due, send them (concurrently, paced), and send the one reminder.

Everything the tick knows lives in growthbot's tables, so a restart loses nothing:

1. Plan. Schedules whose `next_due_at` has come get one Prompt row per person and slot (idempotency key
   `"{person id}:{local slot date}"`, inserted with ON CONFLICT DO NOTHING, so two instances planning at
   once still make one row) and move on to their next slot. A slot older than the late window is
   recorded as EXPIRED, never sent; a quiet day or a person without a ladder is recorded as SKIPPED.
2. Deliver. Due prompts are claimed a few at a time with an expiring claim (FOR UPDATE SKIP LOCKED on
   PostgreSQL; on SQLite run the scheduler in one instance only) and sent by a thread pool, each worker
   with its own unit of work: users.info (time zone refresh, away status, deactivated account), then
   conversations.open and chat.postMessage. Calls are paced per method, Retry-After is honoured, transient
   failures are retried with back-off a bounded number of times, and a deactivated or unknown user is
   marked inactive instead of retried.
3. Remind. A prompt still unanswered `reminder_after_days` after it was sent (or when a snooze ends) gets
   one threaded nudge, claimed before sending so it is never sent twice. A passing failure that surely
   left nothing in Slack (before the post, or a 429) hands it back for ten minutes later; a post that
   may have gone through (timeout, 5xx) is not tried again.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.prompt import PromptContent, prompt_blocks, prompt_closed_blocks, prompt_text, reminder_text
from bot.deps import Deps
from bot.services import away, timing
from bot.services.prompt_choice import EvidenceStat, fallback_note, pick_prompt_behaviour, why_line
from bot.services.prompt_controls import compute_next_due, is_paused, mark_inactive, next_slot
from bot.settings import Settings
from bot.slack_client import PERSON_GONE_ERRORS, TOKEN_ERRORS, make_web_client
from frameworks import Library
from frameworks.lookups import next_milestone
from storage.models import Person, Placement, Prompt, PromptSchedule, PromptState
from storage.repositories import BehaviourCoverage
from storage.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

T = TypeVar("T")

HISTORY = 10  # past prompts considered when picking the next behaviour
PLAN_BATCH = 500
CLAIM_TTL = timedelta(minutes=5)
REMINDER_HORIZON = timedelta(days=14)  # never remind about a prompt older than this
MAX_ATTEMPTS = 8  # claims per prompt before it is given up as FAILED
RATE_LIMIT_WAIT_MAX_S = 60.0  # in-process waiting for Retry-After before handing back to the database
# A tick stops claiming prompts after this long (what is left goes on next minute), so a fan-out held
# back by rate limits never delays reminders, digests and confirmations for long.
FANOUT_BUDGET_S = 600.0
RETRY_BASE = timedelta(seconds=30)
RETRY_MAX = timedelta(minutes=30)
METADATA_EVENT = "growthbot_prompt"
# A prompt re-claimed after an attempt that may have reached Slack is first looked for among the DM's
# newest messages (conversations.history, Tier 3 for internal apps: docs.slack.dev/apis/web-api/rate-limits).
# Its post went out minutes before the claim expired, so the newest messages are enough.
POSTED_LOOKBACK = 50

GONE_ERRORS = PERSON_GONE_ERRORS | {"users_not_found", "user_deleted"}
# A remembered DM channel that no longer works: open the DM again.
STALE_CHANNEL_ERRORS = frozenset({"channel_not_found", "is_archived", "not_in_channel"})
# Answers that will not change on a retry: fail the prompt now, keep the person.
PERMANENT_ERRORS = frozenset({"invalid_blocks", "invalid_blocks_format", "msg_too_long", "invalid_arguments"})


def instance_name() -> str:
    """Who holds a claim: host, process and a random suffix (two ticks in one process differ)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True, slots=True)
class TickConfig:
    late_window: timedelta
    reminder_after: timedelta
    concurrency: int
    quiet_days: frozenset[date] = frozenset()
    claim_ttl: timedelta = CLAIM_TTL
    max_attempts: int = MAX_ATTEMPTS
    rate_limit_wait_max_s: float = RATE_LIMIT_WAIT_MAX_S
    fanout_budget_s: float = FANOUT_BUDGET_S

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> TickConfig:
        values: dict[str, Any] = {
            "late_window": timedelta(hours=settings.late_prompt_window_hours),
            "reminder_after": timedelta(days=settings.reminder_after_days),
            "concurrency": settings.fanout_concurrency,
            "quiet_days": away.load_quiet_days(settings.quiet_days_file),
        }
        values.update(overrides)
        return cls(**values)


@dataclass
class TickReport:
    """What one tick did. `counts` keys: planned, expired, skipped, sent, away, retry, failed, inactive,
    retimed (the person moved zone: sent later at their new local time), reminded, reminder_paused and
    reminder_away (claimed, not sent), reminder_failed, reminder_retry (a passing failure before anything reached
    Slack: the reminder is due again in ten minutes), rate_limited (429 answers seen), already_posted
    (sent, found in the DM after an earlier attempt's crash instead of posted again), budget_spent (the
    tick stopped claiming prompts after its time budget; the next tick goes on)."""

    counts: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, key: str, n: int = 1) -> None:
        with self._lock:
            self.counts[key] += n

    def error(self, name: str) -> None:
        with self._lock:
            self.errors[name] += 1

    def __getitem__(self, key: str) -> int:
        return self.counts[key]

    def summary(self) -> str:
        parts = [f"{key}={value}" for key, value in sorted(self.counts.items()) if value]
        return " ".join(parts) or "nothing to do"


# ---------------------------------------------------------------------------------------------------
# 1. Plan


@dataclass(frozen=True, slots=True)
class PlannedRow:
    key: str
    due_at: datetime
    state: PromptState
    framework_id: str
    behaviour_ids: tuple[str, ...] = ()
    skip_reason: str | None = None


def _choose(
    person: Person,
    placement: Placement | None,
    library: Library,
    history: Sequence[str | None],
    coverage: dict[tuple[str, str], BehaviourCoverage],
) -> tuple[str, str | None, str | None]:
    """(framework id, behaviour id or None, why not)."""
    framework = library.get(placement.framework_id) if placement is not None else None
    if placement is None:
        return "", None, "not set up: no ladder placement"
    if framework is None:
        return placement.framework_id, None, f"ladder {placement.framework_id} is not loaded"
    levels = {a: str(lv) for a, lv in (placement.levels or {}).items() if framework.has_level(str(lv))}
    track = placement.track if placement.track and framework.has_track(placement.track) else None
    milestone = next_milestone(framework, levels, track)
    candidates = list(milestone.behaviours)
    if not candidates:
        # At the top everywhere: keep the habit with the current level's behaviours.
        candidates = [b for b in framework.behaviours if b.applies_to(track) and levels.get(b.area_id) == b.level_id]
    stats = {
        behaviour_id: EvidenceStat(c.count, c.last_at)
        for (framework_id, behaviour_id), c in coverage.items()
        if framework_id == framework.id
    }
    chosen = pick_prompt_behaviour(candidates, history, stats, seed=person.id)
    if chosen is None:
        return framework.id, None, "nothing new to ask this time"
    return framework.id, chosen.id, None


def plan_schedule(
    schedule: PromptSchedule,
    person: Person,
    now: datetime,
    config: TickConfig,
    choose: Callable[[], tuple[str, str | None, str | None]],
) -> tuple[list[PlannedRow], datetime | None]:
    """The prompt rows for a due schedule and its new next_due_at. Pure apart from `choose`."""
    rows: list[PlannedRow] = []
    slot = schedule.next_due_at
    assert slot is not None
    snoozed = schedule.snoozed_until is not None and schedule.snoozed_until == slot
    # The slot that names the period: a snooze moves the time, not the week.
    period = timing.same_local_time(slot, person.tz, -1) if snoozed else slot
    chosen: tuple[str, str | None, str | None] | None = None
    for _ in range(4):
        if slot > now:
            break
        if now - slot > config.late_window:
            # Missed while the bot was down: record the latest missed slot, never send it late.
            latest = timing.previous_occurrence(
                weekday=schedule.weekday,
                local_time=schedule.local_time,
                tz=person.tz,
                at_or_before=now - config.late_window,
                cadence=schedule.cadence,
                anchor_date=schedule.anchor_date,
            )
            if latest > period:
                period = slot = latest
            hours = (now - slot).total_seconds() / 3600
            chosen = chosen or choose()
            rows.append(
                PlannedRow(
                    key=timing.slot_key(person.id, timing.local_date(period, person.tz)),
                    due_at=slot,
                    state=PromptState.EXPIRED,
                    framework_id=chosen[0],
                    skip_reason=f"missed: {hours:.1f} h late, over the {config.late_window} late window",
                )
            )
        else:
            key = timing.slot_key(person.id, timing.local_date(period, person.tz))
            local_day = timing.local_date(slot, person.tz)
            chosen = chosen or choose()
            framework_id, behaviour_id, why_not = chosen
            if local_day in config.quiet_days:
                rows.append(PlannedRow(key, slot, PromptState.SKIPPED, framework_id, (), f"quiet day {local_day}"))
            elif behaviour_id is None:
                rows.append(PlannedRow(key, slot, PromptState.SKIPPED, framework_id, (), why_not))
            else:
                rows.append(PlannedRow(key, slot, PromptState.DUE, framework_id, (behaviour_id,)))
        period = slot = next_slot(schedule, person.tz, period)
    return rows, slot


def plan_due(
    uow_factory: UnitOfWorkFactory, library: Library, config: TickConfig, now: datetime, report: TickReport
) -> None:
    """Turn every schedule due at `now` into prompt rows, batch by batch, each batch one transaction."""
    for _ in range(10_000):
        with uow_factory() as uow:
            due = uow.schedules.due(now, PLAN_BATCH)
            if not due:
                return
            _plan_batch(uow, library, config, now, due, report)
        if len(due) < PLAN_BATCH:
            return


def _plan_batch(
    uow: UnitOfWork,
    library: Library,
    config: TickConfig,
    now: datetime,
    due: Sequence[Any],
    report: TickReport,
) -> None:
    person_ids = [person.id for _, person in due]
    placements = uow.placements.current_for_many(person_ids)
    histories = uow.prompts.recent_behaviours_for_many(person_ids, HISTORY)
    coverage = uow.evidence.coverage_for_people(person_ids)
    values: list[dict[str, Any]] = []
    for schedule, person in due:
        if not person.active:
            # Nobody prompts an inactive person, whatever set this slot (their own pause or resume, an
            # admin's schedule change): clear it; becoming active again plans a fresh one.
            schedule.next_due_at = None
            continue
        if schedule.paused and schedule.paused_until is not None and schedule.paused_until <= now:
            uow.schedules.resume(schedule)

        def choose(person: Person = person) -> tuple[str, str | None, str | None]:
            return _choose(person, placements.get(person.id), library, histories[person.id], coverage[person.id])

        rows, next_due = plan_schedule(schedule, person, now, config, choose)
        for row in rows:
            values.append(
                {
                    "person_id": person.id,
                    "idempotency_key": row.key,
                    "framework_id": row.framework_id,
                    "behaviour_ids": list(row.behaviour_ids),
                    "due_at": row.due_at,
                    "state": row.state,
                    "skip_reason": row.skip_reason,
                }
            )
        schedule.next_due_at = next_due
        schedule.snoozed_until = None
    created = uow.prompts.add_many_if_absent(values, now=now)
    for row in values:
        if row["idempotency_key"] in created:
            report.add({PromptState.DUE: "planned", PromptState.EXPIRED: "expired"}.get(row["state"], "skipped"))
    uow.flush()


# ---------------------------------------------------------------------------------------------------
# 2. Deliver


class Pacer:
    """Spaces calls to one Slack method across the fan-out threads and learns its rate limit.

    A leaky-bucket scheduler: one shared "next send time" that the threads take in turn, each sleeping
    until it under a gate, and the next turn is one interval after the moment this one actually went
    out. A late turn is not made up by sending the next one early: a bucket without burst refuses a
    call that arrives even slightly early, and a refused call wastes its turn.

    Unpaced until Slack answers 429; then the interval becomes what actually got through so far. After
    that it grows 3% on each 429 and shrinks 0.2% on each success, so the pace keeps probing upwards
    (Slack's limits are unpublished) and settles just under the limit; three refusals with no success
    between mean the first estimate was far too fast (a burst allowance inflates it), and the interval
    grows by half.
    """

    WINDOW_S = 2.0
    BACK_OFF = 1.03
    SPEED_UP = 0.998
    FAR_TOO_FAST_AFTER = 3
    FAR_TOO_FAST_BACK_OFF = 1.5

    def __init__(self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()  # the learned state
        self._gate = threading.Lock()  # the turns: held while the next caller sleeps until its send time
        self._interval = 0.0
        self._next = 0.0
        self._started: float | None = None
        self._changed_at = float("-inf")
        self._successes: deque[float] = deque()
        self._refusals_in_a_row = 0

    @property
    def interval(self) -> float:
        return self._interval

    def wait(self) -> float:
        """Block until this caller's turn; returns the turn's time (pass it to `rate_limited`)."""
        with self._gate:
            now = self._clock()
            if self._started is None:
                self._started = now
            if self._next > now:
                self._sleep(self._next - now)
                now = self._clock()
            turn = max(now, self._next)
            with self._lock:
                self._next = turn + self._interval
        return turn

    def success(self) -> None:
        with self._lock:
            now = self._clock()
            self._successes.append(now)
            while self._successes and self._successes[0] < now - self.WINDOW_S:
                self._successes.popleft()
            self._interval *= self.SPEED_UP
            self._refusals_in_a_row = 0

    def rate_limited(self, sent_at: float | None = None) -> None:
        """A call made at `sent_at` (from `wait`) got 429. Calls already under way when the pace last
        changed say nothing about the new pace, so they do not slow it again."""
        with self._lock:
            now = self._clock()
            if sent_at is not None and sent_at < self._changed_at:
                return
            self._changed_at = now
            self._refusals_in_a_row += 1
            if self._interval == 0.0:
                self._interval = self._observed_interval(now)  # the first 429: start from what got through
            elif self._refusals_in_a_row >= self.FAR_TOO_FAST_AFTER:
                # Several refusals with no success between: the pace is well over the limit (a burst
                # allowance made the first estimate too fast), so step back hard.
                self._interval *= self.FAR_TOO_FAST_BACK_OFF
                self._refusals_in_a_row = 0
            else:
                # Close to the limit: back off a little. Each 429 wastes a slot, each success probes
                # faster, so the pace settles just under the limit. Only the very first 429 jumps to the
                # observed rate: later ones often follow a quiet spell (callers sleeping out
                # Retry-After), when the observed rate says nothing about the limit.
                self._interval *= self.BACK_OFF

    def _observed_interval(self, now: float) -> float:
        recent = sum(1 for t in self._successes if t >= now - self.WINDOW_S)
        # Early on the window is not full yet: measure over the time since the first call.
        span = min(self.WINDOW_S, max(now - (self._started if self._started is not None else now), 0.05))
        observed = recent / span
        return 1.0 / observed if observed > 0 else 0.05


class RateLimited(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"ratelimited, retry after {retry_after:g} s")
        self.retry_after = retry_after


class SlackCaller:
    """Slack calls for the fan-out: paced per method, waiting out Retry-After within a budget."""

    def __init__(self, client: WebClient, report: TickReport, wait_budget_s: float = RATE_LIMIT_WAIT_MAX_S):
        self.client = client
        # chat.postMessage is never re-sent by slack_sdk on a 5xx or a dropped connection: Slack may have
        # posted it already. It goes back to the database instead and is looked up before the next try.
        self.post_client = make_web_client(
            client.token or "",
            client.base_url,
            rate_limit_retries=0,
            server_error_retries=0,
            connection_error_retries=0,
        )
        self.report = report
        self.wait_budget_s = wait_budget_s
        self.token_error: str | None = None  # set once Slack refuses the bot's token: stop claiming
        self._pacers: dict[str, Pacer] = {}
        self._lock = threading.Lock()
        self._calling = threading.local()

    @property
    def last_method(self) -> str | None:
        """The method this thread called last (so a failure can tell "before posting" from "posting")."""
        return getattr(self._calling, "method", None)

    def pacer(self, method: str) -> Pacer:
        with self._lock:
            return self._pacers.setdefault(method, Pacer())

    def call(self, method: str, **kwargs: Any) -> Any:
        self._calling.method = method
        pacer = self.pacer(method)
        waited = 0.0
        while True:
            turn = pacer.wait()
            try:
                client = self.post_client if method == "chat.postMessage" else self.client
                response = getattr(client, method.replace(".", "_"))(**kwargs)
            except SlackApiError as error:
                if error.response.status_code != 429 and error.response.get("error") != "ratelimited":
                    raise
                self.report.add("rate_limited")
                pacer.rate_limited(turn)
                retry_after = _retry_after(error)
                if waited + retry_after > self.wait_budget_s:
                    raise RateLimited(retry_after) from None
                time.sleep(retry_after)  # facts: honour Retry-After before calling again
                waited += retry_after
                continue
            pacer.success()
            return response


def _retry_after(error: SlackApiError) -> float:
    headers = error.response.headers or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return max(1.0, float(value)) if value is not None else 1.0
    except (TypeError, ValueError):
        return 1.0


def fanout_client(deps: Deps) -> WebClient:
    """A client like the app's, but handing 429s to the pacer instead of retrying them itself."""
    return make_web_client(
        deps.client.token or "",
        deps.client.base_url,
        rate_limit_retries=0,
        server_error_retries=2,
        connection_error_retries=2,
    )


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
    previous: OpenPrompt | None = None  # the person's live prompt before this one, closed once this is sent


@dataclass(frozen=True, slots=True)
class OpenPrompt:
    prompt_id: int
    channel_id: str
    message_ts: str
    content: PromptContent


def prompt_content(
    library: Library, prompt: Prompt, stat: EvidenceStat | None, placement: Placement | None = None
) -> PromptContent | None:
    """What the prompt DM says, rebuilt from the prompt row and today's ladder (None if it is gone).

    `placement` (the person's current one) tells a next-milestone behaviour from a fallback to their
    own level, so the DM never says "towards" the level they are already at."""
    framework = library.get(prompt.framework_id)
    behaviour_id = prompt.behaviour_ids[0] if prompt.behaviour_ids else None
    behaviour = framework.find_behaviour(behaviour_id) if framework and behaviour_id else None
    if framework is None or behaviour is None:
        return None
    area = framework.find_area(behaviour.area_id)
    area_name = area.name if area else behaviour.area_id
    level = framework.level(behaviour.level_id).name if framework.has_level(behaviour.level_id) else behaviour.level_id
    current = None
    if placement is not None and placement.framework_id == framework.id:
        current = (placement.levels or {}).get(behaviour.area_id)
    fallback = fallback_note(framework, behaviour, str(current) if current is not None else None)
    return PromptContent(
        prompt_id=prompt.id,
        behaviour_text=behaviour.text,
        area_name=area_name,
        level_name=level,
        why=why_line(behaviour, stat, level, area_name, fallback),
        qualifier=behaviour.qualifier,
        fallback=fallback is not None,
    )


def content_for(uow: UnitOfWork, library: Library, prompt: Prompt) -> PromptContent | None:
    """`prompt_content` with the person's current evidence count for the behaviour and their placement."""
    stat = None
    if prompt.behaviour_ids:
        coverage = uow.evidence.coverage(prompt.person_id, prompt.framework_id, prompt.behaviour_ids[:1])
        found = coverage.get(prompt.behaviour_ids[0])
        stat = EvidenceStat(found.count, found.last_at) if found else None
    return prompt_content(library, prompt, stat, uow.placements.current_for(prompt.person_id))


PromptLook = Literal["answered", "skipped", "closed", "paused", "snoozed", "live"]


@dataclass(frozen=True, slots=True)
class ShownPrompt:
    """What a prompt DM should show now, from the prompt's state in the database."""

    channel_id: str
    message_ts: str
    content: PromptContent
    look: PromptLook
    answers: int = 0
    until: datetime | None = None  # when a pause or a snooze ends
    tz: str | None = None


def shown_prompt(uow: UnitOfWork, library: Library, prompt_id: int, *, snoozed: bool = False) -> ShownPrompt | None:
    """How to redraw the prompt's DM; None when it has none (never sent) or its behaviour is gone.
    `snoozed`: the person just snoozed it, so a live prompt says until when."""
    prompt = uow.prompts.get(prompt_id)
    if prompt is None or not prompt.channel_id or not prompt.message_ts:
        return None
    content = content_for(uow, library, prompt)
    if content is None:
        return None
    person = uow.people.get(prompt.person_id)
    tz = person.tz if person else None
    schedule = uow.schedules.get_for(prompt.person_id)
    where = {"channel_id": prompt.channel_id, "message_ts": prompt.message_ts, "content": content, "tz": tz}
    if prompt.state is PromptState.ANSWERED:
        return ShownPrompt(**where, look="answered", answers=max(uow.evidence.count_for_prompt(prompt.id), 1))
    if prompt.state is PromptState.SKIPPED:
        return ShownPrompt(**where, look="skipped")
    if prompt.state is not PromptState.SENT:
        return ShownPrompt(**where, look="closed")
    if schedule is not None and schedule.paused:
        return ShownPrompt(**where, look="paused", until=schedule.paused_until)
    if snoozed and prompt.next_attempt_at is not None:
        return ShownPrompt(**where, look="snoozed", until=prompt.next_attempt_at)
    return ShownPrompt(**where, look="live")


@lru_cache(maxsize=4096)
def _rendered_template(content: PromptContent) -> str:
    return json.dumps([block.to_dict() for block in prompt_blocks(content)])


def rendered_prompt(content: PromptContent) -> list[dict[str, Any]]:
    """`prompt_blocks(content)` as dicts. Building and validating Block Kit objects costs about as much
    as a Slack call, so a fan-out renders each distinct prompt once (with prompt id 0) and copies it."""
    template = json.loads(_rendered_template(dataclasses.replace(content, prompt_id=0)))
    for block in template:
        for element in block.get("elements") or []:
            if element.get("type") == "button" and element.get("value") == "0":
                element["value"] = str(content.prompt_id)
    return template


def _claim_jobs(
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
            content = prompt_content(deps.library, prompt, stat, placements.get(prompt.person_id))
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
                    previous=_open_prompt(deps.library, delivered.get(person.id), prompt.id),
                )
            )
        return jobs, True


# Failures that say for sure nothing was posted (and that are not the prompt's fault, so they use up
# no attempt): Slack's rate limit and a refused bot token.
REFUSALS = frozenset({"ratelimited"}) | TOKEN_ERRORS
MAY_HAVE_POSTED = " (an earlier attempt may have posted)"
BEFORE_POSTING = " (before posting)"


def _open_prompt(library: Library, previous: Prompt | None, prompt_id: int) -> OpenPrompt | None:
    """The earlier prompt a new one closes: still unanswered, in the person's DMs."""
    if previous is None or previous.id == prompt_id or previous.state is not PromptState.SENT:
        return None
    if not previous.channel_id or not previous.message_ts:
        return None
    content = prompt_content(library, previous, None)
    return OpenPrompt(previous.id, previous.channel_id, previous.message_ts, content) if content else None


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


def _backoff(attempts: int) -> timedelta:
    return min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_MAX)


def send_prompt(deps: Deps, slack: SlackCaller, config: TickConfig, job: PromptJob, report: TickReport) -> str:
    """Deliver one claimed prompt and record the outcome in its own unit of work; returns the outcome."""
    if slack.token_error is not None:  # claimed before Slack refused the token: hand it back untried
        return _record_retry(deps, job, report, slack.token_error, RETRY_MAX, config)
    try:
        user = slack.call("users.info", user=job.slack_user_id)["user"]
        if user.get("deleted"):
            return _record_gone(deps, job, "user_deleted", report)
        new_tz = user.get("tz") if timing.is_known_zone(user.get("tz")) and user.get("tz") != job.tz else None
        profile = user.get("profile") or {}
        if away.away_in_profile(profile, now_epoch=_epoch(deps.now())):
            status = " ".join(filter(None, [profile.get("status_emoji"), profile.get("status_text")]))
            return _record(deps, job, report, "away", skip_reason=f"away: {status}"[:200], new_tz=new_tz)
        if new_tz and not _due_in_new_zone(deps, config, job, report, new_tz):
            return "moved"
        posted = _find_posted(slack, job) if job.may_have_posted else None
        if posted is not None:
            report.add("already_posted")
        else:
            posted = _post_prompt(slack, job)
        outcome, close_previous = _record_sent(deps, config, job, report, posted["channel"], posted["ts"], new_tz)
        if close_previous and job.previous is not None:
            _close_previous(slack, job.previous)
        return outcome
    except RateLimited as limited:
        return _record_retry(deps, job, report, "ratelimited", timedelta(seconds=limited.retry_after), config)
    except SlackApiError as error:
        name = str(error.response.get("error") or f"http_{error.response.status_code}")
        posting = slack.last_method == "chat.postMessage" and error.response.status_code >= 500
        report.error(name)
        if name in TOKEN_ERRORS:
            if slack.token_error is None:
                log.error("Slack refuses the bot token (%s): prompts wait until the install is fixed", name)
            slack.token_error = name
            return _record_retry(deps, job, report, name, RETRY_MAX, config)
        if name in GONE_ERRORS:
            return _record_gone(deps, job, name, report)
        if name in PERMANENT_ERRORS:
            return _record_failed(deps, job, f"{name}: {error.response.get('errors') or ''}", report)
        return _record_retry(deps, job, report, name, _backoff(job.attempts), config, posting=posting)
    except (OSError, TimeoutError) as error:  # connection refused / reset / timed out after the client's retries
        report.error(type(error).__name__)
        posting = slack.last_method == "chat.postMessage"
        message = f"{type(error).__name__}: {error}"[:200]
        return _record_retry(deps, job, report, message, _backoff(job.attempts), config, posting=posting)


def _due_in_new_zone(deps: Deps, config: TickConfig, job: PromptJob, report: TickReport, new_tz: str) -> bool:
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


SUPERSEDED_NOTE = "A newer prompt arrived, so this one is closed. You can still reply in its thread."


def _close_previous(slack: SlackCaller, previous: OpenPrompt) -> None:
    """The person's previous prompt, still unanswered when this one was claimed, loses its buttons
    (chat.update): only the newest prompt is live. Only the one before: older ones were closed when it
    arrived."""
    try:
        slack.call(
            "chat.update",
            channel=previous.channel_id,
            ts=previous.message_ts,
            text=prompt_text(previous.content),
            blocks=[block.to_dict() for block in prompt_closed_blocks(previous.content, SUPERSEDED_NOTE)],
        )
    except (SlackApiError, RateLimited, OSError) as error:
        # Cosmetic: the new prompt is already delivered; the old buttons still answer the right prompt.
        log.warning("could not close prompt %s after a newer one: %s", previous.prompt_id, error)


def _find_posted(slack: SlackCaller, job: PromptJob) -> dict[str, str] | None:
    """The prompt's message if an earlier attempt already posted it (found by the prompt id in its
    metadata), so a restart after a crash mid-send does not DM the person twice."""
    try:
        channel = job.channel_id or slack.call("conversations.open", users=job.slack_user_id)["channel"]["id"]
        history = slack.call("conversations.history", channel=channel, limit=POSTED_LOOKBACK, include_all_metadata=True)
    except SlackApiError as error:
        # Not knowing is no reason to miss the week's prompt: post, at worst a second time.
        log.warning("could not look for an earlier post of prompt %s: %s", job.prompt_id, error)
        return None
    for message in history.get("messages") or []:
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if metadata.get("event_type") == METADATA_EVENT and payload.get("prompt_id") == job.prompt_id:
            log.info("prompt %s was already posted by an earlier attempt (ts %s)", job.prompt_id, message["ts"])
            return {"channel": channel, "ts": message["ts"]}
    return None


def _post_prompt(slack: SlackCaller, job: PromptJob) -> Any:
    """conversations.open (only for someone never reached before) and chat.postMessage."""
    message = {
        "text": prompt_text(job.content),
        "blocks": rendered_prompt(job.content),
        "metadata": {"event_type": METADATA_EVENT, "event_payload": {"prompt_id": job.prompt_id}},
        "unfurl_links": False,
    }
    if job.channel_id:
        try:
            return slack.call("chat.postMessage", channel=job.channel_id, **message)
        except SlackApiError as error:
            if error.response.get("error") not in STALE_CHANNEL_ERRORS:
                raise
    channel = slack.call("conversations.open", users=job.slack_user_id)["channel"]["id"]
    return slack.call("chat.postMessage", channel=channel, **message)


def _record(
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


def _record_sent(
    deps: Deps, config: TickConfig, job: PromptJob, report: TickReport, channel: str, ts: str, new_tz: str | None
) -> tuple[str, bool]:
    """Record the send; returns the outcome and whether the previous prompt is still open to close."""
    now = deps.now()
    with deps.uow() as uow:
        remind_at = now + config.reminder_after
        if not uow.prompts.record_sent(job.prompt_id, channel_id=channel, message_ts=ts, now=now, remind_at=remind_at):
            return "gone", False
        previous = uow.prompts.get(job.previous.prompt_id) if job.previous is not None else None
        _follow_time_zone(uow, job, new_tz, now)
        still_open = previous is not None and previous.state is PromptState.SENT  # not answered since the claim
    report.add("sent")
    return "sent", still_open


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


def _record_gone(deps: Deps, job: PromptJob, error: str, report: TickReport) -> str:
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


def _record_failed(deps: Deps, job: PromptJob, error: str, report: TickReport) -> str:
    with deps.uow() as uow:
        prompt = uow.prompts.get(job.prompt_id)
        if prompt is not None:
            uow.prompts.mark_failed(prompt, error, now=deps.now())
    report.add("failed")
    return "failed"


def _record_retry(
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
        return _record_failed(deps, job, f"{error} (gave up after {job.attempts} attempts)", report)
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


def _pipeline(
    pool: ThreadPoolExecutor,
    width: int,
    claim: Callable[[int], tuple[list[T], bool]],
    work: Callable[[T], object],
    keep_claiming: Callable[[], bool] = lambda: True,
) -> None:
    """Keep about `width` items in flight: claim more as workers finish, until a claim comes back empty
    or `keep_claiming` says stop (then the items in flight are finished)."""
    in_flight: set[Future[object]] = set()
    more = True
    while True:
        more = more and keep_claiming()
        if more and len(in_flight) < width:
            jobs, claimed = claim(width * 2 - len(in_flight))
            more = claimed
            in_flight.update(pool.submit(work, job) for job in jobs)
            if claimed and not jobs:
                continue  # everything in that batch was settled without Slack; claim again
        if not in_flight:
            if more:
                continue
            return
        done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
        for future in done:
            future.result()  # a worker's unexpected error reaches the tick (its claim expires; retried later)


def deliver_due(deps: Deps, config: TickConfig, report: TickReport, *, instance_id: str, client: WebClient) -> None:
    slack = SlackCaller(client, report, config.rate_limit_wait_max_s)
    stop_at = time.monotonic() + config.fanout_budget_s

    def keep_claiming() -> bool:
        if slack.token_error is not None:
            return False
        if time.monotonic() >= stop_at:
            report.add("budget_spent")  # the rest is claimed by the next tick
            return False
        return True

    with ThreadPoolExecutor(config.concurrency, thread_name_prefix="fanout") as pool:
        _pipeline(
            pool,
            config.concurrency,
            lambda limit: _claim_jobs(deps, config, instance_id, limit, report),
            lambda job: _send_logged(deps, slack, config, job, report),
            keep_claiming,
        )
        if slack.token_error is not None:
            return  # reminders would fail the same way
        _pipeline(
            pool,
            config.concurrency,
            lambda limit: _claim_reminders(deps, limit, report),
            lambda job: _send_reminder(deps, slack, job, report),
        )


def _send_logged(deps: Deps, slack: SlackCaller, config: TickConfig, job: PromptJob, report: TickReport) -> None:
    try:
        send_prompt(deps, slack, config, job, report)
    except Exception:
        log.exception("sending prompt %s failed unexpectedly; it will be retried when its claim expires", job.prompt_id)
        report.add("crashed")


# ---------------------------------------------------------------------------------------------------
# 3. Remind


@dataclass(frozen=True, slots=True)
class ReminderJob:
    prompt_id: int
    slack_user_id: str
    channel_id: str
    message_ts: str
    content: PromptContent


def _claim_reminders(deps: Deps, limit: int, report: TickReport) -> tuple[list[ReminderJob], bool]:
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
                jobs.append(ReminderJob(prompt.id, person.slack_user_id, prompt.channel_id, prompt.message_ts, content))
    return jobs, bool(candidates)


def _send_reminder(deps: Deps, slack: SlackCaller, job: ReminderJob, report: TickReport) -> None:
    try:
        # Same check as the prompt itself: someone away (or gone) since the prompt is not nudged.
        user = slack.call("users.info", user=job.slack_user_id)["user"]
        if user.get("deleted") or away.away_in_profile(user.get("profile") or {}, now_epoch=_epoch(deps.now())):
            report.add("reminder_away")
            return
        slack.call(
            "chat.postMessage", channel=job.channel_id, thread_ts=job.message_ts, text=reminder_text(job.content)
        )
    except (SlackApiError, RateLimited, OSError) as error:
        posting = slack.last_method == "chat.postMessage"
        if _reminder_surely_not_sent(error, posting) and _release_reminder(deps, job):
            log.info("reminder for prompt %s not sent (%s); trying again next time", job.prompt_id, error)
            report.add("reminder_retry")
            return
        # At most once: a reminder that may have reached Slack is not retried (better silent than twice).
        log.warning("reminder for prompt %s not sent: %s", job.prompt_id, error)
        report.add("reminder_failed")
        return
    report.add("reminded")


REMINDER_RETRY = timedelta(minutes=10)
TRANSIENT_ERRORS = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"})


def _reminder_surely_not_sent(error: Exception, posting: bool) -> bool:
    """A passing failure that certainly left no reminder in Slack: anything before the post, or a post
    refused outright (429). A post that timed out or got a 5xx may have gone through."""
    if isinstance(error, RateLimited):
        return True
    if isinstance(error, SlackApiError):
        refused = error.response.status_code == 429 or error.response.get("error") == "ratelimited"
        return refused or (
            not posting and (error.response.status_code >= 500 or error.response.get("error") in TRANSIENT_ERRORS)
        )
    return not posting  # OSError: a connection that failed before the post started


def _release_reminder(deps: Deps, job: ReminderJob) -> bool:
    """Hand the reminder back for a later tick, within the horizon after which no reminder is sent."""
    now = deps.now()
    with deps.uow() as uow:
        return uow.prompts.release_reminder(job.prompt_id, now + REMINDER_RETRY)


# ---------------------------------------------------------------------------------------------------
# The tick


def run_tick(
    deps: Deps,
    *,
    instance_id: str | None = None,
    config: TickConfig | None = None,
    client: WebClient | None = None,
) -> TickReport:
    """One tick at `deps.now()`: plan, deliver, remind. Safe to run in several instances at once on PostgreSQL."""
    config = config or TickConfig.from_settings(deps.settings)
    instance_id = instance_id or instance_name()
    report = TickReport()
    started = time.monotonic()
    plan_due(deps.uow, deps.library, config, deps.now(), report)
    deliver_due(deps, config, report, instance_id=instance_id, client=client or fanout_client(deps))
    if report.counts:
        log.info("tick %s in %.1fs: %s", instance_id, time.monotonic() - started, report.summary())
    return report
