from __future__ import annotations

from collections.abc import Iterator

import pytest

from storage.db import make_session_factory
from storage.uow import UnitOfWorkFactory
from tests.conftest import Database, _truncate_all


@pytest.fixture
def postgres_db(request: pytest.FixtureRequest) -> Iterator[Database]:
    """The PostgreSQL half of the `db` fixture alone (skipped when unreachable, failing under CI=true)."""
    engine = request.getfixturevalue("postgres_engine")
    _truncate_all(engine)
    factory = make_session_factory(engine)
    yield Database("postgres", request.getfixturevalue("postgres_url"), engine, factory, UnitOfWorkFactory(factory))
