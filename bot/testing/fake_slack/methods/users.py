"""users.info, users.list, users.lookupByEmail and users.profile.get."""

from __future__ import annotations

import base64
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


USERS_LIST_MAX_LIMIT = 1000


def users_list(world: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    """Cursor-paginated (docs.slack.dev/apis/web-api/pagination): `limit` users a page, the next page's
    `cursor` in `response_metadata.next_cursor` ("" on the last). Deactivated users are included, with
    deleted: true, as users.info returns them."""
    try:
        limit = int(params.get("limit") or 0) or USERS_LIST_MAX_LIMIT
    except (TypeError, ValueError):
        raise SlackError("invalid_limit") from None
    limit = min(max(limit, 1), USERS_LIST_MAX_LIMIT)
    offset = _offset(params.get("cursor"))
    with world.lock:
        users = sorted(world.users.values(), key=lambda user: user.id)
        page = users[offset : offset + limit]
        more = offset + limit < len(users)
        return {
            "members": [user.to_slack(world.team_id) for user in page],
            "cache_ts": 0,
            "response_metadata": {"next_cursor": _cursor(offset + limit) if more else ""},
        }


def _cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _offset(cursor: object) -> int:
    if not cursor:
        return 0
    try:
        kind, _, value = base64.b64decode(str(cursor), validate=True).decode().partition(":")
        if kind == "offset":
            return max(int(value), 0)
    except (ValueError, UnicodeDecodeError):
        pass
    raise SlackError("invalid_cursor")


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
    "users.list": users_list,
    "users.lookupByEmail": users_lookup_by_email,
    "users.profile.get": users_profile_get,
}
