"""A manager's Home reads its reports in a fixed number of statements, with each report's readiness."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.services import assessments
from bot.services.home import home_for, home_in
from storage.models import CheckIn, CheckInOrigin, ManagerLink, ManagerLinkStatus, Placement, Rater, Verdict
from tests.conftest import Database
from tests.services.digest_data import LADDER_ID, add_person, load_ladder, make_world
from tests.services.test_digests import count_statements

NOW = datetime(2025, 3, 10, 12, 0)
LIBRARY = load_ladder()


def _team(db: Database, size: int) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        manager = uow.people.get(world.manager_id)
        for n in range(size):
            report = add_person(uow, world.workspace_id, f"UR{n:03d}", f"Report {n}")
            uow.session.add(
                Placement(person_id=report.id, framework_id=LADDER_ID, levels={"delivery": "1"}, reason="setup",
                          started_at=NOW)
            )  # fmt: skip
            uow.session.add(ManagerLink(person_id=report.id, manager_id=manager.id, status=ManagerLinkStatus.ACTIVE))
            uow.session.flush()
            framework = LIBRARY[LADDER_ID]
            for behaviour_id in ("delivery-2-01", "delivery-2-02", "delivery-2-03"):
                assessments.record(
                    uow, person=report, rater=manager, role=Rater.MANAGER, framework=framework,
                    behaviour=framework.behaviour(behaviour_id), verdict=Verdict.CONSISTENTLY, now=NOW,
                )  # fmt: skip


def _statements(db: Database) -> tuple[int, int]:
    with db.uow() as uow, count_statements(db) as seen:
        data = home_in(uow, LIBRARY, "T1", "UMANAGER", NOW)
        ready = sum(1 for row in data.reports if row.readiness and row.readiness.ready)
        reads = [s for s in seen if "audit" not in s.lower()]
    return len(reads), ready


def test_many_reports_cost_the_same_statements_as_few(db: Database) -> None:
    _team(db, 3)
    few, _ = _statements(db)
    with db.uow() as uow:
        world_manager = uow.people.get_by_slack_id(uow.workspaces.get_by_team("T1").id, "UMANAGER")
        assert world_manager is not None
        for n in range(3, 12):
            report = add_person(uow, world_manager.workspace_id, f"UR{n:03d}", f"Report {n}")
            uow.session.add(
                Placement(person_id=report.id, framework_id=LADDER_ID, levels={"delivery": "1"}, reason="setup",
                          started_at=NOW)
            )  # fmt: skip
            uow.session.add(
                ManagerLink(person_id=report.id, manager_id=world_manager.id, status=ManagerLinkStatus.ACTIVE)
            )
    many, ready = _statements(db)
    assert many == few and ready == 3


def _open_checkins(db: Database, rated: int) -> None:
    """An open check-in for every report of UMANAGER, with `rated` behaviours rated by each side."""
    behaviour_ids = ["delivery-2-01", "delivery-2-02", "delivery-2-03"]
    framework = LIBRARY[LADDER_ID]
    with db.uow() as uow:
        manager = uow.people.get_by_slack_id(uow.workspaces.get_by_team("T1").id, "UMANAGER")
        assert manager is not None
        for link in uow.managers.reports_of(manager.id):
            if uow.checkins.open_for(link.person_id) is not None:
                continue
            checkin, _ = uow.checkins.add_once(
                CheckIn(person_id=link.person_id, manager_id=manager.id, origin=CheckInOrigin.MANAGER,
                        framework_id=LADDER_ID, framework_version=framework.version, behaviour_ids=behaviour_ids,
                        deadline_at=NOW + timedelta(days=7), created_at=NOW)
            )  # fmt: skip
            for role, rater in ((Rater.SELF, link.person), (Rater.MANAGER, manager)):
                for behaviour_id in behaviour_ids[:rated]:
                    assessments.record(
                        uow, person=link.person, rater=rater, role=role, framework=framework,
                        behaviour=framework.behaviour(behaviour_id), verdict=Verdict.SOMETIMES, now=NOW,
                        checkin_id=checkin.id,
                    )  # fmt: skip


def test_open_check_ins_of_many_reports_cost_the_same_statements_as_of_few(db: Database) -> None:
    _team(db, 3)
    _open_checkins(db, rated=1)
    few, _ = _statements(db)
    with db.uow() as uow:
        manager = uow.people.get_by_slack_id(uow.workspaces.get_by_team("T1").id, "UMANAGER")
        assert manager is not None
        for n in range(3, 12):
            report = add_person(uow, manager.workspace_id, f"UR{n:03d}", f"Report {n}")
            uow.session.add(ManagerLink(person_id=report.id, manager_id=manager.id, status=ManagerLinkStatus.ACTIVE))
    _open_checkins(db, rated=3)
    many, _ = _statements(db)
    assert many == few
    with db.uow() as uow:
        data = home_in(uow, LIBRARY, "T1", "UMANAGER", NOW)
    assert len(data.checkins) == 13  # with make_world's own report
    progress = {row.person_name: (row.areas_done, row.areas_total) for row in data.checkins}
    assert progress["Report 0"] == (0, 1) and progress["Report 11"] == (1, 1)  # the manager's own side counts


def test_a_redraw_is_audited_once_a_day_and_an_opened_home_every_time(db: Database) -> None:
    with db.uow() as uow:
        make_world(uow)
    for _ in range(2):
        home_for(db.uow, LIBRARY, "T1", "UMANAGER", NOW)  # redraws after changes
    home_for(db.uow, LIBRARY, "T1", "UMANAGER", NOW, opened=True)
    with db.uow() as uow:
        assert [e.action for e in uow.audit.for_subject("UREPORT")] == ["viewed_coverage"] * 2
