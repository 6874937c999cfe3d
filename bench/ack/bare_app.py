"""The baseline for bench/ack: a Bolt app that only acknowledges `/ladder`, on growthbot's server stack
(gunicorn gthread workers + Bolt's Flask adapter, the options `growthbot serve` uses).

    python bench/ack/bare_app.py --port 3001 --workers 2 --threads 16

Reads SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and SLACK_API_URL like the real bot.
"""

from __future__ import annotations

import argparse
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flask import Flask, Response, request

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from slack_bolt import Ack, App
from slack_bolt.adapter.flask import SlackRequestHandler

from bot.app import DEFAULT_LISTENER_THREADS
from bot.server import EVENTS_PATH, GunicornServer, gunicorn_options
from bot.slack_client import make_web_client


def build() -> Flask:
    app = App(
        name="bare",
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        client=make_web_client(os.environ["SLACK_BOT_TOKEN"], os.environ["SLACK_API_URL"]),
        listener_executor=ThreadPoolExecutor(DEFAULT_LISTENER_THREADS),
    )

    @app.command("/ladder")
    def ladder(ack: Ack) -> None:
        ack()

    handler = SlackRequestHandler(app)
    flask_app = Flask("bare")

    @flask_app.post(EVENTS_PATH)
    def slack_events() -> Response:
        return handler.handle(request)

    @flask_app.get("/healthz")
    def healthz() -> tuple[dict[str, str], int]:
        return {"status": "ok"}, 200

    return flask_app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()
    GunicornServer(build, gunicorn_options(args.host, args.port, args.workers, args.threads)).run()


if __name__ == "__main__":
    main()
