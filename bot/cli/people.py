"""`growthbot people ...`: import an org file, export or delete one person's data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from slack_sdk import WebClient

from bot.cli import CliContext, pass_cli
from bot.cli.checks import ensure_schema, load_ladders
from bot.services.data_rights import PersonNotFound, delete_person_data, export_person, find_person
from bot.services.people_import import import_people
from bot.services.people_import.applying import ImportReport
from bot.services.people_import.planning import ImportDefaults
from bot.services.people_import.reading import OrgFileError, read_org_file
from bot.settings import Settings
from bot.slack_client import make_web_client
from bot.slack_directory import SlackDirectory
from frameworks import Library
from storage.clock import utcnow
from storage.db import make_engine, make_session_factory
from storage.uow import UnitOfWorkFactory


@click.group()
def people() -> None:
    """People: import an org file; export or delete one person's data."""


@contextmanager
def _database(settings: Settings) -> Iterator[UnitOfWorkFactory]:
    engine = make_engine(settings.database_url, timeout_seconds=settings.database_timeout_seconds)
    try:
        ensure_schema(engine, settings)
        yield UnitOfWorkFactory(make_session_factory(engine))
    finally:
        engine.dispose()


def _library(settings: Settings) -> Library:
    return load_ladders(settings)


class _DryRun(Exception):
    def __init__(self, report: ImportReport) -> None:
        self.report = report


@people.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--team-id", help="Slack team (workspace) id, e.g. T012AB3CD. Default: the file's team_id, or Slack's.")
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change, without writing.")
@pass_cli
def import_command(cli: CliContext, file: Path, team_id: str | None, dry_run: bool) -> None:
    """Import people, ladder levels, managers and prompt slots from a CSV or YAML FILE.

    Nothing is written unless every row is valid; importing the same file again changes nothing.
    Columns: slack_user_id or email, name, manager (Slack id or email), framework, level or levels,
    timezone, prompt_weekday, prompt_time, track. Emails need SLACK_BOT_TOKEN to find the Slack user.
    """
    settings = cli.settings
    try:
        org = read_org_file(file)
    except OrgFileError as error:
        raise click.ClickException(str(error)) from None
    for warning in org.warnings:
        click.echo(f"Warning: {warning}", err=True)
    library = _library(settings)
    # Rate limits (users.lookupByEmail is Tier 3) are retried after Retry-After by the project's client.
    client = make_web_client(settings) if settings.has_slack_tokens else None
    defaults = ImportDefaults(
        weekday=settings.default_prompt_weekday_index,
        local_time=settings.default_prompt_time,
        timezone=settings.default_timezone,
    )
    with _database(settings) as uow_factory:
        team = team_id or org.team_id or _team_from_slack(client) or _only_workspace(uow_factory)
        try:
            with uow_factory() as uow:
                report = import_people(
                    uow,
                    org,
                    team_id=team,
                    library=library,
                    directory=SlackDirectory(client) if client else None,
                    defaults=defaults,
                    now=utcnow(),
                )
                if dry_run:
                    raise _DryRun(report)
        except OrgFileError as error:
            raise click.ClickException(str(error)) from None
        except _DryRun as dry:
            click.echo(f"Dry run of {file} for workspace {team}, nothing written: {dry.report.summary()}")
            return
    click.echo(f"Imported {file} into workspace {team}: {report.summary()}")


def _team_from_slack(client: WebClient | None) -> str | None:
    if client is None:
        return None
    return str(client.auth_test()["team_id"])


def _only_workspace(uow_factory: UnitOfWorkFactory) -> str:
    with uow_factory() as uow:
        workspaces = uow.workspaces.list_all()
    if len(workspaces) == 1:
        return workspaces[0].team_id
    raise click.ClickException(
        "Which Slack workspace is this file for? Give --team-id T012AB3CD (or `team_id:` in the file), or set "
        "SLACK_BOT_TOKEN so growthbot can ask Slack."
    )


@people.command("export")
@click.option("--person", "person_ref", required=True, help="Slack user id, email, or growthbot person id.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="Default: stdout.")
@pass_cli
def export_command(cli: CliContext, person_ref: str, output: Path | None) -> None:
    """Export everything growthbot holds about one person, as JSON (recorded in the audit log)."""
    with _database(cli.settings) as uow_factory, uow_factory() as uow:
        try:
            person = find_person(uow, person_ref)
        except PersonNotFound as error:
            raise click.ClickException(str(error)) from None
        data = export_person(uow, person, actor=None)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Exported {person_ref} to {output}.", err=True)


@people.command("delete")
@click.option("--person", "person_ref", required=True, help="Slack user id, email, or growthbot person id.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_cli
def delete_command(cli: CliContext, person_ref: str, yes: bool) -> None:
    """Delete one person's evidence, prompts, schedule, placements and digests; end their links and 1:1s.

    What remains is an audit record that the deletion happened, with counts only.
    """
    with _database(cli.settings) as uow_factory:
        with uow_factory() as uow:
            try:
                person = find_person(uow, person_ref)
            except PersonNotFound as error:
                raise click.ClickException(str(error)) from None
            label = f"{person.slack_user_id} ({person.display_name or person.email or 'no name'})"
        if not yes:
            click.confirm(f"Delete every piece of growthbot data about {label}? This cannot be undone", abort=True)
        with uow_factory() as uow:
            person = find_person(uow, person_ref)
            report = delete_person_data(uow, person, actor=None)
        uow_factory.scrub_deleted()  # after the commit: the deleted text leaves the database files too
    click.echo(f"Deleted the data of {label}: {report.summary()}")
