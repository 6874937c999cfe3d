"""Disputes: the manager's "this doesn't show that behaviour" on a piece of evidence.

A disputed tag stops counting toward coverage and readiness (storage filters it out) and stays visible,
marked, with the manager's comment. Only the report's current accepted manager may dispute; the
engineer is told and may retag the item (retagging drops the tag, and the dispute with it) or reply.
Every id here came back from Slack: `manager_target` re-checks all of them, and anything that does not
hold answers `NotAvailable` (the caller shows access.NOT_AVAILABLE).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.deps import Deps
from bot.services import access
from bot.services.actor import Actor
from bot.services.evidence import Ladder, ladder_for
from frameworks import Behaviour, Library
from storage.models import MAX_COMMENT, Evidence, EvidenceTag, Person
from storage.uow import UnitOfWork

DISPUTED = "disputed_evidence"  # audit action
MAX_CITED = 20  # evidence items one quick sign-off or dispute may name


@dataclass(frozen=True, slots=True)
class NotAvailable:
    """No right, or an id that does not name what it claims: the neutral refusal."""


@dataclass(frozen=True, slots=True)
class CommentTooLong:
    limit: int = MAX_COMMENT


@dataclass(frozen=True, slots=True)
class ManagerTarget:
    """A checked (manager, report, behaviour, evidence) named by a digest's menu or a dispute modal."""

    manager: Person
    person: Person
    ladder: Ladder
    behaviour: Behaviour
    evidence: tuple[Evidence, ...]

    def tags(self) -> list[tuple[Evidence, EvidenceTag]]:
        found = []
        for item in self.evidence:
            found += [
                (item, tag)
                for tag in item.tags
                if tag.framework_id == self.ladder.framework.id and tag.behaviour_id == self.behaviour.id
            ]
        return found


def manager_target(
    uow: UnitOfWork,
    library: Library,
    actor: Actor,
    *,
    person_id: int | None,
    behaviour_id: str | None,
    evidence_ids: Iterable[int] = (),
) -> ManagerTarget | None:
    """The target if the actor is the person's current manager, the behaviour is on the person's ladder
    and every evidence id names the person's (not deleted) item tagged with that behaviour."""
    manager = actor.person(uow)
    person = uow.people.get(person_id) if person_id is not None else None
    if manager is None or person is None or behaviour_id is None or person.workspace_id != manager.workspace_id:
        return None
    if not access.is_current_manager(uow, manager, person):
        return None
    ladder = ladder_for(uow, library, person)
    behaviour = ladder.framework.find_behaviour(behaviour_id) if ladder is not None else None
    if ladder is None or behaviour is None:
        return None
    wanted = list(dict.fromkeys(evidence_ids))
    if len(wanted) > MAX_CITED:
        return None
    items = []
    for evidence_id in wanted:
        item = uow.evidence.get(evidence_id)
        if item is None or item.person_id != person.id or item.deleted_at is not None:
            return None
        if not any(t.framework_id == ladder.framework.id and t.behaviour_id == behaviour.id for t in item.tags):
            return None
        items.append(item)
    return ManagerTarget(manager, person, ladder, behaviour, tuple(items))


# --- opening the dispute modal ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DisputeForm:
    person_id: int
    person_name: str
    behaviour_id: str
    behaviour_text: str
    evidence_ids: tuple[int, ...]
    evidence_texts: tuple[str, ...]  # raw; the modal escapes them


def dispute_form(
    deps: Deps, actor: Actor, *, person_id: int | None, behaviour_id: str | None, evidence_ids: Iterable[int]
) -> DisputeForm | NotAvailable:
    with deps.uow() as uow:
        target = manager_target(
            uow, deps.library, actor, person_id=person_id, behaviour_id=behaviour_id, evidence_ids=evidence_ids
        )
        if target is None or not target.evidence:
            return NotAvailable()
        return DisputeForm(
            target.person.id,
            target.person.display_name or target.person.slack_user_id,
            target.behaviour.id,
            target.behaviour.text,
            tuple(e.id for e in target.evidence),
            tuple(e.text for e in target.evidence),
        )


