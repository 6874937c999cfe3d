from __future__ import annotations

import time as clock
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.cli.tick import clock_from, parse_now
from bot.scheduler import JOB_ID, start_scheduler
from bot.testing.fake_slack import FakeSlack
from storage.db import make_engine
from storage.migrate import current_revision, head_revision
from tests.conftest import Database
from tests.delivery.world import make_world

MONDAY_SLOT = datetime(2024, 1, 8, 9, 0)


def test_parse_now() -> None:
    assert parse_now("2024-01-08T09:00:00Z") == MONDAY_SLOT
    assert parse_now("2024-01-08T10:00:00+01:00") == MONDAY_SLOT
    assert parse_now("2024-01-08 09:00") == MONDAY_SLOT
    with pytest.raises(Exception, match="ISO 8601"):
        parse_now("next monday")


def test_clock_starts_at_now_and_moves_on() -> None:
    clock = clock_from(MONDAY_SLOT)
    first = clock()
    assert MONDAY_SLOT <= first < MONDAY_SLOT + timedelta(seconds=5)
    assert clock() >= first


def test_growthbot_tick_runs_one_tick_at_the_given_time(sqlite_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    with make_world(sqlite_db) as world:
        world.person("U1", local_time=time(10, 0))
        for name, value in {
            "SLACK_BOT_TOKEN": world.fake.bot_token,
            "SLACK_API_URL": world.fake.api_url,
            "DATABASE_URL": sqlite_db.url,
        }.items():
            monkeypatch.setenv(name, value)
        runner = CliRunner()
        early = runner.invoke(main, ["tick", "--now", "2024-01-08T08:59:00Z"], catch_exceptions=False)
        assert early.exit_code == 0, early.output
        assert world.dm("U1") == []
        result = runner.invoke(main, ["tick", "--now", "2024-01-08T09:00:30Z"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert "sent=1" in result.output
        assert len(world.dm("U1")) == 1


def test_scheduler_runs_the_tick_once_at_start(sqlite_db: Database) -> None:
    with make_world(sqlite_db) as world:
        world.person("U1")
        world.at(MONDAY_SLOT)
        scheduler = start_scheduler(world.deps, interval_seconds=3600)
        try:
            job = scheduler.get_job(JOB_ID)
            assert job.max_instances == 1 and job.coalesce
            deadline = clock.monotonic() + 30  # a hang guard, not a performance assertion
            while not world.dm("U1") and clock.monotonic() < deadline:
                clock.sleep(0.02)
        finally:
            scheduler.shutdown(wait=True)
        assert len(world.dm("U1")) == 1


def test_only_one_scheduler_ticks_per_sqlite_file(sqlite_db: Database) -> None:
    with make_world(sqlite_db) as world:
        first = start_scheduler(world.deps, interval_seconds=3600)
        assert first is not None
        try:
            # A second gunicorn worker or instance on the same file serves requests without ticking.
            assert start_scheduler(world.deps, interval_seconds=3600) is None
        finally:
            first.shutdown(wait=True)
        again = start_scheduler(world.deps, interval_seconds=3600)
        assert again is not None, "the lock is released when the scheduler shuts down"
        again.shutdown(wait=True)


@pytest.fixture
def empty_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout
    url = f"sqlite:///{tmp_path}/empty.db"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def test_growthbot_tick_refuses_an_empty_database(empty_database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    result = CliRunner().invoke(main, ["tick"])
    assert result.exit_code == 1
    assert "The database schema is empty" in result.output and "run `growthbot db upgrade`" in result.output
    assert "no such table" not in result.output and "Traceback" not in result.output


def test_growthbot_tick_upgrades_an_empty_database_when_asked(
    empty_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeSlack() as fake:
        for name, value in {
            "SLACK_BOT_TOKEN": fake.bot_token,
            "SLACK_API_URL": fake.api_url,
            "GROWTHBOT_DB_AUTO_UPGRADE": "true",
        }.items():
            monkeypatch.setenv(name, value)
        result = CliRunner().invoke(main, ["tick", "--now", "2024-01-08T09:00:00Z"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ladders: unchanged\n")
    engine = make_engine(empty_database)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_growthbot_tick_refuses_ladders_that_do_not_load(
    empty_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "ladders"
    broken.mkdir()
    (broken / "bad.yaml").write_text("id: bad\nname: [\n")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("GROWTHBOT_FRAMEWORKS_DIR", str(broken))
    result = CliRunner().invoke(main, ["tick"])
    assert result.exit_code == 1
    assert "Cannot load the career ladders: " in result.output and "bad.yaml:" in result.output
