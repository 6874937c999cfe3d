"""chat.postMessage, chat.postEphemeral, chat.update, chat.delete and chat.getPermalink, and the checks
on a message's text and blocks that response_url posts share."""

from __future__ import annotations

from typing import Any

from bot.testing import block_rules
from bot.testing.fake_slack.protocol import SlackError
from bot.testing.fake_slack.state import Handler, Workspace

# facts, "Block Kit limits": "Message text over 40,000 chars is truncated". Real Slack documents
# `msg_too_long` for chat.postMessage; the fake rejects instead of truncating so that a digest which
# would be cut silently fails loudly in tests.
MESSAGE_TEXT_MAX = 40_000


def message_blocks(params: dict[str, Any]) -> list[Any] | None:
    """Parsed and validated message blocks, or None when the call has none."""
    blocks = params.get("blocks")
    if blocks is None or blocks == "" or blocks == []:
        return None
    if not isinstance(blocks, list):
        raise SlackError("invalid_blocks_format")
    # facts, "Block Kit limits (Slack rejects with invalid_blocks)".
    errors = block_rules.message_blocks_errors(blocks)
    if errors:
        raise SlackError(
            "invalid_blocks",
            errors=errors,
            response_metadata={"messages": [f"[ERROR] {error}" for error in errors]},
        )
    return blocks


def message_content(params: dict[str, Any]) -> tuple[str | None, list[Any] | None]:
    """A message's text and blocks, checked as Slack checks them before posting."""
    text = params.get("text")
    text = text if isinstance(text, str) and text != "" else None
    blocks = message_blocks(params)
    if text is None and blocks is None and not params.get("attachments"):
        raise SlackError("no_text")
    if text is not None and len(text) > MESSAGE_TEXT_MAX:
        raise SlackError("msg_too_long")
    return text, blocks


def chat_post_message(world: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    text, blocks = message_content(params)
    thread_ts = params.get("thread_ts") or None
    with world.lock:
        # python-slack-sdk #1156: posting into an existing DM of a deactivated user still succeeds;
        # only opening one fails. The bot must check `deleted` itself.
        channel = world.postable_channel(params.get("channel"))
        ts = world.next_ts()
        message = world.bot_message(ts, text, blocks, params)
        world.store_message(channel, message, thread_ts)
        return {"channel": channel.id, "ts": ts, "message": dict(message)}


def chat_post_ephemeral(world: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    text, blocks = message_content(params)
    with world.lock:
        channel = world.postable_channel(params.get("channel"))
        user_id = params.get("user")
        if user_id not in world.users:
            raise SlackError("user_not_found")
        if channel.members and user_id not in channel.members:
            raise SlackError("user_not_in_channel")
        ts = world.next_ts()
        message = world.bot_message(ts, text, blocks, params)
        message.update(channel=channel.id, target_user=user_id)
        if params.get("thread_ts"):
            message["thread_ts"] = params["thread_ts"]
        world.recorded.ephemerals.append(message)
        return {"message_ts": ts}


def chat_update(world: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    text, blocks = message_content(params)
    with world.lock:
        channel = world.existing_channel(params.get("channel"))
        message = world.message(channel, params.get("ts"))
        if message.get("bot_id") != world.bot_id:
            raise SlackError("cant_update_message")
        if text is not None:
            message["text"] = text
        if blocks is not None:
            message["blocks"] = blocks
        for key in ("attachments", "metadata"):
            if key in params:
                message[key] = params[key]
        message["edited"] = {"user": world.bot_user_id, "ts": world.next_ts()}
        return {"channel": channel.id, "ts": message["ts"], "text": message["text"], "message": dict(message)}


def chat_delete(world: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    with world.lock:
        channel = world.existing_channel(params.get("channel"))
        message = world.message(channel, params.get("ts"))
        if message.get("bot_id") != world.bot_id:
            raise SlackError("cant_delete_message")
        del channel.messages[message["ts"]]
        world.recorded.deleted.append(message)
        return {"channel": channel.id, "ts": message["ts"]}


def chat_get_permalink(world: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    with world.lock:
        channel = world.existing_channel(params.get("channel"))
        message = world.message(channel, params.get("message_ts"))
        link = f"https://{world.team_domain}.slack.com/archives/{channel.id}/p{message['ts'].replace('.', '')}"
        if message.get("thread_ts") and message["thread_ts"] != message["ts"]:
            link += f"?thread_ts={message['thread_ts']}&cid={channel.id}"
        return {"channel": channel.id, "permalink": link}


METHODS: dict[str, Handler] = {
    "chat.postMessage": chat_post_message,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.update": chat_update,
    "chat.delete": chat_delete,
    "chat.getPermalink": chat_get_permalink,
}
