"""A workspace's installation over time: uninstalled (nothing more is sent), then, once the retention
period has passed, its people's data deleted — in bounded batches, each person as `/ladder forget` does.

Slack-free: the events listener (bot/listeners/events/installs.py) and `growthbot workspaces` call these
with the tenant id (the workspace's team id, or the Grid organisation's enterprise id for an org-wide
install); the tick prunes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.services.data_rights import DELETED_REASON, delete_person_data
from storage.models import Workspace
from storage.uow import UnitOfWork, UnitOfWorkFactory

PEOPLE_PER_BATCH = 200  # one transaction's worth: a tick never holds the database for long
# Why an uninstalled workspace's people are inactive: the one rule every send already follows (planning,
# claims, reminders, digests, check-ins skip inactive people), undone for exactly them on a reinstall.
UNINSTALLED_REASON = "app uninstalled"


@dataclass(frozen=True)
class PruneReport:
    workspaces_done: int = 0
    people_deleted: int = 0


def record_uninstall(uow_factory: UnitOfWorkFactory, tenant_id: str, now: datetime, *, why: str) -> bool:
    """Mark the workspace uninstalled (idempotent: Slack redelivers events); False if growthbot never saw it."""
    with uow_factory() as uow:
        workspace = uow.workspaces.get_by_team(tenant_id)
        if workspace is None:
            return False
        if workspace.uninstalled_at is None:
            workspace.uninstalled_at = now
            stopped = uow.people.mark_workspace_inactive(workspace.id, UNINSTALLED_REASON, now)
            uow.audit.record(
                None,
                "workspace_uninstalled",
                None,
                {"why": why, "people": stopped},
                workspace_team_id=tenant_id,
                now=now,
            )
        return True


def record_install(uow_factory: UnitOfWorkFactory, tenant_id: str, name: str | None, now: datetime) -> None:
    """Installed (again): the workspace is served from now on; a pending deletion is called off."""
    with uow_factory() as uow:
        workspace = uow.workspaces.get_or_create(tenant_id, name)
        if workspace.uninstalled_at is not None:
            resumed = uow.people.reactivate_workspace(workspace.id, UNINSTALLED_REASON, now)
            uow.audit.record(
                None, "workspace_reinstalled", None, {"people": resumed}, workspace_team_id=tenant_id, now=now
            )
        workspace.uninstalled_at = None
        workspace.data_deleted_at = None


def is_uninstalled(uow: UnitOfWork, tenant_id: str) -> bool:
    workspace = uow.workspaces.get_by_team(tenant_id)
    return workspace is not None and workspace.uninstalled_at is not None


def prune_uninstalled(
    uow_factory: UnitOfWorkFactory,
    now: datetime,
    *,
    retention_days: int,
    max_batches: int = 1,
    batch_size: int = PEOPLE_PER_BATCH,
) -> PruneReport:
    """Delete the data of workspaces uninstalled more than `retention_days` ago, at most `max_batches`
    transactions of `batch_size` people (the next tick goes on)."""
    cutoff = now - timedelta(days=retention_days)
    done = deleted = 0
    for _ in range(max_batches):
        with uow_factory() as uow:
            due = uow.workspaces.uninstalled_before(cutoff, limit=1)
            if not due:
                break
            finished, count = _delete_some(uow, due[0], now, batch_size)
            done += finished
            deleted += count
    if deleted:
        uow_factory.scrub_deleted()  # the deleted text out of the database files too (data_rights)
    return PruneReport(done, deleted)


def delete_workspace_data(uow_factory: UnitOfWorkFactory, tenant_id: str, now: datetime) -> int | None:
    """`growthbot workspaces delete`: every person's data of the workspace, now; None if unknown."""
    deleted = 0
    while True:
        with uow_factory() as uow:
            workspace = uow.workspaces.get_by_team(tenant_id)
            if workspace is None:
                return None
            finished, count = _delete_some(uow, workspace, now, PEOPLE_PER_BATCH)
            deleted += count
        if finished:
            uow_factory.scrub_deleted()
            return deleted


def _delete_some(uow: UnitOfWork, workspace: Workspace, now: datetime, batch_size: int) -> tuple[bool, int]:
    """One batch of the workspace's people deleted; True once nobody is left (the workspace is done)."""
    people = uow.people.in_workspace_except(workspace.id, DELETED_REASON, limit=batch_size)
    for person in people:
        delete_person_data(uow, person, actor=None, now=now)
    if len(people) < batch_size:
        workspace.data_deleted_at = now
        workspace.name = None
        uow.audit.record(None, "workspace_data_deleted", None, {}, workspace_team_id=workspace.team_id, now=now)
        return True, len(people)
    return False, len(people)


@dataclass(frozen=True)
class WorkspaceSummary:
    tenant_id: str
    name: str | None
    people: int
    active: int
    uninstalled_at: datetime | None
    data_deleted_at: datetime | None


def workspace_summaries(uow_factory: UnitOfWorkFactory) -> list[WorkspaceSummary]:
    """Every workspace (or Grid organisation) growthbot holds people of, for `growthbot workspaces list`."""
    with uow_factory() as uow:
        summaries = []
        for workspace in uow.workspaces.list_all():
            people = uow.people.list_in_workspace(workspace.id)
            summaries.append(
                WorkspaceSummary(
                    workspace.team_id,
                    workspace.name,
                    len(people),
                    sum(1 for person in people if person.active),
                    workspace.uninstalled_at,
                    workspace.data_deleted_at,
                )
            )
        return summaries
