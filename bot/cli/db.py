"""`growthbot db ...`: create or upgrade the schema, and show where it stands."""

from __future__ import annotations

import click

from bot.cli import CliContext, pass_cli
from bot.cli.checks import open_engine
from storage.migrate import current_revision, head_revision, schema_problem, upgrade_to_head


@click.group()
def db() -> None:
    """The database schema (DATABASE_URL): upgrade it, show its revision."""


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
