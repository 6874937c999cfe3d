"""`growthbot run` (Socket Mode) and `growthbot serve` (HTTP behind gunicorn).

Both refuse to start on an outdated database schema (run `growthbot db upgrade`, or set
GROWTHBOT_DB_AUTO_UPGRADE=true) and name any missing Slack variable.
"""

from __future__ import annotations

import logging

import click
from flask import Flask

from bot.cli import CliContext, pass_cli
from bot.settings import Settings, SettingsError
from storage.db import make_engine
from storage.migrate import SchemaOutdated, ensure_schema_current

log = logging.getLogger(__name__)


def _require(settings: Settings, *names: str) -> None:
    try:
        settings.require(*names)
    except SettingsError as error:
        raise click.ClickException(str(error)) from None


def _check_schema(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    try:
        ensure_schema_current(engine, settings.database_auto_upgrade)
    except SchemaOutdated as error:
        raise click.ClickException(str(error)) from None
    finally:
        engine.dispose()  # workers open their own connections; none may cross gunicorn's fork


@click.command()
@click.option("--no-scheduler", is_flag=True, help="Do not run the weekly prompt and digest tick in this process.")
@pass_cli
def run(cli: CliContext, no_scheduler: bool) -> None:
    """Run the bot in Socket Mode (no public URL needed; needs SLACK_APP_TOKEN)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import create_app
    from bot.server import start_scheduler_if_available
    from bot.wiring import build

    settings = cli.settings
    _require(settings, "slack_bot_token", "slack_app_token")
    _check_schema(settings)
    wired = build(settings)
    app = create_app(wired.deps, socket_mode=True)
    if not no_scheduler:
        start_scheduler_if_available(wired.deps)
    click.echo("growthbot is connecting to Slack in Socket Mode (Ctrl-C to stop).")
    SocketModeHandler(app, settings.slack_app_token).start()


@click.command()
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on.")
@click.option("--port", default=3000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="gunicorn worker processes.")
@click.option("--threads", default=16, show_default=True, type=click.IntRange(1, 256), help="Threads per worker.")
@click.option("--no-scheduler", is_flag=True, help="Do not run the weekly prompt and digest tick in the workers.")
@pass_cli
def serve(cli: CliContext, host: str, port: int, workers: int, threads: int, no_scheduler: bool) -> None:
    """Serve Slack over HTTP (POST /slack/events, GET /healthz) with gunicorn."""
    from bot.server import GunicornServer, gunicorn_options

    settings = cli.settings
    _require(settings, "slack_bot_token", "slack_signing_secret")
    _check_schema(settings)
    click.echo(f"growthbot is serving Slack at http://{host}:{port}/slack/events ({workers} workers).")
    GunicornServer(
        lambda: build_wsgi_app(settings, scheduler=not no_scheduler), gunicorn_options(host, port, workers, threads)
    ).run()


def build_wsgi_app(settings: Settings, *, scheduler: bool) -> Flask:
    """One gunicorn worker's application (called after the fork)."""
    from bot.app import create_app
    from bot.server import create_flask_app, start_scheduler_if_available
    from bot.wiring import build

    wired = build(settings)
    app = create_app(wired.deps)
    if scheduler:
        # Every worker runs the tick: schedule state lives in the database and is claimed row by row,
        # so several ticks never send the same prompt twice.
        start_scheduler_if_available(wired.deps)
    return create_flask_app(app, wired.deps)
