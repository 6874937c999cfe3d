"""The tick's check-in decisions (Slack-free; bot.delivery.checkins sends what they return).

1. Scheduled starts: a 1:1 series whose `next_checkin_at` has come starts a check-in for the report,
   exactly once per due time (idempotency key `schedule:<1:1 id>:<due iso>`, the 1:1 row locked
   FOR UPDATE SKIP LOCKED), and moves to the next due time.
2. Deadline reveals: an open check-in past its deadline is revealed with what exists (compare-and-set).
3. Reminders: each rater who has not submitted REMIND_AFTER after the start gets one, claimed first.
4. Unsent reveals: a revealed check-in whose result was never sent (the process stopped in between)
   is claimed once and sent.
5. Unsent invites: an open check-in whose "Start rating" DMs were never stamped as sent a minute
   after it started (the process stopped between saving it and sending them) is claimed once and sent.

A quiet tick costs one statement (`scan`: five EXISTS over the steps' index ranges); a step with work
adds its own indexed range query, all in one unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.services import access, checkins
from bot.services.checkin_requests import Started, started_outcome
from bot.services.checkins import CheckInResult
from frameworks import Library
from storage.models import CheckInOrigin, CheckInState, OneOnOne, Rater
from storage.uow import UnitOfWorkFactory

# A reveal not sent this long after it happened was lost by a stopped process: the sweep sends it.
UNSENT_AFTER = timedelta(minutes=10)
# Invites are sent right after the start's commit; still unstamped a minute later, they were lost.
INVITES_LOST_AFTER = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Scan:
    due_one_on_ones: tuple[int, ...]
    past_deadline: tuple[int, ...]
    remind_candidates: tuple[int, ...]
    unsent: tuple[int, ...]
    uninvited: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Reminder:
    checkin_id: int
    rater: Rater
    slack_user_id: str
    person_name: str
    deadline_at: datetime
    tz: str = "UTC"  # the rater's: the DM's date is their local date


@dataclass(frozen=True, slots=True)
class RevealNote:
    """One recipient of a result: the person, or their (still current) manager."""

    slack_user_id: str
    viewer: Rater
    result: CheckInResult


def scan(uow_factory: UnitOfWorkFactory, now: datetime, limit: int = 100) -> Scan:
    """What this tick has to do about check-ins, in one unit of work: one statement when there is
    nothing (`tick_work`, five EXISTS), then one indexed range query per step that has work."""
    remind_before, unsent_before = now - checkins.REMIND_AFTER, now - UNSENT_AFTER
    invites_lost = now - INVITES_LOST_AFTER
    with uow_factory() as uow:
        due, past, owed, lost, uninvited = uow.checkins.tick_work(now, remind_before, unsent_before, invites_lost)
        return Scan(
            tuple(o.id for o in uow.one_on_ones.due_checkins(now, limit)) if due else (),
            tuple(c.id for c in uow.checkins.past_deadline(now, limit)) if past else (),
            tuple(
                c.id
                for c in uow.checkins.reminders_due(remind_before, now, limit)
                if any(checkins.needs_reminder(c, rater, now) for rater in Rater)
            )
            if owed
            else (),
            tuple(c.id for c in uow.checkins.revealed_unsent(unsent_before, limit)) if lost else (),
            tuple(c.id for c in uow.checkins.uninvited(invites_lost, limit)) if uninvited else (),
        )


def start_scheduled(
    uow_factory: UnitOfWorkFactory, library: Library, one_on_one_id: int, now: datetime
) -> Started | None:
    """Start the 1:1's due check-in once, and move the schedule on. None: nothing to announce (locked
    elsewhere, not due any more, a check-in already open, or nobody to rate)."""
    with uow_factory() as uow:
        one_on_one = uow.one_on_ones.lock_checkin_due(one_on_one_id, now)
        if one_on_one is None or one_on_one.next_checkin_at is None:
            return None
        due = one_on_one.next_checkin_at
        _advance(one_on_one, now)
        manager, person = uow.people.get(one_on_one.manager_id), uow.people.get(one_on_one.report_id)
        if manager is None or person is None or not (manager.active and person.active):
            return None
        if not access.is_current_manager(uow, manager, person):
            return None
        placement = uow.placements.current_for(person.id)
        if placement is None or placement.framework_id not in library:
            return None
        framework = library[placement.framework_id]
        if not checkins.frozen_behaviours(framework, placement, include_current=False):
            return None
        checkin, created = checkins.start(
            uow,
            person=person,
            framework=framework,
            placement=placement,
            starter=None,
            origin=CheckInOrigin.SCHEDULE,
            now=now,
            one_on_one_id=one_on_one.id,
            idempotency_key=f"schedule:{one_on_one.id}:{due.isoformat()}",
        )
        if not created:
            return None
        return started_outcome(uow, library, checkin, person, Rater.MANAGER, created)


def _advance(one_on_one: OneOnOne, now: datetime) -> None:
    every = one_on_one.checkin_every_weeks
    if not every or one_on_one.next_checkin_at is None:
        one_on_one.next_checkin_at = None
        return
    step = timedelta(weeks=every)
    following = one_on_one.next_checkin_at + step
    if following <= now:  # after a long outage, jump over the missed ones rather than start them all
        following += step * ((now - following) // step + 1)
    one_on_one.next_checkin_at = following


def reveal_at_deadline(uow_factory: UnitOfWorkFactory, checkin_id: int, now: datetime) -> bool:
    """Reveal what exists of a check-in whose deadline passed; True for the one instance that did."""
    with uow_factory() as uow:
        checkin = uow.checkins.get(checkin_id)
        if checkin is None or checkin.state is not CheckInState.OPEN or checkin.deadline_at > now:
            return False
        return checkins.reveal(uow, checkin, now)


def claim_reminders(uow_factory: UnitOfWorkFactory, checkin_id: int, now: datetime) -> list[Reminder]:
    """The raters of this check-in due their one reminder, each claimed (stamped) before it is sent."""
    found = []
    with uow_factory() as uow:
        checkin = uow.checkins.get(checkin_id)
        if checkin is None:
            return []
        person = uow.people.get(checkin.person_id)
        if person is None:
            return []
        for rater in (Rater.SELF, Rater.MANAGER):
            if not checkins.needs_reminder(checkin, rater, now):
                continue
            target = person if rater is Rater.SELF else uow.people.get(checkin.manager_id or 0)
            if target is None or not target.active:
                continue
            if rater is Rater.MANAGER and not access.is_current_manager(uow, target, person):
                continue
            if uow.checkins.stamp_once(checkin.id, CheckInState.OPEN, checkins.REMINDED_COLUMN[rater], now):
                found.append(
                    Reminder(
                        checkin.id,
                        rater,
                        target.slack_user_id,
                        person.display_name or person.slack_user_id,
                        checkin.deadline_at,
                        target.tz or "UTC",
                    )
                )
    return found


def claim_unsent(uow_factory: UnitOfWorkFactory, checkin_id: int, now: datetime) -> bool:
    """Claim a lost reveal for this instance to send (at most once)."""
    with uow_factory() as uow:
        return uow.checkins.stamp_once(checkin_id, CheckInState.REVEALED, "reveal_sent_at", now)


def reveal_notes(uow_factory: UnitOfWorkFactory, library: Library, checkin_id: int, now: datetime) -> list[RevealNote]:
    """Who is told the result, and what: the person, and the manager while still their current manager
    (a former manager loses access; their verdicts stay in the result)."""
    with uow_factory() as uow:
        checkin = uow.checkins.get(checkin_id)
        if checkin is None:
            return []
        framework = library.get(checkin.framework_id)
        result = checkins.result_of(uow, checkin, framework.name if framework else checkin.framework_id)
        person = uow.people.get(checkin.person_id)
        if result is None or person is None:
            return []
        notes = [RevealNote(person.slack_user_id, Rater.SELF, result)]
        manager = uow.people.get(checkin.manager_id) if checkin.manager_id is not None else None
        if manager is not None and access.is_current_manager(uow, manager, person):
            notes.append(RevealNote(manager.slack_user_id, Rater.MANAGER, result))
            access.record_read(
                uow.audit,
                viewer=manager,
                subject=person,
                action=access.VIEWED_CHECKIN,
                details={"checkin_id": checkin.id, "result": True, "surface": access.SURFACE_DM},
                at=now,
            )
        return notes


def record_reveal_sent(uow_factory: UnitOfWorkFactory, checkin_id: int, now: datetime) -> None:
    with uow_factory() as uow:
        uow.checkins.stamp_once(checkin_id, CheckInState.REVEALED, "reveal_sent_at", now)


@dataclass(frozen=True, slots=True)
class LostInvites:
    """Invites a stopped process never sent, claimed by this instance: send them as the start would have."""

    started: Started
    scheduled: bool  # the schedule started it: both raters are invited


def claim_invites(
    uow_factory: UnitOfWorkFactory, library: Library, checkin_id: int, now: datetime
) -> LostInvites | None:
    """Claim (stamp) a check-in's unsent invites for this instance to send, at most once."""
    with uow_factory() as uow:
        checkin = uow.checkins.get(checkin_id)
        if checkin is None or checkin.invites_sent_at is not None:
            return None
        if not uow.checkins.stamp_once(checkin.id, CheckInState.OPEN, "invites_sent_at", now):
            return None
        person = uow.people.get(checkin.person_id)
        if person is None:
            return None
        role = Rater.SELF if checkin.origin is CheckInOrigin.SELF else Rater.MANAGER
        scheduled = checkin.origin is CheckInOrigin.SCHEDULE
        return LostInvites(started_outcome(uow, library, checkin, person, role, True), scheduled)


def record_invites_sent(uow_factory: UnitOfWorkFactory, checkin_id: int, now: datetime) -> bool:
    """Stamp the invites as sent (compare-and-set: only an open check-in's, only once)."""
    with uow_factory() as uow:
        return uow.checkins.stamp_once(checkin_id, CheckInState.OPEN, "invites_sent_at", now)
