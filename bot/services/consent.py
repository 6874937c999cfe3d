"""Manager links and the report's consent.

Whoever names a manager (the report in the setup modal, the manager with `/ladder team add`, an
admin through the org import) creates a PENDING link; the report gets a DM to accept or decline,
and until they accept no evidence flows to that manager (bot.services.access only honours ACTIVE
links). Either side can end a link; ending it also ends their 1:1s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from storage.models import ManagerLink, ManagerLinkStatus, Person
from storage.uow import UnitOfWork


class Decision(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ALREADY_DECIDED = "already_decided"


@dataclass(frozen=True, slots=True)
class DecisionOutcome:
    decision: Decision
    link: ManagerLink
    ended_previous: ManagerLink | None = None  # the active link an accept replaced


def request_link(
    uow: UnitOfWork,
    *,
    report: Person,
    manager: Person,
    requested_by: Person | None,
    now: datetime,
) -> ManagerLink:
    """Name `manager` as `report`'s manager: a PENDING link (or the open one to the same manager)."""
    if report.workspace_id != manager.workspace_id:
        raise ValueError("the manager and the report are in different workspaces")
    link = uow.managers.request(
        report.id, manager.id, requested_by_id=requested_by.id if requested_by else None, now=now
    )
    return link


def decide(uow: UnitOfWork, *, link_id: int, actor: Person, accept: bool, now: datetime) -> DecisionOutcome | None:
    """The report accepts or declines. None when `actor` is not the person the link asks (a forged value)."""
    link = uow.managers.get(link_id)
    if link is None or link.person_id != actor.id:
        return None
    if link.status is not ManagerLinkStatus.PENDING:
        return DecisionOutcome(Decision.ALREADY_DECIDED, link)
    if not accept:
        uow.managers.decline(link, now)
        return DecisionOutcome(Decision.DECLINED, link)
    previous = uow.managers.active_link_of(actor.id)
    uow.managers.accept(link, now)
    if previous is not None and previous.id != link.id:
        end_one_on_ones_between(uow, previous.manager_id, actor.id, now)
    return DecisionOutcome(Decision.ACCEPTED, link, previous if previous and previous.id != link.id else None)


def end_one_on_ones_between(uow: UnitOfWork, manager_id: int, report_id: int, now: datetime) -> int:
    one_on_one = uow.one_on_ones.get_pair(manager_id, report_id)
    if one_on_one is None:
        return 0
    uow.one_on_ones.end(one_on_one, now)
    return 1


def open_links_between(uow: UnitOfWork, a: Person, b: Person) -> list[ManagerLink]:
    """Open (pending or active) links where one of the two manages the other."""
    found = []
    for report, manager in ((a, b), (b, a)):
        link = uow.managers.latest_between(report.id, manager.id)
        if link is not None and link.status in (ManagerLinkStatus.PENDING, ManagerLinkStatus.ACTIVE):
            found.append(link)
    return found


def remove_link(uow: UnitOfWork, *, actor: Person, other: Person, now: datetime) -> list[ManagerLink]:
    """`actor` ends the link with `other`, whichever of them is the manager; their 1:1s end too.

    Returns the links ended (empty: there was none, which the caller answers neutrally).
    """
    ended = open_links_between(uow, actor, other)
    for link in ended:
        uow.managers.end(link, now)
        end_one_on_ones_between(uow, link.manager_id, link.person_id, now)
    return ended


@dataclass(frozen=True, slots=True)
class TeamView:
    """What `/ladder team` shows: the caller's manager side and their reports."""

    manager: ManagerLink | None  # the caller's ACTIVE manager link
    pending_managers: Sequence[ManagerLink]  # people asking to be the caller's manager
    reports: Sequence[ManagerLink]  # ACTIVE and PENDING links where the caller is the manager


def team_view(uow: UnitOfWork, person: Person) -> TeamView:
    return TeamView(
        manager=uow.managers.active_link_of(person.id),
        pending_managers=uow.managers.pending_for(person.id),
        reports=uow.managers.reports_of(person.id, (ManagerLinkStatus.ACTIVE, ManagerLinkStatus.PENDING)),
    )


def is_active_manager(uow: UnitOfWork, manager: Person, report: Person) -> bool:
    link = uow.managers.active_link_of(report.id)
    return link is not None and link.manager_id == manager.id


# --- the DM asking for consent (sent by bot.delivery.consent: by the tick, right after `/ladder team add`) ---


@dataclass(frozen=True, slots=True)
class ConsentRequest:
    """One consent DM to send: whom to ask, about which link, naming whom."""

    link_id: int
    report_slack_id: str
    manager_name: str
    manager_slack_id: str
    requested_by: str | None  # a third person who set the link up (an admin), named in the DM


def claim_consent_request(uow: UnitOfWork, link_id: int, now: datetime) -> ConsentRequest | None:
    """Claim the link's one consent DM by setting `notified_at` (compare-and-set, so two instances never
    both send); None when it was already claimed."""
    if not uow.managers.claim_consent_notice(link_id, now):
        return None
    link = uow.managers.get(link_id)
    assert link is not None
    requester = uow.people.get(link.requested_by_id) if link.requested_by_id else None
    requested_by = None
    if requester is not None and requester.id not in (link.manager_id, link.person_id):
        requested_by = requester.display_name or requester.slack_user_id
    return ConsentRequest(
        link_id=link_id,
        report_slack_id=link.person.slack_user_id,
        manager_name=link.manager.display_name or link.manager.slack_user_id,
        manager_slack_id=link.manager.slack_user_id,
        requested_by=requested_by,
    )


def retry_consent_request_later(uow: UnitOfWork, link_id: int) -> None:
    """The DM did not go out but may on a later tick: give the claim back."""
    uow.managers.release_consent_notice(link_id)


def links_awaiting_consent_request(uow: UnitOfWork, limit: int = 100) -> list[int]:
    """Pending links whose report has not been DM'd yet (org import, setup modal)."""
    return uow.managers.pending_without_notice(limit)
