"""Redraw a prompt DM in place to show the prompt's state in the database (answered, skipped, paused...)."""

from __future__ import annotations

import logging
from typing import Literal

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.prompt import (
    prompt_answered_blocks,
    prompt_blocks,
    prompt_closed_blocks,
    prompt_paused_blocks,
    prompt_skipped_blocks,
    prompt_snoozed_blocks,
    prompt_text,
)
from bot.blocks.when import day_label, when_label
from bot.deps import Deps
from bot.services.prompt_content import shown_prompt

log = logging.getLogger(__name__)

PromptLook = Literal["auto", "snoozed"]


def redraw_prompt(client: WebClient, deps: Deps, prompt_id: int, look: PromptLook = "auto") -> bool:
    """Update the prompt DM in place (chat.update) to show the prompt's state in the database; False
    when it could not be (the message is gone, Slack failed): what changed is saved either way."""
    with deps.uow() as uow:
        shown = shown_prompt(uow, deps.library, prompt_id, snoozed=look == "snoozed")
    if shown is None:
        return False
    content = shown.content
    if shown.look == "answered":
        blocks = prompt_answered_blocks(content, shown.answers)
    elif shown.look == "skipped":
        blocks = prompt_skipped_blocks(content)
    elif shown.look == "closed":
        blocks = prompt_closed_blocks(content, "This prompt is closed.")
    elif shown.look == "paused":
        blocks = prompt_paused_blocks(content, day_label(shown.until, shown.tz))
    elif shown.look == "snoozed":
        blocks = prompt_snoozed_blocks(content, f"on {when_label(shown.until, shown.tz)}")
    else:
        blocks = prompt_blocks(content)
    try:
        client.chat_update(
            channel=shown.channel_id,
            ts=shown.message_ts,
            text=prompt_text(content),
            blocks=[b.to_dict() for b in blocks],
        )
    except SlackApiError as error:
        log.warning("prompt %s not redrawn: %s", prompt_id, error.response.get("error"))
        return False
    return True
