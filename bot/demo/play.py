"""`run_demo(options)`: the whole demo in one call, used by `growthbot demo` and by its end-to-end test."""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot.demo import render
from bot.demo import summary as summaries
from bot.demo.runner import DemoWorld, quiet_logging
from bot.demo.scenario import Scenario, start_of
from bot.demo.scenario_log import ScenarioLog
from bot.demo.shown import Shown
from bot.demo.team import DEFAULT_TEAM_FILE, Team, TeamFileError, load_team
from frameworks import FrameworkError, load_library


@dataclass(frozen=True)
class DemoOptions:
    weeks: int = 4
    seed: int = 7
    json_dir: Path | None = None
    quiet: bool = False
    team_file: Path = DEFAULT_TEAM_FILE
    out: TextIO | None = None  # None: standard output
    width: int = 100
    ansi: bool = False
    full: bool = False  # False: the brief transcript (each kind of thing in full once)
    reader_tz: str = "UTC"  # the zone of the person reading: headings and "your time"
    frameworks_dir: Path | None = None  # the team's own ladders (GROWTHBOT_FRAMEWORKS_DIR), beside the bundled


@dataclass
class DemoResult:
    shown: list[Shown]
    log: ScenarioLog
    summary: summaries.Summary
    problems: list[str] = field(default_factory=list)
    unhandled: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


def run_demo(options: DemoOptions) -> DemoResult:
    """Play the scenario on a fresh world and print the transcript (unless quiet) and the summary."""
    started = time.monotonic()
    out = options.out if options.out is not None else sys.stdout
    team = load_team(options.team_file)
    check_team_ladders(team, options.team_file, options.frameworks_dir)
    with quiet_logging(), tempfile.TemporaryDirectory(prefix="growthbot-demo-") as tmp:
        world = DemoWorld(
            team,
            Path(tmp),
            start=start_of(team),
            out=None if options.quiet else out,
            json_dir=options.json_dir,
            width=options.width,
            ansi=options.ansi,
            full=options.full,
            reader_tz=options.reader_tz,
            frameworks_dir=options.frameworks_dir,
        )
        with world:
            _banner(out, options, team.name)
            log = Scenario(world, team, weeks=options.weeks, seed=options.seed).play()
            summary = summaries.build(world, log)
            summaries.print_final(out, world, summary, width=options.width, brief=not options.full)
            problems, unhandled = list(world.problems), list(world.unhandled)
    result = DemoResult(world.transcript.shown, log, summary, problems, unhandled, time.monotonic() - started)
    _footer(out, options, result)
    return result


def check_team_ladders(team: Team, team_file: Path, frameworks_dir: Path | None) -> None:
    """Every ladder the team file names is loaded (bundled or from `frameworks_dir`), before the demo starts."""
    try:
        library = load_library([frameworks_dir] if frameworks_dir else [])
    except FrameworkError as error:
        raise TeamFileError(f"the team's ladders do not load: {error}") from None
    for member in team.members:
        if member.framework not in library:
            where = f"bundled or in {frameworks_dir}" if frameworks_dir else "bundled (set GROWTHBOT_FRAMEWORKS_DIR)"
            raise TeamFileError(
                f"{team_file}: {member.name} is on ladder {member.framework!r}, which is not loaded ({where}); "
                f"loaded ladders: {', '.join(sorted(library))}."
            )


def _banner(out: TextIO, options: DemoOptions, team_name: str) -> None:
    head = (
        f"growthbot demo · {team_name} · {options.weeks} simulated week{'s' if options.weeks != 1 else ''} · "
        f"seed {options.seed}"
    )
    how = "Offline: a fake Slack in this process, the real app over HTTP, a fresh SQLite file, a simulated clock."
    if not options.full:
        how = "Offline (fake Slack, real app, simulated clock); each kind of message once, --full for all."
    for line in [*render.wrap(head, options.width), *render.wrap(how, options.width)]:
        out.write(line + "\n")


def _footer(out: TextIO, options: DemoOptions, result: DemoResult) -> None:
    out.write("\n")
    if options.json_dir is not None:
        files = sum(1 for item in result.shown if item.payload)
        wrote = f"Wrote {files} Block Kit payloads to {options.json_dir} (paste into Slack's Block Kit Builder)."
        for line in render.wrap(wrote, options.width):
            out.write(line + "\n")
    for item in dict.fromkeys([*result.log.unavailable, *result.unhandled]):
        out.write(f"Not shown, {item}: not available yet in this build.\n")
    for problem in result.problems:
        out.write(f"PROBLEM: {problem}\n")
    out.write(f"Done in {result.seconds:.1f} s.\n")
