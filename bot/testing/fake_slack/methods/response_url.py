"""POSTs to a response_url: a reply (ephemeral or in channel), a replacement or a deletion."""

from __future__ import annotations

import json
import time
from typing import Any

from bot.testing.fake_slack.methods.chat import message_content
from bot.testing.fake_slack.protocol import Reply, SlackError, flag
from bot.testing.fake_slack.records import ResponseUrlPost
from bot.testing.fake_slack.state import Workspace

# facts, "Time limits": "A response_url accepts a few uses within 30 minutes (unverified number)".
RESPONSE_URL_MAX_USES = 5
RESPONSE_URL_TTL_S = 30 * 60


def post_to_response_url(world: Workspace, url: str, body: bytes) -> Reply:
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        payload = {"_raw": body.decode("utf-8", "replace")}
    if not isinstance(payload, dict):
        payload = {"_raw": payload}
    reply = _apply(world, url, payload)
    with world.lock:
        world.recorded.response_posts.append(ResponseUrlPost(url, payload, time.time(), reply.status))
    return reply


def _apply(world: Workspace, url: str, payload: dict[str, Any]) -> Reply:
    with world.lock:
        binding = world.response_urls.get(url)
        if binding is None:
            return Reply.text(404, "invalid_token")
        # facts, "Time limits": a few uses within 30 minutes (unverified number; 5 here).
        if time.monotonic() - binding.issued_at > RESPONSE_URL_TTL_S:
            return Reply.text(404, "expired_url")
        if binding.uses >= RESPONSE_URL_MAX_USES:
            return Reply.text(404, "used_url")
        binding.uses += 1
    if flag(payload.get("delete_original")):
        with world.lock:
            channel = world.channels.get(binding.channel_id or "")
            if channel and binding.message_ts in channel.messages:
                world.recorded.deleted.append(channel.messages.pop(binding.message_ts))
        return Reply.text(200, "ok")
    try:
        text, blocks = message_content(payload)
    except SlackError as error:
        return Reply.text(400, error.error)
    with world.lock:
        channel = world.channels.get(binding.channel_id or "")
        if channel is None and binding.user_id and binding.channel_id == world.dm_channel_for(binding.user_id):
            channel = world.open_dm(binding.user_id)[0]
        if flag(payload.get("replace_original")) and channel and binding.message_ts in channel.messages:
            message = channel.messages[binding.message_ts]
            message["text"] = text or ""
            if blocks is not None:
                message["blocks"] = blocks
            else:
                message.pop("blocks", None)
        elif payload.get("response_type") == "in_channel" and channel is not None:
            message = world.bot_message(world.next_ts(), text, blocks, payload)
            world.store_message(channel, message, payload.get("thread_ts"))
        else:
            message = world.bot_message(world.next_ts(), text, blocks, payload)
            message.update(channel=binding.channel_id, target_user=binding.user_id, via="response_url")
            world.recorded.ephemerals.append(message)
    return Reply.text(200, "ok")
