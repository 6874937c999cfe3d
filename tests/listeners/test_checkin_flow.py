"""End to end: a blind self and manager check-in through signed requests and the fake Slack (start,
rate every area, reveal to both), the one reminder, the deadline reveal, scheduled check-ins from the
1:1 command, a double submit, and every way someone without the right is refused."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.delivery.checkins import tick_checkins
from bot.ids import Callback, CheckinAction, CheckinBlock
from bot.services.access import NOT_AVAILABLE
from storage.models import ManagerLinkStatus
from tests.listeners.harness import Harness, message_text

T0 = datetime(2025, 3, 10, 9, 0)


@pytest.fixture
def harness(harness_any: Harness) -> Harness:
    """Every flow here runs on SQLite and on PostgreSQL."""
    return harness_any


def _seed(harness: Harness) -> None:
    harness.set_now(T0)
    harness.seed_person("UREP", name="Riley", manager="UMGR")
    harness.seed_person("UOTHER", name="Olive")
    first = harness.next_behaviour_ids("UREP")[0]
    harness.add_evidence("UREP", "Shipped the importer", [first], created_at=T0 - timedelta(days=2))


def _dm(harness: Harness, user_id: str) -> list[dict[str, Any]]:
    return harness.fake.messages(harness.fake.dm_channel_for(user_id))


def _button_value(blocks: list[dict[str, Any]]) -> str:
    for block in blocks:
        for element in [*(block.get("elements") or []), block.get("accessory") or {}]:
            if isinstance(element, dict) and element.get("action_id") == CheckinAction.OPEN:
                return str(element["value"])
    raise AssertionError("no check-in button")


def _answers(view: dict[str, Any], verdict: str, comment: str | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        block_id = block.get("block_id", "")
        if block_id.startswith(CheckinBlock.VERDICT_PREFIX):
            values[block_id] = {CheckinAction.VERDICT: {"type": "radio_buttons", "selected_option": {"value": verdict}}}
        elif block_id.startswith(CheckinBlock.COMMENT_PREFIX) and comment is not None:
            values[block_id] = {CheckinAction.COMMENT: {"type": "plain_text_input", "value": comment}}
    return values


def _rate_all(harness: Harness, user_id: str, value: str, verdict: str, comment: str | None = None) -> dict[str, Any]:
    """Click "Start rating" and submit every page; the final answer (the thanks)."""
    harness.action(user_id, CheckinAction.OPEN, value)
    view = harness.fake.opened_views[-1]
    titles = []
    while view.get("callback_id") == Callback.CHECKIN_PAGE:
        titles.append(view["title"]["text"])
        answer = harness.submit(user_id, view, _answers(view, verdict, comment)).json()
        assert answer["response_action"] == "update"
        view = {**answer["view"], "id": view["id"]}  # held to the views rules by SlackRequests
    assert titles == [
        f"{area} · {n} of 4" for n, area in enumerate(("Delivery", "Communication", "Quality", "Optimisation"), 1)
    ]
    return view


def _assessment_count(harness: Harness) -> int:
    with harness.deps.uow() as uow:
        workspace = uow.workspaces.get_by_team(harness.team_id)
        assert workspace is not None
        person = uow.people.get_by_slack_id(workspace.id, "UREP")
        assert person is not None
        return len(uow.assessments.all_for(person.id))


def test_a_blind_check_in_from_start_to_the_side_by_side_result(harness: Harness) -> None:
    _seed(harness)
    harness.command("UREP", "checkin")
    started = harness.last_ephemeral("UREP")
    assert "Check-in started: 4 areas of your next milestone" in message_text(started)
    value = _button_value(started["blocks"])
    invite = _dm(harness, "UMGR")[-1]
    assert "riley started a check-in" in message_text(invite).lower() and _button_value(invite["blocks"]) == value

    harness.open_home("UREP")
    assert "Continue check-in (0 of 4 areas done)" in harness.home_text("UREP")

    thanks = _rate_all(harness, "UREP", value, "not_yet", comment="Ask <!channel> about <@U123>")
    assert "hasn't finished yet" in message_text(thanks)
    assert "submitted" in harness.home_text("UREP")

    # The report's submission refreshed the manager's Home (nobody opened it yet).
    assert "riley's check-in" in harness.home_text("UMGR").lower()
    # The manager rates blind: nothing of the report's verdicts or comments in their modal.
    harness.open_home("UMGR")
    assert "riley's check-in" in harness.home_text("UMGR").lower()
    harness.action("UMGR", CheckinAction.OPEN, value)
    first = harness.fake.opened_views[-1]
    assert "initial_option" not in json.dumps(first) and "Ask" not in json.dumps(first)
    assert "Shipped the importer" in json.dumps(first)  # their evidence, to cite
    assert "Check-in result" not in message_text(_dm(harness, "UMGR")[-1])

    assert "submitted" in harness.home_text("UREP")
    thanks = _rate_all(harness, "UMGR", value, "consistently")
    assert "You've both submitted" in message_text(thanks)
    assert "Continue check-in" not in harness.home_text("UREP") and "submitted" not in harness.home_text("UREP")
    mine, theirs = _dm(harness, "UREP")[-1], _dm(harness, "UMGR")[-1]
    assert "Your check-in result" in message_text(mine) and "Check-in result: Riley" in message_text(theirs)
    for message in (mine, theirs):
        text = message_text(message)
        assert "Talking points: two steps apart" in text and "Not yet" in text and "Consistently" in text
        assert "&lt;!channel&gt;" in text and "<!channel>" not in json.dumps(message) and "<@U123>" not in text

    # Revealed once: later ticks send nothing more, and nobody is reminded.
    before = harness.fake.count("chat.postMessage")
    assert tick_checkins(harness.deps, T0 + timedelta(days=8)) == {}
    assert harness.fake.count("chat.postMessage") == before


def test_one_reminder_each_then_the_deadline_reveals_what_exists(harness: Harness) -> None:
    _seed(harness)
    harness.command("UREP", "checkin current")
    value = _button_value(harness.last_ephemeral("UREP")["blocks"])
    harness.action("UREP", CheckinAction.OPEN, value)
    view = harness.fake.opened_views[-1]
    verdicts = [b for b in view["blocks"] if b.get("block_id", "").startswith(CheckinBlock.VERDICT_PREFIX)]
    assert len(verdicts) == 6  # `current` adds the current level's three behaviours to the next level's

    assert tick_checkins(harness.deps, T0 + timedelta(days=3)) == {}
    assert tick_checkins(harness.deps, T0 + timedelta(days=4)) == {"reminded": 2}
    assert tick_checkins(harness.deps, T0 + timedelta(days=5)) == {}
    for user in ("UREP", "UMGR"):
        reminders = [m for m in _dm(harness, user) if "A reminder" in message_text(m)]
        assert len(reminders) == 1, user

    harness.set_now(T0 + timedelta(days=5))
    harness.submit("UREP", view, _answers(view, "sometimes"))  # one page only, before the deadline
    assert tick_checkins(harness.deps, T0 + timedelta(days=7)) == {"revealed_at_deadline": 1}
    for user in ("UREP", "UMGR"):
        result = message_text(_dm(harness, user)[-1])
        assert "The deadline passed" in result and "Sometimes" in result, user
    assert "Only Riley rated" in message_text(_dm(harness, "UMGR")[-1])
    assert tick_checkins(harness.deps, T0 + timedelta(days=8)) == {}

    harness.action("UREP", CheckinAction.OPEN, value)
    assert "closed" in harness.last_ephemeral_text("UREP")


def test_a_double_submit_stores_once(harness: Harness) -> None:
    _seed(harness)
    harness.command("UREP", "checkin")
    harness.action("UREP", CheckinAction.OPEN, _button_value(harness.last_ephemeral("UREP")["blocks"]))
    view = harness.fake.opened_views[-1]
    values = _answers(view, "sometimes")
    first = harness.submit("UREP", view, values).json()
    again = harness.submit("UREP", view, values).json()  # a double click, or Slack retrying
    assert first["view"]["title"] == again["view"]["title"] == {"type": "plain_text", "text": "Communication · 2 of 4"}
    assert _assessment_count(harness) == 3


def test_denials_are_neutral_and_store_nothing(harness: Harness) -> None:
    _seed(harness)
    harness.seed_person("UPEND", name="Pat", manager="UMGR", manager_status=ManagerLinkStatus.PENDING)
    for user, text in (
        ("UOTHER", "checkin <@UREP>"),
        ("UOTHER", "checkin <@UNOBODY>"),
        ("UMGR", "checkin <@UPEND>"),  # named, but not accepted
        ("UREP", "checkin <@UMGR>"),
    ):
        harness.command(user, text)
        assert harness.last_ephemeral(user)["text"] == NOT_AVAILABLE, (user, text)

    harness.command("UREP", "checkin")
    value = _button_value(harness.last_ephemeral("UREP")["blocks"])
    opened = harness.fake.count("views.open")
    for user, forged in (("UOTHER", value), ("UREP", "99999"), ("UREP", "nope")):
        harness.action(user, CheckinAction.OPEN, forged)
        assert harness.last_ephemeral(user)["text"] == NOT_AVAILABLE, (user, forged)
    assert harness.fake.count("views.open") == opened

    harness.action("UREP", CheckinAction.OPEN, value)
    view = harness.fake.opened_views[-1]
    values = _answers(view, "sometimes")
    # Someone else submits the report's modal; the report forges a behaviour or a check-in id.
    refused = harness.submit("UOTHER", view, values).json()
    assert refused["response_action"] == "update" and NOT_AVAILABLE in message_text(refused["view"])
    forged_behaviour = {**values, f"{CheckinBlock.VERDICT_PREFIX}mentoring-9-99": values[next(iter(values))]}
    assert NOT_AVAILABLE in message_text(harness.submit("UREP", view, forged_behaviour).json()["view"])
    forged_id = {**view, "private_metadata": json.dumps({"checkin": int(value) + 1, "page": 0})}
    assert NOT_AVAILABLE in message_text(harness.submit("UREP", forged_id, values).json()["view"])
    unanswered = harness.submit("UREP", view, {}).json()
    assert unanswered["response_action"] == "errors" and set(unanswered["errors"].values()) == {"Pick one."}
    assert _assessment_count(harness) == 0


def test_a_self_only_check_in_says_so_and_reveals_to_the_person_alone(harness: Harness) -> None:
    harness.set_now(T0)
    harness.seed_person("USOLO", name="Sam")
    harness.command("USOLO", "checkin")
    started = harness.last_ephemeral("USOLO")
    assert "self-only" in message_text(started)
    view = _rate_all(harness, "USOLO", _button_value(started["blocks"]), "sometimes")
    assert "complete" in message_text(view)
    assert "Your check-in result" in message_text(_dm(harness, "USOLO")[-1])


def test_scheduled_check_ins_from_the_one_on_one_start_once(harness: Harness) -> None:
    _seed(harness)
    harness.command("UMGR", "1on1 <@UREP|riley> monday 10:00")
    harness.command("UMGR", "1on1 <@UREP> checkins every 2 weeks")
    assert "Check-ins with <@UREP>: every 2 weeks" in harness.last_ephemeral_text("UMGR")
    harness.command("UOTHER", "1on1 <@UREP> checkins off")
    assert harness.last_ephemeral("UOTHER")["text"] == NOT_AVAILABLE
    harness.command("UMGR", "1on1 <@UREP> checkins sometimes")
    assert "Usage" in harness.last_ephemeral_text("UMGR")

    assert tick_checkins(harness.deps, T0 + timedelta(weeks=2, minutes=-1)) == {}
    assert tick_checkins(harness.deps, T0 + timedelta(weeks=2)) == {"started": 1}
    assert tick_checkins(harness.deps, T0 + timedelta(weeks=2, minutes=1)) == {}
    for user in ("UREP", "UMGR"):
        invites = [m for m in _dm(harness, user) if "check-in time" in message_text(m)]
        assert len(invites) == 1, user

    harness.command("UMGR", "1on1 <@UREP> checkins off")
    assert "are off" in harness.last_ephemeral_text("UMGR")


def test_a_new_manager_accepted_during_a_checkin_is_told_it_is_theirs_to_rate(harness: Harness) -> None:
    from bot.ids import ConsentAction

    _seed(harness)
    harness.add_slack_user("UNEW", "nora")
    harness.command("UREP", "checkin")
    harness.command("UNEW", "team add <@UREP>")
    request = [m for m in _dm(harness, "UREP") if ConsentAction.ACCEPT in json.dumps(m)][-1]
    accept = next(
        e["value"] for b in request["blocks"] for e in b.get("elements") or [] if e["action_id"] == ConsentAction.ACCEPT
    )
    harness.action("UREP", ConsentAction.ACCEPT, accept, message=request)
    told = [m for m in _dm(harness, "UNEW") if "open check-in is yours to rate" in message_text(m)]
    assert len(told) == 1 and "Riley" in message_text(told[0])
    _rate_all(harness, "UNEW", _button_value(told[0]["blocks"]), "consistently")  # every page, as the manager
