"""Manager links asked for from Slack (bot.services.team_requests): each outcome, on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.services import team_requests
from bot.services.actor import Actor
from bot.services.consent import Decision
from bot.services.directory import DictDirectory
from bot.services.people import SlackProfile
from bot.services.team_requests import AlreadyManager, Answered, OwnManager, Requested, Team, Unreachable
from frameworks import Library
from storage.models import ManagerLinkStatus
from storage.uow import UnitOfWorkFactory
from tests.conftest import Database
from tests.services.digest_data import LADDER_ID, World, add_evidence, load_ladder, make_world

NOW = datetime(2025, 3, 10, 12, 0)
REPORT = Actor("T1", "UREPORT")
MANAGER = Actor("T1", "UMANAGER")
OTHER = Actor("T1", "UOTHER")
NOBODY = Actor("T1", "UNOBODY")
LIBRARY = load_ladder()
DIRECTORY = DictDirectory([SlackProfile("UNEW", "Nova", "Europe/Paris", None)])


def _world(db: Database) -> World:
    with db.uow() as uow:
        return make_world(uow)


def _ask(
    db: Database, asker: Actor, report_slack_id: str
) -> team_requests.OwnManager | Unreachable | AlreadyManager | Requested:
    return team_requests.ask_to_manage(db.uow, DIRECTORY, asker, report_slack_id=report_slack_id, now=NOW)


def test_asking_to_manage_someone(db: Database) -> None:
    world = _world(db)
    assert _ask(db, OTHER, "UOTHER") == OwnManager()
    assert _ask(db, OTHER, "UGHOST") == Unreachable()  # Slack knows no such user
    assert _ask(db, MANAGER, "UREPORT") == AlreadyManager()
    asked = _ask(db, OTHER, "UREPORT")
    assert isinstance(asked, Requested)
    with db.uow() as uow:
        link = uow.managers.get(asked.link_id)
        assert (link.status, link.manager.slack_user_id) == (ManagerLinkStatus.PENDING, "UOTHER")
        assert uow.managers.active_manager_of(world.report_id).slack_user_id == "UMANAGER"  # until they accept


def test_someone_new_to_growthbot_gets_a_row_from_their_slack_profile(db: Database) -> None:
    _world(db)
    asked = _ask(db, Actor("T1", "UNEW"), "UREPORT")
    assert isinstance(asked, Requested)
    with db.uow() as uow:
        link = uow.managers.get(asked.link_id)
        assert (link.manager.display_name, link.manager.tz) == ("Nova", "Europe/Paris")


def test_answering_a_manager_request(db: Database) -> None:
    _world(db)
    def answer(uow: UnitOfWorkFactory, actor: Actor, **kwargs: Any) -> Answered | None:
        return team_requests.answer_manager_request(uow, Library([]), actor, **kwargs)

    declined = _ask(db, OTHER, "UREPORT")
    assert isinstance(declined, Requested)
    assert answer(db.uow, NOBODY, link_id=declined.link_id, accept=True, now=NOW) is None
    assert answer(db.uow, REPORT, link_id=None, accept=True, now=NOW) is None
    assert answer(db.uow, OTHER, link_id=declined.link_id, accept=True, now=NOW) is None  # not theirs to answer
    assert answer(db.uow, REPORT, link_id=declined.link_id, accept=False, now=NOW) == Answered(
        Decision.DECLINED, "UOTHER", "UREPORT", None
    )
    accepted = _ask(db, Actor("T1", "UNEW"), "UREPORT")
    assert isinstance(accepted, Requested)
    assert answer(db.uow, REPORT, link_id=accepted.link_id, accept=True, now=NOW) == Answered(
        Decision.ACCEPTED, "UNEW", "UREPORT", "UMANAGER"
    )


def test_the_team_as_each_person_sees_it(db: Database) -> None:
    _world(db)
    asked = _ask(db, OTHER, "UREPORT")
    assert isinstance(asked, Requested)
    assert team_requests.team_of(db.uow, LIBRARY, NOBODY, NOW) == Team(None, [], [])
    assert team_requests.team_of(db.uow, LIBRARY, REPORT, NOW) == Team("UMANAGER", [(asked.link_id, "UOTHER")], [])
    as_manager = team_requests.team_of(db.uow, LIBRARY, MANAGER, NOW)
    assert (as_manager.manager_slack_id, as_manager.pending, as_manager.reports) == (None, [], [("UREPORT", True)])
    assert set(as_manager.readiness) == {"UREPORT"}  # the consenting report's readiness, read as their manager


def test_the_team_shows_each_consenting_reports_focus_and_last_evidence(db: Database) -> None:
    world = _world(db)
    with db.uow() as uow:
        add_evidence(uow, LIBRARY, world.report_id, "shipped", NOW - timedelta(days=3), ["delivery-2-01"])
        add_evidence(uow, LIBRARY, world.report_id, "newest", NOW - timedelta(days=1), ["quality-2-01"])
        add_evidence(uow, LIBRARY, world.report_id, "later", NOW + timedelta(days=1), deleted_at=NOW)
        uow.focus.add_once(world.report_id, LADDER_ID, "quality-2-02", NOW)
        uow.focus.add_once(world.report_id, LADDER_ID, "delivery-2-03", NOW)
    team = team_requests.team_of(db.uow, LIBRARY, MANAGER, NOW)
    framework = LIBRARY[LADDER_ID]
    texts = (framework.behaviour("delivery-2-03").text, framework.behaviour("quality-2-02").text)
    assert team.focus == {"UREPORT": texts}  # ladder order
    assert team.last_evidence_at == {"UREPORT": NOW - timedelta(days=1)}  # bot.services.last_evidence
    assert team_requests.team_of(db.uow, LIBRARY, REPORT, NOW).focus == {}  # they see no reports


def test_a_report_waiting_for_consent_shows_no_focus_or_evidence(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow, link=ManagerLinkStatus.PENDING)
        add_evidence(uow, LIBRARY, world.report_id, "shipped", NOW - timedelta(days=3), ["delivery-2-01"])
        uow.focus.add_once(world.report_id, LADDER_ID, "delivery-2-03", NOW)
    team = team_requests.team_of(db.uow, LIBRARY, MANAGER, NOW)
    assert team.reports == [("UREPORT", False)]
    assert (team.focus, team.last_evidence_at, team.readiness) == ({}, {}, {})


def test_ending_a_link(db: Database) -> None:
    world = _world(db)
    end = team_requests.end_link_with
    assert end(db.uow, REPORT, other_slack_id="UNOBODY", now=NOW) is False
    assert end(db.uow, REPORT, other_slack_id="UOTHER", now=NOW) is False
    assert end(db.uow, REPORT, other_slack_id="UMANAGER", now=NOW) is True
    assert end(db.uow, MANAGER, other_slack_id="UREPORT", now=NOW) is False  # already ended
    with db.uow() as uow:
        assert uow.managers.active_manager_of(world.report_id) is None
