"""views.open, views.push, views.update and views.publish: modals and the App Home."""

from __future__ import annotations

import secrets
import time
from typing import Any

from bot.testing import block_rules
from bot.testing.fake_slack.protocol import SlackError, flag
from bot.testing.fake_slack.state import Handler, Trigger, Workspace


def _checked_view(params: dict[str, Any], allowed_types: tuple[str, ...]) -> dict[str, Any]:
    view = params.get("view")
    if isinstance(view, dict) and block_rules.view_size(view) > block_rules.VIEW_MAX_BYTES:
        # facts, "Block Kit limits": "a Home view over 250 kB fails (view_too_large)".
        raise SlackError("view_too_large")
    # facts, "Deactivated and unknown users": views.* report malformed views as invalid_arguments
    # with per-field messages, not invalid_blocks.
    errors = block_rules.view_errors(view, allowed_types=allowed_types)
    if errors:
        raise SlackError("invalid_arguments", response_metadata={"messages": [f"[ERROR] {e}" for e in errors]})
    assert isinstance(view, dict)
    return view


def _consume_trigger(world: Workspace, trigger_id: object) -> Trigger:
    # facts, "Time limits": a trigger_id is single use and expires after about 3 seconds (#886).
    trigger = world.triggers.get(trigger_id) if isinstance(trigger_id, str) else None
    if trigger is None:
        raise SlackError("invalid_trigger_id")
    if trigger.used or time.monotonic() - trigger.issued_at > world.trigger_ttl_s:
        raise SlackError("expired_trigger_id")
    trigger.used = True
    return trigger


def _new_view(
    world: Workspace,
    view: dict[str, Any],
    *,
    user_id: str | None,
    previous: str | None = None,
    view_id: str | None = None,
) -> dict[str, Any]:
    view_id = view_id or f"V{world.next_id():09d}"
    stored: dict[str, Any] = {
        "id": view_id,
        "team_id": world.team_id,
        "type": view.get("type"),
        "blocks": view.get("blocks", []),
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
        "external_id": view.get("external_id", ""),
        "state": {"values": {}},
        "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
        "clear_on_close": flag(view.get("clear_on_close")),
        "notify_on_close": flag(view.get("notify_on_close")),
        "root_view_id": view_id,
        "previous_view_id": previous,
        "app_id": world.app_id,
        "app_installed_team_id": world.team_id,
        "bot_id": world.bot_id,
        "user_id": user_id,
    }
    for key in ("title", "submit", "close"):
        if view.get(key) is not None:
            stored[key] = view[key]
    world.views[view_id] = stored
    return stored


def _open_modal(world: Workspace, params: dict[str, Any], opened: list[dict[str, Any]]) -> dict[str, Any]:
    """views.open and views.push: a modal for the user whose trigger_id this is (used once)."""
    view = _checked_view(params, ("modal",))
    with world.lock:
        trigger = _consume_trigger(world, params.get("trigger_id"))
        stored = _new_view(world, view, user_id=trigger.user_id)
        opened.append(stored)
        return {"view": dict(stored)}


def views_open(world: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    return _open_modal(world, params, world.recorded.opened)


def views_push(world: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    return _open_modal(world, params, world.recorded.pushed)


def views_update(world: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    view = _checked_view(params, ("modal", "home"))
    with world.lock:
        view_id = params.get("view_id")
        if not view_id and params.get("external_id"):
            view_id = next(
                (v["id"] for v in world.views.values() if v.get("external_id") == params["external_id"]), None
            )
        current = world.views.get(view_id) if isinstance(view_id, str) else None
        if current is None:
            raise SlackError("not_found")
        if params.get("hash") and params["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        stored = _new_view(
            world, view, user_id=current.get("user_id"), previous=current.get("previous_view_id"), view_id=current["id"]
        )
        stored["root_view_id"] = current["root_view_id"]
        world.recorded.updated.append(stored)
        published = world.recorded.published
        if current["type"] == "home" and current.get("user_id") in published:
            published[current["user_id"]] = stored
        return {"view": dict(stored)}


def views_publish(world: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    view = _checked_view(params, ("home",))
    with world.lock:
        user_id = params.get("user_id")
        if user_id not in world.users:
            raise SlackError("user_not_found")
        current_id = world.home_views.get(user_id)
        if current_id and params.get("hash") and params["hash"] != world.views[current_id]["hash"]:
            raise SlackError("hash_conflict")
        stored = _new_view(world, view, user_id=user_id, view_id=current_id)
        world.home_views[user_id] = stored["id"]
        world.recorded.published[user_id] = stored
        return {"view": dict(stored)}


METHODS: dict[str, Handler] = {
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
}
