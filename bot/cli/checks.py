"""Checks every command that runs the bot or opens its database makes before doing anything.

Each stops the command with one message (a click error, exit status 1). A DATABASE_URL that cannot
work raises `DatabaseConfigError`, which the `main` group turns into such a message.
"""

from __future__ import annotations

import click
from sqlalchemy import Engine

from bot.settings import Settings, SettingsError
from frameworks import FrameworkError, Library, load_library
from storage.db import check_connection, make_engine
from storage.migrate import SchemaOutdated, ensure_schema_current, is_empty, upgrade_to_head


def require(settings: Settings, *names: str) -> None:
    """Stop unless these settings are set and none is malformed; the message names each variable.

    Commands that run the bot call this: a process that runs for weeks must not meet a bad value late.
    """
    try:
        settings.raise_invalid()
        settings.require(*names)
    except SettingsError as error:
        raise click.ClickException(str(error)) from None


def open_engine(settings: Settings) -> Engine:
    """An engine on DATABASE_URL that has connected once (DatabaseConfigError otherwise)."""
    engine = make_engine(settings.database_url, timeout_seconds=settings.database_timeout_seconds)
    try:
        check_connection(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def ensure_schema(engine: Engine, settings: Settings, *, create_if_empty: bool = False) -> None:
    """Stop unless the schema is current; with GROWTHBOT_DB_AUTO_UPGRADE=true upgrade it instead.

    `create_if_empty`: an empty database holds nothing to lose, so the bot creates its schema there (the
    README's `growthbot run` on a fresh database); a database with data is upgraded only when asked.
    """
    check_connection(engine)
    if create_if_empty and is_empty(engine):
        _, head = upgrade_to_head(engine)
        click.echo(f"The database was empty: created the growthbot schema ({head}).")
        return
    try:
        ensure_schema_current(engine, settings.database_auto_upgrade)
    except SchemaOutdated as error:
        raise click.ClickException(str(error)) from None


def check_schema(settings: Settings, *, create_if_empty: bool = False) -> None:
    """`ensure_schema` on a short-lived engine: nothing stays open (no connection may cross a fork)."""
    engine = make_engine(settings.database_url, timeout_seconds=settings.database_timeout_seconds)
    try:
        ensure_schema(engine, settings, create_if_empty=create_if_empty)
    finally:
        engine.dispose()


def load_ladders(settings: Settings) -> Library:
    """The bundled ladders plus GROWTHBOT_FRAMEWORKS_DIR, or stop with the loader's one-paragraph error."""
    try:
        return load_library([settings.frameworks_dir] if settings.frameworks_dir else [])
    except FrameworkError as error:
        raise click.ClickException(f"Cannot load the career ladders: {error}") from None


def verify_bot_token(settings: Settings) -> None:
    """Ask Slack (auth.test) whether SLACK_BOT_TOKEN works, before Bolt would raise its page-long BoltError."""
    from slack_sdk.errors import SlackApiError

    from bot.slack_client import make_web_client

    try:
        make_web_client(settings).auth_test()
    except SlackApiError as error:
        said = error.response.get("error") if isinstance(error.response.data, dict) else error.response.status_code
        raise click.ClickException(
            f"Slack refused SLACK_BOT_TOKEN (auth.test said: {said}); copy the Bot User OAuth Token (xoxb-...) "
            "from your app's OAuth & Permissions page."
        ) from None
    except OSError as error:
        raise click.ClickException(
            f"Cannot reach Slack at {settings.slack_api_url} to check SLACK_BOT_TOKEN: {error}"
        ) from None
