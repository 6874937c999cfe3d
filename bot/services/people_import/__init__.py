"""Org import: people, their ladder placement, manager and prompt slot, from a CSV or YAML file.

The file is validated as a whole before anything is written: every bad row is reported with its line
number and nothing changes unless every row is good. Applying a file only changes what differs from
the database, so importing the same file twice reports "0 changes". It all happens in the caller's
unit of work (one transaction).

Manager links made by an import go through bot.services.consent.change_manager, like every other
path: issue 6 makes evidence flow to a manager only with the report's consent, so an admin's file
names the manager, the bot DMs the report to accept, and the current manager stays until they do.

A field left empty means "no opinion": an empty manager, time zone or prompt slot leaves what the
database holds; people missing from the file are left alone (a file may cover one team).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.services.directory import Directory
from bot.services.people_import.applying import ImportReport, apply_import
from bot.services.people_import.planning import ImportDefaults, plan_import
from bot.services.people_import.reading import OrgFile
from frameworks import Framework
from storage.uow import UnitOfWork


def import_people(
    uow: UnitOfWork,
    org: OrgFile,
    *,
    team_id: str,
    library: Mapping[str, Framework],
    directory: Directory | None,
    defaults: ImportDefaults,
    now: datetime,
) -> ImportReport:
    """Validate then apply, in the caller's unit of work: an OrgFileError leaves nothing written."""
    plan = plan_import(uow, org, team_id=team_id, library=library, directory=directory, defaults=defaults)
    return apply_import(uow, plan, now)
