"""The App Home, published: after anything that changes what it shows (evidence saved, prompts paused,
a manager link accepted, a check-in submitted, a promotion), by the listeners and the delivery steps alike.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.home import home_view
from bot.deps import Deps
from bot.services.home import HomeData, home_for

log = logging.getLogger(__name__)


def publish_home(client: WebClient, deps: Deps, team_id: str, user_id: str, data: HomeData | None = None) -> None:
    """`data`: the Home already read by the service the listener called (else it is read here)."""
    data = data or home_for(deps.uow, deps.library, team_id, user_id, deps.now())
    client.views_publish(user_id=user_id, view=home_view(data, deps.now()))


def refresh_home(client: WebClient, deps: Deps, team_id: str, user_id: str, data: HomeData | None = None) -> None:
    """Republish App Home; a failure here must not turn a saved answer into an error message."""
    try:
        publish_home(client, deps, team_id, user_id, data)
    except SlackApiError as error:
        log.warning("could not refresh App Home for %s: %s", user_id, error.response.get("error"))
