"""Opening the setup modal, shared by `/ladder setup`, the App Home and the framework picker.

Publishing the App Home is outbound Slack shared with the tick: bot.delivery.home.
"""

from __future__ import annotations

from slack_sdk import WebClient

from bot.blocks.onboarding import setup_modal
from bot.deps import Deps
from bot.services.actor import Actor
from bot.services.onboarding import prefill_for


def open_setup_modal(client: WebClient, deps: Deps, actor: Actor, trigger_id: str) -> None:
    """Call right after ack(): the trigger_id is single use and expires after about 3 seconds."""
    prefill = prefill_for(deps.uow, deps.library, deps.settings, actor)
    client.views_open(trigger_id=trigger_id, view=setup_modal(deps.library, prefill))
