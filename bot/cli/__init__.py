"""`growthbot ...` entry point.

Each command group lives in its own module under `bot/cli/` and is attached here. Settings are
loaded once, here, and handed to commands through the click context object.
"""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy.exc import OperationalError

from bot import logs
from bot.settings import Settings, SettingsError, load_settings_lazily
from storage.db import DatabaseConfigError, connection_problem, parse_database_url


class CliContext:
    """What every command receives: settings, loaded lazily so `--help` never needs a valid config."""

    def __init__(self) -> None:
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings_lazily()
            except SettingsError as error:
                raise click.ClickException(str(error)) from None
            try:
                level = self._settings.log_level
            except SettingsError:
                level = "INFO"  # reported by the commands that run the bot (Settings.raise_invalid)
            try:
                log_format = self._settings.log_format
            except SettingsError:
                log_format = "text"
            logs.configure(level, log_format)
        return self._settings


pass_cli = click.make_pass_decorator(CliContext, ensure=True)


class GrowthbotGroup(click.Group):
    """Turns configuration problems met by any command into one message and exit status 1, no traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (DatabaseConfigError, SettingsError) as error:
            raise click.ClickException(str(error)) from None
        except OperationalError as error:
            if error.statement is not None:  # a failing query, not a failing connect: keep the traceback
                raise
            raise click.ClickException(_connect_problem(ctx, error)) from None


def _connect_problem(ctx: click.Context, error: OperationalError) -> str:
    cli = ctx.find_object(CliContext)
    settings = cli._settings if cli is not None else None
    if settings is None:
        return f"Cannot connect to the database in DATABASE_URL: {error.orig or error}".splitlines()[0]
    return connection_problem(parse_database_url(settings.database_url), error)


@click.group(cls=GrowthbotGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="growthbot")
@click.pass_context
def main(ctx: click.Context) -> None:
    """growthbot: career ladders as a weekly habit, in Slack."""
    ctx.ensure_object(CliContext)


def _attach_groups() -> None:
    from bot.cli import db as db_commands
    from bot.cli import demo as demo_command
    from bot.cli import export as export_command
    from bot.cli import frameworks as frameworks_commands
    from bot.cli import people as people_commands
    from bot.cli import run as run_commands
    from bot.cli import start as start_command
    from bot.cli import tick as tick_command
    from bot.cli import workspaces as workspaces_commands

    main.add_command(frameworks_commands.frameworks)
    main.add_command(start_command.start)
    main.add_command(db_commands.db)
    main.add_command(people_commands.people)
    main.add_command(run_commands.run)
    main.add_command(run_commands.serve)
    main.add_command(tick_command.tick)
    main.add_command(export_command.export)
    main.add_command(demo_command.demo)
    main.add_command(workspaces_commands.workspaces)


_attach_groups()
