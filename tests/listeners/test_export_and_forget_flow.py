"""End to end: the promotion packet uploaded to the requester's DM, and `/ladder forget`."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.ids import Callback
from bot.services.access import NOT_AVAILABLE
from tests.listeners.harness import Harness

NOW = datetime(2025, 3, 20, 12, 0)


def _seed(harness: Harness) -> list[str]:
    harness.seed_person("UREP", name="Riley", manager="UMGR")
    harness.seed_person("UOTHER", name="Olive")
    behaviours = harness.next_behaviour_ids("UREP")
    harness.add_evidence("UREP", "Wrote the <!channel> runbook", behaviours[:1], created_at=NOW - timedelta(days=3))
    harness.set_now(NOW)
    return behaviours


def test_export_uploads_the_packet_to_the_requesters_dm(harness: Harness) -> None:
    behaviours = _seed(harness)
    harness.command("UREP", "export")
    assert "I sent the promotion packet" in harness.last_ephemeral_text("UREP")
    [packet] = harness.fake.uploaded_files
    assert packet.channel_id == harness.fake.dm_channel_for("UREP")
    assert packet.filename == "promotion-packet-riley-2025-03-20.md"
    markdown = packet.content.decode()
    assert markdown.startswith("# Promotion packet: Riley")
    assert "Wrote the <!channel> runbook" in markdown  # a file, not a message: kept exactly as written
    assert "## Behaviours without evidence" in markdown
    for behaviour_id in behaviours:
        assert harness.library.find_behaviour("luko-execution", behaviour_id).text.split("\n")[0][:40] in markdown
    assert harness.fake.count("files.getUploadURLExternal") == 1
    assert harness.fake.count("files.completeUploadExternal") == 1

    harness.command("UMGR", "export <@UREP|riley>")
    assert len(harness.fake.uploaded_files) == 2
    assert harness.fake.uploaded_files[-1].channel_id == harness.fake.dm_channel_for("UMGR")
    with harness.deps.uow() as uow:
        entries = [(e.actor_slack_id, e.action) for e in uow.audit.for_subject("UREP")]
    assert entries == [("UMGR", "exported_evidence")]


def test_export_of_someone_else_is_refused_the_same_way(harness: Harness) -> None:
    _seed(harness)
    for user, text in (("UOTHER", "export <@UREP>"), ("UOTHER", "export <@UNOBODY>"), ("UREP", "export <@UMGR>")):
        harness.command(user, text)
        assert harness.last_ephemeral(user)["text"] == NOT_AVAILABLE
    assert harness.fake.uploaded_files == []
    assert harness.fake.count("files.getUploadURLExternal") == 0


def test_forget_asks_then_deletes_and_says_what_went(harness: Harness) -> None:
    _seed(harness)
    harness.command("UMGR", "1on1 <@UREP> monday 10:00")
    harness.command("UREP", "forget")
    modal = harness.fake.opened_views[-1]
    assert modal["callback_id"] == Callback.FORGET
    with harness.deps.uow() as uow:  # nothing is deleted before the confirmation
        workspace = uow.workspaces.get_by_team(harness.team_id)
        assert uow.evidence.all_for(uow.people.get_by_slack_id(workspace.id, "UREP").id)

    answer = harness.submit("UREP", modal, {})
    done = answer.json()
    assert done["response_action"] == "update"
    summary = done["view"]["blocks"][0]["text"]["text"]
    assert "• 1 evidence item" in summary and "• 1 manager link" in summary and "• 1 1:1" in summary
    dm = harness.fake.messages(harness.fake.dm_channel_for("UREP"))
    assert "Your growthbot data is deleted" in dm[-1]["text"]

    with harness.deps.uow() as uow:
        workspace = uow.workspaces.get_by_team(harness.team_id)
        person = uow.people.get_by_slack_id(workspace.id, "UREP")
        assert uow.evidence.all_for(person.id) == []
        assert uow.schedules.get_for(person.id) is None
        assert uow.managers.active_manager_of(person.id) is None
        assert uow.one_on_ones.all_involving(person.id)[0].active is False
    harness.command("UMGR", "digest <@UREP>")
    assert harness.last_ephemeral("UMGR")["text"] == NOT_AVAILABLE


def _verdict(harness: Harness, behaviour_id: str, comment: str) -> None:
    from bot.services import assessments
    from storage.models import Rater, Verdict

    with harness.deps.uow() as uow:
        workspace = uow.workspaces.get_by_team(harness.team_id)
        person = uow.people.get_by_slack_id(workspace.id, "UREP")
        manager = uow.people.get_by_slack_id(workspace.id, "UMGR")
        framework = harness.library["luko-execution"]
        evidence_ids = [e.id for e in uow.evidence.all_for(person.id)]
        assessments.record(
            uow,
            person=person,
            rater=manager,
            role=Rater.MANAGER,
            framework=framework,
            behaviour=framework.behaviour(behaviour_id),
            verdict=Verdict.CONSISTENTLY,
            now=NOW,
            comment=comment,
            evidence_ids=evidence_ids,
        )


def test_the_packet_carries_verdicts_and_forget_removes_them(harness: Harness) -> None:
    behaviours = _seed(harness)
    _verdict(harness, behaviours[0], "Solid <!here>")
    harness.command("UMGR", "export <@UREP|riley>")
    markdown = harness.fake.uploaded_files[-1].content.decode()
    assert "- Manager: **Consistently** (2025-03-20) — Solid <!here>" in markdown
    assert "_(cited)_ Wrote the <!channel> runbook" in markdown
    assert "## Readiness for the next level" in markdown and "(version " in markdown

    harness.command("UREP", "forget")
    done = harness.submit("UREP", harness.fake.opened_views[-1], {}).json()
    assert "• 1 verdict" in done["view"]["blocks"][0]["text"]["text"]
    with harness.deps.uow() as uow:
        workspace = uow.workspaces.get_by_team(harness.team_id)
        person = uow.people.get_by_slack_id(workspace.id, "UREP")
        assert uow.assessments.all_for(person.id) == []


def test_forget_deletes_and_counts_the_focus_behaviours(harness: Harness) -> None:
    behaviours = _seed(harness)
    harness.command("UREP", f"focus {behaviours[0]} {behaviours[1]}")
    assert "2 of 3" in harness.last_ephemeral_text("UREP")
    harness.command("UREP", "forget")
    done = harness.submit("UREP", harness.fake.opened_views[-1], {}).json()
    assert "• 2 focus behaviours" in done["view"]["blocks"][0]["text"]["text"]
    with harness.deps.uow() as uow:
        workspace = uow.workspaces.get_by_team(harness.team_id)
        person = uow.people.get_by_slack_id(workspace.id, "UREP")
        assert uow.focus.for_person(person.id) == []
