"""The SQLite planner's statistics: refreshed at start and now and then from the tick, never on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import text

from storage.statistics import refresh_statistics, refresh_statistics_if_due
from tests.conftest import Database
from tests.storage.conftest import add_people


def _statistics_rows(db: Database) -> list[tuple[str, str]]:
    with db.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text("SELECT tbl, stat FROM sqlite_stat1"))]


def test_refreshed_statistics_follow_the_data_and_come_at_most_every_interval(db: Database) -> None:
    if db.backend != "sqlite":
        assert refresh_statistics_if_due(db.engine, every_s=0) is False  # autovacuum analyses PostgreSQL
        return
    refresh_statistics(db.engine)  # as at install or start: empty tables
    with db.uow() as uow:
        add_people(uow, *(f"U{n}" for n in range(30)))
    assert refresh_statistics_if_due(db.engine) is False, "refreshed a moment ago"
    assert refresh_statistics_if_due(db.engine, every_s=0) is True
    people = [stat for table, stat in _statistics_rows(db) if table == "people"]
    assert people and all(stat.split()[0] == "30" for stat in people), people
    assert db.uow.refresh_statistics_if_due() is False
