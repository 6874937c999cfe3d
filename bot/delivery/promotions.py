"""The DM telling an engineer they were promoted (sent right after the manager confirms)."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.blocks.promotion import promoted_dm_blocks, promoted_dm_text
from bot.deps import Deps
from bot.services.promotion_requests import Promoted

log = logging.getLogger(__name__)


def tell_promoted(deps: Deps, promoted: Promoted) -> bool:
    """True when the DM went out. A failure is logged, never undoes the promotion (it is recorded)."""
    try:
        channel = deps.client.conversations_open(users=promoted.person_slack_id)["channel"]["id"]
        deps.client.chat_postMessage(
            channel=channel,
            text=promoted_dm_text(promoted),
            blocks=[block.to_dict() for block in promoted_dm_blocks(promoted)],
        )
    except SlackApiError as error:
        code = str(error.response.get("error", "")) if error.response is not None else ""
        log.warning("promotion DM to %s not delivered (%s)", promoted.person_slack_id, code or error)
        return False
    return True
