"""Digests before each 1:1 (the tick's claims and outcomes), on demand, and the engineer's answers to a
preview. Slack-free: bot.delivery.digests makes the Slack calls.

The tick (bot.delivery.digests.tick_digests) finds 1:1s whose `next_digest_at` has come and handles
them one by one:

1. In one transaction (`claim_digest`): lock the 1:1 row (FOR UPDATE SKIP LOCKED on PostgreSQL), skip
   and record every occurrence that already started while the bot was down, then claim the digest row
   for the coming meeting. The row is unique per (1:1, meeting), so each occurrence is sent at most
   once even with several instances; a claim whose instance died expires and is taken over.
2. Outside any transaction: the delivery layer posts the digest to the manager (split into several
   messages when long) and the preview to the report.
3. In a second transaction (`record_sent`): mark the digest sent (with the coverage snapshot the next
   digest compares against), clear the "to discuss" flags it delivered, and move the 1:1 to its next
   meeting; or (`record_failure`, from Slack's error code) retry later or give up.

A digest sent late is fine as long as the meeting has not started; one whose meeting has started is
skipped (state SKIPPED, with the reason) and the schedule moves on.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.deps import Deps
from bot.services import access
from bot.services.digest_content import DigestContent
from bot.services.digests import ON_DEMAND_WINDOW, build_digest
from bot.services.one_on_ones import next_times
from bot.services.send_errors import PERSON_GONE_ERRORS
from bot.services.timing import previous_occurrence
from storage.models import Digest, DigestState, OneOnOne, Person
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
MAX_CATCH_UP = 60  # occurrences recorded as skipped after a long outage; further ones are jumped over
GIVE_UP_ERRORS = PERSON_GONE_ERRORS | {"cannot_dm_bot", "channel_not_found"}
SKIP_MISSED = "missed: the 1:1 had already started when the digest could be sent"
SKIP_NO_CONSENT = "no consent: the report has not accepted this manager"
SKIP_INACTIVE = "inactive: the report or the manager is deactivated"


def default_instance_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class DigestTickReport:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retrying: int = 0
    busy: int = 0  # claimed elsewhere, or locked by another instance
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"{self.sent} sent, {self.skipped} skipped, {self.retrying} retrying, {self.failed} failed, "
            f"{self.busy} busy elsewhere"
        )
        return text + (f"; {len(self.errors)} errors" if self.errors else "")


@dataclass(frozen=True, slots=True)
class ClaimedDigest:
    digest_id: int
    one_on_one_id: int
    manager_slack_id: str
    report_slack_id: str
    content: DigestContent
    attempts: int


def due_one_on_ones(deps: Deps, now: datetime, limit: int) -> list[int]:
    """The 1:1s whose digest is due at `now`, by id."""
    with deps.uow() as uow:
        return [one_on_one.id for one_on_one in uow.one_on_ones.due_digests(now, limit)]


def record_sent(
    deps: Deps, claimed: ClaimedDigest, channel: str, timestamps: list[str], now: datetime, report: DigestTickReport
) -> None:
    with deps.uow() as uow:
        one_on_one = uow.one_on_ones.lock(claimed.one_on_one_id)
        digest = uow.digests.get(claimed.digest_id)
        assert digest is not None and one_on_one is not None
        uow.digests.mark_sent(
            digest, channel_id=channel, message_ts=timestamps, coverage=claimed.content.coverage_snapshot(), now=now
        )
        uow.evidence.clear_to_discuss([item.id for item in claimed.content.flagged])
        _advance_past(uow, one_on_one, digest.period_end)
    report.sent += 1


def claim_digest(
    deps: Deps, one_on_one_id: int, now: datetime, instance_id: str, report: DigestTickReport
) -> ClaimedDigest | None:
    with deps.uow() as uow:
        one_on_one = uow.one_on_ones.lock_due(one_on_one_id, now)
        if one_on_one is None:
            report.busy += 1
            return None
        manager, person = uow.people.get(one_on_one.manager_id), uow.people.get(one_on_one.report_id)
        if manager is None or person is None:
            uow.one_on_ones.end(one_on_one, now)
            return None
        report.skipped += _skip_missed(uow, one_on_one, manager.tz, now)
        if one_on_one.next_digest_at is None or one_on_one.next_digest_at > now:
            return None  # the next meeting's digest is not due yet
        meeting = one_on_one.next_at
        assert meeting is not None
        last = uow.digests.last_sent_for(one_on_one.id)
        period_start = _period_start(one_on_one, manager.tz, meeting, last)
        digest = uow.digests.claim(
            one_on_one.id,
            meeting.isoformat(),
            period_start=period_start,
            period_end=meeting,
            due_at=one_on_one.next_digest_at,
            instance_id=instance_id,
            now=now,
        )
        if digest is None:
            existing = uow.digests.get_for_period(one_on_one.id, meeting.isoformat())
            if existing is not None and existing.claim_expires_at is None:
                _advance_past(uow, one_on_one, meeting)  # already sent or given up: only the schedule lagged
            else:
                report.busy += 1
            return None
        skip_reason = None
        if not access.is_current_manager(uow, manager, person):  # only a consented, current manager gets digests
            skip_reason = SKIP_NO_CONSENT
        elif not (person.active and manager.active):  # deactivated in Slack, by an admin, or after forget
            skip_reason = SKIP_INACTIVE
        if skip_reason is not None:
            uow.digests.mark_skipped(digest, skip_reason)
            _advance_past(uow, one_on_one, meeting)
            report.skipped += 1
            return None
        previous = last.coverage if last is not None else None
        content = build_digest(uow, deps.library, one_on_one, digest.period_start, digest.period_end, previous)
        access.record_read(
            uow.audit,
            viewer=manager,
            subject=person,
            action=access.VIEWED_DIGEST,
            details={
                "digest_id": digest.id,
                "meeting": meeting.isoformat(),
                "scheduled": True,
                "surface": access.SURFACE_DM,
            },
            at=now,
        )
        return ClaimedDigest(
            digest.id, one_on_one.id, manager.slack_user_id, person.slack_user_id, content, digest.attempts
        )


def _period_start(one_on_one: OneOnOne, tz: str, meeting: datetime, last: Digest | None) -> datetime:
    """Since the last digest's meeting; without one, since the previous occurrence of the schedule."""
    if last is not None and last.period_end < meeting:
        return last.period_end
    return previous_occurrence(
        weekday=one_on_one.weekday,
        local_time=one_on_one.local_time,
        tz=tz,
        at_or_before=meeting - timedelta(minutes=1),
        cadence=one_on_one.cadence,
        anchor_date=one_on_one.anchor_date,
    )


