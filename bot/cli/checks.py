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
from storage.migrate import SchemaOutdated, ensure_schema_current


def require(settings: Settings, *names: str) -> None:
    """Stop unless these settings are set; the message names each missing variable."""
    try:
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


def ensure_schema(engine: Engine, settings: Settings) -> None:
    """Stop unless the schema is current; with GROWTHBOT_DB_AUTO_UPGRADE=true upgrade it instead."""
    check_connection(engine)
    try:
        ensure_schema_current(engine, settings.database_auto_upgrade)
    except SchemaOutdated as error:
        raise click.ClickException(str(error)) from None


def check_schema(settings: Settings) -> None:
    """`ensure_schema` on a short-lived engine: nothing stays open (no connection may cross a fork)."""
    engine = make_engine(settings.database_url, timeout_seconds=settings.database_timeout_seconds)
    try:
        ensure_schema(engine, settings)
    finally:
        engine.dispose()


def load_ladders(settings: Settings) -> Library:
    """The bundled ladders plus GROWTHBOT_FRAMEWORKS_DIR, or stop with the loader's one-paragraph error."""
    try:
        return load_library([settings.frameworks_dir] if settings.frameworks_dir else [])
    except FrameworkError as error:
        raise click.ClickException(f"Cannot load the career ladders: {error}") from None