# --- disputing -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DisputedItem:
    evidence_id: int
    text: str  # raw


@dataclass(frozen=True, slots=True)
class Disputed:
    """What was disputed, and what the engineer is to be told (`items` holds only newly disputed ones:
    a double click or a Slack retry tells them nothing twice)."""

    engineer_slack_id: str
    manager_slack_id: str
    manager_name: str
    person_name: str
    behaviour_id: str
    behaviour_text: str
    comment: str | None
    items: tuple[DisputedItem, ...]

    @property
    def newly(self) -> bool:
        return bool(self.items)


def dispute_target(uow: UnitOfWork, target: ManagerTarget, comment: str | None, now: datetime) -> Disputed:
    """Dispute every tag of `target.evidence` for its behaviour (idempotent) and audit what changed."""
    comment = (comment or "").strip() or None
    newly = []
    for item, tag in target.tags():
        if uow.evidence.dispute_tag(tag.id, by_id=target.manager.id, comment=comment, now=now):
            newly.append(DisputedItem(item.id, item.text))
    if newly:
        uow.audit.record(
            target.manager.slack_user_id,
            DISPUTED,
            target.person.slack_user_id,
            {"behaviour_id": target.behaviour.id, "evidence_ids": [i.evidence_id for i in newly]},
            workspace_team_id=target.person.workspace.team_id,
            now=now,
        )
    return Disputed(
        engineer_slack_id=target.person.slack_user_id,
        manager_slack_id=target.manager.slack_user_id,
        manager_name=target.manager.display_name or target.manager.slack_user_id,
        person_name=target.person.display_name or target.person.slack_user_id,
        behaviour_id=target.behaviour.id,
        behaviour_text=target.behaviour.text,
        comment=comment,
        items=tuple(newly),
    )


def dispute(
    deps: Deps,
    actor: Actor,
    *,
    person_id: int | None,
    behaviour_id: str | None,
    evidence_ids: Iterable[int],
    comment: str | None,
) -> Disputed | NotAvailable | CommentTooLong:
    """The dispute modal was submitted: mark the tags disputed (compare-and-set) in one unit of work."""
    if comment is not None and len(comment.strip()) > MAX_COMMENT:
        return CommentTooLong()
    with deps.uow() as uow:
        target = manager_target(
            uow, deps.library, actor, person_id=person_id, behaviour_id=behaviour_id, evidence_ids=evidence_ids
        )
        if target is None or not target.evidence:
            return NotAvailable()
        return dispute_target(uow, target, comment, deps.now())


# --- the engineer's reply --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReplyTarget:
    """A disputed tag on the actor's own evidence, and the current manager to send a reply to."""

    evidence_id: int
    evidence_text: str
    behaviour_id: str
    behaviour_text: str
    report_name: str
    manager_slack_id: str
    manager_name: str


def reply_target(
    deps: Deps, actor: Actor, evidence_id: int | None, behaviour_id: str | None
) -> ReplyTarget | NotAvailable:
    """Only the evidence's owner, only for a tag still disputed, only to their current manager."""
    with deps.uow() as uow:
        person = actor.person(uow)
        item = uow.evidence.get(evidence_id) if evidence_id is not None else None
        if person is None or item is None or item.person_id != person.id or item.deleted_at is not None:
            return NotAvailable()
        tag = next((t for t in item.tags if t.behaviour_id == behaviour_id and t.disputed_at is not None), None)
        manager = uow.managers.active_manager_of(person.id)
        if tag is None or manager is None:
            return NotAvailable()
        return ReplyTarget(
            item.id,
            item.text,
            tag.behaviour_id,
            tag.behaviour_text,
            person.display_name or person.slack_user_id,
            manager.slack_user_id,
            manager.display_name or manager.slack_user_id,
        )
