"""manifest.yaml declares what the code uses: the command, the shortcut id, events and scopes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.ids import LADDER_COMMAND, Callback

MANIFEST = Path(__file__).resolve().parents[1] / "manifest.yaml"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return yaml.safe_load(MANIFEST.read_text())


def test_command_shortcut_and_events(manifest: dict[str, Any]) -> None:
    features, settings = manifest["features"], manifest["settings"]
    assert [c["command"] for c in features["slash_commands"]] == [LADDER_COMMAND]
    assert features["slash_commands"][0]["should_escape"] is True
    [shortcut] = features["shortcuts"]
    assert (shortcut["type"], shortcut["callback_id"]) == ("message", Callback.SAVE_AS_EVIDENCE)
    assert len(shortcut["name"]) <= 24  # Slack's limit for shortcut names
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_home_opened",
        "message.im",
        "user_change",
        "team_join",
    }
    assert settings["interactivity"]["is_enabled"] is True
    assert features["app_home"]["home_tab_enabled"] is True


def test_socket_mode_by_default_with_http_urls_ready_to_uncomment(manifest: dict[str, Any]) -> None:
    assert manifest["settings"]["socket_mode_enabled"] is True
    text = MANIFEST.read_text()
    assert text.count("# url: https://growthbot.example.com/slack/events") == 1
    assert text.count("# request_url: https://growthbot.example.com/slack/events") == 2
    # The evidence modal's full-ladder search is an external select: Slack asks this URL for options.
    assert text.count("# message_menu_options_url: https://growthbot.example.com/slack/events") == 1


def test_scopes_cover_every_web_api_method_the_bot_calls(manifest: dict[str, Any]) -> None:
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    needed = {
        "chat:write",  # chat.postMessage, chat.postEphemeral, chat.update
        "commands",
        "im:history",  # message.im
        "im:write",  # conversations.open
        "users:read",  # users.info
        "users:read.email",  # users.lookupByEmail
        "reactions:write",  # reactions.add
        "files:write",  # files.getUploadURLExternal / completeUploadExternal
    }
    assert needed <= scopes


def test_the_oauth_install_asks_for_the_manifests_scopes(manifest: dict[str, Any]) -> None:
    from bot.oauth import BOT_SCOPES

    assert sorted(BOT_SCOPES) == sorted(manifest["oauth_config"]["scopes"]["bot"])
