"""Issue 15, item 8: the statements an import sends do not grow with the rows once a workspace exists."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from bot.services.people_import.reading import parse_csv
from frameworks import Library, load_library
from tests.conftest import Database
from tests.services.people_import.test_import_people import _import


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
