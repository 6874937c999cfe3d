"""A person's data rights: export everything growthbot holds about them, or delete it.

Slack-free: these take a unit of work and a Person and work on any backend. Both leave an audit entry
(by Slack id, so it outlives the deletion); a deletion's entry holds counts only, never content.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from typing import Any

from bot.services import access_log, consent
from bot.services.actor import Actor
from storage.clock import utcnow
from storage.models import (
    Assessment,
    CheckIn,
    Digest,
    Evidence,
    FocusBehaviour,
    ManagerLink,
    OneOnOne,
    Person,
    Placement,
    Prompt,
    PromptSchedule,
)
from storage.text import without_controls
from storage.uow import UnitOfWork, UnitOfWorkFactory

EXPORT_FORMAT = "growthbot-person-export/1"
DELETED_REASON = "data deleted"
DELETED_PERSON_DATA = "deleted_person_data"  # AuditEntry.action: the one entry a deletion leaves


class PersonNotFound(LookupError):
    pass


def find_person(uow: UnitOfWork, ref: str) -> Person:
    """A person by growthbot id (digits), email (has an @) or Slack user id."""
    ref = without_controls(ref).strip()  # PostgreSQL refuses a NUL in a query parameter
    if ref.isdigit():
        person = uow.people.get(int(ref))
        if person is None:
            raise PersonNotFound(f"No person with growthbot id {ref}.")
        return person
    if "@" in ref:
        person = uow.people.get_by_email(ref)
        if person is None:
            raise PersonNotFound(f"No person with the email {ref}.")
        return person
    matches = uow.people.find_by_slack_id(ref)
    if not matches:
        raise PersonNotFound(f"No person with the Slack user id {ref}.")
    if len(matches) > 1:
        ids = ", ".join(str(person.id) for person in matches)
        raise PersonNotFound(f"{ref} is in several workspaces; give the growthbot person id instead ({ids}).")
    return matches[0]


# --- Export ------------------------------------------------------------------------------------------


def export_person(
    uow: UnitOfWork, person: Person, *, actor: str | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """Everything about `person` as JSON-ready data (times are UTC, ISO 8601 with a Z).

    Includes soft-deleted evidence (it is still stored). Digests of 1:1s where the person is the
    manager are listed without their coverage figures, which describe the report.
    """
    now = now or utcnow()
    one_on_ones = uow.one_on_ones.all_involving(person.id)
    as_report = {one_on_one.id for one_on_one in one_on_ones if one_on_one.report_id == person.id}
    digests = uow.digests.for_one_on_ones([one_on_one.id for one_on_one in one_on_ones])
    evidence = uow.evidence.all_for(person.id)
    data = {
        "format": EXPORT_FORMAT,
        "exported_at": _json(now),
        "person": _person(person),
        "placements": [_placement(placement) for placement in uow.placements.history_for(person.id)],
        "manager_links": [_link(link, person) for link in uow.managers.history_for(person.id)],
        "schedule": _schedule(uow.schedules.get_for(person.id)),
        "prompts": [_prompt(prompt) for prompt in uow.prompts.all_for(person.id)],
        "evidence": [_evidence(item) for item in evidence],
        "one_on_ones": [_one_on_one(uow, one_on_one, person) for one_on_one in one_on_ones],
        "digests": [_digest(digest, with_coverage=digest.one_on_one_id in as_report) for digest in digests],
        # Verdicts on the person (blind ones included: they are the person's data) and their check-ins.
        "assessments": [_assessment(uow, row) for row in uow.assessments.all_for(person.id)],
        "checkins": [_checkin(row) for row in uow.checkins.for_person(person.id)],
        "focus": [_focus(row) for row in uow.focus.for_person(person.id)],
        "audit": [
            {"at": _json(entry.at), "actor_slack_id": entry.actor_slack_id, "action": entry.action}
            for entry in uow.audit.for_subject(person.slack_user_id, limit=10_000)
        ],
        # The same reads the person sees with `/ladder access`: who, what, where.
        "access_log": [access_log.as_json(entry) for entry in access_log.all_in(uow, person)],
    }
    uow.audit.record(
        actor,
        access_log.EXPORTED_PERSON_DATA,
        person.slack_user_id,
        {"evidence": len(evidence), "prompts": len(data["prompts"]), "assessments": len(data["assessments"])},
        workspace_team_id=person.workspace.team_id,
        now=now,
    )
    return data


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") + "Z"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _fields(instance: object, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _json(getattr(instance, name)) for name in names}


def _person(person: Person) -> dict[str, Any]:
    data = _fields(
        person,
        (
            "id",
            "slack_user_id",
            "display_name",
            "slack_real_name",
            "slack_display_name",
            "imported_name",
            "email",
            "tz",
            "active",
            "inactive_reason",
            "created_at",
            "updated_at",
        ),
    )
    data["workspace_team_id"] = person.workspace.team_id
    return data


def _placement(placement: Placement) -> dict[str, Any]:
    return _fields(placement, ("framework_id", "levels", "track", "started_at", "ended_at", "reason"))


def _link(link: ManagerLink, person: Person) -> dict[str, Any]:
    is_report = link.person_id == person.id
    other = link.manager if is_report else link.person
    data = _fields(link, ("status", "created_at", "decided_at", "ended_at"))
    data.update(
        role="report" if is_report else "manager",
        other_slack_id=other.slack_user_id,
        other_name=other.display_name,
    )
    return data


def _schedule(schedule: PromptSchedule | None) -> dict[str, Any] | None:
    if schedule is None:
        return None
    return _fields(
        schedule,
        (
            "weekday",
            "local_time",
            "cadence",
            "anchor_date",
            "paused",
            "paused_until",
            "snoozed_until",
            "next_due_at",
        ),
    )


def _prompt(prompt: Prompt) -> dict[str, Any]:
    return _fields(
        prompt,
        (
            "id",
            "framework_id",
            "behaviour_ids",
            "due_at",
            "state",
            "sent_at",
            "answered_at",
            "reminder_sent_at",
            "channel_id",
            "message_ts",
            "attempts",
            "skip_reason",
        ),
    )


def _evidence(item: Evidence) -> dict[str, Any]:
    data = _fields(
        item,
        (
            "id",
            "text",
            "link",
            "source",
            "source_key",
            "prompt_id",
            "author_slack_id",
            "to_discuss",
            "created_at",
            "deleted_at",
        ),
    )
    data["tags"] = [
        {
            **_fields(
                tag, ("framework_id", "framework_version", "behaviour_id", "area_id", "level_id", "behaviour_text")
            ),
            "tagged_at": _json(tag.created_at),
            "disputed_at": _json(tag.disputed_at),
            "dispute_comment": tag.dispute_comment,
        }
        for tag in item.tags
    ]
    return data


def _assessment(uow: UnitOfWork, row: Assessment) -> dict[str, Any]:
    data = _fields(
        row,
        (
            "id",
            "rater",
            "checkin_id",
            "framework_id",
            "framework_version",
            "behaviour_id",
            "area_id",
            "level_id",
            "behaviour_text",
            "verdict",
            "comment",
            "created_at",
        ),
    )
    rater = uow.people.get(row.rater_id) if row.rater_id is not None else None
    data.update(evidence_ids=list(row.evidence_ids or []), rater_slack_id=rater.slack_user_id if rater else None)
    return data


def _checkin(row: CheckIn) -> dict[str, Any]:
    data = _fields(
        row,
        (
            "id",
            "origin",
            "framework_id",
            "framework_version",
            "include_current",
            "state",
            "created_at",
            "deadline_at",
            "self_submitted_at",
            "manager_submitted_at",
            "revealed_at",
        ),
    )
    data["behaviour_ids"] = list(row.behaviour_ids or [])
    return data


def _focus(row: FocusBehaviour) -> dict[str, Any]:
    return _fields(row, ("framework_id", "behaviour_id", "created_at"))


def _one_on_one(uow: UnitOfWork, one_on_one: OneOnOne, person: Person) -> dict[str, Any]:
    is_report = one_on_one.report_id == person.id
    other = uow.people.get(one_on_one.manager_id if is_report else one_on_one.report_id)
    data = _fields(
        one_on_one,
        (
            "id",
            "cadence",
            "weekday",
            "local_time",
            "anchor_date",
            "digest_lead_minutes",
            "next_at",
            "active",
            "created_at",
            "ended_at",
        ),
    )
    data.update(role="report" if is_report else "manager", other_slack_id=other.slack_user_id if other else None)
    return data


def _digest(digest: Digest, *, with_coverage: bool) -> dict[str, Any]:
    data = _fields(
        digest,
        ("one_on_one_id", "period_key", "period_start", "period_end", "due_at", "state", "sent_at", "channel_id"),
    )
    data["message_ts"] = list(digest.message_ts or [])
    if with_coverage:
        data["coverage"] = digest.coverage
    return data


# --- Deletion ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeletionReport:
    evidence: int
    tags: int
    prompts: int
    schedules: int
    placements: int
    digests: int
    manager_links_ended: int
    one_on_ones_ended: int
    assessments: int = 0
    checkins: int = 0
    focus: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def summary(self) -> str:
        """e.g. "3 evidence items, 4 tags, 1 prompt, ..., 2 manager links ended"."""
        parts = []
        for name, count in self.as_dict().items():
            singular, plural = _SUMMARY_WORDS[name]
            parts.append(f"{count} {singular if count == 1 else plural}")
        return ", ".join(parts)


_SUMMARY_WORDS = {
    "evidence": ("evidence item", "evidence items"),
    "tags": ("tag", "tags"),
    "prompts": ("prompt", "prompts"),
    "schedules": ("schedule", "schedules"),
    "placements": ("placement", "placements"),
    "digests": ("digest", "digests"),
    "manager_links_ended": ("manager link ended", "manager links ended"),
    "one_on_ones_ended": ("1:1 ended", "1:1s ended"),
    "assessments": ("verdict", "verdicts"),
    "checkins": ("check-in", "check-ins"),
    "focus": ("focus behaviour", "focus behaviours"),
}


def delete_person_data(
    uow: UnitOfWork, person: Person, *, actor: str | None, now: datetime | None = None
) -> DeletionReport:
    """Delete the person's evidence and tags, verdicts on them and their check-ins, focus behaviours,
    prompts, schedule, placements and the digests of their 1:1s;
    end their manager links and 1:1s (both roles; the links stay as the other side's history); clear
    their name and email and mark them inactive so the bot stops prompting them.

    The person row stays, holding only the Slack id, so the other side's history keeps its shape; an
    audit entry records that the deletion happened, by whom, with counts and no content.
    """
    now = now or utcnow()
    one_on_one_ids = [one_on_one.id for one_on_one in uow.one_on_ones.all_involving(person.id)]
    for link in uow.managers.reports_of(person.id):  # their reports' access logs say the access ended
        consent.record_access_ended(uow, link, consent.ENDED_FORGET, now)
    evidence, tags = uow.evidence.delete_all_for(person.id)
    assessments = uow.assessments.delete_all_for(person.id)  # before the check-ins they may belong to
    checkins = uow.checkins.delete_all_for(person.id)
    report = DeletionReport(
        evidence=evidence,
        tags=tags,
        digests=uow.digests.delete_for_one_on_ones(one_on_one_ids),
        prompts=uow.prompts.delete_all_for(person.id),
        schedules=uow.schedules.delete_for(person.id),
        placements=uow.placements.delete_all_for(person.id),
        manager_links_ended=uow.managers.end_all_involving(person.id, now),
        one_on_ones_ended=uow.one_on_ones.end_all_involving(person.id, now),
        assessments=assessments,
        checkins=checkins,
        focus=uow.focus.delete_all_for(person.id),  # explicit, as the rest: not left to ON DELETE CASCADE
    )
    person.slack_real_name = person.slack_display_name = person.imported_name = None  # display_name follows
    person.email = None
    person.tz = "UTC"
    uow.people.mark_inactive(person, DELETED_REASON, now)
    # Their access log goes too: only the record of the deletion is kept (reads they made of others'
    # data stay, in those people's logs).
    uow.audit.delete_for_subject(person.slack_user_id)
    uow.audit.delete_break_glass_for(person.slack_user_id)
    uow.audit.record(
        actor,
        DELETED_PERSON_DATA,
        person.slack_user_id,
        report.as_dict(),
        workspace_team_id=person.workspace.team_id,
        now=now,
    )
    return report


def forget_actor(uow_factory: UnitOfWorkFactory, actor: Actor, now: datetime) -> DeletionReport | None:
    """`/ladder forget` confirmed: delete the actor's own data; None when growthbot holds no row of them."""
    with uow_factory() as uow:
        person = actor.person(uow)
        report = delete_person_data(uow, person, actor=actor.slack_user_id, now=now) if person is not None else None
    if report is not None:
        uow_factory.scrub_deleted()  # after the commit: the deleted text leaves the database files too
    return report
