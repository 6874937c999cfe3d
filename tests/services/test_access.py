"""Who sees whose evidence, and the audit trail of every read, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.services import access
from bot.settings import Settings
from storage.models import ManagerLinkStatus, Person
from tests.conftest import Database
from tests.services.digest_data import add_evidence, load_ladder, make_world

NOW = datetime(2025, 3, 10, 12, 0)
LIBRARY = load_ladder()


def _settings(*, admins_read: bool = False) -> Settings:
    return Settings(_env_file=None, GROWTHBOT_ADMINS="UADMIN", GROWTHBOT_ADMINS_READ_EVIDENCE=admins_read)  # type: ignore[call-arg]


def _person(pid: int, slack_id: str, workspace_id: int = 1) -> Person:
    return Person(id=pid, workspace_id=workspace_id, slack_user_id=slack_id)


@pytest.mark.parametrize(
    ("viewer", "active_manager_id", "admins_read", "allowed"),
    [
        (_person(2, "UREPORT"), None, False, True),  # yourself
        (_person(1, "UMANAGER"), 1, False, True),  # the active manager
        (_person(1, "UMANAGER"), None, False, False),  # pending/declined/ended: not active
        (_person(3, "UOTHER"), 1, False, False),  # a colleague
        (_person(4, "UADMIN"), 1, False, False),  # an admin, by default
        (_person(4, "UADMIN"), 1, True, True),  # an admin, when the setting grants it
        (_person(5, "UMANAGER", workspace_id=9), 5, False, False),  # another workspace
        (None, 1, True, False),  # unknown viewer
    ],
)
def test_can_view_evidence(
    viewer: Person | None, active_manager_id: int | None, admins_read: bool, allowed: bool
) -> None:
    subject = _person(2, "UREPORT")
    settings = _settings(admins_read=admins_read)
    assert access.can_view_evidence(viewer, subject, active_manager_id=active_manager_id, settings=settings) is allowed
    assert access.can_view_evidence(viewer, None, active_manager_id=active_manager_id, settings=settings) is False


def test_admins_manage_but_do_not_read_by_default() -> None:
    assert access.can_manage("UADMIN", _settings()) is True
    assert access.can_manage("UOTHER", _settings()) is False


@pytest.mark.parametrize("status", [ManagerLinkStatus.PENDING, ManagerLinkStatus.DECLINED, ManagerLinkStatus.ENDED])
def test_manager_without_consent_gets_nothing(db: Database, status: ManagerLinkStatus) -> None:
    with db.uow() as uow:
        make_world(uow, link=status)
    with db.uow() as uow:
        grant = access.open_evidence(
            uow,
            _settings(),
            team_id="T1",
            viewer_slack_id="UMANAGER",
            subject_slack_id="UREPORT",
            action=access.VIEWED_DIGEST,
            now=NOW,
        )
        assert grant is None
        entries = uow.audit.for_subject("UREPORT")
        assert [(e.actor_slack_id, e.action) for e in entries] == [("UMANAGER", access.DENIED)]


def test_reads_of_someone_else_are_audited_own_reads_are_not(db: Database) -> None:
    with db.uow() as uow:
        make_world(uow)
    settings = _settings(admins_read=True)
    with db.uow() as uow:
        for viewer in ("UMANAGER", "UADMIN", "UREPORT"):
            grant = access.open_evidence(
                uow,
                settings,
                team_id="T1",
                viewer_slack_id=viewer,
                subject_slack_id="UREPORT",
                action=access.EXPORTED,
                now=NOW,
                details={"format": "md"},
            )
            assert grant is not None and grant.subject.slack_user_id == "UREPORT"
        own = access.open_evidence(
            uow,
            settings,
            team_id="T1",
            viewer_slack_id="UREPORT",
            subject_slack_id=None,
            action=access.VIEWED_DIGEST,
            now=NOW,
        )
        assert own is not None and own.is_self and own.manager is not None
    with db.uow() as uow:
        entries = uow.audit.for_subject("UREPORT")
        assert sorted((e.actor_slack_id, e.action, e.details["format"]) for e in entries) == [
            ("UADMIN", access.EXPORTED, "md"),
            ("UMANAGER", access.EXPORTED, "md"),
        ]
        assert {e.workspace_team_id for e in entries} == {"T1"}


def test_an_admin_who_never_set_up_reads_only_when_the_setting_grants_it(db: Database) -> None:
    with db.uow() as uow:
        make_world(uow)

    def read(admins_read: bool) -> access.EvidenceAccess | None:
        settings = Settings(_env_file=None, GROWTHBOT_ADMINS="UNEWADMIN", GROWTHBOT_ADMINS_READ_EVIDENCE=admins_read)  # type: ignore[call-arg]
        with db.uow() as uow:
            return access.open_evidence(
                uow,
                settings,
                team_id="T1",
                viewer_slack_id="UNEWADMIN",
                subject_slack_id="UREPORT",
                action=access.EXPORTED,
                now=NOW,
            )

    assert read(admins_read=False) is None
    grant = read(admins_read=True)
    assert grant is not None and grant.viewer.slack_user_id == "UNEWADMIN"
    with db.uow() as uow:
        actions = [(e.actor_slack_id, e.action) for e in uow.audit.for_subject("UREPORT")]
    assert sorted(actions) == [("UNEWADMIN", access.DENIED), ("UNEWADMIN", access.EXPORTED)]


def test_the_same_refusal_whether_or_not_the_person_exists(db: Database) -> None:
    with db.uow() as uow:
        make_world(uow)
    with db.uow() as uow:
        answers = [
            access.open_evidence(
                uow,
                _settings(),
                team_id=team,
                viewer_slack_id="UOTHER",
                subject_slack_id=subject,
                action=access.VIEWED_DIGEST,
                now=NOW,
            )
            for team, subject in (("T1", "UREPORT"), ("T1", "UNOBODY"), ("T404", "UREPORT"))
        ]
        assert answers == [None, None, None]


def test_owned_evidence_only_for_its_owner(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        item = add_evidence(uow, LIBRARY, world.report_id, "mine", NOW)
        gone = add_evidence(uow, LIBRARY, world.report_id, "gone", NOW, deleted_at=NOW)
    with db.uow() as uow:
        assert access.owned_evidence(uow, team_id="T1", viewer_slack_id="UREPORT", evidence_id=item.id) is not None
        for viewer, evidence_id, team in (
            ("UMANAGER", item.id, "T1"),  # even the manager cannot flag someone's item
            ("UOTHER", item.id, "T1"),
            ("UREPORT", gone.id, "T1"),
            ("UREPORT", 999_999, "T1"),
            ("UREPORT", item.id, "T2"),
        ):
            assert access.owned_evidence(uow, team_id=team, viewer_slack_id=viewer, evidence_id=evidence_id) is None


@pytest.mark.parametrize(
    ("link", "current"),
    [
        (ManagerLinkStatus.ACTIVE, True),
        (ManagerLinkStatus.PENDING, False),
        (ManagerLinkStatus.DECLINED, False),
        (ManagerLinkStatus.ENDED, False),
        (None, False),
    ],
)
def test_only_an_accepted_link_makes_someone_the_current_manager(
    db: Database, link: ManagerLinkStatus | None, current: bool
) -> None:
    with db.uow() as uow:
        world = make_world(uow, link=link)
        manager, report, outsider = (uow.people.get(i) for i in (world.manager_id, world.report_id, world.outsider_id))
        assert manager is not None and report is not None and outsider is not None
        assert access.is_current_manager(uow, manager, report) is current
        assert access.is_current_manager(uow, outsider, report) is False
        assert access.is_current_manager(uow, report, manager) is False
