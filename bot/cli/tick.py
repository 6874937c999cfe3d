"""`growthbot tick [--now ISO8601]`: run exactly one tick (prompts and digests), as if the clock read NOW."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import click

from bot.cli import CliContext, pass_cli
from bot.cli.checks import check_schema, load_ladders, require
from storage.clock import as_naive_utc, utcnow


def parse_now(value: str) -> datetime:
    """ISO 8601; without an offset the time is UTC. Returned as naive UTC."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return as_naive_utc(datetime.fromisoformat(text))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 time such as 2024-03-04T09:00:00Z") from None


def clock_from(start: datetime) -> Callable[[], datetime]:
    """A clock that reads `start` now and moves on in real time (claims and retries need time to pass)."""
    origin = time.monotonic()

    def now() -> datetime:
        return start + timedelta(seconds=time.monotonic() - origin)

    return now


@click.command()
@click.option("--now", "now_text", metavar="ISO8601", help="Run as if the clock read this time (UTC unless an offset).")
@pass_cli
def tick(cli: CliContext, now_text: str | None) -> None:
    """Run one tick: plan and send due prompts and reminders, send due digests."""
    from bot.scheduler import tick as run_one_tick
    from bot.wiring import build

    settings = cli.settings
    if settings.oauth_install:  # each installed workspace is ticked with its own token
        require(settings, "slack_client_id", "slack_client_secret")
    else:
        require(settings, "slack_bot_token")
    library = load_ladders(settings)
    check_schema(settings)
    wired = build(settings, library=library)
    start = parse_now(now_text) if now_text else utcnow()
    deps = dataclasses.replace(wired.deps, now=clock_from(start))
    try:
        results = run_one_tick(deps)
    finally:
        wired.engine.dispose()
    if not _echo(results):
        raise SystemExit(1)


def _echo(results: dict[str, object], prefix: str = "") -> bool:
    """One line per task (an OAuth install's workspaces each under their tenant id); False if one failed."""
    ok = True
    for name, result in results.items():
        if name == "workspaces" and isinstance(result, dict):
            for tenant_id, outcome in result.items():
                if isinstance(outcome, dict):
                    ok = _echo(outcome, f"{tenant_id} ") and ok
                else:
                    ok = _echo({"tick": outcome}, f"{tenant_id} ") and ok
        elif isinstance(result, Exception):
            ok = False
            click.echo(f"{prefix}{name}: failed: {result.__class__.__name__}: {result}", err=True)
        else:
            summary = getattr(result, "summary", None)
            click.echo(f"{prefix}{name}: {summary() if callable(summary) else result}")
    return ok
