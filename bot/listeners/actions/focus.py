"""App Home's "Choose focus": open the focus modal with the person's next-milestone behaviours."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.focus import focus_modal
from bot.deps import Deps
from bot.ids import FocusAction
from bot.services.actor import Actor
from bot.services.focus_requests import show_focus


def open_focus(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps, actor: Actor) -> None:
    ack()
    shown = show_focus(deps.uow, deps.library, actor)
    client.views_open(
        trigger_id=body["trigger_id"],
        view=focus_modal(shown.choices, [item.behaviour_id for item in shown.items]),
    )


def register(app: App, deps: Deps) -> None:
    app.action(FocusAction.OPEN)(open_focus)
