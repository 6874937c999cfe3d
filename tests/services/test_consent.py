"""Manager links need the report's consent (SQLite and PostgreSQL; DMs through the fake Slack)."""

from __future__ import annotations

from datetime import datetime, time

from bot.ids import ConsentAction
from bot.services import consent
from storage.models import ManagerLinkStatus
from tests.conftest import Database
from tests.services.digest_data import add_person, fake_slack_deps, load_ladder, make_world

NOW = datetime(2025, 3, 10, 12, 0)
LIBRARY = load_ladder()


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


def test_pending_requests_are_dmed_once(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow, link=None)
        link = uow.managers.request(world.report_id, world.manager_id, requested_by_id=world.admin_id, now=NOW)
        uow.managers.request(world.outsider_id, world.manager_id, now=NOW)
    with fake_slack_deps(db, LIBRARY) as (deps, fake):
        fake.set_error("chat.postMessage", "internal_error")
        assert consent.send_pending_consent_requests(deps, NOW) == 1  # the first DM failed, the second went out
        assert consent.send_pending_consent_requests(deps, NOW) == 1  # the failed one is retried
        assert consent.send_pending_consent_requests(deps, NOW) == 0  # and nothing is sent twice
        dms = fake.messages(fake.dm_channel_for("UREPORT"))
        assert len(dms) == 1
        buttons = [e for b in dms[0]["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert [(b["action_id"], b["value"]) for b in buttons] == [
            (ConsentAction.ACCEPT.value, str(link.id)),
            (ConsentAction.DECLINE.value, str(link.id)),
        ]
        assert "Ada Admin set this up" in str(dms[0]["blocks"])
        assert len(fake.messages(fake.dm_channel_for("UOTHER"))) == 1


def test_a_deactivated_report_is_not_asked_forever(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow, link=None)
        uow.managers.request(world.report_id, world.manager_id, now=NOW)
    with fake_slack_deps(db, LIBRARY) as (deps, fake):
        fake.deactivate("UREPORT")
        assert consent.send_pending_consent_requests(deps, NOW) == 0
        assert consent.send_pending_consent_requests(deps, NOW) == 0
        assert fake.count("conversations.open") == 1
