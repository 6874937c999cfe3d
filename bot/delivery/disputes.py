"""Telling the engineer about a dispute, and redrawing the manager's digest part after a sign-off.

bot.services.disputes and bot.services.signoff decide and store; this module renders and calls Slack.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.digest import with_verdict
from bot.blocks.disputes import disputed_dm_blocks, disputed_text
from bot.services.disputes import Disputed
from bot.slack_http import PooledWebhookClient

log = logging.getLogger(__name__)


def tell_engineer(client: WebClient, disputed: Disputed) -> None:
    """DM the engineer what their manager disputed (only what was newly disputed: a retry sends nothing)."""
    if not disputed.newly:
        return
    channel = client.conversations_open(users=disputed.engineer_slack_id)["channel"]["id"]
    blocks = [block.to_dict() for block in disputed_dm_blocks(disputed)]
    client.chat_postMessage(channel=channel, text=disputed_text(disputed), blocks=blocks)


def note_on_ephemeral_digest(response_url: str, line: str) -> None:
    """After a dispute from an ephemeral digest (`/ladder digest @person`), which Slack keeps nowhere the
    bot can read back to redraw: a short ephemeral note under it, through the click's response_url.
    Cosmetic: the dispute is stored and the engineer told whether or not this arrives."""
    try:
        answer = PooledWebhookClient(response_url).send(text=line, response_type="ephemeral", replace_original=False)
    except OSError as error:
        log.warning("dispute note not shown: %r", error)
        return
    if answer.status_code != 200:
        log.warning("dispute note not shown: response_url answered %s", answer.status_code)


def update_verdict_line(
    client: WebClient,
    *,
    channel_id: str,
    message_ts: str,
    blocks: list[dict[str, Any]],
    text: str,
    block_id: str,
    line: str,
) -> None:
    """chat.update of the digest part holding `block_id`, with its verdict line replaced."""
    client.chat_update(channel=channel_id, ts=message_ts, text=text, blocks=with_verdict(blocks, block_id, line))


def redraw_verdict_line(client: WebClient, *, channel_id: str, message_ts: str, block_id: str, line: str) -> None:
    """The same after a modal, which does not carry the message: read it back from the DM first.
    Cosmetic: the verdict or dispute is stored whether or not the redraw works."""
    try:
        answer = client.conversations_history(channel=channel_id, latest=message_ts, inclusive=True, limit=1)
        messages = [m for m in answer.get("messages") or [] if m.get("ts") == message_ts]
        if not messages:
            return
        message = messages[0]
        update_verdict_line(
            client,
            channel_id=channel_id,
            message_ts=message_ts,
            blocks=message.get("blocks") or [],
            text=message.get("text") or "Digest",
            block_id=block_id,
            line=line,
        )
    except SlackApiError as error:
        log.warning("digest part %s/%s not redrawn: %s", channel_id, message_ts, error.response.get("error"))
