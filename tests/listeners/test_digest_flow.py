"""End to end: 1:1s, the digest before each one (on time across DST), the preview and its buttons, on-demand
digests, and every way someone without the right is refused."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from bot.delivery.digests import tick_digests
from bot.ids import Callback, DigestAction, DigestBlock, DigestNoteAction, OneOnOneAction, OneOnOneBlock
from bot.services.access import NOT_AVAILABLE
from storage.models import ManagerLinkStatus
from tests.listeners.harness import Harness, message_text

# Paris switches to summer time on Sunday 30 March 2025.
SET_UP_AT = datetime(2025, 3, 20, 12, 0)
MEETING_1 = datetime(2025, 3, 24, 9, 0)  # Monday 10:00 CET
MEETING_2 = datetime(2025, 3, 31, 8, 0)  # Monday 10:00 CEST


def _seed(harness: Harness) -> list[str]:
    harness.seed_person("UREP", name="Riley", manager="UMGR")
    harness.seed_person("UOTHER", name="Olive")
    behaviours = harness.next_behaviour_ids("UREP")
    harness.add_evidence(
        "UREP",
        "Ran the incident review & told <!channel> and <@U123>",
        behaviours[:1],
        created_at=MEETING_1 - timedelta(days=2),
    )
    return behaviours


def _schedule(harness: Harness) -> None:
    harness.set_now(SET_UP_AT)
    harness.command("UMGR", "1on1 <@UREP|riley> monday 10:00")
    assert "1:1 with <@UREP>: Mondays at 10:00, weekly (Europe/Paris time)" in harness.last_ephemeral_text("UMGR")


def _dm(harness: Harness, user_id: str) -> list[dict]:
    return harness.fake.messages(harness.fake.dm_channel_for(user_id))


def test_digest_reaches_the_manager_on_time_across_dst_with_mentions_escaped(harness: Harness) -> None:
    _seed(harness)
    _schedule(harness)

    assert tick_digests(harness.deps, MEETING_1 - timedelta(hours=2, minutes=1)).sent == 0
    assert _dm(harness, "UMGR") == []
    assert tick_digests(harness.deps, MEETING_1 - timedelta(hours=2)).sent == 1
    assert tick_digests(harness.deps, MEETING_1 - timedelta(minutes=5)).sent == 0

    digest = _dm(harness, "UMGR")
    assert len(digest) == 1
    text = message_text(digest[0])
    assert "Before your 1:1 with Riley" in text
    assert "Ran the incident review &amp; told &lt;!channel&gt; and &lt;@U123&gt;" in text
    assert "<!channel>" not in json.dumps(digest) and "<@U123>" not in json.dumps(digest)
    assert "Next milestone coverage" in text and "Suggested talking points" in text

    preview = _dm(harness, "UREP")
    assert len(preview) == 1 and "what your manager will see" in message_text(preview[0])
    assert "&lt;!channel&gt;" in message_text(preview[0])

    # After the clocks change, the 10:00 meeting is at 08:00 UTC: the digest comes at 06:00 UTC.
    assert tick_digests(harness.deps, MEETING_2 - timedelta(hours=2, minutes=1)).sent == 0
    assert tick_digests(harness.deps, MEETING_2 - timedelta(hours=2)).sent == 1
    assert len(_dm(harness, "UMGR")) == 2
    assert "Nothing new since the last 1:1" in message_text(_dm(harness, "UMGR")[-1])


def test_engineer_flags_an_item_and_adds_a_note_from_the_preview(harness: Harness) -> None:
    _seed(harness)
    _schedule(harness)
    harness.set_now(MEETING_1 - timedelta(hours=1))
    tick_digests(harness.deps, MEETING_1 - timedelta(hours=2))
    preview = _dm(harness, "UREP")[0]
    manager_digest = _dm(harness, "UMGR")[0]
    flag = next(
        b["accessory"] for b in preview["blocks"] if b.get("accessory", {}).get("action_id") == DigestAction.FLAG
    )

    harness.action("UREP", DigestAction.FLAG, flag["value"], message=preview)
    thread = harness.fake.thread(harness.fake.dm_channel_for("UMGR"), manager_digest["ts"])
    assert any("Riley flagged this to discuss" in m["text"] and "incident review" in m["text"] for m in thread)
    updated = _dm(harness, "UREP")[0]
    assert "sent to your manager's digest" in message_text(updated)
    assert not [b for b in updated["blocks"] if b.get("accessory", {}).get("value") == flag["value"]]

    note_button = next(e for b in preview["blocks"] if b["type"] == "actions" for e in b["elements"])
    harness.action("UREP", DigestAction.ADD_NOTE, note_button["value"], message=preview)
    modal = harness.fake.opened_views[-1]
    assert modal["callback_id"] == Callback.DIGEST_NOTE
    empty = harness.submit(
        "UREP", modal, {DigestBlock.NOTE: {DigestNoteAction.TEXT: {"type": "plain_text_input", "value": " "}}}
    )
    assert empty.json()["response_action"] == "errors"
    harness.submit(
        "UREP",
        modal,
        {
            DigestBlock.NOTE: {
                DigestNoteAction.TEXT: {"type": "plain_text_input", "value": "Can we talk <!here> about promo?"}
            }
        },
    )
    thread = harness.fake.thread(harness.fake.dm_channel_for("UMGR"), manager_digest["ts"])
    assert any(m["text"].startswith("Last-minute note from Riley") and "&lt;!here&gt;" in m["text"] for m in thread)


def test_flag_outside_a_live_digest_queues_the_item_for_the_next_one(harness: Harness) -> None:
    _seed(harness)
    _schedule(harness)
    tick_digests(harness.deps, MEETING_1 - timedelta(hours=2))
    preview = _dm(harness, "UREP")[0]
    flag = next(
        b["accessory"] for b in preview["blocks"] if b.get("accessory", {}).get("action_id") == DigestAction.FLAG
    )
    harness.set_now(MEETING_1 + timedelta(hours=3))  # the 1:1 is over
    harness.action("UREP", DigestAction.FLAG, flag["value"], message=preview)
    assert "Unflag" in json.dumps(_dm(harness, "UREP")[0]["blocks"])
    tick_digests(harness.deps, MEETING_2 - timedelta(hours=2))
    second = message_text(_dm(harness, "UMGR")[-1])
    assert "flagged an item to discuss" in second and "incident review" in second


def test_forged_button_values_are_refused(harness: Harness) -> None:
    _seed(harness)
    _schedule(harness)
    harness.set_now(MEETING_1 - timedelta(hours=1))
    tick_digests(harness.deps, MEETING_1 - timedelta(hours=2))
    preview = _dm(harness, "UREP")[0]
    flag = next(
        b["accessory"] for b in preview["blocks"] if b.get("accessory", {}).get("action_id") == DigestAction.FLAG
    )
    note_button = next(e for b in preview["blocks"] if b["type"] == "actions" for e in b["elements"])
    before = harness.fake.counts

    # Someone else replays the report's buttons, or invents values.
    for user, action_id, value in (
        ("UOTHER", DigestAction.FLAG, flag["value"]),
        ("UMGR", DigestAction.FLAG, flag["value"]),  # the manager cannot flag the report's evidence either
        ("UOTHER", DigestAction.UNFLAG, flag["value"]),
        ("UOTHER", DigestAction.FLAG, "999999"),
        ("UOTHER", DigestAction.FLAG, "not-a-number"),
        ("UOTHER", DigestAction.ADD_NOTE, note_button["value"]),
        ("UMGR", DigestAction.ADD_NOTE, note_button["value"]),
        ("UREP", DigestAction.ADD_NOTE, "999999"),
    ):
        harness.action(user, action_id, value)
        assert harness.last_ephemeral(user)["text"] == NOT_AVAILABLE, (user, action_id, value)
    assert harness.fake.count("views.open") == before.get("views.open", 0)
    assert harness.fake.count("chat.postMessage") == before.get("chat.postMessage", 0)

    # A note modal whose metadata names a digest of someone else's 1:1.
    forged_modal = {
        "callback_id": Callback.DIGEST_NOTE,
        "private_metadata": json.dumps({"digest_id": int(note_button["value"])}),
    }
    answer = harness.submit(
        "UOTHER", forged_modal, {DigestBlock.NOTE: {DigestNoteAction.TEXT: {"type": "plain_text_input", "value": "hi"}}}
    )
    assert answer.json() == {"response_action": "errors", "errors": {DigestBlock.NOTE: NOT_AVAILABLE}}
    with harness.deps.uow() as uow:
        entries = uow.audit.for_subject("UREP")
        assert all(e.actor_slack_id != "UOTHER" for e in entries)


def test_on_demand_digest_for_the_manager_and_yourself_only(harness: Harness) -> None:
    _seed(harness)
    harness.seed_person("UPEND", name="Pat", manager="UMGR", manager_status=ManagerLinkStatus.PENDING)
    harness.set_now(MEETING_1)

    harness.command("UMGR", "digest <@UREP|riley>")
    assert "Progress digest: Riley" in harness.last_ephemeral_text("UMGR")
    assert "incident review" in harness.last_ephemeral_text("UMGR")

    harness.command("UREP", "digest")
    assert "Your progress digest" in harness.last_ephemeral_text("UREP")

    for user, text in (
        ("UOTHER", "digest <@UREP>"),  # a colleague
        ("UOTHER", "digest <@UNOBODY>"),  # someone who does not exist: the same answer
        ("UMGR", "digest <@UPEND>"),  # named manager, but the report has not consented
        ("UREP", "digest <@UMGR>"),  # a report cannot read their manager's evidence
    ):
        harness.command(user, text)
        assert harness.last_ephemeral(user)["text"] == NOT_AVAILABLE, (user, text)

    with harness.deps.uow() as uow:
        entries = uow.audit.for_subject("UREP")
        assert ("UMGR", "viewed_digest") in [(e.actor_slack_id, e.action) for e in entries]


def test_one_on_one_list_remove_and_only_for_consenting_reports(harness: Harness) -> None:
    _seed(harness)
    harness.seed_person("UPEND", name="Pat", manager="UMGR", manager_status=ManagerLinkStatus.PENDING)
    _schedule(harness)
    harness.command("UMGR", "1on1 list")
    assert "<@UREP>: Mondays at 10:00, weekly" in harness.last_ephemeral_text("UMGR")
    harness.command("UMGR", "1on1 <@UPEND> tuesday 9:00")
    assert harness.last_ephemeral("UMGR")["text"] == NOT_AVAILABLE
    harness.command("UOTHER", "1on1 <@UREP> tuesday 9:00")
    assert harness.last_ephemeral("UOTHER")["text"] == NOT_AVAILABLE
    harness.command("UMGR", "1on1 <@UREP> someday 9:00")
    assert "is not a weekday" in harness.last_ephemeral_text("UMGR")
    harness.command("UMGR", "1on1 remove <@UREP>")
    assert "removed" in harness.last_ephemeral_text("UMGR")
    harness.command("UMGR", "1on1 list")
    assert "You have no 1:1s" in harness.last_ephemeral_text("UMGR")


def _one_on_one_values(report: str, weekday: str = "2", at: str = "15:30", cadence: str = "fortnightly") -> dict:
    return {
        OneOnOneBlock.REPORT: {OneOnOneAction.REPORT: {"type": "static_select", "selected_option": {"value": report}}},
        OneOnOneBlock.WEEKDAY: {
            OneOnOneAction.WEEKDAY: {"type": "static_select", "selected_option": {"value": weekday}}
        },
        OneOnOneBlock.TIME: {OneOnOneAction.TIME: {"type": "timepicker", "selected_time": at}},
        OneOnOneBlock.CADENCE: {
            OneOnOneAction.CADENCE: {"type": "static_select", "selected_option": {"value": cadence}}
        },
    }


def test_one_on_one_from_the_app_home(harness: Harness) -> None:
    _seed(harness)
    harness.set_now(SET_UP_AT)
    harness.open_home("UMGR")
    home = harness.home("UMGR")
    assert "Schedule 1:1s" in json.dumps(home["blocks"])
    harness.action("UMGR", OneOnOneAction.OPEN, view=home)
    modal = harness.fake.opened_views[-1]
    assert modal["callback_id"] == Callback.ONE_ON_ONE
    assert [o["value"] for o in modal["blocks"][0]["element"]["options"]] == ["UREP"]

    harness.submit("UMGR", modal, _one_on_one_values("UREP"))
    assert "1:1 with <@UREP>: Wednesdays at 15:30, fortnightly" in _dm(harness, "UMGR")[-1]["text"]
    harness.command("UMGR", "1on1 list")
    assert "<@UREP>: Wednesdays at 15:30, fortnightly" in harness.last_ephemeral_text("UMGR")

    # A forged submission naming someone who is not the submitter's consenting report.
    answer = harness.submit("UOTHER", modal, _one_on_one_values("UREP"))
    assert answer.json() == {"response_action": "errors", "errors": {OneOnOneBlock.REPORT: NOT_AVAILABLE}}
    missing = harness.submit("UMGR", modal, _one_on_one_values("UREP", weekday="9"))
    assert missing.json()["errors"] == {OneOnOneBlock.WEEKDAY: "Pick a day."}