def _skip_missed(uow: UnitOfWork, one_on_one: OneOnOne, tz: str, now: datetime) -> int:
    """Record every occurrence that already started as SKIPPED and move to the next one; returns how many."""
    skipped = 0
    while one_on_one.next_at is not None and one_on_one.next_at <= now:
        meeting = one_on_one.next_at
        if skipped < MAX_CATCH_UP:
            digest = uow.digests.claim(
                one_on_one.id,
                meeting.isoformat(),
                period_start=meeting,
                period_end=meeting,
                due_at=one_on_one.next_digest_at or meeting,
                instance_id="catch-up",
                now=now,
            )
            if digest is not None:
                uow.digests.mark_skipped(digest, SKIP_MISSED)
                skipped += 1
            _advance_past(uow, one_on_one, meeting)
        else:
            _advance_past(uow, one_on_one, now)
    return skipped


def _advance_past(uow: UnitOfWork, one_on_one: OneOnOne, moment: datetime) -> None:
    manager = uow.people.get(one_on_one.manager_id)
    tz = manager.tz if manager is not None else "UTC"
    if one_on_one.next_at is not None and one_on_one.next_at > moment:
        return
    meeting, digest_at = next_times(one_on_one, tz, moment)
    uow.one_on_ones.set_next(one_on_one, meeting, digest_at)


def record_failure(
    deps: Deps, claimed: ClaimedDigest, code: str, message: str, now: datetime, report: DigestTickReport
) -> None:
    """Slack refused the manager's digest with error `code` (`message` is what is recorded): tried again
    with back-off until the meeting, or given up when retrying cannot help."""
    with deps.uow() as uow:
        one_on_one = uow.one_on_ones.lock(claimed.one_on_one_id)
        digest = uow.digests.get(claimed.digest_id)
        assert digest is not None and one_on_one is not None
        retry_at = now + timedelta(minutes=2**claimed.attempts)
        if code in GIVE_UP_ERRORS or claimed.attempts >= MAX_ATTEMPTS or retry_at >= digest.period_end:
            uow.digests.mark_failed(digest, message)
            _advance_past(uow, one_on_one, digest.period_end)
            report.failed += 1
        else:
            uow.digests.mark_failed(digest, message, retry_at=retry_at)
            report.retrying += 1


# --- on demand ------------------------------------------------------------------------------------


def on_demand_digest(uow: UnitOfWork, deps: Deps, grant: access.EvidenceAccess, now: datetime) -> DigestContent:
    """`/ladder digest [@person]`: since the last 1:1 (its digest's meeting), or the last 4 weeks.

    `grant` comes from access.open_evidence, which already checked and audited the read.
    """
    subject, manager = grant.subject, grant.manager
    one_on_one = uow.one_on_ones.get_pair(manager.id, subject.id) if manager is not None else None
    last = uow.digests.last_sent_for(one_on_one.id) if one_on_one is not None else None
    period_start = now - ON_DEMAND_WINDOW
    previous = None
    if last is not None and last.period_end <= now:
        period_start, previous = last.period_end, last.coverage
    reader = manager if grant.is_self else grant.viewer
    return build_digest(uow, deps.library, (reader, subject), period_start, now, previous)


# --- the engineer's answers to a preview ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PreviewTarget:
    """A sent digest the acting engineer is the report of: where their note or flag goes."""

    digest_id: int
    channel_id: str
    thread_ts: str
    manager_slack_id: str
    manager_name: str
    meeting_at: datetime
    manager_tz: str = "UTC"  # the reader of a note or flag sent to the digest's thread


def preview_target(uow: UnitOfWork, digest_id: int | str | None, report: Person) -> PreviewTarget | None:
    """The digest named by a button or modal, only if it was sent and `report` is its 1:1's report."""
    try:
        digest = uow.digests.get(int(digest_id)) if digest_id not in (None, "") else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if digest is None or digest.state is not DigestState.SENT or not digest.channel_id or not digest.message_ts:
        return None
    one_on_one = uow.one_on_ones.get(digest.one_on_one_id)
    if one_on_one is None or one_on_one.report_id != report.id:
        return None
    manager = uow.people.get(one_on_one.manager_id)
    if manager is None:
        return None
    return PreviewTarget(
        digest.id,
        digest.channel_id,
        digest.message_ts[0],
        manager.slack_user_id,
        manager.display_name or manager.slack_user_id,
        digest.period_end,
        manager.tz or "UTC",
    )
