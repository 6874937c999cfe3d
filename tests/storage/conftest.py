"""Fixtures for storage tests: an empty database (no tables) on each backend, for migrations and the CLI."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from storage.db import make_engine
from tests.conftest import PG_ADMIN_URL


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
