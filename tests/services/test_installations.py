"""An uninstalled workspace: its people stop being served at once, a reinstall serves them again, and
its data is deleted once the retention period has passed — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.services.data_rights import DELETED_REASON
from bot.services.installations import (
    UNINSTALLED_REASON,
    delete_workspace_data,
    prune_uninstalled,
    record_install,
    record_uninstall,
)
from storage.models import AuditEntry, Evidence, EvidenceSource
from tests.conftest import Database

NOW = datetime(2025, 3, 3, 10, 0)


def _seed(db: Database) -> None:
    with db.uow() as uow:
        for team in ("TGONE", "TSTAY"):
            workspace = uow.workspaces.get_or_create(team)
            for user in ("U1", "U2", "U3"):
                person = uow.people.add(workspace.id, user, imported_name=f"{user} of {team}", tz="UTC")
                uow.evidence.add_once(
                    person_id=person.id, text=f"work of {user} in {team}", source=EvidenceSource.MODAL
                )
        left = uow.people.get_by_slack_id(uow.workspaces.get_or_create("TGONE").id, "U3")
        assert left is not None
        uow.people.mark_inactive(left, "left the company", NOW)


def _people(db: Database, team: str) -> dict[str, tuple[bool, str | None]]:
    with db.uow() as uow:
        workspace = uow.workspaces.get_by_team(team)
        assert workspace is not None
        return {p.slack_user_id: (p.active, p.inactive_reason) for p in uow.people.list_in_workspace(workspace.id)}


def _evidence_count(db: Database) -> int:
    with db.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Evidence)) or 0)


def test_uninstall_stops_everyone_of_that_workspace_and_a_reinstall_resumes_exactly_them(db: Database) -> None:
    _seed(db)
    assert record_uninstall(db.uow, "TGONE", NOW, why="app_uninstalled")
    assert record_uninstall(db.uow, "TGONE", NOW + timedelta(minutes=1), why="app_uninstalled")  # redelivered
    assert _people(db, "TGONE") == {
        "U1": (False, UNINSTALLED_REASON),
        "U2": (False, UNINSTALLED_REASON),
        "U3": (False, "left the company"),
    }
    assert all(active for active, _ in _people(db, "TSTAY").values())
    assert not record_uninstall(db.uow, "TNEVER", NOW, why="app_uninstalled")

    record_install(db.uow, "TGONE", "Gone Inc", NOW + timedelta(days=1))
    assert _people(db, "TGONE") == {"U1": (True, None), "U2": (True, None), "U3": (False, "left the company")}
    with db.uow() as uow:
        actions = [e.action for e in uow.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        workspace = uow.workspaces.get_by_team("TGONE")
        assert workspace is not None and workspace.uninstalled_at is None
    assert actions == ["workspace_uninstalled", "workspace_reinstalled"]


def test_data_is_deleted_only_after_the_retention_period_in_bounded_batches(db: Database) -> None:
    _seed(db)
    record_uninstall(db.uow, "TGONE", NOW, why="app_uninstalled")
    assert prune_uninstalled(db.uow, NOW + timedelta(days=89), retention_days=90).people_deleted == 0
    assert _evidence_count(db) == 6

    first = prune_uninstalled(db.uow, NOW + timedelta(days=91), retention_days=90, batch_size=2)  # of three
    assert (first.workspaces_done, first.people_deleted) == (0, 2)
    second = prune_uninstalled(db.uow, NOW + timedelta(days=91), retention_days=90, batch_size=2)
    assert (second.workspaces_done, second.people_deleted) == (1, 1)
    assert prune_uninstalled(db.uow, NOW + timedelta(days=92), retention_days=90).people_deleted == 0
    assert _evidence_count(db) == 3  # TSTAY's
    assert {reason for _, reason in _people(db, "TGONE").values()} == {DELETED_REASON}
    assert all(active for active, _ in _people(db, "TSTAY").values())


def test_an_admin_deletes_a_workspaces_data_at_once(db: Database) -> None:
    _seed(db)
    assert delete_workspace_data(db.uow, "TGONE", NOW) == 3
    assert delete_workspace_data(db.uow, "TNEVER", NOW) is None
    assert _evidence_count(db) == 3
