"""`/ladder team` over signed requests: each consenting report's focus behaviours and last evidence,
dated in the manager's zone; a report still waiting for consent shows neither. On both backends."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from storage.models import ManagerLinkStatus
from tests.listeners.harness import Harness

NOW = datetime(2026, 6, 3, 12, 0)


@pytest.fixture
def harness(harness_any: Harness) -> Harness:
    return harness_any


def test_ladder_team_shows_focus_and_last_evidence(harness: Harness) -> None:
    harness.set_now(NOW - timedelta(days=2))
    harness.seed_person("UMGR", level="4", name="boss", tz="Pacific/Honolulu")
    harness.seed_person("UENG", level="2", manager="UMGR", name="ada")
    harness.seed_person("UNEW", level="2", manager="UMGR", name="nova", manager_status=ManagerLinkStatus.PENDING)
    harness.set_now(NOW)
    delivery = harness.next_behaviour_ids("UENG", "delivery")
    harness.command("UENG", f"focus {delivery[0]} {delivery[1]}")
    assert "2 of 3" in harness.last_ephemeral_text("UENG")
    harness.command("UNEW", f"focus {delivery[2]}")
    # 02:00 UTC on 3 June is still 2 June in Honolulu: the fallback date is the manager's.
    harness.add_evidence("UENG", "Shipped the export fix", [delivery[0]], created_at=datetime(2026, 6, 3, 2, 0))

    harness.command("UMGR", "team")
    text = harness.last_ephemeral_text("UMGR")
    ladder = harness.library["luko-execution"]
    eng_line = text[text.index("<@UENG>") :].split("\n• ")[0]
    assert ladder.behaviour(delivery[0]).text[:60] in eng_line
    assert ladder.behaviour(delivery[1]).text[:60] in eng_line
    assert ":dart: Focus:" in eng_line
    assert "last evidence <!date^" in eng_line and "|2 Jun 2026>" in eng_line
    new_line = text[text.index("<@UNEW>") :].split("\n")[0]
    assert "waiting for their consent" in new_line
    assert ladder.behaviour(delivery[2]).text[:60] not in text  # nothing of theirs before consent
