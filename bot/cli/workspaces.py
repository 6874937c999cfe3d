"""`growthbot workspaces ...`: the workspaces (and Grid organisations) growthbot serves, and deleting
one's data (after an uninstall, say, without waiting for GROWTHBOT_UNINSTALLED_RETENTION_DAYS)."""

from __future__ import annotations

import click

from bot.cli import CliContext, pass_cli
from bot.cli.people import _database
from bot.services.installations import delete_workspace_data, workspace_summaries
from storage.clock import utcnow


@click.group()
def workspaces() -> None:
    """Workspaces: list them; delete one's data."""


@workspaces.command("list")
@pass_cli
def list_command(cli: CliContext) -> None:
    """Each workspace's id, name, people (active), and whether the app is installed there."""
    with _database(cli.settings) as uow_factory:
        summaries = workspace_summaries(uow_factory)
    if not summaries:
        click.echo("No workspace yet: growthbot has not been used or imported into any.")
        return
    for summary in summaries:
        if summary.data_deleted_at is not None:
            state = f"uninstalled {summary.uninstalled_at:%Y-%m-%d}, data deleted {summary.data_deleted_at:%Y-%m-%d}"
        elif summary.uninstalled_at is not None:
            state = f"uninstalled {summary.uninstalled_at:%Y-%m-%d} (data kept for the retention period)"
        else:
            state = "installed"
        click.echo(
            f"{summary.tenant_id}\t{summary.name or '-'}\t{summary.people} people ({summary.active} active)\t{state}"
        )


@workspaces.command("delete")
@click.argument("team_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_cli
def delete_command(cli: CliContext, team_id: str, yes: bool) -> None:
    """Delete the data of everyone in workspace TEAM_ID (an enterprise id for a Grid org-wide install).

    Each person's data goes as with `growthbot people delete`; the audit log keeps that it happened.
    To keep a copy first, `growthbot people export` each person (`growthbot workspaces list` names them).
    """
    if not yes:
        click.confirm(
            f"Delete every piece of growthbot data about the people of {team_id}? This cannot be undone", abort=True
        )
    with _database(cli.settings) as uow_factory:
        deleted = delete_workspace_data(uow_factory, team_id, utcnow())
    if deleted is None:
        raise click.ClickException(f"No workspace {team_id}; `growthbot workspaces list` shows the ones there are.")
    click.echo(f"Deleted the data of {deleted} people of {team_id}.")
