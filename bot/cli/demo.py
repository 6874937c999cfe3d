"""`growthbot demo`: a few simulated weeks of growthbot, offline, in under half a minute.

Needs no tokens and no network: the fake Slack runs in this process, the real app is served over
HTTP on 127.0.0.1, the database is a fresh SQLite file in a temporary directory, and the real tick
runs on a simulated clock. It reads no settings, so a `.env` for a live bot never changes the demo.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

DEFAULT_WIDTH = 100  # when the output is not a terminal
MIN_WIDTH, MAX_WIDTH = 60, 200


def terminal_width() -> int:
    """The terminal's width (or DEFAULT_WIDTH when there is none), within what the transcript supports."""
    columns = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    return max(MIN_WIDTH, min(columns, MAX_WIDTH))


def reader_zone() -> str:
    """The reader's time zone: $TZ, else the system's (/etc/localtime), else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if not name:
            continue
        try:
            return ZoneInfo(name).key
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return "UTC"


@click.command()
@click.option("--weeks", type=click.IntRange(1, 12), default=4, show_default=True, help="Simulated weeks to play.")
@click.option("--seed", type=int, default=7, show_default=True, help="Changes who answers how, and with what.")
@click.option(
    "--json",
    "json_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write every Block Kit payload here, one JSON file each, for Slack's Block Kit Builder.",
)
@click.option("--quiet", is_flag=True, help="Print only the final digest and the coverage summary.")
@click.option(
    "--team",
    "team_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A team file like examples/demo_team.yaml (default: that one).",
)
@click.option(
    "--width",
    type=click.IntRange(MIN_WIDTH, MAX_WIDTH),
    help=f"Transcript width (default: the terminal's, else {DEFAULT_WIDTH}).",
)
@click.option("--full", is_flag=True, help="Show every message and modal in full (the default shows each kind once).")
@click.option(
    "--frameworks-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    envvar="GROWTHBOT_FRAMEWORKS_DIR",
    help="The team's own ladders, loaded beside the bundled ones (default: $GROWTHBOT_FRAMEWORKS_DIR).",
)
@click.option("--tz", "reader_tz", help="Your time zone, for headings and times (default: this machine's).")
def demo(
    weeks: int,
    seed: int,
    json_dir: Path | None,
    quiet: bool,
    team_file: Path | None,
    width: int | None,
    full: bool,
    reader_tz: str | None,
    frameworks_dir: Path | None,
) -> None:
    """Play growthbot's weekly loop offline: prompts, answers, a check-in, a promotion, 1:1 digests."""
    from bot.demo.play import DemoOptions, run_demo
    from bot.demo.team import DEFAULT_TEAM_FILE, TeamFileError

    options = DemoOptions(
        weeks=weeks,
        seed=seed,
        json_dir=json_dir,
        quiet=quiet,
        team_file=team_file or DEFAULT_TEAM_FILE,
        width=width or terminal_width(),
        ansi=False,
        full=full,
        reader_tz=_zone(reader_tz) if reader_tz else reader_zone(),
        frameworks_dir=frameworks_dir,
    )
    try:
        result = run_demo(options)
    except TeamFileError as error:
        raise click.ClickException(str(error)) from None
    sys.stdout.flush()
    if result.exit_code:
        raise SystemExit(result.exit_code)


def _zone(name: str) -> str:
    try:
        return ZoneInfo(name).key
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(f"{name!r} is not a time zone such as Europe/Paris", param_hint="--tz") from None
