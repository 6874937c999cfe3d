"""`growthbot run` (Socket Mode) and `growthbot serve` (HTTP behind gunicorn).

Both check everything before connecting to Slack or starting gunicorn, and stop with one message:
a missing or malformed setting, ladders that do not load, an outdated database schema (run
`growthbot db upgrade`, or set GROWTHBOT_DB_AUTO_UPGRADE=true), an unusable DATABASE_URL, or a
SLACK_BOT_TOKEN that Slack refuses (auth.test). An empty database gets its schema: nothing to lose.
"""

from __future__ import annotations

import logging
import signal

import click
from flask import Flask

from bot.cli import CliContext, pass_cli
from bot.cli.checks import check_schema, load_ladders, require, verify_bot_token
from bot.settings import Settings
from frameworks import Library, LibraryHolder

log = logging.getLogger(__name__)


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
    require(settings, "slack_bot_token", "slack_app_token")
    library = load_ladders(settings)
    check_schema(settings, create_if_empty=True)
    verify_bot_token(settings)
    wired = build(settings, library=library)
    app = create_app(wired.deps, socket_mode=True)
    start_scheduler_if_available(wired.deps, tick=not no_scheduler)
    _reload_ladders_on_sighup(wired.deps.ladders)
    click.echo("growthbot is connecting to Slack in Socket Mode (Ctrl-C to stop).")
    SocketModeHandler(app, settings.slack_app_token).start()


def _reload_ladders_on_sighup(ladders: LibraryHolder) -> None:
    def reload(_signum: int, _frame: object) -> None:
        error = ladders.try_reload()
        if error is None:
            log.info("SIGHUP: ladders reloaded")
        else:
            log.error("SIGHUP: ladders not reloaded, keeping the last good ones: %s", error)

    signal.signal(signal.SIGHUP, reload)


@click.command()
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on.")
@click.option("--port", default=3000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="gunicorn worker processes.")
@click.option("--threads", default=16, show_default=True, type=click.IntRange(1, 256), help="Threads per worker.")
@click.option(
    "--no-scheduler",
    is_flag=True,
    help="Do not run the weekly prompt and digest tick (with several workers it runs in a process of its own).",
)
@pass_cli
def serve(cli: CliContext, host: str, port: int, workers: int, threads: int, no_scheduler: bool) -> None:
    """Serve Slack over HTTP (POST /slack/events, GET /healthz) with gunicorn."""
    from bot.server import GunicornServer, gunicorn_options

    settings = cli.settings
    require(settings, "slack_bot_token", "slack_signing_secret")
    library = load_ladders(settings)
    check_schema(settings, create_if_empty=True)  # disposes its engine: none may cross gunicorn's fork
    verify_bot_token(settings)
    click.echo(f"growthbot is serving Slack at http://{host}:{port}/slack/events ({workers} workers).")
    options = gunicorn_options(host, port, workers, threads)
    # Several workers: the tick runs in one process of its own beside them, never in a worker (bot/ticker.py).
    separate_tick = not no_scheduler and workers > 1
    if separate_tick:
        from bot.ticker import TickProcess

        tick_process = TickProcess()
        options.update(when_ready=tick_process.start, on_exit=tick_process.stop)
    GunicornServer(
        lambda: build_wsgi_app(settings, scheduler=not no_scheduler and not separate_tick, library=library),
        options,
    ).run()


def build_wsgi_app(settings: Settings, *, scheduler: bool, library: Library | None = None) -> Flask:
    """One gunicorn worker's application (called after the fork; `library` is the master's, checked at start)."""
    from bot.app import create_app
    from bot.server import create_flask_app, start_scheduler_if_available
    from bot.wiring import build

    wired = build(settings, library=library)
    app = create_app(wired.deps)
    # Only a lone worker ticks (`serve` runs the tick in its own process beside several); several ticks
    # would be safe anyway (claims are row by row). A worker that does not tick watches the ladders.
    start_scheduler_if_available(wired.deps, tick=scheduler)
    return create_flask_app(app, wired.deps)
