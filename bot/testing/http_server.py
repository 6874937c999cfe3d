"""Serve a Bolt app over real HTTP on 127.0.0.1, port 0, for end-to-end tests and the offline demo.

Flask adapter + werkzeug's threaded development server: the production HTTP server lives elsewhere
(slack-facts, "Socket Mode and HTTP mode": Bolt's built-in server is for development).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from werkzeug.serving import make_server

EVENTS_PATH = "/slack/events"


def serve_bolt_app(app: App, *, path: str = EVENTS_PATH) -> tuple[str, Callable[[], None]]:
    """Start serving ``app``; returns the URL Slack would post to and a function that stops the server."""
    handler = SlackRequestHandler(app)
    flask_app = Flask("growthbot-test")

    @flask_app.post(path)
    def slack_events() -> object:
        return handler.handle(request)

    server = make_server("127.0.0.1", 0, flask_app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="bolt-http", daemon=True
    )
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return f"http://127.0.0.1:{server.server_port}{path}", stop
