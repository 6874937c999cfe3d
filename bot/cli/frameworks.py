"""`growthbot frameworks ...`: list, show, validate and import career ladders."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from bot.cli import CliContext, pass_cli
from bot.cli.frameworks_import import import_command
from frameworks import (
    Behaviour,
    Framework,
    FrameworkError,
    Library,
    list_frameworks,
    load_library,
    load_paths,
    match_area,
    match_framework,
    match_level,
    show,
)
from frameworks.diff import diff_frameworks, render_diff
from frameworks.loader import bundled_paths, load_framework_file
from frameworks.lookups import AmbiguousMatch, AreaView, CellView, FrameworkOverview, LevelView, View

WIDTH = 100


@click.group()
def frameworks() -> None:
    """Career ladders: list, show, validate, import from Markdown."""


frameworks.add_command(import_command)


def _library(cli: CliContext) -> Library:
    directory = cli.settings.frameworks_dir
    try:
        return load_library([directory] if directory else [])
    except FrameworkError as error:
        raise click.ClickException(str(error)) from None


@frameworks.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_cli
def list_command(cli: CliContext, as_json: bool) -> None:
    """List the loaded ladders (bundled plus GROWTHBOT_FRAMEWORKS_DIR)."""
    summaries = list_frameworks(_library(cli))
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "id": s.id,
                        "name": s.name,
                        "areas": s.area_count,
                        "levels": s.level_count,
                        "behaviours": s.behaviour_count,
                        "status": s.status,
                        "status_note": s.status_note,
                    }
                    for s in summaries
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    rows = [[s.id, s.name, str(s.area_count), str(s.level_count), str(s.behaviour_count), s.status] for s in summaries]
    click.echo(_table(["id", "name", "areas", "levels", "behaviours", "status"], rows, numeric={2, 3, 4}))


@frameworks.command("show")
@click.argument("framework_id", metavar="ID")
@click.option("--area", "-a", help="One area (id or part of its name).")
@click.option("--level", "-l", help="One level (id, name or number).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_cli
def show_command(cli: CliContext, framework_id: str, area: str | None, level: str | None, as_json: bool) -> None:
    """Show a ladder, one area across levels, one level across areas, or one cell."""
    library = _library(cli)
    try:
        framework = match_framework(library, framework_id)
        if framework is None:
            raise click.ClickException(
                f"No ladder matches {framework_id!r}; `growthbot frameworks list` shows them all."
            )
        area_obj = match_area(framework, area) if area else None
        if area and area_obj is None:
            names = ", ".join(a.id for a in framework.areas)
            raise click.ClickException(f"{framework.name} has no area matching {area!r}; areas: {names}.")
        level_obj = match_level(framework, level) if level else None
        if level and level_obj is None:
            names = ", ".join(lv.id for lv in framework.levels)
            raise click.ClickException(f"{framework.name} has no level matching {level!r}; levels: {names}.")
    except AmbiguousMatch as error:
        raise click.ClickException(str(error)) from None
    view = show(framework, area_obj, level_obj)
    if as_json:
        click.echo(json.dumps(view_to_dict(view), indent=2, ensure_ascii=False))
    else:
        click.echo(render_view(view))


@frameworks.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@pass_cli
def validate_command(cli: CliContext, paths: Sequence[Path]) -> None:
    """Check ladder files or directories (default: bundled plus GROWTHBOT_FRAMEWORKS_DIR).

    Given files are checked together with the bundled ladders, so an id clash is caught before start-up.
    """
    for path in paths:
        if path.is_dir() and not _expand([path]):
            click.echo(f"no ladder files (*.yaml) found in {path}", err=True)
            raise SystemExit(1)
    try:
        if paths:
            library = load_paths(_unique([*bundled_paths(), *_expand(paths)]))
            shown = {p.resolve() for p in _expand(paths)}
        else:
            directory = cli.settings.frameworks_dir
            library = load_library([directory] if directory else [])
            shown = None
    except FrameworkError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from None
    checked = [f for f in library.frameworks if shown is None or (f.path and f.path.resolve() in shown)]
    for framework in checked:
        click.echo(f"ok  {framework.path}  {framework.id}: {framework.behaviour_count} behaviours")
    count = len(checked)
    click.echo(f"{count} ladder{'s' if count != 1 else ''} valid.")


def _expand(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
        else:
            files.append(path)
    return files


def _unique(paths: Sequence[Path]) -> list[Path]:
    seen: set[Path] = set()
    result = []
    for path in paths:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            result.append(path)
    return result


# ---------------------------------------------------------------------------------------------------
# Text rendering


def _table(headers: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:  # type: ignore[assignment]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        padded = [
            c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(padded).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def _wrap(text: str, indent: str, bullet: str = "") -> list[str]:
    return textwrap.wrap(
        text,
        width=WIDTH,
        initial_indent=indent + bullet,
        subsequent_indent=indent + " " * len(bullet),
        break_on_hyphens=False,
        break_long_words=False,
    ) or [indent + bullet]


def _behaviour_lines(framework: Framework, behaviours: Sequence[Behaviour], indent: str) -> list[str]:
    lines: list[str] = []
    heading: tuple[str | None, str | None] = (None, None)
    for behaviour in behaviours:
        key = (behaviour.track, behaviour.qualifier)
        if key != heading and key != (None, None):
            parts = []
            if behaviour.track:
                parts.append(f"{framework.track(behaviour.track).name} track")
            if behaviour.qualifier:
                parts.append(behaviour.qualifier)
            lines.append(f"{indent}{', '.join(parts)}:")
        heading = key
        lines.extend(_wrap(f"{behaviour.text}  [{behaviour.id}]", indent + "  ", "- "))
        for example in behaviour.examples:
            lines.extend(_wrap(f"e.g. {example}", indent + "      "))
    return lines


def _cell_lines(cell: CellView, title: str, indent: str = "") -> list[str]:
    if cell.not_applicable:
        title += "  (not applicable)"
    lines = [indent + title]
    if cell.summary:
        lines.extend(_wrap(cell.summary, indent + "  "))
    if cell.behaviours:
        lines.extend(_behaviour_lines(cell.framework, cell.behaviours, indent + "  "))
    elif not cell.not_applicable:
        lines.append(indent + "  (no behaviours listed)")
    return lines


def _header(framework: Framework) -> list[str]:
    lines = [f"{framework.name}  [{framework.id}, version {framework.version}]"]
    if not framework.is_complete:
        lines.extend(_wrap(f"Incomplete: {framework.status_note}", ""))
    return lines


def render_view(view: View) -> str:
    framework = view.framework
    lines = _header(framework)
    if isinstance(view, FrameworkOverview):
        if framework.description:
            lines += ["", *_wrap(framework.description, "")]
        if framework.source:
            lines.append(f"Source: {framework.source}")
        lines += ["", "Levels (lowest first):"]
        lines += [f"  {lv.id:<8} {lv.name}" for lv in framework.levels]
        if framework.tracks:
            lines += ["", "Tracks:"]
            lines += [f"  {t.id:<8} {t.name}" for t in framework.tracks]
        lines += ["", "Areas:"]
        for section in view.sections:
            indent = "  "
            if section.group is not None:
                lines.append(f"  {section.group.name}")
                indent = "    "
            width = max(len(a.id) for a in section.areas)
            for area in section.areas:
                count = len(area.behaviours)
                lines.append(f"{indent}{area.id:<{width}}  {area.name}  ({count} behaviour{'s' if count != 1 else ''})")
        lines += ["", f"`growthbot frameworks show {framework.id} --area ID` shows one area across levels."]
    elif isinstance(view, AreaView):
        lines += ["", f"Area: {view.area.name}  [{view.area.id}]"]
        if view.area.description:
            lines.extend(_wrap(view.area.description, "  "))
        for example in view.area.examples:
            lines.extend(_wrap(f"Example: {example}", "  "))
        for cell in view.cells:
            lines += ["", *_cell_lines(cell, f"{cell.level.name}  [{cell.level.id}]")]
    elif isinstance(view, LevelView):
        lines += ["", f"Level: {view.level.name}  [{view.level.id}]"]
        for cell in view.cells:
            lines += ["", *_cell_lines(cell, f"{cell.area.name}  [{cell.area.id}]")]
    else:
        lines += ["", *_cell_lines(view, f"{view.area.name} at {view.level.name}  [{view.area.id} / {view.level.id}]")]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------
# JSON


def _behaviour_dict(behaviour: Behaviour) -> dict[str, Any]:
    data: dict[str, Any] = {"id": behaviour.id, "text": behaviour.text}
    if behaviour.track:
        data["track"] = behaviour.track
    if behaviour.qualifier:
        data["qualifier"] = behaviour.qualifier
    if behaviour.examples:
        data["examples"] = list(behaviour.examples)
    return data


def _cell_dict(cell: CellView) -> dict[str, Any]:
    return {
        "area": cell.area.id,
        "level": cell.level.id,
        "summary": cell.summary,
        "not_applicable": cell.not_applicable,
        "behaviours": [_behaviour_dict(b) for b in cell.behaviours],
    }


def _framework_dict(framework: Framework) -> dict[str, Any]:
    return {
        "id": framework.id,
        "name": framework.name,
        "version": framework.version,
        "status": framework.status,
        "status_note": framework.status_note,
        "description": framework.description,
        "source": framework.source,
        "attribution": asdict(framework.attribution) if framework.attribution else None,
        "levels": [{"id": lv.id, "name": lv.name} for lv in framework.levels],
        "groups": [{"id": g.id, "name": g.name, "description": g.description} for g in framework.groups],
        "tracks": [{"id": t.id, "name": t.name, "description": t.description} for t in framework.tracks],
    }


def view_to_dict(view: View) -> dict[str, Any]:
    framework = view.framework
    data: dict[str, Any] = {"framework": _framework_dict(framework)}
    if isinstance(view, FrameworkOverview):
        data["areas"] = [
            {
                "id": area.id,
                "name": area.name,
                "group": area.group,
                "description": area.description,
                "examples": list(area.examples),
                "cells": [_cell_dict(show(framework, area, framework.level(c.level_id))) for c in area.cells],  # type: ignore[arg-type]
            }
            for area in framework.areas
        ]
    elif isinstance(view, AreaView):
        data["area"] = {
            "id": view.area.id,
            "name": view.area.name,
            "group": view.area.group,
            "description": view.area.description,
            "examples": list(view.area.examples),
        }
        data["cells"] = [_cell_dict(c) for c in view.cells]
    elif isinstance(view, LevelView):
        data["level"] = {"id": view.level.id, "name": view.level.name}
        data["cells"] = [_cell_dict(c) for c in view.cells]
    else:
        data["cell"] = _cell_dict(view)
    return data


from bot.cli.frameworks_import import import_command  # noqa: E402  (defined in its own module)

frameworks.add_command(import_command)

from bot.cli.frameworks_suggest import suggest_command  # noqa: E402  (defined in its own module)

frameworks.add_command(suggest_command)


@frameworks.command("diff")
@click.argument("old")
@click.argument("new")
@pass_cli
def diff_command(cli: CliContext, old: str, new: str) -> None:
    """What changed from OLD to NEW (each a ladder file or a loaded ladder's id)."""
    click.echo(render_diff(diff_frameworks(_ladder_or_file(cli, old), _ladder_or_file(cli, new))))


def _ladder_or_file(cli: CliContext, ref: str) -> Framework:
    path = Path(ref)
    if path.is_file():
        try:
            return load_framework_file(path)
        except FrameworkError as error:
            raise click.ClickException(str(error)) from None
    library = _library(cli)
    if ref in library:
        return library[ref]
    raise click.ClickException(
        f"{ref!r} is neither a ladder file nor a loaded ladder id; loaded: {', '.join(sorted(library))}."
    )


from bot.cli.frameworks_export import export_command  # noqa: E402  (defined in its own module)

frameworks.add_command(export_command)
