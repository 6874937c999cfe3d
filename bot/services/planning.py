"""Planning the prompt tick: schedules whose `next_due_at` has come get one Prompt row per person and
slot (idempotency key `"{person id}:{local slot date}"`, inserted with ON CONFLICT DO NOTHING, so two
instances planning at once still make one row) and move on to their next slot. A slot older than the
late window is recorded as EXPIRED, never sent; a quiet day or a person without a ladder is recorded as
SKIPPED."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.services import away, backoff, focus, timing
from bot.services.prompt_choice import EvidenceStat, pick_prompt_behaviour
from bot.services.prompt_controls import next_slot
from bot.services.tick import TickConfig, TickReport
from frameworks import Library
from frameworks.lookups import next_milestone
from storage.models import Person, Placement, PromptSchedule, PromptState
from storage.repositories import BehaviourCoverage
from storage.uow import UnitOfWork, UnitOfWorkFactory

HISTORY = 10  # past prompts considered when picking the next behaviour
PLAN_BATCH = 500


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
    focus_ids: frozenset[str] = frozenset(),
    now: datetime | None = None,
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
    wanting = focus.wanting_evidence(focus_ids, {b: s.last_at for b, s in stats.items()}, now) if now else frozenset()
    chosen = pick_prompt_behaviour(candidates, history, stats, seed=person.id, focus=wanting)
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
                rows.append(
                    PlannedRow(key, slot, PromptState.SKIPPED, framework_id, (), away.quiet_day_skip_reason(local_day))
                )
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
    focused = focus.prompt_focus_for_many(uow, library, placements)
    delivered = uow.prompts.delivered_for_many(person_ids, backoff.ASK_AFTER + 1)
    values: list[dict[str, Any]] = []
    for schedule, person in due:
        if not person.active:
            # Nobody prompts an inactive person, whatever set this slot (their own pause or resume, an
            # admin's schedule change): clear it; becoming active again plans a fresh one.
            schedule.next_due_at = None
            continue
        if schedule.paused and schedule.paused_until is not None and schedule.paused_until <= now:
            uow.schedules.resume(schedule)

        asking = backoff.decide(schedule, person, delivered[person.id], now)

        def choose(person: Person = person, asking: str | None = asking) -> tuple[str, str | None, str | None]:
            if asking is not None:  # this slot's prompt gives way to the back-off question
                placement = placements.get(person.id)
                return (placement.framework_id if placement else ""), None, asking
            return _choose(
                person,
                placements.get(person.id),
                library,
                histories[person.id],
                coverage[person.id],
                focused.get(person.id, frozenset()),
                now,
            )

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
