"""Dates in 1:1 and check-in messages read as the reader's local date, end to end: the fallback text of
Slack's date token (what notifications and clients without the token show) is each reader's own day.
The manager is at UTC+14 and the report at UTC-11, so their days always differ from UTC's or each other's."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.blocks.when import date_text
from bot.delivery.checkins import tick_checkins
from tests.listeners.harness import Harness, message_text

T0 = datetime(2025, 3, 10, 9, 0)
EAST, WEST = "Pacific/Kiritimati", "Pacific/Pago_Pago"


def _dm(harness: Harness, user_id: str) -> list[dict[str, Any]]:
    return harness.fake.messages(harness.fake.dm_channel_for(user_id))


def _fallback(moment: datetime, tz: str) -> str:
    return f"|{date_text(moment, tz)}>"


def test_one_on_one_and_check_in_dates_are_the_readers_local_dates(harness: Harness) -> None:
    harness.set_now(T0)
    harness.seed_person("UMGR", name="Morgan", tz=EAST)
    harness.seed_person("UREP", name="Riley", manager="UMGR", tz=WEST)
    harness.command("UMGR", "1on1 <@UREP|riley> monday 10:00")
    with harness.deps.uow() as uow:
        workspace = uow.workspaces.get_by_team(harness.team_id)
        manager = uow.people.get_by_slack_id(workspace.id, "UMGR")
        meeting = uow.one_on_ones.list_for_manager(manager.id)[0]
        next_at = meeting.next_at
    assert date_text(next_at, EAST) != date_text(next_at, "UTC")
    assert _fallback(next_at, EAST) in harness.last_ephemeral_text("UMGR")
    harness.command("UMGR", "1on1 list")
    assert _fallback(next_at, EAST) in harness.last_ephemeral_text("UMGR")

    harness.command("UMGR", "1on1 <@UREP> checkins every 2 weeks")
    with harness.deps.uow() as uow:
        next_checkin = uow.one_on_ones.get(meeting.id).next_checkin_at
    assert _fallback(next_checkin, EAST) in harness.last_ephemeral_text("UMGR")

    assert tick_checkins(harness.deps, next_checkin) == {"started": 1}
    with harness.deps.uow() as uow:
        workspace = uow.workspaces.get_by_team(harness.team_id)
        report = uow.people.get_by_slack_id(workspace.id, "UREP")
        deadline = uow.checkins.open_for(report.id).deadline_at
    for user, tz, other in (("UMGR", EAST, WEST), ("UREP", WEST, EAST)):
        [invite] = [m for m in _dm(harness, user) if "check-in time" in message_text(m)]
        assert _fallback(deadline, tz) in message_text(invite), user
        assert _fallback(deadline, other) not in message_text(invite), user
