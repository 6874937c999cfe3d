"""Socket Mode that stays connected: slack_sdk's ping/pong watchdog, reconnections logged and counted,
acks timed, and (with `growthbot run --http-port P`) `/healthz` and `/metrics` on a small HTTP server.

slack_sdk's built-in SocketModeClient pings the server every `ping_interval` seconds and, when no pong
came back for four intervals, closes the connection as stale; its monitor (same interval) then opens a
new one through apps.connections.open (`auto_reconnect_enabled`). That is the watchdog: this module
only bounds the interval (WATCHDOG_PING_SECONDS: a silent connection is replaced within about a
minute) and says so: a warning naming the reason and `growthbot_socket_mode_reconnects_total`.
(slack_sdk/socket_mode/builtin/connection.py `check_state`; client.py `_monitor_current_session`.)
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import Flask
from slack_bolt import App
from slack_bolt.adapter.socket_mode.base_handler import BaseSocketModeHandler
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from werkzeug.serving import BaseWSGIServer, make_server

from bot import metrics
from bot.deps import Deps
from bot.logs import request_reference

log = logging.getLogger(__name__)

WATCHDOG_PING_SECONDS = 10.0  # stale after 4 x 10 s without a pong; slack_sdk checks every 10 s


class WatchedSocketModeClient(SocketModeClient):
    """slack_sdk's client, telling the log and /metrics each time it has to reconnect, and why."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._closed_by_server = False
        super().__init__(*args, **kwargs)

    def _on_close(self, code: int, reason: str | None = None) -> None:
        self._closed_by_server = True
        super()._on_close(code, reason)

    def connect_to_new_endpoint(self, force: bool = False) -> None:
        # Called only to replace a session: the first connection goes through connect().
        reason = "closed" if self._closed_by_server else "stalled"
        self._closed_by_server = False
        if not self.closed:
            log.warning(
                "Socket Mode connection %s (no pong within %.0f s, or closed by Slack): reconnecting",
                reason,
                self.ping_interval * 4,
            )
            metrics.record_socket_reconnect(reason)
        super().connect_to_new_endpoint(force)


class WatchedSocketModeHandler(BaseSocketModeHandler):
    """Bolt's built-in SocketModeHandler with the watched client; each request's ack is timed and referenced."""

    def __init__(self, app: App, app_token: str, *, ping_interval: float = WATCHDOG_PING_SECONDS) -> None:
        self.app = app
        self.app_token = app_token
        self.client = WatchedSocketModeClient(
            app_token=app_token,
            logger=app.logger,
            web_client=app.client,
            auto_reconnect_enabled=True,
            ping_interval=ping_interval,
        )
        self.client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]

    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        start = time.time()
        with request_reference():
            response = run_bolt_app(self.app, req)
            send_response(client, req, response, start)
        metrics.observe_ack(req.type or "other", time.time() - start)


def serve_health_and_metrics(deps: Deps, host: str, port: int) -> BaseWSGIServer:
    """`/healthz` and `/metrics` for a Socket Mode process (no Slack requests arrive over HTTP)."""
    from bot.server import add_health_and_metrics

    flask_app = Flask("growthbot-socket-mode")
    add_health_and_metrics(flask_app, deps)
    server = make_server(host, port, flask_app, threaded=True)
    threading.Thread(target=server.serve_forever, name="health-http", daemon=True).start()
    return server
