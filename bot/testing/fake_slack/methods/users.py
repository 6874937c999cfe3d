"""users.info, users.lookupByEmail and users.profile.get."""

from __future__ import annotations

from typing import Any

from bot.testing.fake_slack.protocol import SlackError
from bot.testing.fake_slack.state import Handler, Workspace


def users_info(world: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    with world.lock:
        user = world.users.get(params.get("user", ""))
        if user is None:
            raise SlackError("user_not_found")
        # facts, "Deactivated and unknown users": users.info still returns them with deleted: true.
        return {"user": user.to_slack(world.team_id)}


def users_lookup_by_email(world: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    email = str(params.get("email", "")).strip().lower()
    with world.lock:
        for user in world.users.values():
            # facts: users_not_found for an unknown address; Slack's users.lookupByEmail reference
            # (quoted in terraform-provider-slack#251) answers the same for a deactivated user.
            if user.email and user.email.lower() == email and not user.deleted:
                return {"user": user.to_slack(world.team_id)}
    raise SlackError("users_not_found")


def users_profile_get(world: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    with world.lock:
        user = world.users.get(params.get("user") or world.bot_user_id)
        if user is None:
            raise SlackError("user_not_found")
        return {"profile": user.profile(world.team_id)}


METHODS: dict[str, Handler] = {
    "users.info": users_info,
    "users.lookupByEmail": users_lookup_by_email,
    "users.profile.get": users_profile_get,
}
