"""`growthbot run` / `growthbot serve` refuse to start without tokens or on an outdated schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main


@pytest.fixture(autouse=True)
def _empty_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/growthbot.db")


@pytest.mark.parametrize(
    ("command", "env", "missing"),
    [
        (["serve"], {}, "SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET"),
        (["serve"], {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        (["run"], {}, "SLACK_BOT_TOKEN, SLACK_APP_TOKEN"),
        (["run"], {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}, "SLACK_APP_TOKEN"),
    ],
)
def test_missing_tokens_are_named_with_the_readme_section(
    command: list[str], env: dict[str, str], missing: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 1
    assert f"Missing {missing}" in result.output
    assert "README.md#create-the-slack-app" in result.output


@pytest.mark.parametrize("command", [["run"], ["serve"]])
def test_an_outdated_schema_is_refused(command: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"SLACK_BOT_TOKEN": "x", "SLACK_SIGNING_SECRET": "s", "SLACK_APP_TOKEN": "xapp-1"}.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 1
    assert "growthbot db upgrade" in result.output
