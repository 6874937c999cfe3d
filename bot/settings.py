"""One typed Settings object, read from the environment and an optional `.env` file.

Loaded once at the entry point (`bot.cli`) and passed down; nothing else reads `os.environ`.
Every variable is documented in `.env.example`.
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, PrivateAttr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings import SettingsError as PydanticSettingsError

from bot.services.away import QuietDaysError, load_quiet_days
from bot.services.slots import WEEKDAY_NAMES, SlotError, parse_weekday, time_or_none

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
# See bot/followups.py and docs/deploying.md: about 1 s of answers per worker at saturation on 2 CPUs.
DEFAULT_ANSWER_QUEUE = 32
README_SLACK_SECTION = "README.md#create-the-slack-app"


class SettingsError(Exception):
    """A missing or malformed setting; the message names the variable and how to fix it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default="sqlite:///growthbot.db", alias="DATABASE_URL")
    database_auto_upgrade: bool = Field(default=False, alias="GROWTHBOT_DB_AUTO_UPGRADE")
    database_timeout_seconds: float = Field(default=5.0, alias="GROWTHBOT_DB_TIMEOUT_SECONDS", gt=0, le=300)

    slack_bot_token: str | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default=DEFAULT_SLACK_API_URL, alias="SLACK_API_URL")
    # The OAuth install (many workspaces): set both, and SLACK_BOT_TOKEN is not used (bot/oauth.py).
    slack_client_id: str | None = Field(default=None, alias="SLACK_CLIENT_ID")
    slack_client_secret: str | None = Field(default=None, alias="SLACK_CLIENT_SECRET")
    slack_redirect_uri: str | None = Field(default=None, alias="SLACK_REDIRECT_URI")
    # Days a workspace's data is kept after it uninstalled the app (bot/services/installations.py).
    uninstalled_retention_days: int = Field(default=90, alias="GROWTHBOT_UNINSTALLED_RETENTION_DAYS", ge=0, le=3650)

    frameworks_dir: Path | None = Field(default=None, alias="GROWTHBOT_FRAMEWORKS_DIR")
    admins: Annotated[list[str], NoDecode] = Field(default_factory=list, alias="GROWTHBOT_ADMINS")
    admins_can_read_evidence: bool = Field(default=False, alias="GROWTHBOT_ADMINS_READ_EVIDENCE")

    default_prompt_weekday: str = Field(default="monday", alias="GROWTHBOT_PROMPT_WEEKDAY")
    default_prompt_time: time = Field(default=time(10, 0), alias="GROWTHBOT_PROMPT_TIME")
    default_timezone: str = Field(default="UTC", alias="GROWTHBOT_DEFAULT_TIMEZONE")
    late_prompt_window_hours: float = Field(default=12.0, alias="GROWTHBOT_LATE_WINDOW_HOURS", gt=0)
    reminder_after_days: float = Field(default=2.0, alias="GROWTHBOT_REMINDER_AFTER_DAYS", gt=0)
    digest_lead_minutes: int = Field(default=120, alias="GROWTHBOT_DIGEST_LEAD_MINUTES", ge=0)
    quiet_days_file: Path | None = Field(default=None, alias="GROWTHBOT_QUIET_DAYS_FILE")
    fanout_concurrency: int = Field(default=32, alias="GROWTHBOT_FANOUT_CONCURRENCY", ge=1, le=256)
    # Database connections of the tick process (`serve --workers` > 1; bot/ticker.py), shared by its
    # fan-out threads. On PostgreSQL the tick's queries run in the server's processes, at the server's
    # priority, not the tick's: this bounds how many CPUs they take from the workers' acks.
    tick_database_connections: int = Field(default=2, alias="GROWTHBOT_TICK_DB_CONNECTIONS", ge=1, le=256)
    # How long audit entries (the engineers' access logs) are kept before the tick prunes them.
    audit_retention_days: int = Field(default=730, alias="GROWTHBOT_AUDIT_RETENTION_DAYS", ge=1, le=36_500)
    # Answers queued after their ack per worker process before a person is told to retry (bot/followups.py).
    answer_queue: int = Field(default=DEFAULT_ANSWER_QUEUE, alias="GROWTHBOT_ANSWER_QUEUE", ge=1, le=10_000)
    # An answer that waited longer than this in that queue is not computed; the person is told to retry.
    answer_wait_seconds: float = Field(default=2.0, alias="GROWTHBOT_ANSWER_WAIT_SECONDS", gt=0, le=1800)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO", alias="LOG_LEVEL")
    log_format: Literal["text", "json"] = Field(default="text", alias="LOG_FORMAT")
    _invalid: dict[str, str] = PrivateAttr(default_factory=dict)

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "slack_client_id",
        "slack_client_secret",
        "slack_redirect_uri",
        "frameworks_dir",
        "quiet_days_file",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `.env.example` lists optional variables with empty values; empty means "not set".
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("quiet_days_file")
    @classmethod
    def _readable_quiet_days(cls, value: Path | None) -> Path | None:
        # Read now, not at the first tick: a bad file stops `growthbot run` instead of failing every tick.
        try:
            load_quiet_days(value)
        except QuietDaysError as error:
            raise ValueError(f"{error}; fix the file or unset the variable") from None
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"must be an IANA time zone such as 'Europe/Paris' or 'UTC', got {value!r}") from None
        return value

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part for part in re.split(r"[\s,]+", value) if part]
        return value

    @field_validator("default_prompt_weekday", mode="before")
    @classmethod
    def _weekday(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return WEEKDAY_NAMES[parse_weekday(value)].lower()
            except SlotError:
                raise ValueError(f"must be a weekday name such as 'monday', got {value!r}") from None
        return value

    @field_validator("default_prompt_time", mode="before")
    @classmethod
    def _prompt_time(cls, value: object) -> object:
        # Read like every other typed time (9am, 14:30); pydantic still gets what that cannot read (10:00:30).
        if isinstance(value, str):
            parsed = time_or_none(value)
            return parsed if parsed is not None else value
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"must be an http(s) URL such as {DEFAULT_SLACK_API_URL}, got {value!r}")
        return value if value.endswith("/") else value + "/"

    def __getattribute__(self, name: str) -> Any:
        # A malformed setting stops only the command that reads it (see load_settings_lazily).
        if not name.startswith("_"):
            invalid = object.__getattribute__(self, "__pydantic_private__") or {}
            problems = invalid.get("_invalid") or {}
            if name in problems:
                raise SettingsError(
                    f"Invalid configuration; fix this variable in the environment or .env:\n  {problems[name]}"
                )
        return super().__getattribute__(name)

    def raise_invalid(self) -> None:
        """Stop a long-running command (the bot, the tick) on any malformed setting, all named at once."""
        if self._invalid:
            raise SettingsError(
                "Invalid configuration; fix these variables in the environment or .env:\n  "
                + "\n  ".join(self._invalid.values())
            )

    @property
    def default_prompt_weekday_index(self) -> int:
        return parse_weekday(self.default_prompt_weekday)

    @property
    def has_slack_tokens(self) -> bool:
        return bool(self.slack_bot_token)

    @property
    def oauth_install(self) -> bool:
        """Installed through OAuth (a token per workspace) rather than with one SLACK_BOT_TOKEN."""
        return bool(self.slack_client_id)

    def require(self, *names: str) -> None:
        """Stop a command that needs these settings with a message naming each missing one."""
        missing = []
        for name in names:
            field = type(self).model_fields[name]
            if not getattr(self, name):
                missing.append(field.alias or name)
        if missing:
            raise SettingsError(
                f"Missing {', '.join(missing)}: set {'them' if len(missing) > 1 else 'it'} in the environment "
                f"or in .env (see .env.example). To create the Slack app and get these values, "
                f"follow {README_SLACK_SECTION}."
            )


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's error into one message per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except PydanticSettingsError as error:
        raise SettingsError(f"Invalid configuration: {error}") from None
    except ValidationError as error:
        lines = list(_problems(error).values())
        raise SettingsError(
            "Invalid configuration; fix these variables in the environment or .env:\n  " + "\n  ".join(lines)
        ) from None


