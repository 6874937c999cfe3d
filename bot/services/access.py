"""Who may see whose evidence: the one place that decides, and the audit trail of every read.

A person's evidence is visible to that person and to their current manager (an ACTIVE link, which
means the person consented). Admins (`GROWTHBOT_ADMINS`) manage people and schedules but read
evidence only when `GROWTHBOT_ADMINS_READ_EVIDENCE` is on. Every read of someone else's evidence is
written to the audit log. A refusal never says why or whether the person exists: callers answer
`NOT_AVAILABLE` in every case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.services import timing
from bot.settings import Settings
from storage.models import AuditEntry, Evidence, Person
from storage.uow import UnitOfWork

NOT_AVAILABLE = "Sorry, that isn't available."

# Audit actions (AuditEntry.action), one per kind of read.
VIEWED_DIGEST = "viewed_digest"
EXPORTED = "exported_evidence"
VIEWED_COVERAGE = "viewed_coverage"  # a manager's App Home: a report's coverage counts, at most once a day
DENIED = "denied_evidence_access"
VIEWED_CHECKIN = "viewed_checkin"  # a manager rating a report's check-in (their evidence) or reading its result
VIEWED_READINESS = "viewed_readiness"  # verdicts and readiness shown to someone else (promotion modal, team)
ACCESS_ENDED = "manager_access_ended"  # a manager link ended: that former manager reads nothing more

# Where a read happened (details["surface"]), shown in the engineer's access log.
SURFACE_DM = "a Slack DM"
SURFACE_DIGEST_COMMAND = "/ladder digest"
SURFACE_EXPORT_COMMAND = "/ladder export"
SURFACE_TEAM_COMMAND = "/ladder team"
SURFACE_HOME = "App Home"
SURFACE_CHECKIN = "the check-in modal"
SURFACE_PROMOTION = "the promotion modal"
SURFACE_CLI = "the command line"


class _Audit(Protocol):
    def record(
        self,
        actor_slack_id: str | None,
        action: str,
        subject_slack_id: str | None,
        details: dict[str, Any] | None = None,
        *,
        workspace_team_id: str | None = None,
        now: datetime | None = None,
    ) -> AuditEntry: ...


def is_admin(slack_user_id: str | None, settings: Settings) -> bool:
    return bool(slack_user_id) and slack_user_id in settings.admins


def is_current_manager(uow: UnitOfWork, manager: Person, report: Person) -> bool:
    """Whether `manager` is `report`'s current manager: their ACTIVE link, which `report` accepted."""
    link = uow.managers.active_link_of(report.id)
    return link is not None and link.manager_id == manager.id


def can_view_evidence(
    viewer: Person | None,
    subject: Person | None,
    *,
    active_manager_id: int | None,
    settings: Settings,
) -> bool:
    """Whether `viewer` may read `subject`'s evidence. `active_manager_id`: the subject's ACTIVE manager."""
    if viewer is None or subject is None:
        return False
    if viewer.workspace_id != subject.workspace_id:
        return False
    if viewer.id == subject.id:
        return True
    if active_manager_id is not None and viewer.id == active_manager_id:
        return True
    return settings.admins_can_read_evidence and is_admin(viewer.slack_user_id, settings)


def can_manage(viewer_slack_id: str | None, settings: Settings) -> bool:
    """Admins manage people, links and schedules (never, by itself, a right to read evidence)."""
    return is_admin(viewer_slack_id, settings)


def record_read(
    audit: _Audit,
    *,
    viewer: Person | None,
    subject: Person,
    action: str,
    team_id: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Write the audit entry for a read of `subject`'s evidence; reading your own is not audited."""
    if viewer is not None and viewer.id == subject.id:
        return
    audit.record(
        viewer.slack_user_id if viewer else None,
        action,
        subject.slack_user_id,
        details or {},
        workspace_team_id=team_id,
        now=at,
    )


@dataclass(frozen=True, slots=True)
class EvidenceAccess:
    """A granted read: who reads whose evidence, and the subject's active manager (if any)."""

    viewer: Person
    subject: Person
    manager: Person | None

    @property
    def is_self(self) -> bool:
        return self.viewer.id == self.subject.id


def open_evidence(
    uow: UnitOfWork,
    settings: Settings,
    *,
    team_id: str,
    viewer_slack_id: str,
    subject_slack_id: str | None,
    action: str,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> EvidenceAccess | None:
    """Check and audit a read of `subject_slack_id`'s evidence (None: the viewer's own).

    None means "answer NOT_AVAILABLE": the viewer has no right, or either person is unknown. A refused
    request for someone else's data is audited too, so forged requests leave a trace.
    """
    workspace = uow.workspaces.get_by_team(team_id)
    viewer = uow.people.get_by_slack_id(workspace.id, viewer_slack_id) if workspace else None
    if (
        viewer is None
        and workspace is not None
        and settings.admins_can_read_evidence
        and is_admin(viewer_slack_id, settings)
    ):
        # An admin who never set growthbot up still needs a person row to be named in the audit trail.
        viewer, _ = uow.people.get_or_add(workspace.id, viewer_slack_id)
    target_id = subject_slack_id or viewer_slack_id
    subject = viewer if target_id == viewer_slack_id else None
    if subject is None and workspace is not None:
        subject = uow.people.get_by_slack_id(workspace.id, target_id)
    manager = uow.managers.active_manager_of(subject.id) if subject is not None else None
    allowed = can_view_evidence(viewer, subject, active_manager_id=manager.id if manager else None, settings=settings)
    if not allowed or viewer is None or subject is None:
        if target_id != viewer_slack_id:
            uow.audit.record(viewer_slack_id, DENIED, target_id, {"wanted": action}, workspace_team_id=team_id, now=now)
        return None
    if viewer.id != subject.id and (manager is None or manager.id != viewer.id):
        record_break_glass_read(uow, viewer.slack_user_id, subject, action, team_id=team_id, details=details, at=now)
    else:
        record_read(uow.audit, viewer=viewer, subject=subject, action=action, team_id=team_id, details=details, at=now)
    return EvidenceAccess(viewer=viewer, subject=subject, manager=manager)


def record_break_glass_read(
    uow: UnitOfWork,
    admin_slack_id: str,
    subject: Person,
    action: str,
    *,
    team_id: str | None,
    details: dict[str, Any] | None,
    at: datetime,
) -> None:
    """An admin read someone's data under GROWTHBOT_ADMINS_READ_EVIDENCE: audited like any read, marked
    `break_glass`, and noted for the day's one DM to the engineer (bot.services.break_glass)."""
    uow.audit.record(
        admin_slack_id,
        action,
        subject.slack_user_id,
        {**(details or {}), "break_glass": True},
        workspace_team_id=team_id,
        now=at,
    )
    day = timing.to_local(at, subject.tz).date()
    uow.audit.note_break_glass(admin_slack_id, subject.slack_user_id, day, workspace_team_id=team_id, now=at)


def owned_evidence(uow: UnitOfWork, *, team_id: str, viewer_slack_id: str, evidence_id: int) -> Evidence | None:
    """The evidence item if the viewer owns it (only its owner may flag or change it), else None."""
    evidence = uow.evidence.get(evidence_id)
    if evidence is None or evidence.deleted_at is not None:
        return None
    owner = uow.people.get(evidence.person_id)
    workspace = uow.workspaces.get_by_team(team_id)
    if owner is None or workspace is None or owner.workspace_id != workspace.id:
        return None
    return evidence if owner.slack_user_id == viewer_slack_id else None
