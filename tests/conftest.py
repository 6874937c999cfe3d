"""Shared fixtures: a database on SQLite and on PostgreSQL, a clean environment, and a fake Slack.

Tests that take the `db` fixture run twice, once per backend. PostgreSQL tests are skipped with the
reason when the server is unreachable, except under CI=true where that is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.testing.fake_slack import FakeSlack
from storage.db import make_engine, make_session_factory
from storage.models import Base
from storage.uow import UnitOfWorkFactory

PG_ADMIN_URL = os.environ.get("GROWTHBOT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's shell must not leak Slack tokens or a database URL into tests."""
    keep = {"GROWTHBOT_TEST_PG_URL", "GROWTHBOT_SEEDS_DIR"}
    for name in list(os.environ):
        leaks = name.startswith(("SLACK_", "GROWTHBOT_")) or name in ("DATABASE_URL", "LOG_LEVEL")
        if leaks and name not in keep:
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A started fake Slack with fresh state for this test."""
    with FakeSlack() as fake:
        yield fake


def _postgres_unreachable_reason() -> str | None:
    try:
        engine = make_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception as error:  # any failure to connect means "no PostgreSQL here"
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {error.__class__.__name__}: {error}".splitlines()[0]
    return None


def create_schema(engine: Engine) -> None:
    """The models' tables, recorded at the head revision as `growthbot db upgrade` leaves a database (so
    `growthbot tick` and `run` accept it); tests/storage/test_migrate.py checks the two schemas agree."""
    from alembic import command

    from storage.migrate import alembic_config

    Base.metadata.create_all(engine)
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.stamp(config, "head")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database for this test session (one per xdist worker), dropped at the end."""
    reason = _postgres_unreachable_reason()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true requires PostgreSQL: {reason}")
        pytest.skip(reason)
    name = f"growthbot_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    yield f"{base}/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    create_schema(engine)
    yield engine
    engine.dispose()


@dataclass
class Database:
    backend: str
    url: str
    engine: Engine
    session_factory: sessionmaker[Session]
    uow: UnitOfWorkFactory


def _truncate_all(engine: Engine) -> None:
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[Database]:
    """An empty growthbot schema on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/growthbot.db"
        engine = make_engine(url)
        create_schema(engine)
        factory = make_session_factory(engine)
        yield Database("sqlite", url, engine, factory, UnitOfWorkFactory(factory))
        engine.dispose()
        return
    engine = request.getfixturevalue("postgres_engine")
    _truncate_all(engine)
    factory = make_session_factory(engine)
    yield Database("postgres", request.getfixturevalue("postgres_url"), engine, factory, UnitOfWorkFactory(factory))


@pytest.fixture
def sqlite_db(tmp_path: os.PathLike[str]) -> Iterator[Database]:
    """SQLite only, for Slack-level tests that need a database but not both backends."""
    url = f"sqlite:///{tmp_path}/growthbot.db"
    engine = make_engine(url)
    create_schema(engine)
    factory = make_session_factory(engine)
    yield Database("sqlite", url, engine, factory, UnitOfWorkFactory(factory))
    engine.dispose()
