"""conversations.open, conversations.info, conversations.history and conversations.replies."""

from __future__ import annotations

import base64
from typing import Any

from bot.testing.fake_slack.protocol import SCOPES, SlackError, flag, int_param, ts_param
from bot.testing.fake_slack.state import Handler, Workspace


def conversations_open(world: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    users = params.get("users")
    ids = users if isinstance(users, list) else [u.strip() for u in str(users or "").split(",") if u.strip()]
    if not ids:
        if params.get("channel"):
            with world.lock:
                channel = world.existing_channel(params["channel"])
                return {"no_op": True, "already_open": True, "channel": {"id": channel.id}}
        raise SlackError("users_list_not_supplied")
    if len(ids) > 1:
        raise SlackError("not_supported", detail="the fake models one-to-one DMs only")
    with world.lock:
        user = world.users.get(ids[0])
        if user is None:
            raise SlackError("user_not_found")
        # facts, "Deactivated and unknown users": conversations.open fails with user_disabled.
        if user.deleted:
            raise SlackError("user_disabled")
        channel, already_open = world.open_dm(user.id)
        body = channel.to_slack(world.users) if flag(params.get("return_im")) else {"id": channel.id}
        return {"no_op": already_open, "already_open": already_open, "channel": body}


def conversations_info(world: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    with world.lock:
        return {"channel": world.existing_channel(params.get("channel")).to_slack(world.users)}


def conversations_history(world: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    """Top-level messages, newest first, paged by ``limit`` and ``cursor``; ``oldest``/``latest`` bound
    them (exclusive unless ``inclusive``). Message metadata only with ``include_all_metadata``, as
    Slack does (docs.slack.dev/reference/methods/conversations.history)."""
    limit = int_param(params.get("limit"), default=100)
    if limit < 1:
        raise SlackError("invalid_limit")
    limit = min(limit, 999)
    oldest = ts_param(params.get("oldest"), "invalid_ts_oldest")
    latest = ts_param(params.get("latest"), "invalid_ts_latest")
    inclusive = flag(params.get("inclusive"))
    with world.lock:
        channel = world.existing_channel(params.get("channel"))
        if not channel.is_im:
            # The app asks for im:history only (manifest.yaml); history of a channel needs channels:history.
            raise SlackError("missing_scope", needed="channels:history", provided=SCOPES)
        top_level = [
            dict(message)
            for message in channel.messages.values()
            if not message.get("thread_ts") or message["thread_ts"] == message["ts"]
        ]
    top_level.sort(key=lambda message: float(message["ts"]), reverse=True)
    cursor = str(params.get("cursor") or "")
    if cursor:
        try:
            before = float(base64.b64decode(cursor).decode().removeprefix("before:"))
        except ValueError:
            raise SlackError("invalid_cursor") from None
        top_level = [m for m in top_level if float(m["ts"]) < before]

    def in_range(message: dict[str, Any]) -> bool:
        ts = float(message["ts"])
        if oldest is not None and (ts < oldest or (ts == oldest and not inclusive)):
            return False
        return latest is None or ts < latest or (ts == latest and inclusive)

    found = [m for m in top_level if in_range(m)]
    page, more = found[:limit], len(found) > limit
    for message in page:
        message.pop("channel", None)
        if not flag(params.get("include_all_metadata")):
            message.pop("metadata", None)
    next_cursor = base64.b64encode(f"before:{page[-1]['ts']}".encode()).decode() if more else ""
    return {"messages": page, "has_more": more, "response_metadata": {"next_cursor": next_cursor}}


def conversations_replies(world: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    """A thread: its parent first, then the replies oldest first, paged by ``limit`` and ``cursor``.
    ``ts`` may be the parent's or any reply's; a message with no replies comes back alone. Metadata only
    with ``include_all_metadata`` (docs.slack.dev/reference/methods/conversations.replies; Tier 3,
    ``im:history`` for a DM)."""
    limit = int_param(params.get("limit"), default=1000)
    if limit < 1:
        raise SlackError("invalid_limit")
    limit = min(limit, 1000)
    ts = params.get("ts")
    if not ts:
        raise SlackError("invalid_arguments", detail="ts is required")
    with world.lock:
        channel = world.existing_channel(params.get("channel"))
        if not channel.is_im:
            raise SlackError("missing_scope", needed="channels:history", provided=SCOPES)
        message = channel.messages.get(str(ts))
        if message is None:
            raise SlackError("thread_not_found")
        parent_ts = message.get("thread_ts") or message["ts"]
        thread = [dict(m) for m in channel.messages.values() if m["ts"] == parent_ts or m.get("thread_ts") == parent_ts]
    thread.sort(key=lambda m: float(m["ts"]))
    cursor = str(params.get("cursor") or "")
    if cursor:
        try:
            after = float(base64.b64decode(cursor).decode().removeprefix("after:"))
        except ValueError:
            raise SlackError("invalid_cursor") from None
        thread = [m for m in thread if float(m["ts"]) > after]
    page, more = thread[:limit], len(thread) > limit
    for reply in page:
        reply.pop("channel", None)
        if not flag(params.get("include_all_metadata")):
            reply.pop("metadata", None)
    next_cursor = base64.b64encode(f"after:{page[-1]['ts']}".encode()).decode() if more else ""
    return {"messages": page, "has_more": more, "response_metadata": {"next_cursor": next_cursor}}


METHODS: dict[str, Handler] = {
    "conversations.open": conversations_open,
    "conversations.info": conversations_info,
    "conversations.history": conversations_history,
    "conversations.replies": conversations_replies,
}
