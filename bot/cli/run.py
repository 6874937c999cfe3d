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
@click.option(
    "--http-port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Also serve GET /healthz and GET /metrics on this port (Socket Mode has no other HTTP).",
)
@click.option("--http-host", default="127.0.0.1", show_default=True, help="Address for --http-port.")
@pass_cli
def run(cli: CliContext, no_scheduler: bool, http_port: int | None, http_host: str) -> None:
    """Run the bot in Socket Mode (no public URL needed; needs SLACK_APP_TOKEN)."""
    from bot.app import create_app
    from bot.server import start_scheduler_if_available
    from bot.socket_mode import WatchedSocketModeHandler, serve_health_and_metrics
    from bot.wiring import build

    settings = cli.settings
    if settings.oauth_install:
        raise click.ClickException(
            "SLACK_CLIENT_ID is set: an OAuth install answers Slack over HTTP (its install page and redirect "
            "need a public address). Run `growthbot serve`, or unset SLACK_CLIENT_ID to use Socket Mode."
        )
    require(settings, "slack_bot_token", "slack_app_token")
    library = load_ladders(settings)
    check_schema(settings, create_if_empty=True)
    verify_bot_token(settings)
    wired = build(settings, library=library)
    app = create_app(wired.deps, socket_mode=True)
    start_scheduler_if_available(wired.deps, tick=not no_scheduler)
    _reload_ladders_on_sighup(wired.deps.ladders)
    if http_port is not None:
        server = serve_health_and_metrics(wired.deps, http_host, http_port)
        click.echo(f"Health and metrics at http://{http_host}:{server.server_port}/healthz and /metrics.")
    click.echo("growthbot is connecting to Slack in Socket Mode (Ctrl-C to stop).")
    WatchedSocketModeHandler(app, settings.slack_app_token or "").start()


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
    if settings.oauth_install:
        require(settings, "slack_client_id", "slack_client_secret", "slack_signing_secret")
    else:
        require(settings, "slack_bot_token", "slack_signing_secret")
    library = load_ladders(settings)
    check_schema(settings, create_if_empty=True)  # disposes its engine: none may cross gunicorn's fork
    if settings.oauth_install:
        # The tick sends to each installed workspace with its own token (bot/delivery/workspaces.py).
        click.echo(f"OAuth install: add growthbot to a workspace at http://{host}:{port}/slack/install.")
    else:
        verify_bot_token(settings)
    click.echo(f"growthbot is serving Slack at http://{host}:{port}/slack/events ({workers} workers).")
    from bot import metrics

    if metrics.multiprocess_dir() is not None:
        metrics.clear_multiprocess_dir()  # values of an earlier run's workers must not be added in
    elif workers > 1:
        log.warning(
            "PROMETHEUS_MULTIPROC_DIR is not set: /metrics shows only the worker that answers the scrape "
            "(set it to an empty directory; see docs/deploying.md, Metrics)"
        )
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
