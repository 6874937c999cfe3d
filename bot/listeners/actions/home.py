"""App Home buttons: set up / edit setup (open the modal), pause / resume prompts (then republish).

"Log evidence" (HomeAction.LOG_EVIDENCE) is handled by the evidence feature's own module.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.ids import HomeAction
from bot.listeners.surfaces import open_setup_modal, publish_home
from bot.services.home import set_paused


def register(app: App, deps: Deps) -> None:
    @app.action(HomeAction.START_SETUP)
    @app.action(HomeAction.EDIT_SETUP)
    def setup_clicked(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_setup_modal(client, deps, body["team"]["id"], body["user"]["id"], body["trigger_id"])

    @app.action(HomeAction.PAUSE_PROMPTS)
    def pause_clicked(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        set_paused(deps.uow, body["team"]["id"], body["user"]["id"], True, deps.now())
        publish_home(client, deps, body["team"]["id"], body["user"]["id"])

    @app.action(HomeAction.RESUME_PROMPTS)
    def resume_clicked(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        set_paused(deps.uow, body["team"]["id"], body["user"]["id"], False, deps.now())
        publish_home(client, deps, body["team"]["id"], body["user"]["id"])
