"""`growthbot export --person ID|EMAIL|SLACK_ID --format md|json|csv [-o FILE]`: one person's promotion
packet from the command line, as Markdown, JSON or CSV. Every export is audited.

Everything held about a person (the data-rights dump) is `growthbot people export`.
"""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli import CliContext, pass_cli
from bot.cli.people import _database, _library
from bot.services import access
from bot.services.data_rights import PersonNotFound, find_person
from bot.services.packet import build_packet
from bot.services.packet_render import render_csv, render_json, render_markdown
from storage.clock import utcnow

RENDERERS = {"md": render_markdown, "json": render_json, "csv": render_csv}


@click.command("export")
@click.option("--person", "person_ref", required=True, help="growthbot person id, email, or Slack user id.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(RENDERERS)),
    default="md",
    show_default=True,
    help="md: Markdown document; json: the packet as JSON; csv: one row per behaviour and evidence item.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="Default: stdout.")
@pass_cli
def export(cli: CliContext, person_ref: str, fmt: str, output: Path | None) -> None:
    """Export one person's promotion packet: each behaviour of their next milestone with the self and
    manager verdicts and its evidence (cited first, disputed marked), coverage and readiness per area,
    the ladder version, and the behaviours still without evidence. Verdicts still blind in an open
    check-in are left out.

    For everything growthbot holds about a person, use `growthbot people export`.
    """
    settings = cli.settings
    library = _library(settings)
    now = utcnow()
    with _database(settings) as uow_factory, uow_factory() as uow:
        try:
            person = find_person(uow, person_ref)
        except PersonNotFound as error:
            raise click.ClickException(str(error)) from None
        packet = build_packet(uow, library, person, now=now)
        text = RENDERERS[fmt](packet)
        access.record_read(
            uow.audit,
            viewer=None,
            subject=person,
            action=access.EXPORTED,
            team_id=person.workspace.team_id,
            details={"format": fmt, "via": "cli", "surface": access.SURFACE_CLI},
            at=now,
        )
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output} ({fmt}).", err=True)
