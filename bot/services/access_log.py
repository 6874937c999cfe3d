"""The engineer's access log: every read of their evidence, assessments, digest or packet by anyone
other than themselves, and when a manager's access ended. `/ladder access`, their App Home and
`growthbot people export` show it; nobody else sees it in Slack (a manager never sees a report's, an
admin only through the operator's `growthbot people export`, which is itself audited).

Slack-free. The entries are the audit log's (bot.services.access writes them at each read); this
module only chooses them, names the reader and says what was read where.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.services import access, consent
from bot.services.actor import Actor
from bot.services.digest_content import PersonRef
from storage.models import AuditEntry, Person
from storage.uow import UnitOfWork, UnitOfWorkFactory

PAGE_SIZE = 20  # one line each in a few sections: far below a message's 50 blocks
HOME_ENTRIES = 5
EXPORTED_PERSON_DATA = "exported_person_data"  # bot.services.data_rights.export_person's action
WANTED = "access_log"  # details["wanted"] of a refused request

# The audit actions that are someone else reading the engineer's data, or that reading ending.
SHOWN_ACTIONS = (
    access.VIEWED_DIGEST,
    access.EXPORTED,
    access.VIEWED_COVERAGE,
    access.VIEWED_CHECKIN,
    access.VIEWED_READINESS,
    EXPORTED_PERSON_DATA,
    access.ACCESS_ENDED,
)

OPERATOR = "An operator"
ENDED_BECAUSE = {
    consent.ENDED_REMOVED: "the link was removed",
    consent.ENDED_REPLACED: "you accepted another manager",
    consent.ENDED_CLEARED: "your manager was cleared",
    consent.ENDED_FORGET: "they deleted their growthbot data",
    consent.ENDED_DEACTIVATED: "they were deactivated",
}

_CURSOR = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?)~(\d{1,18})$")


@dataclass(frozen=True, slots=True)
class AccessLogEntry:
    at: datetime  # naive UTC; shown in the engineer's time zone
    reader_slack_id: str | None  # None: the command line (an operator)
    reader: str  # the reader's name
    what: str
    surface: str | None  # None: not a read (a manager's access ending)
    break_glass: bool = False  # an admin read under GROWTHBOT_ADMINS_READ_EVIDENCE
    access_ended: bool = False


@dataclass(frozen=True, slots=True)
class AccessLogPage:
    subject_slack_id: str
    tz: str
    entries: tuple[AccessLogEntry, ...]
    next_cursor: str | None  # None: nothing older
    first_page: bool


@dataclass(frozen=True, slots=True)
class Refused:
    """Not the engineer's own log, a forged or stale cursor, or someone not set up: the neutral answer."""


def encode_cursor(entry: AuditEntry) -> str:
    return f"{entry.at.isoformat()}~{entry.id}"


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | Refused | None:
    """None: the first page; Refused: not a cursor this module wrote."""
    if cursor is None:
        return None
    match = _CURSOR.match(cursor)
    if match is None:
        return Refused()
    try:
        return datetime.fromisoformat(match.group(1)), int(match.group(2))
    except ValueError:
        return Refused()


def read_access_log(
    uow_factory: UnitOfWorkFactory,
    actor: Actor,
    *,
    subject_slack_id: str | None,
    cursor: str | None,
    now: datetime,
) -> AccessLogPage | Refused:
    """A page of the actor's own access log. `subject_slack_id` is whose log the request names (a
    `/ladder access @person` argument or a paging button's value): anyone but the actor is refused, and
    the refusal audited, whether or not that person exists."""
    with uow_factory() as uow:
        if subject_slack_id is not None and subject_slack_id != actor.slack_user_id:
            uow.audit.record(
                actor.slack_user_id,
                access.DENIED,
                subject_slack_id,
                {"wanted": WANTED},
                workspace_team_id=actor.team_id,
                now=now,
            )
            return Refused()
        before = decode_cursor(cursor)
        person = actor.person(uow)
        if person is None or isinstance(before, Refused):
            return Refused()
        return page_in(uow, person, before=before, limit=PAGE_SIZE)


