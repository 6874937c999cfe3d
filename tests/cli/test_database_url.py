"""A DATABASE_URL that cannot work stops every command with one paragraph, never a traceback."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy.exc import OperationalError

from bot.cli import main

TOKENS = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_APP_TOKEN": "xapp-1"}
COMMANDS = [
    ["db", "upgrade"],
    ["db", "current"],
    ["tick"],
    ["serve"],
    ["run"],
    ["start"],
    ["people", "export", "--person", "U1"],
]
CASES = [
    ("garbage", ["DATABASE_URL 'garbage' is not a database URL", "sqlite:///growthbot.db"]),
    (
        "mysql://root:hunter2@db.example.com/growthbot",
        ["unsupported database backend 'mysql'", "only sqlite and postgresql", "root:***@"],
    ),
    (
        "sqlite:////nonexistent/dir/x.db",
        ["the directory '/nonexistent/dir' for the SQLite file does not exist", "mkdir -p /nonexistent/dir"],
    ),
    (
        "postgresql://postgres:hunter2@127.0.0.1:1/test",
        ["cannot connect to PostgreSQL at 127.0.0.1:1", "Connection refused", "postgres:***@"],
    ),
]


@pytest.fixture(autouse=True)
def _empty_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize(("url", "expected"), CASES, ids=["garbage", "mysql", "missing-sqlite-dir", "unreachable-pg"])
def test_a_bad_database_url_is_one_message(command: list[str], url: str, expected: list[str]) -> None:
    result = CliRunner().invoke(main, command, env={"DATABASE_URL": url, **TOKENS})
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), f"escaped: {result.exception!r}"
    message = result.output.strip()
    assert message.startswith("Error: DATABASE_URL ") and "\n" not in message, message
    for fragment in expected:
        assert fragment in message
    assert "hunter2" not in message and "Traceback" not in message


def test_a_sqlite_file_that_cannot_be_opened_is_one_message(tmp_path: Path) -> None:
    (tmp_path / "a-directory.db").mkdir()
    result = CliRunner().invoke(main, ["db", "upgrade"], env={"DATABASE_URL": f"sqlite:///{tmp_path}/a-directory.db"})
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "cannot open the SQLite database file" in result.output and "unable to open database file" in result.output


def test_the_group_turns_any_failed_connect_into_one_message() -> None:
    """A command that connects without `check_connection` still gets the message, not a traceback."""
    from bot.cli import CliContext, GrowthbotGroup, pass_cli
    from storage.db import make_engine

    @click.command()
    @pass_cli
    def connects(cli: CliContext) -> None:
        make_engine(cli.settings.database_url).connect()

    @click.command()
    def queries() -> None:
        engine = make_engine("sqlite://")
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT * FROM no_such_table")

    group = GrowthbotGroup(commands=[connects, queries])
    result = CliRunner().invoke(
        group, ["connects"], env={"DATABASE_URL": "postgresql://postgres@127.0.0.1:1/test"}, obj=CliContext()
    )
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "cannot connect to PostgreSQL at 127.0.0.1:1" in result.output
    failing_query = CliRunner().invoke(group, ["queries"])
    assert isinstance(failing_query.exception, OperationalError), "a failing query is a bug: keep its traceback"
