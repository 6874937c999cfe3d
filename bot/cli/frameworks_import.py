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
from frameworks.markdown_import import ImportResult, LadderImportError, dump_yaml, finish
from frameworks.markdown_import.finish import fallback_name
from frameworks.markdown_import.formats import read
from frameworks.sheet_import import FORMATS, detect_format, import_file
from frameworks.sheet_import.detect import decoded_text

# `--format` values: the sheet readers' names, with "markdown" also accepted for "md".
FORMAT_CHOICES = sorted({*FORMATS, "markdown"})

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
    click.echo(
        f"{document['id']}: {len(document['areas'])} areas x {len(document['levels'])} levels, "
        f"{result.behaviour_count} behaviours",
        err=err,
    )
    click.echo(summary_table(result), err=err)
    if result.guesses:
        click.echo(f"\n{len(result.guesses)} guess(es) (check them; --strict refuses them):", err=err)
        for guess in result.guesses:
            click.echo(f"  {guess}", err=err)
    if result.unplaced:
        click.echo(f"\n{len(result.unplaced)} line(s) could not be placed:", err=err)
        for number, text in result.unplaced:
            click.echo(f"  line {number}: {text}", err=err)
    elif result.behaviour_count:
        click.echo("\nEvery line was placed.", err=err)


def _import(
    file: Path,
    framework_id: str | None,
    output: Path | None,
    into: Path | None,
    *,
    fmt: str | None = None,
    levels: str | None = None,
    strict: bool = False,
) -> None:
    if framework_id is not None and not _SLUG.match(framework_id):
        raise click.ClickException(
            f"--id {framework_id!r}: use lowercase letters, digits and dashes, starting with a letter or digit."
        )
    raw = _read_bytes(file)
    existing = _read_existing(into) if into else None
    try:
        chosen = "md" if fmt == "markdown" else fmt
        if chosen is None:
            chosen, why = detect_format(raw, file.name)
            click.echo(f"Read as {chosen}: {why}.", err=output is None)
        if chosen == "md":
            ladder = read(
                decoded_text(raw),
                fmt="markdown",
                filename=file.name,
                levels=levels,  # type: ignore[arg-type]
                fallback_name=fallback_name(framework_id, file.name, existing),
            )
            result = finish(ladder, framework_id=framework_id, source_name=file.name, existing=existing)
        else:
            result = import_file(
                raw,
                filename=file.name,
                fmt=chosen,
                levels=levels,  # type: ignore[arg-type]  (click.Choice has checked it)
                framework_id=framework_id,
                existing=existing,
            )
    except LadderImportError as error:
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
    if strict and not result.is_certain:
        click.echo(
            f"\n--strict: {len(result.guesses)} guess(es) and {len(result.unplaced)} unplaced line(s), "
            "so nothing was written. Fix the source, or pass --levels/--format to settle a guess.",
            err=True,
        )
        raise SystemExit(2)
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
    type=click.Choice(FORMAT_CHOICES),
    help="The file's format (default: detected from its content and extension).",
)
@click.option(
    "--levels",
    type=click.Choice(["rows", "columns"]),
    help="Where a table's levels are (default: guessed from the labels, and the guess reported).",
)
@click.option("--strict", is_flag=True, help="Exit 2 and write nothing if anything was guessed or left out.")
def _import_command(
    file: Path,
    framework_id: str | None,
    output: Path | None,
    into: Path | None,
    fmt: str | None,
    levels: str | None,
    strict: bool,
) -> None:
    """Import a career ladder from Markdown (FILE.md) as framework YAML.

    Markdown: a table with one column per area, headings with 'Level X' markers or level headings
    and bullet lists, 'P1 |' level-marked lists, or YAML front matter with topics. Spreadsheets: a row
    per behaviour (Area, Level, Behaviour columns) or a grid of areas x levels. Reports behaviours per
    area and level, every guess it made, and every line it could not place.
    """
    _import(file, framework_id, output, into, fmt=fmt, levels=levels, strict=strict)


import_command = click.command("import")(_import_command)
