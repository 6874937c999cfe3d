"""End to end: the engineer's access log (`/ladder access`, their App Home), its paging buttons, the
break-glass DM and a manager change, through the fake Slack."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from bot.blocks.access_log import page_value
from bot.delivery.digests import tick_digests
from bot.delivery.tick import run_tick
from bot.ids import AccessLogAction, ConsentAction
from bot.services.access import NOT_AVAILABLE
from bot.services.access_log import PAGE_SIZE
from tests.conftest import Database
from tests.listeners.harness import Harness, message_text, start_harness

SET_UP_AT = datetime(2025, 3, 20, 12, 0)
MEETING = datetime(2025, 3, 24, 9, 0)  # Monday 10:00 in Paris


@pytest.fixture
def reading_harness(sqlite_db: Database) -> Iterator[Harness]:
    with start_harness(sqlite_db, GROWTHBOT_ADMINS="UADMIN", GROWTHBOT_ADMINS_READ_EVIDENCE="true") as running:
        yield running


def _seed(harness: Harness) -> None:
    harness.set_now(SET_UP_AT)
    harness.seed_person("UREP", name="Riley", manager="UMGR")
    harness.add_evidence(
        "UREP", "Ran the incident review", harness.next_behaviour_ids("UREP")[:1], created_at=SET_UP_AT
    )


def _dm(harness: Harness, user_id: str) -> list[dict]:
    return harness.fake.messages(harness.fake.dm_channel_for(user_id))


def _break_glass_dms(harness: Harness) -> list[dict]:
    return [m for m in _dm(harness, "UREP") if "read your growthbot data" in m.get("text", "")]


def test_a_managers_digest_export_and_home_view_appear_in_the_engineers_access_log(harness: Harness) -> None:
    _seed(harness)
    harness.command("UMGR", "1on1 <@UREP|riley> monday 10:00")
    assert tick_digests(harness.deps, MEETING - timedelta(hours=2)).sent == 1  # the digest, sent to the manager
    harness.set_now(MEETING + timedelta(hours=1))
    harness.command("UMGR", "export <@UREP|riley>")
    harness.set_now(MEETING + timedelta(hours=2))
    harness.open_home("UMGR")  # the manager's Home shows Riley's coverage

    harness.command("UREP", "access")
    text = harness.last_ephemeral_text("UREP")
    lines = [line for line in text.splitlines() if "*umgr*" in line]
    # Newest first, in Riley's time (Paris, UTC+1 in March).
    assert lines == [
        "24 Mar 2025, 12:00 · *umgr* read your coverage (Home coverage view) · App Home",
        "24 Mar 2025, 11:00 · *umgr* read your promotion packet (export) · /ladder export",
        "24 Mar 2025, 08:00 · *umgr* read your digest before a 1:1 · a Slack DM",
    ]
    assert "Only you see this" in text

    harness.open_home("UREP")  # and on Riley's own Home
    home = harness.home_text("UREP")
    assert "Who read your data" in home and "read your promotion packet (export)" in home

    # A manager never sees a report's access log; the same neutral answer for anyone named.
    for target in ("<@UREP|riley>", "<@UNOBODY>"):
        harness.command("UMGR", f"access {target}")
        assert harness.last_ephemeral("UMGR")["text"] == NOT_AVAILABLE


def test_paging_buttons_follow_the_cursor_and_refuse_a_forged_person(harness: Harness) -> None:
    _seed(harness)
    with harness.deps.uow() as uow:
        for n in range(PAGE_SIZE + 3):
            uow.audit.record(
                "UMGR",
                "viewed_coverage",
                "UREP",
                {},
                workspace_team_id=harness.team_id,
                now=SET_UP_AT - timedelta(minutes=n),
            )
    harness.command("UREP", "access")
    first = harness.last_ephemeral("UREP")
    older = [e for b in first["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [e["action_id"] for e in older] == [AccessLogAction.OLDER]
    assert message_text(first).count("· *umgr* read") == PAGE_SIZE

    harness.action("UREP", AccessLogAction.OLDER, older[0]["value"])
    second = harness.last_ephemeral("UREP")
    assert message_text(second).count("· *umgr* read") == 3
    assert [e["action_id"] for b in second["blocks"] if b["type"] == "actions" for e in b["elements"]] == [
        AccessLogAction.NEWEST
    ]

    # The manager replays Riley's button, or names Riley in a button of their own: the neutral refusal.
    before = len(harness.ephemerals("UMGR"))
    harness.action("UMGR", AccessLogAction.OLDER, older[0]["value"])
    harness.action("UMGR", AccessLogAction.NEWEST, page_value("UREP", None))
    harness.action("UMGR", AccessLogAction.NEWEST, "not json")
    harness.action("UREP", AccessLogAction.OLDER, json.dumps({"p": "UREP", "c": "2025-01-01~x"}))
    answers = harness.ephemerals("UMGR")[before:]
    assert [a["text"] for a in answers] == [NOT_AVAILABLE] * 3
    assert harness.last_ephemeral("UREP")["text"] == NOT_AVAILABLE
    assert "Ran the incident review" not in json.dumps(answers)


def test_a_break_glass_read_sends_exactly_one_dm_per_admin_per_day(reading_harness: Harness) -> None:
    harness = reading_harness
    _seed(harness)
    harness.add_slack_user("UADMIN", "ada")
    harness.set_now(MEETING)
    harness.command("UADMIN", "digest <@UREP>")
    harness.command("UADMIN", "export <@UREP>")
    harness.command("UADMIN", "digest <@UREP>")
    run_tick(harness.deps)
    assert _break_glass_dms(harness) == []  # the admin may still be reading

    harness.set_now(MEETING + timedelta(minutes=15))
    run_tick(harness.deps)
    run_tick(harness.deps)
    [dm] = _break_glass_dms(harness)
    text = message_text(dm)
    assert "An admin, <@UADMIN>, read your growthbot data" in text  # Slack shows the admin's name
    assert "an on-demand digest (2 times)" in text and "your promotion packet (export)" in text

    harness.set_now(MEETING + timedelta(hours=3))  # the same day in Paris: logged, never a second DM
    harness.command("UADMIN", "export <@UREP>")
    harness.set_now(MEETING + timedelta(hours=4))
    run_tick(harness.deps)
    assert len(_break_glass_dms(harness)) == 1
    harness.command("UREP", "access")
    assert harness.last_ephemeral_text("UREP").count("read as an admin") == 4

    harness.set_now(MEETING + timedelta(days=1))  # the next day: a new DM
    harness.command("UADMIN", "digest <@UREP>")
    harness.set_now(MEETING + timedelta(days=1, minutes=15))
    run_tick(harness.deps)
    assert len(_break_glass_dms(harness)) == 2


def test_a_manager_change_is_recorded_and_the_new_managers_reads_listed(harness: Harness) -> None:
    _seed(harness)
    harness.add_slack_user("UNEW", "nora")
    harness.command("UNEW", "team add <@UREP>")
    request = [m for m in _dm(harness, "UREP") if "actions" in json.dumps(m)][-1]
    harness.requests.block_action("UREP", ConsentAction.ACCEPT, _button_value(request), message=request)
    harness.settle()
    harness.set_now(SET_UP_AT + timedelta(hours=1))
    harness.command("UNEW", "digest <@UREP>")
    harness.command("UREP", "access")
    text = harness.last_ephemeral_text("UREP")
    assert "*umgr*'s access as your manager ended (you accepted another manager)" in text
    assert "*nora* read an on-demand digest · /ladder digest" in text


def _button_value(message: dict) -> str:
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == ConsentAction.ACCEPT:
                return str(element["value"])
    raise AssertionError("no Accept button")
