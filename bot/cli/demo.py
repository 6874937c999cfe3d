"""`growthbot demo`: a few simulated weeks of growthbot, offline, in under half a minute.

Needs no tokens and no network: the fake Slack runs in this process, the real app is served over
HTTP on 127.0.0.1, the database is a fresh SQLite file in a temporary directory, and the real tick
runs on a simulated clock. It reads no settings, so a `.env` for a live bot never changes the demo.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click


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
@click.option("--width", type=click.IntRange(60, 200), default=78, show_default=True, help="Transcript width.")
def demo(weeks: int, seed: int, json_dir: Path | None, quiet: bool, team_file: Path | None, width: int) -> None:
    """Play growthbot's weekly loop offline: prompts, answers, 1:1 digests."""
    from bot.demo.play import DemoOptions, run_demo
    from bot.demo.team import DEFAULT_TEAM_FILE, TeamFileError

    options = DemoOptions(
        weeks=weeks,
        seed=seed,
        json_dir=json_dir,
        quiet=quiet,
        team_file=team_file or DEFAULT_TEAM_FILE,
        width=width,
        ansi=False,
    )
    try:
        result = run_demo(options)
    except TeamFileError as error:
        raise click.ClickException(str(error)) from None
    sys.stdout.flush()
    if result.exit_code:
        raise SystemExit(result.exit_code)
