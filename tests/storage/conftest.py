"""Fixtures for storage tests: an empty database (no tables) on each backend, for migrations and the CLI."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, text

from storage.db import make_engine, make_session_factory
from storage.models import Person
from storage.uow import UnitOfWork, UnitOfWorkFactory
from tests.conftest import PG_ADMIN_URL, Database, _truncate_all


@dataclass
class EmptyDatabase:
    backend: str
    url: str
    engine: Engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EmptyDatabase]:
    """A database with no tables at all, dropped after the test."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/empty.db"
        engine = make_engine(url)
        yield EmptyDatabase("sqlite", url, engine)
        engine.dispose()
        return
    request.getfixturevalue("postgres_url")  # skips (or fails under CI) when PostgreSQL is unreachable
    name = f"growthbot_empty_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    url = f"{base}/{name}"
    engine = make_engine(url)
    try:
        yield EmptyDatabase("postgres", url, engine)
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def add_people(uow: UnitOfWork, *slack_ids: str, team_id: str = "T1") -> list[Person]:
    """People in one workspace, created through the repositories under test."""
    workspace = uow.workspaces.get_or_create(team_id)
    return [
        uow.people.add(
            workspace.id, slack_id, imported_name=f"Name {slack_id}", email=f"{slack_id.lower()}@example.com"
        )
        for slack_id in slack_ids
    ]


class StatementCounter:
    """Counts SQL statements sent on an engine inside a `with` block (to prove a query is N+1-free)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def _record(self, _conn: object, _cursor: object, statement: str, *_args: object) -> None:
        self.statements.append(statement)

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def pg_db(request: pytest.FixtureRequest) -> Database:
    """PostgreSQL only, for behaviour SQLite cannot show (row locks, concurrent writers)."""
    engine = request.getfixturevalue("postgres_engine")
    _truncate_all(engine)
    factory = make_session_factory(engine)
    return Database("postgres", request.getfixturevalue("postgres_url"), engine, factory, UnitOfWorkFactory(factory))
