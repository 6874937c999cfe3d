"""A new ladder picked in the setup modal: rebuild the modal so the level choices are that ladder's."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.onboarding import setup_modal
from bot.deps import Deps
from bot.ids import OnboardingAction
from bot.services.actor import Actor
from bot.services.onboarding import prefill_for


def framework_changed(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, deps: Deps, actor: Actor
) -> None:
    ack()
    chosen = (action.get("selected_option") or {}).get("value")
    prefill = prefill_for(deps.uow, deps.library, deps.settings, actor)
    view = body["view"]
    # The hash makes Slack refuse the update if the modal changed meanwhile (a newer click won).
    client.views_update(view_id=view["id"], hash=view.get("hash"), view=setup_modal(deps.library, prefill, chosen))


def register(app: App, deps: Deps) -> None:
    app.action(OnboardingAction.FRAMEWORK)(framework_changed)
