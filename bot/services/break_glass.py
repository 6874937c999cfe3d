"""Break-glass reads announced: when `GROWTHBOT_ADMINS_READ_EVIDENCE` lets an admin read someone's data,
the engineer gets one DM per admin and day (their local day) naming the admin and summarising what
was read. bot.services.access notes each such read (`AuditRepository.note_break_glass`); the tick
sends the DM once the admin has stopped reading for a while (bot.delivery.break_glass), so one DM
covers a sitting. Reads after that day's DM are still in the access log, never in a second DM.

Slack-free: claims and summaries; bot.delivery.break_glass renders and sends.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.services import access_log
from storage.uow import UnitOfWorkFactory

QUIET_FOR = timedelta(minutes=10)  # the DM waits until the admin has read nothing of this person for this long
CLAIM_FOR = timedelta(minutes=10)  # a claim a stopped instance left behind is taken over after this
BATCH = 50


@dataclass(frozen=True, slots=True)
class BreakGlassDM:
    notice_id: int
    subject_slack_id: str
    admin_slack_id: str
    admin_name: str
    day: date
    tz: str
    reads: tuple[tuple[str, int], ...]  # (what was read, how many times), first read first


def ready_notices(uow_factory: UnitOfWorkFactory, now: datetime, limit: int = BATCH) -> list[int]:
    with uow_factory() as uow:
        return uow.audit.break_glass_ready(now - QUIET_FOR, now, limit)


def claim_notice(uow_factory: UnitOfWorkFactory, notice_id: int, now: datetime) -> BreakGlassDM | None:
    """Claim one notice (compare-and-set: two instances never both send it) and summarise the admin's
    reads of the person since the first one that day. None: someone else has it, or nothing to say."""
    with uow_factory() as uow:
        notice = uow.audit.claim_break_glass(notice_id, now, CLAIM_FOR)
        if notice is None:
            return None
        workspace = uow.workspaces.get_by_team(notice.workspace_team_id) if notice.workspace_team_id else None
        subject = uow.people.get_by_slack_id(workspace.id, notice.subject_slack_id) if workspace else None
        rows = [
            row
            for row in uow.audit.reads_by(notice.admin_slack_id, notice.subject_slack_id, notice.first_read_at)
            if (row.details or {}).get("break_glass")
        ]
        if subject is None or not rows:
            uow.audit.finish_break_glass(notice_id, sent_at=now)  # nothing to announce (the person left)
            return None
        entries = access_log.describe_all(uow, subject, rows)
        counts = Counter(entry.what for entry in entries)
        reads = tuple((what, counts[what]) for what in dict.fromkeys(entry.what for entry in entries))
        return BreakGlassDM(
            notice_id,
            subject.slack_user_id,
            notice.admin_slack_id,
            entries[0].reader,
            notice.day,
            subject.tz or "UTC",
            reads,
        )


def record_sent(uow_factory: UnitOfWorkFactory, notice_id: int, now: datetime) -> None:
    with uow_factory() as uow:
        uow.audit.finish_break_glass(notice_id, sent_at=now)


def retry_later(uow_factory: UnitOfWorkFactory, notice_id: int) -> None:
    """The DM did not go out but may on a later tick: give the claim back."""
    with uow_factory() as uow:
        uow.audit.finish_break_glass(notice_id, sent_at=None)
