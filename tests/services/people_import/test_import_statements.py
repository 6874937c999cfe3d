"""Issue 15, item 8: the statements an import sends do not grow with the rows once a workspace exists."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from bot.services import prompt_controls
from bot.services.people_import import import_people
from bot.services.people_import.reading import parse_csv
from frameworks import Library, load_library
from storage.models import ManagerLinkStatus
from tests.conftest import Database
from tests.services.people_import.test_import_people import DEFAULTS, NOW, _import


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


def _org(rows: int, *, renamed: int | None = None) -> str:
    lines = ["slack_user_id,name,manager,framework,level,timezone"]
    for i in range(1, rows + 1):
        manager = f"U{i // 3:06d}" if i >= 3 else ""
        name = f"Renamed {i}" if i == renamed else f"Person {i}"
        lines.append(f"U{i:06d},{name},{manager},flow,P{1 + i % 4},Europe/Paris")
    return "\n".join(lines) + "\n"


@contextmanager
def _counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _reimport_statements(db: Database, library: Library, rows: int) -> int:
    _import(db, parse_csv(_org(rows)), library)
    with _counting(db) as statements:
        report = _import(db, parse_csv(_org(rows)), library)
    assert report.change_count == 0
    return len(statements)


def test_an_unchanged_reimport_sends_the_same_statements_for_10_or_60_rows(db: Database, library: Library) -> None:
    small = _reimport_statements(db, library, 10)
    large = _reimport_statements(db, library, 60)  # the 10 are part of the 60: 50 new, then all unchanged
    assert large == small and small < 15


def test_one_change_among_many_rows_costs_only_its_own_statements(db: Database, library: Library) -> None:
    _import(db, parse_csv(_org(60)), library)
    with _counting(db) as statements:
        report = _import(db, parse_csv(_org(60, renamed=42)), library)
    assert report.changes == ["U000042 (Person 42): name Person 42 → Renamed 42"]
    assert len(statements) < 20


def _first_import_statements(db: Database, library: Library, rows: int, team_id: str) -> list[str]:
    with _counting(db) as statements, db.uow() as uow:
        report = import_people(
            uow, parse_csv(_org(rows)), team_id=team_id, library=library, directory=None, defaults=DEFAULTS, now=NOW
        )
    assert report.added == rows
    return statements


def test_a_first_import_sends_the_same_statements_for_50_or_500_rows(db: Database, library: Library) -> None:
    small = _first_import_statements(db, library, 50, "TSMALL")
    large = _first_import_statements(db, library, 500, "TLARGE")  # under one batch (about 1,000 rows)
    assert len(large) == len(small) and len(small) < 20, small


def test_a_first_import_in_batches_writes_what_one_by_one_wrote(db: Database, library: Library) -> None:
    """The batched path against the one-by-one path it replaces for new people: someone new in a
    workspace that exists goes through the same batch, someone known through the old path."""
    _import(db, parse_csv(_org(3)), library)  # U000001..3 known; the next import adds U000004..6
    report = _import(db, parse_csv(_org(6)), library)
    assert report.added == 3
    assert report.changes == [
        "added U000004 (Person 4)",
        "U000004 (Person 4): placed on flow at level P1",
        "U000004 (Person 4): prompts on Monday 10:00",
        "added U000005 (Person 5)",
        "U000005 (Person 5): placed on flow at level P2",
        "U000005 (Person 5): prompts on Monday 10:00",
        "added U000006 (Person 6)",
        "U000006 (Person 6): placed on flow at level P3",
        "U000006 (Person 6): prompts on Monday 10:00",
        "U000004 (Person 4): manager U000001 (Person 1) named, waiting for U000004's consent",
        "U000005 (Person 5): manager U000001 (Person 1) named, waiting for U000005's consent",
        "U000006 (Person 6): manager U000002 (Person 2) named, waiting for U000006's consent",
    ]
    with db.uow() as uow:
        workspace = uow.workspaces.get_by_team("T1")
        assert workspace is not None
        people = {person.slack_user_id: person for person in uow.people.list_in_workspace(workspace.id)}
        new, known = people["U000006"], people["U000003"]
        for person in (new, known):
            assert (person.tz, person.active, person.display_name) == ("Europe/Paris", True, person.imported_name)
            placement = uow.placements.current_for(person.id)
            assert placement is not None and (placement.framework_id, placement.reason) == ("flow", "import")
            schedule = uow.schedules.get_for(person.id)
            assert schedule is not None and not schedule.paused and schedule.snoozed_until is None
            assert schedule.next_due_at == prompt_controls.compute_next_due(schedule, person.tz, NOW)
            [link] = uow.managers.open_links_of_many([person.id])
            assert (link.status, link.requested_by_id, link.notified_at) == (ManagerLinkStatus.PENDING, None, None)
        assert (new.created_at is not None, new.updated_at is not None) == (True, True)
