"""End to end: `/ladder admin ...` for admins, the neutral refusal for everyone else, and what admins can
read with `/ladder digest @person` and `/ladder export @person` under both evidence settings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from bot.ids import ConsentAction
from bot.services import admin
from bot.services.access import NOT_AVAILABLE
from storage.models import AuditEntry, ManagerLinkStatus
from tests.conftest import Database
from tests.listeners.harness import Harness, message_text, start_harness

NOW = datetime(2025, 3, 20, 12, 0)  # a Thursday
EVIDENCE = "Ran the incident review & wrote it up"


@pytest.fixture
def harness(sqlite_db: Database) -> Iterator[Harness]:
    with start_harness(sqlite_db, GROWTHBOT_ADMINS="UADMIN") as running:
        yield running


@pytest.fixture
def reading_harness(sqlite_db: Database) -> Iterator[Harness]:
    with start_harness(sqlite_db, GROWTHBOT_ADMINS="UADMIN", GROWTHBOT_ADMINS_READ_EVIDENCE="true") as running:
        yield running


def _seed(harness: Harness) -> int:
    harness.set_now(NOW)
    person_id = harness.seed_person("UREP", name="Riley", manager="UMGR", tz="Europe/Paris")
    harness.add_slack_user("UADMIN", "ada")
    harness.add_slack_user("UOTHER", "olive")
    harness.add_evidence("UREP", EVIDENCE, harness.next_behaviour_ids("UREP")[:1], created_at=NOW - timedelta(days=2))
    return person_id


def _schedule(harness: Harness, person_id: int) -> tuple[int, time, bool, datetime | None, datetime | None]:
    with harness.deps.uow() as uow:
        s = uow.schedules.get_for(person_id)
        return s.weekday, s.local_time, s.paused, s.paused_until, s.next_due_at


def _audit(harness: Harness, subject: str) -> list[tuple[str | None, str]]:
    with harness.deps.uow() as uow:
        return [(e.actor_slack_id, e.action) for e in reversed(uow.audit.for_subject(subject))]


def test_admin_pauses_and_resumes_someone(harness: Harness) -> None:
    person_id = _seed(harness)
    before = _schedule(harness, person_id)
    harness.command("UADMIN", "admin pause <@UREP|riley> until 2025-04-07")
    assert "<@UREP>'s prompts are paused until Monday 7 April (their time)" in harness.last_ephemeral_text("UADMIN")
    _, _, paused, paused_until, next_due = _schedule(harness, person_id)
    assert paused and paused_until == datetime(2025, 4, 6, 22, 0)  # midnight in Paris
    assert next_due == datetime(2025, 4, 7, 8, 0)
    assert _audit(harness, "UREP") == [("UADMIN", admin.PAUSED)]
    assert "UREP" in harness.fake.views_published  # their Home shows the pause

    harness.command("UADMIN", "admin resume <@UREP>")
    assert "<@UREP>'s prompts are on" in harness.last_ephemeral_text("UADMIN")
    assert _schedule(harness, person_id) == before
    assert _audit(harness, "UREP") == [("UADMIN", admin.PAUSED), ("UADMIN", admin.RESUMED)]


def test_admin_reschedules_someone(harness: Harness) -> None:
    person_id = _seed(harness)
    harness.command("UADMIN", "admin schedule <@UREP> wed 09:30 fortnightly")
    text = harness.last_ephemeral_text("UADMIN")
    assert "<@UREP> now gets prompts every other Wednesday at 09:30 (Europe/Paris)" in text
    weekday, local_time, paused, _, next_due = _schedule(harness, person_id)
    assert (weekday, local_time, paused, next_due) == (2, time(9, 30), False, datetime(2025, 3, 26, 8, 30))
    harness.command("UADMIN", "admin schedule <@UREP> someday 09:30")
    assert "is not a weekday" in harness.last_ephemeral_text("UADMIN")
    assert _audit(harness, "UREP") == [("UADMIN", admin.SCHEDULED)]


def test_admin_names_a_manager_and_the_person_must_consent(harness: Harness) -> None:
    person_id = _seed(harness)
    harness.command("UADMIN", "admin manager <@UREP> <@UOTHER|olive>")
    assert "I asked <@UREP> to confirm <@UOTHER> as their manager" in harness.last_ephemeral_text("UADMIN")
    request = harness.fake.messages(harness.fake.dm_channel_for("UREP"))[-1]
    assert "<@UOTHER> was named as your manager" in message_text(request)
    with harness.deps.uow() as uow:
        assert uow.managers.active_manager_of(person_id).slack_user_id == "UMGR"  # until they accept
        [pending] = uow.managers.pending_for(person_id)
        assert pending.manager.slack_user_id == "UOTHER"
    harness.command("UOTHER", "digest <@UREP>")
    assert harness.last_ephemeral("UOTHER")["text"] == NOT_AVAILABLE

    [accept] = [
        e
        for block in request["blocks"]
        if block["type"] == "actions"
        for e in block["elements"]
        if e["action_id"] == ConsentAction.ACCEPT
    ]
    harness.action("UREP", ConsentAction.ACCEPT, accept["value"], message=request)
    with harness.deps.uow() as uow:
        assert uow.managers.active_manager_of(person_id).slack_user_id == "UOTHER"
        assert uow.managers.get(pending.id).status is ManagerLinkStatus.ACTIVE
    assert ("UADMIN", admin.NAMED_MANAGER) in _audit(harness, "UREP")


def test_admin_deactivates_and_reactivates(harness: Harness) -> None:
    person_id = _seed(harness)
    harness.command("UADMIN", "admin deactivate <@UREP>")
    assert "<@UREP> is deactivated" in harness.last_ephemeral_text("UADMIN")
    with harness.deps.uow() as uow:
        assert uow.people.get(person_id).active is False
    harness.command("UADMIN", "admin reactivate <@UREP>")
    assert "<@UREP> is active again" in harness.last_ephemeral_text("UADMIN")
    with harness.deps.uow() as uow:
        assert uow.people.get(person_id).active is True
    assert _audit(harness, "UREP") == [("UADMIN", admin.DEACTIVATED), ("UADMIN", admin.REACTIVATED)]


def test_admin_people_list_has_no_evidence(harness: Harness) -> None:
    _seed(harness)
    harness.command("UADMIN", "admin pause <@UREP>")
    harness.command("UADMIN", "admin people")
    text = harness.last_ephemeral_text("UADMIN")
    assert "*Riley* <@UREP>" in text and "manager <@UMGR>" in text
    assert "prompts Mon 10:00 weekly (Europe/Paris)" in text and "*paused*" in text
    assert "incident review" not in text and "▱" not in text  # no evidence, no coverage


def test_admin_help_and_mistakes(harness: Harness) -> None:
    _seed(harness)
    harness.command("UADMIN", "admin")
    text = harness.last_ephemeral_text("UADMIN")
    assert "/ladder admin pause @person [until YYYY-MM-DD]" in text
    assert "you can't read anyone's evidence" in text
    harness.command("UADMIN", "admin pause riley")
    assert "Mention the person" in harness.last_ephemeral_text("UADMIN")
    harness.command("UADMIN", "admin pause <@UNOBODY>")
    assert "<@UNOBODY> isn't in growthbot yet" in harness.last_ephemeral_text("UADMIN")
    harness.command("UADMIN", "admin resume <@UOTHER>")  # in Slack, never set up
    assert "isn't in growthbot yet" in harness.last_ephemeral_text("UADMIN")


def test_help_lists_admin_only_for_admins(harness: Harness) -> None:
    _seed(harness)
    harness.command("UADMIN", "help")
    assert "/ladder admin" in harness.last_ephemeral_text("UADMIN")
    harness.command("UREP", "help")
    assert "admin" not in harness.last_ephemeral_text("UREP")
    harness.command("UREP", "admn")
    assert "admin" not in harness.last_ephemeral_text("UREP")


def test_non_admins_get_the_neutral_refusal_and_nothing_changes(harness: Harness) -> None:
    person_id = _seed(harness)
    before = _schedule(harness, person_id)
    for user in ("UREP", "UMGR", "UOTHER"):
        for text in (
            "admin",
            "admin people",
            "admin pause <@UREP>",
            "admin pause <@UNOBODY>",
            "admin schedule <@UREP> fri 08:00",
            "admin manager <@UREP> <@UOTHER>",
            "admin deactivate <@UREP>",
        ):
            harness.command(user, text)
            assert harness.last_ephemeral(user)["text"] == NOT_AVAILABLE, (user, text)
    assert _schedule(harness, person_id) == before
    with harness.deps.uow() as uow:
        assert uow.people.get(person_id).active is True
        assert len(uow.managers.history_for(person_id)) == 1
    with harness.deps.uow() as uow:
        denied = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == admin.DENIED)).all()
    assert len(denied) == 21 and {e.actor_slack_id for e in denied} == {"UREP", "UMGR", "UOTHER"}
    assert {e.details["wanted"] for e in denied} >= {"admin help", "admin pause", "admin manager"}


def test_admins_cannot_read_evidence_by_default(harness: Harness) -> None:
    _seed(harness)
    harness.command("UADMIN", "admin people")  # the admin is known to growthbot
    harness.command("UADMIN", "admin manager <@UREP> <@UMGR>")
    for text in ("digest <@UREP>", "export <@UREP>"):
        harness.command("UADMIN", text)
        assert harness.last_ephemeral("UADMIN")["text"] == NOT_AVAILABLE
    assert harness.fake.uploaded_files == []
    assert EVIDENCE not in "".join(message_text(m) for m in harness.ephemerals("UADMIN"))
    audit = _audit(harness, "UREP")
    assert ("UADMIN", "denied_evidence_access") in audit
    assert not {"viewed_digest", "exported_evidence"} & {action for _, action in audit}


def test_admins_read_evidence_when_the_setting_grants_it_and_it_is_audited(reading_harness: Harness) -> None:
    harness = reading_harness
    _seed(harness)
    harness.command("UADMIN", "admin manager <@UREP> <@UMGR>")  # the admin is known to growthbot now
    harness.command("UADMIN", "admin")
    assert "`GROWTHBOT_ADMINS_READ_EVIDENCE` is on" in harness.last_ephemeral_text("UADMIN")

    harness.command("UADMIN", "digest <@UREP>")
    assert "Ran the incident review &amp; wrote it up" in harness.last_ephemeral_text("UADMIN")
    harness.command("UADMIN", "export <@UREP>")
    [packet] = harness.fake.uploaded_files
    assert packet.channel_id == harness.fake.dm_channel_for("UADMIN")
    assert EVIDENCE in packet.content.decode()
    audit = _audit(harness, "UREP")
    assert ("UADMIN", "viewed_digest") in audit and ("UADMIN", "exported_evidence") in audit
