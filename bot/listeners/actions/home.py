"""App Home buttons: set up / edit setup (open the modal), pause / resume prompts (then republish).

"Log evidence" (HomeAction.LOG_EVIDENCE) is handled by the evidence feature's own module.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.delivery.home import publish_home
from bot.deps import Deps
from bot.ids import HomeAction
from bot.listeners.surfaces import open_setup_modal
from bot.services.actor import Actor
from bot.services.home import set_paused


def setup_clicked(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps, actor: Actor) -> None:
    ack()
    open_setup_modal(client, deps, actor, body["trigger_id"])


def pause_clicked(ack: Ack, client: WebClient, deps: Deps, actor: Actor) -> None:
    ack()
    set_paused(deps.uow, actor.team_id, actor.slack_user_id, True, deps.now())
    publish_home(client, deps, actor.team_id, actor.slack_user_id)


def resume_clicked(ack: Ack, client: WebClient, deps: Deps, actor: Actor) -> None:
    ack()
    set_paused(deps.uow, actor.team_id, actor.slack_user_id, False, deps.now())
    publish_home(client, deps, actor.team_id, actor.slack_user_id)


def register(app: App, deps: Deps) -> None:
    app.action(HomeAction.START_SETUP)(setup_clicked)
    app.action(HomeAction.EDIT_SETUP)(setup_clicked)
    app.action(HomeAction.PAUSE_PROMPTS)(pause_clicked)
    app.action(HomeAction.RESUME_PROMPTS)(resume_clicked)
