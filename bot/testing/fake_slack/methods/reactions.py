"""reactions.add: the bot's emoji reaction on a message."""

from __future__ import annotations

from typing import Any

from bot.testing.fake_slack.protocol import SlackError
from bot.testing.fake_slack.records import Reaction
from bot.testing.fake_slack.state import Handler, Workspace


def reactions_add(world: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    name = str(params.get("name", "")).strip(":")
    if not name:
        raise SlackError("invalid_name")
    with world.lock:
        channel = world.existing_channel(params.get("channel"))
        message = world.message(channel, params.get("timestamp"))
        reactions = message.setdefault("reactions", [])
        entry = next((r for r in reactions if r["name"] == name), None)
        if entry is None:
            entry = {"name": name, "users": [], "count": 0}
            reactions.append(entry)
        if world.bot_user_id in entry["users"]:
            raise SlackError("already_reacted")
        entry["users"].append(world.bot_user_id)
        entry["count"] += 1
        world.recorded.reactions.append(Reaction(channel.id, message["ts"], name, world.bot_user_id))
        return {}


METHODS: dict[str, Handler] = {"reactions.add": reactions_add}
