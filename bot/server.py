"""Production HTTP: Bolt's Flask adapter served by gunicorn (gthread workers).

    POST /slack/events   every Slack request (commands, interactivity, Events API)
    GET  /healthz        200 when the database answers `select 1`, 503 otherwise

Gunicorn forks its workers first and each worker builds its own app (engine, pools, scheduler), so
no database connection or thread crosses a fork.
"""

from __future__ import annotations

import gc
import importlib.util
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request
from gunicorn.app.base import BaseApplication
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from sqlalchemy import text

from bot.deps import Deps

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


def database_ok(deps: Deps) -> bool:
    try:
        with deps.uow() as uow:
            uow.session.execute(text("select 1"))
    except Exception as error:  # any failure means "not healthy"; the reason goes to the log
        log.warning("health check: database unreachable: %s", error)
        return False
    return True


def create_flask_app(bolt_app: App, deps: Deps) -> Flask:
    handler = SlackRequestHandler(bolt_app)
    flask_app = Flask("growthbot")

    @flask_app.post(EVENTS_PATH)
    def slack_events() -> Response:
        return handler.handle(request)

    @flask_app.get(HEALTH_PATH)
    def healthz() -> tuple[dict[str, str], int]:
        if database_ok(deps):
            return {"status": "ok"}, 200
        return {"status": "database unreachable"}, 503

    return flask_app


def start_scheduler_if_available(deps: Deps, *, tick: bool = True) -> Any:
    """Start the prompt/digest tick when this build has one (bot.scheduler) and `tick` is wanted; a
    process that does not tick (not wanted, or another process ticks its SQLite file) watches the
    ladder files instead, and one that wanted to tick takes over once that other process stops.
    Returns the scheduler started."""
    if importlib.util.find_spec("bot.scheduler") is None:
        log.info("no bot.scheduler module: running without the scheduler")
        return None
    from bot import scheduler  # type: ignore[attr-defined]

    started = scheduler.start_scheduler(deps) if tick else None
    return started if started is not None else scheduler.start_ladder_watch(deps, take_over=tick)


class GunicornServer(BaseApplication):  # type: ignore[misc]
    """gunicorn run from Python: `build_wsgi` is called once in each worker, after the fork."""

    def __init__(self, build_wsgi: Callable[[], Flask], options: dict[str, Any]) -> None:
        self._build_wsgi = build_wsgi
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Flask:
        app = self._build_wsgi()
        # Everything built so far (ladders, ORM mappings, Bolt and Flask) lives as long as the worker.
        # Left in the collected generations, each full collection walked all of it while holding the
        # GIL: 120 to 220 ms during which no request was acknowledged (seen in bench/ack).
        gc.freeze()
        return app


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        # Slack gives up after 3 s; a request still running after 30 s is stuck, not slow.
        "timeout": 30,
        "graceful_timeout": 20,
        "keepalive": 5,
        "preload_app": False,
        "accesslog": None,
        "errorlog": "-",
    }
