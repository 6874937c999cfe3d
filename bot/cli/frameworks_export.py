"""`growthbot frameworks export ID --format md|csv|xlsx [-o OUT]`: a loaded ladder as a file people can edit.

Edit it in a wiki or a spreadsheet and read it back with `growthbot frameworks import OUT --into
LADDER.yaml`: behaviours whose wording is unchanged or lightly edited keep their ids.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.cli import CliContext, pass_cli
from frameworks import FrameworkError, load_library, match_framework
from frameworks.lookups import AmbiguousMatch
from frameworks.sheet_import import SheetImportError
from frameworks.sheet_import.export import EXPORT_FORMATS, to_csv, to_markdown, to_xlsx


@click.command("export")
@click.argument("framework_id", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write here (default: stdout).")
@pass_cli
def export_command(cli: CliContext, framework_id: str, fmt: str, output: Path | None) -> None:
    """Write ladder ID as Markdown, CSV or XLSX to edit and re-import with `frameworks import --into`."""
    directory = cli.settings.frameworks_dir
    try:
        framework = match_framework(load_library([directory] if directory else []), framework_id)
    except (FrameworkError, AmbiguousMatch) as error:
        raise click.ClickException(str(error)) from None
    if framework is None:
        raise click.ClickException(f"No ladder matches {framework_id!r}; `growthbot frameworks list` shows them all.")
    try:
        content: str | bytes = {"md": to_markdown, "csv": to_csv, "xlsx": to_xlsx}[fmt](framework)
    except SheetImportError as error:
        raise click.ClickException(str(error)) from None
    if output is None:
        if isinstance(content, bytes):
            if sys.stdout.isatty():
                raise click.ClickException("an .xlsx workbook is binary: write it to a file with -o LADDER.xlsx.")
            click.get_binary_stream("stdout").write(content)
        else:
            click.echo(content, nl=False)
        return
    try:
        if isinstance(content, bytes):
            output.write_bytes(content)
        else:
            output.write_text(content, encoding="utf-8", newline="")
    except OSError as error:
        raise click.ClickException(f"{output}: cannot write it ({error.strerror or error}).") from None
    count = framework.behaviour_count
    click.echo(
        f"wrote {output}: {framework.id}, {len(framework.areas)} areas, {count} behaviours. Re-import with "
        f"`growthbot frameworks import {output} --into {framework.path.name if framework.path else 'LADDER.yaml'}`.",
        err=True,
    )
