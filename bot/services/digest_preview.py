"""The engineer's answers to their digest preview: flag or unflag an item, add a last-minute note.

Everything named by a button came back from Slack: the evidence must be the acting person's own, and
the digest one sent for a 1:1 they are the report of (`digesting.preview_target`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services.access import owned_evidence
from bot.services.actor import Actor
from bot.services.digest_content import EvidenceItem, ItemState
from bot.services.digesting import PreviewTarget, preview_target
from bot.services.digests import item_of
from storage.uow import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class ToldManager:
    """A flag on a digest that is out, before its 1:1: the manager hears of it now, in its thread."""

    target: PreviewTarget
    report_name: str
    item: EvidenceItem


@dataclass(frozen=True, slots=True)
class Flagged:
    evidence_id: int
    state: ItemState
    told_manager: ToldManager | None


@dataclass(frozen=True, slots=True)
class ReportPreview:
    """A sent digest the acting person is the report of, and the name they go by in it."""

    target: PreviewTarget
    report_name: str


def flag_item(
    uow_factory: UnitOfWorkFactory,
    actor: Actor,
    *,
    evidence_id: int | None,
    digest_id: str | None,
    flag: bool,
    now: datetime,
) -> Flagged | None:
    """Flag (or unflag) one of the actor's items to discuss; None when the item is not theirs.

    A flag on the preview of a digest already sent, whose 1:1 is still ahead, goes straight to the
    manager (and the item is not queued for the next digest); any other flag waits for the next one.
    """
    with uow_factory() as uow:
        evidence = (
            owned_evidence(uow, team_id=actor.team_id, viewer_slack_id=actor.slack_user_id, evidence_id=evidence_id)
            if evidence_id is not None
            else None
        )
        if evidence is None:
            return None
        report = actor.person(uow)
        assert report is not None  # they own the evidence
        target = preview_target(uow, digest_id, report) if flag else None
        if target is not None and target.meeting_at > now:
            told = ToldManager(target, report.display_name or actor.slack_user_id, item_of(evidence))
            uow.evidence.set_to_discuss(evidence, False)
            return Flagged(evidence.id, "sent_to_manager", told)
        uow.evidence.set_to_discuss(evidence, flag)
        return Flagged(evidence.id, "queued" if flag else "unflagged", None)


def report_preview(uow_factory: UnitOfWorkFactory, actor: Actor, digest_id: int | str | None) -> ReportPreview | None:
    """The sent digest `digest_id`, if the actor is its report (where a last-minute note goes)."""
    with uow_factory() as uow:
        report = actor.person(uow)
        target = preview_target(uow, digest_id, report) if report is not None else None
        if report is None or target is None:
            return None
        return ReportPreview(target, report.display_name or actor.slack_user_id)
