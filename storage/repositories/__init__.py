"""Repositories: narrow, named queries over one aggregate each. They add and flush, never commit;
the unit of work (storage.uow) owns the transaction."""

from __future__ import annotations

from storage.repositories._base import WORKSPACE_SCOPE
from storage.repositories.assessments import AssessmentRepository, CheckInRepository
from storage.repositories.audit import AuditRepository
from storage.repositories.digests import DigestRepository
from storage.repositories.directory import DirectoryRepository
from storage.repositories.evidence import BehaviourCoverage, EvidenceRepository
from storage.repositories.focus import FocusRepository
from storage.repositories.managers import ManagerLinkRepository
from storage.repositories.one_on_ones import OneOnOneRepository
from storage.repositories.people import PersonRepository, WorkspaceRepository
from storage.repositories.placements import PlacementRepository
from storage.repositories.prompt_closes import PromptCloseRepository
from storage.repositories.prompts import PromptRepository
from storage.repositories.schedules import DueSchedule, ScheduleRepository

__all__ = [
    "WORKSPACE_SCOPE",
    "AssessmentRepository",
    "AuditRepository",
    "BehaviourCoverage",
    "CheckInRepository",
    "DigestRepository",
    "DirectoryRepository",
    "DueSchedule",
    "EvidenceRepository",
    "FocusRepository",
    "ManagerLinkRepository",
    "OneOnOneRepository",
    "PersonRepository",
    "PlacementRepository",
    "PromptCloseRepository",
    "PromptRepository",
    "ScheduleRepository",
    "WorkspaceRepository",
]
