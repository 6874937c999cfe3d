"""`growthbot db ...`: create or upgrade the schema, show where it stands, back up and restore SQLite."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli import CliContext, pass_cli
from bot.cli.checks import open_engine
from storage import backup as sqlite_backup
from storage.migrate import current_revision, head_revision, schema_problem, upgrade_to_head


@click.group()
def db() -> None:
    """The database (DATABASE_URL): upgrade its schema, show its revision, back up and restore SQLite."""


@db.command()
@pass_cli
def upgrade(cli: CliContext) -> None:
    """Apply every pending migration (safe to run again; safe on a fresh database)."""
    engine = open_engine(cli.settings)
    try:
        before, after = upgrade_to_head(engine)
    finally:
        engine.dispose()
    if before == after:
        click.echo(f"Database schema already at {after}; nothing to do.")
    else:
        click.echo(f"Database schema upgraded from {before or 'empty'} to {after}.")


@db.command()
@pass_cli
def current(cli: CliContext) -> None:
    """Show the schema revision of the database and the one this growthbot needs."""
    engine = open_engine(cli.settings)
    try:
        revision = current_revision(engine)
        problem = schema_problem(engine)
    finally:
        engine.dispose()
    click.echo(f"database: {revision or 'empty'}")
    click.echo(f"needed:   {head_revision()}")
    click.echo("up to date" if problem is None else problem)
    if problem is not None:
        raise SystemExit(1)


@db.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_cli
def backup(cli: CliContext, file: Path) -> None:
    """Copy the SQLite database to FILE, consistently, even while growthbot runs (PostgreSQL: pg_dump)."""
    try:
        copied = sqlite_backup.backup(cli.settings.database_url, file)
    except sqlite_backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up to {copied.path} (schema {copied.revision or 'empty'}, {copied.pages} pages).")


@db.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_cli
def restore(cli: CliContext, file: Path) -> None:
    """Restore the SQLite database from a backup FILE (stop growthbot first; refuses a newer schema)."""
    try:
        copied = sqlite_backup.restore(file, cli.settings.database_url)
    except sqlite_backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored {copied.path} from {file} (schema {copied.revision or 'empty'}).")
    if copied.revision != head_revision():
        click.echo(f"This growthbot needs schema {head_revision()}: run `growthbot db upgrade` before starting it.")
