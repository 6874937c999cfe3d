"""Production HTTP: Bolt's Flask adapter served by gunicorn (gthread workers).

    POST /slack/events   every Slack request (commands, interactivity, Events API)
    GET  /healthz        200 when the database answers `select 1`, 503 otherwise
    GET  /metrics        Prometheus text format (bot/metrics.py)

Gunicorn forks its workers first and each worker builds its own app (engine, pools, scheduler), so
no database connection or thread crosses a fork.
"""

from __future__ import annotations

import gc
import importlib.util
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request
from gunicorn.app.base import BaseApplication
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import text

from bot import metrics
from bot.deps import Deps
from bot.logs import request_reference

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"


def database_ok(deps: Deps) -> bool:
    """`select 1` within GROWTHBOT_DB_TIMEOUT_SECONDS: the engine bounds connecting, PostgreSQL's
    statement_timeout bounds the query, and the wait here bounds anything else (a pooled connection
    to a server that stopped answering), so a check never holds its worker thread for long."""
    timeout = deps.settings.database_timeout_seconds
    outcome: list[bool] = []
    worker = threading.Thread(target=lambda: outcome.append(_select_one(deps, timeout)), daemon=True)
    worker.start()
    worker.join(timeout + 1)
    if not outcome:
        log.warning("health check: database did not answer within %.0f s", timeout)
        return False
    return outcome[0]


def _select_one(deps: Deps, timeout: float) -> bool:
    try:
        with deps.uow() as uow:
            if uow.session.get_bind().dialect.name == "postgresql":
                uow.session.execute(text(f"SET LOCAL statement_timeout = {int(timeout * 1000)}"))
            uow.session.execute(text("select 1"))
    except Exception as error:  # any failure means "not healthy"; the reason goes to the log
        log.warning("health check: database unreachable: %s", error)
        return False
    return True


# Fields Bolt reads as objects (`.get`, `["type"]`) before any listener runs; any other shape is malformed.
_OBJECT_FIELDS = ("event", "view", "container", "authorizations")
_OBJECT_OR_TEXT_FIELDS = ("team", "user", "enterprise", "channel", "message", "actions")


def malformed_reason(body: str, content_type: str | None) -> str | None:
    """Why Bolt could not read this (already signed) body, or None when it can. Bolt parses before its
    own checks and a shape it does not expect ends in an AttributeError, i.e. a 500."""
    try:
        payload = parse_body(body, content_type)
    except ValueError as error:  # json.JSONDecodeError included
        return f"not JSON ({type(error).__name__})"
    if not isinstance(payload, dict):
        return f"the payload is a {type(payload).__name__}, not an object"
    for name in _OBJECT_FIELDS:
        value = payload.get(name)
        if name == "authorizations" and value is not None:
            if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
                return "authorizations is not a list of objects"
        elif value is not None and not isinstance(value, dict):
            return f"{name} is a {type(value).__name__}, not an object"
    for name in _OBJECT_OR_TEXT_FIELDS:
        value = payload.get(name)
        if value is not None and not isinstance(value, dict | str | list):
            return f"{name} is a {type(value).__name__}"
    return None


def request_kind(body: str, content_type: str | None) -> str:
    """A small fixed label for the ack metric: what Slack sent, read from the body's shape only."""
    if body.startswith("command=") or "&command=" in body:
        return "slash_command"
    if body.startswith("payload=") or "&payload=" in body:
        return "interactivity"
    if (content_type or "").startswith("application/json"):
        return "event"
    return "other"


def _is_ssl_check(body: str) -> bool:
    return body.startswith("ssl_check=") or "&ssl_check=" in body


def _signed(verifier: SignatureVerifier, body: str) -> bool:
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    if not timestamp.isdigit():  # the verifier's int() would raise on a missing or forged stamp
        return False
    return verifier.is_valid(body=body, timestamp=timestamp, signature=request.headers.get("X-Slack-Signature", ""))


def create_flask_app(bolt_app: App, deps: Deps) -> Flask:
    handler = SlackRequestHandler(bolt_app)
    flask_app = Flask("growthbot")
    secret = deps.settings.slack_signing_secret
    verifier = SignatureVerifier(secret) if secret else None

    @flask_app.post(EVENTS_PATH)
    def slack_events() -> Response | tuple[str, int]:
        started = time.monotonic()
        body = request.get_data(as_text=True)
        try:
            with request_reference():
                return _answer(body)
        finally:
            metrics.observe_ack(request_kind(body, request.headers.get("Content-Type")), time.monotonic() - started)

    def _answer(body: str) -> Response | tuple[str, int]:
        # Checked here, before Bolt parses: a bad signature is 401 and a signed body Bolt cannot read is
        # 400, never Flask's 500. The log line names the reason, never the body.
        if _is_ssl_check(body):
            return handler.handle(request)  # Bolt answers it before verifying, as Slack may not sign it
        if verifier is not None and not _signed(verifier, body):
            log.info("refused %s: missing or bad signature (%d bytes)", EVENTS_PATH, len(body))
            return "invalid request", 401
        reason = malformed_reason(body, request.headers.get("Content-Type"))
        if reason is not None:
            log.warning("refused a signed %s body: %s (%d bytes)", EVENTS_PATH, reason, len(body))
            return "malformed request", 400
        try:
            return handler.handle(request)  # returns once the listener acked (or Bolt's 3 s passed)
        except (AttributeError, KeyError, TypeError, ValueError) as error:
            # Bolt reading a shape the screen above let through; listener errors end in bot.errors.
            log.warning("refused a signed %s body Bolt could not read: %s", EVENTS_PATH, type(error).__name__)
            return "malformed request", 400

    if deps.oauth is not None:
        from bot.oauth import INSTALL_PATH, REDIRECT_PATH

        @flask_app.get(INSTALL_PATH)
        def slack_install() -> Response:
            return handler.handle(request)  # Bolt's "Add to Slack" page, with a fresh state

        @flask_app.get(REDIRECT_PATH)
        def slack_oauth_redirect() -> Response:
            return handler.handle(request)  # Bolt checks the state, calls oauth.v2.access, stores the install

    add_health_and_metrics(flask_app, deps)
    return flask_app


def add_health_and_metrics(flask_app: Flask, deps: Deps) -> None:
    """`GET /healthz` (200 when the database answers in time, 503 otherwise) and `GET /metrics`, for
    `serve` and for a Socket Mode process's small HTTP server alike."""

    @flask_app.get(HEALTH_PATH)
    def healthz() -> tuple[dict[str, str], int]:
        if database_ok(deps):
            return {"status": "ok"}, 200
        return {"status": "database unreachable"}, 503

    flask_app.add_url_rule(METRICS_PATH, "metrics", metrics_response)


def metrics_response() -> Response:
    body, content_type = metrics.exposition()
    return Response(body, status=200, content_type=content_type)


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
        "child_exit": _child_exit,
    }


def _child_exit(_server: object, worker: Any) -> None:
    metrics.worker_exited(worker.pid)
