"""`growthbot export --person ID|EMAIL|SLACK_ID --format md|json|csv [-o FILE]`: one person's promotion
packet (Markdown or CSV) or all their data (JSON), from the command line. Every export is audited."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.cli import CliContext, pass_cli
from bot.cli.people import _database, _library
from bot.services import access
from bot.services.data_rights import PersonNotFound, export_person, find_person
from bot.services.packet import build_packet, render_csv, render_markdown
from storage.clock import utcnow


@click.command("export")
@click.option("--person", "person_ref", required=True, help="growthbot person id, email, or Slack user id.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "json", "csv"]),
    default="md",
    show_default=True,
    help="md: promotion packet; csv: the packet as rows; json: everything held about the person.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="Default: stdout.")
@pass_cli
def export(cli: CliContext, person_ref: str, fmt: str, output: Path | None) -> None:
    """Export one person's promotion packet (md, csv) or all of their data (json)."""
    settings = cli.settings
    library = _library(settings) if fmt != "json" else None
    now = utcnow()
    with _database(settings) as uow_factory, uow_factory() as uow:
        try:
            person = find_person(uow, person_ref)
        except PersonNotFound as error:
            raise click.ClickException(str(error)) from None
        if fmt == "json":
            text = json.dumps(export_person(uow, person, actor=None, now=now), indent=2, ensure_ascii=False) + "\n"
        else:
            assert library is not None
            packet = build_packet(uow, library, person, now=now)
            text = render_markdown(packet) if fmt == "md" else render_csv(packet)
            access.record_read(
                uow.audit,
                viewer=None,
                subject=person,
                action=access.EXPORTED,
                team_id=person.workspace.team_id,
                details={"format": fmt, "via": "cli"},
                at=now,
            )
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output} ({fmt}).", err=True)
