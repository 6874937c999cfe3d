"""`growthbot run` / `growthbot serve` refuse to start without tokens or on an outdated schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.testing.fake_slack import FakeSlack


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
        (["serve"], {"SLACK_CLIENT_ID": "1.2"}, "SLACK_CLIENT_SECRET, SLACK_SIGNING_SECRET"),
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


def test_socket_mode_refuses_an_oauth_install_naming_serve(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "c", "SLACK_APP_TOKEN": "xapp-1"}.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["run"])
    assert result.exit_code == 1
    assert "Run `growthbot serve`" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("command", [["run"], ["serve", "--port", "0"], ["tick"], ["start"]])
def test_a_bad_quiet_days_file_is_refused_at_start(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {"SLACK_BOT_TOKEN": "x", "SLACK_SIGNING_SECRET": "s", "SLACK_APP_TOKEN": "xapp-1"}.items():
        monkeypatch.setenv(name, value)
    quiet = tmp_path / "holidays.txt"
    quiet.write_text("2024-12-25\n26 December\n")
    monkeypatch.setenv("GROWTHBOT_QUIET_DAYS_FILE", str(quiet))
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert f"GROWTHBOT_QUIET_DAYS_FILE: {quiet}:2: '26 December' is not a date" in result.output


@pytest.mark.parametrize("command", [["run"], ["serve", "--port", "0"]])
def test_ladders_that_do_not_load_stop_the_bot_before_it_starts(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert CliRunner().invoke(main, ["db", "upgrade"]).exit_code == 0  # only the ladders can stop it now
    broken = tmp_path / "ladders"
    broken.mkdir()
    (broken / "acme.yaml").write_text("id: acme\nname: Acme\nversion: 1\nlevels: []\nareas: []\n")
    for name, value in {"SLACK_BOT_TOKEN": "x", "SLACK_SIGNING_SECRET": "s", "SLACK_APP_TOKEN": "xapp-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GROWTHBOT_FRAMEWORKS_DIR", str(broken))
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.output.startswith("Error: Cannot load the career ladders: ")
    assert f"{broken / 'acme.yaml'}:4: " in result.output
    assert "serving" not in result.output and "connecting" not in result.output


@pytest.mark.parametrize("command", [["run"], ["serve", "--port", "0"]])
def test_an_invalid_bot_token_is_one_line_naming_the_variable(
    command: list[str], fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {**fake_slack.env(), "SLACK_BOT_TOKEN": "xoxb-revoked", "SLACK_APP_TOKEN": "xapp-1"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.output.startswith("The database was empty: created the growthbot schema")
    [error] = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert "Slack refused SLACK_BOT_TOKEN (auth.test said: invalid_auth)" in error
    assert "BoltError" not in result.output and "Traceback" not in result.output


def test_a_fresh_database_gets_its_schema_an_outdated_one_names_the_command(
    tmp_path: Path, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage.db import make_engine
    from storage.migrate import current_revision, downgrade, head_revision

    for name, value in {**fake_slack.env(), "SLACK_BOT_TOKEN": "xoxb-revoked", "SLACK_APP_TOKEN": "xapp-1"}.items():
        monkeypatch.setenv(name, value)
    CliRunner().invoke(main, ["run"])  # stops at the token, after creating the schema
    engine = make_engine(f"sqlite:///{tmp_path}/growthbot.db")
    assert current_revision(engine) == head_revision()
    downgrade(engine, "-1")
    engine.dispose()
    refused = CliRunner().invoke(main, ["run"])
    assert refused.exit_code == 1 and "run `growthbot db upgrade`" in refused.output


def test_a_malformed_setting_stops_only_the_commands_that_use_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROWTHBOT_PROMPT_TIME", "25:00")
    listed = CliRunner().invoke(main, ["frameworks", "list"])
    assert listed.exit_code == 0, listed.output
    assert "flow" in listed.output
    for name, value in {"SLACK_BOT_TOKEN": "x", "SLACK_APP_TOKEN": "xapp-1"}.items():
        monkeypatch.setenv(name, value)
    refused = CliRunner().invoke(main, ["run"])
    assert refused.exit_code == 1 and "GROWTHBOT_PROMPT_TIME" in refused.output


def test_workspaces_list_and_delete(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["db", "upgrade"]).exit_code == 0
    assert "No workspace yet" in CliRunner().invoke(main, ["workspaces", "list"]).output
    org = tmp_path / "org.csv"
    org.write_text("slack_user_id,name,framework,level\nU012AB3CD,Ada,luko-execution,1\n")
    assert CliRunner().invoke(main, ["people", "import", str(org), "--team-id", "T0001"]).exit_code == 0
    listed = CliRunner().invoke(main, ["workspaces", "list"])
    assert "T0001" in listed.output and "1 people (1 active)" in listed.output and "installed" in listed.output
    missing = CliRunner().invoke(main, ["workspaces", "delete", "T0NOPE", "--yes"])
    assert missing.exit_code == 1 and "No workspace T0NOPE" in missing.output
    deleted = CliRunner().invoke(main, ["workspaces", "delete", "T0001", "--yes"])
    assert deleted.exit_code == 0 and "Deleted the data of 1 people of T0001." in deleted.output
