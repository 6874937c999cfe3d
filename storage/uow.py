"""Unit of work: one session, one transaction. Repositories flush; only the unit of work commits.

with uow_factory() as uow:
    person = uow.people.get_by_slack_id(team_id, user_id)
    uow.evidence.add(...)
# committed here; rolled back if the block raised; the session is always closed.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from storage import repositories as repos
from storage.db import scrub_deleted
from storage.statistics import refresh_statistics_if_due


class UnitOfWork:
    def __init__(self, session_factory: sessionmaker[Session], workspace_id: int | None = None) -> None:
        self._session_factory = session_factory
        self.workspace_id = workspace_id
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        if self.workspace_id is not None:
            self.session.info[repos.WORKSPACE_SCOPE] = self.workspace_id
        self.session.begin()
        session = self.session
        self.workspaces = repos.WorkspaceRepository(session)
        self.people = repos.PersonRepository(session)
        self.placements = repos.PlacementRepository(session)
        self.managers = repos.ManagerLinkRepository(session)
        self.schedules = repos.ScheduleRepository(session)
        self.prompts = repos.PromptRepository(session)
        self.prompt_closes = repos.PromptCloseRepository(session)
        self.evidence = repos.EvidenceRepository(session)
        self.one_on_ones = repos.OneOnOneRepository(session)
        self.digests = repos.DigestRepository(session)
        self.audit = repos.AuditRepository(session)
        self.assessments = repos.AssessmentRepository(session)
        self.checkins = repos.CheckInRepository(session)
        self.focus = repos.FocusRepository(session)
        self.directory = repos.DirectoryRepository(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                self.session.commit()
            else:
                self.session.rollback()
        finally:
            self.session.close()

    def flush(self) -> None:
        self.session.flush()


class UnitOfWorkFactory:
    """What services receive: call it to start a unit of work.

    `for_workspace(id)` gives a factory whose units of work are scoped to one workspace (the tick of one
    installation, when growthbot serves several): the repositories' queries that list work to send
    (due prompts and reminders, digests, consent DMs, check-ins, confirmations, break-glass and back-off
    DMs, the users.list sweep) return only that workspace's rows. Lookups by id are not scoped."""

    def __init__(self, session_factory: sessionmaker[Session], workspace_id: int | None = None) -> None:
        self.session_factory = session_factory
        self.workspace_id = workspace_id

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, self.workspace_id)

    def for_workspace(self, workspace_id: int) -> UnitOfWorkFactory:
        return UnitOfWorkFactory(self.session_factory, workspace_id)

    def refresh_statistics_if_due(self) -> bool:
        """Now and then, the SQLite planner's statistics (storage.statistics); True if they were refreshed."""
        bind = self.session_factory.kw.get("bind")
        return isinstance(bind, Engine) and refresh_statistics_if_due(bind)

    def scrub_deleted(self) -> None:
        """Once a deletion of someone's data committed: leave no copy of it in the database files."""
        bind = self.session_factory.kw.get("bind")
        if isinstance(bind, Engine):
            scrub_deleted(bind)
