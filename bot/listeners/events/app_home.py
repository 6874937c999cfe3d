"""app_home_opened: (re)publish the Home tab. Idempotent, so a redelivered event only publishes again."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.listeners.surfaces import publish_home


def register(app: App, deps: Deps) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return  # the Messages tab needs nothing
        publish_home(client, deps, body["team_id"], event["user"])
