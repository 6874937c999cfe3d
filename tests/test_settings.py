from datetime import time
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings


def test_defaults_need_no_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.database_url == "sqlite:///growthbot.db"
    assert settings.default_prompt_weekday == "monday"
    assert settings.default_prompt_time == time(10, 0)
    assert settings.slack_api_url == "https://slack.com/api/"
    assert not settings.has_slack_tokens


def test_env_example_is_valid_and_blank_values_mean_unset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    example = Path(__file__).resolve().parents[1] / ".env.example"
    (tmp_path / ".env").write_text(example.read_text())
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.slack_bot_token is None
    assert settings.frameworks_dir is None
    assert settings.quiet_days_file is None


def test_every_setting_is_documented_in_env_example() -> None:
    from bot.settings import Settings

    example = (Path(__file__).resolve().parents[1] / ".env.example").read_text()
    for field in Settings.model_fields.values():
        assert f"\n{field.alias}=" in example, f"{field.alias} is missing from .env.example"


def test_values_are_parsed_forgivingly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROWTHBOT_PROMPT_WEEKDAY", "Tue")
    monkeypatch.setenv("GROWTHBOT_ADMINS", "U1, U2 U3")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9999/api")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    settings = load_settings()
    assert settings.default_prompt_weekday == "tuesday"
    assert settings.admins == ["U1", "U2", "U3"]
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("9am", time(9, 0)),
        ("2:30 pm", time(14, 30)),
        ("7", time(7, 0)),
        ("09:30", time(9, 30)),
        ("10:00:30", time(10, 0, 30)),
    ],
)
def test_the_default_prompt_time_is_read_like_the_ladder_commands_read_a_time(
    monkeypatch: pytest.MonkeyPatch, typed: str, expected: time
) -> None:
    # The same words `/ladder admin schedule` accepts (bot.services.slots), and what pydantic read before.
    monkeypatch.setenv("GROWTHBOT_PROMPT_TIME", typed)
    assert load_settings().default_prompt_time == expected


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("GROWTHBOT_PROMPT_TIME", "25:00"),
        ("GROWTHBOT_PROMPT_WEEKDAY", "someday"),
        ("GROWTHBOT_DEFAULT_TIMEZONE", "Mars/Olympus"),
        ("SLACK_API_URL", "slack.com"),
        ("GROWTHBOT_LATE_WINDOW_HOURS", "-1"),
    ],
)
def test_malformed_value_names_the_variable(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert variable in str(error.value)


def test_require_names_missing_variables_and_the_readme_section() -> None:
    settings = load_settings()
    with pytest.raises(SettingsError) as error:
        settings.require("slack_bot_token", "slack_signing_secret")
    message = str(error.value)
    assert "SLACK_BOT_TOKEN" in message and "SLACK_SIGNING_SECRET" in message
    assert "README" in message


def test_the_quiet_days_file_is_read_when_settings_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    quiet = tmp_path / "quiet.txt"
    quiet.write_text("2024-12-25\n2024-12-26\n")
    monkeypatch.setenv("GROWTHBOT_QUIET_DAYS_FILE", str(quiet))
    assert load_settings().quiet_days_file == quiet

    quiet.write_text("2024-12-25\nboxing day\n")
    with pytest.raises(SettingsError) as error:
        load_settings()
    message = str(error.value)
    assert f"GROWTHBOT_QUIET_DAYS_FILE: {quiet}:2: 'boxing day' is not a date in YYYY-MM-DD form" in message
    assert "Value error" not in message

    monkeypatch.setenv("GROWTHBOT_QUIET_DAYS_FILE", str(tmp_path / "missing.txt"))
    with pytest.raises(SettingsError, match="GROWTHBOT_QUIET_DAYS_FILE: cannot read quiet days file"):
        load_settings()