def load_settings_lazily(**overrides: object) -> Settings:
    """Like load_settings, but a malformed variable is an error only where a command reads it.

    `growthbot frameworks list` with GROWTHBOT_PROMPT_TIME=25:00 still lists; anything that reads
    `default_prompt_time` gets the one-line message naming the variable.
    """
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except PydanticSettingsError as error:
        raise SettingsError(f"Invalid configuration: {error}") from None
    except ValidationError as error:
        problems = _problems(error)
    by_alias = {field.alias or name: name for name, field in Settings.model_fields.items()}
    invalid = {by_alias.get(variable, variable): line for variable, line in problems.items()}
    if not set(invalid) <= set(Settings.model_fields):
        return load_settings(**overrides)  # not one field's value: the whole message
    defaults = {
        Settings.model_fields[name].alias or name: Settings.model_fields[name].get_default(call_default_factory=True)
        for name in invalid
    }
    settings = load_settings(**{**overrides, **defaults})
    settings._invalid = invalid
    return settings


def _problems(error: ValidationError) -> dict[str, str]:
    lines: dict[str, str] = {}
    for problem in error.errors():
        variable = ".".join(str(part) for part in problem["loc"]) or "settings"
        message = problem["msg"].removeprefix("Value error, ")
        lines.setdefault(variable, f"{variable}: {message} (got {problem.get('input')!r})")
    return lines
