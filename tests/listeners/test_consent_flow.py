"""End to end: naming a manager asks the report, who accepts, declines or later removes the link."""

from __future__ import annotations

from datetime import datetime

from bot.delivery.consent import send_pending_consent_requests
from bot.ids import ConsentAction
from bot.services.access import NOT_AVAILABLE
from storage.models import ManagerLinkStatus
from tests.listeners.harness import Harness, message_text

NOW = datetime(2025, 3, 20, 12, 0)


def _dm(harness: Harness, user_id: str) -> list[dict]:
    return harness.fake.messages(harness.fake.dm_channel_for(user_id))


def _request(harness: Harness) -> dict:
    harness.seed_person("UREP", name="Riley")
    harness.add_slack_user("UMGR", "morgan")
    harness.add_slack_user("UOTHER", "olive")
    harness.set_now(NOW)
    harness.command("UMGR", "team add <@UREP|riley>")
    assert "Nothing of theirs is shared with you until they accept" in harness.last_ephemeral_text("UMGR")
    request = _dm(harness, "UREP")[-1]
    assert "<@UMGR> was named as your manager" in message_text(request)
    return request


def _button(message: dict, action_id: str) -> dict:
    return next(
        e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == action_id
    )


def test_accept_lets_evidence_flow(harness: Harness) -> None:
    request = _request(harness)
    # Until the report answers, the named manager sees nothing.
    harness.command("UMGR", "digest <@UREP>")
    assert harness.last_ephemeral("UMGR")["text"] == NOT_AVAILABLE

    accept = _button(request, ConsentAction.ACCEPT)
    # Neither the manager nor a bystander can accept on the report's behalf.
    for intruder in ("UMGR", "UOTHER"):
        harness.action(intruder, ConsentAction.ACCEPT, accept["value"], message=request)
        assert harness.last_ephemeral(intruder)["text"] == NOT_AVAILABLE
    harness.command("UMGR", "digest <@UREP>")
    assert harness.last_ephemeral("UMGR")["text"] == NOT_AVAILABLE

    harness.action("UREP", ConsentAction.ACCEPT, accept["value"], message=request)
    assert "You accepted <@UMGR> as your manager" in message_text(_dm(harness, "UREP")[-1])
    assert "<@UREP> accepted you as their manager" in _dm(harness, "UMGR")[-1]["text"]
    harness.command("UMGR", "digest <@UREP>")
    assert "Progress digest: Riley" in harness.last_ephemeral_text("UMGR")

    harness.command("UREP", "team")
    assert "<@UMGR>: sees your evidence." in harness.last_ephemeral_text("UREP")
    harness.command("UMGR", "team")
    assert "• <@UREP>" in harness.last_ephemeral_text("UMGR")

    # Clicking again changes nothing.
    harness.action("UREP", ConsentAction.DECLINE, accept["value"], message=_dm(harness, "UREP")[0])
    assert "already answered" in message_text(_dm(harness, "UREP")[0])


def test_decline_keeps_everything_private(harness: Harness) -> None:
    request = _request(harness)
    harness.action("UREP", ConsentAction.DECLINE, _button(request, ConsentAction.DECLINE)["value"], message=request)
    assert "You declined <@UMGR>" in message_text(_dm(harness, "UREP")[-1])
    assert "declined the manager request" in _dm(harness, "UMGR")[-1]["text"]
    harness.command("UMGR", "digest <@UREP>")
    assert harness.last_ephemeral("UMGR")["text"] == NOT_AVAILABLE
    harness.command("UMGR", "export <@UREP>")
    assert harness.last_ephemeral("UMGR")["text"] == NOT_AVAILABLE
    assert harness.fake.uploaded_files == []


def test_report_sees_and_removes_their_manager(harness: Harness) -> None:
    harness.seed_person("UREP", name="Riley", manager="UMGR")
    harness.set_now(NOW)
    harness.command("UMGR", "1on1 <@UREP> tuesday 10:00")
    harness.command("UREP", "team")
    assert "<@UMGR>: sees your evidence." in harness.last_ephemeral_text("UREP")

    harness.command("UREP", "team remove <@UMGR>")
    assert "has ended, and so have your 1:1s together" in harness.last_ephemeral_text("UREP")
    harness.command("UMGR", "digest <@UREP>")
    assert harness.last_ephemeral("UMGR")["text"] == NOT_AVAILABLE
    harness.command("UMGR", "1on1 list")
    assert "You have no 1:1s" in harness.last_ephemeral_text("UMGR")
    harness.command("UREP", "team")
    assert "Nobody at the moment" in harness.last_ephemeral_text("UREP")


