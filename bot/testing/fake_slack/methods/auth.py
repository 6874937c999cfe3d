"""auth.test and team.info: who the bot is and which workspace it is installed in."""

from __future__ import annotations

from typing import Any

from bot.testing.fake_slack.state import Handler, Workspace


def auth_test(world: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": f"https://{world.team_domain}.slack.com/",
        "team": world.team_name,
        "user": "growthbot",
        "team_id": world.team_id,
        "user_id": world.bot_user_id,
        "bot_id": world.bot_id,
        "is_enterprise_install": False,
    }


def team_info(world: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "team": {
            "id": world.team_id,
            "name": world.team_name,
            "domain": world.team_domain,
            "email_domain": "example.com",
            "icon": {"image_default": True},
        }
    }


METHODS: dict[str, Handler] = {"auth.test": auth_test, "team.info": team_info}
