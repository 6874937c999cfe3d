"""Manager links and the report's consent.

Whoever names a manager (the report in the setup modal, the manager with `/ladder team add`, an
admin with `/ladder admin manager` or the org import) goes through `change_manager`: a PENDING link;
the report gets a DM to accept or decline, and until they accept no evidence flows to that manager
(bot.services.access only honours ACTIVE links). Either side can end a link; ending a link always
ends their 1:1s too (`end_link`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.services import access, checkins
from storage.models import CheckIn, ManagerLink, ManagerLinkStatus, Person
from storage.repositories.people import AddedPerson
from storage.uow import UnitOfWork

# Why a manager's access ended (details["reason"] of an access.ACCESS_ENDED entry).
ENDED_REMOVED = "removed"  # either side ended the link (`/ladder team remove`)
ENDED_REPLACED = "replaced"  # the report accepted another manager
ENDED_CLEARED = "cleared"  # the manager was cleared (an admin, the org import)
ENDED_FORGET = "forget"  # the manager deleted their growthbot data
ENDED_DEACTIVATED = "deactivated"  # the manager was deactivated (in Slack or by an admin)


class Decision(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ALREADY_DECIDED = "already_decided"


@dataclass(frozen=True, slots=True)
class DecisionOutcome:
    decision: Decision
    link: ManagerLink
    ended_previous: ManagerLink | None = None  # the active link an accept replaced
    moved_checkin: CheckIn | None = None  # an open check-in whose manager side moved to the new manager


@dataclass(frozen=True, slots=True)
class ManagerChange:
    """What `change_manager` did."""

    link: ManagerLink | None  # the link naming the manager; None when the manager was cleared
    already_current: bool = False  # the manager already was the report's current (accepted) manager
    already_asked: bool = False  # a request to this manager was already waiting for the report
    kept: ManagerLink | None = None  # the current manager's link, which stays until the report accepts

    @property
    def asked(self) -> bool:
        """A new request now waits for the report's consent (the caller sends the DM after the commit)."""
        return self.link is not None and not (self.already_current or self.already_asked)


def change_manager(
    uow: UnitOfWork,
    *,
    report: Person,
    manager: Person | None,
    requested_by: Person | None,
    now: datetime,
) -> ManagerChange:
    """Make `manager` `report`'s manager, or clear it (`manager=None`): every path that changes someone's
    manager (setup, `/ladder team add`, `/ladder admin manager`, the org import) comes through here.

    The rule: a new manager is a PENDING request, and the current manager stays until the report
    accepts it. Naming a manager never ends the current link by itself: nothing flows to the new one
    before consent, and the report is not left without a manager on someone else's word. Accepting
    (`decide`) ends the old link and its 1:1s. Naming the current manager again changes nothing; naming
    someone already asked returns the waiting request; any other waiting request is superseded.

    Clearing the manager ends every open link where `report` is the report, and their 1:1s, as
    `remove_link` does.
    """
    if manager is None:
        for link in uow.managers.open_links_of_many([report.id]):
            end_link(uow, link, now, reason=ENDED_CLEARED)
        return ManagerChange(None)
    if report.workspace_id != manager.workspace_id:
        raise ValueError("the manager and the report are in different workspaces")
    current = uow.managers.active_link_of(report.id)
    if access.is_current_manager(uow, manager, report):
        return ManagerChange(current, already_current=True)
    waiting = uow.managers.pending_for(report.id)
    link = uow.managers.request(
        report.id, manager.id, requested_by_id=requested_by.id if requested_by else None, now=now
    )
    return ManagerChange(link, already_asked=link in waiting, kept=current)


def ask_first_managers(
    uow: UnitOfWork, pairs: Sequence[tuple[Person | AddedPerson, Person | AddedPerson]], now: datetime
) -> None:
    """`change_manager` for (report, manager) pairs whose report has no manager link at all yet (people a
    first import just added), written in batches. With nothing current, nothing waiting and nothing to
    supersede, change_manager's rule comes to this: a PENDING request each, the DM after the commit."""
    for report, manager in pairs:
        if report.workspace_id != manager.workspace_id:
            raise ValueError("the manager and the report are in different workspaces")
    uow.managers.request_many([(report.id, manager.id) for report, manager in pairs], now=now)


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
    if previous is not None:
        end_link(uow, previous, now, reason=ENDED_REPLACED)
    uow.managers.accept(link, now)
    moved = checkins.follow_manager_change(uow, actor.id, link.manager_id)
    return DecisionOutcome(Decision.ACCEPTED, link, previous, moved)


def end_link(uow: UnitOfWork, link: ManagerLink, now: datetime, *, reason: str = ENDED_REMOVED) -> None:
    """End a manager link and the pair's 1:1s: the one way a link ends (a 1:1 outlives no link). Ending
    the accepted link takes the manager off an open check-in they have not submitted yet, and writes
    to the report's access log that this manager's access ended (`reason`: why)."""
    was_current = link.status is ManagerLinkStatus.ACTIVE
    uow.managers.end(link, now)
    if was_current:
        checkins.follow_manager_change(uow, link.person_id, None)
        record_access_ended(uow, link, reason, now)
    one_on_one = uow.one_on_ones.get_pair(link.manager_id, link.person_id)
    if one_on_one is not None:
        uow.one_on_ones.end(one_on_one, now)


def end_links_as_manager(uow: UnitOfWork, manager: Person, now: datetime, *, reason: str) -> int:
    """End every open link where `manager` is the manager (a deactivated manager reads nothing more);
    the reports keep their own manager links as reports. Returns how many ended."""
    links = uow.managers.reports_of(manager.id, (ManagerLinkStatus.ACTIVE, ManagerLinkStatus.PENDING))
    for link in links:
        end_link(uow, link, now, reason=reason)
    return len(links)


def record_access_ended(uow: UnitOfWork, link: ManagerLink, reason: str, now: datetime) -> None:
    """The report's access log: the former manager (the entry's actor) no longer reads their data."""
    uow.audit.record(
        link.manager.slack_user_id,
        access.ACCESS_ENDED,
        link.person.slack_user_id,
        {"reason": reason},
        workspace_team_id=link.person.workspace.team_id,
        now=now,
    )


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
        end_link(uow, link, now)
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
