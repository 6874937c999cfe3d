"""Manager links need the report's consent (SQLite and PostgreSQL; the DMs: tests/delivery/test_consent.py)."""

from __future__ import annotations

from datetime import datetime, time

from bot.services import consent
from storage.models import ManagerLinkStatus
from tests.conftest import Database
from tests.services.digest_data import add_person, make_world

NOW = datetime(2025, 3, 10, 12, 0)


def test_named_manager_is_pending_until_the_report_accepts(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow, link=None)
        manager, report = uow.people.get(world.manager_id), uow.people.get(world.report_id)
        link = consent.change_manager(uow, report=report, manager=manager, requested_by=manager, now=NOW).link
        assert link is not None
        assert link.status is ManagerLinkStatus.PENDING
        assert uow.managers.active_manager_of(report.id) is None
        # Naming the same manager again returns the same pending link.
        again = consent.change_manager(uow, report=report, manager=manager, requested_by=None, now=NOW)
        assert again.link is not None and again.link.id == link.id

    with db.uow() as uow:
        manager, outsider = uow.people.get(world.manager_id), uow.people.get(world.outsider_id)
        # Only the named report can answer; the manager cannot accept on their behalf.
        assert consent.decide(uow, link_id=link.id, actor=manager, accept=True, now=NOW) is None
        assert consent.decide(uow, link_id=link.id, actor=outsider, accept=True, now=NOW) is None
        assert consent.decide(uow, link_id=999_999, actor=outsider, accept=True, now=NOW) is None
        report = uow.people.get(world.report_id)
        outcome = consent.decide(uow, link_id=link.id, actor=report, accept=True, now=NOW)
        assert outcome is not None and outcome.decision is consent.Decision.ACCEPTED
        assert uow.managers.active_manager_of(report.id).id == world.manager_id
        again = consent.decide(uow, link_id=link.id, actor=report, accept=False, now=NOW)
        assert again is not None and again.decision is consent.Decision.ALREADY_DECIDED


def test_decline_leaves_no_manager(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow, link=None)
        link = uow.managers.request(world.report_id, world.manager_id, now=NOW)
    with db.uow() as uow:
        outcome = consent.decide(uow, link_id=link.id, actor=uow.people.get(world.report_id), accept=False, now=NOW)
        assert outcome is not None and outcome.decision is consent.Decision.DECLINED
        assert uow.managers.active_manager_of(world.report_id) is None
        assert uow.managers.get(link.id).status is ManagerLinkStatus.DECLINED


def test_accepting_a_new_manager_ends_the_old_link_and_its_one_on_ones(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        old_one_on_one = uow.one_on_ones.add(world.manager_id, world.report_id, weekday=1, local_time=time(10))
        new_boss = add_person(uow, world.workspace_id, "UNEW", "New Boss")
        link = uow.managers.request(world.report_id, new_boss.id, now=NOW)
    with db.uow() as uow:
        outcome = consent.decide(uow, link_id=link.id, actor=uow.people.get(world.report_id), accept=True, now=NOW)
        assert outcome is not None and outcome.ended_previous is not None
        assert outcome.ended_previous.manager_id == world.manager_id
        assert uow.managers.active_manager_of(world.report_id).slack_user_id == "UNEW"
        assert uow.one_on_ones.get(old_one_on_one.id).active is False


def test_either_side_removes_the_link_and_their_one_on_ones_end(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        one_on_one = uow.one_on_ones.add(world.manager_id, world.report_id, weekday=1, local_time=time(10))
    with db.uow() as uow:
        report, manager = uow.people.get(world.report_id), uow.people.get(world.manager_id)
        view = consent.team_view(uow, report)
        assert view.manager is not None and view.manager.manager_id == world.manager_id
        assert [link.person_id for link in consent.team_view(uow, manager).reports] == [world.report_id]
        ended = consent.remove_link(uow, actor=report, other=manager, now=NOW)
        assert [link.status for link in ended] == [ManagerLinkStatus.ENDED]
        assert uow.one_on_ones.get(one_on_one.id).active is False
        assert consent.remove_link(uow, actor=report, other=manager, now=NOW) == []
        assert consent.team_view(uow, report).manager is None

    with db.uow() as uow:
        world2_link = uow.managers.request(world.report_id, world.manager_id, now=NOW)
    with db.uow() as uow:
        manager, report = uow.people.get(world.manager_id), uow.people.get(world.report_id)
        assert [link.id for link in consent.team_view(uow, report).pending_managers] == [world2_link.id]
        ended = consent.remove_link(uow, actor=manager, other=report, now=NOW)  # withdrawing a pending request
        assert [link.id for link in ended] == [world2_link.id]


def test_a_consent_request_is_claimed_once_and_names_a_third_person_who_set_it_up(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow, link=None)
        by_admin = uow.managers.request(world.report_id, world.manager_id, requested_by_id=world.admin_id, now=NOW)
        manager_id = world.manager_id
        by_manager = uow.managers.request(world.outsider_id, manager_id, requested_by_id=manager_id, now=NOW)
    with db.uow() as uow:
        assert consent.links_awaiting_consent_request(uow) == [by_admin.id, by_manager.id]
        request = consent.claim_consent_request(uow, by_admin.id, NOW)
        assert request is not None
        assert (request.link_id, request.report_slack_id) == (by_admin.id, "UREPORT")
        assert (request.manager_slack_id, request.manager_name) == ("UMANAGER", "Morgan Manager")
        assert request.requested_by == "Ada Admin"
        assert consent.claim_consent_request(uow, by_admin.id, NOW) is None  # never sent twice
        own = consent.claim_consent_request(uow, by_manager.id, NOW)
        assert own is not None and own.requested_by is None  # the manager is named in the DM already
        assert consent.links_awaiting_consent_request(uow) == []
        consent.retry_consent_request_later(uow, by_admin.id)
        assert consent.links_awaiting_consent_request(uow) == [by_admin.id]
