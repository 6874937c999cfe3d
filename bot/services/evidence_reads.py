"""Reading someone's evidence from Slack: `/ladder digest [@person]` and `/ladder export [@person]`.

Each read is checked and audited by bot.services.access in the same unit of work that reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.deps import Deps
from bot.services import access
from bot.services.actor import Actor
from bot.services.digest_content import DigestContent
from bot.services.digesting import on_demand_digest
from bot.services.packet import Packet, build_packet
from storage.models import Rater
from storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Refused:
    """No right to read (the same answer whether or not the person exists), or, for oneself, not set up."""

    someone_else: bool


@dataclass(frozen=True, slots=True)
class DigestRead:
    content: DigestContent
    is_self: bool


@dataclass(frozen=True, slots=True)
class PacketRead:
    packet: Packet
    viewer_tz: str | None


def read_digest(deps: Deps, actor: Actor, subject_slack_id: str | None, now: datetime) -> DigestRead | Refused:
    """Progress since the last 1:1: the actor's own (`subject_slack_id` None) or a report's."""
    with deps.uow() as uow:
        grant = _open(
            uow,
            deps,
            actor,
            subject_slack_id,
            access.VIEWED_DIGEST,
            {"on_demand": True, "surface": access.SURFACE_DIGEST_COMMAND},
            now,
        )
        if grant is None:
            return Refused(someone_else=subject_slack_id is not None)
        return DigestRead(on_demand_digest(uow, deps, grant, now), grant.is_self)


def read_packet(deps: Deps, actor: Actor, subject_slack_id: str | None, now: datetime) -> PacketRead | Refused:
    """The promotion packet: the actor's own (`subject_slack_id` None) or a report's."""
    with deps.uow() as uow:
        details = {"format": "md", "via": "slack", "surface": access.SURFACE_EXPORT_COMMAND}
        grant = _open(uow, deps, actor, subject_slack_id, access.EXPORTED, details, now)
        if grant is None:
            return Refused(someone_else=subject_slack_id is not None)
        packet = build_packet(uow, deps.library, grant.subject, now=now, viewer=_rater(grant))
        return PacketRead(packet, grant.viewer.tz)


def _rater(grant: access.EvidenceAccess) -> Rater | None:
    """Whose blind verdicts the reader may see besides revealed ones: their own only (an admin: none)."""
    if grant.is_self:
        return Rater.SELF
    if grant.manager is not None and grant.manager.id == grant.viewer.id:
        return Rater.MANAGER
    return None


def _open(
    uow: UnitOfWork,
    deps: Deps,
    actor: Actor,
    subject_slack_id: str | None,
    action: str,
    details: dict[str, Any],
    now: datetime,
) -> access.EvidenceAccess | None:
    return access.open_evidence(
        uow,
        deps.settings,
        team_id=actor.team_id,
        viewer_slack_id=actor.slack_user_id,
        subject_slack_id=subject_slack_id,
        action=action,
        now=now,
        details=details,
    )
