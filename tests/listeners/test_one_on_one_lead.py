"""The Home 1:1 modal says the real digest lead (issue 15, item 6): GROWTHBOT_DIGEST_LEAD_MINUTES for a
new 1:1, each existing 1:1's own lead beside it; never a fixed "2 hours"."""

from __future__ import annotations

from datetime import datetime

from bot.ids import Callback, OneOnOneAction
from tests.conftest import Database
from tests.listeners.harness import message_text, start_harness
from tests.listeners.test_digest_flow import _one_on_one_values

SET_UP_AT = datetime(2025, 3, 20, 12, 0)


def test_the_modal_says_the_configured_lead_and_each_1on1s_own(sqlite_db: Database) -> None:
    with start_harness(sqlite_db, GROWTHBOT_DIGEST_LEAD_MINUTES="45") as harness:
        harness.seed_person("UREP", name="Riley", manager="UMGR")
        harness.set_now(SET_UP_AT)
        harness.open_home("UMGR")
        harness.action("UMGR", OneOnOneAction.OPEN, view=harness.home("UMGR"))
        modal = harness.fake.opened_views[-1]
        assert modal["callback_id"] == Callback.ONE_ON_ONE
        shown = message_text(modal)
        assert "45 minutes before each 1:1" in shown and "2 hours" not in shown
        harness.submit("UMGR", modal, _one_on_one_values("UREP"))
        harness.action("UMGR", OneOnOneAction.OPEN, view=harness.home("UMGR"))
        assert "digest 45 minutes before" in message_text(harness.fake.opened_views[-1])
