"""Manager links and the report's consent.

Whoever names a manager (the report in the setup modal, the manager with `/ladder team add`, an
admin with `/ladder admin manager` or the org import) goes through `change_manager`: a PENDING link;
the report gets a DM to accept or decline, and until they accept no evidence flows to that manager
(bot.services.access only honours ACTIVE links). Either side can end a link; ending a link always
ends their 1:1s too (`end_link`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from slack_sdk.errors import SlackApiError

from bot.blocks.consent import consent_request_blocks, consent_request_text
from bot.deps import Deps
from bot.services import access
from bot.slack_client import PERSON_GONE_ERRORS
from storage.models import ManagerLink, ManagerLinkStatus, Person
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

# Slack errors after which a consent DM is not worth retrying (the person is gone or unreachable).
GIVE_UP_ERRORS = PERSON_GONE_ERRORS | {"cannot_dm_bot"}


class Decision(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ALREADY_DECIDED = "already_decided"


@dataclass(frozen=True, slots=True)
class DecisionOutcome:
    decision: Decision
    link: ManagerLink
    ended_previous: ManagerLink | None = None  # the active link an accept replaced


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
            end_link(uow, link, now)
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
        end_link(uow, previous, now)
    uow.managers.accept(link, now)
    return DecisionOutcome(Decision.ACCEPTED, link, previous)


def end_link(uow: UnitOfWork, link: ManagerLink, now: datetime) -> None:
    """End a manager link and the pair's 1:1s: the one way a link ends (a 1:1 outlives no link)."""
    uow.managers.end(link, now)
    one_on_one = uow.one_on_ones.get_pair(link.manager_id, link.person_id)
    if one_on_one is not None:
        uow.one_on_ones.end(one_on_one, now)


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


# --- the DM asking for consent (run by the tick, and right after `/ladder team add`) ---------------


def send_consent_request(deps: Deps, link_id: int, now: datetime) -> bool:
    """DM the report one consent request for this link, once: claim it by setting `notified_at`
    (compare-and-set, so two instances never both send), then post. True when a DM went out."""
    with deps.uow() as uow:
        if not uow.managers.claim_consent_notice(link_id, now):
            return False
        link = uow.managers.get(link_id)
        assert link is not None
        report_slack_id = link.person.slack_user_id
        manager_name = link.manager.display_name or link.manager.slack_user_id
        manager_slack_id = link.manager.slack_user_id
        requester = uow.people.get(link.requested_by_id) if link.requested_by_id else None
        requested_by = None
        if requester is not None and requester.id not in (link.manager_id, link.person_id):
            requested_by = requester.display_name or requester.slack_user_id
    try:
        channel = deps.client.conversations_open(users=report_slack_id)["channel"]["id"]
        blocks = consent_request_blocks(link_id, manager_name, manager_slack_id, requested_by=requested_by)
        deps.client.chat_postMessage(
            channel=channel,
            text=consent_request_text(manager_name),
            blocks=[block.to_dict() for block in blocks],
        )
    except SlackApiError as error:
        code = str(error.response.get("error", "")) if error.response is not None else ""
        if code in GIVE_UP_ERRORS:
            log.warning("consent request %s not delivered (%s); not retrying", link_id, code)
            return False
        log.warning("consent request %s failed (%s); will retry on a later tick", link_id, code or error)
        with deps.uow() as uow:
            uow.managers.release_consent_notice(link_id)
        return False
    return True


def send_pending_consent_requests(deps: Deps, now: datetime, limit: int = 100) -> int:
    """DM every pending request that has not been DM'd yet (org import, setup modal); returns how many."""
    with deps.uow() as uow:
        link_ids = uow.managers.pending_without_notice(limit)
    return sum(1 for link_id in link_ids if send_consent_request(deps, link_id, now))