def test_links_from_setup_or_import_are_asked_by_the_tick(harness: Harness) -> None:
    harness.seed_person("UREP", name="Riley", manager="UMGR", manager_status=ManagerLinkStatus.PENDING)
    assert _dm(harness, "UREP") == []
    assert send_pending_consent_requests(harness.deps, NOW) == 1
    assert send_pending_consent_requests(harness.deps, NOW) == 0
    request = _dm(harness, "UREP")[-1]
    harness.action("UREP", ConsentAction.ACCEPT, _button(request, ConsentAction.ACCEPT)["value"], message=request)
    with harness.deps.uow() as uow:
        workspace = uow.workspaces.get_by_team(harness.team_id)
        person = uow.people.get_by_slack_id(workspace.id, "UREP")
        assert uow.managers.active_manager_of(person.id).slack_user_id == "UMGR"


def test_team_add_refuses_oneself_and_plain_names(harness: Harness) -> None:
    harness.add_slack_user("UMGR", "morgan")
    harness.command("UMGR", "team add <@UMGR>")
    assert "can't be your own manager" in harness.last_ephemeral_text("UMGR")
    harness.command("UMGR", "team add @riley")
    assert "Mention the person" in harness.last_ephemeral_text("UMGR")
    harness.command("UMGR", "team add <@UGHOST>")  # not in Slack
    assert harness.last_ephemeral("UMGR")["text"] == NOT_AVAILABLE


def test_both_homes_are_republished_when_the_report_accepts(harness: Harness) -> None:
    harness.seed_person("UOLD", name="Olden")
    harness.seed_person("UREP", name="Riley", manager="UOLD")
    harness.add_slack_user("UMGR", "morgan")
    harness.set_now(NOW)
    for user_id in ("UREP", "UMGR", "UOLD"):
        harness.open_home(user_id)
    assert "<@UREP>" not in harness.home_text("UMGR") and "<@UREP>" in harness.home_text("UOLD")
    harness.command("UMGR", "team add <@UREP|riley>")
    request = _dm(harness, "UREP")[-1]
    published_before = harness.fake.counts.get("views.publish", 0)

    harness.action("UREP", ConsentAction.ACCEPT, _button(request, ConsentAction.ACCEPT)["value"], message=request)
    # The new manager's Home lists Riley and the replaced manager's no longer does, neither reopened.
    assert "Your team" in harness.home_text("UMGR") and "<@UREP>" in harness.home_text("UMGR")
    assert "<@UREP>" not in harness.home_text("UOLD")
    assert harness.fake.counts["views.publish"] == published_before + 3  # report, new and old manager


def test_both_homes_are_republished_when_the_report_declines(harness: Harness) -> None:
    request = _request(harness)
    published_before = harness.fake.counts.get("views.publish", 0)
    harness.action("UREP", ConsentAction.DECLINE, _button(request, ConsentAction.DECLINE)["value"], message=request)
    assert harness.fake.counts["views.publish"] == published_before + 2
    assert {"UREP", "UMGR"} <= set(harness.fake.views_published)
    assert "<@UREP>" not in harness.home_text("UMGR")


def test_both_homes_are_republished_when_a_link_is_removed(harness: Harness) -> None:
    harness.seed_person("UREP", name="Riley", manager="UMGR")
    harness.set_now(NOW)
    harness.open_home("UMGR")
    assert "<@UREP>" in harness.home_text("UMGR")
    published_before = harness.fake.counts.get("views.publish", 0)
    harness.command("UREP", "team remove <@UMGR>")
    assert "<@UREP>" not in harness.home_text("UMGR")
    assert harness.fake.counts["views.publish"] == published_before + 2
    assert "UREP" in harness.fake.views_published