def page_in(uow: UnitOfWork, person: Person, *, before: tuple[datetime, int] | None, limit: int) -> AccessLogPage:
    rows = list(uow.audit.page_for_subject(person.slack_user_id, SHOWN_ACTIONS, before=before, limit=limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    return AccessLogPage(
        subject_slack_id=person.slack_user_id,
        tz=person.tz or "UTC",
        entries=tuple(describe_all(uow, person, rows)),
        next_cursor=encode_cursor(rows[-1]) if more and rows else None,
        first_page=before is None,
    )


def recent_in(uow: UnitOfWork, person: Person) -> tuple[AccessLogEntry, ...]:
    """The newest few, for the engineer's App Home."""
    return page_in(uow, person, before=None, limit=HOME_ENTRIES).entries


def all_in(uow: UnitOfWork, person: Person, limit: int = 10_000) -> list[AccessLogEntry]:
    """The whole log, newest first (`growthbot people export`)."""
    rows = uow.audit.page_for_subject(person.slack_user_id, SHOWN_ACTIONS, before=None, limit=limit)
    return describe_all(uow, person, rows)


def describe_all(uow: UnitOfWork, person: Person, rows: Sequence[AuditEntry]) -> list[AccessLogEntry]:
    readers = {row.actor_slack_id for row in rows if row.actor_slack_id}
    names = {slack_id: _name(uow, person.workspace_id, slack_id) for slack_id in readers}
    return [describe(row, names.get(row.actor_slack_id or "", OPERATOR)) for row in rows]


def _name(uow: UnitOfWork, workspace_id: int, slack_user_id: str) -> str:
    reader = uow.people.get_by_slack_id(workspace_id, slack_user_id)
    return PersonRef.of(reader).name if reader is not None else slack_user_id


def describe(entry: AuditEntry, reader: str) -> AccessLogEntry:
    """What was read, and on which surface, from the entry's action and details."""
    details = entry.details or {}
    if entry.action == access.ACCESS_ENDED:
        because = ENDED_BECAUSE.get(str(details.get("reason")), "the link ended")
        return AccessLogEntry(
            entry.at,
            entry.actor_slack_id,
            reader,
            f"access as your manager ended ({because})",
            None,
            access_ended=True,
        )
    what, surface = _what_and_where(entry.action, details)
    return AccessLogEntry(
        entry.at,
        entry.actor_slack_id,
        reader,
        what,
        str(details.get("surface") or surface),
        break_glass=bool(details.get("break_glass")),
    )


def _what_and_where(action: str, details: dict[str, Any]) -> tuple[str, str]:
    """The label, and the surface for entries written before reads named theirs."""
    if action == access.VIEWED_DIGEST:
        if details.get("on_demand"):
            return "an on-demand digest", access.SURFACE_DIGEST_COMMAND
        return "your digest before a 1:1", access.SURFACE_DM
    if action == access.EXPORTED:
        cli = details.get("via") == "cli"
        return "your promotion packet (export)", access.SURFACE_CLI if cli else access.SURFACE_EXPORT_COMMAND
    if action == access.VIEWED_COVERAGE:
        return "your coverage (Home coverage view)", access.SURFACE_HOME
    if action == access.VIEWED_CHECKIN:
        if details.get("result"):
            return "your check-in result", access.SURFACE_DM
        return "your evidence, to rate your check-in", access.SURFACE_CHECKIN
    if action == access.VIEWED_READINESS:
        if details.get("for") == "team":
            return "your readiness and verdicts", access.SURFACE_TEAM_COMMAND
        return "your readiness and verdicts", access.SURFACE_PROMOTION
    if action == EXPORTED_PERSON_DATA:
        return "everything growthbot holds about you (data export)", access.SURFACE_CLI
    return action.replace("_", " "), "growthbot"


def as_json(entry: AccessLogEntry) -> dict[str, Any]:
    """One entry for `growthbot people export` (times in UTC, as the rest of the export)."""
    return {
        "at": entry.at.isoformat(timespec="seconds") + "Z",
        "reader_slack_id": entry.reader_slack_id,
        "reader": entry.reader,
        "what": entry.what,
        "surface": entry.surface,
        "break_glass": entry.break_glass,
    }
