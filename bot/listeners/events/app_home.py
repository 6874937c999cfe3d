"""app_home_opened: (re)publish the Home tab. Idempotent, so a redelivered event only publishes again."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.delivery.home import publish_home
from bot.deps import Deps
from bot.services.actor import Actor
from bot.services.home import home_for


def home_opened(event: dict[str, Any], client: WebClient, deps: Deps, actor: Actor) -> None:
    if event.get("tab", "home") != "home":
        return  # the Messages tab needs nothing
    home = home_for(deps.uow, deps.library, actor.team_id, actor.slack_user_id, deps.now(), opened=True)
    publish_home(client, deps, actor.team_id, actor.slack_user_id, home)


def register(app: App, deps: Deps) -> None:
    app.event("app_home_opened")(home_opened)
