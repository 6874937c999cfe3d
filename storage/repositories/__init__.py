"""Repositories: narrow, named queries over one aggregate each. They add and flush, never commit."""

from __future__ import annotations

from sqlalchemy.orm import Session


class _Repository:
    def __init__(self, session: Session) -> None:
        self.session = session


class WorkspaceRepository(_Repository): ...


class PersonRepository(_Repository): ...


class PlacementRepository(_Repository): ...


class ManagerLinkRepository(_Repository): ...


class ScheduleRepository(_Repository): ...


class PromptRepository(_Repository): ...


class EvidenceRepository(_Repository): ...


class OneOnOneRepository(_Repository): ...


class DigestRepository(_Repository): ...


class AuditRepository(_Repository): ...
