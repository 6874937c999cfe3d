"""app_uninstalled (or the bot token revoked) stops every send to that workspace at once, in single-token
mode as with the OAuth install (tests/listeners/test_oauth_install.py); other workspaces go on."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from bot.delivery.tick import run_tick
from tests.listeners.harness import Harness

T0 = datetime(2025, 3, 10, 8, 0)  # a Monday; prompts are due at 10:00 Paris time


def test_an_uninstalled_workspace_gets_no_prompt_and_a_redelivered_event_changes_nothing(harness: Harness) -> None:
    harness.set_now(T0)
    harness.seed_person("UADA", name="Ada")
    harness.requests.event({"type": "app_uninstalled", "event_ts": f"{time.time():.6f}"})
    harness.requests.event({"type": "app_uninstalled", "event_ts": f"{time.time():.6f}"}, retry_num=1)
    harness.settle()
    harness.set_now(T0 + timedelta(hours=3))
    run_tick(harness.deps, instance_id="e2e")
    assert harness.fake.count("chat.postMessage") == 0
    with harness.deps.uow() as uow:
        workspace = uow.workspaces.get_by_team(harness.team_id)
        assert workspace is not None and workspace.uninstalled_at is not None


def test_a_revoked_user_token_alone_is_not_an_uninstall(harness: Harness) -> None:
    harness.set_now(T0)
    harness.seed_person("UADA", name="Ada")
    harness.requests.event({"type": "tokens_revoked", "tokens": {"oauth": ["UADA"], "bot": []}})
    harness.settle()
    harness.set_now(T0 + timedelta(hours=3))
    run_tick(harness.deps, instance_id="e2e")
    assert harness.fake.count("chat.postMessage") == 1
    harness.requests.event({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["B0BOT"]}})
    harness.settle()
    with harness.deps.uow() as uow:
        workspace = uow.workspaces.get_by_team(harness.team_id)
        assert workspace is not None and workspace.uninstalled_at is not None
