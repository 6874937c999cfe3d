"""build()/build_deps() wire settings into a working Deps; create_app's token and mode options."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from slack_bolt import App
from sqlalchemy import text

from bot.app import create_app
from bot.settings import SettingsError
from bot.testing.fake_slack import FakeSlack
from bot.wiring import build, build_deps
from frameworks import load_library
from tests.conftest import Database
from tests.listeners.harness import make_settings


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as running:
        yield running


def test_build_wires_database_ladders_and_the_retrying_client(fake: FakeSlack, sqlite_db: Database) -> None:
    wired = build(make_settings(fake, sqlite_db))
    deps = wired.deps
    assert deps.client.base_url == fake.api_url
    assert {"luko-execution", "attest-engineering"} <= set(deps.library)
    assert len(deps.client.retry_handlers) == 4  # the answer counter for /metrics and three retrying handlers
    with deps.uow() as uow:
        assert uow.session.execute(text("select 1")).scalar() == 1
    with wired.engine.connect() as connection:  # SQLite got table statistics at start-up
        tables = connection.exec_driver_sql("select name from sqlite_master where name = 'sqlite_stat1'").all()
        assert tables
    assert deps.client.auth_test()["ok"]


def test_build_uses_ladders_the_cli_already_loaded(fake: FakeSlack, sqlite_db: Database) -> None:
    library = load_library()
    wired = build(make_settings(fake, sqlite_db), library=library)
    assert wired.deps.library is library
    wired.engine.dispose()


def test_build_deps_needs_a_bot_token(sqlite_db: Database, fake: FakeSlack) -> None:
    settings = make_settings(fake, sqlite_db, SLACK_BOT_TOKEN="")
    with pytest.raises(SettingsError, match="SLACK_BOT_TOKEN"):
        build_deps(settings)


def test_create_app_verifies_the_token_unless_told_not_to(fake: FakeSlack, sqlite_db: Database) -> None:
    deps = build_deps(make_settings(fake, sqlite_db))
    assert isinstance(create_app(deps), App)
    assert fake.count("auth.test") == 1
    create_app(deps, token_verification=False)
    assert fake.count("auth.test") == 1


def test_http_mode_needs_a_signing_secret_socket_mode_does_not(fake: FakeSlack, sqlite_db: Database) -> None:
    deps = build_deps(make_settings(fake, sqlite_db, SLACK_SIGNING_SECRET=""))
    with pytest.raises(SettingsError, match="SLACK_SIGNING_SECRET"):
        create_app(deps)
    assert isinstance(create_app(deps, socket_mode=True), App)


def test_no_token_will_be_unused_warning_at_start(
    fake: FakeSlack, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", fake.bot_token)  # as in production: Bolt reads it from the environment
    deps = build_deps(make_settings(fake, sqlite_db))
    with caplog.at_level(logging.DEBUG):
        create_app(deps)
    assert not [record for record in caplog.records if "will be unused" in record.getMessage()]
