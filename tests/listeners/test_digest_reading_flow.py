"""End to end (signed requests, the real app, the fake Slack, the real tick): after a week the engineer
was away the digest says so, and the preview the engineer gets is the manager's digest."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot import scheduler
from bot.ids import DigestAction
from tests.blocks.digest_compare import comparable
from tests.listeners.harness import Harness, message_text

SET_UP_AT = datetime(2025, 3, 20, 12, 0)  # Thursday
MEETING_1 = datetime(2025, 3, 24, 9, 0)  # Monday 10:00 Paris (CET)
AWAY_PROMPT = datetime(2025, 3, 26, 9, 0)  # Wednesday 10:00 Paris: the weekly prompt
MEETING_2 = datetime(2025, 3, 31, 8, 0)  # Monday 10:00 Paris (CEST)


def _tick(harness: Harness, moment: datetime) -> dict[str, Any]:
    """One whole tick of the scheduler (prompts, digests, ...) at `moment`."""
    harness.set_now(moment)
    results = scheduler.tick(harness.deps)
    assert not [r for r in results.values() if isinstance(r, Exception)]
    return results


def _dm(harness: Harness, user_id: str) -> list[dict[str, Any]]:
    return harness.fake.messages(harness.fake.dm_channel_for(user_id))


def _blocks(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [block for message in messages for block in message.get("blocks") or []]


def test_after_an_away_week_the_tick_sends_a_digest_that_says_so_and_the_preview_matches(harness: Harness) -> None:
    harness.set_now(SET_UP_AT)
    harness.seed_person("UREP", name="Riley", manager="UMGR", weekday=2)
    behaviours = harness.next_behaviour_ids("UREP")
    harness.add_evidence("UREP", "Ran the incident review", behaviours[:1], created_at=MEETING_1 - timedelta(days=2))
    harness.command("UMGR", "1on1 <@UREP|riley> monday 10:00")
    assert "1:1 with <@UREP>" in harness.last_ephemeral_text("UMGR")

    assert _tick(harness, MEETING_1 - timedelta(hours=2))["digests"].sent == 1
    first = _dm(harness, "UMGR")
    assert len(first) == 1 and "Ran the incident review" in message_text(first[0])

    harness.fake.set_status("UREP", "Vacation", ":palm_tree:")
    counts = _tick(harness, AWAY_PROMPT)["prompts"].counts
    assert counts.get("away") == 1 and counts.get("sent", 0) == 0

    assert _tick(harness, MEETING_2 - timedelta(hours=2))["digests"].sent == 1
    manager_dm = _dm(harness, "UMGR")
    assert len(manager_dm) == 2
    second = message_text(manager_dm[-1])
    assert "Nothing new since the last 1:1: Riley was away (1 prompt skipped), so no evidence was expected." in second
    assert "got in the way" not in second
    assert "No prompts since the last 1:1 · 1 skipped while away · last evidence: <!date^" in second
    assert second.count("No change in any area since the last digest") == 1

    previews = [m for m in _dm(harness, "UREP") if "what your manager will see" in message_text(m)]
    assert len(previews) == 2
    assert comparable(_blocks(previews[-1:])) == comparable(_blocks(manager_dm[-1:]))
    assert comparable(_blocks(previews[:1])) == comparable(_blocks(manager_dm[:1]))
    flag = [
        b["accessory"]
        for b in _blocks(previews[:1])
        if (b.get("accessory") or {}).get("action_id") == DigestAction.FLAG.value
    ]
    assert len(flag) == 1  # the one item of the first week, with its flag button
