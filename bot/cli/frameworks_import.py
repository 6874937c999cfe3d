"""`growthbot frameworks import FILE`: turn a ladder (Markdown, CSV/TSV, XLSX, JSON, front matter) into framework YAML.

The format is detected (frameworks.sheet_import.detect) unless `--format` says it. Prints what it found
(behaviours per area and level, every guess, and every line it could not place) and writes
the YAML to `-o OUT.yaml` or stdout; when the YAML goes to stdout the report goes to stderr. When no
behaviour at all was recognised nothing is written and the exit status is 1.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click
import yaml

from frameworks.loader import FrameworkError, parse_framework
from frameworks.markdown_import import ImportResult, MarkdownImportError, dump_yaml
from frameworks.sheet_import import FORMATS, import_file

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SUPPORTED_LAYOUTS = (
    "(a) a pipe table with one column per area and a row per level; "
    "(b) area headings with bullet lists under level markers such as 'Level 2', 'Milestone 3', 'L2:' "
    "or '## Level 2' (or, without markers, level headings holding bullet lists); "
    "(c) 'P1 |' level-marked lines each followed by '- ' items"
)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise click.ClickException(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise click.ClickException(f"{path}: is a directory, not a ladder file.") from None
    except OSError as error:
        raise click.ClickException(f"{path}: cannot read it ({error.strerror or error}).") from None


def _read_existing(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise click.ClickException(f"{path}: no such file (--into needs an existing ladder YAML).") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise click.ClickException(f"{path}: cannot read it as YAML ({error}).") from None
    if not isinstance(data, dict) or not isinstance(data.get("areas"), list):
        raise click.ClickException(f"{path}: not a ladder YAML (expected a mapping with an 'areas' list).")
    return data


def _validation_problem(text: str, name: str) -> str | None:
    try:
        parse_framework(text, name)
    except FrameworkError as error:
        return str(error)
    return None


def summary_table(result: ImportResult) -> str:
    """Areas down, levels across, behaviour counts inside ("n/a" for not-applicable cells, "-" for none)."""
    document = result.document
    levels = [str(level["id"]) for level in document["levels"]]
    header = ["area", *levels, "total"]
    rows: list[list[str]] = []
    for area in document["areas"]:
        cells = {str(c["level"]): c for c in area.get("cells", ())}
        counts = []
        for level in levels:
            cell = cells.get(level)
            if cell is None:
                counts.append("-")
            elif cell.get("not_applicable"):
                counts.append("n/a")
            else:
                counts.append(str(len(cell.get("behaviours", ()))))
        total = sum(int(c) for c in counts if c.isdigit())
        rows.append([area["id"], *counts, str(total)])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def _report(result: ImportResult, *, err: bool) -> None:
    document = result.document
    behaviours = sum(n for _area, _level, n in result.counts)
    click.echo(
        f"{document['id']}: {len(document['areas'])} areas x {len(document['levels'])} levels, {behaviours} behaviours",
        err=err,
    )
    click.echo(summary_table(result), err=err)
    guesses = getattr(result, "guesses", [])
    if guesses:
        click.echo(f"\n{len(guesses)} guess(es):", err=err)
        for guess in guesses:
            click.echo(f"  - {guess}", err=err)
    if result.unplaced:
        click.echo(f"\n{len(result.unplaced)} line(s) could not be placed:", err=err)
        for number, text in result.unplaced:
            click.echo(f"  line {number}: {text}", err=err)
    elif behaviours:
        click.echo("\nEvery line was placed.", err=err)


def _import(
    file: Path,
    framework_id: str | None,
    output: Path | None,
    into: Path | None,
    fmt: str | None = None,
    levels: str | None = None,
) -> None:
    if framework_id is not None and not _SLUG.match(framework_id):
        raise click.ClickException(
            f"--id {framework_id!r}: use lowercase letters, digits and dashes, starting with a letter or digit."
        )
    raw = _read_bytes(file)
    existing = _read_existing(into) if into else None
    try:
        result = import_file(
            raw,
            filename=file.name,
            fmt=fmt,
            levels=levels,  # type: ignore[arg-type]  (click.Choice has checked it)
            framework_id=framework_id,
            existing=existing,
        )
    except MarkdownImportError as error:
        raise click.ClickException(f"{file}: {error}") from None
    header = f"Imported from {file.name} by `growthbot frameworks import`"
    if into:
        header += f" into {into.name} (ids of unchanged behaviours kept)"
    header += ".\nReview it against the source and note every encoding decision here."
    rendered = dump_yaml(result.document, header=header)
    _report(result, err=output is None)
    if not sum(n for _area, _level, n in result.counts):
        click.echo(
            f"\nerror: no behaviours were recognised in {file}, so nothing was written. Behaviours are "
            f"bullet items or table cells placed under a level; the supported layouts are {SUPPORTED_LAYOUTS}. "
            f"See docs/frameworks.md, 'Importing from Markdown'.",
            err=True,
        )
        raise SystemExit(1)
    problem = _validation_problem(rendered, str(output or "<stdout>"))
    if problem:
        click.echo(f"\nwarning: the result does not load as a ladder yet: {problem}", err=True)
    if output is None:
        click.echo(rendered, nl=False)
        return
    try:
        output.write_text(rendered, encoding="utf-8")
    except OSError as error:
        raise click.ClickException(f"{output}: cannot write it ({error.strerror or error}).") from None
    click.echo(f"\nwrote {output}")


@click.argument("file", type=click.Path(path_type=Path, dir_okay=True))
@click.option("--id", "framework_id", metavar="ID", help="Framework id (default: from --into, else the title).")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the YAML here (default: stdout)."
)
@click.option(
    "--into",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="EXISTING.yaml",
    help="Re-import into this ladder: behaviours whose text is unchanged or nearly so keep their ids.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="The file's format (default: detected from its content and extension).",
)
@click.option(
    "--levels",
    type=click.Choice(["rows", "columns"]),
    help="In a spreadsheet grid (areas x levels): whether the levels are its rows or its columns.",
)
def _import_command(
    file: Path,
    framework_id: str | None,
    output: Path | None,
    into: Path | None,
    fmt: str | None,
    levels: str | None,
) -> None:
    """Import a career ladder (Markdown, CSV/TSV, XLSX, JSON or front-matter Markdown) as framework YAML.

    Markdown: a table with one column per area, headings with 'Level X' markers or level headings
    and bullet lists, 'P1 |' level-marked lists, or YAML front matter with topics. Spreadsheets: a row
    per behaviour (Area, Level, Behaviour columns) or a grid of areas x levels. Reports behaviours per
    area and level, every guess it made, and every line it could not place.
    """
    _import(file, framework_id, output, into, fmt, levels)


import_command = click.command("import")(_import_command)
