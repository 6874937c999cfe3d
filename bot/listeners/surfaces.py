"""Two Slack calls several listeners share: publish someone's App Home, open the setup modal.

Any feature that changes what the Home shows (evidence logged, prompts paused, a manager link
accepted) calls `publish_home` afterwards.
"""

from __future__ import annotations

from slack_sdk import WebClient

from bot.blocks.home import home_view
from bot.blocks.onboarding import setup_modal
from bot.deps import Deps
from bot.services.actor import Actor
from bot.services.home import HomeData, home_for
from bot.services.onboarding import prefill_for


def publish_home(client: WebClient, deps: Deps, team_id: str, user_id: str, data: HomeData | None = None) -> None:
    """`data`: the Home already read by the service the listener called (else it is read here)."""
    data = data or home_for(deps.uow, deps.library, team_id, user_id, deps.now())
    client.views_publish(user_id=user_id, view=home_view(data, deps.now()))


def open_setup_modal(client: WebClient, deps: Deps, actor: Actor, trigger_id: str) -> None:
    """Call right after ack(): the trigger_id is single use and expires after about 3 seconds."""
    prefill = prefill_for(deps.uow, deps.library, deps.settings, actor)
    client.views_open(trigger_id=trigger_id, view=setup_modal(deps.library, prefill))
